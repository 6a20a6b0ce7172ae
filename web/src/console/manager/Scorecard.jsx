// The office's scorecard in the published ranking: its tier and score, the tier history as a
// chart, each indicator's line, and what would move it up (the ranking's own to_next_tier).
import { monthName, named, t } from '../../i18n.js';
import { digits, longInstant, num } from '../../format.js';
import { LineChart } from '../../components/charts.jsx';
import { Loading } from '../../components/Status.jsx';
import { staff } from '../../staff.js';
import { ConsolePage, Refusal } from '../ConsolePage.jsx';
import { managerApi } from './api.js';
import { tierPoints } from './model.js';
import { useLoad } from './useLoad.js';

const MANAGER = ['office-manager'];
const monthLabel = (period) => {
  const [y, m] = period.month.split('-').map(Number);
  return `${monthName(m)} ${digits(y)}`;
};
const indicator = (key) => t('mgrIndicators')[key] || key;
const value = (v) => (v == null ? '—' : num(v, 2));

function MoveUp({ card }) {
  if (card.tier === 5) return <p>{t('mgrTopTier')}</p>;
  if (card.integrity_gate.breached) {
    return <p class="notice notice--warning">{t('mgrGateHolds', num(card.integrity_gate.cap_tier))}</p>;
  }
  if (!card.to_next_tier.length) return <p>{t('mgrNoSingleMove', num(card.tier + 1))}</p>;
  return (
    <>
      <p>{t('mgrMoveLead', num(card.tier + 1))}</p>
      <ol class="move-up" data-testid="move-up">
        {card.to_next_tier.map((m) => (
          <li key={m.indicator}>{t('mgrMoveItem', indicator(m.indicator), value(m.current), value(m.target))}</li>
        ))}
      </ol>
      <p class="hint">{t('mgrMoveHint', num(card.tier_margin, 2))}</p>
    </>
  );
}

export function ManagerScorecard() {
  const officeId = staff.current()?.office_id;
  const card = useLoad(() => managerApi.scorecard(officeId), [officeId]);
  const c = card.data;
  const unranked = card.error?.status === 404;
  return (
    <ConsolePage title={t('mgrScorecardTitle')} roles={MANAGER} caption={c ? named(c) : null}>
      {card.loading && !c && <Loading />}
      {unranked ? <p class="notice">{t('mgrNotRanked')}</p> : <Refusal problem={card.error} />}
      {c && (
        <>
          <dl class="counts" data-testid="scorecard">
            <div><dt>{t('mgrTier')}</dt><dd>{num(c.tier)}</dd></div>
            <div><dt>{t('mgrScore')}</dt><dd>{num(c.score, 1)}</dd></div>
            <div><dt>{t('mgrRank')}</dt><dd>{num(c.rank)}</dd></div>
            <div><dt>{t('mgrPeriod')}</dt><dd>{monthLabel(c.period)}</dd></div>
          </dl>
          <p>{t('mgrScorecardOf', longInstant(c.published_at), c.policy_version, c.tier_reason)}
            {c.provisional && ` ${t('mgrProvisional')}`}</p>
          <section aria-labelledby="move-title">
            <h2 id="move-title">{t('mgrMoveTitle')}</h2>
            <MoveUp card={c} />
          </section>
          <section aria-labelledby="history-title">
            <h2 id="history-title">{t('mgrHistoryTitle')}</h2>
            {c.tier_history.length ? (
              <LineChart step integer domain={[1, 5]} title={t('mgrHistoryChart')}
                summary={t('mgrHistorySummary', num(c.tier_history.length), num(c.tier))}
                columns={[t('mgrPeriod'), t('mgrTier')]} points={tierPoints(c.tier_history, monthLabel)} />
            ) : <p class="muted">{t('mgrNoHistory')}</p>}
          </section>
          <div class="data-table-wrap">
            <table class="data-table" id="score-lines">
              <caption>{t('mgrLinesCaption', num(c.domains_available))}</caption>
              <thead><tr>
                <th scope="col">{t('mgrColIndicator')}</th><th scope="col">{t('mgrColRaw')}</th>
                <th scope="col">{t('mgrColPrior')}</th><th scope="col">{t('mgrColWeight')}</th>
                <th scope="col">{t('mgrColPoints')}</th>
              </tr></thead>
              <tbody>
                {c.lines.map((l) => (
                  <tr key={l.indicator} class={l.available ? undefined : 'muted'}>
                    <th scope="row">{indicator(l.indicator)}{!l.available && ` (${t('mgrTooLittleData')})`}</th>
                    <td>{value(l.raw)}</td><td>{value(l.prior)}</td>
                    <td>{`${num(l.weight * 100, 1)}٪`}</td><td>{num(l.points, 2)}</td>
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
