// keys/audit.py twin (phieu-audit.js) and BallotSession.audit: cast or check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as C from '../../ballot/static/js/phieu-crypto.js';
import * as K from '../../ballot/static/js/phieu-cards.js';
import * as B from '../../ballot/static/js/phieu-ballot.js';
import * as A from '../../ballot/static/js/phieu-audit.js';
import { BallotSession } from '../../ballot/static/js/ballot-session.js';
import { clone, vectors } from './helpers.mjs';

const V = vectors('audit');

test('the phone reproduces the Python rows, reveal and audit tracker byte for byte', () => {
  assert.equal(V.length, 2);
  for (const v of V) {
    assert.equal(v.tag, 'phieu/v1/audit-tracker');
    const ctx = B.makeContext(v.context);
    const nonces = C.listNonces(v.nonces);
    const wire = [];
    const rows = v.choices.map((ch, i) => {
      const row = B.encryptRow(ctx, C.fromHex(v.card), i, ch, nonces);
      wire.push(B.rowToJson(row));
      assert.ok(!Object.keys(row).includes('r'), 'r never in the wire form');
      return { alpha: row.alpha, beta: row.beta, choice: ch, r: row.r };
    });
    assert.throws(() => nonces.scalar(), /no recorded nonce left/); // drew exactly as many
    assert.deepEqual(wire, v.rows);
    assert.deepEqual(A.auditToJson(ctx.manifestHash, rows), v.audit);
    assert.equal(C.toHex(A.auditTracker(ctx.manifestHash, rows)), v.tracker);
    assert.deepEqual(v.rows.map((r) => r.alpha), v.audit.rows.map((r) => r.alpha));
    const parsed = A.auditFromJson(v.audit);
    A.verifyAudit(ctx, parsed);
    assert.equal(C.toHex(A.auditTracker(parsed.manifestHash, parsed.rows)), v.tracker);
  }
});

test('wrong nonces, wrong choices, another vote, missing rows: the same refusal as Python', () => {
  for (const v of V) {
    const ctx = B.makeContext(v.context);
    assert.equal(v.bad.length, 4);
    for (const bad of v.bad) {
      assert.throws(() => A.verifyAudit(ctx, A.auditFromJson(bad.audit)), (err) => err.code === bad.code, bad.name);
    }
    for (const junk of [{}, { ...clone(v.audit), extra: 1 }, { ...clone(v.audit), version: 2 }, [], null]) {
      assert.throws(() => A.auditFromJson(junk), (err) => err instanceof C.CryptoError);
    }
    const zero = clone(v.audit);
    zero.rows[0].r = '00'.repeat(32);
    assert.throws(() => A.auditFromJson(zero), /zero is not a nonce/);
  }
});

test('session: a checked ballot is never signed, and the next ballot is encrypted afresh', async () => {
  const v = V[0];
  const session = new BallotSession();
  const code = K.encodeCode(C.digest(C.utf8('phieu/test-card'), Uint8Array.of(3)).slice(0, 16));
  await session.handle('init', { context: v.context, electionId: 'demo', cardCode: code });
  v.choices.forEach((choice, index) => session.choose({ index, choice }));
  const first = await session.handle('audit', {});
  assert.deepEqual(Object.keys(first.audit).sort(), ['manifest', 'rows', 'version']);
  assert.ok(!JSON.stringify(first).includes(C.toHex(session.card)), 'no card key in a checked ballot');
  assert.deepEqual(first.audit.rows.map((r) => r.choice), v.choices);
  const ctx = B.makeContext(v.context);
  A.verifyAudit(ctx, A.auditFromJson(first.audit));
  const second = await session.handle('audit', {});
  assert.notEqual(second.tracker, first.tracker);
  const out = await session.submit();
  const cast = new Set(out.ballot.rows.map((r) => r.alpha));
  for (const a of [first, second]) {
    for (const r of a.audit.rows) assert.ok(!cast.has(r.alpha), 'a revealed row is never cast');
  }
  B.verifyBallot(ctx, B.ballotFromJson(out.ballot));
});
