// The office's declarations: which catalogue services it offers, which only with the citizen in
// person here (never remotely), and its own duration within the catalogue's bounds.
import { useState } from 'preact/hooks';
import { named, t } from '../../i18n.js';
import { digits, num } from '../../format.js';
import { ErrorSummary } from '../../components/ErrorSummary.jsx';
import { Loading } from '../../components/Status.jsx';
import { ConsolePage, Refusal } from '../ConsolePage.jsx';
import { managerApi } from './api.js';
import { parseDuration } from './model.js';
import { useLoad } from './useLoad.js';

const MANAGER = ['office-manager'];

function Row({ item, onSaved, onError, error }) {
  const [offered, setOffered] = useState(item.offered);
  const [inPerson, setInPerson] = useState(item.in_person_required);
  const [duration, setDuration] = useState(item.own_duration_min == null ? '' : String(item.own_duration_min));
  const [busy, setBusy] = useState(false);
  const id = item.service_id;
  const changed = offered !== item.offered || inPerson !== item.in_person_required
    || duration !== (item.own_duration_min == null ? '' : String(item.own_duration_min));
  const save = async () => {
    const parsed = parseDuration(duration, item.min_duration_min, item.max_duration_min);
    if (parsed.error) {
      onError(id, `duration-${id}`, t('mgrDurationError', named(item), num(item.min_duration_min),
        num(item.max_duration_min)));
      return;
    }
    setBusy(true);
    try {
      const saved = await managerApi.declare(id, { offered, in_person_required: inPerson, duration_min: parsed.value });
      onSaved(saved);
    } catch (e) {
      onError(id, `offered-${id}`, e.message_ ? e.message_() : t('networkError'), e);
    } finally {
      setBusy(false);
    }
  };
  const remoteCapable = item.mode !== 'in_person';
  return (
    <tr data-service={id} class={error ? 'row--error' : undefined}>
      <th scope="row">
        {named(item)}<br /><bdi dir="ltr" class="muted">{id}</bdi>
      </th>
      <td>{t('mgrModes')[item.mode] || item.mode}</td>
      <td>
        <input type="checkbox" id={`offered-${id}`} checked={offered} onChange={(e) => setOffered(e.currentTarget.checked)}
          aria-label={t('mgrOfferedOf', named(item))} />
      </td>
      <td>
        {item.mode === 'remote_allowed' ? (
          <input type="checkbox" id={`inperson-${id}`} checked={inPerson}
            onChange={(e) => setInPerson(e.currentTarget.checked)} aria-label={t('mgrInPersonOf', named(item))} />
        ) : <span class="muted">{item.mode === 'in_person' ? t('mgrAlwaysInPerson') : t('mgrNeverInPerson')}</span>}
      </td>
      <td>
        <input type="text" inputMode="numeric" id={`duration-${id}`} class="input mgr-duration" value={duration}
          placeholder={digits(item.standard_duration_min)} onInput={(e) => setDuration(e.currentTarget.value)}
          aria-label={t('mgrDurationOf', named(item))} aria-describedby={`bounds-${id}`}
          aria-invalid={error?.field === `duration-${id}` ? 'true' : undefined} />
        <span id={`bounds-${id}`} class="hint">{t('mgrBounds', num(item.min_duration_min), num(item.max_duration_min))}</span>
        {error && <p class="field-error" id={`error-${id}`}>{error.message}</p>}
      </td>
      <td>{remoteCapable ? (item.remote_here ? t('mgrRemoteYes') : t('mgrRemoteNo')) : '—'}</td>
      <td>
        <button type="button" class="button button--secondary" disabled={busy || !changed} onClick={save}>
          {t('mgrSave')}<span class="visually-hidden">{`: ${named(item)}`}</span>
        </button>
      </td>
    </tr>
  );
}

export function ManagerServices() {
  const page = useLoad(() => managerApi.declarations());
  const [errors, setErrors] = useState({});
  const [saved, setSaved] = useState(null);
  const onSaved = (item) => {
    setErrors(({ [item.service_id]: _, ...rest }) => rest);
    setSaved(item);
    page.set({ ...page.data, catalogue_version: item.catalogue_version,
      items: page.data.items.map((i) => (i.service_id === item.service_id ? { ...i, ...item } : i)) });
  };
  const onError = (serviceId, field, message) => {
    setSaved(null);
    setErrors((e) => ({ ...e, [serviceId]: { field, message } }));
  };
  const list = Object.values(errors);
  return (
    <ConsolePage title={t('mgrServicesTitle')} roles={MANAGER} hasErrors={list.length > 0}>
      <ErrorSummary errors={list} />
      <p>{t('mgrServicesLead')}</p>
      <div aria-live="polite" class="live-note">
        {saved && <p class="notice" data-testid="declared">{t('mgrDeclared', named(saved),
          saved.remote_here ? t('mgrRemoteYes') : (saved.offered ? t('mgrRemoteNo') : t('mgrNotOffered')))}</p>}
      </div>
      {page.loading && !page.data && <Loading />}
      <Refusal problem={page.error} />
      {page.data && (
        <div class="data-table-wrap">
          <table class="data-table" id="declarations">
            <caption>{t('mgrServicesCaption', num(page.data.items.filter((i) => i.offered).length),
              num(page.data.catalogue_version))}</caption>
            <thead>
              <tr>
                <th scope="col">{t('mgrColService')}</th>
                <th scope="col">{t('mgrColMode')}</th>
                <th scope="col">{t('mgrColOffered')}</th>
                <th scope="col">{t('mgrColInPerson')}</th>
                <th scope="col">{t('mgrColDuration')}</th>
                <th scope="col">{t('mgrColRemoteHere')}</th>
                <th scope="col"><span class="visually-hidden">{t('mgrColAction')}</span></th>
              </tr>
            </thead>
            <tbody>
              {page.data.items.map((item) => (
                <Row key={`${item.service_id}|${item.offered}|${item.in_person_required}|${item.own_duration_min}`}
                  item={item} onSaved={onSaved} onError={onError} error={errors[item.service_id]} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </ConsolePage>
  );
}
