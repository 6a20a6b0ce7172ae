import { DataTable } from '../../components/DataTable.jsx';
import { Loading } from '../../components/Status.jsx';
import { t } from '../../i18n.js';
import { ConsolePage, Refusal } from '../ConsolePage.jsx';
import { usePoll } from '../usePoll.js';
import { operatorApi } from './api.js';
import { OPERATOR_ROLES } from './roles.js';

/** The operator's day: the office's bookings of one day. */
export function Today() {
  const day = usePoll(operatorApi.dayPath, {});
  return (
    <ConsolePage title={t('opTodayTitle')} roles={OPERATOR_ROLES}>
      <Refusal problem={day.error} />
      {!day.data && !day.error && <Loading />}
      {day.data && (
        <DataTable caption={t('opTodayTitle')} rows={day.data.items} rowKey={(b) => b.booking_id}
          empty={t('opNoBookings')}
          columns={[{ key: 'booking_id', label: t('opBooking'), render: (b) => <bdi dir="ltr">{b.booking_id}</bdi> },
            { key: 'status', label: t('opStatus') }]} />
      )}
    </ConsolePage>
  );
}
