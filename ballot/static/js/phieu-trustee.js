// Browser twin of keys/sharefile.py (open_share), tally/count.py (decrypt_with_share)
// and keys/decryption.py (partial_decrypt, verify_partial), for the count at the laptop.
//
// A trustee opens their share file with their passphrase in the browser: scrypt
// (noble, RFC 7914) derives the key, Web Crypto AES-256-GCM decrypts the 32-byte
// share with the same associated data as Python, and the share is checked against
// its public verification key. The share lives in this page's memory only: it is
// never stored, never sent; only the partial decryption (public points and proofs)
// leaves the browser. Byte-for-byte identical to Python (tests/vectors/decryption.json,
// tests/vectors/sharefile.json; checked by tests/js/trustee.test.mjs).
import { scryptAsync } from '../vendor/noble-secp256k1.js';
import {
  CryptoError, N, TAGS, baseMul, bytesEqual, canonicalJson, digest, fixedMul,
  fixedMulPublic, fromHex, hashToScalar, mod, mulAddPublic, pointBytes, pointFromHex,
  pointHex, scalarFromBytes, scalarFromHex, scalarHex, systemNonces, u32, utf8,
} from './phieu-crypto.js';

export const FORMAT = 'phieu-share/1';
/** scrypt cost limits (keys/sharefile.py): a hostile file cannot make us burn memory. */
export const MIN_SCRYPT_N = 2 ** 14;
export const MAX_SCRYPT_N = 2 ** 18;
export const MAX_FILE_BYTES = 64 * 1024;
/** Domain tag of the share file's associated data (keys.hashing.TAG_SHARE_AAD). */
export const TAG_SHARE_AAD = utf8('phieu/v1/share-file');

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

// ------------------------------------------------------------- share file ----

/**
 * True when the JSON text holds a number with a fraction or an exponent. Python's
 * json.loads keeps 1.0 as a float (refused by canonical_json) where JSON.parse makes it
 * the integer 1, so such files are refused before parsing, as Python refuses them.
 */
function hasFloat(text) {
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') {
      inString = true;
    } else if (ch === '-' || (ch >= '0' && ch <= '9')) {
      let j = i;
      while (j < text.length && /[0-9+\-.eE]/.test(text[j])) j++;
      if (/[.eE]/.test(text.slice(i, j))) return true;
      i = j - 1;
    }
  }
  return false;
}

function field(obj, ...path) {
  for (const name of path) {
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj) || !Object.hasOwn(obj, name)) {
      throw new CryptoError('bad_share', 'missing field ' + path.join('.'));
    }
    obj = obj[name];
  }
  return obj;
}

const isInt = (v) => typeof v === 'number' && Number.isSafeInteger(v);

/** Parse a share file without opening it (keys.sharefile.read_header). */
export function readHeader(fileBytes) {
  const data = fileBytes instanceof Uint8Array ? fileBytes : new Uint8Array(fileBytes);
  if (data.length > MAX_FILE_BYTES) throw new CryptoError('bad_share', 'file too large');
  let body;
  try {
    const text = decoder.decode(data);
    if (hasFloat(text)) throw new Error('float');
    body = JSON.parse(text);
  } catch {
    throw new CryptoError('bad_share', 'not a share file (not JSON)');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body) || body.format !== FORMAT) {
    throw new CryptoError('bad_share', `not a share file (format is not ${FORMAT})`);
  }
  return body;
}

function sameKey(expected, point) {
  return (typeof expected === 'string' ? expected : pointHex(expected)) === pointHex(point);
}

/**
 * Open a share file (bytes) with the passphrase, in the order and with the error codes
 * of keys.sharefile.open_share followed by the checks of tally.count.decrypt_with_share:
 * share_other_election (another vote's file or election key), bad_share (malformed,
 * unsupported scrypt parameters), bad_encoding / bad_point / bad_scalar (as Python),
 * wrong_passphrase (or a tampered file), share_mismatch (share ≠ its verification key,
 * or not this vote's trustee). `expected` = {electionId, publicKey, verificationKeys}
 * (hex strings or points; each optional). `options.onProgress(fraction)` follows scrypt.
 *
 * Returns {electionId, publicKey, trustee, name, verificationKey, secretShare, wipe()}:
 * call wipe() as soon as the partial decryption is made.
 */
export async function openShare(fileBytes, passphrase, expected = {}, options = {}) {
  const body = readHeader(fileBytes);
  const header = {};
  for (const k of Object.keys(body)) if (k !== 'cipher') header[k] = body[k];
  if (expected.electionId != null && field(body, 'election', 'id') !== expected.electionId) {
    throw new CryptoError('share_other_election', `file is for vote ${JSON.stringify(body.election.id)}`);
  }
  const kdf = field(body, 'kdf');
  const n = field(kdf, 'n'), r = field(kdf, 'r'), p = field(kdf, 'p');
  if (!(isInt(n) && isInt(r) && isInt(p)) ||
      !(n >= MIN_SCRYPT_N && n <= MAX_SCRYPT_N && (n & (n - 1)) === 0 && r === 8 && p === 1)) {
    throw new CryptoError('bad_share', 'unsupported scrypt parameters');
  }
  const salt = fromHex(field(kdf, 'salt'), 'salt');
  const nonce = fromHex(field(body, 'cipher', 'nonce'), 'nonce');
  const sealed = fromHex(field(body, 'cipher', 'data'), 'ciphertext');
  if (nonce.length !== 12 || sealed.length !== 48) {
    throw new CryptoError('bad_share', 'ciphertext has the wrong size');
  }
  const trustee = field(body, 'trustee', 'index');
  if (!isInt(trustee) || trustee < 1) throw new CryptoError('bad_share', 'bad trustee index');
  const vk = pointFromHex(field(body, 'trustee', 'verification_key'), 'verification key');
  const publicKey = pointFromHex(field(body, 'election', 'public_key'), 'public key');
  const name = field(body, 'trustee', 'name');
  if (typeof name !== 'string') throw new CryptoError('bad_share', 'bad trustee name');
  let canonical;
  try {
    canonical = canonicalJson(header);
  } catch {
    throw new CryptoError('bad_share', 'header is not canonical JSON');
  }
  const aad = digest(TAG_SHARE_AAD, canonical);

  const secret = utf8(passphrase);
  let key, plain;
  try {
    key = await scryptAsync(secret, salt, {
      N: n, r, p, dkLen: 32, asyncTick: 20,
      onProgress: options.onProgress,
    });
    const cryptoKey = await globalThis.crypto.subtle.importKey('raw', key, 'AES-GCM', false, ['decrypt']);
    try {
      plain = new Uint8Array(await globalThis.crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: nonce, additionalData: aad, tagLength: 128 }, cryptoKey, sealed));
    } catch {
      throw new CryptoError('wrong_passphrase');
    }
  } finally {
    secret.fill(0);
    if (key) key.fill(0);
  }
  let share;
  try {
    share = scalarFromBytes(plain, 'share');
  } finally {
    plain.fill(0);
  }
  if (share === 0n || !bytesEqual(pointBytes(baseMul(share)), pointBytes(vk))) {
    throw new CryptoError('share_mismatch', `trustee ${trustee}`);
  }
  // tally.count.decrypt_with_share: this vote's key and this vote's trustee.
  if (expected.publicKey != null && !sameKey(expected.publicKey, publicKey)) {
    throw new CryptoError('share_other_election', 'the election key differs');
  }
  if (expected.verificationKeys != null) {
    if (trustee > expected.verificationKeys.length) {
      throw new CryptoError('share_mismatch', `trustee ${trustee} is not in this vote`);
    }
    if (!sameKey(expected.verificationKeys[trustee - 1], vk)) {
      throw new CryptoError('share_mismatch', `trustee ${trustee}`);
    }
  }
  return {
    electionId: body.election.id,
    publicKey,
    trustee,
    name,
    verificationKey: vk,
    secretShare: share,
    /** Best effort: drop the share (a BigInt cannot be overwritten in place). */
    wipe() { this.secretShare = 0n; },
  };
}

// -------------------------------------------------------- partial decryption ----

const asBytes = (v, what) => (typeof v === 'string' ? fromHex(v, what) : v);
const asPoint = (v, what, inf = false) => (typeof v === 'string' ? pointFromHex(v, what, inf) : v);

function parseTotals(totals) {
  if (!Array.isArray(totals)) throw new CryptoError('bad_encoding', 'totals: expected a list');
  return totals.map((t, r) => {
    if (t === null || typeof t !== 'object' || Array.isArray(t)) {
      throw new CryptoError('bad_encoding', `total ${r}: expected keys alpha, beta`);
    }
    return { alpha: asPoint(t.alpha, `total ${r}.alpha`, true), beta: asPoint(t.beta, `total ${r}.beta`, true) };
  });
}

function decryptionChallenge(mh, pk, trustee, vk, index, ct, share, a, b) {
  return hashToScalar(
    TAGS.DECRYPTION, mh, pointBytes(pk), u32(trustee), pointBytes(vk), u32(index),
    pointBytes(ct.alpha), pointBytes(ct.beta), pointBytes(share), pointBytes(a), pointBytes(b),
  );
}

/**
 * Trustee `trustee`'s partial decryption of every row total with its Chaum–Pedersen
 * proof (keys.decryption.partial_decrypt / keys.proofs.prove_decryption): per row r,
 * D = x·α_r, one nonce w (a = w·G, b = w·α_r), c = hash(...), s = w + c·x.
 * `manifestHash` bytes or hex, `publicKey` point or hex, `totals` [{alpha, beta}] hex or
 * points. Returns the PartialDecryption JSON {"trustee", "shares", "proofs"}.
 */
export function partialDecrypt(manifestHash, publicKey, trustee, share, totals, nonces = systemNonces) {
  if (!isInt(trustee) || trustee < 1) throw new CryptoError('bad_parameters', `trustee ${trustee}`);
  const x = mod(share);
  if (x === 0n) throw new CryptoError('share_mismatch', `trustee ${trustee}`);
  const mh = asBytes(manifestHash, 'manifest hash');
  const pk = asPoint(publicKey, 'public key');
  const cts = parseTotals(totals);
  const vk = baseMul(x);
  const shares = [], proofs = [];
  cts.forEach((ct, r) => {
    const d = fixedMul(ct.alpha, x);
    const w = nonces.scalar();
    const a = baseMul(w), b = fixedMul(ct.alpha, w);
    const c = decryptionChallenge(mh, pk, trustee, vk, r, ct, d, a, b);
    shares.push(pointHex(d));
    proofs.push({ c: scalarHex(c), s: scalarHex((w + c * x) % N) });
  });
  return { trustee, shares, proofs };
}

/**
 * Check a PartialDecryption JSON against the totals and the trustee's verification key
 * (keys.decryption.verify_partial); raises CryptoError bad_decryption naming the row.
 */
export function verifyPartial(manifestHash, publicKey, verificationKeys, totals, part) {
  if (part === null || typeof part !== 'object' || !isInt(part.trustee) || part.trustee < 1) {
    throw new CryptoError('bad_encoding', 'partial decryption: bad trustee index');
  }
  const t = part.trustee;
  if (t > verificationKeys.length) {
    throw new CryptoError('bad_decryption', `trustee ${t} is not a trustee of this vote`);
  }
  const cts = parseTotals(totals);
  if (!Array.isArray(part.shares) || !Array.isArray(part.proofs) ||
      part.shares.length !== cts.length || part.proofs.length !== cts.length) {
    throw new CryptoError('bad_decryption', `trustee ${t}: expected ${cts.length} rows`);
  }
  const mh = asBytes(manifestHash, 'manifest hash');
  const pk = asPoint(publicKey, 'public key');
  const vk = asPoint(verificationKeys[t - 1], 'verification key');
  cts.forEach((ct, r) => {
    const d = pointFromHex(part.shares[r], `trustee ${t} share ${r}`, true);
    const proof = part.proofs[r];
    if (proof === null || typeof proof !== 'object') {
      throw new CryptoError('bad_encoding', `trustee ${t} proof ${r}: expected c, s`);
    }
    const c = scalarFromHex(proof.c), s = scalarFromHex(proof.s);
    const a = mulAddPublic(vk, N - c, s); // s·G − c·X_i
    const b = fixedMulPublic(ct.alpha, s).add(fixedMulPublic(d, c).negate());
    if (decryptionChallenge(mh, pk, t, vk, r, ct, d, a, b) !== c) {
      throw new CryptoError('bad_decryption', `trustee ${t}, row ${r}: proof fails`);
    }
  });
}

/** Best effort: overwrite the listed byte arrays with zeros (e.g. the file's bytes). */
export function wipeBytes(...arrays) {
  for (const a of arrays) if (a && typeof a.fill === 'function') a.fill(0);
}

