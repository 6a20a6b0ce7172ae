// The association's pages (administrators and provincial representatives): [path pattern,
// (params) => page], under /console/association.
export const ASSOCIATION_ROUTES = [];
