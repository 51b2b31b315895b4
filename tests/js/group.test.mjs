// keys/group.py twin: scalars, point encoding, infinity, validation, nonce sources.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as C from '../../ballot/static/js/phieu-crypto.js';
import { vectors } from './helpers.mjs';

const G_HEX = '0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798';

test('the point at infinity encodes as 00 and is refused unless allowed', () => {
  assert.equal(C.pointHex(C.INFINITY), '00');
  assert.equal(C.pointHex(C.baseMul(0n)), '00');
  assert.equal(C.pointHex(C.baseMul(C.N)), '00');
  assert.throws(() => C.pointFromHex('00', 'x'), { code: 'bad_point', message: 'bad_point: x: the point at infinity is not allowed here' });
  assert.ok(C.pointFromHex('00', 'x', true).is0());
  const g = C.pointFromHex(G_HEX);
  assert.equal(C.pointHex(C.add(g, g.negate())), '00');
  assert.equal(C.pointHex(C.add(C.INFINITY, g)), G_HEX);
  assert.equal(C.pointHex(C.add(g, C.INFINITY)), G_HEX);
  assert.equal(C.pointHex(C.fixedMul(C.INFINITY, 5n)), '00');
  assert.equal(C.pointHex(C.mulAddPublic(C.INFINITY, 3n, 0n)), '00');
  assert.equal(C.pointHex(C.mulAddPublic(g, 1n, -1n)), '00');
  assert.ok(C.normalizePoints([C.INFINITY, g])[0].is0());
  assert.throws(() => C.withTable(C.INFINITY), { code: 'bad_point' });
});

test('points from outside are validated', () => {
  assert.equal(C.pointHex(C.pointFromHex(G_HEX)), G_HEX);
  assert.equal(C.pointHex(C.baseMul(1n)), G_HEX);
  const bad = [
    '04' + G_HEX.slice(2), // wrong prefix
    G_HEX.slice(0, 64), // short
    '02' + 'ff'.repeat(32), // x ≥ p
    '02' + C.P.toString(16), // x = p
    '020000000000000000000000000000000000000000000000000000000000000005', // x³+7 not a square
    '0000', '',
  ];
  for (const hex of bad) assert.throws(() => C.pointFromHex(hex, 'p'), { code: 'bad_point' }, hex);
  assert.throws(() => C.pointFromHex('02GG', 'p'), { code: 'bad_encoding' });
});

test('scalars: 32 bytes, below N', () => {
  assert.equal(C.scalarFromHex('00'.repeat(31) + '07'), 7n);
  assert.equal(C.scalarHex(-1n), (C.N - 1n).toString(16));
  assert.throws(() => C.scalarFromHex(C.N.toString(16), 's'), { message: 'bad_scalar: s: value is not below the group order' });
  assert.throws(() => C.scalarFromHex('00'.repeat(31), 's'), { message: 'bad_scalar: s: expected 32 bytes, got 31' });
  for (let i = 0; i < 50; i++) {
    const k = C.randomScalar();
    assert.ok(k > 0n && k < C.N);
  }
});

test('fixed-base tricks agree with plain multiplication', () => {
  const Y = C.baseMul(123456789n);
  const T = C.withTable(Y);
  for (const k of [1n, 2n, C.N - 1n, C.randomScalar()]) {
    assert.equal(C.pointHex(C.fixedMul(T, k)), C.pointHex(Y.multiply(k)));
    assert.equal(C.pointHex(C.fixedMulPublic(T, k)), C.pointHex(Y.multiply(k)));
    assert.equal(C.pointHex(C.mulAddPublic(Y, k, 5n)), C.pointHex(Y.multiply(k).add(C.G.multiply(5n))));
  }
});

test('deterministic nonces reproduce the recorded row nonces', () => {
  const rows = vectors('rows');
  for (const [n, v] of rows.entries()) {
    const kind = v.context.kind;
    const seed = new TextEncoder().encode(`${kind}/${v.choice}`);
    const nonces = C.deterministicNonces(seed);
    const drawn = v.nonces.map(() => C.scalarHex(nonces.scalar()));
    assert.deepEqual(drawn, v.nonces, `row vector ${n}`);
  }
  const list = C.listNonces(['00'.repeat(31) + '01']);
  assert.equal(list.scalar(), 1n);
  assert.throws(() => list.scalar(), /no recorded nonce left/);
});
