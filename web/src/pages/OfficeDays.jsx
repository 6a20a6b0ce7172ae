import { useEffect, useState } from 'preact/hooks';
import { ErrorSummary } from '../components/ErrorSummary.jsx';
import { api } from '../api.js';
import { monthName, named, t, weekdayName, weekdayShort } from '../i18n.js';
import { digits, latinDigits, longDate, num } from '../format.js';
import { addDays, calendarMonths, HORIZON_DAYS, todayInTehran, weeks } from '../days.js';
import { navigate, queryParam } from '../router.js';
import { Page } from '../components/Page.jsx';
import { Failure, Loading } from '../components/Status.jsx';

/** An office's days: a Jalali calendar of the booking window, week starting Saturday, the open
 * days as links, holidays marked and named below. */
export function OfficeDays({ officeId, serviceId }) {
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const [typed, setTyped] = useState({ d: '', m: '', y: '' });
  const [errors, setErrors] = useState([]);

  useEffect(() => {
    const today = todayInTehran();
    Promise.all([api.office(officeId), api.holidays(addDays(today, 1), addDays(today, HORIZON_DAYS)),
      api.service(serviceId)])
      .then(([office, holidays, service]) => setData({ office, holidays: holidays.items, service }), setError);
  }, [officeId, serviceId]);

  const base = `/offices/${officeId}/services/${serviceId}/days`;
  // Moving an existing booking (from the manage page) rather than making a new one.
  const change = queryParam('change');
  const suffix = change ? `?change=${encodeURIComponent(change)}` : '';
  const months = data && calendarMonths(data.office, data.holidays);
  const why = (day) => day.holidays.map((h) => named(h)).join('، ') || (day.closure ? t('officeClosure') : t('closedDay'));

  // The same choice typed as day / month / year (keyboard and screen-reader friendly): found in the
  // window's own days, so the browser needs no calendar conversion of its own.
  const submitTyped = (event) => {
    event.preventDefault();
    const [d, m, y] = [typed.d, typed.m, typed.y].map((v) => parseInt(latinDigits(v).trim(), 10));
    if (!d || !m || !y) {
      setErrors([{ field: 'date-day', message: t('dateRequired') }]);
      return;
    }
    const day = months.flatMap((mo) => mo.days).find((x) => x.jalali.d === d && x.jalali.m === m && x.jalali.y === y);
    if (!day) setErrors([{ field: 'date-day', message: t('dateOutside') }]);
    else if (!day.open) setErrors([{ field: 'date-day', message: t('dateClosed', why(day)) }]);
    else navigate(`${base}/${day.iso}${suffix}`);
  };
  const dateError = errors[0]?.message;
  return (
    <Page title={t('daysTitle')} hasErrors={errors.length > 0}
      caption={data && `${change ? `${t('changeCaption')}: ` : ''}${named(data.service)} – ${named(data.office)}`}
      back={change ? `/bookings/${change}` : `/services/${serviceId}/where`}>
      <ErrorSummary errors={errors} />
      <p class="hint">{t('daysHint')}</p>
      <Failure error={error} />
      {!data && !error && <Loading />}
      {months && (
        <>
          {months.map((month) => (
            <table class="calendar" key={`${month.y}-${month.m}`}>
              <caption>{monthName(month.m)} {digits(month.y)}</caption>
              <thead>
                <tr>{[0, 1, 2, 3, 4, 5, 6].map((i) => <th scope="col" key={i} abbr={weekdayName(i)}>{weekdayShort(i)}</th>)}</tr>
              </thead>
              <tbody>
                {weeks(month).map((week, w) => (
                  <tr key={w}>
                    {week.map((day, i) => {
                      if (!day) return <td key={i} />;
                      const label = longDate(day.jalali, day.iso);
                      if (day.open) {
                        return (
                          <td key={i} class="calendar__open">
                            <a href={`${base}/${day.iso}${suffix}`} aria-label={t('dayLink', label)}>{num(day.jalali.d)}</a>
                          </td>
                        );
                      }
                      return (
                        <td key={i} class={`calendar__closed${day.holidays.length ? ' calendar__holiday' : ''}`} title={why(day)}>
                          <span aria-hidden="true">{num(day.jalali.d)}</span>
                          <span class="visually-hidden">{`${label}: ${why(day)}`}</span>
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          ))}
          {!months.some((m) => m.days.some((d) => d.open)) && <p>{t('noOpenDays')}</p>}
          <form class="date-input" onSubmit={submitTyped} noValidate>
            <fieldset class={`field${dateError ? ' field--error' : ''}`} aria-describedby={`date-hint${dateError ? ' date-error' : ''}`}>
              <legend class="label--lead">{t('typeDate')}</legend>
              <p class="hint" id="date-hint">{t('typeDateHint')}</p>
              {dateError && <p class="field-error" id="date-error">{dateError}</p>}
              <div class="date-input__row">
                {[['d', 'date-day', t('dayField'), 2], ['m', 'date-month', t('monthField'), 2], ['y', 'date-year', t('yearField'), 4]]
                  .map(([key, id, label, size]) => (
                    <div class="date-input__item" key={key}>
                      <label for={id}>{label}</label>
                      <input id={id} class={`input input--date${size}`} inputMode="numeric" dir="ltr" maxLength={size}
                        value={typed[key]} aria-invalid={dateError ? 'true' : undefined}
                        onInput={(e) => setTyped({ ...typed, [key]: e.currentTarget.value })} />
                    </div>
                  ))}
              </div>
            </fieldset>
            <button class="button button--secondary" type="submit">{t('showTimes')}</button>
          </form>
          {data.holidays.length > 0 && (
            <section aria-labelledby="holidays-title">
              <h2 id="holidays-title">{t('holidaysTitle')}</h2>
              <ul class="holidays">
                {data.holidays.map((h) => <li key={h.date}>{longDate(h.jalali, h.date)}: {named(h)}</li>)}
              </ul>
            </section>
          )}
        </>
      )}
    </Page>
  );
}
