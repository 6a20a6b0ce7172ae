import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { monthName, named, t, weekdayName, weekdayShort } from '../i18n.js';
import { digits, longDate, num } from '../format.js';
import { addDays, calendarMonths, HORIZON_DAYS, todayInTehran, weeks } from '../days.js';
import { queryParam } from '../router.js';
import { Page } from '../components/Page.jsx';
import { Failure, Loading } from '../components/Status.jsx';

/** An office's days: a Jalali calendar of the booking window, week starting Saturday, the open
 * days as links, holidays marked and named below. */
export function OfficeDays({ officeId, serviceId }) {
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);

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
  return (
    <Page title={t('daysTitle')}
      caption={data && `${change ? `${t('changeCaption')}: ` : ''}${named(data.service)} – ${named(data.office)}`}
      back={change ? `/bookings/${change}` : `/services/${serviceId}/where`}>
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
                      const why = day.holidays.map((h) => named(h)).join('، ') || (day.closure ? t('officeClosure') : t('closedDay'));
                      return (
                        <td key={i} class={`calendar__closed${day.holidays.length ? ' calendar__holiday' : ''}`} title={why}>
                          <span aria-hidden="true">{num(day.jalali.d)}</span>
                          <span class="visually-hidden">{`${label}: ${why}`}</span>
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          ))}
          {!months.some((m) => m.days.some((d) => d.open)) && <p>{t('noOpenDays')}</p>}
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
