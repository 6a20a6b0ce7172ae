import { useEffect, useState } from 'preact/hooks';
import { api, ApiProblem } from '../api.js';
import { named, t } from '../i18n.js';
import { longDate, num, timeOf } from '../format.js';
import { features } from '../features.js';
import { holdTime } from '../holding.js';
import { journey } from '../journey.js';
import { citizen } from '../session.js';
import { navigate, queryParam } from '../router.js';
import { ErrorSummary } from '../components/ErrorSummary.jsx';
import { Page } from '../components/Page.jsx';
import { Failure, Loading } from '../components/Status.jsx';

/** Why the hold asked for after the mobile check was refused, said once on coming back here. */
function refusedHold() {
  const refused = journey.get().holdRefused;
  if (!refused) return [];
  journey.update({ holdRefused: null });
  return [{ field: null, message: refused.kind === 'slot-full' ? t('slotTaken') : new ApiProblem(0, refused.body).message_() }];
}

/** The free times of an office on one day; choosing one holds it (POST /v1/holds, which needs the
 * citizen's session: without one, the mobile check comes first) while the citizen fills in the form. */
export function OfficeTimes({ officeId, serviceId, date }) {
  const [day, setDay] = useState(null);
  const [office, setOffice] = useState(null);
  const [chosen, setChosen] = useState(null);
  const [errors, setErrors] = useState(refusedHold);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  // Moving an existing booking: its access code is in memory since the manage page read it.
  const change = queryParam('change');
  const managed = change && journey.managed()?.booking.booking_id === change ? journey.managed() : null;

  const [holidayNames, setHolidayNames] = useState([]);
  const load = () => {
    setDay(null);
    api.slots(officeId, serviceId, date).then((d) => {
      setDay(d);
      // The slots name a holiday in English only; the calendar has its Persian name.
      if (d.holidays.length) api.holidays(date, date).then((h) => setHolidayNames(h.items.map((i) => named(i))), () => {});
    }, setError);
  };
  useEffect(() => {
    load();
    api.office(officeId).then(setOffice, setError);
  }, [officeId, serviceId, date]);

  const submit = async (event) => {
    event.preventDefault();
    const slot = day.slots.find((s) => s.at === chosen);
    if (!slot) {
      setErrors([{ field: `time-${day.slots[0]?.at}`, message: t('timeRequired') }]);
      return;
    }
    setBusy(true);
    if (change) {
      await move(slot);
      return;
    }
    const choice = {
      officeId, serviceId, office: { office_id: office.office_id, name_fa: office.name_fa, name_en: office.name_en },
      slot: { at: slot.at, jalali: slot.jalali },
    };
    if (features.mobileCheck && !citizen.current()) {
      journey.update({ chosen: choice, hold: null, booked: null });
      navigate('/book/mobile-check');
      return;
    }
    try {
      await holdTime(choice);
      navigate('/book/details');
    } catch (e) {
      if (e.kind === 'slot-full') {
        setErrors([{ field: null, message: t('slotTaken') }]);
        load();
      } else if (e.status === 401 && features.mobileCheck) {
        // The session lapsed on the API's side: check the mobile again, then hold.
        journey.update({ chosen: choice, hold: null, booked: null });
        navigate('/book/mobile-check');
      } else {
        setError(e);
      }
    } finally {
      setBusy(false);
    }
  };

  const move = async (slot) => {
    if (!managed) {
      navigate(`/bookings/${change}`);
      return;
    }
    try {
      const moved = await api.reschedule(change, managed.code, slot.at);
      journey.setManaged({ booking: moved, code: managed.code, changed: true });
      navigate(`/bookings/${change}`);
    } catch (e) {
      if (e.kind === 'slot-full') {
        setErrors([{ field: null, message: t('slotTaken') }]);
        load();
      } else {
        setErrors([{ field: null, message: e.message_ ? e.message_() : t('networkError') }]);
      }
    } finally {
      setBusy(false);
    }
  };

  const dayLabel = day && longDate(day.jalali, day.date);
  const fieldError = errors.find((e) => e.field)?.message;
  return (
    <Page title={t('timesTitle')} caption={office && named(office)} hasErrors={errors.length > 0}
      back={`/offices/${officeId}/services/${serviceId}/days${change ? `?change=${encodeURIComponent(change)}` : ''}`}>
      <ErrorSummary errors={errors} />
      <Failure error={error} />
      {!day && !error && <Loading />}
      {day && !day.open && <p>{t('dayClosed', holidayNames.join('، '))}</p>}
      {day && day.open && day.slots.length === 0 && <p>{t('noTimes')}</p>}
      {day && day.open && day.slots.length === 0 && !change && (
        <p><a href={`/waitlist/new?office=${encodeURIComponent(officeId)}&service=${encodeURIComponent(serviceId)}&date=${encodeURIComponent(date)}`}
          data-testid="join-waitlist">{t('waitLink')}</a></p>
      )}
      {day && day.slots.length > 0 && (
        <form onSubmit={submit} noValidate>
          <fieldset class={`field${fieldError ? ' field--error' : ''}`} aria-describedby={fieldError ? 'time-error' : undefined}>
            <legend class="label--lead">{t('timesOn', dayLabel)}</legend>
            {fieldError && <p class="field-error" id="time-error">{fieldError}</p>}
            <div class="times">
              {day.slots.map((s) => (
                <div class="time" key={s.at}>
                  <input type="radio" name="time" id={`time-${s.at}`} value={s.at} checked={chosen === s.at}
                    onChange={() => setChosen(s.at)} />
                  <label for={`time-${s.at}`}>
                    <span class="time__at">{timeOf(s)}</span>
                    <span class="time__free">{t('freeCounters', num(s.free))}</span>
                  </label>
                </div>
              ))}
            </div>
          </fieldset>
          <button class="button" type="submit" disabled={busy}>{change ? t('moveHere') : t('holdAndContinue')}</button>
        </form>
      )}
    </Page>
  );
}
