// Small pieces the operator's pages share.
import { digits, num, timeOf } from '../../format.js';
import { t } from '../../i18n.js';

/** A row of big numbers: [{key, label, value, live?}]; a live one is announced when it changes. */
export function Counts({ items }) {
  return (
    <dl class="counts">
      {items.map((c) => (
        <div key={c.key} class={c.live ? 'counts__live' : undefined} id={`count-${c.key}`}>
          <dt>{c.label}</dt>
          <dd data-count={c.value ?? ''}>
            {c.live ? <span role="status">{c.value == null ? '–' : num(c.value)}</span> : c.value == null ? '–' : num(c.value)}
          </dd>
        </div>
      ))}
    </dl>
  );
}

export const Id = ({ children }) => <bdi dir="ltr">{children}</bdi>;
export const at = (instant) => (instant ? timeOf(instant) : '–');
export const minutes = (m) => (m == null ? '–' : t('opMinutes', digits(Math.round(m))));
