// The count page's check before decrypting (trustee-check.js, the twin of tally/trustee.py),
// on a real record written by tally/simulate.py (tests/vectors/count-record.json, made by
// tests/vectors/generate_record.py; tests/test_vectors_record.py asserts that the Python
// verifier accepts the same file): each tampering is refused with the item and the reason
// `tally verify` would give. (The proofs are checked in Web Workers:
// tests/browser/test_trustee_page.py runs them in Chromium.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as C from '../../ballot/static/js/phieu-crypto.js';
import { CheckError, checkStructure, compareTally, groups } from '../../ballot/static/js/trustee-check.js';
import { clone, vectors } from './helpers.mjs';

const V = vectors('count-record');
const REC = V.check;

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

test("a real record from tally/simulate.py: accepted, the close head is the chain's end", () => {
  const r = checkStructure(clone(REC));
  assert.equal(r.closeHead, REC.ballots.ballots[2].hash);
  assert.equal(r.closeHead, REC.checkpoints.close.head);
  assert.equal(r.entries.length, 3);
  assert.equal(r.manifest.hashHex, REC.confirmations[0].manifest);
  assert.equal(groups(r.closeHead).split(' ').length, 16);
});

test('confirmations: none, one missing, forged, out of order, for another manifest', () => {
  refused((d) => { d.confirmations = []; }, 'confirmations.json', 'expected 3 confirmations, found 0');
  refused((d) => { delete d.confirmations; }, 'confirmations.json', 'expected a list');
  refused((d) => d.confirmations.pop(), 'confirmations.json', 'expected 3 confirmations, found 2');
  refused((d) => { d.confirmations[1].proof.u = d.confirmations[0].proof.u; }, 'confirmation 2 (trustee 2)', 'dkg_bad_confirm');
  refused((d) => { d.confirmations[2] = clone(d.confirmations[1]); }, 'confirmation 3 (trustee 2)', 'ascending');
  refused((d) => { d.confirmations[0].manifest = '00'.repeat(32); }, 'confirmation 1', 'another manifest');
});

test('the close signs the action count and the action-log head', () => {
  refused((d) => { d.checkpoints.close.actions += 1; }, 'signed close', 'server signature');
  refused((d) => { d.checkpoints.close.actions_head = '00'.repeat(32); }, 'signed close', 'server signature');
  refused((d) => { delete d.checkpoints.close.actions; }, 'signed close', 'logged actions');
});

test('chain tampering is named as tally verify names it', () => {
  refused((d) => d.ballots.ballots.splice(1, 1), 'ballot #2', 'sequence number');
  refused((d) => { d.ballots.ballots.splice(1, 1); d.ballots.ballots[1].seq = 2; }, 'ballot #2', 'does not link');
  refused((d) => { d.ballots.ballots[2].hash = '00'.repeat(32); }, 'ballot #3', 'chain hash is wrong');
  refused((d) => { d.ballots.ballots[0].tracker = 'zz'; }, 'ballot #1', 'bytes of hex');
});

test('cards: the commitment, a card outside it, a revoked card, a card used twice', () => {
  refused((d) => { d.cards.cards[3].key = '11'.repeat(32); }, 'cards.json', 'commitment');
  refused((d) => { [d.cards.cards[0].serial, d.cards.cards[1].serial] = [d.cards.cards[1].serial, d.cards.cards[0].serial]; }, 'cards.json', 'commitment');
  refused((d) => d.cards.cards.pop(), 'cards.json', 'the manifest commits to 4');
  refused((d) => { d.cards.cards[1].serial = d.cards.cards[0].serial; }, 'cards.json', 'appears twice');
  refused((d) => { d.ballots.ballots[1].ballot.card = '22'.repeat(32); }, 'ballot #2', 'outside the committed set');
  const card2 = REC.cards.cards.find((c) => c.key === REC.ballots.ballots[1].ballot.card);
  refused((d) => d.revocations.revocations.push({ ...card2 }), 'ballot #2', 'revoked');
  refused((d) => d.revocations.revocations.push({ serial: '9', key: '33'.repeat(32) }), 'revocations.json item 1', 'card 9 is not that committed card');
  refused((d) => d.revocations.revocations.push({ serial: 'x', key: card2.key }), 'revocations.json item 1', 'not that committed card');
  refused((d) => { d.ballots.ballots[2].ballot.card = d.ballots.ballots[0].ballot.card; }, 'ballot #3', 'second ballot of the card of ballot #1');
});

test('signed heads: signature, head, count, missing close', () => {
  refused((d) => { d.checkpoints.close.signature = '00'.repeat(64); }, 'signed close', 'server signature');
  refused((d) => { d.checkpoints.close.at += ' '; }, 'signed close', 'server signature');
  refused((d) => { d.checkpoints.checkpoints[0].signature = d.checkpoints.close.signature; }, 'checkpoint 1', 'server signature');
  refused((d) => { d.checkpoints.close.head = d.ballots.ballots[1].hash; }, 'signed close', 'head differs');
  refused((d) => { d.checkpoints.close.count = 9; }, 'signed close', 'beyond the chain');
  refused((d) => { d.checkpoints.close = null; }, 'checkpoints.json', 'signed close is missing');
  // a close over the first two ballots, genuinely signed (in Python), a third ballot after it
  const two = clone(REC);
  two.checkpoints.close = clone(V.close_over_two);
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
