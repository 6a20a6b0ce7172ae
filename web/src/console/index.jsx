// The staff consoles, loaded only when a /console page is opened: the citizen app never downloads them.
// The consoles' words first: the pages below may use them as soon as they load.
import './strings.js';
import { match } from '../router.js';
import { NotFound } from '../pages/NotFound.jsx';
import { t } from '../i18n.js';
import { ASSOCIATION_ROUTES } from './association/routes.jsx';
import { ConsolePage } from './ConsolePage.jsx';
import { MANAGER_ROUTES } from './manager/routes.jsx';
import { OPERATOR_ROUTES } from './operator/routes.jsx';
import { ConsoleHome, SignIn } from './SignIn.jsx';
import './console.css';

const SHELL_ROUTES = [
  ['/console', () => <ConsoleHome />],
  ['/console/sign-in', () => <SignIn />],
];

// Each console's home while its pages are still to come (a console's own route wins: it is earlier).
const PLACEHOLDERS = [
  ['/console/office/manage', () => (
    <ConsolePage title={t('consoleNavManager')} roles={['office-manager']}><p>{t('consoleComing')}</p></ConsolePage>)],
  ['/console/association', () => (
    <ConsolePage title={t('consoleNavAssociation')} roles={['association-admin', 'provincial-representative']}>
      <p>{t('consoleComing')}</p></ConsolePage>)],
];

// Manager pages before operator pages: /console/office/manage/... is more specific than /console/office/:x.
export const CONSOLE_ROUTES = [...SHELL_ROUTES, ...MANAGER_ROUTES, ...OPERATOR_ROUTES, ...ASSOCIATION_ROUTES,
  ...PLACEHOLDERS];

export function ConsoleRoute({ path }) {
  for (const [pattern, view] of CONSOLE_ROUTES) {
    const params = match(pattern, path);
    if (params) return view(params);
  }
  return <NotFound />;
}
