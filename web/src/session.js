// The citizen's session: the proof, from a one-time code, that this person holds this mobile. It
// lives for its own lifetime in this tab only (memory, and sessionStorage so a reload keeps it);
// never in localStorage, never in a URL. With it the session's national ID and mobile as the
// citizen typed them: bookings and remote requests must carry exactly those.
const KEY = 'ejso.citizen';
// A session about to lapse is treated as gone: a request sent with it would fail on the way.
const MARGIN_MS = 10_000;

let memory;

function storage() {
  try { return globalThis.sessionStorage || null; } catch { return null; }
}

/** Whether a stored session still has time left at `now` (ms since the epoch). */
export function alive(stored, now = Date.now()) {
  const until = Date.parse(stored?.expires?.at);
  return Boolean(stored?.session) && Number.isFinite(until) && until - now > MARGIN_MS;
}

function load() {
  if (memory !== undefined) return memory;
  try { memory = JSON.parse(storage()?.getItem(KEY)) || null; } catch { memory = null; }
  return memory;
}

export const citizen = {
  /** The live session ({session, expires, national_id, mobile, masked}) or null. */
  current(now = Date.now()) {
    const stored = load();
    if (stored && !alive(stored, now)) {
      citizen.clear();
      return null;
    }
    return stored;
  },
  /** Keep the API's answer to a verified code, with what the citizen typed. */
  save(verified, typed) {
    memory = {
      session: verified.session, expires: verified.expires,
      national_id: typed.national_id, mobile: typed.mobile,
      masked: { national_id: verified.national_id, mobile: verified.mobile },
    };
    try { storage()?.setItem(KEY, JSON.stringify(memory)); } catch { /* private mode: memory only */ }
    return memory;
  },
  clear() {
    memory = null;
    try { storage()?.removeItem(KEY); } catch { /* ignore */ }
  },
  /** The Authorization header of a citizen call, or none. */
  headers(now = Date.now()) {
    const live = citizen.current(now);
    return live ? { Authorization: `Bearer ${live.session}` } : {};
  },
};
