import { t } from '../i18n.js';
import { digits } from '../format.js';

/** The national ID and mobile a mobile check proved, shown rather than asked again; changing
 * them means a new check (`change`: a link, or a function for an in-page step). */
export function VerifiedCitizen({ verified, change }) {
  return (
    <dl class="summary" data-testid="verified-citizen">
      {[['nationalIdRow', verified.national_id], ['mobileRow', verified.mobile]].map(([row, value]) => (
        <div class="summary__row" key={row}>
          <dt>{t(row)}</dt>
          <dd><bdi dir="ltr">{digits(value)}</bdi></dd>
          <dd class="summary__change">
            {typeof change === 'string'
              ? <a href={change}>{t('change')}<span class="visually-hidden"> {t(row)}</span></a>
              : <button class="link-button" type="button" onClick={change}>{t('change')}<span class="visually-hidden"> {t(row)}</span></button>}
          </dd>
        </div>
      ))}
    </dl>
  );
}
