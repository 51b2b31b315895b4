// Twin of tally.ballotcheck.check_chunk: every ballot's card signature and row proofs; the
// first failure as (seq, reason), a failing row named "official r" (from 1).
import { CryptoError } from '../js/phieu-crypto.js';
import { ballotFromJson, makeContext, verifyBallot, verifyRow } from '../js/phieu-ballot.js';
import { cryptoMessage } from './record-files.js';

/** The worker's context from the manifest's public parts (no ceremony re-check needed). */
export const contextOf = (c) => makeContext(c);

/** [[seq, rawBallot]] → null or [seq, reason]; onEach() after each ballot. */
export function checkChunk(ctx, items, onEach = () => {}) {
  for (const [seq, raw] of items) {
    const ballot = ballotFromJson(raw);
    try {
      verifyBallot(ctx, ballot);
    } catch (err) {
      if (!(err instanceof CryptoError)) throw err;
      if (err.code !== 'bad_proof') return [seq, cryptoMessage(err)];
      for (let r = 0; r < ballot.rows.length; r++) {
        try { verifyRow(ctx, ballot.card, r, ballot.rows[r]); } catch {
          return [seq, `the encryption proof for official ${r + 1} fails`];
        }
      }
      return [seq, cryptoMessage(err)];
    }
    onEach();
  }
  return null;
}
