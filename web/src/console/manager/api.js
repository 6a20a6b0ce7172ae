// The office manager's calls: every /v1/office/... route is scoped by the token's office, so no
// office id travels in these paths; the office's public pages (its closures, its scorecard) take it.
import { staffCall, staffDownload } from '../../api.js';

const enc = encodeURIComponent;

export const managerApi = {
  office: (officeId) => staffCall('GET', `/v1/offices/${enc(officeId)}`),
  declarations: (cursor) => staffCall('GET', '/v1/office/services', { query: { cursor, limit: 200 } }),
  declare: (serviceId, body) => staffCall('PUT', `/v1/office/services/${enc(serviceId)}`, { body }),
  hours: () => staffCall('GET', '/v1/office/hours'),
  setHours: (hours) => staffCall('PUT', '/v1/office/hours', { body: { hours } }),
  dayBookings: (date) => staffCall('GET', '/v1/office/bookings', { query: { date } }),
  closeDay: (day, body) => staffCall('PUT', `/v1/office/closures/${enc(day)}`, { body }),
  reopenDay: (day) => staffCall('DELETE', `/v1/office/closures/${enc(day)}`),
  operators: () => staffCall('GET', '/v1/office/operators'),
  registerOperator: (operatorId, body) => staffCall('PUT', `/v1/office/operators/${enc(operatorId)}`, { body }),
  removeOperator: (operatorId) => staffCall('DELETE', `/v1/office/operators/${enc(operatorId)}`),
  scorecard: (officeId) => staffCall('GET', `/v1/offices/${enc(officeId)}/scorecard`),
  statement: (month) => staffCall('GET', '/v1/office/accounts/statement', { query: { month } }),
  statementCsv: (month) => staffDownload('/v1/office/accounts/statement', { month, format: 'csv' }),
};
