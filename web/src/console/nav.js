// The consoles' navigation: [href, string key, roles that may open it]. Each console adds its
// pages on its own lines (operator, then manager, then association) so rebases stay clean.
export const CONSOLE_NAV = [
  // operator
  ['/console/office', 'opNavToday', ['operator', 'office-manager']],
  ['/console/office/desk', 'opNavDesk', ['operator', 'office-manager']],
  ['/console/office/remote', 'opNavRemote', ['operator', 'office-manager']],
  // manager
  ['/console/office/manage', 'consoleNavManager', ['office-manager']],
  ['/console/office/manage/services', 'mgrNavServices', ['office-manager']],
  ['/console/office/manage/hours', 'mgrNavHours', ['office-manager']],
  ['/console/office/manage/operators', 'mgrNavOperators', ['office-manager']],
  ['/console/office/manage/scorecard', 'mgrNavScorecard', ['office-manager']],
  ['/console/office/manage/statement', 'mgrNavStatement', ['office-manager']],
  // association
  ['/console/association', 'consoleNavAssociation', ['association-admin', 'provincial-representative']],
  ['/console/association/statements', 'assocNavStatements', ['association-admin', 'provincial-representative']],
  ['/console/association/equity', 'assocNavEquity', ['association-admin', 'provincial-representative']],
  ['/console/association/queue', 'assocNavQueue', ['association-admin', 'provincial-representative']],
  // association: governance
  ['/console/association/partners', 'assocGovNavPartners', ['association-admin']],
  ['/console/association/calendar', 'assocGovNavCalendar', ['association-admin']],
  ['/console/association/routing', 'assocGovNavRouting', ['association-admin']],
  ['/console/association/policy', 'assocGovNavPolicy', ['association-admin']],
  ['/console/association/inputs', 'assocGovNavInputs', ['association-admin', 'provincial-representative']],
];
