// Routing parameters: the version in force, its history, and proposing the next version. The API
// adopts a proposal only over the version it was made from (expected_number): when another
// administrator adopted one meanwhile, the page says so and shows the new version in force.
import { useEffect, useState } from 'preact/hooks';
import { ErrorSummary } from '../../components/ErrorSummary.jsx';
import { Loading } from '../../components/Status.jsx';
import { TextField } from '../../components/TextField.jsx';
import { digits, num } from '../../format.js';
import { t } from '../../i18n.js';
import { ConsolePage, Refusal } from '../ConsolePage.jsx';
import { ADMIN } from './govRoles.js';
import { routingChanges } from './governance.js';
import { governance } from './governanceApi.js';
import './governance.css';

const numbersOf = (params) => Object.entries(params).filter(([k]) => k !== 'version');
const asText = (params) => Object.fromEntries(numbersOf(params).map(([k, v]) => [k, digits(String(v))]));
const valueOf = (v) => (typeof v === 'number' ? num(v, 4) : <bdi dir="ltr">{String(v)}</bdi>);

export function GovRouting() {
  const [current, setCurrent] = useState(null);
  const [edited, setEdited] = useState({});
  const [errors, setErrors] = useState([]);
  const [problem, setProblem] = useState(null);
  const [conflict, setConflict] = useState(null); // the version another administrator adopted meanwhile
  const [adopted, setAdopted] = useState(null);
  const [busy, setBusy] = useState(false);

  const load = async () => {
    const view = await governance.routingParams();
    setCurrent(view);
    setEdited(asText(view.params));
    return view;
  };
  useEffect(() => { load().catch(setProblem); }, []);

  const propose = async (ev) => {
    ev.preventDefault();
    setProblem(null);
    setConflict(null);
    setAdopted(null);
    const { changes, errors: bad } = routingChanges(current.params, edited);
    const found = bad.map((name) => ({ field: `param-${name}`, message: t('assocGovParamInvalid', name) }));
    if (!found.length && !Object.keys(changes).length) found.push({ field: null, message: t('assocGovNoChanges') });
    setErrors(found);
    if (found.length) return;
    setBusy(true);
    try {
      const view = await governance.proposeRouting(current.number, changes);
      setCurrent(view);
      setEdited(asText(view.params));
      setAdopted(view);
    } catch (e) {
      if (e.status === 409) {
        // Not adopted: someone else's version is in force now. Show it; the edits stay to be reviewed.
        const fresh = await governance.routingParams().catch(() => null);
        if (fresh) setCurrent(fresh);
        setConflict({ problem: e, fresh });
      } else if (e.status === 422) {
        setErrors([{ field: null, message: e.message_() }]);
      } else {
        setProblem(e);
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <ConsolePage title={t('assocGovRoutingTitle')} roles={ADMIN} hasErrors={errors.length > 0}>
      <p>{t('assocGovRoutingIntro')}</p>
      <Refusal problem={problem} />
      {current === null ? (!problem && <Loading />) : (
        <>
          {adopted && (
            <div class="panel" role="status" id="routing-adopted">
              <p class="panel__title">{t('assocGovRoutingAdopted', digits(adopted.params.version), num(adopted.number))}</p>
            </div>
          )}
          {conflict && (
            <div class="notice notice--error" role="alert" id="routing-conflict">
              <h2 class="refusal__title">{t('assocGovRoutingConflictTitle')}</h2>
              <p>{conflict.problem.message_()}</p>
              <p>{conflict.fresh ? t('assocGovRoutingConflictNow', num(conflict.fresh.number),
                digits(conflict.fresh.params.version)) : t('assocGovRoutingConflictReload')}</p>
            </div>
          )}
          <dl class="counts">
            <div><dt>{t('assocGovVersionInForce')}</dt><dd id="routing-version"><bdi dir="ltr">{current.params.version}</bdi></dd></div>
            <div><dt>{t('assocGovVersionNumber')}</dt><dd id="routing-number">{num(current.number)}</dd></div>
          </dl>
          <form onSubmit={propose} noValidate>
            <ErrorSummary errors={errors} />
            <div class="data-table-wrap">
              <table class="data-table" id="routing-params">
                <caption>{t('assocGovParamsCaption')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('assocGovParam')}</th>
                    <th scope="col">{t('assocGovParamInForce')}</th>
                    <th scope="col">{t('assocGovParamProposed')}</th>
                  </tr>
                </thead>
                <tbody>
                  {numbersOf(current.params).map(([name, value]) => {
                    const error = errors.find((e) => e.field === `param-${name}`)?.message;
                    return (
                      <tr key={name}>
                        <th scope="row"><bdi dir="ltr">{name}</bdi></th>
                        <td>{valueOf(value)}</td>
                        <td>
                          <input id={`param-${name}`} class="input input--10" inputMode="decimal"
                            aria-label={t('assocGovParamProposedLabel', name)} aria-invalid={error ? 'true' : undefined}
                            value={edited[name] ?? ''} onInput={(e) => setEdited({ ...edited, [name]: e.currentTarget.value })} />
                          {error && <p class="field-error">{error}</p>}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
            <button type="submit" class="button" id="propose" disabled={busy}>
              {t('assocGovPropose', num(current.number + 1))}
            </button>
          </form>
          <div class="data-table-wrap">
            <table class="data-table" id="routing-history">
              <caption>{t('assocGovHistoryCaption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('assocGovVersionNumber')}</th>
                  <th scope="col">{t('assocGovVersionLabel')}</th>
                  <th scope="col">{t('assocGovAdoptedAt')}</th>
                  <th scope="col">{t('assocGovAdoptedBy')}</th>
                </tr>
              </thead>
              <tbody>
                {current.history.length === 0 && <tr><td colSpan={4}>{t('assocGovNoHistory')}</td></tr>}
                {[...current.history].sort((a, b) => b.number - a.number).map((h) => (
                  <tr key={h.number}>
                    <th scope="row">{num(h.number)}</th>
                    <td><bdi dir="ltr">{h.document?.version}</bdi></td>
                    <td><bdi dir="ltr">{digits(h.adopted_at.slice(0, 16).replace('T', ' '))}</bdi></td>
                    <td><bdi dir="ltr">{h.adopted_by}</bdi></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </ConsolePage>
  );
}
