import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { lang, named, t } from '../i18n.js';
import { digits, longInstant, num } from '../format.js';
import { addDays, openingState, todayInTehran } from '../days.js';
import { journey } from '../journey.js';
import { navigate } from '../router.js';
import { ErrorSummary } from '../components/ErrorSummary.jsx';
import { OfficeMap } from '../components/OfficeMap.jsx';
import { Page } from '../components/Page.jsx';
import { Failure, Loading } from '../components/Status.jsx';
import { SelectField } from '../components/SelectField.jsx';

const minutes = (n) => t('minutes', num(n));

/** An instant in words from the API (`opens_at`: Jalali, Persian digits in Persian). */
const when = (opening) => (lang() === 'fa' ? opening.phrase_fa : opening.phrase_en);

/** Open now (until when, from its hours), or closed and when it opens (the API's word on it, which
 * knows the holidays and closures): a closed office is never presented as "no wait". */
function Opening({ item, state }) {
  if (!item.office) return null;
  if (!item.open_now) {
    return (
      <p class="opening">
        {item.opens_at ? <time dateTime={item.opens_at.at}>{t('opensAt', when(item.opens_at))}</time> : t('closedNow')}
      </p>
    );
  }
  return state?.open ? <p class="opening opening--open">{t('openUntil', digits(state.until))}</p> : null;
}

/** One suggested office: the parts of its estimate, distance, tier, the API's own explanation and
 * the way on to its days (or straight to the day of its earliest free appointment). */
function SuggestionCard({ item, serviceId, remote, opening }) {
  const office = item.office;
  const days = office && `/offices/${office.office_id}/services/${serviceId}/days`;
  return (
    <li class="card suggestion">
      <h3 class="card__title">
        <span class="rank" aria-hidden="true">{num(item.rank)}</span>
        {office ? named(office) : t('networkOption')}
      </h3>
      {office && <p class="card__sub">{named(office, 'city')}</p>}
      <Opening item={item} state={opening} />
      <p class="explanation">{lang() === 'fa' ? item.explanation_fa : item.explanation_en}</p>
      <dl class="facts facts--estimate">
        <div><dt>{t('waitPart')}</dt><dd>{item.expected_wait_min == null ? t('closedNoWait') : minutes(item.expected_wait_min)}</dd></div>
        <div><dt>{t('servicePart')}</dt><dd>{minutes(item.expected_service_min)}</dd></div>
        <div><dt>{t('qualityPart')}</dt><dd>{minutes(item.quality_penalty_min)}</dd></div>
        <div><dt>{t('travelPart')}</dt><dd>{minutes(item.travel_min)}</dd></div>
        <div class="facts__total"><dt>{t('totalPart')}</dt><dd>{minutes(item.score_min)}</dd></div>
        {item.distance_km != null && <div><dt>{t('distance')}</dt><dd>{t('km', num(item.distance_km, 1))}</dd></div>}
        <div><dt>{t('tier')}</dt><dd>{item.tier != null ? t('tierValue', num(item.tier)) : t('tierUnknown')}</dd></div>
        {!remote && (
          <div><dt>{t('nextFree')}</dt><dd>{item.next_free_slot ? longInstant(item.next_free_slot) : t('noFreeSoon')}</dd></div>
        )}
      </dl>
      {!office && <p>{t('networkOptionBody')}</p>}
      {remote && (
        <p class="actions">
          <a class="button" href={`/requests/new?service=${serviceId}${office ? `&office=${office.office_id}` : ''}`}>
            {office ? t('sendHere', named(office)) : t('sendToNetwork')}
          </a>
        </p>
      )}
      {!remote && office && (
        <p class="actions">
          <a class="button" href={days}>{t('chooseOffice', named(office))}</a>
          {item.next_free_slot && (
            <a class="button button--secondary" href={`${days}/${item.next_free_slot.at.slice(0, 10)}`}>{t('bookEarliest')}</a>
          )}
        </p>
      )}
    </li>
  );
}

/** Where to go: a city (typed) or the browser's location (asked only when the citizen presses the
 * button), then the API's suggestions with a drawing of where the offices are. */
export function WhereToGo({ serviceId, city, lat, lon, mode }) {
  const [service, setService] = useState(null);
  const [text, setText] = useState(city || '');
  const [places, setPlaces] = useState(null);
  const [result, setResult] = useState(null);
  const [coords, setCoords] = useState([]);
  const [openings, setOpenings] = useState({});
  const [errors, setErrors] = useState([]);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [locating, setLocating] = useState(false);
  const where = city ? { city } : lat && lon ? { lat, lon } : null;

  useEffect(() => {
    api.service(serviceId).then((s) => {
      setService(s);
      journey.update({ serviceId: s.service_id, service: s });
    }, setError);
  }, [serviceId]);

  const remote = service?.mode === 'remote_only' || (service?.mode === 'remote_allowed' && mode === 'remote');
  // The city picker: the provinces and cities where an office offers the service.
  useEffect(() => {
    if (!service || remote) return;
    api.places(serviceId).then((p) => {
      setPlaces(p.items);
      // A city given in the address in either language selects its option.
      const given = (city || '').trim().toLowerCase();
      const match = p.items.flatMap((pr) => pr.cities).find((c) => c.city.toLowerCase() === given || c.city_fa === given);
      if (match) setText(match.city_fa);
    }, setError);
  }, [service, remote]);
  useEffect(() => {
    if (!service || (!where && !remote)) return;
    let live = true;
    setBusy(true);
    setErrors([]);
    setResult(null);
    api.suggestions({ service: serviceId, mode: remote ? 'remote' : 'in_person', ...(remote ? {} : where) })
      .then(async (r) => {
        // The suggestion names each office; its coordinates come from the office itself. The list
        // and the drawing appear together, so nothing moves under the citizen's finger.
        const today = todayInTehran();
        const [offices, holidays] = await Promise.all([
          Promise.all(r.items.filter((i) => i.office).map((i) => api.office(i.office.office_id).then((o) => ({
            id: o.office_id, lat: o.location.lat, lon: o.location.lon, rank: i.rank, detail: o,
          }), () => null))),
          api.holidays(today, addDays(today, 8)).then((h) => new Set(h.items.map((d) => d.date)), () => new Set()),
        ]);
        if (!live) return;
        setOpenings(Object.fromEntries(offices.filter(Boolean).map((o) => [o.id, openingState(o.detail, holidays)])));
        setCoords(offices.filter(Boolean));
        setResult(r);
      }, (e) => {
        if (!live) return;
        const fields = e.fieldErrors ? e.fieldErrors() : {};
        if (e.status === 422 && city) setErrors([{ field: 'city', message: fields.city || e.message_() }]);
        else setError(e);
      })
      .finally(() => live && setBusy(false));
    return () => { live = false; };
  }, [service, city, lat, lon, mode]);

  const submit = (event) => {
    event.preventDefault();
    const value = text.trim();
    if (!value) {
      setErrors([{ field: 'city', message: t('cityRequired') }]);
      return;
    }
    navigate(`/services/${serviceId}/where?city=${encodeURIComponent(value)}`);
  };

  const locate = () => {
    setLocating(true);
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        setLocating(false);
        const [la, lo] = [pos.coords.latitude.toFixed(4), pos.coords.longitude.toFixed(4)];
        navigate(`/services/${serviceId}/where?lat=${la}&lon=${lo}`);
      },
      () => {
        setLocating(false);
        setErrors([{ field: 'city', message: t('locationDenied') }]);
      },
      { timeout: 10000, maximumAge: 600000 },
    );
  };

  const cityError = errors.find((e) => e.field === 'city')?.message;
  return (
    <Page title={remote ? t('remoteTitle') : t('whereTitle')} caption={service && named(service)}
      hasErrors={errors.length > 0} back="/">
      <ErrorSummary errors={errors} />
      <Failure error={error} />
      {remote && <p>{t('remoteBody')}</p>}
      {service?.mode === 'remote_allowed' && !remote && (
        <p class="notice">{t('remoteInstead')}: <a href={`/services/${serviceId}/where?mode=remote`}>{t('remoteInsteadLink')}</a></p>
      )}
      {service && !remote && (
        <>
          <p class="hint">{t('whereHint')}</p>
          <form class="where" action={`/services/${serviceId}/where`} method="get" onSubmit={submit} noValidate>
            <SelectField id="city" label={t('cityLabel')} hint={t('cityHint')} error={cityError} value={text}
              onChange={setText} placeholder={places ? t('cityChoose') : t('loading')} width="20"
              groups={(places || []).map((p) => ({
                label: named(p, 'province'),
                options: p.cities.map((c) => ({ value: c.city_fa, text: `${named(c, 'city')} (${t('cityOffices', num(c.offices))})` })),
              }))} />
            <div class="actions">
              <button class="button" type="submit">{t('showOffices')}</button>
              {'geolocation' in navigator && (
                <button class="button button--secondary" type="button" onClick={locate} disabled={locating}
                  aria-describedby="location-consent">{t('useLocation')}</button>
              )}
            </div>
            <p class="hint" id="location-consent">{t('locationConsent')}</p>
          </form>
        </>
      )}
      {busy && <Loading />}
      {result && (
        <section aria-labelledby="suggestions-title">
          <h2 id="suggestions-title">{t('suggestionsTitle')}</h2>
          {result.fallback && <p class="notice">{t('fallbackNote')}</p>}
          <OfficeMap offices={coords} you={lat && lon ? { lat: Number(lat), lon: Number(lon) } : null} />
          <ol class="cards">
            {result.items.map((item) => (
              <SuggestionCard key={item.office?.office_id || 'network'} item={item} serviceId={serviceId} remote={remote}
                opening={item.office && openings[item.office.office_id]} />
            ))}
            {result.network_option && (
              <SuggestionCard key="network" item={result.network_option} serviceId={serviceId} remote />
            )}
            {remote && !result.network_option && (
              // The intake takes requests at any hour: with no office open now, the network's queue holds it.
              <li class="card suggestion">
                <h3 class="card__title">{t('networkOption')}</h3>
                <p>{t('remoteNoneOpen')}</p>
                {result.network_opens_at && (
                  <p class="opening"><time dateTime={result.network_opens_at.at}>{t('networkOpensAt', when(result.network_opens_at))}</time></p>
                )}
                <p class="actions"><a class="button" href={`/requests/new?service=${serviceId}`}>{t('sendToNetwork')}</a></p>
              </li>
            )}
          </ol>
        </section>
      )}
    </Page>
  );
}
