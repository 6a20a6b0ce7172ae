import { useEffect, useState } from 'preact/hooks';
import { ErrorSummary } from '../../components/ErrorSummary.jsx';
import { Loading } from '../../components/Status.jsx';
import { Field, describedBy } from '../../components/Field.jsx';
import { digits, longInstant } from '../../format.js';
import { named, t } from '../../i18n.js';
import { ConsolePage, Refusal } from '../ConsolePage.jsx';
import { operatorApi } from './api.js';
import { Id } from './parts.jsx';
import { OPERATOR_ROLES } from './roles.js';

function TextArea({ id, label, hint, error, value, onInput }) {
  return (
    <Field id={id} label={label} hint={hint} error={error}>
      <textarea id={id} name={id} class="input" value={value} maxLength={500} aria-describedby={describedBy(id, hint, error)}
        aria-invalid={error ? 'true' : undefined} onInput={(e) => onInput(e.currentTarget.value)} />
    </Field>
  );
}

/** One remote request the office holds: start it, complete it with a result note, reject it or
 * send it to an office in person with a reason. Another office's request: the API's 404, shown. */
export function RequestPage({ code }) {
  const [request, setRequest] = useState(null);
  const [problem, setProblem] = useState(null);
  const [note, setNote] = useState('');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState([]);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    operatorApi.request(code).then(setRequest, setProblem);
  }, [code]);

  const act = async (action, body, field) => {
    setBusy(true);
    setProblem(null);
    try {
      setRequest(await operatorApi.act(code, action, body));
      setErrors([]);
    } catch (err) {
      if (err.status === 422 && field) setErrors([{ field, message: err.message_() }]);
      else setProblem(err);
    } finally {
      setBusy(false);
    }
  };
  const complete = (event) => {
    event.preventDefault();
    if (note.trim() && note.trim().length < 3) {
      setErrors([{ field: 'note', message: t('opNoteShort') }]);
      return;
    }
    act('complete', note.trim() ? { note: note.trim() } : null, 'note');
  };
  const decide = (action) => {
    if (reason.trim().length < 3) {
      setErrors([{ field: 'reason', message: t('opReasonMissing') }]);
      return;
    }
    act(action, { reason: reason.trim() }, 'reason');
  };

  const error = (field) => errors.find((e) => e.field === field)?.message;
  const status = request?.status;
  return (
    <ConsolePage title={t('opRequestTitle')} roles={OPERATOR_ROLES} hasErrors={errors.length > 0}>
      <p><a class="back-link" href="/console/office/remote">{t('opNavRemote')}</a></p>
      <ErrorSummary errors={errors} />
      <Refusal problem={problem} />
      {!request && !problem && <Loading />}
      {request && (
        <>
          <dl class="facts">
            <div><dt>{t('opTrackingCode')}</dt><dd><Id>{request.tracking_code}</Id></dd></div>
            <div><dt>{t('opService')}</dt><dd>{named(request.service)}</dd></div>
            <div><dt>{t('opStatus')}</dt><dd id="request-status" data-status={status}>{t('opRequestStatus', status)}</dd></div>
            <div><dt>{t('opCitizen')}</dt><dd><Id>{request.national_id}</Id></dd></div>
            <div><dt>{t('opSlaDeadline')}</dt><dd>{longInstant(request.accept_by || request.sla_deadline)}</dd></div>
            <div><dt>{t('opDocuments')}</dt><dd>{digits(request.documents.length)}</dd></div>
          </dl>
          {request.description && <><h2>{t('opDescription')}</h2><p class="notice">{request.description}</p></>}
          {request.reason && <p><strong>{t('opReasonShown')}</strong> {request.reason}</p>}
          {status === 'ASSIGNED' && (
            <div class="actions">
              <button type="button" class="button" disabled={busy} onClick={() => act('start')}>{t('opStart')}</button>
            </div>
          )}
          {status === 'IN_PROGRESS' && (
            <form onSubmit={complete} noValidate>
              <h2>{t('opCompleteRequest')}</h2>
              <TextArea id="note" label={t('opNoteLabel')} hint={t('opNoteHint')} error={error('note')} value={note}
                onInput={setNote} />
              <div class="actions"><button class="button" type="submit" disabled={busy}>{t('opComplete')}</button></div>
            </form>
          )}
          {(status === 'ASSIGNED' || status === 'IN_PROGRESS') && (
            <section aria-labelledby="decline">
              <h2 id="decline">{t('opDeclineTitle')}</h2>
              <TextArea id="reason" label={t('opReasonLabel')} hint={t('opReasonHint')} error={error('reason')}
                value={reason} onInput={setReason} />
              <div class="actions">
                <button type="button" class="button button--warning" disabled={busy} onClick={() => decide('reject')}>
                  {t('opReject')}</button>
                <button type="button" class="button button--secondary" disabled={busy}
                  onClick={() => decide('needs-in-person')}>{t('opNeedsInPerson')}</button>
              </div>
            </section>
          )}
        </>
      )}
    </ConsolePage>
  );
}
