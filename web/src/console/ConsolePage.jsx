import { useEffect } from 'preact/hooks';
import { NetworkError } from '../api.js';
import { Page } from '../components/Page.jsx';
import { t } from '../i18n.js';
import { navigate } from '../router.js';
import { homeOf, staff } from '../staff.js';
import { CONSOLE_NAV } from './nav.js';

const here = () => location.pathname + location.search;

/** Who is signed in, sign out, and the pages this role may open (the current one marked). */
function ConsoleBar({ session }) {
  const signOut = () => {
    staff.signOut();
    navigate('/console/sign-in', { replace: true });
  };
  const where = session.office_id || session.province;
  const links = CONSOLE_NAV.filter(([, , roles]) => roles.includes(session.role));
  return (
    <div class="console-bar">
      <p class="console-bar__who">
        <bdi dir="ltr">{session.email}</bdi>{' — '}{t('consoleRole', session.role)}
        {where && <>{' — '}<bdi dir="ltr">{where}</bdi></>}
        <button type="button" class="link-button console-bar__out" onClick={signOut}>{t('consoleSignOut')}</button>
      </p>
      {links.length > 0 && (
        <nav class="console-nav" aria-label={t('consoleNavLabel')}>
          <ul>
            {links.map(([href, key]) => (
              <li key={href}>
                <a href={href} aria-current={location.pathname === href ? 'page' : undefined}>{t(key)}</a>
              </li>
            ))}
          </ul>
        </nav>
      )}
    </div>
  );
}

/** A console page: requires a staff session (else sends to the sign-in page and back here after),
 * refuses a role not in `roles` with why, and lays out who is signed in, sign out and the nav. */
export function ConsolePage({ title, roles, caption, hasErrors, children }) {
  const session = staff.current();
  useEffect(() => {
    if (!session) navigate(`/console/sign-in?next=${encodeURIComponent(here())}`, { replace: true });
  }, [session]);
  if (!session) return <p class="loading" role="status">{t('consoleSigningIn')}</p>;
  const allowed = !roles || roles.includes(session.role);
  return (
    <div class="console" data-console-ready={allowed ? '' : undefined}>
      <ConsoleBar session={session} />
      {allowed ? (
        <Page title={title} caption={caption} hasErrors={hasErrors}>{children}</Page>
      ) : (
        <Page title={t('consoleNotYourRoleTitle')}>
          <p>{t('consoleNotYourRole', t('consoleRole', session.role))}</p>
          {homeOf(session.role) && <p><a href={homeOf(session.role)}>{t('consoleGoHome')}</a></p>}
        </Page>
      )}
    </div>
  );
}

/** Why the API refused (its problem+json, in the page's language) and what that means here:
 * 404 is "not in your office / province", 403 "not for your role", 401 "sign in again". */
export function Refusal({ problem }) {
  if (!problem) return null;
  if (problem instanceof NetworkError || !problem.message_) {
    return <div class="notice notice--error" role="alert">{t('networkError')}</div>;
  }
  const why = { 401: 'consoleRefused401', 403: 'consoleRefused403', 404: 'consoleRefused404' }[problem.status];
  return (
    <div class="notice notice--error refusal" role="alert" data-status={problem.status}>
      <h2 class="refusal__title">{t('consoleRefusedTitle')}</h2>
      <p>{problem.message_()}</p>
      {why && <p>{t(why)}</p>}
      {problem.status === 401 && (
        <p><a href={`/console/sign-in?next=${encodeURIComponent(here())}`}>{t('consoleSignInAgain')}</a></p>
      )}
    </div>
  );
}
