// The member's signed receipt (docs/record.md §7), checked on the phone before it is kept:
// a server handing out receipts that do not verify would leave members with no proof.
import { ed25519 } from '../vendor/noble-secp256k1.js';
import { TAGS, digest, fromHex, toHex, u32 } from './phieu-crypto.js';

export const TAG_RECEIPT = TAGS.RECEIPT;
const KEYS = ['format', 'head', 'manifest', 'seq', 'signature', 'tracker'];

/**
 * True when `receipt` is the Ed25519 signature by `serverKeyHex` over
 * digest("phieu/v1/receipt", manifest hash, u32(seq), tracker, head) for this tracker and seq.
 */
export function receiptValid(receipt, manifestHashBytes, serverKeyHex, tracker, seq) {
  try {
    if (!receipt || typeof receipt !== 'object' || Array.isArray(receipt)) return false;
    if (Object.keys(receipt).sort().join() !== KEYS.join()) return false;
    if (receipt.format !== 'phieu-receipt/1' || receipt.manifest !== toHex(manifestHashBytes)) return false;
    if (!Number.isInteger(seq) || seq < 1 || receipt.seq !== seq || receipt.tracker !== tracker) return false;
    const message = digest(TAG_RECEIPT, manifestHashBytes, u32(seq), fromHex(tracker), fromHex(receipt.head));
    return ed25519.verify(fromHex(receipt.signature), message, fromHex(serverKeyHex));
  } catch {
    return false;
  }
}
