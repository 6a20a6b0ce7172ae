// The staff consoles, loaded only when a /console page is opened: the citizen app never downloads them.
import { match } from '../router.js';
import { NotFound } from '../pages/NotFound.jsx';
import { ASSOCIATION_ROUTES } from './association/routes.jsx';
import { MANAGER_ROUTES } from './manager/routes.jsx';
import { OPERATOR_ROUTES } from './operator/routes.jsx';

// Manager pages before operator pages: /console/office/manage/... is more specific than /console/office/:x.
export const CONSOLE_ROUTES = [...MANAGER_ROUTES, ...OPERATOR_ROUTES, ...ASSOCIATION_ROUTES];

export function ConsoleRoute({ path }) {
  for (const [pattern, view] of CONSOLE_ROUTES) {
    const params = match(pattern, path);
    if (params) return view(params);
  }
  return <NotFound />;
}
