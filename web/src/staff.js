// The staff session: an operator, office manager, association administrator or provincial
// representative signed in to the staff Cognito pool. The browser talks to Cognito itself (the
// API never sees a password): the pool, its web client, the endpoint and the flow come from the
// API's public GET /v1/staff/sign-in-config. Locally (cognito-local) the flow is
// USER_PASSWORD_AUTH, a plain InitiateAuth call written here; in AWS the web client allows only
// SRP (USER_SRP_AUTH), done by ./srp.js, loaded only then. A TOTP challenge (MFA is required in
// prod) is answered with RespondToAuthChallenge. The tokens live in memory and sessionStorage
// (this tab only, never localStorage); the ID token is what the API takes as Bearer.
const KEY = 'ejso.staff';
// A token about to lapse is refreshed first: a call sent with it would fail on the way.
const REFRESH_MARGIN_MS = 5 * 60_000;
const TARGET = 'AWSCognitoIdentityProviderService.';

/** Why a sign-in failed: `kind` is 'credentials' (wrong email or password), 'code' (a wrong MFA
 * code), 'unavailable' (Cognito or the API cannot be reached), 'unsupported' (a step this page does
 * not do, e.g. a first sign-in that must set a new password), or 'other'. */
export class StaffSignInError extends Error {
  constructor(kind, message) {
    super(message || kind);
    this.kind = kind;
  }
}

let memory;
let config;

function storage() {
  try { return globalThis.sessionStorage || null; } catch { return null; }
}

function load() {
  if (memory !== undefined) return memory;
  try { memory = JSON.parse(storage()?.getItem(KEY)) || null; } catch { memory = null; }
  return memory;
}

function keep(session) {
  memory = session;
  try {
    if (session) storage()?.setItem(KEY, JSON.stringify(session));
    else storage()?.removeItem(KEY);
  } catch { /* private mode: memory only */ }
  return session;
}

/** The claims of a JWT (not verified here: the API verifies every call). */
export function claimsOf(token) {
  const part = token.split('.')[1] || '';
  const b64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

// The pool's groups, most powerful first: an account in two groups gets the first one's console.
export const ROLES = ['association-admin', 'provincial-representative', 'office-manager', 'operator'];

/** The session kept from Cognito's AuthenticationResult (refresh token kept from before when none comes). */
export function sessionFrom(result, previous = null) {
  const claims = claimsOf(result.IdToken);
  const groups = Array.isArray(claims['cognito:groups']) ? claims['cognito:groups'] : [];
  return {
    token: result.IdToken,
    refresh: result.RefreshToken || previous?.refresh || null,
    email: claims.email || claims['cognito:username'] || '',
    role: ROLES.find((r) => groups.includes(r)) || null,
    office_id: claims['custom:office_id'] || null,
    province: claims['custom:province'] || null,
    expires_at: new Date(claims.exp * 1000).toISOString(),
  };
}

async function signInConfig() {
  if (config) return config;
  let resp;
  try {
    resp = await fetch('/v1/staff/sign-in-config', { headers: { Accept: 'application/json' } });
  } catch (err) {
    throw new StaffSignInError('unavailable', String(err));
  }
  if (!resp.ok) throw new StaffSignInError('unavailable', `HTTP ${resp.status}`);
  config = await resp.json();
  return config;
}

/** One Cognito user-pools API call (its JSON protocol), as the AWS SDK would send it. */
export async function cognitoCall(cfg, action, body) {
  let resp;
  try {
    resp = await fetch(cfg.endpoint.replace(/\/$/, '') + '/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': TARGET + action },
      body: JSON.stringify(body),
    });
  } catch (err) {
    throw new StaffSignInError('unavailable', String(err));
  }
  const data = await resp.json().catch(() => ({}));
  if (!resp.ok) {
    const type = String(data.__type || data.code || '').split('#').pop();
    // cognito-local answers a wrong password with InvalidPasswordException; Cognito with NotAuthorizedException.
    if (['NotAuthorizedException', 'UserNotFoundException', 'InvalidPasswordException'].includes(type)) {
      throw new StaffSignInError('credentials', data.message);
    }
    if (type === 'CodeMismatchException' || type === 'ExpiredCodeException') throw new StaffSignInError('code', data.message);
    if (resp.status >= 500 || type === 'TooManyRequestsException') throw new StaffSignInError('unavailable', data.message);
    throw new StaffSignInError('other', data.message || type);
  }
  return data;
}

// A pending challenge (a TOTP code asked after the password): what answering it needs.
let pending = null;

function outcome(cfg, email, data) {
  if (data.AuthenticationResult) {
    pending = null;
    return { session: keep(sessionFrom(data.AuthenticationResult)) };
  }
  if (data.ChallengeName === 'SOFTWARE_TOKEN_MFA') {
    const params = data.ChallengeParameters || {};
    pending = { cfg, email: params.USER_ID_FOR_SRP || params.USERNAME || email, name: data.ChallengeName,
      session: data.Session };
    return { challenge: 'totp' };
  }
  throw new StaffSignInError('unsupported', data.ChallengeName);
}

export const staff = {
  /** The live session {token, email, role, office_id, province, expires_at} or null. */
  current(now = Date.now()) {
    const stored = load();
    if (stored && !(Date.parse(stored.expires_at) > now)) {
      // Lapsed: kept only if a refresh token can renew it (fresh() does, before the next call).
      if (!stored.refresh) keep(null);
      return stored.refresh ? stored : null;
    }
    return stored;
  },
  /** Sign in: resolves {session} when done, or {challenge: 'totp'} when a code is asked next
   * (answer it with answerChallenge); rejects with StaffSignInError. */
  async signIn(email, password) {
    const cfg = await signInConfig();
    if (cfg.flow === 'USER_SRP_AUTH') {
      const { srpSignIn } = await import('./srp.js');
      return outcome(cfg, email, await srpSignIn(cfg, email, password, cognitoCall));
    }
    const data = await cognitoCall(cfg, 'InitiateAuth', {
      AuthFlow: 'USER_PASSWORD_AUTH', ClientId: cfg.client_id, AuthParameters: { USERNAME: email, PASSWORD: password },
    });
    return outcome(cfg, email, data);
  },
  /** The TOTP code of an authenticator app, after signIn answered {challenge: 'totp'}. */
  async answerChallenge(code) {
    if (!pending) throw new StaffSignInError('other', 'no challenge');
    const { cfg, email, name, session } = pending;
    const data = await cognitoCall(cfg, 'RespondToAuthChallenge', {
      ChallengeName: name, ClientId: cfg.client_id, Session: session,
      ChallengeResponses: { USERNAME: email, SOFTWARE_TOKEN_MFA_CODE: code },
    });
    return outcome(cfg, email, data);
  },
  /** Renew the ID token with the refresh token when it lapses within a few minutes; a refused
   * refresh ends the session. Resolves the live session or null. */
  async fresh(now = Date.now()) {
    const stored = staff.current(now);
    if (!stored || Date.parse(stored.expires_at) - now > REFRESH_MARGIN_MS || !stored.refresh) return stored;
    try {
      const cfg = await signInConfig();
      const data = await cognitoCall(cfg, 'InitiateAuth', {
        AuthFlow: 'REFRESH_TOKEN_AUTH', ClientId: cfg.client_id, AuthParameters: { REFRESH_TOKEN: stored.refresh },
      });
      return keep(sessionFrom(data.AuthenticationResult, stored));
    } catch (err) {
      if (err.kind === 'unavailable') return stored;  // try again on the next call
      keep(null);
      return null;
    }
  },
  /** Forget the session here and revoke its refresh token at Cognito (best effort). */
  signOut() {
    const stored = load();
    keep(null);
    if (stored?.refresh && config) {
      cognitoCall(config, 'RevokeToken', { ClientId: config.client_id, Token: stored.refresh }).catch(() => {});
    }
  },
  /** Forget the session (the API no longer takes it). */
  clear() {
    keep(null);
  },
  /** The Authorization header of a staff call, or none. */
  headers(now = Date.now()) {
    const live = staff.current(now);
    return live && Date.parse(live.expires_at) > now ? { Authorization: `Bearer ${live.token}` } : {};
  },
};

/** Where each role's console starts. */
export function homeOf(role) {
  if (role === 'operator') return '/console/office';
  if (role === 'office-manager') return '/console/office/manage';
  if (role === 'association-admin' || role === 'provincial-representative') return '/console/association';
  return null;
}
