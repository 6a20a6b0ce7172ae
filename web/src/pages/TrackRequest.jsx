import { useState } from 'preact/hooks';
import { api, NetworkError } from '../api.js';
import { named, t } from '../i18n.js';
import { instantIn, latinDigits, num } from '../format.js';
import { journey } from '../journey.js';
import { ErrorSummary } from '../components/ErrorSummary.jsx';
import { Page } from '../components/Page.jsx';
import { TextField } from '../components/TextField.jsx';

const problemText = (e) => (e instanceof NetworkError || !e.message_ ? t('networkError') : e.message_());

function Rating({ request, code, onRated }) {
  const [score, setScore] = useState(null);
  const [comment, setComment] = useState('');
  const [errors, setErrors] = useState([]);
  const send = async (event) => {
    event.preventDefault();
    if (!score) {
      setErrors([{ field: 'score-1', message: t('scoreRequired') }]);
      return;
    }
    try {
      onRated(await api.rate(request.tracking_code, code, request.rating_invitation.token,
        { score, ...(comment.trim() ? { comment: comment.trim() } : {}) }));
    } catch (e) {
      setErrors([{ field: null, message: problemText(e) }]);
    }
  };
  return (
    <section aria-labelledby="rate-title">
      <h2 id="rate-title">{t('rateTitle')}</h2>
      <ErrorSummary errors={errors} />
      <form onSubmit={send} noValidate>
        <fieldset class="field">
          <legend class="label--lead">{t('scoreLabel')}</legend>
          <div class="radios radios--inline">
            {[1, 2, 3, 4, 5].map((n) => (
              <div class="radio" key={n}>
                <input type="radio" id={`score-${n}`} name="score" value={n} checked={score === n} onChange={() => setScore(n)} />
                <label for={`score-${n}`}>{num(n)}</label>
              </div>
            ))}
          </div>
        </fieldset>
        <div class="field">
          <label for="comment">{t('commentLabel')}</label>
          <textarea id="comment" class="input" rows={3} maxLength={500} value={comment}
            onInput={(e) => setComment(e.currentTarget.value)} />
        </div>
        <button class="button" type="submit">{t('sendRating')}</button>
      </form>
    </section>
  );
}

/** Follow a remote request with its tracking code and access code: status, deadline and the
 * timeline in the Jalali calendar, at the citizen's own clock; the rating when invited. */
export function TrackRequest({ trackingCode = '' }) {
  const known = journey.lastRequest()?.tracking_code === trackingCode ? journey.lastRequest() : null;
  const [values, setValues] = useState({ tracking_code: trackingCode, access_code: known?.access_code || '' });
  const [errors, setErrors] = useState([]);
  const [request, setRequest] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (field) => (value) => setValues({ ...values, [field]: value });
  const code = latinDigits(values.access_code).trim().toUpperCase();

  const show = async (event) => {
    event.preventDefault();
    const id = values.tracking_code.trim().toUpperCase();
    const found = [];
    if (!id) found.push({ field: 'tracking_code', message: t('trackingCodeRequired') });
    if (!code) found.push({ field: 'access_code', message: t('accessCodeRequired') });
    setErrors(found);
    if (found.length) return;
    setBusy(true);
    try {
      setRequest(await api.request(id, code));
    } catch (e) {
      setErrors([{ field: e.status === 404 ? 'access_code' : null, message: e.status === 404 ? t('requestNotFound') : problemText(e) }]);
    } finally {
      setBusy(false);
    }
  };

  const errorOf = (field) => errors.find((e) => e.field === field)?.message;
  const tz = request?.time_zone || 'Asia/Tehran';
  return (
    <Page title={t('trackTitle')} hasErrors={errors.length > 0} back="/">
      <ErrorSummary errors={errors} />
      {!request && (
        <form onSubmit={show} noValidate>
          <TextField id="tracking_code" label={t('trackingCode')} hint={t('trackingCodeHint')}
            error={errorOf('tracking_code')} value={values.tracking_code} onInput={set('tracking_code')} dir="ltr"
            autoComplete="off" width="20" />
          <TextField id="access_code" label={t('accessCodeLabel')} error={errorOf('access_code')}
            value={values.access_code} onInput={set('access_code')} dir="ltr" autoComplete="off" width="10" />
          <button class="button" type="submit" disabled={busy}>{t('showRequest')}</button>
        </form>
      )}
      {request && (
        <>
          <dl class="summary">
            <div class="summary__row"><dt>{t('trackingCode')}</dt><dd><bdi dir="ltr">{request.tracking_code}</bdi></dd></div>
            <div class="summary__row"><dt>{t('statusRow')}</dt><dd data-testid="request-status">{t('requestStatuses')[request.status] || request.status}</dd></div>
            <div class="summary__row"><dt>{t('serviceRow')}</dt><dd>{named(request.service)}</dd></div>
            {request.office && <div class="summary__row"><dt>{t('officeRow')}</dt><dd>{named(request.office)}</dd></div>}
            <div class="summary__row"><dt>{t('deadlineRow')}</dt><dd>{instantIn(request.sla_deadline.at, tz)}</dd></div>
            {request.reason && <div class="summary__row"><dt>{t('reasonRow')}</dt><dd>{request.reason}</dd></div>}
            {request.rating && <div class="summary__row"><dt>{t('rateTitle')}</dt><dd>{t('rated', num(request.rating.score))}</dd></div>}
          </dl>
          <h2>{t('documentsTitle')}</h2>
          {request.documents.length ? (
            <ul class="documents" data-testid="request-documents">
              {request.documents.map((d) => (
                <li key={d.upload_ref || d.name}><bdi>{d.name}</bdi> – {t('sizeKb', num(Math.max(1, Math.round(d.size / 1024))))}</li>
              ))}
            </ul>
          ) : <p>{t('noDocuments')}</p>}
          <h2>{t('timelineTitle')}</h2>
          <p class="hint">{t('timeZoneNote', tz)}</p>
          <ol class="timeline">
            {request.timeline.map((step) => (
              <li key={`${step.status}-${step.at}`}>
                <strong>{t('requestStatuses')[step.status] || step.status}</strong>
                {' – '}<time dateTime={step.at}>{instantIn(step.at, tz)}</time>
              </li>
            ))}
          </ol>
          {request.rating_invitation && !request.rating && <Rating request={request} code={code} onRated={setRequest} />}
        </>
      )}
    </Page>
  );
}
