// The partner registry: the partners, registering one, rotating and retiring their signing secrets,
// retiring a partner. A new secret is shown once, here, from the API's answer: it is kept only in
// this page's memory and gone when the administrator hides it or leaves the page.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ErrorSummary } from '../../components/ErrorSummary.jsx';
import { SelectField } from '../../components/SelectField.jsx';
import { Loading } from '../../components/Status.jsx';
import { TextField } from '../../components/TextField.jsx';
import { digits, latinDigits, num } from '../../format.js';
import { t } from '../../i18n.js';
import { ConsolePage, Refusal } from '../ConsolePage.jsx';
import { ADMIN } from './govRoles.js';
import { partnerWith, validPartnerId } from './governance.js';
import { governance } from './governanceApi.js';
import './governance.css';

const KINDS = ['call_centre_1470', 'consulate', 'court_system'];

/** The secret just created, shown once with what to do with it. */
function NewSecret({ partnerId, secret, onHide }) {
  const box = useRef(null);
  useEffect(() => box.current?.focus(), [secret.id]);
  return (
    <div class="notice notice--warning secret-once" role="alert" aria-labelledby="secret-once-title" tabIndex={-1}
      ref={box}>
      <h2 id="secret-once-title">{t('assocGovSecretTitle', partnerId)}</h2>
      <p>{t('assocGovSecretOnce')}</p>
      <dl class="secret-once__value">
        <dt>{t('assocGovSecretId')}</dt>
        <dd><bdi dir="ltr"><code>{secret.id}</code></bdi></dd>
        <dt>{t('assocGovSecret')}</dt>
        <dd><bdi dir="ltr"><code id="new-secret">{secret.secret}</code></bdi></dd>
      </dl>
      <button type="button" class="button button--secondary" onClick={onHide}>{t('assocGovSecretHide')}</button>
    </div>
  );
}

function RegisterForm({ existing, onRegistered }) {
  const [form, setForm] = useState({ id: '', name: '', kind: '', callback: '', quota: '' });
  const [errors, setErrors] = useState([]);
  const [busy, setBusy] = useState(false);
  const set = (k) => (v) => setForm({ ...form, [k]: v });
  const err = (f) => errors.find((e) => e.field === f)?.message;

  const submit = async (ev) => {
    ev.preventDefault();
    const found = [];
    const id = form.id.trim();
    if (!validPartnerId(id)) found.push({ field: 'partner-id', message: t('assocGovPartnerIdInvalid') });
    else if (existing.some((p) => p.partner_id === id)) found.push({ field: 'partner-id', message: t('assocGovPartnerExists') });
    if (form.name.trim().length < 2) found.push({ field: 'partner-name', message: t('assocGovPartnerNameMissing') });
    if (!KINDS.includes(form.kind)) found.push({ field: 'partner-kind', message: t('assocGovPartnerKindMissing') });
    const quota = form.quota.trim() ? Number(latinDigits(form.quota.trim())) : null;
    if (quota !== null && !(Number.isInteger(quota) && quota >= 1 && quota <= 10000)) {
      found.push({ field: 'partner-quota', message: t('assocGovPartnerQuotaInvalid') });
    }
    setErrors(found);
    if (found.length) return;
    setBusy(true);
    try {
      const body = { name: form.name.trim(), kind: form.kind, active: true };
      if (form.callback.trim()) body.callback_url = form.callback.trim();
      if (quota !== null) body.quota_per_minute = quota;
      const saved = await governance.savePartner(id, body);
      setForm({ id: '', name: '', kind: '', callback: '', quota: '' });
      onRegistered(saved);
    } catch (e) {
      const fields = e.fieldErrors ? e.fieldErrors() : {};
      const mapped = Object.entries(fields).map(([f, message]) => ({
        field: { callback_url: 'partner-callback', name: 'partner-name', quota_per_minute: 'partner-quota' }[f] || null,
        message }));
      setErrors(mapped.length ? mapped : [{ field: null, message: e.message_ ? e.message_() : t('networkError') }]);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate aria-labelledby="register-title" class="gov-form">
      <h2 id="register-title">{t('assocGovRegisterTitle')}</h2>
      <ErrorSummary errors={errors} />
      <TextField id="partner-id" label={t('assocGovPartnerId')} hint={t('assocGovPartnerIdHint')} dir="ltr"
        width="20" value={form.id} onInput={set('id')} error={err('partner-id')} />
      <TextField id="partner-name" label={t('assocGovPartnerName')} value={form.name} onInput={set('name')}
        error={err('partner-name')} />
      <SelectField id="partner-kind" label={t('assocGovPartnerKind')} value={form.kind} onChange={set('kind')}
        error={err('partner-kind')} placeholder={t('assocGovChoose')}
        groups={[{ label: t('assocGovPartnerKind'), options: KINDS.map((k) => ({ value: k, text: t('assocGovKind', k) })) }]} />
      <TextField id="partner-callback" label={t('assocGovPartnerCallback')} hint={t('assocGovPartnerCallbackHint')}
        dir="ltr" type="url" value={form.callback} onInput={set('callback')} error={err('partner-callback')} />
      <TextField id="partner-quota" label={t('assocGovPartnerQuota')} hint={t('assocGovPartnerQuotaHint')}
        inputMode="numeric" width="10" value={form.quota} onInput={set('quota')} error={err('partner-quota')} />
      <button type="submit" class="button" disabled={busy}>{t('assocGovRegister')}</button>
    </form>
  );
}

export function GovPartners() {
  const [partners, setPartners] = useState(null);
  const [problem, setProblem] = useState(null);
  const [shown, setShown] = useState(null); // {partnerId, secret}: the one secret on screen
  const [notice, setNotice] = useState(null);
  const [busy, setBusy] = useState(null);

  const load = () => governance.partners().then((r) => setPartners(r.items)).catch(setProblem);
  useEffect(() => { load(); }, []);

  const act = async (key, work, done) => {
    setBusy(key);
    setProblem(null);
    setNotice(null);
    try {
      const result = await work();
      done?.(result);
      await load();
    } catch (e) {
      setProblem(e);
    } finally {
      setBusy(null);
    }
  };
  const rotate = (p) => act(`rotate-${p.partner_id}`, () => governance.rotateSecret(p.partner_id),
    (r) => setShown({ partnerId: p.partner_id, secret: r.new_secret }));
  const retireSecret = (p, s) => {
    if (!confirm(t('assocGovRetireSecretConfirm', s.id, p.partner_id))) return;
    act(`retire-${s.id}`, () => governance.retireSecret(p.partner_id, s.id),
      () => setNotice(t('assocGovSecretRetired', s.id)));
  };
  const setActive = (p, active) => {
    if (!active && !confirm(t('assocGovRetirePartnerConfirm', p.partner_id))) return;
    act(`active-${p.partner_id}`, () => governance.savePartner(p.partner_id, partnerWith(p, active)),
      () => setNotice(t(active ? 'assocGovPartnerReinstated' : 'assocGovPartnerRetired', p.partner_id)));
  };

  return (
    <ConsolePage title={t('assocGovPartnersTitle')} roles={ADMIN}>
      <p>{t('assocGovPartnersIntro')}</p>
      {shown && <NewSecret partnerId={shown.partnerId} secret={shown.secret} onHide={() => setShown(null)} />}
      {notice && <div class="notice" role="status">{notice}</div>}
      <Refusal problem={problem} />
      {partners === null ? (!problem && <Loading />) : (
        <div class="data-table-wrap">
          <table class="data-table" id="partners">
            <caption>{t('assocGovPartnersCaption', num(partners.length))}</caption>
            <thead>
              <tr>
                <th scope="col">{t('assocGovPartnerId')}</th>
                <th scope="col">{t('assocGovPartnerName')}</th>
                <th scope="col">{t('assocGovPartnerKind')}</th>
                <th scope="col">{t('assocGovPartnerQuota')}</th>
                <th scope="col">{t('assocGovPartnerState')}</th>
                <th scope="col">{t('assocGovSecrets')}</th>
                <th scope="col">{t('assocGovActions')}</th>
              </tr>
            </thead>
            <tbody>
              {partners.length === 0 && <tr><td colSpan={7}>{t('assocGovNoPartners')}</td></tr>}
              {partners.map((p) => (
                <tr key={p.partner_id} data-partner={p.partner_id}>
                  <th scope="row"><bdi dir="ltr">{p.partner_id}</bdi></th>
                  <td><bdi>{p.name}</bdi></td>
                  <td>{t('assocGovKind', p.kind)}</td>
                  <td>{num(p.quota_per_minute)}</td>
                  <td>{p.active ? t('assocGovActive') : t('assocGovRetiredState')}</td>
                  <td>
                    <ul class="plain-list">
                      {p.secrets.map((s) => (
                        <li key={s.id}>
                          <bdi dir="ltr">{s.id}</bdi> <span class="muted">({digits(s.created_at.slice(0, 10))})</span>
                          {p.secrets.length > 1 && (
                            <>{' '}<button type="button" class="link-button" disabled={busy !== null}
                              onClick={() => retireSecret(p, s)}
                              aria-label={t('assocGovRetireSecretLabel', s.id, p.partner_id)}>{t('assocGovRetireSecret')}</button></>
                          )}
                        </li>
                      ))}
                    </ul>
                  </td>
                  <td>
                    <div class="actions">
                      <button type="button" class="button button--secondary" disabled={busy !== null}
                        onClick={() => rotate(p)} aria-label={t('assocGovRotateLabel', p.partner_id)}>
                        {t('assocGovRotate')}
                      </button>
                      <button type="button" class={`button ${p.active ? 'button--warning' : 'button--secondary'}`}
                        disabled={busy !== null} onClick={() => setActive(p, !p.active)}
                        aria-label={t(p.active ? 'assocGovRetirePartnerLabel' : 'assocGovReinstateLabel', p.partner_id)}>
                        {t(p.active ? 'assocGovRetirePartner' : 'assocGovReinstate')}
                      </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p class="muted">{t('assocGovRotateHow')}</p>
      {partners !== null && (
        <RegisterForm existing={partners} onRegistered={(saved) => {
          if (saved.new_secret) setShown({ partnerId: saved.partner_id, secret: saved.new_secret });
          load();
        }} />
      )}
    </ConsolePage>
  );
}
