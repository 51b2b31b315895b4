// The count page's check before decrypting (trustee-check.js, the twin of tally/trustee.py):
// a small record made here with the same primitives; each tampering is refused with the
// item and the reason `tally verify` would give. (The proofs are checked in Web Workers:
// tests/browser/test_trustee_page.py runs them in Chromium.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ed25519 } from '../../ballot/static/vendor/noble-secp256k1.js';
import * as C from '../../ballot/static/js/phieu-crypto.js';
import * as B from '../../ballot/static/js/phieu-ballot.js';
import * as K from '../../ballot/static/js/phieu-cards.js';
import { CheckError, checkStructure, compareTally, groups } from '../../ballot/static/js/trustee-check.js';
import { clone } from './helpers.mjs';

const tag = (t) => C.utf8(`phieu/v1/${t}`);
const serverSk = C.digest(C.utf8('test server key'));
const sks = [1, 2, 3, 4].map((i) => K.signingKey('chk', C.digest(C.utf8('card'), C.u32(i)).slice(0, 16)));
const cardKeys = sks.map((sk) => C.toHex(K.publicKey(sk)));
const Y = C.baseMul(12345n);

function makeRecord() {
  const sorted = [...cardKeys].sort().map((k) => C.fromHex(k));
  const manifest = {
    format: 'phieu-manifest/1', election_id: 'chk', kind: 'confidence',
    levels: ['tin_nhiem', 'khong_tin_nhiem'],
    officials: [{ name: 'A', position: 'x' }, { name: 'B', position: 'y' }],
    base: 5, trustees: { names: ['T'], public_key: C.pointHex(Y), verification_keys: [C.pointHex(Y)], threshold: 1 },
    cards: { count: 4, commitment: C.toHex(C.digest(tag('cards'), C.u32(4), ...sorted)) },
    server_key: C.toHex(ed25519.getPublicKey(serverSk)),
  };
  const mh = C.manifestHash(manifest);
  const ctx = B.makeContext({ manifest_hash: mh, public_key: Y, kind: 'confidence', rows: 2, base: 5 });
  let prev = mh;
  const entries = [[1, 2], [2, 0], [1, 1]].map((choices, i) => {
    const ballot = B.encryptBallot(ctx, sks[i], choices);
    const tracker = B.tracker(ballot);
    const link = C.digest(tag('chain'), prev, C.u32(i + 1), tracker);
    const entry = { seq: i + 1, prev: C.toHex(prev), hash: C.toHex(link), tracker: C.toHex(tracker), ballot: B.ballotToJson(ballot) };
    prev = link;
    return entry;
  });
  const signed = (kind, count, head) => {
    const at = '2026-11-22T10:00:00+07:00';
    const msg = C.digest(tag(kind), mh, C.u32(count), C.fromHex(head), C.utf8(at));
    return { count, head, at, signature: C.toHex(ed25519.sign(msg, serverSk)) };
  };
  const totals = [0, 1].map((r) => ({
    alpha: C.pointHex(entries.map((e) => C.pointFromHex(e.ballot.rows[r].alpha)).reduce(C.add)),
    beta: C.pointHex(entries.map((e) => C.pointFromHex(e.ballot.rows[r].beta)).reduce(C.add)),
  }));
  return {
    manifest,
    cards: { cards: cardKeys.map((key, i) => ({ serial: `000${i + 1}`, key })) },
    revocations: { revocations: [] },
    ballots: { ballots: entries },
    checkpoints: { checkpoints: [signed('checkpoint', 1, entries[0].hash)], close: signed('close', 3, entries[2].hash) },
    tally: { ballots: 3, totals },
  };
}

const REC = makeRecord();

function refused(change, item, reason) {
  const data = clone(REC);
  change(data);
  assert.throws(() => checkStructure(data), (err) => {
    assert.ok(err instanceof CheckError, String(err));
    assert.ok(err.item.includes(item), `${err.item} ∌ ${item}`);
    assert.ok(err.reason.includes(reason), `${err.reason} ∌ ${reason}`);
    return true;
  });
}

test('a good record: the close head is the end of the chain', () => {
  const r = checkStructure(clone(REC));
  assert.equal(r.closeHead, REC.ballots.ballots[2].hash);
  assert.equal(r.entries.length, 3);
  assert.equal(groups(r.closeHead).split(' ').length, 16);
});

test('chain tampering is named as tally verify names it', () => {
  refused((d) => d.ballots.ballots.splice(1, 1), 'ballot #2', 'sequence number');
  refused((d) => { d.ballots.ballots.splice(1, 1); d.ballots.ballots[1].seq = 2; }, 'ballot #2', 'does not link');
  refused((d) => { d.ballots.ballots[2].hash = '00'.repeat(32); }, 'ballot #3', 'chain hash is wrong');
  refused((d) => { d.ballots.ballots[0].tracker = 'zz'; }, 'ballot #1', 'bytes of hex');
});

test('cards: the commitment, a card outside it, a revoked card, a card used twice', () => {
  refused((d) => { d.cards.cards[3].key = '11'.repeat(32); }, 'cards.json', 'commitment');
  refused((d) => d.cards.cards.pop(), 'cards.json', 'committed count');
  refused((d) => { d.ballots.ballots[1].ballot.card = '22'.repeat(32); }, 'ballot #2', 'outside the committed set');
  refused((d) => d.revocations.revocations.push({ serial: '0002', key: cardKeys[1] }), 'ballot #2', 'revoked');
  refused((d) => d.revocations.revocations.push({ serial: '9', key: '33'.repeat(32) }), 'revocation of card 9', 'not a committed card');
  refused((d) => { d.ballots.ballots[2].ballot.card = cardKeys[0]; }, 'ballot #3', 'second ballot of the card of ballot #1');
});

test('signed heads: signature, head, count, missing close', () => {
  refused((d) => { d.checkpoints.close.signature = '00'.repeat(64); }, 'signed close', 'server signature');
  refused((d) => { d.checkpoints.close.at += ' '; }, 'signed close', 'server signature');
  refused((d) => { d.checkpoints.checkpoints[0].signature = d.checkpoints.close.signature; }, 'checkpoint 1', 'server signature');
  refused((d) => { d.checkpoints.close.head = d.ballots.ballots[1].hash; }, 'signed close', 'head differs');
  refused((d) => { d.checkpoints.close.count = 9; }, 'signed close', 'beyond the chain');
  refused((d) => { d.checkpoints.close = null; }, 'checkpoints.json', 'signed close is missing');
  // a close over the first two ballots, genuinely signed, with a third ballot after it
  const two = makeRecord();
  const mh = C.manifestHash(two.manifest);
  const c = two.checkpoints.close;
  const msg = C.digest(tag('close'), mh, C.u32(2), C.fromHex(two.ballots.ballots[1].hash), C.utf8(c.at));
  Object.assign(c, { count: 2, head: two.ballots.ballots[1].hash, signature: C.toHex(ed25519.sign(msg, serverSk)) });
  assert.throws(() => checkStructure(two), /signed close: signed ballot count differs from the chain/);
});

test("the server's totals are only compared with the page's own sums", () => {
  const { entries } = checkStructure(clone(REC));
  const sums = [0, 1].map((r) => ({
    alpha: entries.map((e) => C.pointFromHex(e.ballot.rows[r].alpha)).reduce(C.add),
    beta: entries.map((e) => C.pointFromHex(e.ballot.rows[r].beta)).reduce(C.add),
  }));
  compareTally(REC.tally, sums, 3);
  compareTally(null, sums, 3);
  const one = { ballots: 3, totals: entries[1].ballot.rows.map((r) => ({ alpha: r.alpha, beta: r.beta })) };
  assert.throws(() => compareTally(one, sums, 3), /tally.json, official 1: does not equal the sum of the verified ballots/);
  assert.throws(() => compareTally({ ...REC.tally, ballots: 2 }, sums, 3), /counts 2 ballots/);
});
