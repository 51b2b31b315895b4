// The dealer-free key ceremony in the browser (phieu-dkg.js) against the Python-made
// vectors tests/vectors/dkg.json (keys/dkg.py), byte for byte: every trustee's commit,
// shares, done and confirm messages from the same deterministic nonces, the sub-share
// keys, the joint key, the manifest's ceremony object and transcript, and every negative
// case with Python's error code. Then the attacks of a dishonest board.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hkdf, sha256, gcm } from '../../ballot/static/vendor/noble-secp256k1.js';
import {
  CryptoError, N, concat, deterministicNonces, digest, fromHex, listNonces, pointFromHex,
  pointHex, toHex, u32, utf8,
} from '../../ballot/static/js/phieu-crypto.js';
import * as dkg from '../../ballot/static/js/phieu-dkg.js';
import { parseStrict } from '../../ballot/static/js/phieu-json.js';
import { vectors, clone, flipHex } from './helpers.mjs';

const V = vectors('dkg');
const { election_id: E, round: R, names: NAMES, threshold: K } = V;
const n = NAMES.length;
const stream = (i) => deterministicNonces(utf8(`dkg-vector-trustee-${i}`));

function refuses(run, code) {
  assert.throws(run, (err) => {
    assert.ok(err instanceof CryptoError, String(err));
    assert.equal(err.code, code, err.message);
    return true;
  });
}

/**
 * Play the ceremony as the n devices would, each with its own nonce stream for the whole
 * ceremony (start, makeShares, doneMessage, confirm), as the vectors do.
 */
function play() {
  const streams = NAMES.map((_, i) => stream(i + 1));
  const started = NAMES.map((_, i) => dkg.start(E, R, NAMES, K, i + 1, streams[i]));
  const contributions = dkg.verifyCommits(started.map((s) => s.message), E, R, NAMES, K);
  const digest = dkg.transcriptOf(contributions);
  const shares = started.map((s, i) => dkg.makeShares(s.state, contributions, streams[i]));
  const results = started.map((s) => dkg.receive(s.state, contributions, shares));
  const dones = started.map((s, i) => dkg.doneMessage(s.state, results[i].share, results[i].key, digest, streams[i]));
  const mh = fromHex(V.confirm.manifest_hash);
  const confirms = results.map((r, i) => dkg.confirm(mh, i + 1, r.share, streams[i], E));
  return { streams, started, contributions, digest, shares, results, dones, confirms };
}
const C = play();

test('context digest equals Python', () => {
  assert.equal(toHex(dkg.context(E, R, NAMES, K)), V.context);
  assert.equal(V.share_key_info, 'phieu/v1/dkg-share-key');
});

test('every commit, shares and done message, byte for byte, from the same nonces', () => {
  V.trustees.forEach((t, at) => {
    assert.deepEqual(C.started[at].message, t.commit);
    assert.equal(JSON.stringify(C.started[at].message), JSON.stringify(t.commit));
    assert.deepEqual(C.shares[at], t.shares);
    assert.deepEqual(C.dones[at], t.done);
    assert.equal(JSON.stringify(C.dones[at]), JSON.stringify(t.done));
    assert.deepEqual(C.streams[at].drawn.map((w) => w.toString(16).padStart(64, '0')), t.nonces);
    // Replaying the recorded list gives the same messages (listNonces path).
    const again = dkg.start(E, R, NAMES, K, t.index, listNonces(t.nonces));
    assert.deepEqual(again.message, t.commit);
  });
});

test('sub-share keys: ECDH both ways, HKDF, AAD, plaintext s_ij', () => {
  for (const s of V.sub_shares) {
    const { state } = C.started[s.from - 1];
    const peer = C.contributions[s.to - 1].ceremonyKey;
    assert.equal(pointHex(peer.multiply(state.e)), s.ikm);
    // e_j·E_i is the same point: the receiver derives the same key.
    const receiver = C.started[s.to - 1].state;
    assert.equal(pointHex(C.contributions[s.from - 1].ceremonyKey.multiply(receiver.e)), s.ikm);
    const info = concat([utf8('phieu/v1/dkg-share-key'), u32(s.from), u32(s.to)]);
    const ctx = fromHex(V.context);
    assert.equal(toHex(hkdf(sha256, fromHex(s.ikm), ctx, info, 32)), s.key);
    const aad = digest(utf8('phieu/v1/dkg-share'), ctx, u32(s.from), u32(s.to),
      fromHex(C.started[s.from - 1].message.ceremony_key), fromHex(C.started[s.to - 1].message.ceremony_key));
    assert.equal(toHex(aad), s.aad);
    const entry = V.trustees[s.from - 1].shares.shares.find((x) => x.to === s.to);
    assert.equal(toHex(gcm(fromHex(s.key), fromHex(entry.nonce), aad).decrypt(fromHex(entry.data))), s.value);
  }
});

test('receive: every share x_j and the joint key equal Python; done messages verify', () => {
  const ctx = fromHex(V.context);
  C.results.forEach((r, at) => {
    assert.ok(!r.complaint, JSON.stringify(r.complaint));
    assert.equal(r.share.toString(16).padStart(64, '0'), V.trustees[at].share);
    const key = dkg.keyJson(r.key);
    assert.equal(key.public_key, V.public_key);
    assert.deepEqual(key.commitments, V.commitments);
    assert.deepEqual(key.verification_keys, V.verification_keys);
    const done = V.trustees[at].done;
    assert.equal(dkg.verifyDone(done, ctx, C.digest, r.key, { electionId: E, round: R, sender: at + 1 }), at + 1);
  });
  for (const neg of V.done_negative) {
    const t = neg.transcript ? fromHex(neg.transcript) : C.digest;
    refuses(() => dkg.verifyDone(neg.message, ctx, t, C.results[0].key), neg.expect);
  }
  const key = C.results[0].key;
  const good = V.trustees[1].done;
  refuses(() => dkg.verifyDone(good, ctx, C.digest, key, { electionId: 'other' }), 'dkg_other_vote');
  refuses(() => dkg.verifyDone(good, ctx, C.digest, key, { round: 2 }), 'dkg_wrong_round');
  refuses(() => dkg.verifyDone(good, ctx, C.digest, key, { sender: 3 }), 'dkg_wrong_trustee');
  refuses(() => dkg.verifyDone({ ...good, public_key: V.verification_keys[0] }, ctx, C.digest, key), 'dkg_key_mismatch');
  refuses(() => dkg.verifyDone({ ...good, proof: V.trustees[0].done.proof }, ctx, C.digest, key), 'dkg_bad_proof');
  refuses(() => dkg.verifyDone({ ...good, extra: 1 }, ctx, C.digest, key), 'dkg_bad_message');
  // A share that is not x_j cannot make a done message.
  refuses(() => dkg.doneMessage(C.started[0].state, C.results[1].share, key, C.digest), 'share_mismatch');
  assert.deepEqual(dkg.keyJson(dkg.jointKey(C.contributions, K)).verification_keys, V.verification_keys);
});

test('manifest ceremony object, transcript and its spoken fingerprint equal Python', () => {
  const cer = dkg.ceremonyJson(R, C.contributions);
  assert.deepEqual(cer, V.ceremony);
  assert.equal(toHex(dkg.transcript(fromHex(V.context), cer.contributions)), V.transcript);
  assert.equal(toHex(C.digest), V.transcript);
  assert.equal(dkg.fingerprint(C.digest), V.fingerprint);
  assert.match(V.fingerprint, /^([0-9a-f]{4} ){7}[0-9a-f]{4}$/);
  // A board showing one trustee another commit for somebody else: another fingerprint.
  const other = dkg.start(E, R, NAMES, K, 2, deterministicNonces(utf8('board-fake')));
  const seen = [C.contributions[0], dkg.verifyCommit(other.message, E, R, NAMES, K, 2), C.contributions[2]];
  assert.notEqual(dkg.fingerprint(dkg.transcriptOf(seen)), V.fingerprint);
});

/** Another ceremony of the same vote (other nonces): its consistent key. */
function play2() {
  const started = NAMES.map((_, i) => dkg.start(E, R, NAMES, K, i + 1, deterministicNonces(utf8(`other-${i}`))));
  return dkg.keyJson(dkg.jointKey(dkg.verifyCommits(started.map((s) => s.message), E, R, NAMES, K), K));
}

const trusteesSection = () => ({
  names: [...NAMES], threshold: K, public_key: V.public_key, commitments: [...V.commitments],
  verification_keys: [...V.verification_keys], ceremony: clone(V.ceremony),
});

test('checkCeremony accepts the manifest section and refuses every alteration', () => {
  assert.equal(pointHex(dkg.checkCeremony(trusteesSection(), E, NAMES, K).publicKey), V.public_key);
  const cases = [
    [(t) => { t.public_key = V.verification_keys[0]; }, 'bad_parameters'],
    [(t) => { t.verification_keys.reverse(); }, 'bad_parameters'],
    [(t) => { t.commitments = [V.verification_keys[0], V.commitments[1]]; }, 'bad_parameters'],
    [(t) => { t.ceremony.contributions[1].commitments[0] = V.ceremony.contributions[0].commitments[0]; }, 'dkg_bad_proof'],
    [(t) => { t.ceremony.round = 2; }, 'dkg_bad_proof'],
    [(t) => { t.ceremony.round = 0; }, 'dkg_bad_message'],
    [(t) => { t.ceremony.contributions.pop(); }, 'dkg_missing'],
    [(t) => { t.ceremony.contributions[0].index = 2; }, 'dkg_wrong_trustee'],
    [(t) => { t.ceremony.contributions[0].index = true; }, 'dkg_bad_message'],
    [(t) => { t.names = [...NAMES].reverse(); }, 'dkg_bad_message'],
    [(t) => { t.threshold = 3; }, 'dkg_bad_message'],
    [(t) => { t.extra = 1; }, 'dkg_bad_message'],
    [(t) => { t.ceremony.contributions[2].proofs[0].c = 'f'.repeat(64); }, 'bad_scalar'],
    [(t) => { t.ceremony.contributions[2].commitments[1] = '00'; }, 'bad_point'],
  ];
  for (const [change, code] of cases) {
    const t = trusteesSection();
    change(t);
    refuses(() => dkg.checkCeremony(t, E, NAMES, K), code);
  }
  refuses(() => dkg.checkCeremony(trusteesSection(), 'other-vote', NAMES, K), 'dkg_bad_proof');
  // A consistent key that is not the sum of the contributions (another ceremony's key).
  const t = trusteesSection();
  const other = play2();
  Object.assign(t, { public_key: other.public_key, commitments: other.commitments, verification_keys: other.verification_keys });
  refuses(() => dkg.checkCeremony(t, E, NAMES, K), 'dkg_key_mismatch');
});

test('confirm messages reproduce Python and verify; negative cases', () => {
  const key = C.results[0].key;
  const mh = fromHex(V.confirm.manifest_hash);
  V.confirm.confirmations.forEach((c, at) => {
    const j = at + 1;
    assert.deepEqual(C.confirms[at], c);
    assert.equal(dkg.verifyConfirm(c, mh, key, E), j);
    assert.equal(dkg.verifyConfirm(c, V.confirm.manifest_hash, key), j);
  });
  for (const neg of V.confirm.negative) {
    refuses(() => dkg.verifyConfirm(neg.message, fromHex(neg.manifest_hash), key), neg.expect);
  }
  const good = V.confirm.confirmations[1];
  refuses(() => dkg.verifyConfirm(good, mh, key, 'other-vote'), 'dkg_other_vote');
  refuses(() => dkg.verifyConfirm({ ...good, proof: { c: good.proof.c, u: 'zz' } }, mh, key), 'dkg_bad_confirm');
  refuses(() => dkg.verifyConfirm({ ...good, trustee: 4 }, mh, key), 'dkg_bad_message');
  refuses(() => dkg.verifyConfirm({ ...good, trustee: 2.5 }, mh, key), 'dkg_bad_message');
  refuses(() => dkg.confirm(mh, 1, C.results[0].share), 'bad_parameters');
});

test('every negative vector gives Python\'s code (or complaint)', () => {
  assert.ok(V.negative.length >= 10);
  for (const neg of V.negative) {
    let got;
    try {
      if (neg.kind === 'commit') {
        dkg.verifyCommit(neg.message, E, R, NAMES, K, neg.index);
        got = 'ok';
      } else if (neg.kind === 'shares') {
        const r = dkg.receive(C.started[neg.receiver - 1].state, C.contributions, neg.messages);
        got = r.complaint ? `complaint:${r.complaint.against}:${r.complaint.reason}` : 'ok';
      } else if (neg.kind === 'shares_message') {
        dkg.verifySharesMessage(neg.message, E, R, n, neg.sender);
        got = 'ok';
      } else {
        assert.fail(`unknown kind ${neg.kind}`);
      }
    } catch (err) {
      assert.ok(err instanceof CryptoError, String(err));
      got = err.code;
    }
    assert.equal(got, neg.expect, neg.name);
    assert.notEqual(got, 'ok', neg.name);
  }
});

test('a complaint message is well formed and passes verifyComplaint', () => {
  const bad = V.negative.find((x) => x.kind === 'shares' && x.expect.endsWith('bad_share'));
  const r = dkg.receive(C.started[bad.receiver - 1].state, C.contributions, bad.messages);
  assert.deepEqual(r.complaint, {
    format: 'phieu-dkg-complaint/1', election_id: E, ceremony: R, trustee: bad.receiver, against: 2, reason: 'bad_share',
  });
  assert.deepEqual(dkg.verifyComplaint(r.complaint, E, R, n, bad.receiver), r.complaint);
  refuses(() => dkg.verifyComplaint({ ...r.complaint, against: r.complaint.trustee }, E, R, n), 'dkg_bad_message');
  refuses(() => dkg.verifyComplaint({ ...r.complaint, reason: 'other' }, E, R, n), 'dkg_bad_message');
});

// ---- what a dishonest board could try --------------------------------------------------

test('board substitutes our own commit: makeShares and receive refuse', () => {
  const forged = C.contributions.map((c) => c);
  forged[0] = C.contributions[1]; // trustee 2's contribution in slot 1 (index 2)
  refuses(() => dkg.makeShares(C.started[0].state, forged, stream(1)), 'dkg_duplicate');
  // A contribution with a valid proof under index 1 but other secrets (another device).
  const other = dkg.start(E, R, NAMES, K, 1, deterministicNonces(utf8('impostor')));
  const swapped = [dkg.verifyCommit(other.message, E, R, NAMES, K, 1), ...C.contributions.slice(1)];
  refuses(() => dkg.makeShares(C.started[0].state, swapped, stream(1)), 'dkg_key_mismatch');
  refuses(() => dkg.receive(C.started[0].state, swapped, C.shares), 'dkg_key_mismatch');
});

test('board drops, duplicates or replays messages', () => {
  const { state } = C.started[2];
  refuses(() => dkg.receive(state, C.contributions, C.shares.slice(1)), 'dkg_missing');
  refuses(() => dkg.receive(state, C.contributions, [...C.shares, C.shares[0]]), 'dkg_duplicate');
  refuses(() => dkg.verifyCommits([...C.started.map((s) => s.message), C.started[0].message], E, R, NAMES, K),
    'dkg_duplicate');
  refuses(() => dkg.verifyCommits(C.started.slice(1).map((s) => s.message), E, R, NAMES, K), 'dkg_missing');
  // Round 2 state against round 1 contributions (a restart): the contexts differ.
  const next = dkg.start(E, R + 1, NAMES, K, 3, stream(3));
  refuses(() => dkg.makeShares(next.state, C.contributions, stream(3)), 'dkg_wrong_round');
  const moved = clone(C.shares[0]);
  moved.shares.reverse();
  refuses(() => dkg.verifySharesMessage(moved, E, R, n, 1), 'dkg_bad_message');
  refuses(() => dkg.verifySharesMessage(C.shares[0], E, R, n, 2), 'dkg_wrong_trustee');
  const short = clone(C.shares[0]);
  short.shares[0].data = short.shares[0].data.slice(2);
  refuses(() => dkg.verifySharesMessage(short, E, R, n), 'dkg_bad_message');
});

test('a flipped ciphertext bit is a complaint "undecryptable" against its sender', () => {
  const tampered = clone(C.shares);
  tampered[0].shares[1].data = flipHex(tampered[0].shares[1].data, 5);
  assert.deepEqual(dkg.receive(C.started[2].state, C.contributions, tampered).complaint.reason, 'undecryptable');
  assert.equal(dkg.receive(C.started[2].state, C.contributions, tampered).complaint.against, 1);
  assert.ok(dkg.receive(C.started[1].state, C.contributions, tampered).share, 'trustee 2 is unaffected');
  // Several bad senders: one complaint, against the lowest index.
  tampered[1].shares[1].data = flipHex(tampered[1].shares[1].data, 5);
  assert.equal(dkg.receive(C.started[2].state, C.contributions, tampered).complaint.against, 1);
});

test('points are validated on parse, infinity and scalars ≥ N refused', () => {
  const m = C.started[0].message;
  refuses(() => dkg.verifyCommit({ ...m, ceremony_key: '00' }, E, R, NAMES, K), 'bad_point');
  refuses(() => dkg.verifyCommit({ ...m, ceremony_key: '02' + '00'.repeat(32) }, E, R, NAMES, K), 'bad_point');
  refuses(() => dkg.verifyCommit({ ...m, commitments: [m.commitments[0], '00'] }, E, R, NAMES, K), 'bad_point');
  const big = (N + 1n).toString(16).padStart(64, '0');
  refuses(() => dkg.verifyCommit({ ...m, proofs: [{ c: big, u: m.proofs[0].u }, m.proofs[1]] }, E, R, NAMES, K), 'bad_scalar');
  refuses(() => dkg.verifyCommit({ ...m, proofs: [{ ...m.proofs[0], x: '' }, m.proofs[1]] }, E, R, NAMES, K), 'dkg_bad_message');
  refuses(() => dkg.verifyCommit({ ...m, ceremony: '1' }, E, R, NAMES, K), 'dkg_bad_message');
  refuses(() => dkg.verifyCommit({ ...m, ceremony: 0 }, E, R, NAMES, K), 'dkg_bad_message');
  refuses(() => dkg.verifyCommit({ ...m, commitments: m.commitments.slice(1) }, E, R, NAMES, K), 'dkg_bad_message');
  refuses(() => dkg.verifyCommit({ ...m, ceremony_key: m.ceremony_key.toUpperCase() }, E, R, NAMES, K), 'bad_encoding');
  // The proof binds the point: the same proof under a negated key fails.
  const neg = pointHex(pointFromHex(m.ceremony_key).negate());
  refuses(() => dkg.verifyCommit({ ...m, ceremony_key: neg }, E, R, NAMES, K), 'dkg_bad_proof');
});

test('parameters: k = 1 refused, n ≤ 64, names unique and non-empty, round ≥ 1', () => {
  refuses(() => dkg.context(E, R, NAMES, 1), 'threshold_too_low');
  refuses(() => dkg.context(E, R, NAMES, 4), 'bad_parameters');
  refuses(() => dkg.context(E, R, Array.from({ length: 65 }, (_, i) => `t${i}`), 2), 'bad_parameters');
  refuses(() => dkg.context(E, R, ['An', 'An', 'Chi'], 2), 'bad_parameters');
  refuses(() => dkg.context(E, R, ['An', '', 'Chi'], 2), 'bad_parameters');
  refuses(() => dkg.context(E, R, ['An', 'x'.repeat(201), 'Chi'], 2), 'bad_parameters');
  refuses(() => dkg.context(E, R, ['An', 'Bi\u0300nh', 'Chi'], 2), 'bad_parameters'); // NFD
  assert.equal(dkg.context(E, R, ['An', 'ư'.repeat(200), ' '], 2).length, 32);
  refuses(() => dkg.context(E, 0, NAMES, K), 'bad_parameters');
  refuses(() => dkg.context('', R, NAMES, K), 'bad_parameters');
  refuses(() => dkg.context(E, R, NAMES, true), 'bad_parameters');
  refuses(() => dkg.start(E, R, NAMES, K, 4, stream(1)), 'bad_parameters');
});

test('strict JSON: duplicate keys, floats, exponents, huge integers are refused', () => {
  const text = JSON.stringify(C.started[0].message);
  assert.deepEqual(parseStrict(text), C.started[0].message);
  const bad = [
    text.replace('"trustee":1', '"trustee":1,"trustee":2'),
    text.replace('"trustee":1', '"trustee":1.0'),
    text.replace('"trustee":1', '"trustee":1e0'),
    text.replace('"trustee":1', '"trustee":99999999999999999999'),
    '\ufeff' + text, text + ' x', '{"a":"\\ud800"}', '{"a":01}', '[1,]', '',
    '['.repeat(100) + ']'.repeat(100),
  ];
  for (const t of bad) refuses(() => parseStrict(t), 'bad_encoding');
  assert.deepEqual(parseStrict(' {"a" : [true, false, null, -0, "\\u00e9"]} '), { a: [true, false, null, 0, 'é'] });
  assert.equal(Object.getPrototypeOf(parseStrict('{"__proto__": {"x": 1}}')).x, undefined);
});

test('TAGS of phieu-crypto.js are exactly the registry of keys/hashing.py', async () => {
  const { readFileSync } = await import('node:fs');
  const { TAGS } = await import('../../ballot/static/js/phieu-crypto.js');
  const py = readFileSync(new URL('../../keys/hashing.py', import.meta.url), 'utf8');
  const tags = Object.fromEntries([...py.matchAll(/^TAG_([A-Z0-9_]+): Final = b"([^"]+)"$/gm)].map((m) => [m[1], m[2]]));
  // Never hashed in a browser: the installation's action log (the server's alone) and
  // the CLI's sealed state file (the page keeps its ceremony state in memory).
  assert.equal(tags.SHARE_AAD, 'phieu/v1/share-file');
  delete tags.ACTION_LOG;
  delete tags.DKG_STATE;
  assert.deepEqual(Object.keys(TAGS).sort(), Object.keys(tags).sort());
  for (const [name, value] of Object.entries(tags)) assert.equal(new TextDecoder().decode(TAGS[name]), value, name);
});
