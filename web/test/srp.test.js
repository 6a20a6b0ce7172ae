// SRP as the browser does it, against a server side written here from the same definitions
// (v = g^x, B = k v + g^b, S = (A v^u)^b): both ends derive the same key, the signature the page
// sends is the one the server expects, and a wrong password gives another. Cognito itself is not
// reachable from the tests (cognito-local has no SRP): this proves the arithmetic and the encodings.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  G, K, N, concat, derivedKey, ephemeral, hexHash, hmac, modPow, padHex, passwordExponent, timestamp,
  verifierResponse,
} from '../src/srp.js';

const enc = new TextEncoder();
const POOL = 'me-central-1_AbCdEf123';
const SALT = 'f1e2d3c4b5a697887766554433221100';
const SECRET_BLOCK = Buffer.from('the secret block of this sign-in').toString('base64');
const USER = 'a1b2c3d4-0000-4000-8000-123456789abc';

async function server(password, A) {
  const x = await passwordExponent('AbCdEf123', USER, password, SALT);
  const v = modPow(G, x, N);
  const b = 123456789123456789123456789n;
  const B = ((await K()) * v + modPow(G, b, N)) % N;
  const params = { SALT, SRP_B: B.toString(16), SECRET_BLOCK, USER_ID_FOR_SRP: USER, USERNAME: USER };
  const expect = async (A_, response) => {
    const u = BigInt(`0x${await hexHash(padHex(A_) + padHex(B))}`);
    const S = modPow(A_ * modPow(v, u, N), b, N);
    const key = await derivedKey(S, u);
    const mac = await hmac(key, concat(enc.encode('AbCdEf123'), enc.encode(USER), Buffer.from(SECRET_BLOCK, 'base64'),
      enc.encode(response.TIMESTAMP)));
    return Buffer.from(mac).toString('base64');
  };
  return { params, expect };
}

test('the signature is the one the server derives from the stored verifier', async () => {
  const client = ephemeral();
  const srv = await server('Demo-Staff-2024!', client.A);
  const response = await verifierResponse(POOL, 'Demo-Staff-2024!', srv.params, client, new Date(Date.UTC(2026, 10, 3, 4, 5, 9)));
  assert.equal(response.TIMESTAMP, 'Tue Nov 3 04:05:09 UTC 2026');
  assert.equal(response.USERNAME, USER);
  assert.equal(response.PASSWORD_CLAIM_SECRET_BLOCK, SECRET_BLOCK);
  assert.equal(response.PASSWORD_CLAIM_SIGNATURE, await srv.expect(client.A, response));
});

test('a wrong password signs differently', async () => {
  const client = ephemeral();
  const srv = await server('Demo-Staff-2024!', client.A);
  const response = await verifierResponse(POOL, 'Demo-Staff-2024?', srv.params, client);
  assert.notEqual(response.PASSWORD_CLAIM_SIGNATURE, await srv.expect(client.A, response));
});

test('hex is padded as Cognito hashes it, and k is H(N | g)', async () => {
  assert.equal(padHex(0xabcn), '0abc');
  assert.equal(padHex(0x8fn), '008f');
  assert.equal(padHex(0x7fn), '7f');
  assert.equal(timestamp(new Date(Date.UTC(2026, 10, 30, 23, 0, 0))), 'Mon Nov 30 23:00:00 UTC 2026');
  assert.equal((await K()).toString(16).length > 60, true);
  assert.equal(N.toString(2).length, 3072);
});
