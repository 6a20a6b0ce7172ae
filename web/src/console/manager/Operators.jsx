// The operators registry: licence, its expiry, training hours, insurance; and what the licences
// lapsing soon will do to the counters open to bookings (the API's capacity_changes).
import { useState } from 'preact/hooks';
import { t } from '../../i18n.js';
import { latinDigits, longDate, num } from '../../format.js';
import { ErrorSummary } from '../../components/ErrorSummary.jsx';
import { TextField } from '../../components/TextField.jsx';
import { Loading } from '../../components/Status.jsx';
import { ConsolePage, Refusal } from '../ConsolePage.jsx';
import { managerApi } from './api.js';
import { useLoad } from './useLoad.js';

const MANAGER = ['office-manager'];
const BLANK = { operator_id: '', licence_number: '', licence_expiry: '', training_hours: '', insured: false };

function Capacity({ registry }) {
  const changes = registry.capacity_changes;
  return (
    <section aria-labelledby="capacity-title">
      <h2 id="capacity-title">{t('mgrCapacityTitle')}</h2>
      <dl class="counts">
        <div><dt>{t('mgrDeclaredCounters')}</dt><dd>{num(registry.declared_counters)}</dd></div>
        <div><dt>{t('mgrBookableCounters')}</dt><dd data-testid="bookable">{num(registry.bookable_counters)}</dd></div>
        <div><dt>{t('mgrCompliant')}</dt><dd>{`${num(registry.compliant)} / ${num(registry.operators)}`}</dd></div>
      </dl>
      {changes.length ? (
        <ul class="capacity-list" data-testid="capacity-changes">
          {changes.map((c) => (
            <li key={c.date} data-date={c.date} class={c.counters_after < c.counters_before ? 'capacity-list__loss' : undefined}>
              {c.counters_after < c.counters_before
                ? t('mgrCapacityLoss', longDate(c.jalali, c.date), c.operator_ids.join('، '), num(c.counters_before),
                  num(c.counters_after))
                : t('mgrCapacityNoLoss', longDate(c.jalali, c.date), c.operator_ids.join('، '))}
            </li>
          ))}
        </ul>
      ) : <p class="muted">{t('mgrCapacityNone', num(registry.capacity_horizon_days))}</p>}
    </section>
  );
}

function OperatorForm({ initial, onSaved, onCancel }) {
  const [form, setForm] = useState(initial);
  const [errors, setErrors] = useState([]);
  const editing = Boolean(initial.operator_id);
  const set = (key) => (value) => setForm({ ...form, [key]: value });
  const submit = async (e) => {
    e.preventDefault();
    const found = [];
    if (!/^[A-Za-z0-9_-]{1,40}$/.test(form.operator_id)) found.push({ field: 'op-id', message: t('mgrOpIdError') });
    if (!form.licence_number.trim()) found.push({ field: 'op-licence', message: t('mgrOpLicenceError') });
    if (!form.licence_expiry.trim()) found.push({ field: 'op-expiry', message: t('mgrOpExpiryError') });
    if (!/^[0-9۰-۹]+$/.test(String(form.training_hours).trim())) {
      found.push({ field: 'op-hours', message: t('mgrOpHoursError') });
    }
    setErrors(found);
    if (found.length) return;
    try {
      const saved = await managerApi.registerOperator(form.operator_id, {
        licence_number: form.licence_number.trim(), licence_expiry: form.licence_expiry.trim(),
        training_hours: Number(latinDigits(String(form.training_hours).trim())),
        insured: form.insured,
      });
      onSaved(saved);
    } catch (err) {
      const byField = err.fieldErrors ? err.fieldErrors() : {};
      const ids = { licence_number: 'op-licence', licence_expiry: 'op-expiry', training_hours: 'op-hours' };
      const listed = Object.entries(byField).map(([f, message]) => ({ field: ids[f] || null, message }));
      setErrors(listed.length ? listed : [{ field: null, message: err.message_ ? err.message_() : t('networkError') }]);
    }
  };
  const errorOf = (f) => errors.find((x) => x.field === f)?.message;
  return (
    <form onSubmit={submit} noValidate aria-labelledby="op-form-title" class="op-form">
      <h2 id="op-form-title">{editing ? t('mgrOpEdit', initial.operator_id) : t('mgrOpAdd')}</h2>
      <ErrorSummary errors={errors} />
      {!editing && <TextField id="op-id" label={t('mgrOpId')} hint={t('mgrOpIdHint')} value={form.operator_id} dir="ltr"
        width="20" error={errorOf('op-id')} onInput={set('operator_id')} />}
      <TextField id="op-licence" label={t('mgrOpLicence')} value={form.licence_number} dir="ltr" width="20"
        error={errorOf('op-licence')} onInput={set('licence_number')} />
      <TextField id="op-expiry" label={t('mgrOpExpiry')} hint={t('mgrOpExpiryHint')} value={form.licence_expiry} dir="ltr"
        width="11" error={errorOf('op-expiry')} onInput={set('licence_expiry')} />
      <TextField id="op-hours" label={t('mgrOpHours')} value={String(form.training_hours)} inputMode="numeric" width="10"
        error={errorOf('op-hours')} onInput={set('training_hours')} />
      <div class="field">
        <label class="checkbox"><input type="checkbox" id="op-insured" checked={form.insured}
          onChange={(e) => set('insured')(e.currentTarget.checked)} /> {t('mgrOpInsured')}</label>
      </div>
      <div class="actions">
        <button type="submit" class="button">{t('mgrSave')}</button>
        {onCancel && <button type="button" class="link-button" onClick={onCancel}>{t('mgrCloseCancel')}</button>}
      </div>
    </form>
  );
}

export function ManagerOperators() {
  const registry = useLoad(() => managerApi.operators());
  const [editing, setEditing] = useState(null);
  const [problem, setProblem] = useState(null);
  const [note, setNote] = useState(null);
  const [blank, setBlank] = useState(0); // a new, empty form after each registration
  const after = (message) => {
    setEditing(null);
    setBlank((n) => n + 1);
    setNote(message);
    registry.reload();
  };
  const remove = async (id) => {
    setProblem(null);
    try {
      await managerApi.removeOperator(id);
      after(t('mgrOpRemoved', id));
    } catch (err) {
      setProblem(err);
    }
  };
  const r = registry.data;
  return (
    <ConsolePage title={t('mgrOperatorsTitle')} roles={MANAGER}>
      {registry.loading && !r && <Loading />}
      <Refusal problem={registry.error || problem} />
      <div aria-live="polite">{note && <p class="notice">{note}</p>}</div>
      {r && <Capacity registry={r} />}
      {r && (r.items.length ? (
        <div class="data-table-wrap">
          <table class="data-table" id="operators">
            <caption>{t('mgrOperatorsCaption', num(r.items.length))}</caption>
            <thead><tr>
              <th scope="col">{t('mgrOpId')}</th><th scope="col">{t('mgrOpLicence')}</th>
              <th scope="col">{t('mgrOpExpiry')}</th><th scope="col">{t('mgrOpHours')}</th>
              <th scope="col">{t('mgrOpInsuredCol')}</th><th scope="col">{t('mgrOpStatus')}</th>
              <th scope="col"><span class="visually-hidden">{t('mgrColAction')}</span></th>
            </tr></thead>
            <tbody>
              {r.items.map((o) => (
                <tr key={o.operator_id}>
                  <th scope="row"><bdi dir="ltr">{o.operator_id}</bdi></th>
                  <td><bdi dir="ltr">{o.licence_number}</bdi></td>
                  <td>{longDate(o.licence_expiry.jalali, o.licence_expiry.date)}</td>
                  <td>{num(o.training_hours)}</td>
                  <td>{o.insured ? t('mgrYes') : t('mgrNo')}</td>
                  <td>{!o.licence_valid ? t('mgrOpExpired') : (o.compliant ? t('mgrOpCompliant') : t('mgrOpNotCompliant'))}</td>
                  <td class="actions">
                    <button type="button" class="link-button" onClick={() => setEditing({
                      operator_id: o.operator_id, licence_number: o.licence_number, licence_expiry: o.licence_expiry.jalali,
                      training_hours: String(o.training_hours), insured: o.insured })}>
                      {t('mgrOpEditShort')}<span class="visually-hidden">{` ${o.operator_id}`}</span>
                    </button>
                    <button type="button" class="link-button" onClick={() => remove(o.operator_id)}>
                      {t('mgrOpRemove')}<span class="visually-hidden">{` ${o.operator_id}`}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : <p class="muted">{t('mgrNoOperators')}</p>)}
      {r && (editing
        ? <OperatorForm key={editing.operator_id} initial={editing} onCancel={() => setEditing(null)}
          onSaved={(o) => after(t('mgrOpSaved', o.operator_id))} />
        : <OperatorForm key={`new-${blank}`} initial={BLANK} onSaved={(o) => after(t('mgrOpSaved', o.operator_id))} />)}
    </ConsolePage>
  );
}
