// The office's weekly opening hours and its closed days. Closing a day cancels its bookings (one
// SMS each), so the page shows how many first and asks to confirm.
import { useState } from 'preact/hooks';
import { t, weekdayName } from '../../i18n.js';
import { latinDigits, longDate, num } from '../../format.js';
import { ErrorSummary } from '../../components/ErrorSummary.jsx';
import { TextField } from '../../components/TextField.jsx';
import { Loading } from '../../components/Status.jsx';
import { staff } from '../../staff.js';
import { ConsolePage, Refusal } from '../ConsolePage.jsx';
import { managerApi } from './api.js';
import { WEEKDAYS, cancelledByClosure, intervalsText, parseWeek } from './model.js';
import { useLoad } from './useLoad.js';

const MANAGER = ['office-manager'];
const A_DAY = /^\d{4}[-/]\d{1,2}[-/]\d{1,2}$/; // Jalali or ISO; the API reads both

function WeekForm({ hours, onSaved }) {
  const [texts, setTexts] = useState(() => Object.fromEntries(WEEKDAYS.map((d) => [d, intervalsText(hours[d])])));
  const [errors, setErrors] = useState([]);
  const [problem, setProblem] = useState(null);
  const [done, setDone] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setDone(false);
    setProblem(null);
    const parsed = parseWeek(texts);
    if (parsed.errors) {
      setErrors(Object.entries(parsed.errors).map(([day, reason]) => ({
        field: `hours-${day}`, message: t('mgrHoursError', weekdayName(WEEKDAYS.indexOf(day)), t('mgrHoursReasons')[reason]),
      })));
      return;
    }
    setErrors([]);
    try {
      onSaved(await managerApi.setHours(parsed.hours));
      setDone(true);
    } catch (err) {
      setProblem(err);
    }
  };
  const errorOf = (day) => errors.find((x) => x.field === `hours-${day}`)?.message;
  return (
    <form onSubmit={submit} noValidate aria-labelledby="week-title">
      <h2 id="week-title">{t('mgrWeekTitle')}</h2>
      <ErrorSummary errors={errors} />
      <p class="hint">{t('mgrWeekHint')}</p>
      <div class="week-grid">
        {WEEKDAYS.map((day, i) => day !== 'fri' && (
          <TextField key={day} id={`hours-${day}`} label={weekdayName(i)} value={texts[day]} dir="ltr" width="20"
            error={errorOf(day)} onInput={(v) => setTexts({ ...texts, [day]: v })} />
        ))}
      </div>
      <Refusal problem={problem} />
      <div aria-live="polite">{done && <p class="notice">{t('mgrHoursSaved')}</p>}</div>
      <button type="submit" class="button">{t('mgrSaveHours')}</button>
    </form>
  );
}

function CloseDay({ onClosed }) {
  const [day, setDay] = useState('');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState([]);
  const [preview, setPreview] = useState(null);
  const [problem, setProblem] = useState(null);
  const check = async (e) => {
    e.preventDefault();
    setProblem(null);
    const iso = latinDigits(day).trim();
    const found = [];
    if (!A_DAY.test(iso)) found.push({ field: 'close-day', message: t('mgrCloseDayError') });
    if (!reason.trim()) found.push({ field: 'close-reason', message: t('mgrCloseReasonError') });
    setErrors(found);
    if (found.length) return;
    try {
      // The day's list names the day in both calendars: the closure goes by its ISO date.
      const list = await managerApi.dayBookings(iso);
      setPreview({ iso: list.date, jalali: list.jalali, cancelled: cancelledByClosure(list) });
    } catch (err) {
      setProblem(err);
    }
  };
  const confirm = async () => {
    try {
      const result = await managerApi.closeDay(preview.iso, { name_fa: reason.trim() });
      setPreview(null);
      setDay('');
      setReason('');
      onClosed(result);
    } catch (err) {
      setProblem(err);
    }
  };
  const errorOf = (f) => errors.find((x) => x.field === f)?.message;
  return (
    <section aria-labelledby="close-title">
      <h2 id="close-title">{t('mgrCloseTitle')}</h2>
      <ErrorSummary errors={errors} />
      {!preview ? (
        <form onSubmit={check} noValidate class="inline-form">
          <TextField id="close-day" label={t('mgrCloseDay')} hint={t('mgrCloseDayHint')} value={day} dir="ltr" width="11"
            error={errorOf('close-day')} onInput={setDay} />
          <TextField id="close-reason" label={t('mgrCloseReason')} value={reason} width="20" maxLength={80}
            error={errorOf('close-reason')} onInput={setReason} />
          <button type="submit" class="button button--secondary">{t('mgrCloseCheck')}</button>
        </form>
      ) : (
        <div class="close-confirm" role="group" aria-labelledby="close-confirm">
          <p id="close-confirm" class="notice notice--warning" data-testid="closure-preview">
            {t('mgrCloseWillCancel', longDate(preview.jalali, preview.iso), num(preview.cancelled))}
          </p>
          <div class="actions">
            <button type="button" class="button button--warning" onClick={confirm}>{t('mgrCloseConfirm')}</button>
            <button type="button" class="link-button" onClick={() => setPreview(null)}>{t('mgrCloseCancel')}</button>
          </div>
        </div>
      )}
      <Refusal problem={problem} />
    </section>
  );
}

export function ManagerHours() {
  const officeId = staff.current()?.office_id;
  const hours = useLoad(() => managerApi.hours());
  const office = useLoad(() => managerApi.office(officeId), [officeId]);
  const [closed, setClosed] = useState(null);
  const [problem, setProblem] = useState(null);
  const closures = office.data?.closures || [];
  const reopen = async (day) => {
    setProblem(null);
    try {
      await managerApi.reopenDay(day);
      office.set({ ...office.data, closures: closures.filter((c) => c.date !== day) });
    } catch (err) {
      setProblem(err);
    }
  };
  const onClosed = (result) => {
    setClosed(result);
    const rest = closures.filter((c) => c.date !== result.date);
    office.set({ ...office.data, closures: [...rest, result].sort((a, b) => a.date.localeCompare(b.date)) });
  };
  return (
    <ConsolePage title={t('mgrHoursTitle')} roles={MANAGER}>
      {hours.loading && !hours.data && <Loading />}
      <Refusal problem={hours.error} />
      {hours.data && <WeekForm hours={hours.data.hours} onSaved={hours.set} />}
      <section aria-labelledby="closures-title">
        <h2 id="closures-title">{t('mgrClosuresTitle')}</h2>
        <Refusal problem={office.error || problem} />
        <div aria-live="polite">
          {closed && <p class="notice" data-testid="closed">{t('mgrClosedDone', longDate(closed.jalali, closed.date),
            num(closed.bookings_cancelled))}</p>}
        </div>
        {office.data && (closures.length ? (
          <div class="data-table-wrap">
            <table class="data-table" id="closures">
              <caption>{t('mgrClosuresCaption', num(closures.length))}</caption>
              <thead><tr>
                <th scope="col">{t('mgrColDay')}</th><th scope="col">{t('mgrColReason')}</th>
                <th scope="col"><span class="visually-hidden">{t('mgrColAction')}</span></th>
              </tr></thead>
              <tbody>
                {closures.map((c) => (
                  <tr key={c.date}>
                    <th scope="row">{longDate(c.jalali, c.date)}</th>
                    <td>{c.name_fa}</td>
                    <td>
                      <button type="button" class="link-button" onClick={() => reopen(c.date)}>
                        {t('mgrReopen')}<span class="visually-hidden">{`: ${longDate(c.jalali, c.date)}`}</span>
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : <p class="muted">{t('mgrNoClosures')}</p>)}
        <CloseDay onClosed={onClosed} />
      </section>
    </ConsolePage>
  );
}
