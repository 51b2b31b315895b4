// keys/proofs.py twin: row encryption and its disjunctive Chaum–Pedersen proof.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as C from '../../ballot/static/js/phieu-crypto.js';
import * as B from '../../ballot/static/js/phieu-ballot.js';
import { clone, flipHex, vectors } from './helpers.mjs';

const V = vectors('rows');

/** Parse a row's wire form with the ballot parser (validates every point and scalar). */
const parseRow = (json) => B.ballotFromJson({
  version: 1, manifest: '00'.repeat(32), card: '00'.repeat(32), signature: '00'.repeat(64), rows: [json],
}).rows[0];

test('every row vector is reproduced byte for byte with the recorded nonces', () => {
  assert.equal(V.length, 7); // 4 rating choices + 3 confidence choices
  for (const v of V) {
    const ctx = B.makeContext(v.context);
    assert.deepEqual(ctx.values.map(Number), v.context.values);
    const nonces = C.listNonces(v.nonces);
    const row = B.encryptRow(ctx, C.fromHex(v.card), v.index, v.choice, nonces);
    assert.deepEqual(B.rowToJson(row), v.row);
    assert.throws(() => nonces.scalar(), /no recorded nonce left/); // drew exactly as many
  }
});

test('verifyRow accepts the Python rows and rejects single-bit changes', () => {
  for (const v of V) {
    const ctx = B.makeContext(v.context);
    const card = C.fromHex(v.card);
    B.verifyRow(ctx, card, v.index, parseRow(v.row));
    const tampered = [];
    for (const name of ['alpha', 'beta']) tampered.push([name, { ...v.row, [name]: flipHex(v.row[name], 40) }]);
    for (const name of ['c', 's']) {
      for (const j of [0, v.row[name].length - 1]) {
        const row = clone(v.row);
        row[name][j] = flipHex(row[name][j], 63);
        tampered.push([`${name}[${j}]`, row]);
      }
    }
    for (const [what, json] of tampered) {
      assert.throws(() => B.verifyRow(ctx, card, v.index, parseRow(json)),
        (e) => e instanceof C.CryptoError && ['bad_proof', 'bad_point'].includes(e.code), what);
    }
    // The proof binds the row index, the card and the manifest.
    const row = parseRow(v.row);
    assert.throws(() => B.verifyRow(ctx, card, v.index + 1, row), { code: 'bad_proof' });
    assert.throws(() => B.verifyRow(ctx, C.fromHex(flipHex(v.card, 0)), v.index, row), { code: 'bad_proof' });
    const other = B.makeContext({ ...v.context, manifest_hash: flipHex(v.context.manifest_hash, 5) });
    assert.throws(() => B.verifyRow(other, card, v.index, row), { code: 'bad_proof' });
  }
});

test('round trip with fresh randomness, every choice, and infinity in a ciphertext', () => {
  const ctx = B.makeContext(V[0].context);
  const card = C.fromHex(V[0].card);
  for (let choice = 0; choice < ctx.values.length; choice++) {
    const row = B.encryptRow(ctx, card, 2, choice);
    B.verifyRow(ctx, card, 2, row);
    B.verifyRow(ctx, card, 2, parseRow(B.rowToJson(row)));
  }
  const row = B.encryptRow(ctx, card, 0, 1);
  assert.throws(() => B.verifyRow(ctx, card, 0, { ...row, alpha: C.INFINITY }),
    { code: 'bad_point', detail: 'row 0: ciphertext contains the point at infinity' });
  assert.throws(() => B.verifyRow(ctx, card, 0, { ...row, beta: C.INFINITY }), { code: 'bad_point' });
  assert.throws(() => parseRow({ ...B.rowToJson(row), alpha: '00' }),
    { code: 'bad_point', detail: 'row 0.alpha: the point at infinity is not allowed here' });
  assert.throws(() => B.verifyRow(ctx, card, 0, { ...row, c: row.c.slice(1) }),
    { code: 'bad_proof', detail: 'row 0: expected 4 branches' });
  assert.throws(() => B.encryptRow(ctx, card, 0, 4), { code: 'bad_parameters' });
  assert.throws(() => B.encryptRow(ctx, card, 5, 0), { code: 'bad_parameters' });
});

test('a value outside the list cannot be proven: a forged row does not verify', () => {
  const ctx = B.makeContext(V[0].context);
  const card = C.fromHex(V[0].card);
  // Encrypt m = 2 (not in {0, 1, 7, 49}) with the proof of a fake context that allows it.
  const fake = { ...ctx, values: [0n, 1n, 2n, 49n], valuePoints: [0n, 1n, 2n, 49n].map(C.baseMul) };
  const row = B.proveRow(fake, card, 0, 2);
  B.verifyRow(fake, card, 0, row);
  assert.throws(() => B.verifyRow(ctx, card, 0, row), { code: 'bad_proof' });
});

test('contexts are validated as in keys.ballot.ElectionContext', () => {
  const base = V[0].context;
  assert.throws(() => B.makeContext({ ...base, kind: 'x' }), { detail: "unknown kind of vote 'x'" });
  assert.throws(() => B.makeContext({ ...base, manifest_hash: 'aa' }), { detail: 'manifest hash must be 32 bytes' });
  for (const bad of [{ rows: 0 }, { rows: 501 }, { base: 1 }]) {
    assert.throws(() => B.makeContext({ ...base, ...bad }), { detail: 'rows must be 1..500 and base at least 2' });
  }
  assert.throws(() => B.makeContext({ ...base, public_key: '00' }), { code: 'bad_point' });
});
