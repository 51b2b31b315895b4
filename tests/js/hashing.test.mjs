// keys/hashing.py twin: encodings, digests, hash-to-scalar, canonical JSON.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as C from '../../ballot/static/js/phieu-crypto.js';
import { vectors } from './helpers.mjs';

const V = vectors('hashing');

test('encodeParts, digest and hashToScalar reproduce every vector', () => {
  assert.ok(V.parts.length >= 5);
  for (const v of V.parts) {
    const tag = C.fromHex(v.tag);
    const parts = v.parts.map((p) => C.fromHex(p));
    assert.equal(C.toHex(C.encodeParts([tag, ...parts])), v.encoding);
    assert.equal(C.toHex(C.digest(tag, ...parts)), v.digest);
    assert.equal(C.scalarHex(C.hashToScalar(tag, ...parts)), v.hash_to_scalar);
  }
});

test('canonical JSON and manifest hash reproduce the vector', () => {
  for (const v of V.canonical_json) {
    assert.equal(new TextDecoder().decode(C.canonicalJson(v.value)), v.canonical);
    assert.equal(C.toHex(C.manifestHash(v.value)), v.manifest_hash);
  }
});

test('ballotFingerprint reproduces the vector: the manifest without cards and base', () => {
  assert.equal(V.ballot_fingerprint.length, 2);
  for (const v of V.ballot_fingerprint) {
    const definition = C.ballotDefinition(v.manifest);
    assert.equal(new TextDecoder().decode(C.canonicalJson(definition)), v.definition);
    assert.equal(C.toHex(C.encodeParts([C.TAGS.BALLOT_DEFINITION, C.canonicalJson(definition)])), v.encoding);
    assert.equal(C.toHex(C.ballotFingerprint(v.manifest)), v.fingerprint);
  }
  const m = V.ballot_fingerprint[0].manifest;
  assert.equal(C.toHex(C.ballotFingerprint({ ...m, cards: { count: 9 }, base: 10 })), V.ballot_fingerprint[0].fingerprint);
  assert.notEqual(C.toHex(C.ballotFingerprint({ ...m, server_key: '55'.repeat(32) })), V.ballot_fingerprint[0].fingerprint);
});

test('groupCode groups as keys.codes.group_code', async () => {
  const { groupCode } = await import('../../ballot/static/js/phieu-codes.js');
  assert.ok(V.group_code.length >= 4);
  for (const v of V.group_code) assert.equal(groupCode(v.value, v.size), v.grouped, v.value);
  assert.equal(groupCode(null), '');
});

test('canonical JSON: escapes, code-point key order and big integers as Python', () => {
  // Expected bytes computed with keys.hashing.canonical_json.
  const value = {
    '\uffff': 1,
    '\u{10000}': 2,
    b: [true, false, null, -5, -0, 2n ** 60n],
    a: '\x00\x01\x1f\x7f"\\/\n\r\t\b\f\u2028\u2029é😀',
  };
  assert.equal(C.toHex(C.canonicalJson(value)),
    '7b2261223a225c75303030305c75303030315c75303031667f5c225c5c2f5c6e5c725c745c625c66e280a8' +
    'e280a9c3a9f09f9880222c2262223a5b747275652c66616c73652c6e756c6c2c2d352c302c31313532393231' +
    '3530343630363834363937365d2c22efbfbf223a312c22f0908080223a327d');
  assert.equal(C.toHex(C.manifestHash(value)),
    '2bbf9a966fdfb3a8a888987902d345099dfa447f2dd259335eb7bc2c1c2c83f9');
});

test('canonical JSON refuses floats, unsafe integers, lone surrogates and undefined', () => {
  const bad = [{ a: 1.5 }, [1, [0.1]], 2 ** 60, NaN, Infinity, { a: '\ud800' }, { a: undefined }];
  for (const value of bad) {
    assert.throws(() => C.canonicalJson(value), (e) => e.code === 'bad_encoding', JSON.stringify(value));
  }
  assert.throws(() => C.canonicalJson({ x: { y: [1, 2.5] } }), /\$\.x\.y\[1\]: floats are not allowed/);
});

test('u32 is big-endian and bounded', () => {
  assert.equal(C.toHex(C.u32(0)), '00000000');
  assert.equal(C.toHex(C.u32(0x01020304)), '01020304');
  assert.equal(C.toHex(C.u32(2 ** 32 - 1)), 'ffffffff');
  for (const n of [-1, 2 ** 32, 1.5]) assert.throws(() => C.u32(n), (e) => e.code === 'bad_encoding');
});

test('hex decoding is strict lowercase', () => {
  assert.deepEqual([...C.fromHex('00ff10')], [0, 255, 16]);
  for (const bad of ['0', 'FF', '0g', ' 00', 5, null]) {
    assert.throws(() => C.fromHex(bad, 'x'), (e) => e.code === 'bad_encoding');
  }
});
