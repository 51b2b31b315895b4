// Module Web Worker of the record verifier: parses and checks a chunk of ballots
// (proofs.js: facts, failures and the chunk's per-official sums) and reports each ballot
// checked, so the page can show items checked / total and time left.
// The page may hand it libsecp256k1's WebAssembly, compiled (phieu-accel.js: public row
// proofs and point parsing only); without it, or if it fails to start, noble checks the
// same proofs.
import { checkChunk, contextOf } from './proofs.js';
import { engine, installWasm } from '../js/phieu-accel.js';

let ctx = null;
self.onmessage = async (event) => {
  const { type, id } = event.data;
  try {
    if (type === 'init') {
      ctx = contextOf(event.data.context);
      if (event.data.wasm) await installWasm(event.data.wasm);
      self.postMessage({ type: 'ready', id, engine: engine() });
    } else if (type === 'check') {
      let n = 0;
      const result = checkChunk(ctx, event.data.items, () => {
        if (++n % 5 === 0) self.postMessage({ type: 'progress', id, n: 5 });
      });
      self.postMessage({ type: 'done', id, result, rest: n % 5 });
    }
  } catch (err) {
    self.postMessage({ type: 'failed', id, reason: String(err?.message ?? err) });
  }
};
