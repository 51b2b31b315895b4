// Module Web Worker of the trustees' count page: checks ballots and sums their rows.
//
// Requests (each carries an `id`, echoed in the answer):
//   {type: 'init', context: {manifest_hash, public_key, kind, rows, base}, wasm}
//       wasm: false (noble only), true (compile the embedded WebAssembly) or a compiled
//       WebAssembly.Module (another worker's, handed on by the page)
//       → {type: 'ready', id, engine, module} once the WebAssembly is installed ('wasm';
//         module: the one compiled here, if any), or refused (a browser without it, a CSP
//         without 'wasm-unsafe-eval': 'noble')
//   {type: 'verify', id, items: [{seq, tracker, ballot}]}: parse every ballot strictly,
//       check its card signature and every row proof (phieu-ballot.js verifyBallot, the
//       twin of keys.ballot.verify_ballot) and that its tracker is the chain entry's;
//       → {type: 'done', id, verified, sums: [[alpha hex, beta hex] per official]} with the
//         per-official sums of this chunk's ciphertexts,
//       or {type: 'bad', id, seq, reason} at the first ballot that fails (reason as Python).
// Only public data comes here; the decryption is never made in a worker. That is why this
// worker may use libsecp256k1's WebAssembly (phieu-accel.js): it is served with
// 'wasm-unsafe-eval' in its CSP (ballot/security.py), unlike every page.
import { CryptoError, INFINITY, add, bytesEqual, fromHex, pointHex } from './phieu-crypto.js';
import { ballotFromJson, makeContext, tracker, verifyBallot } from './phieu-ballot.js';
import { decodeBase64, engine, installWasm } from './phieu-accel.js';
import { WASM_BASE64 } from '../vendor/secp256k1-wasm.js';

let ctx = null;

const reasonOf = (err) => String(err?.message ?? err); // CryptoError: "code: detail"

function verifyChunk(items) {
  const alphas = Array.from({ length: ctx.rows }, () => INFINITY);
  const betas = Array.from({ length: ctx.rows }, () => INFINITY);
  for (const { seq, tracker: claimed, ballot: obj } of items) {
    try {
      const ballot = ballotFromJson(obj);
      if (!bytesEqual(tracker(ballot), fromHex(claimed, 'tracker'))) {
        return { type: 'bad', seq, reason: 'tracker does not match the ballot' };
      }
      verifyBallot(ctx, ballot);
      ballot.rows.forEach((row, r) => {
        alphas[r] = add(alphas[r], row.alpha);
        betas[r] = add(betas[r], row.beta);
      });
    } catch (err) {
      return { type: 'bad', seq, reason: reasonOf(err) };
    }
  }
  const sums = alphas.map((a, r) => [pointHex(a), pointHex(betas[r])]);
  return { type: 'done', verified: items.length, sums };
}

self.onmessage = async (event) => {
  const { id, type, ...args } = event.data ?? {};
  try {
    if (type === 'init') {
      ctx = makeContext(args.context);
      let module = null;
      const W = globalThis.WebAssembly;
      if (W && args.wasm instanceof W.Module) {
        await installWasm(args.wasm);
      } else if (W && args.wasm !== false) {
        try { module = await W.compile(decodeBase64(WASM_BASE64)); } catch { /* refused: noble */ }
        if (module && !(await installWasm(module))) module = null;
      }
      self.postMessage({ id, type: 'ready', engine: engine(), module });
    } else if (type === 'verify') {
      if (!ctx) throw new CryptoError('bad_parameters', 'not initialised');
      self.postMessage({ id, ...verifyChunk(args.items) });
    }
  } catch (err) {
    self.postMessage({ id, type: 'failed', reason: reasonOf(err) });
  }
};
