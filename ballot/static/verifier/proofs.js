// Twin of tally/ballotcheck.py: each ballot parsed and checked once, where it is parsed
// (a Web Worker in the page), which returns only what the page needs: per ballot its
// facts (manifest, card, tracker), the parse error or the first failure (officials named
// from 1), and per chunk the per-official sums of the ciphertexts. The page then runs
// the ordered checks on these and never parses a ballot's points.
import { CryptoError, INFINITY, add, pointFromHex, pointHex } from '../js/phieu-crypto.js';
import { ballotFromJson, makeContext, verifyBallot, verifyRow } from '../js/phieu-ballot.js';
import { cryptoMessage, factsOf } from './record-files.js';

/** The worker's context from the manifest's public parts (no ceremony re-check needed). */
export const contextOf = (c) => makeContext(c);

/** The context a worker needs, from the parsed manifest. */
export const contextFor = (m) => ({
  manifest_hash: m.hashHex, public_key: pointHex(m.key.publicKey), kind: m.kind, rows: m.officials.length, base: m.base,
});

/** tally.ballotcheck.proof_failure: null, or what fails. Other errors are thrown. */
function proofFailure(ctx, ballot) {
  try {
    verifyBallot(ctx, ballot);
    return null;
  } catch (err) {
    if (!(err instanceof CryptoError)) throw err;
    if (err.code !== 'bad_proof') return cryptoMessage(err);
    for (let r = 0; r < ballot.rows.length; r++) {
      try { verifyRow(ctx, ballot.card, r, ballot.rows[r]); } catch {
        return `the encryption proof for official ${r + 1} fails`;
      }
    }
    return cryptoMessage(err);
  }
}

const reasonOf = (err) => String(err?.message ?? err);

/**
 * tally.ballotcheck.check_chunk: [[n, rawBallot]] → {outcomes, sums}. Each outcome is
 * {n, error} (it does not parse: the English message), {n, internal} (this code failed on
 * it), or {n, facts, failure} (failure null when its signature and proofs hold, or
 * {internal}); sums: [α hex, β hex] per official over the chunk's ballots that parsed with
 * one row per official. onEach() after each ballot.
 */
export function checkChunk(ctx, items, onEach = () => {}) {
  const outcomes = [];
  const alphas = Array.from({ length: ctx.rows }, () => INFINITY);
  const betas = Array.from({ length: ctx.rows }, () => INFINITY);
  for (const [n, raw] of items) {
    let ballot;
    try {
      ballot = ballotFromJson(raw);
    } catch (err) {
      outcomes.push(err instanceof CryptoError ? { n, error: cryptoMessage(err) } : { n, internal: reasonOf(err) });
      onEach();
      continue;
    }
    let failure;
    try { failure = proofFailure(ctx, ballot); } catch (err) { failure = { internal: reasonOf(err) }; }
    outcomes.push({ n, facts: factsOf(ballot), failure });
    if (ballot.rows.length === ctx.rows) {
      ballot.rows.forEach((row, r) => { alphas[r] = add(alphas[r], row.alpha); betas[r] = add(betas[r], row.beta); });
    }
    onEach();
  }
  return { outcomes, sums: alphas.map((a, r) => [pointHex(a), pointHex(betas[r])]) };
}

/**
 * The chunks' results as the page uses them (tally.ballotcheck._Pooled): outcome(n) for
 * the chain, failure() the first failing ballot as [n, reason], sums() per official.
 */
export function merge(results) {
  const byN = new Map();
  for (const r of results) for (const o of r.outcomes) byN.set(o.n, o);
  return {
    /** Item n's facts, or the error its parse gave (thrown as VerifyError by the caller). */
    outcome: (n) => byN.get(n),
    failure() {
      const bad = [...byN.values()].filter((o) => o.failure).sort((a, b) => a.n - b.n)[0];
      if (!bad) return null;
      if (bad.failure.internal) throw new Error(bad.failure.internal);
      return [bad.n, bad.failure];
    },
    sums(rows) {
      return Array.from({ length: rows }, (_, r) => {
        let a = INFINITY, b = INFINITY;
        for (const { sums } of results) {
          a = add(a, pointFromHex(sums[r][0], 'partial sum', true));
          b = add(b, pointFromHex(sums[r][1], 'partial sum', true));
        }
        return { alpha: a, beta: b };
      });
    },
  };
}
