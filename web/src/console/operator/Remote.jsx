import { useState } from 'preact/hooks';
import { DataTable } from '../../components/DataTable.jsx';
import { ErrorSummary } from '../../components/ErrorSummary.jsx';
import { Loading } from '../../components/Status.jsx';
import { TextField } from '../../components/TextField.jsx';
import { latinDigits, longInstant } from '../../format.js';
import { named, t } from '../../i18n.js';
import { navigate } from '../../router.js';
import { ConsolePage, Refusal } from '../ConsolePage.jsx';
import { usePoll } from '../usePoll.js';
import { operatorApi } from './api.js';
import { Counts, Id } from './parts.jsx';
import { OPERATOR_ROLES } from './roles.js';

/** The office's remote work: its open remote counters (open or close them), "take the next
 * request" from the queue, and the requests the office holds; polled (ETag). */
export function Remote() {
  const work = usePoll(operatorApi.workPath, {});
  const counters = usePoll(operatorApi.countersPath, {});
  const [open, setOpen] = useState('');
  const [errors, setErrors] = useState([]);
  const [problem, setProblem] = useState(null);
  const [notice, setNotice] = useState(null);
  const [busy, setBusy] = useState(false);

  const takeNext = async () => {
    setProblem(null);
    setNotice(null);
    setBusy(true);
    try {
      const claimed = await operatorApi.pullNext();
      if (claimed) navigate(`/console/office/requests/${encodeURIComponent(claimed.tracking_code)}`);
      else setNotice(t('opQueueEmpty'));
    } catch (err) {
      setProblem(err);
    } finally {
      setBusy(false);
      work.refresh();
      counters.refresh();
    }
  };
  const setCounters = async (event) => {
    event.preventDefault();
    const n = Number(latinDigits(open.trim()));
    if (!open.trim() || !Number.isInteger(n) || n < 0 || n > 50) {
      setErrors([{ field: 'open_counters', message: t('opOpenCountersMissing') }]);
      return;
    }
    setErrors([]);
    setProblem(null);
    try {
      await operatorApi.setCounters(n);
      setNotice(t('opCountersSet'));
      setOpen('');
    } catch (err) {
      if (err.status === 422) setErrors([{ field: 'open_counters', message: err.message_() }]);
      else setProblem(err);
    }
    counters.refresh();
  };

  const error = errors.find((e) => e.field === 'open_counters')?.message;
  return (
    <ConsolePage title={t('opRemoteTitle')} roles={OPERATOR_ROLES} hasErrors={errors.length > 0}>
      <ErrorSummary errors={errors} />
      <Refusal problem={problem || work.error || counters.error} />
      {notice && <div class="notice" role="status">{notice}</div>}
      {counters.data && (
        <Counts label={t('opRemoteCounts')} items={[
          { key: 'open', label: t('opOpenCounters'), value: counters.data.open },
          { key: 'busy', label: t('opBusyCounters'), value: counters.data.busy, live: true },
          { key: 'held', label: t('opHeldRequests'), value: work.data?.items.length },
        ]} />
      )}
      <div class="actions">
        <button type="button" class="button" id="take-next" disabled={busy} onClick={takeNext}>{t('opTakeNext')}</button>
      </div>
      <form class="inline-form" onSubmit={setCounters} noValidate>
        <TextField id="open_counters" label={t('opOpenCountersLabel')} hint={t('opOpenCountersHint')} error={error}
          value={open} onInput={setOpen} inputMode="numeric" width="10" maxLength={2} />
        <div class="actions"><button type="submit" class="button button--secondary">{t('opSetCounters')}</button></div>
      </form>
      {!work.data && !work.error && <Loading />}
      {work.data && (
        <DataTable id="work-list" caption={t('opWorkListTitle')} rows={work.data.items} rowKey={(r) => r.tracking_code}
          empty={t('opWorkListEmpty')} columns={[
            { key: 'code', label: t('opTrackingCode'), render: (r) => (
              <a href={`/console/office/requests/${encodeURIComponent(r.tracking_code)}`}><Id>{r.tracking_code}</Id></a>) },
            { key: 'service', label: t('opService'), render: (r) => named(r.service) },
            { key: 'status', label: t('opStatus'), render: (r) => t('opRequestStatus', r.status) },
            { key: 'due', label: t('opSlaDeadline'), render: (r) => longInstant(r.accept_by || r.sla_deadline) },
          ]} />
      )}
    </ConsolePage>
  );
}
