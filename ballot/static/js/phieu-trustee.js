// Browser twin of keys/sharefile.py (check_passphrase, seal, open_share), tally/count.py
// (decrypt_with_share) and keys/decryption.py (partial_decrypt, verify_partial).
//
// A trustee's share file (phieu-share/2) is sealed at the end of the key ceremony and
// opened at the count, both in the browser: scrypt (noble, RFC 7914) derives the key from
// utf8(NFC(passphrase)), AES-256-GCM (noble `gcm`, pure JS: crypto.subtle exists only in
// secure contexts and this page must also work on http://192.168.x.y) encrypts the
// 32-byte share with the same associated data as Python, and the share is checked against
// its public verification key. The share lives in this page's memory only: it is never
// stored, never sent; only public points and proofs leave the browser. Byte-for-byte
// identical to Python (tests/vectors/decryption.json, sharefile.json, passphrases.json;
// checked by tests/js/trustee.test.mjs).
//
// API: passphraseWeakness(p, name?) -> reason | null; checkPassphrase(p, name?) throws
// CryptoError('weak_passphrase', reason); kdfInput(p) -> utf8(NFC(p));
// sealShare({electionId, round, publicKey, verificationKeys, transcript, trustee, name,
// secretShare, passphrase, scryptN?}, {salt?, nonce?, onProgress?}) -> Promise<Uint8Array>;
// readHeader(bytes); describeShare(bytes, expected?) -> the header checked, not decrypted;
// openShare(bytes, passphrase, expected?, {onProgress?}) -> opened share;
// partialDecrypt(...), verifyPartial(...), wipeBytes(...).
import { gcm, scryptAsync } from '../vendor/noble-secp256k1.js';
import {
  CryptoError, N, TAGS, baseMul, bytesEqual, canonicalJson, digest, fixedMul,
  fixedMulPublic, fromHex, hashToScalar, mod, mulAddPublic, pointBytes, pointFromHex,
  pointHex, randomBytes, scalarBytes, scalarFromBytes, scalarFromHex, scalarHex, systemNonces,
  toHex, u32, utf8,
} from './phieu-crypto.js';
import { passphraseWeakness, checkPassphrase, kdfInput, squash } from './phieu-passphrase.js';

export { passphraseWeakness, checkPassphrase, kdfInput, squash };
export const FORMAT = 'phieu-share/2';
/** scrypt cost of a new file: 2^17 × 8 × 128 B = 128 MiB (keys.sharefile.DEFAULT_SCRYPT_N). */
export const DEFAULT_SCRYPT_N = 2 ** 17;
/** scrypt cost limits (keys/sharefile.py): a hostile file cannot make us burn memory. */
export const MIN_SCRYPT_N = 2 ** 14;
export const MAX_SCRYPT_N = 2 ** 18;
export const MAX_FILE_BYTES = 64 * 1024;
/** The one name of a trustee's share file (keys.sharefile.file_name). */
export const shareFileName = (electionId, trustee) => `${electionId}-trustee-${trustee}.share.json`;

/** Domain tag of the share file's associated data (keys.hashing.TAG_SHARE_AAD). */
export const TAG_SHARE_AAD = TAGS.SHARE_AAD;

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
 * of keys.sharefile.open_share followed by OpenedShare.check_key (tally.count.decrypt_with_share):
 * share_other_election (another vote's file or election key), bad_share (malformed,
 * unsupported scrypt parameters), bad_encoding / bad_point / bad_scalar (as Python),
 * wrong_passphrase (or a tampered file), share_mismatch (share ≠ its verification key,
 * or not this vote's trustee). `expected` = {electionId, publicKey, verificationKeys}
 * (hex strings or points; each optional), and `transcript` (hex or bytes: else
 * manifest_mismatch). `options.onProgress(fraction)` follows scrypt; `options.timings`,
 * if given, receives `scryptMs`.
 *
 * Returns {electionId, publicKey, trustee, name, verificationKey, secretShare, wipe()}:
 * call wipe() as soon as the partial decryption is made.
 */
export async function openShare(fileBytes, passphrase, expected = {}, options = {}) {
  const f = parseShare(fileBytes, expected);
  const { trustee, vk, vks } = f;
  const secret = kdfInput(passphrase);
  let key, plain;
  try {
    const t0 = globalThis.performance.now();
    key = await scryptAsync(secret, f.salt, {
      N: f.n, r: f.r, p: f.p, dkLen: 32, asyncTick: 20,
      onProgress: options.onProgress,
    });
    if (options.timings) options.timings.scryptMs = globalThis.performance.now() - t0;
    try {
      plain = gcm(key, f.nonce, f.aad).decrypt(f.sealed);
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
  if (share === 0n || !bytesEqual(pointBytes(baseMul(share)), pointBytes(vk)) ||
      !bytesEqual(pointBytes(vks[trustee - 1]), pointBytes(vk))) {
    throw new CryptoError('share_mismatch', `trustee ${trustee}`);
  }
  checkExpected(f, expected);
  return info(f, share);
}

/**
 * What a share file records, checked but not decrypted (keys.sharefile.describe): so the
 * page can check the candidate manifest (checkCandidate) before asking for the
 * passphrase. Same codes as openShare; `secretShare` is 0n.
 */
export function describeShare(fileBytes, expected = {}) {
  const f = parseShare(fileBytes, expected);
  if (!bytesEqual(pointBytes(f.vks[f.trustee - 1]), pointBytes(f.vk))) {
    throw new CryptoError('share_mismatch', `trustee ${f.trustee}`);
  }
  checkExpected(f, expected);
  return info(f, 0n);
}

/** The header of a share file, every field checked, in the order of keys.sharefile._parse. */
function parseShare(fileBytes, expected) {
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
  const vksRaw = field(body, 'election', 'verification_keys');
  if (!Array.isArray(vksRaw) || vksRaw.length < 2 || vksRaw.length > 64 || trustee > vksRaw.length) {
    throw new CryptoError('bad_share', 'bad verification keys');
  }
  const vks = vksRaw.map((x, m) => pointFromHex(x, `verification key ${m + 1}`));
  const round = field(body, 'election', 'ceremony');
  if (!isInt(round) || round < 1 || round > 2 ** 32 - 1) throw new CryptoError('bad_share', 'bad ceremony round');
  const transcript = fromHex(field(body, 'election', 'transcript'), 'transcript');
  if (transcript.length !== 32) throw new CryptoError('bad_share', 'bad transcript digest');
  const name = field(body, 'trustee', 'name');
  if (typeof name !== 'string' || typeof field(body, 'election', 'id') !== 'string') {
    throw new CryptoError('bad_share', 'bad trustee name or vote identifier');
  }
  let canonical;
  try {
    canonical = canonicalJson(header);
  } catch {
    throw new CryptoError('bad_share', 'header is not canonical JSON');
  }
  const aad = digest(TAG_SHARE_AAD, canonical);

  return { body, aad, n, r, p, salt, nonce, sealed, trustee, vk, publicKey, vks, round, transcript, name };
}

/** tally.count.decrypt_with_share: this vote's key and this vote's trustee (and transcript). */
function checkExpected({ publicKey, trustee, vk, transcript }, expected) {
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
  if (expected.transcript != null && (typeof expected.transcript === 'string'
    ? expected.transcript : toHex(expected.transcript)) !== toHex(transcript)) {
    throw new CryptoError('manifest_mismatch', 'the ceremony transcript differs');
  }
}

function info(f, share) {
  return {
    electionId: f.body.election.id,
    round: f.round,
    publicKey: f.publicKey,
    verificationKeys: f.vks,
    transcript: f.transcript,
    trustee: f.trustee,
    name: f.name,
    verificationKey: f.vk,
    secretShare: share,
    /** Best effort: drop the share (a BigInt cannot be overwritten in place). */
    wipe() { this.secretShare = 0n; },
  };
}

/**
 * Seal trustee `trustee`'s share x_j in a phieu-share/2 file (keys.sharefile.seal): the
 * passphrase is checked first (weak_passphrase), x_j·G must equal X_j. `publicKey`,
 * `verificationKeys` are points or hex, `transcript` bytes or hex. `options.salt` (16 B)
 * and `options.nonce` (12 B) are for test vectors only; `options.onProgress(fraction)`
 * follows scrypt; `options.timings`, if given, receives `scryptMs` (benchmarks).
 * Resolves to the file's bytes, laid out exactly as Python's json.dumps(indent=2, ensure_ascii=False) + newline.
 */
export async function sealShare(params, options = {}) {
  const { electionId, round, trustee, name, passphrase } = params;
  const scryptN = params.scryptN ?? DEFAULT_SCRYPT_N;
  checkPassphrase(passphrase, name);
  if (!isInt(scryptN) || scryptN < MIN_SCRYPT_N || scryptN > MAX_SCRYPT_N || (scryptN & (scryptN - 1))) {
    throw new CryptoError('bad_parameters', 'scrypt N must be a power of two in 2^14..2^18');
  }
  const vks = params.verificationKeys.map((x) => asPoint(x, 'verification key'));
  const transcript = asBytes(params.transcript, 'transcript');
  if (!isInt(trustee) || trustee < 1 || trustee > vks.length || transcript.length !== 32) {
    throw new CryptoError('bad_parameters', `trustee ${trustee} outside 1..${vks.length}`);
  }
  const x = mod(params.secretShare);
  const vk = baseMul(x);
  if (x === 0n || !bytesEqual(pointBytes(vk), pointBytes(vks[trustee - 1]))) {
    throw new CryptoError('share_mismatch', `trustee ${trustee}`);
  }
  const salt = options.salt ?? randomBytes(16);
  const nonce = options.nonce ?? randomBytes(12);
  if (salt.length !== 16 || nonce.length !== 12) throw new CryptoError('bad_parameters', 'salt or nonce size');
  const header = {
    format: FORMAT,
    election: {
      id: electionId, ceremony: round, public_key: pointHex(asPoint(params.publicKey, 'public key')),
      verification_keys: vks.map(pointHex), transcript: toHex(transcript),
    },
    trustee: { index: trustee, name, verification_key: pointHex(vk) },
    kdf: { name: 'scrypt', n: scryptN, r: 8, p: 1, salt: toHex(salt) },
  };
  const aad = digest(TAG_SHARE_AAD, canonicalJson(header));
  const secret = kdfInput(passphrase);
  let key;
  const plain = scalarBytes(x);
  let sealed;
  try {
    const t0 = globalThis.performance.now();
    key = await scryptAsync(secret, salt, { N: scryptN, r: 8, p: 1, dkLen: 32, asyncTick: 20, onProgress: options.onProgress });
    if (options.timings) options.timings.scryptMs = globalThis.performance.now() - t0;
    sealed = gcm(key, nonce, aad).encrypt(plain);
  } finally {
    secret.fill(0);
    plain.fill(0);
    if (key) key.fill(0);
  }
  const body = { ...header, cipher: { name: 'AES-256-GCM', nonce: toHex(nonce), data: toHex(sealed) } };
  return new TextEncoder().encode(JSON.stringify(body, null, 2) + '\n');
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

