// The office manager's home: the office at a glance (tier, counters open to bookings, services
// offered, the next licence that lapses) and the way to each of the manager's pages.
import { named, t } from '../../i18n.js';
import { longDate, num } from '../../format.js';
import { Loading } from '../../components/Status.jsx';
import { staff } from '../../staff.js';
import { ConsolePage, Refusal } from '../ConsolePage.jsx';
import { managerApi } from './api.js';
import { useLoad } from './useLoad.js';

const MANAGER = ['office-manager'];
export const MANAGER_PAGES = [
  ['/console/office/manage/services', 'mgrNavServices', 'mgrServicesLead'],
  ['/console/office/manage/hours', 'mgrNavHours', 'mgrHoursLead'],
  ['/console/office/manage/operators', 'mgrNavOperators', 'mgrOperatorsLead'],
  ['/console/office/manage/scorecard', 'mgrNavScorecard', 'mgrScorecardLead'],
  ['/console/office/manage/statement', 'mgrNavStatement', 'mgrStatementLead'],
];

export function ManagerHome() {
  const officeId = staff.current()?.office_id;
  const office = useLoad(() => managerApi.office(officeId), [officeId]);
  const registry = useLoad(() => managerApi.operators());
  const o = office.data;
  const r = registry.data;
  const loss = r?.capacity_changes.find((c) => c.counters_after < c.counters_before);
  return (
    <ConsolePage title={t('mgrHomeTitle')} roles={MANAGER} caption={o ? named(o) : null}>
      {!o && office.loading && <Loading />}
      <Refusal problem={office.error || registry.error} />
      {o && (
        <dl class="counts" data-testid="office-glance">
          <div><dt>{t('mgrTier')}</dt><dd>{o.rank_tier ? num(o.rank_tier) : '—'}</dd></div>
          <div><dt>{t('mgrBookableCounters')}</dt>
            <dd>{r ? `${num(r.bookable_counters)} / ${num(r.declared_counters)}` : num(o.counters)}</dd></div>
          <div><dt>{t('mgrInPersonOnlyCount')}</dt><dd>{num(o.in_person_required.length)}</dd></div>
          <div><dt>{t('mgrClosuresCount')}</dt><dd>{num(o.closures.length)}</dd></div>
        </dl>
      )}
      {loss && (
        <p class="notice notice--warning">{t('mgrCapacityLoss', longDate(loss.jalali, loss.date),
          loss.operator_ids.join('، '), num(loss.counters_before), num(loss.counters_after))}{' '}
          <a href="/console/office/manage/operators">{t('mgrNavOperators')}</a></p>
      )}
      <ul class="link-list mgr-pages">
        {MANAGER_PAGES.map(([href, title, lead]) => (
          <li key={href}><a href={href}>{t(title)}</a><p class="hint">{t(lead)}</p></li>
        ))}
      </ul>
    </ConsolePage>
  );
}
