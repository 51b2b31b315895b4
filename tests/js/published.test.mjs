// Published test vectors (tests/vectors/published.json) checked against the vendored
// JavaScript library ballot/static/vendor/noble-secp256k1.js: the secp256k1 parameters
// (SEC 2), known multiples k·G, NIST SHA-256/SHA-512 examples, every BIP340 vector and
// invalid point encodings. The Python twin is tests/test_published_vectors.py.
//
// Run: node --test tests/js/
// If the vendored bundle is missing, every test is skipped with the reason printed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join, relative } from 'node:path';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const BUNDLE = join(ROOT, 'ballot', 'static', 'vendor', 'noble-secp256k1.js');
const V = JSON.parse(readFileSync(join(ROOT, 'tests', 'vectors', 'published.json'), 'utf8'));

let lib = null;
let skip = false;
if (!existsSync(BUNDLE)) {
  skip = `vendored bundle ${relative(ROOT, BUNDLE)} is missing (build it with scripts/build-vendor.sh)`;
  console.log(`# SKIP published vectors: ${skip}`);
} else {
  lib = await import(pathToFileURL(BUNDLE).href);
}

const hex = (bytes) => Buffer.from(bytes).toString('hex');
const bytes = (h) => Uint8Array.from(Buffer.from(h, 'hex'));
const ascii = (s) => Uint8Array.from(Buffer.from(s, 'ascii'));

// noble-curves 2.x names the point class `Point`; 1.x named it `ProjectivePoint`.
const pointClass = () => lib.secp256k1.Point ?? lib.secp256k1.ProjectivePoint;
const pointFromHex = (h) => pointClass().fromHex(h);
const baseMul = (k) => pointClass().BASE.multiply(k);
const compressed = (x, y) => (BigInt('0x' + y) % 2n === 0n ? '02' : '03') + x;

test('the vendored bundle exports secp256k1, schnorr, sha256, sha512', { skip }, () => {
  for (const name of ['secp256k1', 'schnorr', 'sha256', 'sha512']) {
    assert.ok(lib[name], `missing export ${name}`);
  }
});

test('every group of published.json names its source', () => {
  for (const [name, group] of Object.entries(V)) {
    if (group && typeof group === 'object') assert.ok(group.source, `${name} has no source`);
  }
});

// -- secp256k1 parameters (SEC 2 §2.4.1) ---------------------------------------------

test('SEC 2 parameters: n, p and the generator', { skip }, () => {
  const curve = V.secp256k1;
  const P = pointClass();
  const n = BigInt('0x' + curve.n);
  const p = BigInt('0x' + curve.p);
  const order = lib.secp256k1.CURVE?.n ?? P.Fn?.ORDER;
  const field = lib.secp256k1.CURVE?.p ?? P.Fp?.ORDER;
  assert.equal(order, n);
  assert.equal(field, p);
  assert.equal(P.BASE.toHex(true), curve.G_compressed);
  assert.equal(P.BASE.toHex(false), curve.G_uncompressed);
  assert.ok(pointFromHex(curve.G_compressed).equals(P.BASE));
  assert.ok(pointFromHex(curve.G_uncompressed).equals(P.BASE));
  assert.ok(P.BASE.multiply(n - 1n).add(P.BASE).equals(P.ZERO));
});

// -- known multiples k·G -----------------------------------------------------------------

test('known multiples k·G (fixed and variable base)', { skip }, () => {
  const P = pointClass();
  const twoG = P.BASE.double();
  for (const v of V.multiples.vectors) {
    const k = BigInt(v.k);
    assert.equal(BigInt('0x' + v.k_hex), k);
    const expected = compressed(v.x, v.y);
    const pt = baseMul(k);
    assert.equal(pt.toHex(true), expected, `k = ${v.label}`);
    assert.equal(pt.toHex(false), '04' + v.x + v.y, `k = ${v.label}`);
    assert.ok(pointFromHex(expected).equals(pt), `parse k = ${v.label}`);
    // A variable-base path: (k)·G computed as G + (k−1)·G via a non-base point.
    if (k > 2n) {
      assert.equal(twoG.multiply(1n).add(P.BASE.multiply(k - 2n)).toHex(true), expected);
    }
  }
});

test('n−1 is −G and mirrored multiples are negations', { skip }, () => {
  const P = pointClass();
  const last = V.multiples.vectors.find((v) => v.label === 'n-1');
  assert.equal(P.BASE.negate().toHex(true), compressed(last.x, last.y));
  const n = BigInt('0x' + V.secp256k1.n);
  const byK = new Map(V.multiples.vectors.map((v) => [BigInt(v.k), v]));
  let pairs = 0;
  for (const [k, v] of byK) {
    if (k < 100n && byK.has(n - k)) {
      assert.equal(byK.get(n - k).x, v.x);
      assert.ok(baseMul(k).negate().equals(baseMul(n - k)));
      pairs++;
    }
  }
  assert.ok(pairs >= 20);
});

// -- point parsing -------------------------------------------------------------------------

test('invalid point encodings are rejected', { skip }, () => {
  for (const v of V.invalid_points.vectors) {
    assert.throws(() => pointFromHex(v.hex), undefined, `${v.hex}: ${v.why}`);
  }
});

test('valid point encodings round-trip', { skip }, () => {
  for (const v of V.valid_points.vectors) {
    assert.equal(pointFromHex(v.hex).toHex(true), v.hex, v.why);
  }
});

// -- NIST SHA-256 / SHA-512 ------------------------------------------------------------

test('NIST SHA-256 examples', { skip }, () => {
  for (const v of V.sha256.vectors) {
    assert.equal(hex(lib.sha256(ascii(v.message_ascii))), v.digest, JSON.stringify(v.message_ascii));
  }
});

test('NIST SHA-512 examples', { skip }, () => {
  for (const v of V.sha512.vectors) {
    assert.equal(hex(lib.sha512(ascii(v.message_ascii))), v.digest, JSON.stringify(v.message_ascii));
  }
});

// -- BIP340 --------------------------------------------------------------------------------

test('all 19 BIP340 vectors are present', () => {
  assert.deepEqual(
    V.bip340.vectors.map((v) => v.index),
    Array.from({ length: 19 }, (_, i) => i),
  );
});

for (const v of V.bip340.vectors) {
  const label = `BIP340 vector ${v.index}${v.comment ? ` (${v.comment})` : ''}`;

  if (v.secret_key) {
    test(`${label}: public key and exact signature`, { skip }, () => {
      const sk = bytes(v.secret_key);
      assert.equal(hex(lib.schnorr.getPublicKey(sk)), v.public_key);
      // noble signs messages of any length (vectors 15–18 are 0, 1, 17, 100 bytes).
      const sig = lib.schnorr.sign(bytes(v.message), sk, bytes(v.aux_rand));
      assert.equal(hex(sig), v.signature);
    });
  }

  test(`${label}: verification is ${v.valid}`, { skip }, () => {
    let ok;
    try {
      ok = lib.schnorr.verify(bytes(v.signature), bytes(v.message), bytes(v.public_key));
    } catch {
      ok = false;
    }
    assert.equal(ok, v.valid);
  });
}
