// Monthly statements: the month's province summary and office lines as the API computes them, and
// the CSV the API writes, downloaded as it is (the finance office's file). A provincial
// representative is given their province's lines only, by the API.
import { useState } from 'preact/hooks';
import { named, t } from '../../i18n.js';
import { queryParam } from '../../router.js';
import { digits, money, num } from '../../format.js';
import { ConsolePage, Refusal } from '../ConsolePage.jsx';
import { Loading } from '../../components/Status.jsx';
import { reportsApi } from './api.js';
import { REPORT_ROLES, Select, ownProvince, useLoad } from './common.jsx';
import { csvTotal, monthOf, recentMonths } from './reports.js';

const PAGE = 100;

function filename(headers, month) {
  const m = /filename="?([^";]+)"?/.exec(headers?.get?.('Content-Disposition') || headers?.['content-disposition'] || '');
  return m ? m[1] : `statement-${month}.csv`;
}

function Download({ month }) {
  const [state, setState] = useState({ busy: false, error: null, total: null });
  async function download() {
    setState({ busy: true, error: null, total: null });
    try {
      const { text, headers } = await reportsApi.statementCsv(month);
      const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = filename(headers, month);
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setState({ busy: false, error: null, total: csvTotal(text) });
    } catch (error) {
      setState({ busy: false, error, total: null });
    }
  }
  return (
    <div class="report-box">
      <button type="button" class="button" id="download-csv" onClick={download} disabled={state.busy}>
        {t('assocDownloadCsv', digits(month.replace('-', '/')))}
      </button>
      {state.error && <Refusal problem={state.error} />}
      {state.total && (
        <p role="status" id="csv-total">{t('assocCsvSaved', money(state.total.levy_rials), num(state.total.services))}</p>
      )}
    </div>
  );
}

export function StatementsPage() {
  const own = ownProvince();
  // A month can be linked to (?month=1405-09); the choices are the last twelve and that one.
  const asked = /^\d{4}-\d{2}$/.test(queryParam('month') || '') ? queryParam('month') : null;
  const recent = recentMonths(monthOf(new Date().toISOString().slice(0, 10)), 12);
  const months = asked && !recent.includes(asked) ? [asked, ...recent] : recent;
  const [month, setMonth] = useState(asked || recent[0]);
  const [shown, setShown] = useState(PAGE);
  const statement = useLoad(() => reportsApi.statement(month), [month]);
  const provinces = useLoad(() => reportsApi.provinces(month), [month]);
  // The statements name provinces in English; the equity report gives their Persian names too.
  const places = useLoad(() => reportsApi.equity(own || undefined), [own]);
  const provinceName = (p) => {
    const row = places.data?.items.find((x) => x.province === p);
    return row ? named(row, 'province') : p;
  };
  const st = statement.data;
  return (
    <ConsolePage title={t('assocStatementsTitle')} roles={REPORT_ROLES}>
      {own && <p class="notice">{t('assocOwnProvince', own)}</p>}
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <Select id="month" label={t('assocMonth')} value={month} onChange={(m) => { setMonth(m); setShown(PAGE); }}
          options={months.map((m) => ({ value: m, text: digits(m.replace('-', '/')) }))} />
      </form>
      {(statement.loading || provinces.loading) && <Loading />}
      {statement.error && <Refusal problem={statement.error} />}
      {st && (
        <>
          <dl class="summary">
            <div class="summary__row"><dt>{t('assocTotalLevy')}</dt>
              <dd id="statement-total" data-rials={st.total_levy_rials}>{t('assocRials', money(st.total_levy_rials))}</dd></div>
            <div class="summary__row"><dt>{t('assocTotalShareBase')}</dt><dd>{t('assocRials', money(st.total_share_base_rials))}</dd></div>
            <div class="summary__row"><dt>{t('assocStatementSource')}</dt>
              <dd>{st.ranking_period ? t('assocStatementRanking', digits(st.ranking_period.jalali), digits(st.policy_version))
                : t('assocStatementNoRanking')}</dd></div>
          </dl>
          <Download month={month} />
        </>
      )}
      {provinces.data && (
        <div class="table-scroll">
          <table class="report-table">
            <caption>{t('assocProvincesCaption', digits(provinces.data.jalali))}</caption>
            <thead>
              <tr>
                <th scope="col">{t('assocProvince')}</th><th scope="col">{t('assocOfficesCol')}</th>
                <th scope="col">{t('assocDeprivedOffices')}</th><th scope="col">{t('assocServices')}</th>
                <th scope="col">{t('assocShareBase')}</th><th scope="col">{t('assocLevy')}</th>
              </tr>
            </thead>
            <tbody>
              {provinces.data.items.map((p) => (
                <tr key={p.province}>
                  <th scope="row">{provinceName(p.province)}</th><td>{num(p.offices)}</td><td>{num(p.deprived_offices)}</td>
                  <td>{num(p.services)}</td><td>{money(p.share_base_rials)}</td><td>{money(p.levy_rials)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {st && (
        <>
          <div class="table-scroll">
            <table class="report-table" id="statement-table">
              <caption>{t('assocStatementCaption', digits(st.jalali), num(st.items.length))}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('assocOffice')}</th><th scope="col">{t('assocProvince')}</th>
                  <th scope="col">{t('assocTier')}</th><th scope="col">{t('assocShare')}</th>
                  <th scope="col">{t('assocServices')}</th><th scope="col">{t('assocShareBase')}</th>
                  <th scope="col">{t('assocLevy')}</th>
                </tr>
              </thead>
              <tbody>
                {st.items.slice(0, shown).map((i) => (
                  <tr key={i.office_id} data-office={i.office_id}>
                    <th scope="row"><a href={`/console/association/offices/${encodeURIComponent(i.office_id)}`}>
                      <bdi>{i.office_id}</bdi></a></th>
                    <td>{provinceName(i.province)}</td><td>{num(i.tier)}</td><td>{num(i.share_percent, 2)}٪</td>
                    <td>{num(i.services)}</td><td>{money(i.share_base_rials)}</td><td>{money(i.levy_rials)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {st.items.length > shown && (
            <button type="button" class="button button--secondary" onClick={() => setShown(shown + PAGE * 5)}>
              {t('assocShowMore', num(Math.min(PAGE * 5, st.items.length - shown)))}
            </button>
          )}
        </>
      )}
    </ConsolePage>
  );
}
