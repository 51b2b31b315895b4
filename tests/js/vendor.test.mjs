// The vendored noble bundle: exported names and the published test vectors of the
// curve (BIP340) and of the hashes (FIPS 180 "abc").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as noble from '../../ballot/static/vendor/noble-secp256k1.js';

const hex = noble.bytesToHex;
const unhex = noble.hexToBytes;

test('bundle exports the names other code relies on', () => {
  for (const name of ['secp256k1', 'schnorr', 'sha256', 'sha512', 'Point', 'hkdf', 'gcm', 'ed25519']) {
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

test('HKDF-SHA-256: RFC 5869 test case 1', () => {
  const okm = noble.hkdf(noble.sha256, unhex('0b'.repeat(22)), unhex('000102030405060708090a0b0c'),
    unhex('f0f1f2f3f4f5f6f7f8f9'), 42);
  assert.equal(hex(okm), '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf' +
    '34007208d5b887185865');
});

test('AES-256-GCM: McGrew-Viega test case 14, and a flipped tag is refused', () => {
  const key = new Uint8Array(32);
  const iv = new Uint8Array(12);
  const out = noble.gcm(key, iv).encrypt(new Uint8Array(16));
  assert.equal(hex(out), 'cea7403d4d606b6e074ec5d3baf39d18' + 'd0d1c8a799996bf0265b98b5d48ab919');
  assert.equal(hex(noble.gcm(key, iv).decrypt(out)), '00'.repeat(16));
  const bad = Uint8Array.from(out);
  bad[31] ^= 1;
  assert.throws(() => noble.gcm(key, iv).decrypt(bad));
  // The AAD is authenticated: decrypting with another AAD fails.
  const sealed = noble.gcm(key, iv, unhex('01')).encrypt(new Uint8Array(16));
  assert.throws(() => noble.gcm(key, iv, unhex('02')).decrypt(sealed));
});

test('Ed25519: RFC 8032 test 1 (empty message)', () => {
  const sk = unhex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
  const pk = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
  const sig = 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155' +
    '5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b';
  assert.equal(hex(noble.ed25519.getPublicKey(sk)), pk);
  assert.equal(hex(noble.ed25519.sign(new Uint8Array(0), sk)), sig);
  assert.ok(noble.ed25519.verify(unhex(sig), new Uint8Array(0), unhex(pk)));
  assert.ok(!noble.ed25519.verify(unhex(sig), unhex('00'), unhex(pk)));
});
