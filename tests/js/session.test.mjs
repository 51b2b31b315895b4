// ballot-session.js (the logic of ballot-worker.js), run in Node without a Worker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as C from '../../ballot/static/js/phieu-crypto.js';
import * as K from '../../ballot/static/js/phieu-cards.js';
import * as B from '../../ballot/static/js/phieu-ballot.js';
import { BallotSession } from '../../ballot/static/js/ballot-session.js';

// A test election whose secret x we know, so that rows can be decrypted.
const x = 0x1234567890abcdefn;
const context = {
  manifest_hash: C.toHex(C.digest(C.utf8('phieu/test-manifest'), C.utf8('session'))),
  public_key: C.pointHex(C.baseMul(x)),
  kind: 'rating',
  rows: 6,
  base: 7,
};
const secret = C.digest(C.utf8('phieu/test-card'), Uint8Array.of(9)).slice(0, 16);
const cardCode = K.encodeCode(secret);

/** Which value index a row encrypts: β − x·α = m·G. */
function decryptRow(ctx, row) {
  const mG = C.pointHex(C.add(row.beta, row.alpha.multiply(x).negate()));
  return ctx.values.findIndex((v) => C.pointHex(C.baseMul(v)) === mG);
}

test('init, background blanks, choose (and change), submit', async () => {
  const progress = [];
  const session = new BallotSession({ onProgress: (p) => progress.push(p) });
  const info = await session.handle('init', { context, electionId: 'demo', cardCode: cardCode.toLowerCase() });
  assert.equal(info.card, C.toHex(K.publicKey(K.signingKey('demo', secret))));
  assert.equal(info.rows, 6);
  session.choose({ index: 2, choice: 3 });
  session.choose({ index: 4, choice: 1 });
  session.choose({ index: 2, choice: 2 }); // changed mind before it was encrypted
  await session.settled();
  assert.equal(session.readyCount(), 6);
  session.choose({ index: 4, choice: 2 }); // changed mind after: re-encrypted
  assert.equal(session.readyCount(), 5);
  const out = await session.submit();
  assert.equal(session.readyCount(), 6);
  assert.ok(progress.length >= 7 && progress.at(-1).ready === 6);

  const ctx = B.makeContext(context);
  const ballot = B.ballotFromJson(out.ballot);
  B.verifyBallot(ctx, ballot);
  assert.equal(out.tracker, C.toHex(B.tracker(ballot)));
  assert.equal(out.ballot.card, info.card);
  assert.deepEqual(ballot.rows.map((r) => decryptRow(ctx, r)), [0, 0, 2, 0, 2, 0]);
});

test('chosen rows are encrypted before the remaining blanks', async () => {
  const order = [];
  const session = new BallotSession({ onProgress: (p) => order.push(p.row) });
  session.init({ context: { ...context, rows: 30 }, electionId: 'demo', cardCode });
  session.choose({ index: 25, choice: 1 });
  await session.settled();
  assert.ok(order.indexOf(25) <= 1, `row 25 encrypted at position ${order.indexOf(25)}`);
  assert.equal(order.filter((i) => i === 25).length, 1);
});

test('errors: bad code, bad choice, submit before init, forget', async () => {
  const session = new BallotSession();
  await assert.rejects(session.handle('submit', {}), { code: 'bad_parameters' });
  assert.throws(() => session.init({ context, electionId: 'demo', cardCode: cardCode.replace(/.$/, 'Q') }),
    { code: 'bad_card_code' });
  session.init({ context, electionId: 'demo', cardCode });
  assert.throws(() => session.choose({ index: 6, choice: 0 }), { code: 'bad_parameters' });
  assert.throws(() => session.choose({ index: 0, choice: 4 }), { code: 'bad_parameters' });
  await assert.rejects(session.handle('nope', {}), { code: 'bad_parameters' });
  session.forget();
  assert.equal(session.sk, null);
  await assert.rejects(session.submit(), { code: 'bad_parameters' });
});

test('deterministic session reproduces encryptBallot with the same draws', async () => {
  // With the rows encrypted in index order, the session draws nonces exactly as
  // encryptBallot does: same ballot bytes for the same nonce stream and aux.
  const seed = C.utf8('session-nonces');
  const aux = new Uint8Array(32).fill(3);
  const session = new BallotSession({ nonces: C.deterministicNonces(seed), aux: () => aux });
  session.init({ context, electionId: 'demo', cardCode });
  const out = await session.submit();
  const ctx = B.makeContext(context);
  const sk = K.signingKey('demo', secret);
  const direct = B.encryptBallot(ctx, sk, new Array(6).fill(0), C.deterministicNonces(seed), aux);
  assert.deepEqual(out.ballot, B.ballotToJson(direct));
});
