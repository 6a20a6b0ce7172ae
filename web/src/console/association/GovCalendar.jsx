// Calendar corrections: close or open a day for the whole network. Closing shows, before anything
// changes, the bookings the closure would cancel (the API's closure preview); the administrator then
// confirms, and the API cancels them, one SMS each.
import { useEffect, useState } from 'preact/hooks';
import { ErrorSummary } from '../../components/ErrorSummary.jsx';
import { Loading } from '../../components/Status.jsx';
import { TextField } from '../../components/TextField.jsx';
import { digits, longDate, num, timeOf } from '../../format.js';
import { named, t } from '../../i18n.js';
import { ConsolePage, Refusal } from '../ConsolePage.jsx';
import { ADMIN } from './govRoles.js';
import { byOffice, jalaliDay } from './governance.js';
import { governance } from './governanceApi.js';
import './governance.css';

const EMPTY = { year: '', month: '', day: '', action: '', name_fa: '', name_en: '' };

function DayForm({ values, setValues, onContinue, busy }) {
  const [errors, setErrors] = useState([]);
  const set = (k) => (v) => setValues({ ...values, [k]: v });
  const err = (f) => errors.find((e) => e.field === f)?.message;
  const submit = (ev) => {
    ev.preventDefault();
    const found = [];
    const day = jalaliDay(values.year, values.month, values.day);
    if (!day) found.push({ field: 'day-year', message: t('assocGovDayInvalid') });
    if (!values.action) found.push({ field: 'action-close', message: t('assocGovActionMissing') });
    setErrors(found);
    if (!found.length) onContinue(day);
  };
  return (
    <form onSubmit={submit} noValidate class="gov-form">
      <ErrorSummary errors={errors} />
      <fieldset class={`field${err('day-year') ? ' field--error' : ''}`} aria-describedby="day-hint">
        <legend class="label--lead">{t('assocGovDay')}</legend>
        <p class="hint" id="day-hint">{t('assocGovDayHint')}</p>
        {err('day-year') && <p class="field-error">{err('day-year')}</p>}
        <div class="gov-date">
          <TextField id="day-day" label={t('assocGovDayDay')} inputMode="numeric" width="date2" maxLength={2}
            value={values.day} onInput={set('day')} />
          <TextField id="day-month" label={t('assocGovDayMonth')} inputMode="numeric" width="date2" maxLength={2}
            value={values.month} onInput={set('month')} />
          <TextField id="day-year" label={t('assocGovDayYear')} inputMode="numeric" width="date4" maxLength={4}
            value={values.year} onInput={set('year')} />
        </div>
      </fieldset>
      <fieldset class={`field${err('action-close') ? ' field--error' : ''}`}>
        <legend class="label--lead">{t('assocGovAction')}</legend>
        {err('action-close') && <p class="field-error">{err('action-close')}</p>}
        <div class="radios">
          {[['close', t('assocGovActionClose')], ['open', t('assocGovActionOpen')]].map(([value, label]) => (
            <div class="radio" key={value}>
              <input type="radio" id={`action-${value}`} name="action" value={value} checked={values.action === value}
                onChange={() => set('action')(value)} />
              <label for={`action-${value}`}>{label}</label>
            </div>
          ))}
        </div>
      </fieldset>
      <TextField id="name-fa" label={t('assocGovDayNameFa')} hint={t('assocGovDayNameHint')} maxLength={80}
        value={values.name_fa} onInput={set('name_fa')} />
      <TextField id="name-en" label={t('assocGovDayNameEn')} dir="ltr" maxLength={80}
        value={values.name_en} onInput={set('name_en')} />
      <button type="submit" class="button" disabled={busy}>{t('continue')}</button>
    </form>
  );
}

/** What the closure would cancel, office by office, by time. */
function Affected({ preview }) {
  if (!preview.bookings_to_cancel) return <p class="notice" id="affected-none">{t('assocGovNoneAffected')}</p>;
  return (
    <>
      <dl class="counts" id="affected-counts">
        <div><dt>{t('assocGovAffectedBookings')}</dt><dd>{num(preview.bookings_to_cancel)}</dd></div>
        <div><dt>{t('assocGovAffectedOffices')}</dt><dd>{num(preview.offices)}</dd></div>
      </dl>
      {preview.truncated && <p class="notice notice--warning">{t('assocGovAffectedTruncated', num(preview.items.length))}</p>}
      {byOffice(preview.items).map((g) => (
        <div class="data-table-wrap" key={g.office_id}>
          <table class="data-table affected">
            <caption>
              <bdi>{named(g.office, 'office_name')}</bdi> (<bdi dir="ltr">{g.office_id}</bdi>){' — '}
              {t('assocGovBookingsCount', num(g.bookings.length))}
            </caption>
            <thead>
              <tr>
                <th scope="col">{t('assocGovBookingTime')}</th>
                <th scope="col">{t('assocGovBookingId')}</th>
                <th scope="col">{t('assocGovBookingService')}</th>
                <th scope="col">{t('assocGovBookingCitizen')}</th>
              </tr>
            </thead>
            <tbody>
              {g.bookings.map((b) => (
                <tr key={b.booking_id} data-booking={b.booking_id}>
                  <th scope="row">{timeOf(b.start)}</th>
                  <td><bdi dir="ltr">{b.booking_id}</bdi></td>
                  <td>{named(b, 'service_name')}{b.kind === 'session' ? ` (${t('assocGovSession')})` : ''}</td>
                  <td><bdi dir="ltr">{digits(b.national_id_masked)}</bdi></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </>
  );
}

export function GovCalendar() {
  const [values, setValues] = useState(EMPTY);
  const [step, setStep] = useState('form'); // form -> check -> done
  const [day, setDay] = useState(null);
  const [preview, setPreview] = useState(null);
  const [result, setResult] = useState(null);
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  const [closedDays, setClosedDays] = useState(null);

  const loadClosedDays = () => governance.holidays().then((r) => setClosedDays(r.items)).catch(() => setClosedDays([]));
  useEffect(() => { loadClosedDays(); }, []);

  const check = async (chosen) => {
    setProblem(null);
    setDay(chosen);
    if (values.action === 'open') {
      setPreview(null);
      setStep('check');
      return;
    }
    setBusy(true);
    try {
      setPreview(await governance.closurePreview(chosen));
      setStep('check');
    } catch (e) {
      setProblem(e);
    } finally {
      setBusy(false);
    }
  };
  const confirmIt = async () => {
    setBusy(true);
    setProblem(null);
    try {
      const body = { closed: values.action === 'close', name_fa: values.name_fa.trim(), name_en: values.name_en.trim() };
      setResult(await governance.correctDay(day, body));
      setStep('done');
      loadClosedDays();
    } catch (e) {
      setProblem(e);
    } finally {
      setBusy(false);
    }
  };
  const restart = () => {
    setValues(EMPTY);
    setPreview(null);
    setResult(null);
    setStep('form');
  };

  const closing = values.action === 'close';
  const title = step === 'check' ? t(closing ? 'assocGovCheckCloseTitle' : 'assocGovCheckOpenTitle')
    : step === 'done' ? t('assocGovDoneTitle') : t('assocGovCalendarTitle');
  return (
    <ConsolePage title={title} roles={ADMIN}>
      <Refusal problem={problem} />
      {step === 'form' && (
        <div class="gov-columns">
          <div>
            <p>{t('assocGovCalendarIntro')}</p>
            <DayForm values={values} setValues={setValues} onContinue={check} busy={busy} />
          </div>
          <section aria-labelledby="closed-days-title">
            <h2 id="closed-days-title">{t('assocGovClosedDays')}</h2>
            {closedDays === null ? <Loading /> : (
              <ul class="plain-list" id="closed-days">
                {closedDays.slice(0, 12).map((h) => (
                  <li key={h.date}>{longDate(h.jalali, h.date)}: {named(h)}</li>
                ))}
              </ul>
            )}
          </section>
        </div>
      )}
      {step === 'check' && (
        <>
          <p class="caption" id="check-day">{preview ? longDate(preview.jalali, preview.date) : digits(day)}</p>
          {closing ? (
            <>
              <p>{t('assocGovCloseExplain')}</p>
              {preview.closed && <p class="notice">{t('assocGovAlreadyClosed')}</p>}
              <Affected preview={preview} />
            </>
          ) : <p>{t('assocGovOpenExplain')}</p>}
          <div class="actions">
            <button type="button" class={`button${closing ? ' button--warning' : ''}`} id="confirm" disabled={busy}
              onClick={confirmIt}>
              {closing ? t('assocGovConfirmClose', num(preview.bookings_to_cancel)) : t('assocGovConfirmOpen')}
            </button>
            <button type="button" class="button button--secondary" onClick={() => setStep('form')}>{t('assocGovChange')}</button>
          </div>
        </>
      )}
      {step === 'done' && result && (
        <>
          <div class="panel" role="status" id="correction-done">
            <p class="panel__title">
              {result.closed ? t('assocGovDayClosed', longDate(result.jalali, result.date))
                : t('assocGovDayOpened', longDate(result.jalali, result.date))}
            </p>
            {result.closed && <p>{t('assocGovCancelledCount', num(result.bookings_cancelled))}</p>}
          </div>
          {result.cancellation_pending && <p class="notice notice--warning">{t('assocGovCancellationPending')}</p>}
          <p><button type="button" class="link-button" onClick={restart}>{t('assocGovAnotherDay')}</button></p>
        </>
      )}
      {busy && <p class="loading" role="status">{t('loading')}</p>}
    </ConsolePage>
  );
}
