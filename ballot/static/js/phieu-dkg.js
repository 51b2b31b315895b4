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
//   verifyCommit(msg, electionId, round, names, k, index?) -> Contribution {ctx, index,
//     ceremonyKey, commitments (points), json (the manifest's contribution object)}
//   verifyCommits(msgs, electionId, round, names, k) -> Contribution[]      all n, ascending
//   makeShares(state, contributions, nonces?) -> shares message             round 2
//   verifySharesMessage(msg, electionId, round, n, sender?)                 structure only
//   transcriptOf(contributions) -> Uint8Array(32); fingerprint(transcript) -> "abcd ef01 …"
//     (32 hex, read aloud device to device: makeShares only after every trustee says yes)
//   receive(state, contributions, sharesMsgs) -> {share, key} | {complaint}
//   doneMessage(state, share, key, transcript, nonces?) -> done message (with its proof)
//   verifyDone(msg, ctx, transcript, key, {electionId, round, sender}?) -> trustee
//   verifyComplaint(msg, electionId, round, n, sender?) -> the complaint
//   jointKey(contributions, k) -> ElectionKey {threshold, publicKey, commitments, verificationKeys}
//   keyJson(key) -> {"threshold", "public_key", "commitments", "verification_keys"} (hex)
//   ceremonyJson(round, contributions) -> the manifest's "ceremony" object
//   checkCeremony(trusteesJson, electionId, names, k) -> ElectionKey   (manifest's trustees)
//   parseCeremony(ceremonyJson, electionId, names, k) -> Contribution[]
//   transcript(ctx, contributionsJson) -> Uint8Array(32)
//   confirm(manifestHash, index, share, nonces?, electionId) -> confirm message
//   verifyConfirm(msg, manifestHash, key, electionId?) -> trustee index
//   checkCandidate(manifest, opened) -> manifest hash (bytes): manifest = what the share file recorded
// `state` holds the secrets (e_i, a_il) in memory only; call wipeState(state) when done.
// `nonces` defaults to systemNonces; tests inject deterministicNonces (phieu-crypto.js).
// One nonce source per device for the whole ceremony: start, makeShares (one draw per
// recipient), doneMessage (one), confirm (one) continue the same stream.
import { gcm, hkdf, sha256 } from '../vendor/noble-secp256k1.js';
import {
  CryptoError, N, TAGS, add, baseMul, bytesEqual, canonicalJson, concat, digest,
  fromHex, mod, OPS, pointBytes, pointFromHex, pointHex, scalarBytes, bytesToBigInt,
  systemNonces, u32, utf8, INFINITY, manifestHash,
} from './phieu-crypto.js';
import { groupCode } from './phieu-codes.js';
import { isInt, isObject } from './phieu-json.js';
import {
  FORMATS, U32_MAX, bad, canonicalText, exactKeysOr, fixedHex, header, integer, points,
  proveKnowledge, toHexBytes, verifyKnowledge,
} from './phieu-dkg-wire.js';
import { complaint, keyJson } from './phieu-dkg-messages.js';

export { FORMATS, proveKnowledge, verifyKnowledge } from './phieu-dkg-wire.js';
export {
  REASONS, complaint, confirm, doneMessage, keyJson, verifyComplaint, verifyConfirm, verifyDone,
} from './phieu-dkg-messages.js';

/** The ceremony's tags (TAGS.DKG_* of phieu-crypto.js = keys.hashing.TAG_DKG_*). */
export const TAGS_DKG = Object.freeze({
  CONTEXT: TAGS.DKG_CONTEXT, CEREMONY_KEY: TAGS.DKG_CEREMONY_KEY, COEFFICIENT: TAGS.DKG_COEFFICIENT,
  SHARE_AAD: TAGS.DKG_SHARE_AAD, TRANSCRIPT: TAGS.DKG_TRANSCRIPT, CONFIRM: TAGS.DKG_CONFIRM,
  DONE: TAGS.DKG_DONE,
});
const SHARE_KEY_INFO = TAGS.DKG_SHARE_KEY;
export const MAX_TRUSTEES = 64;

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
  if (!Array.isArray(names)) throw new CryptoError('bad_parameters', 'names must be a list');
  checkParameters(k, names.length);
  names.forEach((x, at) => {
    if (typeof x !== 'string' || [...x].length < 1 || [...x].length > 200) {
      throw new CryptoError('bad_parameters', `trustee ${at + 1}: a name of 1 to 200 characters`);
    }
    if (x.normalize('NFC') !== x) throw new CryptoError('bad_parameters', `trustee ${at + 1}: the name is not in NFC form`);
  });
  if (new Set(names).size !== names.length) throw new CryptoError('bad_parameters', 'two trustees have the same name');
  if (typeof electionId !== 'string' || !electionId) throw new CryptoError('bad_parameters', 'the vote needs an identifier');
  if (!isInt(round) || round < 1 || round > U32_MAX) {
    throw new CryptoError('bad_parameters', 'the ceremony round is an integer ≥ 1');
  }
  return digest(TAGS_DKG.CONTEXT, utf8(electionId), u32(round), u32(names.length), u32(k),
    ...names.map((x) => utf8(x)));
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
  const posted = {
    index, ceremony_key: pointHex(E), ceremony_key_proof: ceremonyKeyProof, commitments, proofs,
  };
  const state = { electionId, round, names: [...names], k, index, ctx, e, coefficients, posted: canonicalJson(posted) };
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
  return contribution(ctx, i, msg, k, `trustee ${i}`);
}

function contribution(ctx, i, body, k, what) {
  const E = pointFromHex(body.ceremony_key, `${what}: ceremony key`);
  verifyKnowledge(TAGS_DKG.CEREMONY_KEY, [ctx, u32(i), pointBytes(E)], E, body.ceremony_key_proof,
    `${what}: ceremony key proof`);
  const C = points(body.commitments, `${what}: commitment`, k);
  if (!Array.isArray(body.proofs) || body.proofs.length !== k) throw bad(`${what}: expected ${k} proofs`);
  C.forEach((c, l) => verifyKnowledge(TAGS_DKG.COEFFICIENT, [ctx, u32(i), u32(l), pointBytes(c)], c,
    body.proofs[l], `${what}: proof of coefficient ${l}`));
  const json = {
    index: i, ceremony_key: body.ceremony_key,
    ceremony_key_proof: { c: body.ceremony_key_proof.c, u: body.ceremony_key_proof.u },
    commitments: [...body.commitments], proofs: body.proofs.map((p) => ({ c: p.c, u: p.u })),
  };
  return { ctx, index: i, ceremonyKey: E, commitments: C, json };
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

/** keys.dkg._check_set: trustees 1..n once each, in order, of this ceremony. */
function checkSet(contributions, ctx, n) {
  if (!Array.isArray(contributions)) throw new CryptoError('dkg_missing', 'contributions: expected a list');
  const seen = contributions.map((c) => c.index);
  if (new Set(seen).size !== seen.length) throw new CryptoError('dkg_duplicate', 'two contributions of the same trustee');
  if (seen.length !== n || seen.some((x, at) => x !== at + 1)) {
    throw new CryptoError('dkg_missing', `need the contributions of trustees 1..${n} in order`);
  }
  if (contributions.some((c) => !bytesEqual(c.ctx, ctx))) {
    throw new CryptoError('dkg_wrong_round', 'a contribution belongs to another ceremony');
  }
}

/** checkSet, and the board's commit for our index is byte-equal to what we posted. */
function checkContributions(state, contributions) {
  checkSet(contributions, state.ctx, state.names.length);
  const own = contributions[state.index - 1];
  if (!bytesEqual(canonicalJson(own.json), state.posted) ||
      !bytesEqual(pointBytes(own.ceremonyKey), pointBytes(baseMul(state.e)))) {
    throw new CryptoError('dkg_key_mismatch', `trustee ${state.index}: the board shows another commitment`);
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
    if (!acc.is0()) { OPS.small++; acc = acc.multiplyUnsafe(x); }
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
    const value = evaluate(state.coefficients, j);
    if (value === 0n) throw new CryptoError('dkg_bad_state', 'zero sub-share: run start again');
    const plain = scalarBytes(value);
    const data = gcm(key, nonce, aad).encrypt(plain);
    plain.fill(0);
    key.fill(0);
    shares.push({ to: j, nonce: toHexBytes(nonce), data: toHexBytes(data) });
  }
  return { format: FORMATS.shares, election_id: state.electionId, ceremony: state.round, trustee: i, shares };
}

/** Structure of a shares message: format, round, sender, `to` = every j ≠ i once, sizes. */
export function verifySharesMessage(msg, electionId, round, n, sender = null) {
  const i = header(msg, ['format', 'election_id', 'ceremony', 'trustee', 'shares'], FORMATS.shares,
    electionId, round, n);
  if (sender != null && i !== sender) throw new CryptoError('dkg_wrong_trustee', `shares of ${i}, expected ${sender}`);
  if (!Array.isArray(msg.shares)) throw bad(`trustee ${i}: shares must be a list`);
  const got = msg.shares.map((s) => {
    exactKeysOr(s, ['to', 'nonce', 'data'], `trustee ${i}: share`);
    const to = integer(s.to, `trustee ${i}: share recipient`, 1, n);
    fixedHex(s.nonce, `trustee ${i}: nonce`, 12);
    fixedHex(s.data, `trustee ${i}: ciphertext`, 48);
    return to;
  });
  const expected = [];
  for (let j = 1; j <= n; j++) if (j !== i) expected.push(j);
  if (got.length !== expected.length || got.some((x, at) => x !== expected[at])) {
    throw bad(`trustee ${i}: one share for each j ≠ ${i}, ascending`);
  }
  return i;
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
  for (let i = 1; i <= n; i++) {
    if (i !== j && !bySender[i]) throw new CryptoError('dkg_missing', `no shares message from trustee ${i}`);
  }
  const Ej = contributions[j - 1].ceremonyKey;
  let x = evaluate(state.coefficients, j);
  for (const c of contributions) {
    const i = c.index;
    if (i === j) continue;
    const m = bySender[i];
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
    const s = bytesToBigInt(plain);
    plain.fill(0);
    if (s === 0n || s >= N || !bytesEqual(pointBytes(baseMul(s)), pointBytes(evaluatePoints(c.commitments, j)))) {
      return complaint(state, i, 'bad_share');
    }
    x = (x + s) % N;
  }
  const key = jointKey(contributions, state.k);
  if (x === 0n || !bytesEqual(pointBytes(baseMul(x)), pointBytes(key.verificationKeys[j - 1]))) {
    throw new CryptoError('dkg_key_mismatch', `trustee ${j}: share does not match X_${j}`);
  }
  return { share: x, key };
}

/** A_l = Σ_i C_il, Y = A_0, X_m = Σ_l m^l·A_l (m = 1..n). */
export function jointKey(contributions, k) {
  const n = contributions.length;
  checkParameters(k, n);
  if (contributions.some((c) => c.commitments.length !== k)) throw bad(`every contribution has ${k} commitments`);
  const A = [];
  for (let l = 0; l < k; l++) {
    let acc = INFINITY;
    for (const c of contributions) acc = add(acc, c.commitments[l]);
    A.push(acc);
  }
  if (A[0].is0()) throw new CryptoError('dkg_key_mismatch', 'the joint key is the point at infinity');
  const verificationKeys = [];
  for (let m = 1; m <= n; m++) verificationKeys.push(evaluatePoints(A, m));
  return { threshold: k, publicKey: A[0], commitments: A, verificationKeys };
}

/** The manifest's "ceremony" object {"round", "contributions"}. */
export function ceremonyJson(round, contributions) {
  return { round, contributions: contributions.map((c) => c.json) };
}

/** digest(TAG_DKG_TRANSCRIPT, ctx, canonical_json(contributions)). */
export function transcript(ctx, contributionsJson) {
  return digest(TAGS_DKG.TRANSCRIPT, ctx, canonicalJson(contributionsJson));
}

/** The transcript of verified contributions (all of one ceremony, ascending). */
export function transcriptOf(contributions) {
  if (!Array.isArray(contributions) || !contributions.length) throw new CryptoError('dkg_missing', 'no contributions');
  checkSet(contributions, contributions[0].ctx, contributions.length);
  return transcript(contributions[0].ctx, contributions.map((c) => c.json));
}

/**
 * The first 32 hex characters (128 bits) of a transcript in groups of 4, read aloud
 * device to device before any sub-share is sent (fewer bits would allow a birthday search).
 */
export function fingerprint(digestBytes) {
  return groupCode(toHexBytes(digestBytes).slice(0, 32));
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
    throw bad('trustees: names or threshold differ');
  }
  const key = jointKey(parseCeremony(t.ceremony, electionId, names, k), k);
  // The published copies parse and are consistent (ElectionKey.from_json: bad_encoding,
  // bad_point, bad_parameters), then must equal what the contributions give.
  const listOf = (v, what) => {
    if (!Array.isArray(v)) throw new CryptoError('bad_encoding', 'election key: missing fields');
    return v.map((x, i) => pointFromHex(x, `${what} ${i}`));
  };
  const commitments = listOf(t.commitments, 'commitment');
  const vks = listOf(t.verification_keys, 'verification key');
  const publicKey = pointFromHex(t.public_key, 'public key');
  checkParameters(k, vks.length);
  if (commitments.length !== k) throw new CryptoError('bad_parameters', 'there must be exactly k commitments');
  vks.forEach((x, at) => {
    if (pointHex(evaluatePoints(commitments, at + 1)) !== pointHex(x)) {
      throw new CryptoError('bad_parameters', `verification key ${at + 1} is not on the polynomial`);
    }
  });
  if (pointHex(publicKey) !== pointHex(commitments[0])) {
    throw new CryptoError('bad_parameters', 'public key is not the first commitment');
  }
  const kj = keyJson(key);
  if (canonicalText(commitments.map(pointHex)) !== canonicalText(kj.commitments) ||
      canonicalText(vks.map(pointHex)) !== canonicalText(kj.verification_keys)) {
    throw new CryptoError('dkg_key_mismatch', 'published keys are not the sum of contributions');
  }
  return key;
}

/** Verify a manifest's "ceremony" object (ctx recomputed, every proof) → contributions. */
export function parseCeremony(ceremony, electionId, names, k) {
  exactKeysOr(ceremony, ['round', 'contributions'], 'trustees.ceremony');
  const round = integer(ceremony.round, 'ceremony round', 1, U32_MAX);
  const ctx = context(electionId, round, names, k);
  const list = ceremony.contributions;
  if (!Array.isArray(list) || list.length !== names.length) {
    throw new CryptoError('dkg_missing', `need ${names.length} contributions`);
  }
  return list.map((c, at) => {
    const i = at + 1;
    exactKeysOr(c, CONTRIBUTION_KEYS, `contribution ${i}`);
    if (integer(c.index, `contribution ${i}: index`, 1, names.length) !== i) {
      throw new CryptoError('dkg_wrong_trustee', `contribution ${i} has index ${c.index}`);
    }
    return contribution(ctx, i, c, k, `trustee ${i}`);
  });
}


/**
 * Before confirming (keys.dkg.check_candidate): the candidate manifest's trustees section
 * must be exactly what the opened share file recorded (vote, round, Y, every X,
 * transcript, our name) → the manifest hash (bytes) to show and to confirm.
 * `opened` is what phieu-trustee.js openShare returns.
 */
export function checkCandidate(manifest, opened) {
  if (!isObject(manifest) || !isObject(manifest.trustees)) {
    throw new CryptoError('bad_encoding', 'manifest: expected an object with trustees');
  }
  if (manifest.election_id !== opened.electionId) {
    throw new CryptoError('share_other_election', `manifest of ${JSON.stringify(manifest.election_id)}`);
  }
  const t = manifest.trustees;
  // As Python's isinstance(k, int), a bool passes here (and is refused by checkCeremony).
  if (!Array.isArray(t.names) || !(isInt(t.threshold) || typeof t.threshold === 'boolean')) throw new CryptoError('manifest_mismatch', 'names or threshold missing');
  const key = checkCeremony(t, opened.electionId, t.names, t.threshold);
  const cer = t.ceremony;
  const ctx = context(opened.electionId, cer.round, t.names, t.threshold);
  const same = (a, b) => bytesEqual(pointBytes(a), pointBytes(b));
  const checks = [
    ['round', cer.round === opened.round],
    ['public key', same(key.publicKey, opened.publicKey)],
    ['verification keys', key.verificationKeys.length === opened.verificationKeys.length &&
      key.verificationKeys.every((x, i) => same(x, opened.verificationKeys[i]))],
    ['transcript', bytesEqual(transcript(ctx, cer.contributions), opened.transcript)],
    ['trustee name', opened.trustee <= t.names.length && t.names[opened.trustee - 1] === opened.name],
  ];
  for (const [what, ok] of checks) if (!ok) throw new CryptoError('manifest_mismatch', what);
  return manifestHash(manifest);
}

/** Best effort: drop the secrets of a state (BigInts cannot be overwritten in place). */
export function wipeState(state) {
  state.e = 0n;
  state.coefficients = state.coefficients.map(() => 0n);
}
