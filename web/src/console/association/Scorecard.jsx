// Any office's scorecard: its tier and score, the tier history as a step chart, each component of
// the score, and what would move it up a tier (all from the public scorecard).
import { named, t } from '../../i18n.js';
import { digits, num } from '../../format.js';
import { ConsolePage, Refusal } from '../ConsolePage.jsx';
import { Loading } from '../../components/Status.jsx';
import { LineChart } from '../../components/charts.jsx';
import { reportsApi } from './api.js';
import { REPORT_ROLES, useLoad } from './common.jsx';

const value = (v, unit) => (v == null ? '—' : num(v, unit === 'as_is' ? 1 : 3));

export function ScorecardPage({ officeId }) {
  const { data: card, error, loading } = useLoad(() => reportsApi.scorecard(officeId), [officeId]);
  const history = card ? [...card.tier_history].reverse() : []; // oldest first, as time runs
  return (
    <ConsolePage title={card ? t('assocScorecardTitle', named(card)) : t('assocScorecardLoading')} roles={REPORT_ROLES}>
      <p><a href="/console/association" class="back-link">{t('assocBackToRanking')}</a></p>
      {loading && <Loading />}
      {error && <Refusal problem={error} />}
      {card && (
        <>
          <dl class="summary">
            <div class="summary__row"><dt>{t('assocOffice')}</dt><dd><bdi>{card.office_id}</bdi> · {card.province}</dd></div>
            <div class="summary__row"><dt>{t('assocTier')}</dt>
              <dd>{num(card.tier)}{card.provisional && <span class="tag">{t('assocProvisional')}</span>} — {t('assocTierReason', card.tier_reason)}</dd></div>
            <div class="summary__row"><dt>{t('assocScore')}</dt>
              <dd>{t('assocScoreLine', num(card.score, 1), num(card.score_se, 1), num(card.tier_margin, 1))}</dd></div>
            <div class="summary__row"><dt>{t('assocRank')}</dt><dd>{num(card.rank)} · {digits(card.period.jalali)}</dd></div>
            <div class="summary__row"><dt>{t('assocIntegrity')}</dt>
              <dd>{card.integrity_gate.breached ? t('assocGateBreached', num(card.integrity_gate.cap_tier),
                card.integrity_gate.reasons.join('، ')) : t('assocGateClear')}</dd></div>
          </dl>

          <h2>{t('assocTierHistory')}</h2>
          <LineChart step integer domain={[1, 5]}
            title={t('assocTierHistoryChart', named(card))}
            summary={t('assocTierHistorySummary', num(history.length),
              history.length ? digits(history[0].jalali) : '', num(card.tier))}
            columns={[t('assocMonth'), t('assocTier')]}
            points={history.map((h) => ({ label: digits(h.jalali), value: h.tier }))} />

          <h2>{t('assocMoveUp')}</h2>
          {card.to_next_tier.length ? (
            <ul class="list">
              {card.to_next_tier.map((i) => (
                <li key={i.indicator}>{t('assocMoveUpLine', t('assocIndicatorName', i.indicator), value(i.current), value(i.target))}</li>
              ))}
            </ul>
          ) : <p>{card.tier === 5 ? t('assocTopTier') : t('assocNoMove')}</p>}

          <div class="table-scroll">
            <table class="report-table">
              <caption>{t('assocComponents', num(card.score, 1))}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('assocIndicator')}</th><th scope="col">{t('assocRaw')}</th>
                  <th scope="col">{t('assocShrunk')}</th><th scope="col">{t('assocCases')}</th>
                  <th scope="col">{t('assocWeight')}</th><th scope="col">{t('assocPoints')}</th>
                </tr>
              </thead>
              <tbody>
                {card.lines.map((l) => (
                  <tr key={l.indicator}>
                    <th scope="row">{t('assocIndicatorName', l.indicator)}{!l.available && <span class="tag">{t('assocUnavailable')}</span>}</th>
                    <td>{value(l.raw, l.unit)}</td><td>{value(l.shrunk, l.unit)}</td><td>{num(l.n)}</td>
                    <td>{num(l.weight * 100, 1)}٪</td><td>{num(l.points, 2)}</td>
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
