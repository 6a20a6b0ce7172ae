// The association's governance calls (partners, the network calendar, routing parameters, the
// ranking policy and its simulator, complaints and inspections): the public /v1 API only, with the
// staff session's token (api.js's staffCall).
import { staffCall } from '../../api.js';

const enc = encodeURIComponent;

export const governance = {
  partners: () => staffCall('GET', '/v1/admin/partners'),
  savePartner: (id, body) => staffCall('PUT', `/v1/admin/partners/${enc(id)}`, { body }),
  rotateSecret: (id) => staffCall('POST', `/v1/admin/partners/${enc(id)}/secrets`),
  retireSecret: (id, secretId) => staffCall('DELETE', `/v1/admin/partners/${enc(id)}/secrets/${enc(secretId)}`),

  closurePreview: (day, limit = 200) => staffCall('GET', `/v1/admin/calendar/${enc(day)}/closure-preview`,
    { query: { limit } }),
  correctDay: (day, body) => staffCall('PUT', `/v1/admin/calendar/${enc(day)}`, { body }),
  holidays: (from, to) => staffCall('GET', '/v1/calendar/holidays', { query: { from, to } }),

  routingParams: () => staffCall('GET', '/v1/admin/routing/params'),
  proposeRouting: (expectedNumber, changes) => staffCall('PUT', '/v1/admin/routing/params',
    { body: { expected_number: expectedNumber, changes } }),

  rankingPolicy: () => staffCall('GET', '/v1/admin/ranking/policy'),
  simulate: (body) => staffCall('POST', '/v1/admin/ranking/simulate', { body }),

  complaints: (officeId, body) => staffCall('POST', `/v1/admin/ranking/offices/${enc(officeId)}/complaints`, { body }),
  inspection: (officeId, body) => staffCall('POST', `/v1/admin/ranking/offices/${enc(officeId)}/inspections`, { body }),
};
