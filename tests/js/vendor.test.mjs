// The vendored noble bundle: exported names and the published test vectors of the
// curve (BIP340) and of the hashes (FIPS 180 "abc").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as noble from '../../ballot/static/vendor/noble-secp256k1.js';

const hex = noble.bytesToHex;
const unhex = noble.hexToBytes;

test('bundle exports the names other code relies on', () => {
  for (const name of ['secp256k1', 'schnorr', 'sha256', 'sha512', 'Point']) {
    assert.ok(noble[name], name);
  }
});

test('SHA-256 and SHA-512 of "abc" (FIPS 180-2)', () => {
  const abc = new TextEncoder().encode('abc');
  assert.equal(hex(noble.sha256(abc)),
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.equal(hex(noble.sha512(abc)),
    'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a' +
    '2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f');
});

test('BIP340 test vector 0 and 1', () => {
  const v0 = {
    sk: '0000000000000000000000000000000000000000000000000000000000000003',
    pk: 'f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9',
    aux: '0000000000000000000000000000000000000000000000000000000000000000',
    msg: '0000000000000000000000000000000000000000000000000000000000000000',
    sig: 'e907831f80848d1069a5371b402410364bdf1c5f8307b0084c55f1ce2dca8215' +
      '25f66a4a85ea8b71e482a74f382d2ce5ebeee8fdb2172f477df4900d310536c0',
  };
  const v1 = {
    sk: 'b7e151628aed2a6abf7158809cf4f3c762e7160f38b4da56a784d9045190cfef',
    pk: 'dff1d77f2a671c5f36183726db2341be58feae1da2deced843240f7b502ba659',
    aux: '0000000000000000000000000000000000000000000000000000000000000001',
    msg: '243f6a8885a308d313198a2e03707344a4093822299f31d0082efa98ec4e6c89',
    sig: '6896bd60eeae296db48a229ff71dfe071bde413e6d43f917dc8dcf8c78de3341' +
      '8906d11ac976abccb20b091292bff4ea897efcb639ea871cfa95f6de339e4b0a',
  };
  for (const v of [v0, v1]) {
    assert.equal(hex(noble.schnorr.getPublicKey(unhex(v.sk))), v.pk);
    assert.equal(hex(noble.schnorr.sign(unhex(v.msg), unhex(v.sk), unhex(v.aux))), v.sig);
    assert.ok(noble.schnorr.verify(unhex(v.sig), unhex(v.msg), unhex(v.pk)));
  }
});

test('generator encoding (SEC 2)', () => {
  assert.equal(hex(noble.Point.BASE.toBytes(true)),
    '0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798');
});
