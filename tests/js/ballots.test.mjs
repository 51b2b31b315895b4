// keys/ballot.py twin: whole ballots, digest, tracker, signature, JSON form.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as C from '../../ballot/static/js/phieu-crypto.js';
import * as K from '../../ballot/static/js/phieu-cards.js';
import * as B from '../../ballot/static/js/phieu-ballot.js';
import { clone, flipHex, vectors } from './helpers.mjs';

const V = vectors('ballots');
const isCryptoError = (code) => (e) => e instanceof C.CryptoError && (!code || code.includes(e.code));

/** Parse and verify a ballot's JSON form, as the server does. */
const check = (ctx, json) => B.verifyBallot(ctx, B.ballotFromJson(json));

test('every ballot vector is reproduced byte for byte (nonces and aux injected)', () => {
  assert.equal(V.length, 2);
  for (const v of V) {
    const ctx = B.makeContext(v.context);
    const sk = K.signingKey(v.election_id, C.fromHex(v.card_secret));
    const nonces = C.listNonces(v.nonces);
    const ballot = B.encryptBallot(ctx, sk, v.choices, nonces, C.fromHex(v.aux));
    assert.deepEqual(B.ballotToJson(ballot), v.ballot);
    assert.equal(JSON.stringify(B.ballotToJson(ballot)), JSON.stringify(v.ballot)); // key order too
    assert.equal(C.toHex(B.ballotDigest(ballot)), v.digest);
    assert.equal(C.toHex(B.tracker(ballot)), v.tracker);
    assert.equal(new TextDecoder().decode(C.TAGS.BALLOT), v.tag);
    assert.throws(() => nonces.scalar(), /no recorded nonce left/);
  }
});

test('the Python ballots parse, verify and re-serialise identically', () => {
  for (const v of V) {
    const ctx = B.makeContext(v.context);
    const ballot = B.ballotFromJson(v.ballot);
    B.verifyBallot(ctx, ballot);
    assert.deepEqual(B.ballotToJson(ballot), v.ballot);
    assert.equal(C.toHex(B.ballotDigest(ballot)), v.digest);
    assert.equal(C.toHex(B.tracker(ballot)), v.tracker);
  }
});

test('single-bit changes are rejected: ciphertext, proof scalars, signature, manifest', () => {
  for (const v of V) {
    const ctx = B.makeContext(v.context);
    const cases = [];
    const mutate = (what, f) => { const j = clone(v.ballot); f(j); cases.push([what, j]); };
    mutate('alpha', (j) => { j.rows[0].alpha = flipHex(j.rows[0].alpha, 66); });
    mutate('beta', (j) => { const r = j.rows[j.rows.length - 1]; r.beta = flipHex(r.beta, 10, 2); });
    mutate('c', (j) => { j.rows[1].c[0] = flipHex(j.rows[1].c[0], 63); });
    mutate('s', (j) => { const s = j.rows[2].s; s[s.length - 1] = flipHex(s[s.length - 1], 0, 3); });
    mutate('signature', (j) => { j.signature = flipHex(j.signature, 127); });
    mutate('signature R', (j) => { j.signature = flipHex(j.signature, 3); });
    mutate('card', (j) => { j.card = flipHex(j.card, 20); });
    mutate('manifest', (j) => { j.manifest = flipHex(j.manifest, 63); });
    for (const [what, json] of cases) {
      assert.throws(() => check(ctx, json), isCryptoError(), what);
    }
    assert.throws(() => check(ctx, cases.at(-1)[1]), { code: 'wrong_election', detail: 'the manifest hash differs' });
    assert.throws(() => check(ctx, cases[4][1]), { code: 'bad_signature' });
  }
});

test('a re-signed ballot with a tampered proof fails on the row proof', () => {
  const v = V[0];
  const ctx = B.makeContext(v.context);
  const sk = K.signingKey(v.election_id, C.fromHex(v.card_secret));
  const parsed = B.ballotFromJson(v.ballot);
  for (const [what, change] of [
    ['c', (r) => { r.c[1] ^= 1n; }],
    ['s', (r) => { r.s[0] ^= 1n; }],
    ['alpha', (r) => { r.alpha = r.alpha.add(C.G); }],
    ['beta', (r) => { r.beta = r.beta.add(C.G); }], // adds 1 to the encrypted value
  ]) {
    const rows = parsed.rows.map((r) => ({ ...r, c: [...r.c], s: [...r.s] }));
    change(rows[3]);
    const ballot = B.signBallot(ctx, sk, rows);
    assert.throws(() => check(ctx, B.ballotToJson(ballot)), { code: 'bad_proof', detail: 'row 3: the proof does not verify' }, what);
  }
  // The same rows signed for another manifest hash: the signature is fine, the proofs are not.
  const other = B.makeContext({ ...v.context, manifest_hash: flipHex(v.context.manifest_hash, 0) });
  const moved = B.signBallot(other, sk, parsed.rows);
  assert.throws(() => B.verifyBallot(other, moved), { code: 'bad_proof', detail: 'row 0: the proof does not verify' });
});

test('fresh ballots with system randomness verify; the shape is checked', () => {
  for (const v of V) {
    const ctx = B.makeContext(v.context);
    const sk = K.signingKey('other', K.newSecret());
    const ballot = B.encryptBallot(ctx, sk, v.choices);
    check(ctx, B.ballotToJson(ballot));
    assert.throws(() => B.encryptBallot(ctx, sk, v.choices.slice(1)), { code: 'bad_parameters' });
    const short = { ...ballot, rows: ballot.rows.slice(1) };
    assert.throws(() => B.verifyBallot(ctx, short), { code: 'bad_ballot' });
  }
});

test('ballotFromJson is strict, with the Python messages', () => {
  const json = V[1].ballot;
  const bad = [
    [null, 'bad_ballot', 'expected exactly: card, manifest, rows, signature, version'],
    [{ ...json, extra: 1 }, 'bad_ballot', 'expected exactly: card, manifest, rows, signature, version'],
    [{ ...json, version: 2 }, 'bad_ballot', 'unsupported version 2'],
    [{ ...json, version: true }, 'bad_ballot', 'unsupported version True'],
    [{ ...json, version: '1' }, 'bad_ballot', "unsupported version '1'"],
    [{ ...json, version: "it's\n" }, 'bad_ballot', 'unsupported version "it\'s\\n"'], // repr("it's\n")
    [{ ...json, version: { a: [1, null] } }, 'bad_ballot', "unsupported version {'a': [1, None]}"], // repr({"a": [1, None]})
    [{ ...json, manifest: json.manifest.toUpperCase() }, 'bad_encoding', 'manifest: not lowercase hexadecimal'],
    [{ ...json, card: json.card.slice(2) }, 'bad_encoding', 'card: expected 32 bytes'],
    [{ ...json, signature: 5 }, 'bad_encoding', 'signature: expected a hex string'],
    [{ ...json, rows: [] }, 'bad_ballot', 'rows: expected a list of 1..500 rows'],
    [{ ...json, rows: [{ ...json.rows[0], x: 1 }] }, 'bad_ballot', 'row 0: expected keys alpha, beta, c, s'],
    [{ ...json, rows: [{ ...json.rows[0], c: ['00'.repeat(32)] }] }, 'bad_ballot', 'row 0.c: expected a list of 2..8 scalars'],
    [{ ...json, rows: [{ ...json.rows[0], beta: '00' }] }, 'bad_point', 'row 0.beta: the point at infinity is not allowed here'],
    [{ ...json, rows: [{ ...json.rows[0], alpha: '05' + json.rows[0].alpha.slice(2) }] }, 'bad_point', 'row 0.alpha: expected a 33-byte compressed point'],
    [{ ...json, rows: [{ ...json.rows[0], s: [C.N.toString(16), ...json.rows[0].s.slice(1)] }] }, 'bad_scalar', 'row 0.s[0]: value is not below the group order'],
  ];
  for (const [obj, code, detail] of bad) {
    assert.throws(() => B.ballotFromJson(obj), { code, detail }, detail);
  }
});
