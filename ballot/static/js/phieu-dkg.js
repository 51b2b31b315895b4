// Browser twin of keys/dkg.py: one trustee's device in the dealer-free key ceremony
// (spec: docs/crypto.md, "key ceremony"). Byte-for-byte identical to Python
// (tests/vectors/dkg.json, checked by tests/js/dkg.test.mjs). Pure JS (vendored noble:
// HKDF, AES-256-GCM): no crypto.subtle, so it also runs on http://192.168.x.y.
//
// API (every message is the JSON object the board stores; errors are CryptoError with
// the codes of keys/errors.py: dkg_bad_message, dkg_other_vote, dkg_wrong_round,
// dkg_wrong_trustee, dkg_duplicate, dkg_missing, dkg_bad_proof, dkg_key_mismatch,
// dkg_bad_confirm, bad_point, bad_scalar, bad_encoding, bad_parameters, threshold_too_low):
//   context(electionId, round, names, k) -> Uint8Array(32)                  ctx
//   start(electionId, round, names, k, index, nonces?) -> {state, message}  round 1 (commit)
//   verifyCommit(msg, electionId, round, names, k, index?) -> Contribution
//   verifyCommits(msgs, electionId, round, names, k) -> Contribution[]      all n, ascending
//   makeShares(state, contributions, nonces?) -> shares message             round 2
//   verifySharesMessage(msg, electionId, round, n, sender?)                 structure only
//   receive(state, contributions, sharesMsgs) -> {share, key, message: done} | {complaint}
//   jointKey(contributions, k) -> ElectionKey {threshold, publicKey, commitments, verificationKeys}
//   keyJson(key) -> {"threshold", "public_key", "commitments", "verification_keys"} (hex)
//   ceremonyJson(round, contributions) -> the manifest's "ceremony" object
//   checkCeremony(trusteesJson, electionId, names, k) -> ElectionKey   (manifest's trustees)
//   transcript(ctx, contributionsJson) -> Uint8Array(32)
//   confirm(manifestHash, index, share, nonces?, electionId) -> confirm message
//   verifyConfirm(msg, manifestHash, key, electionId?) -> trustee index
// `state` holds the secrets (e_i, a_il) in memory only; call wipeState(state) when done.
// `nonces` defaults to systemNonces; tests inject deterministicNonces (phieu-crypto.js).
import { gcm, hkdf, sha256 } from '../vendor/noble-secp256k1.js';
import {
  CryptoError, N, add, baseMul, bytesEqual, canonicalJson, concat, digest,
  fromHex, hashToScalar, mod, mulAddPublic, OPS, pointBytes, pointFromHex, pointHex,
  scalarBytes, scalarFromBytes, scalarFromHex, scalarHex, systemNonces, u32, utf8, INFINITY,
} from './phieu-crypto.js';
import { exactKeys, isInt, isObject } from './phieu-json.js';

export const TAGS_DKG = Object.freeze({
  CONTEXT: utf8('phieu/v1/dkg-context'),
  CEREMONY_KEY: utf8('phieu/v1/dkg-ceremony-key'),
  COEFFICIENT: utf8('phieu/v1/dkg-coefficient'),
  SHARE_AAD: utf8('phieu/v1/dkg-share'),
  TRANSCRIPT: utf8('phieu/v1/dkg-transcript'),
  CONFIRM: utf8('phieu/v1/dkg-confirm'),
});
const SHARE_KEY_INFO = utf8('phieu/v1/dkg-share-key');
export const FORMATS = Object.freeze({
  commit: 'phieu-dkg-commit/1', shares: 'phieu-dkg-shares/1', done: 'phieu-dkg-done/1',
  complaint: 'phieu-dkg-complaint/1', confirm: 'phieu-dkg-confirm/1',
});
export const MAX_TRUSTEES = 64;
const U32_MAX = 2 ** 32 - 1;
const bad = (what) => new CryptoError('dkg_bad_message', what);

// ------------------------------------------------------------ parameters ----

/** 2 ≤ k ≤ n ≤ 64 (keys.shamir.check_parameters); k = 1 → threshold_too_low. */
export function checkParameters(k, n) {
  if (!isInt(k) || !isInt(n)) throw new CryptoError('bad_parameters', 'k and n must be integers');
  if (k === 1) throw new CryptoError('threshold_too_low', 'k = 1');
  if (!(k >= 2 && k <= n && n <= MAX_TRUSTEES)) {
    throw new CryptoError('bad_parameters', `need 2 ≤ k ≤ n ≤ ${MAX_TRUSTEES}, got k=${k}, n=${n}`);
  }
}

/** ctx = digest(TAG_DKG_CONTEXT, utf8(E), u32(r), u32(n), u32(k), utf8(name_1) … utf8(name_n)). */
export function context(electionId, round, names, k) {
  if (typeof electionId !== 'string' || !Array.isArray(names) || names.some((x) => typeof x !== 'string')) {
    throw new CryptoError('bad_parameters', 'election id and names must be strings');
  }
  checkParameters(k, names.length);
  if (!isInt(round) || round < 0 || round > U32_MAX) throw new CryptoError('bad_parameters', 'bad round');
  return digest(TAGS_DKG.CONTEXT, utf8(electionId), u32(round), u32(names.length), u32(k),
    ...names.map((x) => utf8(x)));
}

// ------------------------------------------------------ proof of knowledge ----

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

function integer(value, what, low, high) {
  if (!isInt(value) || value < low || value > high) throw bad(`${what}: expected an integer in ${low}..${high}`);
  return value;
}

/** Format, vote, round (when given) and trustee range, as keys/dkg_wire.header. */
function header(msg, keys, fmt, electionId, round, n) {
  const what = fmt.split('/')[0].replace(/^phieu-dkg-/, '') + ' message';
  if (!isObject(msg)) throw bad(`${what}: expected an object`);
  try {
    exactKeys(msg, keys, what, 'dkg_bad_message');
  } catch (err) {
    throw bad(err.detail);
  }
  if (msg.format !== fmt) throw bad(`${what}: format is not ${fmt}`);
  if (msg.election_id !== electionId) {
    throw new CryptoError('dkg_other_vote', `${what} for ${JSON.stringify(msg.election_id)}`);
  }
  if (round != null) {
    const got = integer(msg.ceremony, `${what}: ceremony`, 0, U32_MAX);
    if (got !== round) throw new CryptoError('dkg_wrong_round', `${what}: round ${got}, expected ${round}`);
  }
  return integer(msg.trustee, `${what}: trustee`, 1, n);
}

function points(values, what, count) {
  if (!Array.isArray(values) || values.length !== count) throw bad(`${what}: expected ${count} points`);
  return values.map((v, i) => pointFromHex(v, `${what} ${i}`));
}

function fixedHex(value, what, size) {
  const data = fromHex(value, what);
  if (data.length !== size) throw bad(`${what}: expected ${size} bytes`);
  return data;
}

// ---------------------------------------------------------------- round 1 ----

/**
 * Trustee `index` starts round `round`: draws e_i, its proof, then each a_il and its proof
 * (draw order e_i, w(E_i), a_i0, w(C_i0), …). Returns {state, message} (the commit).
 */
export function start(electionId, round, names, k, index, nonces = systemNonces) {
  const ctx = context(electionId, round, names, k);
  integerParam(index, names.length);
  const e = nonces.scalar();
  const E = baseMul(e);
  const ceremonyKeyProof = proveKnowledge(TAGS_DKG.CEREMONY_KEY, [ctx, u32(index), pointBytes(E)], e, nonces);
  const coefficients = [], commitments = [], proofs = [];
  for (let l = 0; l < k; l++) {
    const a = nonces.scalar();
    const C = baseMul(a);
    coefficients.push(a);
    commitments.push(pointHex(C));
    proofs.push(proveKnowledge(TAGS_DKG.COEFFICIENT, [ctx, u32(index), u32(l), pointBytes(C)], a, nonces));
  }
  const state = { electionId, round, names: [...names], k, index, ctx, e, coefficients };
  const message = {
    format: FORMATS.commit, election_id: electionId, ceremony: round, trustee: index,
    ceremony_key: pointHex(E), ceremony_key_proof: ceremonyKeyProof, commitments, proofs,
  };
  return { state, message };
}

function integerParam(index, n) {
  if (!isInt(index) || index < 1 || index > n) throw new CryptoError('bad_parameters', `trustee ${index}`);
}

const COMMIT_KEYS = ['format', 'election_id', 'ceremony', 'trustee', 'ceremony_key',
  'ceremony_key_proof', 'commitments', 'proofs'];

/**
 * Check one commit message (every proof). Returns a Contribution {index, ceremonyKey,
 * commitments (points), json (the manifest's contribution object)}.
 */
export function verifyCommit(msg, electionId, round, names, k, index = null) {
  const ctx = context(electionId, round, names, k);
  const i = header(msg, COMMIT_KEYS, FORMATS.commit, electionId, round, names.length);
  if (index != null && i !== index) throw new CryptoError('dkg_wrong_trustee', `commit of ${i}, expected ${index}`);
  return contribution(ctx, i, msg, k, 'commit');
}

function contribution(ctx, i, body, k, what) {
  const E = pointFromHex(body.ceremony_key, `${what} ${i} ceremony key`);
  verifyKnowledge(TAGS_DKG.CEREMONY_KEY, [ctx, u32(i), pointBytes(E)], E, body.ceremony_key_proof,
    `${what} ${i} ceremony key`);
  const C = points(body.commitments, `${what} ${i} commitments`, k);
  if (!Array.isArray(body.proofs) || body.proofs.length !== k) throw bad(`${what} ${i}: expected ${k} proofs`);
  C.forEach((c, l) => verifyKnowledge(TAGS_DKG.COEFFICIENT, [ctx, u32(i), u32(l), pointBytes(c)], c,
    body.proofs[l], `${what} ${i} coefficient ${l}`));
  const json = {
    index: i, ceremony_key: body.ceremony_key,
    ceremony_key_proof: { c: body.ceremony_key_proof.c, u: body.ceremony_key_proof.u },
    commitments: [...body.commitments], proofs: body.proofs.map((p) => ({ c: p.c, u: p.u })),
  };
  return { index: i, ceremonyKey: E, commitments: C, json };
}

/** All n commits: each verifies, trustees 1..n each exactly once; sorted ascending. */
export function verifyCommits(msgs, electionId, round, names, k) {
  if (!Array.isArray(msgs)) throw bad('commits: expected a list');
  const out = new Array(names.length).fill(null);
  for (const m of msgs) {
    const c = verifyCommit(m, electionId, round, names, k);
    if (out[c.index - 1]) throw new CryptoError('dkg_duplicate', `two commits of trustee ${c.index}`);
    out[c.index - 1] = c;
  }
  const missing = out.findIndex((c) => !c);
  if (missing >= 0) throw new CryptoError('dkg_missing', `no commit of trustee ${missing + 1}`);
  return out;
}

/** The contributions are exactly trustees 1..n in order, and ours is what we drew. */
function checkContributions(state, contributions) {
  const n = state.names.length;
  if (!Array.isArray(contributions) || contributions.length !== n ||
      contributions.some((c, i) => !c || c.index !== i + 1 || c.commitments.length !== state.k)) {
    throw new CryptoError('dkg_missing', `expected the ${n} contributions in order`);
  }
  const own = contributions[state.index - 1];
  if (!bytesEqual(pointBytes(own.ceremonyKey), pointBytes(baseMul(state.e))) ||
      own.commitments.some((C, l) => !bytesEqual(pointBytes(C), pointBytes(baseMul(state.coefficients[l]))))) {
    throw new CryptoError('dkg_key_mismatch', `the board's commit of trustee ${state.index} is not ours`);
  }
}

// ---------------------------------------------------------------- round 2 ----

/** f(z) = Σ_l a_l·z^l mod N (Horner). */
function evaluate(coefficients, z) {
  let acc = 0n;
  const x = BigInt(z);
  for (let l = coefficients.length - 1; l >= 0; l--) acc = (acc * x + coefficients[l]) % N;
  return acc;
}

/** Σ_l z^l·C_l (Horner with small public multipliers). */
function evaluatePoints(C, z) {
  let acc = INFINITY;
  const x = BigInt(z);
  for (let l = C.length - 1; l >= 0; l--) {
    if (!acc.is0()) { OPS.mul++; acc = acc.multiplyUnsafe(x); }
    acc = add(acc, C[l]);
  }
  return acc;
}

/** AES key and AAD of the sub-share i → j (same key for both ends: e_i·E_j = e_j·E_i). */
function channel(ctx, secret, i, j, Ei, Ej, peer) {
  OPS.mul++; // variable base, secret scalar: noble's constant-time multiply
  const ikm = pointBytes(peer.multiply(mod(secret)));
  const key = hkdf(sha256, ikm, ctx, concat([SHARE_KEY_INFO, u32(i), u32(j)]), 32);
  const aad = digest(TAGS_DKG.SHARE_AAD, ctx, u32(i), u32(j), pointBytes(Ei), pointBytes(Ej));
  return { key, aad };
}

/** Trustee i's sub-shares s_ij = f_i(j), encrypted to each j ≠ i (ascending). */
export function makeShares(state, contributions, nonces = systemNonces) {
  checkContributions(state, contributions);
  const i = state.index;
  const Ei = contributions[i - 1].ceremonyKey;
  const shares = [];
  for (const c of contributions) {
    const j = c.index;
    if (j === i) continue;
    const { key, aad } = channel(state.ctx, state.e, i, j, Ei, c.ceremonyKey, c.ceremonyKey);
    const nonce = scalarBytes(nonces.scalar()).slice(0, 12);
    const plain = scalarBytes(evaluate(state.coefficients, j));
    const data = gcm(key, nonce, aad).encrypt(plain);
    plain.fill(0);
    key.fill(0);
    shares.push({ to: j, nonce: toHexBytes(nonce), data: toHexBytes(data) });
  }
  return { format: FORMATS.shares, election_id: state.electionId, ceremony: state.round, trustee: i, shares };
}

const toHexBytes = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** Structure of a shares message: format, round, sender, `to` = every j ≠ i once, sizes. */
export function verifySharesMessage(msg, electionId, round, n, sender = null) {
  const i = header(msg, ['format', 'election_id', 'ceremony', 'trustee', 'shares'], FORMATS.shares,
    electionId, round, n);
  if (sender != null && i !== sender) throw new CryptoError('dkg_wrong_trustee', `shares of ${i}, expected ${sender}`);
  if (!Array.isArray(msg.shares) || msg.shares.length !== n - 1) throw bad(`shares of ${i}: expected ${n - 1} entries`);
  const expected = [];
  for (let j = 1; j <= n; j++) if (j !== i) expected.push(j);
  msg.shares.forEach((s, at) => {
    exactKeysOr(s, ['to', 'nonce', 'data'], `shares of ${i} entry ${at}`);
    if (s.to !== expected[at] || !isInt(s.to)) throw bad(`shares of ${i}: entry ${at} must be for trustee ${expected[at]}`);
    fixedHex(s.nonce, `shares of ${i} to ${s.to} nonce`, 12);
    fixedHex(s.data, `shares of ${i} to ${s.to} data`, 48);
  });
  return i;
}

function exactKeysOr(obj, keys, what) {
  try {
    exactKeys(obj, keys, what, 'dkg_bad_message');
  } catch (err) {
    throw bad(err.detail);
  }
}

// ---------------------------------------------------------------- round 3 ----

/**
 * Trustee j decrypts and checks every s_ij. Returns {share: x_j, key, message} (message =
 * the done message) or {complaint} (the complaint message against the first failing i).
 */
export function receive(state, contributions, sharesMsgs) {
  checkContributions(state, contributions);
  const j = state.index, n = state.names.length;
  if (!Array.isArray(sharesMsgs)) throw bad('shares: expected a list');
  const bySender = new Array(n + 1).fill(null);
  for (const m of sharesMsgs) {
    const i = verifySharesMessage(m, state.electionId, state.round, n);
    if (bySender[i]) throw new CryptoError('dkg_duplicate', `two shares messages of trustee ${i}`);
    bySender[i] = m;
  }
  const Ej = contributions[j - 1].ceremonyKey;
  let x = evaluate(state.coefficients, j);
  for (const c of contributions) {
    const i = c.index;
    if (i === j) continue;
    const m = bySender[i];
    if (!m) throw new CryptoError('dkg_missing', `no shares message of trustee ${i}`);
    const entry = m.shares.find((s) => s.to === j);
    const { key, aad } = channel(state.ctx, state.e, i, j, c.ceremonyKey, Ej, c.ceremonyKey);
    let plain;
    try {
      plain = gcm(key, fromHex(entry.nonce), aad).decrypt(fromHex(entry.data));
    } catch {
      return complaint(state, i, 'undecryptable');
    } finally {
      key.fill(0);
    }
    let s;
    try {
      s = scalarFromBytes(plain, 'sub-share');
    } catch {
      return complaint(state, i, 'bad_share');
    } finally {
      plain.fill(0);
    }
    if (!bytesEqual(pointBytes(baseMul(s)), pointBytes(evaluatePoints(c.commitments, j)))) {
      return complaint(state, i, 'bad_share');
    }
    x = (x + s) % N;
  }
  const key = jointKey(contributions, state.k);
  if (x === 0n || !bytesEqual(pointBytes(baseMul(x)), pointBytes(key.verificationKeys[j - 1]))) {
    throw new CryptoError('dkg_key_mismatch', `share of trustee ${j}`);
  }
  const kj = keyJson(key);
  const message = {
    format: FORMATS.done, election_id: state.electionId, ceremony: state.round, trustee: j,
    public_key: kj.public_key, verification_keys: kj.verification_keys,
  };
  return { share: x, key, message };
}

function complaint(state, against, reason) {
  return {
    complaint: {
      format: FORMATS.complaint, election_id: state.electionId, ceremony: state.round,
      trustee: state.index, against, reason,
    },
  };
}

/** A_l = Σ_i C_il, Y = A_0, X_m = Σ_l m^l·A_l (m = 1..n). */
export function jointKey(contributions, k) {
  const n = contributions.length;
  checkParameters(k, n);
  const A = [];
  for (let l = 0; l < k; l++) {
    let acc = INFINITY;
    for (const c of contributions) acc = add(acc, c.commitments[l]);
    if (acc.is0()) throw new CryptoError('dkg_key_mismatch', `A_${l} is the point at infinity`);
    A.push(acc);
  }
  const verificationKeys = [];
  for (let m = 1; m <= n; m++) {
    const X = evaluatePoints(A, m);
    if (X.is0()) throw new CryptoError('dkg_key_mismatch', `X_${m} is the point at infinity`);
    verificationKeys.push(X);
  }
  return { threshold: k, publicKey: A[0], commitments: A, verificationKeys };
}

/** ElectionKey.to_json: {"threshold", "public_key", "commitments", "verification_keys"}. */
export function keyJson(key) {
  return {
    threshold: key.threshold, public_key: pointHex(key.publicKey),
    commitments: key.commitments.map(pointHex), verification_keys: key.verificationKeys.map(pointHex),
  };
}

/** The manifest's "ceremony" object {"round", "contributions"}. */
export function ceremonyJson(round, contributions) {
  return { round, contributions: contributions.map((c) => c.json) };
}

/** digest(TAG_DKG_TRANSCRIPT, ctx, canonical_json(contributions)). */
export function transcript(ctx, contributionsJson) {
  return digest(TAGS_DKG.TRANSCRIPT, ctx, canonicalJson(contributionsJson));
}

const TRUSTEES_KEYS = ['names', 'threshold', 'public_key', 'commitments', 'verification_keys', 'ceremony'];
const CONTRIBUTION_KEYS = ['index', 'ceremony_key', 'ceremony_key_proof', 'commitments', 'proofs'];

/**
 * The manifest's trustees section: ctx from (E, round, n, k, names), every proof, A_l,
 * Y and every X_m recomputed. Returns the ElectionKey; dkg_key_mismatch if they differ.
 */
export function checkCeremony(trusteesJson, electionId, names, k) {
  exactKeysOr(trusteesJson, TRUSTEES_KEYS, 'trustees');
  const t = trusteesJson;
  if (!Array.isArray(t.names) || t.names.length !== names.length || t.names.some((x, i) => x !== names[i]) ||
      t.threshold !== k) {
    throw new CryptoError('dkg_key_mismatch', 'trustees: names or threshold differ');
  }
  exactKeysOr(t.ceremony, ['round', 'contributions'], 'trustees.ceremony');
  const round = integer(t.ceremony.round, 'ceremony round', 0, U32_MAX);
  const ctx = context(electionId, round, names, k);
  const list = t.ceremony.contributions;
  if (!Array.isArray(list) || list.length !== names.length) throw bad(`ceremony: expected ${names.length} contributions`);
  const contributions = list.map((c, at) => {
    exactKeysOr(c, CONTRIBUTION_KEYS, `contribution ${at + 1}`);
    if (c.index !== at + 1) throw bad(`contribution ${at}: index must be ${at + 1}`);
    return contribution(ctx, at + 1, c, k, 'contribution');
  });
  const key = jointKey(contributions, k);
  const kj = keyJson(key);
  if (t.public_key !== kj.public_key || canonicalText(t.commitments) !== canonicalText(kj.commitments) ||
      canonicalText(t.verification_keys) !== canonicalText(kj.verification_keys)) {
    throw new CryptoError('dkg_key_mismatch', 'trustees: the key differs from the commitments');
  }
  return key;
}

const canonicalText = (v) => JSON.stringify(v);

// ----------------------------------------------------------- confirmation ----

/** Trustee j's confirm message: proof of x_j under (manifest hash, u32(j), X_j, R). */
export function confirm(manifestHash, index, share, nonces = systemNonces, electionId = '') {
  const mh = typeof manifestHash === 'string' ? fixedHex(manifestHash, 'manifest hash', 32) : manifestHash;
  const x = mod(share);
  if (x === 0n) throw new CryptoError('bad_parameters', 'share is zero');
  const X = baseMul(x);
  const proof = proveKnowledge(TAGS_DKG.CONFIRM, [mh, u32(index), pointBytes(X)], x, nonces);
  return { format: FORMATS.confirm, election_id: electionId, trustee: index, manifest: toHexBytes(mh), proof };
}

/** Check a confirm message against X_j and the manifest hash; returns the trustee index. */
export function verifyConfirm(msg, manifestHash, key, electionId = null) {
  const mh = typeof manifestHash === 'string' ? fixedHex(manifestHash, 'manifest hash', 32) : manifestHash;
  exactKeysOr(msg, ['format', 'election_id', 'trustee', 'manifest', 'proof'], 'confirm message');
  if (msg.format !== FORMATS.confirm) throw bad(`confirm message: format is not ${FORMATS.confirm}`);
  if (typeof msg.election_id !== 'string') throw bad('confirm message: election_id');
  if (electionId != null && msg.election_id !== electionId) {
    throw new CryptoError('dkg_other_vote', `confirm for ${JSON.stringify(msg.election_id)}`);
  }
  const j = integer(msg.trustee, 'confirm message: trustee', 1, key.verificationKeys.length);
  if (msg.manifest !== toHexBytes(mh)) throw new CryptoError('dkg_bad_confirm', `trustee ${j}: another manifest`);
  const X = key.verificationKeys[j - 1];
  try {
    verifyKnowledge(TAGS_DKG.CONFIRM, [mh, u32(j), pointBytes(X)], X, msg.proof, `confirm ${j}`);
  } catch (err) {
    if (err.code === 'dkg_bad_proof') throw new CryptoError('dkg_bad_confirm', `trustee ${j}: proof fails`);
    throw err;
  }
  return j;
}

/** Best effort: drop the secrets of a state (BigInts cannot be overwritten in place). */
export function wipeState(state) {
  state.e = 0n;
  state.coefficients = state.coefficients.map(() => 0n);
}
