// The office manager's pages: [path pattern, (params) => page], under /console/office/manage.
import { ManagerHome } from './Home.jsx';
import { ManagerHours } from './Hours.jsx';
import { ManagerOperators } from './Operators.jsx';
import { ManagerScorecard } from './Scorecard.jsx';
import { ManagerServices } from './Services.jsx';
import { ManagerStatement } from './Statement.jsx';
import './manager.css';

export const MANAGER_ROUTES = [
  ['/console/office/manage', () => <ManagerHome />],
  ['/console/office/manage/services', () => <ManagerServices />],
  ['/console/office/manage/hours', () => <ManagerHours />],
  ['/console/office/manage/operators', () => <ManagerOperators />],
  ['/console/office/manage/scorecard', () => <ManagerScorecard />],
  ['/console/office/manage/statement', () => <ManagerStatement />],
];
