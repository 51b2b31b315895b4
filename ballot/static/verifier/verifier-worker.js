// Module Web Worker of the record verifier: checks a chunk of ballots (proofs.js) and
// reports each ballot checked, so the page can show items checked / total and time left.
import { checkChunk, contextOf } from './proofs.js';

let ctx = null;
self.onmessage = (event) => {
  const { type, id } = event.data;
  try {
    if (type === 'init') {
      ctx = contextOf(event.data.context);
      self.postMessage({ type: 'ready', id });
    } else if (type === 'check') {
      let n = 0;
      const bad = checkChunk(ctx, event.data.items, () => {
        if (++n % 5 === 0) self.postMessage({ type: 'progress', id, n: 5 });
      });
      self.postMessage({ type: 'done', id, bad, rest: n % 5 });
    }
  } catch (err) {
    self.postMessage({ type: 'failed', id, reason: String(err?.message ?? err) });
  }
};
