// The booking journey between pages. What identifies the choice (service, office, day, time,
// hold) survives a reload in sessionStorage; the citizen's national ID and mobile live in memory
// only, and the access code is never stored anywhere.
const KEY = 'ejso.journey';

let memory = { details: null, lastBooking: null, managed: null, lastRequest: null, tracked: null };

function load() {
  try { return JSON.parse(sessionStorage.getItem(KEY)) || {}; } catch { return {}; }
}

export const journey = {
  get: () => load(),
  update(patch) {
    const next = { ...load(), ...patch };
    try { sessionStorage.setItem(KEY, JSON.stringify(next)); } catch { /* private mode */ }
    return next;
  },
  reset() {
    try { sessionStorage.removeItem(KEY); } catch { /* ignore */ }
    memory = { ...memory, details: null };
  },
  details: () => memory.details,
  setDetails(d) { memory.details = d; },
  lastBooking: () => memory.lastBooking,
  setLastBooking(b) { memory.lastBooking = b; },
  // The booking being managed and its access code, while the page is open (to move it).
  lastRequest: () => memory.lastRequest,
  setLastRequest(r) { memory.lastRequest = r; },
  // The remote request being followed and its access code, while the page is open.
  tracked: () => memory.tracked,
  setTracked(r) { memory.tracked = r; },
  managed: () => memory.managed,
  setManaged(m) { memory.managed = m; },
};
