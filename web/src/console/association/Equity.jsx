// The equity report: offices per 100,000 people and the deprived-area offices with what they
// served, per province, as a schematic map and as a table. No province borders are shipped with
// the project, so the map places each province at its capital (from the shipped province data,
// through the API) and says so; nothing is fetched from a tile server.
import { useState } from 'preact/hooks';
import { lang, named, t } from '../../i18n.js';
import { digits, num } from '../../format.js';
import { ConsolePage, Refusal } from '../ConsolePage.jsx';
import { Loading } from '../../components/Status.jsx';
import { reportsApi } from './api.js';
import { REPORT_ROLES, Select, ownProvince, useLoad } from './common.jsx';
import { provinceMap } from './reports.js';

const W = 520;
const H = 460;
const MEASURES = {
  per100k: (p) => p.offices_per_100k,
  deprivedServed: (p) => p.deprived_served || 0,
};

function EquityMap({ items, measure }) {
  const dots = provinceMap(items, MEASURES[measure], { width: W, height: H });
  const top = [...items].sort((a, b) => (MEASURES[measure](b) || 0) - (MEASURES[measure](a) || 0))[0];
  const label = (p) => (lang() === 'fa' ? p.province_fa : p.province);
  const summary = t(measure === 'per100k' ? 'assocMapSummaryPer100k' : 'assocMapSummaryServed', num(items.length),
    top ? label(top) : '', top ? num(MEASURES[measure](top), 2) : '');
  return (
    <figure class="equity-map">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="equity-map-title equity-map-desc" dir="ltr">
        <title id="equity-map-title">{t(measure === 'per100k' ? 'assocMapTitlePer100k' : 'assocMapTitleServed')}</title>
        <desc id="equity-map-desc">{summary}</desc>
        <rect x="0" y="0" width={W} height={H} class="equity-map__ground" />
        <text x={W - 8} y="18" text-anchor="end" class="equity-map__north">N ↑</text>
        {dots.map((d) => (
          <g key={d.item.province} class={d.item.deprived_offices ? 'equity-map__province equity-map__province--deprived' : 'equity-map__province'}>
            <circle cx={d.x} cy={d.y} r={d.r} />
            <text x={d.x} y={d.y + d.r + 12} text-anchor="middle">{label(d.item)}</text>
          </g>
        ))}
      </svg>
      <figcaption class="hint">{summary} {t('assocMapSchematic')}</figcaption>
    </figure>
  );
}

export function EquityPage() {
  const own = ownProvince();
  const { data, error, loading } = useLoad(() => reportsApi.equity(own || undefined), [own]);
  const [measure, setMeasure] = useState('per100k');
  return (
    <ConsolePage title={t('assocEquityTitle')} roles={REPORT_ROLES}>
      {own && <p class="notice">{t('assocOwnProvince', own)}</p>}
      {loading && <Loading />}
      {error && <Refusal problem={error} />}
      {data && (
        <>
          <p>{data.window ? t('assocEquityWindow', digits(data.window.jalali), num(data.window.months))
            : t('assocEquityNoWindow')}</p>
          <form class="filters" onSubmit={(e) => e.preventDefault()}>
            <Select id="measure" label={t('assocMapMeasure')} value={measure} onChange={setMeasure}
              options={[{ value: 'per100k', text: t('assocPer100k') }, { value: 'deprivedServed', text: t('assocDeprivedServed') }]} />
          </form>
          <EquityMap items={data.items} measure={measure} />
          <div class="table-scroll">
            <table class="report-table" id="equity-table">
              <caption>{t('assocEquityCaption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('assocProvince')}</th><th scope="col">{t('assocPopulation')}</th>
                  <th scope="col">{t('assocOfficesCol')}</th><th scope="col">{t('assocPer100k')}</th>
                  <th scope="col">{t('assocDeprivedOffices')}</th><th scope="col">{t('assocDeprivedServed')}</th>
                  <th scope="col">{t('assocDeprivedList')}</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((p) => (
                  <tr key={p.province}>
                    <th scope="row">{named(p, 'province')}</th><td>{num(p.population)}</td><td>{num(p.offices)}</td>
                    <td>{num(p.offices_per_100k, 2)}</td><td>{num(p.deprived_offices)}</td>
                    <td>{p.deprived_served == null ? '—' : num(p.deprived_served)}</td>
                    <td>{p.deprived.map((o, i) => (
                      <span key={o.office_id}>{i > 0 && (lang() === 'fa' ? '، ' : ', ')}{named(o)} (<bdi>{o.office_id}</bdi>
                        {o.served != null && <>: {num(o.served)}</>})</span>
                    ))}</td>
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
