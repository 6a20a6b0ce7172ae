import { useEffect, useRef } from 'preact/hooks';
import { t } from '../i18n.js';

// The first page a visitor lands on keeps the browser's own focus (the skip link comes first);
// after that, every page change moves the focus to the new heading, as a page load would.
let landed = false;

/** One page: its <title> (prefixed with the error word when it shows errors) and one <h1>,
 * focused when the page opens so screen readers start from it. */
export function Page({ title, caption, hasErrors = false, back, children }) {
  const h1 = useRef(null);
  useEffect(() => {
    document.title = `${hasErrors ? t('errorPrefix') : ''}${title} – ${t('siteName')}`;
  }, [title, hasErrors]);
  useEffect(() => {
    if (!landed) {
      landed = true;
      return;
    }
    if (!document.querySelector('.error-summary')) h1.current?.focus();
  }, [title]);
  return (
    <>
      {back && <a class="back-link" href={back}>{t('back')}</a>}
      {/* A caption still loading (null) keeps its line, so the heading does not jump when it comes. */}
      {caption !== undefined && <p class="caption">{caption || '\u00a0'}</p>}
      <h1 tabIndex={-1} ref={h1}>{title}</h1>
      {children}
    </>
  );
}
