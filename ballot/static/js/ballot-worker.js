// Module Web Worker for the voting page: new Worker(url, {type: 'module'}).
//
// Requests (each may carry an `id`, echoed in the answer):
//   {type: 'init', context: {manifest_hash, public_key, kind, rows, base}, electionId, cardCode}
//       → {type: 'result', request: 'init', card, rows, values}; blank rows start encrypting
//   {type: 'choose', index, choice}  (choice 0 = blank, i = level i)
//       → {type: 'result', request: 'choose', index, choice, ready}; the row is encrypted next
//   {type: 'submit'} → {type: 'result', request: 'submit', ballot, tracker, submitMs}
//   {type: 'audit'} → {type: 'result', request: 'audit', audit, tracker}: the rows revealed as a
//       checked ballot (never signed); every row is then encrypted afresh
//   {type: 'forget'} → drops the card key and every encryption
// Unprompted: {type: 'ready'} once loaded; {type: 'progress', ready, total, row} after each
// row is encrypted (ready = rows whose encryption matches the current choice).
// Failures: {type: 'error', request, code, detail} (codes of keys/errors.py).
// The card secret and key never leave this worker.
import { BallotSession } from './ballot-session.js';

const session = new BallotSession({
  onProgress: (p) => self.postMessage({ type: 'progress', ...p }),
});

self.onmessage = async (event) => {
  const { id, type, ...args } = event.data ?? {};
  try {
    const result = await session.handle(type, args);
    self.postMessage({ id, type: 'result', request: type, ...result });
  } catch (err) {
    self.postMessage({
      id,
      type: 'error',
      request: type,
      code: err?.code ?? 'internal',
      detail: err?.detail ?? String(err?.message ?? err),
    });
  }
};

self.postMessage({ type: 'ready' });
