// ballot-worker.js itself: its message API, run in a Node worker thread with a tiny
// `self` shim (the browser's DedicatedWorkerGlobalScope has postMessage/onmessage).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import * as C from '../../ballot/static/js/phieu-crypto.js';
import * as K from '../../ballot/static/js/phieu-cards.js';
import * as B from '../../ballot/static/js/phieu-ballot.js';

const WORKER = new URL('../../ballot/static/js/ballot-worker.js', import.meta.url).href;
const SHIM = `
const { parentPort } = require('node:worker_threads');
globalThis.self = globalThis;
globalThis.postMessage = (data) => parentPort.postMessage(data);
parentPort.on('message', (data) => globalThis.onmessage?.({ data }));
import(${JSON.stringify(WORKER)});
`;

test('worker message API: ready, init, progress, choose, submit, errors', async () => {
  const worker = new Worker(SHIM, { eval: true });
  const messages = [];
  const waiting = [];
  worker.on('message', (m) => {
    messages.push(m);
    for (const w of waiting.splice(0)) if (!w.pred(m)) waiting.push(w); else w.resolve(m);
  });
  const next = (pred) => {
    const found = messages.find(pred);
    return found ? Promise.resolve(found) : new Promise((resolve) => waiting.push({ pred, resolve }));
  };
  try {
    await next((m) => m.type === 'ready');
    const secret = K.newSecret();
    const context = {
      manifest_hash: '11'.repeat(32), public_key: C.pointHex(C.baseMul(99n)),
      kind: 'confidence', rows: 5, base: 11,
    };
    worker.postMessage({ id: 1, type: 'init', context, electionId: 'w', cardCode: 'bad' });
    const bad = await next((m) => m.id === 1);
    assert.deepEqual([bad.type, bad.code, bad.detail], ['error', 'bad_card_code', 'expected 28 characters']);

    worker.postMessage({ id: 2, type: 'init', context, electionId: 'w', cardCode: K.encodeCode(secret) });
    const init = await next((m) => m.id === 2);
    assert.equal(init.type, 'result');
    assert.equal(init.card, C.toHex(K.publicKey(K.signingKey('w', secret))));
    worker.postMessage({ id: 3, type: 'choose', index: 1, choice: 2 });
    assert.equal((await next((m) => m.id === 3)).type, 'result');
    worker.postMessage({ id: 4, type: 'choose', index: 9, choice: 2 });
    assert.equal((await next((m) => m.id === 4)).code, 'bad_parameters');
    worker.postMessage({ id: 5, type: 'submit' });
    const out = await next((m) => m.id === 5);
    assert.equal(out.type, 'result');
    assert.ok(messages.some((m) => m.type === 'progress' && m.ready === 5 && m.total === 5));
    const ctx = B.makeContext(context);
    B.verifyBallot(ctx, B.ballotFromJson(out.ballot));
    assert.equal(out.tracker, C.toHex(B.tracker(B.ballotFromJson(out.ballot))));
    assert.ok(!JSON.stringify(messages).includes(C.toHex(secret)), 'the secret never leaves the worker');
  } finally {
    await worker.terminate();
  }
});
