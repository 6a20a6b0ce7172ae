// The office operator's calls: the operator's own office only (the API reads it from the token).
import { api, staffCall } from '../../api.js';

const enc = encodeURIComponent;

export const operatorApi = {
  dayPath: '/v1/office/bookings',
  deskPath: '/v1/office/tickets',
  workPath: '/v1/office/requests',
  countersPath: '/v1/office/counters',
  booking: (bookingId) => staffCall('GET', `/v1/office/bookings/${enc(bookingId)}`),
  checkIn: (bookingId, nationalId) => staffCall('POST', `/v1/office/bookings/${enc(bookingId)}/check-in`,
    { body: { national_id: nationalId } }),
  complete: (bookingId) => staffCall('POST', `/v1/office/bookings/${enc(bookingId)}/complete`),
  noShow: (bookingId) => staffCall('POST', `/v1/office/bookings/${enc(bookingId)}/no-show`),
  issueTicket: (serviceId, nationalId) => staffCall('POST', '/v1/office/tickets',
    { body: { service_id: serviceId, ...(nationalId ? { national_id: nationalId } : {}) } }),
  desk: (action, counter, ticket) => staffCall('POST', `/v1/office/desk/${action}`,
    { body: { counter, ...(ticket ? { ticket } : {}) } }),
  request: (code) => staffCall('GET', `/v1/office/requests/${enc(code)}`),
  pullNext: () => staffCall('POST', '/v1/office/queue/next'),
  act: (code, action, body) => staffCall('POST', `/v1/office/requests/${enc(code)}/${action}`, body ? { body } : {}),
  setCounters: (open) => staffCall('POST', '/v1/office/counters', { body: { open } }),
  /** The services a walk-in may ask for here: the office's categories, not remote-only. */
  async walkInServices(officeId) {
    const office = await api.office(officeId);
    const found = [];
    for (let cursor = 0; cursor !== null && found.length < 1000;) {
      const page = await api.services(undefined, undefined, cursor);
      found.push(...page.items);
      cursor = page.next_cursor;
    }
    const categories = new Set(office.offered_categories);
    return found.filter((s) => categories.has(s.category) && s.mode !== 'remote_only');
  },
};
