// The national remote queue through a day: its length each minute, drawn by its peak in each ten
// minutes (a short series minute by minute), and the last snapshot's count. The queue is national: a representative sees it too.
import { useState } from 'preact/hooks';
import { t } from '../../i18n.js';
import { digits, longDate, num } from '../../format.js';
import { ConsolePage, Refusal } from '../ConsolePage.jsx';
import { Loading } from '../../components/Status.jsx';
import { LineChart } from '../../components/charts.jsx';
import { reportsApi } from './api.js';
import { REPORT_ROLES, useLoad } from './common.jsx';
import { bucketSamples } from './reports.js';

export function QueuePage() {
  const [day, setDay] = useState('');
  const { data, error, loading } = useLoad(() => reportsApi.queue(day || undefined), [day]);
  // A busy day's 1,440 samples are drawn by the peak of each ten minutes; a short series as it is.
  const minutes = data && data.samples.length > 90 ? 10 : 1;
  const buckets = data ? bucketSamples(data.samples, minutes) : [];
  const peak = buckets.reduce((m, b) => Math.max(m, b.value), 0);
  return (
    <ConsolePage title={t('assocQueueTitle')} roles={REPORT_ROLES}>
      <form class="filters" onSubmit={(e) => { e.preventDefault(); setDay(e.currentTarget.elements.day.value); }}>
        <div class="field field--inline">
          <label for="day">{t('assocQueueDay')}</label>
          <p class="hint" id="day-hint">{t('assocQueueDayHint')}</p>
          <input id="day" name="day" class="input input--20" dir="ltr" aria-describedby="day-hint" defaultValue={day} />
        </div>
        <button type="submit" class="button button--secondary">{t('assocShow')}</button>
      </form>
      {loading && <Loading />}
      {error && <Refusal problem={error} />}
      {data && (
        <>
          <p id="queue-latest">{data.latest ? t('assocQueueLatest', num(data.latest.length), digits(data.latest.jalali))
            : t('assocQueueNoSnapshot')}</p>
          {buckets.length ? (
            <LineChart integer title={t('assocQueueChart', longDate(data.jalali, data.date))}
              summary={t('assocQueueSummary', num(data.samples.length), num(minutes), num(peak))}
              columns={[t('assocTime'), t('assocQueueLength')]}
              points={buckets.map((b) => ({ label: digits(b.time), value: b.value }))} />
          ) : <p class="notice">{t('assocQueueEmpty', longDate(data.jalali, data.date))}</p>}
        </>
      )}
    </ConsolePage>
  );
}
