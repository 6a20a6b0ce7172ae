// The association's pages (administrators and provincial representatives): [path pattern,
// (params) => page], under /console/association.
import { EquityPage } from './Equity.jsx';
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
];
