// USER_SRP_AUTH, the AWS web client's only flow: the browser proves it knows the password without
// sending it (SRP-6a over the 3072-bit group of RFC 5054, SHA-256, as Cognito does it). Loaded by
// staff.js only when the sign-in config names this flow; native BigInt and WebCrypto, no library.
const N_HEX = 'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD'
  + 'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED'
  + 'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F'
  + '83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B'
  + 'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510'
  + '15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7'
  + 'ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C'
  + 'BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF';
export const N = BigInt(`0x${N_HEX}`);
export const G = 2n;
const enc = new TextEncoder();
const subtle = () => globalThis.crypto.subtle;

export const mod = (a, m) => ((a % m) + m) % m;

export function modPow(base, exp, m) {
  let result = 1n;
  let b = mod(base, m);
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return result;
}

/** A number's hex as Cognito hashes it: even length, and a leading 00 when the first digit would read as a sign. */
export function padHex(n) {
  const hex = typeof n === 'string' ? n : n.toString(16);
  if (hex.length % 2 === 1) return `0${hex}`;
  return '89abcdefABCDEF'.includes(hex[0]) ? `00${hex}` : hex;
}

export const hexToBytes = (hex) => Uint8Array.from(hex.match(/../g) || [], (h) => parseInt(h, 16));
const bytesToHex = (bytes) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
export const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
};

export const sha256Hex = async (bytes) => bytesToHex(await subtle().digest('SHA-256', bytes));
export const hexHash = (hex) => sha256Hex(hexToBytes(hex));

export async function hmac(key, data) {
  const k = await subtle().importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await subtle().sign('HMAC', k, data));
}

export const K = async () => BigInt(`0x${await hexHash(padHex(N) + padHex(G))}`);

/** x = H(salt | H(poolName | userId ":" password)): the password's exponent. */
export async function passwordExponent(poolName, userId, password, saltHex) {
  const inner = await sha256Hex(enc.encode(`${poolName}${userId}:${password}`));
  return BigInt(`0x${await hexHash(padHex(saltHex) + inner)}`);
}

/** The 16-byte key both sides derive from S and u (HKDF-SHA256, info "Caldera Derived Key"). */
export async function derivedKey(S, u) {
  const prk = await hmac(hexToBytes(padHex(u)), hexToBytes(padHex(S)));
  return (await hmac(prk, concat(enc.encode('Caldera Derived Key'), new Uint8Array([1])))).slice(0, 16);
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n) => String(n).padStart(2, '0');

/** The time as Cognito signs it: "Tue Nov 3 04:05:09 UTC 2026" (the day of the month unpadded). */
export const timestamp = (d) => `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()} `
  + `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;

const b64 = (bytes) => btoa(String.fromCharCode(...bytes));
const unb64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/** The client's part of one sign-in: a random a, A = g^a. */
export function ephemeral() {
  for (;;) {
    const a = mod(BigInt(`0x${bytesToHex(globalThis.crypto.getRandomValues(new Uint8Array(128)))}`), N);
    const A = modPow(G, a, N);
    if (A % N !== 0n) return { a, A };
  }
}

/** The PASSWORD_VERIFIER answer to Cognito's challenge parameters. */
export async function verifierResponse(poolId, password, params, { a, A }, now = new Date()) {
  const poolName = poolId.split('_')[1];
  const B = BigInt(`0x${params.SRP_B}`);
  if (B % N === 0n) throw new Error('SRP_B');
  const u = BigInt(`0x${await hexHash(padHex(A) + padHex(B))}`);
  if (u === 0n) throw new Error('u');
  const x = await passwordExponent(poolName, params.USER_ID_FOR_SRP, password, params.SALT);
  const S = modPow(mod(B - (await K()) * modPow(G, x, N), N), a + u * x, N);
  const key = await derivedKey(S, u);
  const when = timestamp(now);
  const signature = await hmac(key, concat(enc.encode(poolName), enc.encode(params.USER_ID_FOR_SRP),
    unb64(params.SECRET_BLOCK), enc.encode(when)));
  return { USERNAME: params.USERNAME || params.USER_ID_FOR_SRP, PASSWORD_CLAIM_SECRET_BLOCK: params.SECRET_BLOCK,
    TIMESTAMP: when, PASSWORD_CLAIM_SIGNATURE: b64(signature) };
}

/** InitiateAuth(USER_SRP_AUTH) then RespondToAuthChallenge(PASSWORD_VERIFIER); resolves Cognito's
 * last answer (tokens, or a next challenge such as SOFTWARE_TOKEN_MFA) for staff.js to handle. */
export async function srpSignIn(cfg, email, password, cognitoCall) {
  const client = ephemeral();
  const started = await cognitoCall(cfg, 'InitiateAuth', {
    AuthFlow: 'USER_SRP_AUTH', ClientId: cfg.client_id, AuthParameters: { USERNAME: email, SRP_A: client.A.toString(16) },
  });
  if (started.ChallengeName !== 'PASSWORD_VERIFIER') return started;
  const responses = await verifierResponse(cfg.user_pool_id, password, started.ChallengeParameters, client);
  return cognitoCall(cfg, 'RespondToAuthChallenge', {
    ChallengeName: 'PASSWORD_VERIFIER', ClientId: cfg.client_id, ChallengeResponses: responses,
    ...(started.Session ? { Session: started.Session } : {}),
  });
}
