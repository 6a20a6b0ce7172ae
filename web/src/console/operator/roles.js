export const OPERATOR_ROLES = ['operator', 'office-manager'];
