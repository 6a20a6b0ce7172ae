// The office operator's pages: [path pattern, (params) => page], under /console/office.
export const OPERATOR_ROUTES = [];
