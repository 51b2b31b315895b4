// Browser twin of keys/errors.py, keys/group.py, keys/hashing.py and keys/nonces.py.
//
// Byte-for-byte identical to the Python crypto core (checked by tests/js against
// tests/vectors/*.json). Works in Node 20 and in a browser (Web Worker): the only
// platform dependency is globalThis.crypto.getRandomValues. Scalars are BigInt in
// [0, N); points are noble `Point`s where `Point.ZERO` is the point at infinity,
// encoded as the single byte 00 (noble itself refuses to encode it).
import { Point, normalizeZ, sha256, sha512 } from '../vendor/noble-secp256k1.js';

export { Point };

/** Order of the secp256k1 group (SEC 2, §2.4.1). */
export const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
/** Field prime of secp256k1. */
export const P = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn;
/** The generator G and the point at infinity. */
export const G = Point.BASE;
export const INFINITY = Point.ZERO;
export const INFINITY_BYTES = Uint8Array.of(0);
/** Window size of the fixed-base tables (G and the election key). */
export const WINDOW = 8;
G.precompute(WINDOW, false);

// ---------------------------------------------------------------- errors ----

/** A verification or parsing failure; `code` is stable (keys/errors.py), `detail` names the item. */
export class CryptoError extends Error {
  constructor(code, detail = '') {
    super(detail ? `${code}: ${detail}` : code);
    this.name = 'CryptoError';
    this.code = code;
    this.detail = detail;
  }
}

/**
 * Counts of group operations, for the benchmarks' floor: `base` (k·G), `fixed`
 * (k·Y with Y's precomputed table), `mul` (variable-base k·P), `muladd` (a·P + b·G),
 * `small` (k·P for a small public k ≤ 64: the ceremony's Horner steps), `add`, `parse`
 * (decompress and validate), `normalize` (points made affine), `sign` and `verify` (BIP340);
 * and `wmuladd` (a·R + b·G) and `wparse` (decompress and validate) in phieu-accel.js's
 * WebAssembly.
 */
export const OPS = {
  base: 0, fixed: 0, mul: 0, muladd: 0, small: 0, add: 0, parse: 0, normalize: 0, sign: 0, verify: 0,
  wmuladd: 0, wparse: 0,
};

// Set by phieu-accel.js installWasm only (verification threads): 33 bytes → a Point
// validated by libsecp256k1, or null to let noble decide (and name the error).
let decompressor = null;

/** Install (or remove, with null) a faster decompression of public points. */
export function setDecompressor(fn) {
  decompressor = fn;
}

/** Set every counter of OPS back to zero. */
export function resetOps() {
  for (const k of Object.keys(OPS)) OPS[k] = 0;
}

// ------------------------------------------------------------ bytes, hex ----

const HEX_RE = /^(?:[0-9a-f]{2})*$/;
const encoder = new TextEncoder();

/** Lowercase hex of bytes. */
export function toHex(bytes) {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/** Decode lowercase hex from untrusted input with a precise error (group.hex_to_bytes). */
export function fromHex(text, what = 'hex') {
  if (typeof text !== 'string') throw new CryptoError('bad_encoding', `${what}: expected a hex string`);
  if (!HEX_RE.test(text)) throw new CryptoError('bad_encoding', `${what}: not lowercase hexadecimal`);
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.substr(2 * i, 2), 16);
  return out;
}

/** Strict UTF-8 (like Python's str.encode()): lone surrogates are refused, not replaced. */
export function utf8(text) {
  if (/\p{Surrogate}/u.test(text)) throw new CryptoError('bad_encoding', 'string contains a lone surrogate');
  return encoder.encode(text);
}

/** Byte-wise equality. */
export function bytesEqual(a, b) {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

/** Concatenate byte arrays. */
export function concat(arrays) {
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) { out.set(a, at); at += a.length; }
  return out;
}

// --------------------------------------------------------------- scalars ----

/** a mod N in [0, N). */
export const mod = (a) => ((a % N) + N) % N;

/** Big-endian bytes to a BigInt. */
export function bytesToBigInt(bytes) {
  return bytes.length ? BigInt('0x' + toHex(bytes)) : 0n;
}

/** 32-byte big-endian encoding of a scalar reduced mod N. */
export function scalarBytes(k) {
  return fromHex(mod(k).toString(16).padStart(64, '0'));
}

/** 64-character lowercase hex of a scalar reduced mod N (the wire form). */
export const scalarHex = (k) => mod(k).toString(16).padStart(64, '0');

/** Decode a 32-byte big-endian scalar, rejecting values ≥ N. */
export function scalarFromBytes(data, what = 'scalar') {
  if (data.length !== 32) throw new CryptoError('bad_scalar', `${what}: expected 32 bytes, got ${data.length}`);
  const k = bytesToBigInt(data);
  if (k >= N) throw new CryptoError('bad_scalar', `${what}: value is not below the group order`);
  return k;
}

/** Decode a 64-character lowercase-hex scalar below N. */
export const scalarFromHex = (text, what = 'scalar') => scalarFromBytes(fromHex(text, what), what);

/** Cryptographically secure random bytes (Web Crypto). */
export function randomBytes(n) {
  return globalThis.crypto.getRandomValues(new Uint8Array(n));
}

/** A uniformly random non-zero scalar: uniform in [0, N−1) by rejection, plus one. */
export function randomScalar() {
  for (;;) {
    const k = bytesToBigInt(randomBytes(32));
    if (k < N - 1n) return k + 1n;
  }
}

// ---------------------------------------------------------------- points ----

const encodings = new WeakMap(); // Point -> its 33-byte encoding (points are immutable)

/** 33-byte compressed SEC1 encoding; 00 for the point at infinity. */
export function pointBytes(p) {
  if (p.is0()) return INFINITY_BYTES;
  let b = encodings.get(p);
  if (!b) { b = p.toBytes(true); encodings.set(p, b); }
  return b;
}

/** Lowercase hex of pointBytes. */
export const pointHex = (p) => toHex(pointBytes(p));

/** Make many points affine with one field inversion (so that encoding them is cheap). */
export function normalizePoints(points) {
  OPS.normalize += points.length;
  return normalizeZ(Point, points);
}

/**
 * Parse a 33-byte compressed point, validated on the curve. The infinity encoding 00
 * is accepted only when allowInfinity is set (group.Point.from_bytes).
 */
export function pointFromBytes(data, what = 'point', allowInfinity = false) {
  if (data.length === 1 && data[0] === 0) {
    if (allowInfinity) return INFINITY;
    throw new CryptoError('bad_point', `${what}: the point at infinity is not allowed here`);
  }
  if (data.length !== 33 || (data[0] !== 2 && data[0] !== 3)) {
    throw new CryptoError('bad_point', `${what}: expected a 33-byte compressed point`);
  }
  let p = decompressor ? decompressor(data) : null;
  if (!p) {
    OPS.parse++;
    try {
      p = Point.fromBytes(data);
      p.assertValidity();
    } catch {
      throw new CryptoError('bad_point', `${what}: not a point on secp256k1`);
    }
  }
  encodings.set(p, data.slice());
  return p;
}

/** Parse a lowercase-hex compressed point (see pointFromBytes). */
export const pointFromHex = (text, what = 'point', allowInfinity = false) =>
  pointFromBytes(fromHex(text, what), what, allowInfinity);

/** k·G with G's precomputed table; infinity for k ≡ 0. */
export function baseMul(k) {
  k = mod(k);
  if (k === 0n) return INFINITY;
  OPS.base++;
  return G.multiply(k);
}

/** k·Y for a point Y carrying a precomputed table (see withTable); infinity for k ≡ 0. */
export function fixedMul(Y, k) {
  k = mod(k);
  if (k === 0n || Y.is0()) return INFINITY;
  OPS.fixed++;
  return Y.multiply(k);
}

/** A copy of Y with a window table attached, so that k·Y costs as much as k·G. */
export function withTable(Y) {
  if (Y.is0()) throw new CryptoError('bad_point', 'cannot precompute the point at infinity');
  const copy = Point.fromAffine(Y.toAffine());
  copy.precompute(WINDOW, false);
  return copy;
}

/** P + Q (noble handles infinity; counted for the floor). */
export function add(p, q) {
  if (p.is0()) return q;
  if (q.is0()) return p;
  OPS.add++;
  return p.add(q);
}

/** a·P + b·G for public scalars (verification only: not constant time). */
export function mulAddPublic(p, a, b) {
  a = mod(a);
  b = mod(b);
  if (a === 0n || p.is0()) return b === 0n ? INFINITY : (OPS.base++, G.multiplyUnsafe(b));
  OPS.muladd++;
  return p.mulAddUnsafe(a, G, b);
}

/** k·Y for a public scalar (verification); uses Y's table if it has one. */
export function fixedMulPublic(Y, k) {
  k = mod(k);
  if (k === 0n || Y.is0()) return INFINITY;
  OPS.fixed++;
  return Y.multiplyUnsafe(k);
}

// --------------------------------------------------------------- hashing ----

/**
 * Domain-separation tags: the registry of keys/hashing.py (TAGS), a tag never reused,
 * less the two no browser hashes under (ACTION_LOG: the installation's log; DKG_STATE:
 * the CLI's sealed state). Every other script takes its tags from here.
 */
export const TAGS = Object.freeze({
  MANIFEST: utf8('phieu/v1/manifest'),
  ROW_PROOF: utf8('phieu/v1/row-proof'),
  BALLOT: utf8('phieu/v1/ballot'),
  TRACKER: utf8('phieu/v1/tracker'),
  CARD_KEY: utf8('phieu/v1/card-key'),
  CARD_CHECK: utf8('phieu/v1/card-check'),
  DECRYPTION: utf8('phieu/v1/decryption'),
  SHARE_AAD: utf8('phieu/v1/share-file'),
  CHAIN: utf8('phieu/v1/chain'),
  RECORD: utf8('phieu/v1/record'),
  AUDIT_TRACKER: utf8('phieu/v1/audit-tracker'),
  CARDS: utf8('phieu/v1/cards'),
  BALLOT_DEFINITION: utf8('phieu/v1/ballot-definition'),
  CHECKPOINT: utf8('phieu/v1/checkpoint'),
  CLOSE: utf8('phieu/v1/close'),
  RECEIPT: utf8('phieu/v1/receipt'),
  VOTE_LOG: utf8('phieu/v1/vote-log'),
  VOTE_ACTION: utf8('phieu/v1/vote-action'),
  // The dealer-free key ceremony (phieu-dkg.js).
  DKG_CONTEXT: utf8('phieu/v1/dkg-context'),
  DKG_CEREMONY_KEY: utf8('phieu/v1/dkg-ceremony-key'),
  DKG_COEFFICIENT: utf8('phieu/v1/dkg-coefficient'),
  DKG_SHARE_AAD: utf8('phieu/v1/dkg-share'),
  DKG_SHARE_KEY: utf8('phieu/v1/dkg-share-key'), // HKDF info prefix, not a hash part
  DKG_TRANSCRIPT: utf8('phieu/v1/dkg-transcript'),
  DKG_CONFIRM: utf8('phieu/v1/dkg-confirm'),
  DKG_DONE: utf8('phieu/v1/dkg-done'),
  TEST_NONCES: utf8('phieu/test-nonces'), // test vectors only
});

/** 4-byte big-endian unsigned integer. */
export function u32(n) {
  if (!Number.isInteger(n) || n < 0 || n >= 2 ** 32) {
    throw new CryptoError('bad_encoding', `integer ${n} does not fit in 32 bits`);
  }
  return Uint8Array.of(n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
}

/** Length-prefixed concatenation: for each part, u32(len) || part. */
export function encodeParts(parts) {
  const out = [];
  for (const part of parts) out.push(u32(part.length), part);
  return concat(out);
}

/** SHA-256 over the canonical encoding of (tag, ...parts). */
export const digest = (tag, ...parts) => sha256(encodeParts([tag, ...parts]));

/** SHA-512 over the canonical encoding of (tag, ...parts), as a big-endian integer mod N. */
export const hashToScalar = (tag, ...parts) => bytesToBigInt(sha512(encodeParts([tag, ...parts]))) % N;

/** Compare strings by Unicode code point, as Python sorts str (not by UTF-16 unit). */
function codePointCompare(a, b) {
  const x = [...a], y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0) - y[i].codePointAt(0);
    if (d) return d;
  }
  return x.length - y.length;
}

function jsonValue(value, path) {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean': return value ? 'true' : 'false';
    case 'bigint': return value.toString();
    case 'number':
      if (!Number.isInteger(value)) throw new CryptoError('bad_encoding', `${path}: floats are not allowed in canonical JSON`);
      if (!Number.isSafeInteger(value)) throw new CryptoError('bad_encoding', `${path}: integer too large, use a BigInt`);
      return String(value === 0 ? 0 : value); // -0 is 0
    case 'string':
      utf8(value); // refuses lone surrogates, as Python's encode() does
      return JSON.stringify(value); // same escapes as json.dumps(ensure_ascii=False)
    case 'object':
      if (Array.isArray(value)) return '[' + value.map((v, i) => jsonValue(v, `${path}[${i}]`)).join(',') + ']';
      return '{' + Object.keys(value).sort(codePointCompare)
        .map((k) => JSON.stringify(k) + ':' + jsonValue(value[k], `${path}.${k}`)).join(',') + '}';
    default:
      throw new CryptoError('bad_encoding', `${path}: ${typeof value} is not allowed in canonical JSON`);
  }
}

/**
 * Canonical JSON bytes: sorted keys, no spaces, UTF-8, integers and strings only, like
 * Python json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False).
 * JSON.parse cannot tell 1.0 from 1: floats must be refused before parsing if it matters.
 */
export const canonicalJson = (obj) => utf8(jsonValue(obj, '$'));

/** The manifest's fingerprint: digest(TAG_MANIFEST, canonicalJson(manifest)). */
export const manifestHash = (manifest) => digest(TAGS.MANIFEST, canonicalJson(manifest));

/** The manifest without its card section and base (keys.hashing.ballot_definition). */
export const ballotDefinition = (manifest) =>
  Object.fromEntries(Object.entries(manifest).filter(([k]) => k !== 'cards' && k !== 'base'));

/**
 * The ballot fingerprint printed on the cards (keys.hashing.ballot_fingerprint):
 * digest(TAG_BALLOT_DEFINITION, canonicalJson(ballotDefinition(manifest))), 32 bytes.
 */
export const ballotFingerprint = (manifest) =>
  digest(TAGS.BALLOT_DEFINITION, canonicalJson(ballotDefinition(manifest)));

// ---------------------------------------------------------------- nonces ----

/** Fresh randomness from the Web Crypto CSPRNG (keys.nonces.SystemNonces). */
export const systemNonces = Object.freeze({ scalar: randomScalar });

/** Replays a recorded list of scalars (keys.nonces.ListNonces); accepts BigInt or hex. */
export function listNonces(values) {
  const queue = values.map((v) => (typeof v === 'bigint' ? v : scalarFromHex(v, 'nonce')));
  return {
    scalar() {
      if (!queue.length) throw new Error('no recorded nonce left');
      return queue.shift();
    },
  };
}

/** Reproducible nonces for test vectors only: hashToScalar("phieu/test-nonces", seed, counter). */
export function deterministicNonces(seed) {
  const tag = TAGS.TEST_NONCES;
  const state = { counter: 0, drawn: [] };
  state.scalar = () => {
    for (;;) {
      const k = hashToScalar(tag, seed, u32(state.counter++));
      if (k) { state.drawn.push(k); return k; }
    }
  };
  return state;
}
