// The association's reports console talks to these public routes only (the staff bearer token goes
// with each call). A provincial representative's own province is applied by the API to the
// statements; the public ranking and equity report are asked for that province only.
import { staffCall, staffDownload } from '../../api.js';

const office = (id) => encodeURIComponent(id);

export const reportsApi = {
  ranking: (province) => staffCall('GET', '/v1/ranking', { query: { province } }),
  scorecard: (id) => staffCall('GET', `/v1/offices/${office(id)}/scorecard`),
  statement: (month) => staffCall('GET', '/v1/admin/accounts/statements', { query: { month } }),
  statementCsv: (month) => staffDownload('/v1/admin/accounts/statements', { month, format: 'csv' }),
  provinces: (month) => staffCall('GET', '/v1/admin/accounts/provinces', { query: { month } }),
  equity: (province) => staffCall('GET', '/v1/reports/equity', { query: { province } }),
  queue: (date) => staffCall('GET', '/v1/admin/network/queue', { query: { date } }),
};
