// Browser twin of keys/audit.py: cast or check (Benaloh challenge).
//
// A checked ballot reveals each row's choice and encryption nonce r; anyone recomputes
// α = r·G and β = r·Y + m·G. The audit tracker (shown before the reveal) commits to the
// rows: digest(TAG_AUDIT_TRACKER, manifest hash, u32(rows), α₀, β₀, …). No card key, no
// signature, no proof (the proofs hash the card key, which would link the check to the
// member's cast ballot). docs/crypto.md §4a.
import * as C from './phieu-crypto.js';

const { CryptoError } = C;
export const AUDIT_VERSION = 1;

/** The audit tracker of rows [{alpha, beta}] (points) for a manifest hash (bytes). */
export function auditTracker(manifestHash, rows) {
  const parts = [manifestHash, C.u32(rows.length)];
  for (const row of rows) parts.push(C.pointBytes(row.alpha), C.pointBytes(row.beta));
  return C.digest(C.TAGS.AUDIT_TRACKER, ...parts);
}

/** The board and record form from rows [{alpha, beta, choice, r}]. */
export const auditToJson = (manifestHash, rows) => ({
  version: AUDIT_VERSION,
  manifest: C.toHex(manifestHash),
  rows: rows.map((row) => ({
    alpha: C.pointHex(row.alpha), beta: C.pointHex(row.beta), choice: row.choice, r: C.scalarHex(row.r),
  })),
});

const isPlainObject = (x) => x !== null && typeof x === 'object' && !Array.isArray(x);
const exactly = (obj, keys) => Object.keys(obj).length === keys.length && keys.every((k) => Object.hasOwn(obj, k));

/** Strictly parse (keys.audit.AuditedBallot.from_json); every point validated. */
export function auditFromJson(obj) {
  if (!isPlainObject(obj) || !exactly(obj, ['manifest', 'rows', 'version'])) {
    throw new CryptoError('bad_audit', 'expected exactly: manifest, rows, version');
  }
  if (obj.version !== AUDIT_VERSION) throw new CryptoError('bad_audit', `unsupported version ${obj.version}`);
  if (typeof obj.manifest !== 'string' || !/^[0-9a-f]{64}$/.test(obj.manifest)) {
    throw new CryptoError('bad_encoding', 'manifest: expected 32 bytes in hex');
  }
  if (!Array.isArray(obj.rows) || obj.rows.length < 1 || obj.rows.length > 500) {
    throw new CryptoError('bad_audit', 'rows: expected a list of 1..500 rows');
  }
  const rows = obj.rows.map((row, i) => {
    const what = `row ${i}`;
    if (!isPlainObject(row) || !exactly(row, ['alpha', 'beta', 'choice', 'r'])) {
      throw new CryptoError('bad_audit', `${what}: expected keys alpha, beta, choice, r`);
    }
    if (!Number.isInteger(row.choice) || row.choice < 0 || row.choice > 8) {
      throw new CryptoError('bad_audit', `${what}.choice: expected an integer 0..8`);
    }
    const r = C.scalarFromHex(row.r, `${what}.r`);
    if (r === 0n) throw new CryptoError('bad_audit', `${what}.r: zero is not a nonce`);
    return {
      alpha: C.pointFromHex(row.alpha, `${what}.alpha`),
      beta: C.pointFromHex(row.beta, `${what}.beta`),
      choice: row.choice,
      r,
    };
  });
  return { manifestHash: C.fromHex(obj.manifest, 'manifest'), rows };
}

/**
 * Check that every row encrypts its shown choice under the context's key
 * (keys.audit.verify_audit); throws CryptoError naming the row.
 */
export function verifyAudit(ctx, audited) {
  if (!C.bytesEqual(audited.manifestHash, ctx.manifestHash)) {
    throw new CryptoError('wrong_election', 'the manifest hash differs');
  }
  if (audited.rows.length !== ctx.rows) {
    throw new CryptoError('bad_audit', `expected ${ctx.rows} rows, got ${audited.rows.length}`);
  }
  audited.rows.forEach((row, i) => {
    if (row.choice >= ctx.values.length) {
      throw new CryptoError('bad_audit', `row ${i}: choice outside 0..${ctx.values.length - 1}`);
    }
    if (!C.baseMul(row.r).equals(row.alpha)) {
      throw new CryptoError('bad_reveal', `row ${i}: alpha is not r·G (wrong nonce)`);
    }
    const beta = C.add(C.fixedMulPublic(ctx.publicKey, row.r), ctx.valuePoints[row.choice]);
    if (!beta.equals(row.beta)) {
      throw new CryptoError('bad_reveal', `row ${i}: beta does not encrypt the shown choice`);
    }
  });
}
