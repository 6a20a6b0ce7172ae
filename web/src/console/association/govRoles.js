// Who may open the governance pages: partners, the calendar, routing and the ranking policy are the
// association administrators' (the API refuses anyone else); complaints and inspections are also a
// provincial representative's, for the offices of their province.
export const ADMIN = ['association-admin'];
export const ADMIN_OR_REPRESENTATIVE = ['association-admin', 'provincial-representative'];
