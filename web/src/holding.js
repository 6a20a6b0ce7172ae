// Holding a chosen time for the citizen (POST /v1/holds, with their session) and keeping what the
// rest of the booking journey needs. Used by the times page, and by the mobile check when the time
// was chosen before the citizen had a session.
import { api } from './api.js';
import { journey } from './journey.js';

/** `choice`: {officeId, serviceId, office: {office_id, name_fa, name_en}, slot: {at, jalali}}. */
export async function holdTime(choice) {
  const hold = await api.hold({ office_id: choice.officeId, service_id: choice.serviceId, start: choice.slot.at });
  const state = journey.get();
  const service = state.service?.service_id === choice.serviceId ? state.service : await api.service(choice.serviceId);
  return journey.update({
    officeId: choice.officeId, office: choice.office, serviceId: choice.serviceId, service, slot: choice.slot, hold,
    booked: null, idempotency: null, chosen: null, holdRefused: null,
  });
}

/** The times page of a choice. */
export const timesPage = (choice) => `/offices/${choice.officeId}/services/${choice.serviceId}/days/${choice.slot.at.slice(0, 10)}`;
