// Browser twin of keys/proofs.py (row proof) and keys/ballot.py (ballots).
//
// A row encrypts m ∈ values = (0, 1, B, B², …) under the election key Y as exponential
// ElGamal (α, β) = (r·G, r·Y + m·G), with a disjunctive Chaum–Pedersen proof that m is
// one of the values, made non-interactive by Fiat–Shamir over the whole statement.
// A ballot is one row per official, signed (BIP340) by the card key.
import * as C from './phieu-crypto.js';
import * as cards from './phieu-cards.js';
import { pyRepr } from './phieu-repr.js';

const { CryptoError, mod } = C;

/** Levels of each kind of vote, in ballot order (docs/rules.md). */
export const KINDS = Object.freeze({
  rating: ['tin_nhiem_cao', 'tin_nhiem', 'tin_nhiem_thap'],
  confidence: ['tin_nhiem', 'khong_tin_nhiem'],
});
export const BALLOT_VERSION = 1;
export const MAX_ROWS = 500;

/**
 * The election context (keys.ballot.ElectionContext) from its JSON form
 * {manifest_hash, public_key, kind, rows, base} (hex strings or bytes / Point).
 * The election key gets a precomputed window table: building it costs some tens of ms.
 */
export function makeContext({ manifest_hash: mh, public_key: pk, kind, rows, base }) {
  if (!Object.hasOwn(KINDS, kind)) throw new CryptoError('bad_parameters', `unknown kind of vote ${pyRepr(kind)}`);
  const manifestHash = typeof mh === 'string' ? C.fromHex(mh, 'manifest_hash') : mh;
  if (!(manifestHash instanceof Uint8Array) || manifestHash.length !== 32) {
    throw new CryptoError('bad_parameters', 'manifest hash must be 32 bytes');
  }
  if (!Number.isInteger(rows) || rows < 1 || rows > MAX_ROWS || !Number.isInteger(base) || base < 2) {
    throw new CryptoError('bad_parameters', 'rows must be 1..500 and base at least 2');
  }
  const Y = typeof pk === 'string' ? C.pointFromHex(pk, 'public_key') : pk;
  if (Y.is0()) throw new CryptoError('bad_point', 'public_key: the point at infinity is not allowed here');
  const values = [0n];
  for (let i = 0; i < KINDS[kind].length; i++) values.push(BigInt(base) ** BigInt(i));
  return Object.freeze({
    manifestHash, kind, rows, base, values,
    publicKey: C.withTable(Y),
    publicKeyBytes: C.pointBytes(Y),
    valuePoints: values.map((v) => C.baseMul(v)), // m_j·G, reused by every row
  });
}

// ------------------------------------------------------------------ rows ----

// `commitments` are the encodings of A_0, B_0, A_1, B_1, … (33 bytes, or 00 for infinity).
function rowChallenge(ctx, card, index, alpha, beta, commitments) {
  return C.hashToScalar(
    C.TAGS.ROW_PROOF, ctx.manifestHash, ctx.publicKeyBytes, card, C.u32(index),
    C.u32(commitments.length / 2), C.pointBytes(alpha), C.pointBytes(beta), ...commitments,
  );
}

/**
 * Encrypt values[choice] for row `index` and prove it is one of the values
 * (keys.proofs.prove_row). Nonces are drawn in this order: r, u, then (c_j, s_j) for
 * every j ≠ choice in increasing j. Only fixed bases are multiplied (G and Y, both with
 * tables): simulated branches use A_j = t·G, B_j = t·Y − c_j(m − m_j)·G, t = s_j − c_j·r.
 * Returns the row {alpha, beta, c, s} (points and BigInt scalars).
 */
export function proveRow(ctx, card, index, choice, nonces = C.systemNonces) {
  const { values, publicKey: Y } = ctx;
  if (!Number.isInteger(choice) || choice < 0 || choice >= values.length) {
    throw new CryptoError('bad_parameters', `choice ${choice} outside 0..${values.length - 1}`);
  }
  const m = values[choice];
  const r = nonces.scalar();
  const u = nonces.scalar();
  const points = [C.baseMul(r), C.add(C.fixedMul(Y, r), ctx.valuePoints[choice])];
  const cs = values.map(() => 0n);
  const ss = values.map(() => 0n);
  for (let j = 0; j < values.length; j++) {
    if (j === choice) {
      points.push(C.baseMul(u), C.fixedMul(Y, u));
      continue;
    }
    cs[j] = nonces.scalar();
    ss[j] = nonces.scalar();
    const t = mod(ss[j] - cs[j] * r);
    points.push(C.baseMul(t), C.add(C.fixedMul(Y, t), C.baseMul(-cs[j] * (m - values[j]))));
  }
  const [alpha, beta, ...commitments] = C.normalizePoints(points);
  const c = rowChallenge(ctx, card, index, alpha, beta, commitments.map(C.pointBytes));
  cs[choice] = mod(c - cs.reduce((a, b) => a + b, 0n));
  ss[choice] = mod(u + cs[choice] * r);
  // r stays on the row (not enumerable, never in the wire form) for a checked ballot's reveal.
  return Object.defineProperty({ alpha, beta, c: cs, s: ss }, 'r', { value: r });
}

/** Encrypt one row (choice 0 = blank, i = level i) bound to the card (keys.ballot.encrypt_row). */
export function encryptRow(ctx, card, index, choice, nonces = C.systemNonces) {
  if (!Number.isInteger(index) || index < 0 || index >= ctx.rows) {
    throw new CryptoError('bad_parameters', `row ${index} outside 0..${ctx.rows - 1}`);
  }
  return proveRow(ctx, card, index, choice, nonces);
}

// Set only by phieu-accel.js installWasm (threads that verify public ballots): the same
// commitments from libsecp256k1's WebAssembly. The phone never loads phieu-accel.js.
let accelerated = null;

/** Install (or remove, with null) a faster computation of nobleCommitments. */
export function useRowCommitments(fn) {
  accelerated = fn;
}

/**
 * The encodings of a row's commitments A_0, B_0, A_1, … computed with noble:
 * A_j = s_j·G − c_j·α and B_j = s_j·Y − c_j·(β − m_j·G) (00 for the point at infinity).
 */
export function nobleCommitments(ctx, row) {
  const points = [];
  for (let j = 0; j < ctx.values.length; j++) {
    const cj = row.c[j], sj = row.s[j];
    points.push(C.mulAddPublic(row.alpha, -cj, sj));
    points.push(C.add(C.mulAddPublic(row.beta, -cj, cj * ctx.values[j]), C.fixedMulPublic(ctx.publicKey, sj)));
  }
  return C.normalizePoints(points).map(C.pointBytes);
}

/**
 * Check a row's disjunctive proof; throw CryptoError naming the row (keys.proofs.verify_row):
 * Σ c_j must equal the hash of the statement and the commitments (nobleCommitments).
 * They come from the WebAssembly when a verifier installed it (phieu-accel.js, public
 * data only): the same points, so the same verdict.
 */
export function verifyRow(ctx, card, index, row) {
  if (row.c.length !== ctx.values.length || row.s.length !== ctx.values.length) {
    throw new CryptoError('bad_proof', `row ${index}: expected ${ctx.values.length} branches`);
  }
  if (row.alpha.is0() || row.beta.is0()) {
    throw new CryptoError('bad_point', `row ${index}: ciphertext contains the point at infinity`);
  }
  const commitments = (accelerated && accelerated(ctx, row)) ?? nobleCommitments(ctx, row);
  const c = rowChallenge(ctx, card, index, row.alpha, row.beta, commitments);
  if (mod(row.c.reduce((a, b) => a + b, 0n)) !== c) {
    throw new CryptoError('bad_proof', `row ${index}: the proof does not verify`);
  }
}

/** Wire form of a row: alpha, beta (33-byte points) and c, s (lists of 32-byte scalars). */
export const rowToJson = (row) => ({
  alpha: C.pointHex(row.alpha),
  beta: C.pointHex(row.beta),
  c: row.c.map(C.scalarHex),
  s: row.s.map(C.scalarHex),
});

// --------------------------------------------------------------- ballots ----

/** What the card signs: every byte of the ballot except the signature. */
export function ballotDigest({ manifestHash, card, rows }) {
  const parts = [manifestHash, card, C.u32(rows.length)];
  for (const row of rows) {
    parts.push(C.pointBytes(row.alpha), C.pointBytes(row.beta), C.u32(row.c.length));
    for (const x of row.c) parts.push(C.scalarBytes(x));
    for (const x of row.s) parts.push(C.scalarBytes(x));
  }
  return C.digest(C.TAGS.BALLOT, ...parts);
}

/** The receipt: digest(TAG_TRACKER, ballot digest, signature). Reveals no choice. */
export const tracker = (ballot) => C.digest(C.TAGS.TRACKER, ballotDigest(ballot), ballot.signature);

/** Assemble the rows in manifest order and sign them with the card key (BigInt sk). */
export function signBallot(ctx, sk, rows, aux = undefined) {
  const unsigned = { manifestHash: ctx.manifestHash, card: cards.publicKey(sk), rows: [...rows] };
  return { ...unsigned, signature: cards.sign(sk, ballotDigest(unsigned), aux) };
}

/** Encrypt a whole ballot (one choice per official, 0 = blank) and sign it. */
export function encryptBallot(ctx, sk, choices, nonces = C.systemNonces, aux = undefined) {
  if (choices.length !== ctx.rows) {
    throw new CryptoError('bad_parameters', `expected ${ctx.rows} choices, got ${choices.length}`);
  }
  const card = cards.publicKey(sk);
  const rows = choices.map((ch, i) => encryptRow(ctx, card, i, ch, nonces));
  return signBallot(ctx, sk, rows, aux);
}

/**
 * Check everything about a parsed ballot against the vote; throw CryptoError if not.
 * Order (as keys.ballot.verify_ballot): vote, shape, signature (cheap), every row proof.
 */
export function verifyBallot(ctx, ballot) {
  if (!C.bytesEqual(ballot.manifestHash, ctx.manifestHash)) {
    throw new CryptoError('wrong_election', 'the manifest hash differs');
  }
  if (ballot.rows.length !== ctx.rows) {
    throw new CryptoError('bad_ballot', `expected ${ctx.rows} rows, got ${ballot.rows.length}`);
  }
  ballot.rows.forEach((row, i) => {
    if (row.c.length !== ctx.values.length) {
      throw new CryptoError('bad_ballot', `row ${i}: expected ${ctx.values.length} branches`);
    }
  });
  if (!cards.verify(ballot.card, ballotDigest(ballot), ballot.signature)) {
    throw new CryptoError('bad_signature', 'the card signature does not verify');
  }
  ballot.rows.forEach((row, i) => verifyRow(ctx, ballot.card, i, row));
}

/** The wire and record form of the ballot (keys.ballot.Ballot.to_json). */
export const ballotToJson = (ballot) => ({
  version: BALLOT_VERSION,
  manifest: C.toHex(ballot.manifestHash),
  card: C.toHex(ballot.card),
  rows: ballot.rows.map(rowToJson),
  signature: C.toHex(ballot.signature),
});

const isPlainObject = (x) => x !== null && typeof x === 'object' && !Array.isArray(x);
const hasExactly = (obj, keys) => {
  const got = Object.keys(obj);
  return got.length === keys.length && keys.every((k) => Object.hasOwn(obj, k));
};

function fixedHex(value, size, what) {
  const data = C.fromHex(value, what);
  if (data.length !== size) throw new CryptoError('bad_encoding', `${what}: expected ${size} bytes`);
  return data;
}

function parseRow(obj, i) {
  const what = `row ${i}`;
  if (!isPlainObject(obj) || !hasExactly(obj, ['alpha', 'beta', 'c', 's'])) {
    throw new CryptoError('bad_ballot', `${what}: expected keys alpha, beta, c, s`);
  }
  for (const name of ['c', 's']) {
    if (!Array.isArray(obj[name]) || obj[name].length < 2 || obj[name].length > 8) {
      throw new CryptoError('bad_ballot', `${what}.${name}: expected a list of 2..8 scalars`);
    }
  }
  return {
    alpha: C.pointFromHex(obj.alpha, `${what}.alpha`),
    beta: C.pointFromHex(obj.beta, `${what}.beta`),
    c: obj.c.map((x, j) => C.scalarFromHex(x, `${what}.c[${j}]`)),
    s: obj.s.map((x, j) => C.scalarFromHex(x, `${what}.s[${j}]`)),
  };
}

/** Strictly parse a ballot (keys.ballot.Ballot.from_json); every point is validated. */
export function ballotFromJson(obj) {
  const keys = ['card', 'manifest', 'rows', 'signature', 'version'];
  if (!isPlainObject(obj) || !hasExactly(obj, keys)) {
    throw new CryptoError('bad_ballot', 'expected exactly: ' + keys.join(', '));
  }
  if (obj.version !== BALLOT_VERSION) {
    throw new CryptoError('bad_ballot', `unsupported version ${pyRepr(obj.version)}`);
  }
  const manifestHash = fixedHex(obj.manifest, 32, 'manifest');
  const card = fixedHex(obj.card, 32, 'card');
  const signature = fixedHex(obj.signature, 64, 'signature');
  const rows = obj.rows;
  if (!Array.isArray(rows) || rows.length < 1 || rows.length > MAX_ROWS) {
    throw new CryptoError('bad_ballot', `rows: expected a list of 1..${MAX_ROWS} rows`);
  }
  return { manifestHash, card, rows: rows.map(parseRow), signature };
}
