// Building blocks of phieu-dkg.js (twin of keys/dkg_wire.py): the Schnorr proof of
// knowledge and strict checks of the ceremony's JSON messages. Every message comes from
// the bulletin board, which may be dishonest: exact keys, exact types (a bool is not an
// integer), points validated on parse, scalars ≥ N refused.
import {
  CryptoError, N, baseMul, fromHex, hashToScalar, mulAddPublic, pointBytes, pointFromHex,
  scalarFromHex, scalarHex,
} from './phieu-crypto.js';
import { isInt, isObject } from './phieu-json.js';
import { pyRepr } from './phieu-repr.js';

export const U32_MAX = 2 ** 32 - 1;
export const FORMATS = Object.freeze({
  commit: 'phieu-dkg-commit/1', shares: 'phieu-dkg-shares/1', done: 'phieu-dkg-done/1',
  complaint: 'phieu-dkg-complaint/1', confirm: 'phieu-dkg-confirm/1',
});
/** Lowercase hex of bytes. */
export const toHexBytes = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** Equality of two JSON lists of strings. */
export const canonicalText = (v) => JSON.stringify(v);
/** A malformed ceremony message. */
export const bad = (what) => new CryptoError('dkg_bad_message', what);

/** Schnorr proof of a (P = a·G): w drawn now, R = w·G, c = H(tag, parts…, R), u = w + c·a. */
export function proveKnowledge(tag, parts, secret, nonces) {
  const w = nonces.scalar();
  const c = hashToScalar(tag, ...parts, pointBytes(baseMul(w)));
  return { c: scalarHex(c), u: scalarHex((w + c * secret) % N) };
}

/** Check a proof of knowledge: R' = u·G − c·P ≠ infinity and c = H(tag, parts…, R'). */
export function verifyKnowledge(tag, parts, point, proof, what) {
  if (!isObject(proof) || Object.keys(proof).length !== 2 || !Object.hasOwn(proof, 'c') || !Object.hasOwn(proof, 'u')) {
    throw bad(`${what}: a proof is exactly {c, u}`);
  }
  const c = scalarFromHex(proof.c, `${what} c`);
  const u = scalarFromHex(proof.u, `${what} u`);
  if (point.is0()) throw new CryptoError('bad_point', `${what}: the point at infinity`);
  const r = mulAddPublic(point, N - c, u);
  if (r.is0() || hashToScalar(tag, ...parts, pointBytes(r)) !== c) {
    throw new CryptoError('dkg_bad_proof', what);
  }
}

// ------------------------------------------------------- message parsing ----

/** keys/dkg_wire.fields: `obj` an object with exactly `keys`, else dkg_bad_message. */
export function fields(obj, keys, what) {
  if (!isObject(obj)) throw bad(`${what}: expected an object`);
  const got = Object.keys(obj);
  const extra = got.filter((k) => !keys.includes(k)).sort();
  const missing = keys.filter((k) => !Object.hasOwn(obj, k)).sort();
  if (extra.length || missing.length) throw bad(`${what}: missing ${pyRepr(missing)}, unexpected ${pyRepr(extra)}`);
  return obj;
}

export function integer(value, what, low, high) {
  if (!isInt(value) || value < low || value > high) throw bad(`${what}: expected an integer in ${low}..${high}`);
  return value;
}

/** Format, vote, round (when given) and trustee range, as keys/dkg_wire.header. */
export function header(msg, keys, fmt, electionId, round, n) {
  const what = fmt.split('/')[0].replace(/^phieu-dkg-/, '') + ' message';
  fields(msg, keys, what);
  if (msg.format !== fmt) throw bad(`${what}: format is not ${fmt}`);
  if (msg.election_id !== electionId) {
    throw new CryptoError('dkg_other_vote', `${what} for ${pyRepr(msg.election_id)}`);
  }
  if (round != null) {
    const got = integer(msg.ceremony, `${what}: ceremony`, 1, U32_MAX);
    if (got !== round) throw new CryptoError('dkg_wrong_round', `${what}: round ${got}, expected ${round}`);
  }
  return integer(msg.trustee, `${what}: trustee`, 1, n);
}

export function points(values, what, count) {
  if (!Array.isArray(values) || values.length !== count) throw bad(`${what}: expected ${count} points`);
  return values.map((v, i) => pointFromHex(v, `${what} ${i}`));
}

export function fixedHex(value, what, size) {
  const data = fromHex(value, what);
  if (data.length !== size) throw bad(`${what}: expected ${size} bytes`);
  return data;
}

export function exactKeysOr(obj, keys, what) {
  fields(obj, keys, what);
}
