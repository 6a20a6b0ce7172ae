import { useEffect, useRef } from 'preact/hooks';
import { t } from '../i18n.js';

/** The list of problems at the top of a page, focused when it appears; each links to its field.
 * `errors` is [{field, message}] where field is the id of the input (or null for the whole page). */
export function ErrorSummary({ errors }) {
  const box = useRef(null);
  useEffect(() => {
    if (errors.length) box.current?.focus();
  }, [errors]);
  if (!errors.length) return null;
  return (
    <div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabIndex={-1} ref={box}>
      <h2 id="error-summary-title">{t('errorSummaryTitle')}</h2>
      <ul>
        {errors.map((e) => (
          <li key={`${e.field}|${e.message}`}>
            {e.field ? <a href={`#${e.field}`} onClick={(ev) => {
              ev.preventDefault();
              document.getElementById(e.field)?.focus();
            }}>{e.message}</a> : e.message}
          </li>
        ))}
      </ul>
    </div>
  );
}
