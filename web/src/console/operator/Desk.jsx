import { useEffect, useState } from 'preact/hooks';
import { DataTable } from '../../components/DataTable.jsx';
import { ErrorSummary } from '../../components/ErrorSummary.jsx';
import { SelectField } from '../../components/SelectField.jsx';
import { Loading } from '../../components/Status.jsx';
import { TextField } from '../../components/TextField.jsx';
import { digits, latinDigits } from '../../format.js';
import { named, t } from '../../i18n.js';
import { staff } from '../../staff.js';
import { ConsolePage, Refusal } from '../ConsolePage.jsx';
import { usePoll } from '../usePoll.js';
import { operatorApi } from './api.js';
import { Counts, Id, at, minutes } from './parts.jsx';
import { OPERATOR_ROLES } from './roles.js';

// The counter this tab serves at, kept for the shift (this tab only).
const COUNTER_KEY = 'ejso.counter';
const savedCounter = () => { try { return sessionStorage.getItem(COUNTER_KEY) || '1'; } catch { return '1'; } };

/** The front desk: walk-in tickets, "call next" at the operator's counter, serve / not present /
 * recall, close the counter; the line and its numbers polled (ETag) so they stay current. */
export function Desk() {
  const desk = usePoll(operatorApi.deskPath, {}, 4000);
  const [counter, setCounter] = useState(savedCounter());
  const [services, setServices] = useState([]);
  const [service, setService] = useState('');
  const [nationalId, setNationalId] = useState('');
  const [errors, setErrors] = useState([]);
  const [problem, setProblem] = useState(null);
  const [issued, setIssued] = useState(null);
  const [called, setCalled] = useState(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const office = staff.current()?.office_id;
    if (office) operatorApi.walkInServices(office).then(setServices, setProblem);
  }, []);

  const number = Number(latinDigits(counter));
  const validCounter = Number.isInteger(number) && number >= 1 && number <= 99;
  const atMine = desk.data?.counters.find((c) => c.counter === number)?.ticket || null;

  const run = async (fn) => {
    setProblem(null);
    setBusy(true);
    try {
      await fn();
    } catch (err) {
      setProblem(err);
    } finally {
      setBusy(false);
      desk.refresh();
    }
  };
  const deskAction = (action) => {
    if (!validCounter) {
      setErrors([{ field: 'counter', message: t('opCounterMissing') }]);
      return;
    }
    setErrors([]);
    try { sessionStorage.setItem(COUNTER_KEY, String(number)); } catch { /* memory only */ }
    run(async () => {
      const answer = await operatorApi.desk(action, number, action === 'next' || action === 'close' ? null : atMine?.number);
      if (action === 'next') setCalled(answer.ticket ? answer.ticket : { none: true });
      else setCalled(null);
    });
  };
  const issue = (event) => {
    event.preventDefault();
    const missing = [];
    if (!service) missing.push({ field: 'service', message: t('opServiceMissing') });
    if (nationalId.trim() && !/^[0-9۰-۹]{10}$/.test(nationalId.trim())) {
      missing.push({ field: 'walk_in_national_id', message: t('opNationalIdMissing') });
    }
    setErrors(missing);
    if (missing.length) return;
    run(async () => {
      setIssued(await operatorApi.issueTicket(service, nationalId.trim() || null));
      setNationalId('');
    });
  };

  const waiting = (desk.data?.items || []).filter((x) => x.status === 'WAITING')
    .sort((a, b) => (a.position ?? 999) - (b.position ?? 999));
  const error = (field) => errors.find((e) => e.field === field)?.message;
  const byCategory = {};
  for (const s of services) (byCategory[s.category] ||= []).push({ value: s.service_id, text: named(s) });
  return (
    <ConsolePage title={t('opDeskTitle')} roles={OPERATOR_ROLES} hasErrors={errors.length > 0}>
      <ErrorSummary errors={errors} />
      <Refusal problem={problem || desk.error} />
      {!desk.data && !desk.error && <Loading />}
      {desk.data && (
        <Counts label={t('opDeskCounts')} items={[
          { key: 'waiting', label: t('opWaitingNow'), value: desk.data.waiting, live: true },
          { key: 'serving', label: t('opServing'), value: desk.data.serving },
          { key: 'served', label: t('opServed'), value: desk.data.served },
          { key: 'not-present', label: t('opNotPresentCount'), value: desk.data.not_present },
        ]} />
      )}
      {desk.data?.wait_estimate_min != null && <p class="muted">{t('opWaitEstimate', minutes(desk.data.wait_estimate_min))}</p>}
      <div class="console-grid">
        <section aria-labelledby="my-counter">
          <h2 id="my-counter">{t('opMyCounter')}</h2>
          <TextField id="counter" label={t('opCounterLabel')} error={error('counter')} value={counter} onInput={setCounter}
            inputMode="numeric" width="10" maxLength={2} />
          <div class="actions">
            <button type="button" class="button" id="call-next" disabled={busy} onClick={() => deskAction('next')}>
              {t('opCallNext')}</button>
            <button type="button" class="button button--secondary" disabled={busy} onClick={() => deskAction('close')}>
              {t('opCloseCounter')}</button>
          </div>
          {called?.none && <div class="notice" role="status">{t('opNobodyWaits')}</div>}
          {atMine ? (
            <div class="notice" role="status" id="at-counter">
              <p class="code"><bdi>{atMine.label_fa}</bdi></p>
              <p>{named(atMine.service)}{atMine.national_id && <> — <Id>{atMine.national_id}</Id></>}</p>
              <div class="actions">
                <button type="button" class="button" disabled={busy} onClick={() => deskAction('serve')}>{t('opServe')}</button>
                <button type="button" class="button button--secondary" disabled={busy}
                  onClick={() => deskAction('not-present')}>{t('opNotPresent')}</button>
                <button type="button" class="button button--secondary" disabled={busy}
                  onClick={() => deskAction('recall')}>{t('opRecall')}</button>
              </div>
            </div>
          ) : desk.data && <p class="muted">{t('opCounterFree', digits(number || ''))}</p>}
        </section>
        <section aria-labelledby="walk-in">
          <h2 id="walk-in">{t('opWalkInTitle')}</h2>
          <form onSubmit={issue} noValidate>
            <SelectField id="service" label={t('opService')} error={error('service')} value={service} onChange={setService}
              placeholder={t('opChooseService')} groups={Object.entries(byCategory).map(([label, options]) => ({
                label, options }))} />
            <TextField id="walk_in_national_id" label={t('opWalkInNationalId')} hint={t('opWalkInNationalIdHint')}
              error={error('walk_in_national_id')} value={nationalId} onInput={setNationalId} inputMode="numeric"
              dir="ltr" width="10" maxLength={10} autoComplete="off" />
            <div class="actions"><button class="button" type="submit" disabled={busy}>{t('opIssueTicket')}</button></div>
          </form>
          {issued && (
            <div class="panel" role="status" id="issued-ticket">
              <p class="panel__title">{t('opTicketGiven')}</p>
              <p class="code"><bdi>{issued.label_fa}</bdi></p>
              <p>{named(issued.service)}</p>
            </div>
          )}
        </section>
      </div>
      {desk.data && (
        <DataTable id="desk-line" caption={t('opLineTitle')} rows={waiting} rowKey={(x) => x.number} empty={t('opNobodyWaits')}
          columns={[
            { key: 'position', label: t('opPosition'), render: (x) => digits(x.position ?? '–') },
            { key: 'label', label: t('opTicket'), render: (x) => <bdi>{x.label_fa}</bdi> },
            { key: 'kind', label: t('opKind'), render: (x) => t(x.kind === 'walk_in' ? 'opWalkIn' : 'opAppointment') },
            { key: 'service', label: t('opService'), render: (x) => named(x.service) },
            { key: 'arrived', label: t('opArrived'), render: (x) => at(x.arrived_at) },
            { key: 'waited', label: t('opWaited'), render: (x) => minutes(x.waited_min) },
          ]} />
      )}
    </ConsolePage>
  );
}
