import { useState } from 'preact/hooks';
import { DataTable } from '../../components/DataTable.jsx';
import { Loading } from '../../components/Status.jsx';
import { longDate } from '../../format.js';
import { named, t } from '../../i18n.js';
import { ConsolePage, Refusal } from '../ConsolePage.jsx';
import { usePoll } from '../usePoll.js';
import { operatorApi } from './api.js';
import { Counts, Id, at } from './parts.jsx';
import { OPERATOR_ROLES } from './roles.js';

const count = (items, status) => items.filter((b) => b.status === status).length;

/** The operator's day: who is due, checked in, waiting at the desk and served, with the day's
 * actions; the list and the desk's line are polled (ETag), so it stays current without reloading. */
export function Today() {
  const day = usePoll(operatorApi.dayPath, {});
  const desk = usePoll(operatorApi.deskPath, {});
  const [problem, setProblem] = useState(null);
  const [done, setDone] = useState(null);
  const items = day.data?.items || [];

  const act = async (booking, action) => {
    setProblem(null);
    setDone(null);
    try {
      const after = await (action === 'complete' ? operatorApi.complete(booking.booking_id)
        : operatorApi.noShow(booking.booking_id));
      setDone(t('opDoneBooking', after.booking_id, t('opBookingStatus', after.status)));
      day.refresh();
      desk.refresh();
    } catch (err) {
      setProblem(err);
    }
  };

  const ticketOf = (b) => desk.data?.items.find((x) => x.booking_id === b.booking_id);
  const actions = (b) => (
    <div class="actions">
      {b.status === 'BOOKED' && <a class="button" href={`/console/office/bookings/${encodeURIComponent(b.booking_id)}`}
        aria-label={t('opCheckInWho', b.booking_id)}>{t('opCheckIn')}</a>}
      {b.status === 'BOOKED' && <button type="button" class="button button--secondary"
        aria-label={t('opNoShowWho', b.booking_id)} onClick={() => act(b, 'no-show')}>{t('opNoShow')}</button>}
      {b.status === 'CHECKED_IN' && <button type="button" class="button" aria-label={t('opCompleteWho', b.booking_id)}
        onClick={() => act(b, 'complete')}>{t('opComplete')}</button>}
    </div>
  );
  const columns = [
    { key: 'start', label: t('opTime'), render: (b) => at(b.start) },
    { key: 'booking_id', label: t('opBooking'), render: (b) => <Id>{b.booking_id}</Id> },
    { key: 'service', label: t('opService'), render: (b) => named(b.service) },
    { key: 'national_id', label: t('opCitizen'), render: (b) => <Id>{b.national_id}</Id> },
    { key: 'status', label: t('opStatus'), render: (b) => {
      const ticket = ticketOf(b);
      return <>{t('opBookingStatus', b.status)}{ticket && <> — <Id>{ticket.label}</Id></>}</>;
    } },
    { key: 'actions', label: t('opActions'), render: actions },
  ];
  const groups = [
    ['due', t('opDue'), items.filter((b) => b.status === 'BOOKED')],
    ['checked-in', t('opCheckedIn'), items.filter((b) => b.status === 'CHECKED_IN')],
    ['served', t('opServed'), items.filter((b) => b.status === 'COMPLETED')],
    ['closed', t('opClosed'), items.filter((b) => !['BOOKED', 'CHECKED_IN', 'COMPLETED'].includes(b.status))],
  ];
  return (
    <ConsolePage title={t('opTodayTitle')} roles={OPERATOR_ROLES}
      caption={day.data ? longDate(day.data.jalali, day.data.date) : null}>
      <Refusal problem={day.error || problem} />
      {done && <div class="notice" role="status">{done}</div>}
      {!day.data && !day.error && <Loading />}
      {day.data && (
        <>
          <Counts label={t('opTodayCounts')} items={[
            { key: 'due', label: t('opDue'), value: count(items, 'BOOKED') },
            { key: 'checked-in', label: t('opCheckedIn'), value: count(items, 'CHECKED_IN') },
            { key: 'waiting', label: t('opWaitingNow'), value: desk.data?.waiting, live: true },
            { key: 'served', label: t('opServed'), value: count(items, 'COMPLETED') },
          ]} />
          {groups.map(([key, caption, rows]) => (
            <DataTable key={key} id={`day-${key}`} caption={caption} rows={rows} rowKey={(b) => b.booking_id}
              empty={t('opNoneHere')} columns={key === 'closed' || key === 'served'
                ? columns.filter((c) => c.key !== 'actions') : columns} />
          ))}
        </>
      )}
    </ConsolePage>
  );
}
