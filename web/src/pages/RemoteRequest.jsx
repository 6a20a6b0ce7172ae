import { useEffect, useState } from 'preact/hooks';
import { api, NetworkError, UploadError, uploadFile } from '../api.js';
import { lang, named, t } from '../i18n.js';
import { latinDigits, num } from '../format.js';
import { ABROAD, browserTimeZone, countryName } from '../countries.js';
import { features } from '../features.js';
import { journey } from '../journey.js';
import { navigate } from '../router.js';
import { citizen } from '../session.js';
import { ErrorSummary } from '../components/ErrorSummary.jsx';
import { MobileCheckForm } from '../components/MobileCheckForm.jsx';
import { Page } from '../components/Page.jsx';
import { Failure } from '../components/Status.jsx';
import { TextField } from '../components/TextField.jsx';
import { VerifiedCitizen } from '../components/VerifiedCitizen.jsx';
import { JourneyLost } from './JourneyLost.jsx';

const FIELDS = ['national_id', 'mobile', 'country', 'description', 'documents'];
// The API's limits (POST /v1/uploads answers max_bytes too): checked here first, to say it at once.
const MAX_DOCUMENTS = 5;
const MAX_MB = 10;
const TYPES = ['application/pdf', 'image/jpeg', 'image/png'];
// One Idempotency-Key per distinct request body (see CheckAnswers): a retry is the same request.
let attempt = { key: null, body: null };
function keyFor(body) {
  const text = JSON.stringify(body);
  if (attempt.body !== text) attempt = { key: crypto.randomUUID(), body: text };
  return attempt.key;
}
// The files already uploaded, with their grant: a retry after a failed send does not upload again.
let uploaded = { signature: null, grant: null };
const signatureOf = (files) => files.map((f) => `${f.name}|${f.size}|${f.type}|${f.lastModified}`).join('/');

/** Field errors (Persian or English) for the chosen files, before anything is sent. */
function checkFiles(files) {
  if (files.length > MAX_DOCUMENTS) return t('documentsTooMany', num(MAX_DOCUMENTS));
  for (const f of files) {
    if (!TYPES.includes(f.type)) return t('documentType', f.name);
    if (f.size === 0) return t('documentEmpty', f.name);
    if (f.size > MAX_MB * 1024 * 1024) return t('documentTooBig', f.name, num(MAX_MB));
  }
  return null;
}

/** Upload the files (a grant, then each to the bucket), reporting progress; the request's part
 * that cites them. Throws UploadError naming the file that failed. */
async function uploadAll(files, onProgress) {
  if (!files.length) return {};
  const signature = signatureOf(files);
  if (uploaded.signature !== signature) {
    const grant = await api.grantUploads(files.map((f) => ({ name: f.name, media_type: f.type, size: f.size })));
    for (let i = 0; i < files.length; i += 1) {
      try {
        await uploadFile(grant.documents[i], files[i], (fraction) => onProgress(files[i].name, fraction));
      } catch (e) {
        throw new UploadError(files[i].name);
      }
      onProgress(files[i].name, 1);
    }
    uploaded = { signature, grant };
  }
  const { grant } = uploaded;
  return {
    upload_id: grant.upload_id,
    documents: grant.documents.map(({ name, media_type, size, upload_ref }) => ({ name, media_type, size, upload_ref })),
  };
}

/** A remote request: where the citizen is (abroad: country, international mobile, own time zone),
 * who they are, what they need; sent to the chosen office or to the network (POST /v1/requests).
 * Sending it needs the citizen's session: the mobile check comes first, and the form then carries
 * the verified national ID and mobile. */
export function RemoteRequestForm({ serviceId, officeId }) {
  const [live, setLive] = useState(() => (features.mobileCheck ? citizen.current() : null));
  if (features.mobileCheck && !live && serviceId) {
    return (
      <MobileCheckForm title={t('requestTitle')} intro={t('mobileCheckRequest')} onVerified={setLive}
        back={`/services/${serviceId}/where?mode=remote`} />
    );
  }
  return <RequestForm serviceId={serviceId} officeId={officeId} verified={live} onLapsed={() => setLive(null)} />;
}

function RequestForm({ serviceId, officeId, verified, onLapsed }) {
  const [service, setService] = useState(null);
  const [office, setOffice] = useState(null);
  const [values, setValues] = useState({ where: 'IR', country: '', national_id: verified?.national_id || '',
    mobile: verified?.mobile || '', description: '' });
  const [errors, setErrors] = useState([]);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [files, setFiles] = useState([]);
  const [progress, setProgress] = useState(null);

  useEffect(() => {
    if (!serviceId) return;
    api.service(serviceId).then(setService, setError);
    if (officeId) api.office(officeId).then(setOffice, setError);
  }, [serviceId, officeId]);
  if (!serviceId) return <JourneyLost />;

  const set = (field) => (value) => setValues({ ...values, [field]: value });
  const abroad = values.where === 'abroad';
  const timeZone = abroad ? browserTimeZone() : 'Asia/Tehran';

  const submit = async (event) => {
    event.preventDefault();
    const found = [];
    const nid = latinDigits(values.national_id).replace(/[\s-]/g, '');
    const mobile = latinDigits(values.mobile).replace(/[\s-]/g, '');
    if (!nid) found.push({ field: 'national_id', message: t('nationalIdRequired') });
    else if (!/^\d{10}$/.test(nid)) found.push({ field: 'national_id', message: t('nationalIdShape') });
    if (!mobile) found.push({ field: 'mobile', message: t('mobileRequired') });
    if (abroad && !values.country) found.push({ field: 'country', message: t('countryRequired') });
    const fileProblem = checkFiles(files);
    if (fileProblem) found.push({ field: 'documents', message: fileProblem });
    setErrors(found);
    if (found.length) return;
    setBusy(true);
    try {
      const cited = await uploadAll(files, (name, fraction) => setProgress({ name, pct: Math.round(fraction * 100) }));
      const body = {
        service_id: serviceId, national_id: nid, mobile, country: abroad ? values.country : 'IR', time_zone: timeZone,
        ...(values.description.trim() ? { description: values.description.trim() } : {}),
        ...(officeId ? { preferred_office_id: officeId } : {}),
        ...cited,
      };
      const created = await api.sendRequest(body, keyFor(body));
      journey.setLastRequest(created);
      navigate('/requests/sent');
    } catch (e) {
      if (e.status === 401 && features.mobileCheck) {
        onLapsed();
      } else if (e instanceof UploadError) {
        setErrors([{ field: 'documents', message: t('uploadFailed', e.message) }]);
      } else if (e.status === 422 && e.body?.errors?.length) {
        // Beside its field when the API names one of this form's fields (documents.0.size is the
        // documents field); otherwise in the summary. A refused upload is uploaded afresh next time.
        const fieldOf = (name) => (FIELDS.includes(name.split('.')[0]) ? name.split('.')[0] : null);
        if (e.body.errors.some((f) => f.field.startsWith('documents'))) uploaded = { signature: null, grant: null };
        setErrors(e.body.errors.map((f) => ({ field: fieldOf(f.field),
          message: lang() === 'fa' ? f.message_fa : f.message })));
      } else {
        setErrors([{ field: null, message: e instanceof NetworkError || !e.message_ ? t('networkError') : e.message_() }]);
      }
    } finally {
      setBusy(false);
      setProgress(null);
    }
  };

  const errorOf = (field) => errors.find((e) => e.field === field)?.message;
  return (
    <Page title={t('requestTitle')} hasErrors={errors.length > 0}
      caption={service && `${named(service)}${office ? ` – ${named(office)}` : ` – ${t('networkOption')}`}`}
      back={`/services/${serviceId}/where?mode=remote`}>
      <ErrorSummary errors={errors} />
      <Failure error={error} />
      <form onSubmit={submit} noValidate>
        <fieldset class="field">
          <legend class="label--lead">{t('whereAreYou')}</legend>
          <div class="radios">
            {[['IR', t('inIran')], ['abroad', t('abroad')]].map(([value, label]) => (
              <div class="radio" key={value}>
                <input type="radio" id={`where-${value}`} name="where" value={value} checked={values.where === value}
                  onChange={() => set('where')(value)} />
                <label for={`where-${value}`}>{label}</label>
              </div>
            ))}
          </div>
        </fieldset>
        {abroad && (
          <div class={`field${errorOf('country') ? ' field--error' : ''}`}>
            <label for="country">{t('countryLabel')}</label>
            {errorOf('country') && <p class="field-error" id="country-error">{errorOf('country')}</p>}
            <select id="country" class="input input--20" value={values.country}
              aria-describedby={errorOf('country') ? 'country-error' : undefined}
              onChange={(e) => set('country')(e.currentTarget.value)}>
              <option value="">{'—'}</option>
              {ABROAD.map((code) => <option key={code} value={code}>{countryName(code)}</option>)}
            </select>
            <p class="hint">{t('timeZoneNote', timeZone)}</p>
          </div>
        )}
        {verified ? <VerifiedCitizen verified={verified} change={onLapsed} /> : (
          <>
            <TextField id="national_id" label={t('nationalIdLabel')} hint={t('nationalIdHint')} error={errorOf('national_id')}
              value={values.national_id} onInput={set('national_id')} inputMode="numeric" autoComplete="off" dir="ltr"
              width="10" maxLength={14} />
            <TextField id="mobile" label={t('mobileLabel')} hint={abroad ? t('mobileAbroadHint') : t('mobileHint')}
              error={errorOf('mobile')} value={values.mobile} onInput={set('mobile')} type="tel" inputMode="tel"
              autoComplete="tel" dir="ltr" width="20" maxLength={20} />
          </>
        )}
        <div class={`field${errorOf('description') ? ' field--error' : ''}`}>
          <label for="description">{t('descriptionLabel')}</label>
          <p class="hint" id="description-hint">{t('descriptionHint')}</p>
          {errorOf('description') && <p class="field-error" id="description-error">{errorOf('description')}</p>}
          <textarea id="description" class="input" rows={5} maxLength={2000} value={values.description}
            aria-describedby={`description-hint${errorOf('description') ? ' description-error' : ''}`}
            onInput={(e) => set('description')(e.currentTarget.value)} />
        </div>
        <div class={`field${errorOf('documents') ? ' field--error' : ''}`}>
          <label for="documents">{t('documentsLabel')}</label>
          <p class="hint" id="documents-hint">{t('documentsHint', num(MAX_DOCUMENTS), num(MAX_MB))}</p>
          {errorOf('documents') && <p class="field-error" id="documents-error">{errorOf('documents')}</p>}
          <input id="documents" name="documents" type="file" multiple class="input input--file"
            accept=".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"
            aria-describedby={`documents-hint${errorOf('documents') ? ' documents-error' : ''}`}
            aria-invalid={errorOf('documents') ? 'true' : undefined}
            onChange={(e) => {
              // A new choice is checked at once: its problem (or none) replaces the old one beside the field.
              const chosen = Array.from(e.currentTarget.files || []);
              const problem = checkFiles(chosen);
              setFiles(chosen);
              setErrors([...errors.filter((x) => x.field !== 'documents'),
                ...(problem ? [{ field: 'documents', message: problem }] : [])]);
            }} />
          {files.length > 0 && (
            <ul class="file-list">
              {files.map((f) => <li key={f.name}><bdi>{f.name}</bdi> – {t('sizeKb', num(Math.max(1, Math.round(f.size / 1024))))}</li>)}
            </ul>
          )}
          <div role="status" aria-live="polite" class="upload-status">
            {progress && (
              <>
                <progress max="100" value={progress.pct} aria-label={t('uploading', progress.name, num(progress.pct))} />
                {' '}{progress.pct < 100 ? t('uploading', progress.name, num(progress.pct)) : t('uploaded', progress.name)}
              </>
            )}
          </div>
        </div>
        <button class="button" type="submit" disabled={busy}>{busy ? t('sending') : t('sendRequest')}</button>
      </form>
    </Page>
  );
}

/** The request is in: its tracking code and the access code, shown this once. */
export function RequestSent() {
  const created = journey.lastRequest();
  if (!created) return <JourneyLost />;
  return (
    <Page title={t('requestSentTitle')}>
      <div class="panel">
        <dl>
          <div><dt>{t('trackingCode')}</dt><dd><bdi dir="ltr" class="code" data-testid="tracking-code">{created.tracking_code}</bdi></dd></div>
          <div><dt>{t('accessCode')}</dt><dd><bdi dir="ltr" class="code" data-testid="request-access-code">{created.access_code}</bdi></dd></div>
        </dl>
      </div>
      <p class="notice notice--warning"><strong>{t('requestCodeOnce')}</strong></p>
      <h2>{t('whatNext')}</h2>
      <p>{t('requestNext')}</p>
      <p><a class="button button--secondary" href={`/requests/${created.tracking_code}`}>{t('trackRequest')}</a></p>
    </Page>
  );
}
