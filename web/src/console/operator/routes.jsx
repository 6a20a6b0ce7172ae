// The office operator's pages: [path pattern, (params) => page], under /console/office.
import { Today } from './Today.jsx';

export const OPERATOR_ROUTES = [
  ['/console/office', () => <Today />],
];
