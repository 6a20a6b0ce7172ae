// The ranking policy simulator: the policy in force, a proposal's changes (cut-points, weights, base
// share, hysteresis), and the latest published month replayed under both, side by side: each office's
// tier and score now and under the proposal, offices per tier, and what the levies would do.
// Simulating adopts nothing.
import { useEffect, useState } from 'preact/hooks';
import { ErrorSummary } from '../../components/ErrorSummary.jsx';
import { Loading } from '../../components/Status.jsx';
import { TextField } from '../../components/TextField.jsx';
import { digits, money, num } from '../../format.js';
import { named, t } from '../../i18n.js';
import { ConsolePage, Refusal } from '../ConsolePage.jsx';
import { ADMIN } from './govRoles.js';
import { policyProposal, tierRows, tierSummary } from './governance.js';
import { governance } from './governanceApi.js';
import './governance.css';

const formOf = (p) => ({
  cut_points: p.cut_points.map((c) => digits(String(c))),
  base_share_percent: digits(String(+(Number(p.base_share) * 100).toFixed(4))),
  hysteresis_margin: digits(String(p.hysteresis_margin)),
  confirm_periods: digits(String(p.confirm_periods)),
  weights: Object.fromEntries(Object.entries(p.weights).map(([k, v]) => [k, digits(String(v))])),
});

const FIELD_OF = { cut_points: 'cut-0', base_share_percent: 'base-share', hysteresis_margin: 'margin',
  confirm_periods: 'confirm' };

function Arrow({ direction }) {
  if (direction > 0) return <span class="tier-up">{t('assocGovTierUp')}</span>;
  if (direction < 0) return <span class="tier-down">{t('assocGovTierDown')}</span>;
  return <span class="muted">{t('assocGovTierSame')}</span>;
}

function SideBySide({ sim }) {
  const rows = tierRows(sim.offices);
  const summary = tierSummary(sim.offices);
  return (
    <section aria-labelledby="sim-title" id="simulation">
      <h2 id="sim-title">{t('assocGovSimTitle', digits(sim.period.jalali), digits(sim.baseline_version),
        digits(sim.proposal_version))}</h2>
      <dl class="counts">
        <div><dt>{t('assocGovSimUp')}</dt><dd>{num(summary.up)}</dd></div>
        <div><dt>{t('assocGovSimDown')}</dt><dd>{num(summary.down)}</dd></div>
        <div><dt>{t('assocGovSimSame')}</dt><dd>{num(summary.same)}</dd></div>
        <div><dt>{t('assocGovSimNetLevy')}</dt><dd>{money(sim.levy_change.net_rials)}</dd></div>
      </dl>
      <div class="data-table-wrap">
        <table class="data-table" id="tier-counts">
          <caption>{t('assocGovTierCountsCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('assocGovTier')}</th>
              <th scope="col">{t('assocGovCurrent', digits(sim.baseline_version))}</th>
              <th scope="col">{t('assocGovProposed')}</th>
            </tr>
          </thead>
          <tbody>
            {[5, 4, 3, 2, 1].map((tier) => (
              <tr key={tier}>
                <th scope="row">{num(tier)}</th>
                <td>{num(sim.tier_counts.current[tier])}</td>
                <td>{num(sim.tier_counts.proposed[tier])}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div class="data-table-wrap">
        <table class="data-table" id="side-by-side">
          <caption>{t('assocGovSideBySideCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('assocGovOffice')}</th>
              <th scope="col">{t('assocGovProvince')}</th>
              <th scope="col">{t('assocGovCurrentTier')}</th>
              <th scope="col">{t('assocGovProposedTier')}</th>
              <th scope="col">{t('assocGovMove')}</th>
              <th scope="col">{t('assocGovCurrentScore')}</th>
              <th scope="col">{t('assocGovProposedScore')}</th>
              <th scope="col">{t('assocGovLevyChange')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((o) => (
              <tr key={o.office_id} data-office={o.office_id}>
                <th scope="row"><bdi>{named(o)}</bdi> <span class="muted">(<bdi dir="ltr">{o.office_id}</bdi>)</span></th>
                <td>{o.province}</td>
                <td>{num(o.current_tier)}</td>
                <td>{num(o.proposed_tier)}</td>
                <td><Arrow direction={o.direction} /></td>
                <td>{num(o.current_score, 2)}</td>
                <td>{num(o.proposed_score, 2)}</td>
                <td>{money(o.levy_change_rials)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p class="muted">{t('assocGovSimNotAdopted')}</p>
    </section>
  );
}

export function GovPolicy() {
  const [policy, setPolicy] = useState(null);
  const [form, setForm] = useState(null);
  const [errors, setErrors] = useState([]);
  const [problem, setProblem] = useState(null);
  const [sim, setSim] = useState(null);
  const [unpublished, setUnpublished] = useState(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    governance.rankingPolicy().then((p) => { setPolicy(p); setForm(formOf(p)); }).catch(setProblem);
  }, []);

  const simulate = async (ev) => {
    ev.preventDefault();
    setProblem(null);
    setUnpublished(null);
    const { body, errors: bad } = policyProposal(policy, form);
    const found = bad.map((f) => ({ field: FIELD_OF[f] || f, message: t('assocGovPolicyInvalid', f) }));
    setErrors(found);
    if (found.length) return;
    setBusy(true);
    try {
      setSim(await governance.simulate(body));
    } catch (e) {
      if (e.status === 422) setErrors([{ field: null, message: e.message_() }]);
      else if (e.status === 404) setUnpublished(e); // no month published yet to replay
      else setProblem(e);
    } finally {
      setBusy(false);
    }
  };
  const set = (k) => (v) => setForm({ ...form, [k]: v });
  const err = (f) => errors.find((e) => e.field === f)?.message;

  return (
    <ConsolePage title={t('assocGovPolicyTitle')} roles={ADMIN} hasErrors={errors.length > 0}>
      <p>{t('assocGovPolicyIntro')}</p>
      <Refusal problem={problem} />
      {policy === null ? (!problem && <Loading />) : (
        <form onSubmit={simulate} noValidate class="gov-columns">
          <div>
            <ErrorSummary errors={errors} />
            <p>{t('assocGovPolicyInForce', digits(policy.version), num(policy.number))}</p>
            <fieldset class={`field${err('cut-0') ? ' field--error' : ''}`}>
              <legend class="label--lead">{t('assocGovCutPoints')}</legend>
              <p class="hint">{t('assocGovCutPointsHint')}</p>
              {err('cut-0') && <p class="field-error">{err('cut-0')}</p>}
              <div class="gov-date">
                {form.cut_points.map((c, i) => (
                  <TextField key={i} id={`cut-${i}`} label={t('assocGovCutPoint', num(i + 1), num(i + 2))}
                    inputMode="decimal" width="date4" value={c}
                    onInput={(v) => set('cut_points')(form.cut_points.map((x, j) => (j === i ? v : x)))} />
                ))}
              </div>
            </fieldset>
            <TextField id="base-share" label={t('assocGovBaseShare')} inputMode="decimal" width="10"
              value={form.base_share_percent} onInput={set('base_share_percent')} error={err('base-share')} />
            <TextField id="margin" label={t('assocGovMargin')} hint={t('assocGovMarginHint')} inputMode="decimal"
              width="10" value={form.hysteresis_margin} onInput={set('hysteresis_margin')} error={err('margin')} />
            <TextField id="confirm" label={t('assocGovConfirmPeriods')} inputMode="numeric" width="10"
              value={form.confirm_periods} onInput={set('confirm_periods')} error={err('confirm')} />
          </div>
          <div>
            <fieldset class="field">
              <legend class="label--lead">{t('assocGovWeights')}</legend>
              {Object.keys(form.weights).map((k) => (
                <TextField key={k} id={`weight-${k}`} label={<bdi dir="ltr">{k}</bdi>} inputMode="decimal" width="10"
                  value={form.weights[k]} error={err(`weight-${k}`)}
                  onInput={(v) => set('weights')({ ...form.weights, [k]: v })} />
              ))}
            </fieldset>
            <button type="submit" class="button" id="simulate" disabled={busy}>{t('assocGovSimulate')}</button>
          </div>
        </form>
      )}
      {busy && <Loading />}
      {unpublished && (
        <div class="notice notice--warning" role="alert" id="no-ranking">
          <p>{t('assocGovNoRanking')}</p>
          <p class="muted">{unpublished.message_()}</p>
        </div>
      )}
      {sim && <SideBySide sim={sim} />}
    </ConsolePage>
  );
}
