// The office's monthly statement: its services, the fees recorded, its share base and the levy at
// its tier's share; any month, and a CSV for the office's books.
import { useState } from 'preact/hooks';
import { monthName, t } from '../../i18n.js';
import { digits, money, num } from '../../format.js';
import { Field } from '../../components/Field.jsx';
import { Loading } from '../../components/Status.jsx';
import { ConsolePage, Refusal } from '../ConsolePage.jsx';
import { managerApi } from './api.js';
import { monthOf, monthsBack } from './model.js';
import { useLoad } from './useLoad.js';

const MANAGER = ['office-manager'];
const label = (month) => {
  const [y, m] = month.split('-').map(Number);
  return `${monthName(m)} ${digits(y)}`;
};

export function ManagerStatement() {
  const months = monthsBack(monthOf(new Date().toISOString().slice(0, 10)), 12);
  const [month, setMonth] = useState(months[0]);
  const st = useLoad(() => managerApi.statement(month), [month]);
  const [problem, setProblem] = useState(null);
  const download = async () => {
    setProblem(null);
    try {
      const { text } = await managerApi.statementCsv(month);
      const a = document.createElement('a');
      a.href = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
      a.download = `statement-${month}.csv`;
      a.click();
      URL.revokeObjectURL(a.href);
    } catch (err) {
      setProblem(err);
    }
  };
  const s = st.data;
  const line = s?.items[0];
  return (
    <ConsolePage title={t('mgrStatementTitle')} roles={MANAGER}>
      <div class="inline-form">
        <Field id="month" label={t('mgrMonth')}>
          <select id="month" class="input input--11" value={month} onChange={(e) => setMonth(e.currentTarget.value)}>
            {months.map((m) => <option key={m} value={m}>{label(m)}</option>)}
          </select>
        </Field>
        <button type="button" class="button button--secondary" onClick={download}>{t('mgrCsv')}</button>
      </div>
      <Refusal problem={st.error || problem} />
      {st.loading && !s && <Loading />}
      {s && (line ? (
        <dl class="facts" data-testid="statement">
          <div><dt>{t('mgrStServices')}</dt><dd>{num(line.services)}</dd></div>
          <div><dt>{t('mgrStGovernment')}</dt><dd>{t('mgrRials', money(line.government_rials))}</dd></div>
          <div><dt>{t('mgrStOffice')}</dt><dd>{t('mgrRials', money(line.office_rials))}</dd></div>
          <div><dt>{t('mgrStBase')}</dt><dd>{t('mgrRials', money(line.share_base_rials))}</dd></div>
          <div><dt>{t('mgrStShare')}</dt><dd>{t('mgrStShareOf', num(line.tier), num(line.share_percent, 2))}</dd></div>
          <div class="facts__total"><dt>{t('mgrStLevy')}</dt><dd>{t('mgrRials', money(line.levy_rials))}</dd></div>
        </dl>
      ) : <p class="muted" data-testid="statement-empty">{t('mgrStEmpty', label(month))}</p>)}
      {s && <p class="hint">{s.ranking_period
        ? t('mgrStSource', label(s.ranking_period.month), s.policy_version) : t('mgrStNoRanking')}</p>}
    </ConsolePage>
  );
}
