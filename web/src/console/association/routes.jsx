// The association's pages (administrators and provincial representatives): [path pattern,
// (params) => page], under /console/association.
import { EquityPage } from './Equity.jsx';
import { GovCalendar } from './GovCalendar.jsx';
import { GovInputs } from './GovInputs.jsx';
import { GovPartners } from './GovPartners.jsx';
import { GovPolicy } from './GovPolicy.jsx';
import { GovRouting } from './GovRouting.jsx';
import { QueuePage } from './Queue.jsx';
import { RankingPage } from './Ranking.jsx';
import { ScorecardPage } from './Scorecard.jsx';
import { StatementsPage } from './Statements.jsx';

export const ASSOCIATION_ROUTES = [
  // reports
  ['/console/association', () => <RankingPage />],
  ['/console/association/offices/:office', (p) => <ScorecardPage officeId={p.office} />],
  ['/console/association/statements', () => <StatementsPage />],
  ['/console/association/equity', () => <EquityPage />],
  ['/console/association/queue', () => <QueuePage />],
  // governance
  ['/console/association/partners', () => <GovPartners />],
  ['/console/association/calendar', () => <GovCalendar />],
  ['/console/association/routing', () => <GovRouting />],
  ['/console/association/policy', () => <GovPolicy />],
  ['/console/association/inputs', () => <GovInputs />],
];
