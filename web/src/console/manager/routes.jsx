// The office manager's pages: [path pattern, (params) => page], under /console/office/manage.
export const MANAGER_ROUTES = [];
