// The ranking table with its filters (province, city, tier, deprived area) and the policy it was
// computed under. A provincial representative gets their province's offices only.
import { useState } from 'preact/hooks';
import { lang, named, t } from '../../i18n.js';
import { digits, num } from '../../format.js';
import { ConsolePage, Refusal } from '../ConsolePage.jsx';
import { Loading } from '../../components/Status.jsx';
import { reportsApi } from './api.js';
import { REPORT_ROLES, Select, ownProvince, useLoad } from './common.jsx';
import { filterChoices, filterRanking, tierCounts } from './reports.js';

const PAGE = 50;

function Policy({ table }) {
  const p = table.policy || {};
  return (
    <section aria-labelledby="policy-title" class="report-box">
      <h2 id="policy-title">{t('assocPolicyTitle')}</h2>
      <p>{t('assocPolicyLine', digits(p.version || table.policy_version), digits(table.period.jalali),
        digits(table.published_at.jalali))}</p>
      {p.weights && (
        <table class="report-table report-table--narrow">
          <caption>{t('assocWeightsCaption')}</caption>
          <thead><tr><th scope="col">{t('assocIndicator')}</th><th scope="col">{t('assocWeight')}</th></tr></thead>
          <tbody>
            {Object.entries(p.weights).map(([k, w]) => (
              <tr key={k}><th scope="row">{t('assocIndicatorName', k)}</th><td>{num(w * 100, 1)}٪</td></tr>
            ))}
          </tbody>
        </table>
      )}
      {p.cut_points && <p>{t('assocCutPoints', p.cut_points.map((c) => num(c, 1)).join(lang() === 'fa' ? '، ' : ', '))}</p>}
    </section>
  );
}

export function RankingPage() {
  const own = ownProvince();
  const { data, error, loading } = useLoad(() => reportsApi.ranking(own || undefined), [own]);
  const [filters, setFilters] = useState({ province: '', city: '', tier: '', deprived: '' });
  const [shown, setShown] = useState(PAGE);
  const set = (k) => (v) => { setFilters((f) => ({ ...f, [k]: v, ...(k === 'province' ? { city: '' } : {}) })); setShown(PAGE); };
  const items = data?.items || [];
  const choices = filterChoices(items, filters.province);
  const rows = filterRanking(items, filters);
  const counts = tierCounts(rows);
  return (
    <ConsolePage title={t('assocRankingTitle')} roles={REPORT_ROLES}>
      {own && <p class="notice">{t('assocOwnProvince', own)}</p>}
      {loading && <Loading />}
      {error && <Refusal problem={error} />}
      {data && (
        <>
          <Policy table={data} />
          <form class="filters" role="search" aria-label={t('assocFiltersLabel')} onSubmit={(e) => e.preventDefault()}>
            {!own && <Select id="province" label={t('assocProvince')} value={filters.province} onChange={set('province')}
              all={t('assocAll')} options={choices.provinces.map((p) => ({ value: p.value, text: lang() === 'fa' ? p.fa : p.value }))} />}
            <Select id="city" label={t('assocCity')} value={filters.city} onChange={set('city')} all={t('assocAll')}
              options={choices.cities.map((c) => ({ value: c.value, text: lang() === 'fa' ? c.fa : c.value }))} />
            <Select id="tier" label={t('assocTier')} value={filters.tier} onChange={set('tier')} all={t('assocAll')}
              options={[5, 4, 3, 2, 1].map((n) => ({ value: String(n), text: t('assocTierN', num(n)) }))} />
            <Select id="deprived" label={t('assocDeprived')} value={filters.deprived} onChange={set('deprived')}
              all={t('assocAll')} options={[{ value: 'yes', text: t('assocDeprivedYes') }, { value: 'no', text: t('assocDeprivedNo') }]} />
          </form>
          <p role="status">{t('assocRankingCount', num(rows.length), num(items.length))}{' '}
            {[5, 4, 3, 2, 1].map((n) => t('assocTierCount', num(n), num(counts[n]))).join(lang() === 'fa' ? '، ' : ', ')}</p>
          <div class="table-scroll">
            <table class="report-table" id="ranking-table">
              <caption>{t('assocRankingCaption', digits(data.period.jalali))}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('assocRank')}</th><th scope="col">{t('assocOffice')}</th>
                  <th scope="col">{t('assocProvince')}</th><th scope="col">{t('assocCity')}</th>
                  <th scope="col">{t('assocTier')}</th><th scope="col">{t('assocScore')}</th>
                  <th scope="col">{t('assocDeprived')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.slice(0, shown).map((o) => (
                  <tr key={o.office_id} data-office={o.office_id}>
                    <td>{num(o.rank)}</td>
                    <th scope="row">
                      <a href={`/console/association/offices/${encodeURIComponent(o.office_id)}`}>{named(o)}</a>
                      {' '}<bdi class="muted">{o.office_id}</bdi>
                    </th>
                    <td>{named(o, 'province')}</td>
                    <td>{named(o, 'city')}</td>
                    <td>{num(o.tier)}{o.provisional && <span class="tag">{t('assocProvisional')}</span>}</td>
                    <td>{num(o.score, 1)}</td>
                    <td>{o.deprived ? t('assocDeprivedYes') : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {rows.length > shown && (
            <button type="button" class="button button--secondary" onClick={() => setShown(shown + PAGE * 4)}>
              {t('assocShowMore', num(Math.min(PAGE * 4, rows.length - shown)))}
            </button>
          )}
        </>
      )}
    </ConsolePage>
  );
}
