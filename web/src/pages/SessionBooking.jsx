import { useEffect, useState } from 'preact/hooks';
import { api, NetworkError } from '../api.js';
import { lang, named, t } from '../i18n.js';
import { instantIn, latinDigits, num } from '../format.js';
import { ABROAD, browserTimeZone, countryName } from '../countries.js';
import { features } from '../features.js';
import { citizen } from '../session.js';
import { ErrorSummary } from '../components/ErrorSummary.jsx';
import { MobileCheckForm } from '../components/MobileCheckForm.jsx';
import { Page } from '../components/Page.jsx';
import { Failure } from '../components/Status.jsx';
import { TextField } from '../components/TextField.jsx';
import { VerifiedCitizen } from '../components/VerifiedCitizen.jsx';
import { JourneyLost } from './JourneyLost.jsx';

const FIELDS = ['date', 'start', 'contact', 'national_id', 'mobile', 'country'];
// One Idempotency-Key per distinct body: a retry of the same session is the same session.
let attempt = { key: null, body: null };
function keyFor(body) {
  const text = JSON.stringify(body);
  if (attempt.body !== text) attempt = { key: crypto.randomUUID(), body: text };
  return attempt.key;
}

/** Book a remote session (video or phone) with an office: the office's free session times, shown
 * in the browser's own time zone (Intl) beside Tehran's, then POST /v1/sessions with the citizen's
 * session (the mobile check comes first). */
export function SessionBooking({ officeId, serviceId }) {
  const [live, setLive] = useState(() => (features.mobileCheck ? citizen.current() : null));
  if (!officeId || !serviceId) return <JourneyLost />;
  if (features.mobileCheck && !live) {
    return <MobileCheckForm title={t('sessionTitle')} intro={t('mobileCheckSession')} onVerified={setLive} back="/" />;
  }
  return <SessionForm officeId={officeId} serviceId={serviceId} verified={live} onLapsed={() => setLive(null)} />;
}

function SessionForm({ officeId, serviceId, verified, onLapsed }) {
  const timeZone = browserTimeZone();
  const [office, setOffice] = useState(null);
  const [service, setService] = useState(null);
  const [day, setDay] = useState(null);
  const [values, setValues] = useState({ date: '', start: '', contact: '', where: timeZone === 'Asia/Tehran' ? 'IR' : 'abroad',
    country: '', national_id: verified?.national_id || '', mobile: verified?.mobile || '' });
  const [errors, setErrors] = useState([]);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [booked, setBooked] = useState(null);
  const set = (field) => (value) => setValues({ ...values, [field]: value });

  useEffect(() => {
    api.office(officeId).then(setOffice, setError);
    api.service(serviceId).then(setService, setError);
  }, [officeId, serviceId]);
  useEffect(() => {
    if (!values.date) return;
    setDay(null);
    api.sessionSlots(officeId, serviceId, values.date, timeZone).then((d) => {
      setDay(d);
      setErrors([]);
    }, (e) => setErrors([{ field: 'date', message: e.message_ ? e.message_() : t('networkError') }]));
  }, [values.date]);

  const submit = async (event) => {
    event.preventDefault();
    const found = [];
    const nid = latinDigits(values.national_id).replace(/[\s-]/g, '');
    const mobile = latinDigits(values.mobile).replace(/[\s-]/g, '');
    if (!values.start) found.push({ field: 'start', message: t('timeRequired') });
    if (!values.contact) found.push({ field: 'contact', message: t('contactRequired') });
    if (!nid) found.push({ field: 'national_id', message: t('nationalIdRequired') });
    if (!mobile) found.push({ field: 'mobile', message: t('mobileRequired') });
    if (values.where === 'abroad' && !values.country) found.push({ field: 'country', message: t('countryRequired') });
    setErrors(found);
    if (found.length) return;
    setBusy(true);
    const body = { office_id: officeId, service_id: serviceId, start: values.start, contact: values.contact,
      time_zone: timeZone, national_id: nid, mobile, country: values.where === 'abroad' ? values.country : 'IR' };
    try {
      setBooked(await api.bookSession(body, keyFor(body)));
    } catch (e) {
      if (e.status === 401 && features.mobileCheck) {
        onLapsed();
      } else if (e.status === 422 && e.body?.errors?.length) {
        setErrors(e.body.errors.map((f) => ({ field: FIELDS.includes(f.field) ? f.field : null,
          message: lang() === 'fa' ? f.message_fa : f.message })));
      } else {
        setErrors([{ field: null, message: e instanceof NetworkError || !e.message_ ? t('networkError') : e.message_() }]);
      }
    } finally {
      setBusy(false);
    }
  };

  if (booked) {
    return (
      <Page title={t('sessionBookedTitle')}>
        <div class="panel">
          <dl>
            <div><dt>{t('sessionWhen')}</dt><dd>{instantIn(booked.start.at, timeZone)}</dd></div>
            <div><dt>{t('sessionId')}</dt><dd><bdi dir="ltr" class="code" data-testid="session-id">{booked.booking_id}</bdi></dd></div>
            <div><dt>{t('accessCode')}</dt><dd><bdi dir="ltr" class="code">{booked.access_code}</bdi></dd></div>
          </dl>
        </div>
        <p>{t('sessionNext')}</p>
      </Page>
    );
  }

  const errorOf = (field) => errors.find((e) => e.field === field)?.message;
  const radios = (name, legend, options) => (
    <fieldset class={`field${errorOf(name) ? ' field--error' : ''}`}>
      <legend class="label--lead">{legend}</legend>
      {errorOf(name) && <p class="field-error" id={`${name}-error`}>{errorOf(name)}</p>}
      <div class="radios">
        {options.map(([value, label]) => (
          <div class="radio" key={value}>
            <input type="radio" id={`${name}-${value}`} name={name} value={value} checked={values[name] === value}
              onChange={() => set(name)(value)} />
            <label for={`${name}-${value}`}>{label}</label>
          </div>
        ))}
      </div>
    </fieldset>
  );
  return (
    <Page title={t('sessionTitle')} hasErrors={errors.length > 0}
      caption={service && office && `${named(service)} – ${named(office)}`} back="/">
      <ErrorSummary errors={errors} />
      <Failure error={error} />
      <form onSubmit={submit} noValidate>
        <TextField id="date" label={t('sessionDate')} hint={t('timeZoneNote', timeZone)} error={errorOf('date')}
          value={values.date} onInput={set('date')} type="date" dir="ltr" width="10" />
        {day && !day.open && <p>{t('noTimes')}</p>}
        {day && day.open && day.slots.length === 0 && <p>{t('noTimes')}</p>}
        {day && day.slots.length > 0 && radios('start', t('sessionTimes'), day.slots.map((s) => [s.start.at,
          `${instantIn(s.start.at, timeZone)} (${t('tehranTime', instantIn(s.start.at))}) – ${t('freeCounters', num(s.free))}`]))}
        {day && radios('contact', t('contactLabel'), day.contact_modes.map((m) => [m, t(`contact_${m}`)]))}
        {radios('where', t('whereAreYou'), [['IR', t('inIran')], ['abroad', t('abroad')]])}
        {values.where === 'abroad' && (
          <div class={`field${errorOf('country') ? ' field--error' : ''}`}>
            <label for="country">{t('countryLabel')}</label>
            {errorOf('country') && <p class="field-error" id="country-error">{errorOf('country')}</p>}
            <select id="country" class="input input--20" value={values.country}
              aria-describedby={errorOf('country') ? 'country-error' : undefined}
              onChange={(e) => set('country')(e.currentTarget.value)}>
              <option value="">{'—'}</option>
              {ABROAD.map((code) => <option key={code} value={code}>{countryName(code)}</option>)}
            </select>
          </div>
        )}
        {verified ? <VerifiedCitizen verified={verified} change={onLapsed} /> : (
          <>
            <TextField id="national_id" label={t('nationalIdLabel')} hint={t('nationalIdHint')} error={errorOf('national_id')}
              value={values.national_id} onInput={set('national_id')} inputMode="numeric" autoComplete="off" dir="ltr"
              width="10" maxLength={14} />
            <TextField id="mobile" label={t('mobileLabel')} hint={t('mobileHint')} error={errorOf('mobile')}
              value={values.mobile} onInput={set('mobile')} type="tel" inputMode="tel" autoComplete="tel" dir="ltr"
              width="20" maxLength={20} />
          </>
        )}
        <button class="button" type="submit" disabled={busy}>{busy ? t('sending') : t('bookSession')}</button>
      </form>
    </Page>
  );
}
