// phieu-accel.js (libsecp256k1's WebAssembly for public row proofs) against noble: the
// commitments' encodings, hence every verdict and message, must be identical — on the
// shared vectors (rows, ballots, a real record), on invalid proofs, and on the edge
// cases that the WebAssembly refuses and leaves to noble (c_j = 0, α with x ≥ N,
// commitments and partial sums at infinity).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as C from '../../ballot/static/js/phieu-crypto.js';
import * as B from '../../ballot/static/js/phieu-ballot.js';
import * as A from '../../ballot/static/js/phieu-accel.js';
import { WASM_BASE64, WASM_SHA256, WASM_VERSION } from '../../ballot/static/vendor/secp256k1-wasm.js';
import { clone, flipHex, vectors } from './helpers.mjs';

const BYTES = A.decodeBase64(WASM_BASE64);

/** verifyRow's outcome: 'ok' or the error message. */
function outcome(ctx, card, index, row) {
  try { B.verifyRow(ctx, card, index, row); return 'ok'; } catch (err) { return String(err.message); }
}

/** The row checked with noble, then with the WebAssembly: the same commitments and verdict. */
async function compare(ctx, card, index, row, expect) {
  A.uninstall();
  const noble = { verdict: outcome(ctx, card, index, row), enc: B.nobleCommitments(ctx, row).map(C.toHex) };
  assert.equal(await A.installWasm(BYTES), true);
  const verdict = outcome(ctx, card, index, row);
  assert.deepEqual(A.rowCommitments(ctx, row).map(C.toHex), noble.enc);
  assert.equal(verdict, noble.verdict);
  if (expect !== undefined) assert.match(verdict, expect);
  return verdict;
}

const parseRow = (json) => B.ballotFromJson({
  version: 1, manifest: '00'.repeat(32), card: '00'.repeat(32), signature: '00'.repeat(64), rows: [json],
}).rows[0];

test('the vendored WebAssembly is the pinned file, and installs in Node', async () => {
  assert.equal(WASM_VERSION, '2.2.4');
  assert.equal(createHash('sha256').update(BYTES).digest('hex'), WASM_SHA256);
  const readme = readFileSync(new URL('../../ballot/static/vendor/README.md', import.meta.url), 'utf8');
  assert.ok(readme.includes(WASM_SHA256), 'README.md records the sha256 of the WebAssembly');
  A.uninstall();
  assert.equal(A.engine(), 'noble');
  assert.equal(A.rowCommitments(null, null), null);
  assert.equal(await A.installWasm(BYTES), true);
  assert.equal(A.engine(), 'wasm');
  // From a compiled module too (what the verifier page posts to its workers).
  assert.equal(await A.installWasm(await WebAssembly.compile(BYTES)), true);
});

test('bad bytes or no WebAssembly: false, and noble stays in use', async () => {
  A.uninstall();
  assert.equal(await A.installWasm(new Uint8Array([0, 97, 115, 109, 9, 9])), false);
  assert.equal(A.engine(), 'noble');
  const saved = globalThis.WebAssembly;
  try {
    globalThis.WebAssembly = undefined;
    assert.equal(await A.installWasm(BYTES), false);
  } finally {
    globalThis.WebAssembly = saved;
  }
  assert.equal(A.engine(), 'noble');
});

test('every row vector: same commitments, accepted; single-bit changes: same refusal', async () => {
  for (const v of vectors('rows')) {
    const ctx = B.makeContext(v.context);
    const card = C.fromHex(v.card);
    await compare(ctx, card, v.index, parseRow(v.row), /^ok$/);
    for (const name of ['c', 's']) {
      for (let j = 0; j < v.row[name].length; j++) {
        const row = clone(v.row);
        row[name][j] = flipHex(row[name][j], 63);
        await compare(ctx, card, v.index, parseRow(row), /bad_proof/);
      }
    }
    for (const name of ['alpha', 'beta']) {
      let row = null;
      for (let at = 40; !row; at++) { // the first bit flip that still parses as a point
        try { row = parseRow({ ...v.row, [name]: flipHex(v.row[name], at) }); } catch { /* next */ }
      }
      await compare(ctx, card, v.index, row, /bad_proof/);
    }
    await compare(ctx, C.fromHex(flipHex(v.card, 0)), v.index, parseRow(v.row), /bad_proof/);
    await compare(ctx, card, v.index + 1, parseRow(v.row), /bad_proof/);
  }
});

test('random proofs (invalid): the same commitments as noble', async () => {
  const v = vectors('rows')[0];
  const ctx = B.makeContext(v.context);
  for (let i = 0; i < 20; i++) {
    const row = parseRow(v.row);
    row.c = row.c.map(() => C.randomScalar());
    row.s = row.s.map(() => C.randomScalar());
    await compare(ctx, C.fromHex(v.card), 0, row, /bad_proof/);
  }
});

test('edge cases left to noble: c_j = 0, s_j = 0, commitments at infinity, x(α) ≥ N', async () => {
  for (const v of vectors('rows').slice(0, 2)) {
    const ctx = B.makeContext(v.context);
    const card = C.fromHex(v.card);
    const r = C.scalarFromHex(v.nonces[0]); // α = r·G
    const j = v.choice;
    let row = parseRow(v.row);
    row.c[0] = 0n;
    await compare(ctx, card, v.index, row, /bad_proof/);
    row = parseRow(v.row);
    row.s[1] = 0n;
    await compare(ctx, card, v.index, row, /bad_proof/);
    // A_0 = s_0·G − c_0·α = ∞ and B_j = (s_j − c_j·r)·Y = ∞ (encoded 00 in the hash).
    row = parseRow(v.row);
    row.s[0] = C.mod(row.c[0] * r);
    row.s[j] = C.mod(row.c[j] * r);
    const enc = B.nobleCommitments(ctx, row).map(C.toHex);
    assert.equal(enc[0], '00');
    assert.equal(enc[2 * j + 1], '00');
    await compare(ctx, card, v.index, row, /bad_proof/);
    // β = m_j·G: the WebAssembly's −c_j·β + c_j·m_j·G is at infinity.
    row = parseRow(v.row);
    row.beta = C.baseMul(ctx.values[2]);
    await compare(ctx, card, v.index, row, /bad_proof/);
    // α and β with an x-coordinate in [N, P): no ECDSA r for them.
    let high = null;
    for (let t = 0n; !high; t++) {
      try { high = C.pointFromHex('02' + (C.N + t).toString(16).padStart(64, '0')); } catch { /* next */ }
    }
    row = parseRow(v.row);
    row.alpha = high;
    row.beta = high.negate();
    await compare(ctx, card, v.index, row, /bad_proof/);
  }
});

test('a valid proof with a commitment at infinity: accepted by both engines', async () => {
  // The prover's simulated branch j has A_j = t·G with t = s_j − c_j·r: drawing
  // s_j = c_j·r makes A_j the point at infinity (00 in the hash), and the proof is valid.
  for (const v of vectors('rows').slice(0, 3)) {
    const ctx = B.makeContext(v.context);
    const card = C.fromHex(v.card);
    const [r, u, c1] = v.nonces.slice(0, 3).map((x) => C.scalarFromHex(x));
    const nonces = [r, u, c1, C.mod(c1 * r), ...v.nonces.slice(4).map((x) => C.scalarFromHex(x))];
    const row = B.encryptRow(ctx, card, v.index, v.choice, C.listNonces(nonces));
    const j = v.choice === 0 ? 1 : 0; // the first simulated branch
    assert.equal(C.toHex(B.nobleCommitments(ctx, row)[2 * j]), '00');
    await compare(ctx, card, v.index, row, /^ok$/);
  }
});

test('whole ballots (vectors and a real record): the same verdicts with both engines', async () => {
  const items = vectors('ballots').map((v) => [v.context, v.ballot]);
  const rec = vectors('count-record').files;
  const m = rec['manifest.json'];
  const context = {
    manifest_hash: C.toHex(C.manifestHash(m)), public_key: m.trustees.public_key,
    kind: m.kind, rows: m.officials.length, base: m.base,
  };
  for (const b of rec['ballots.json'].ballots) items.push([context, b.ballot]);
  for (const [context, raw] of items) {
    const ctx = B.makeContext(context);
    const outcomes = [];
    for (const wasm of [false, true]) {
      if (wasm) await A.installWasm(BYTES); else A.uninstall();
      const out = [];
      try { B.verifyBallot(ctx, B.ballotFromJson(raw)); out.push('ok'); } catch (err) { out.push(err.message); }
      const ballot = B.ballotFromJson(raw);
      ballot.rows.forEach((row, i) => {
        const bad = { ...row, s: row.s.map((x, j) => (j === 1 ? C.mod(x + 1n) : x)) };
        try { B.verifyRow(ctx, ballot.card, i, bad); out.push('ok'); } catch (err) { out.push(err.message); }
      });
      outcomes.push(out);
    }
    assert.deepEqual(outcomes[1], outcomes[0]);
    assert.equal(outcomes[0][0], 'ok');
    outcomes[0].slice(1).forEach((o, i) => assert.equal(o, `bad_proof: row ${i}: the proof does not verify`));
  }
});

test('point parsing: the same points and the same refusals with the WebAssembly', async () => {
  const P = C.P;
  const hex = (n) => n.toString(16).padStart(64, '0');
  const inputs = [];
  for (let i = 1n; i < 40n; i++) inputs.push('02' + hex(i), '03' + hex(i)); // on the curve or not
  for (let i = 0; i < 20; i++) inputs.push(C.pointHex(C.baseMul(C.randomScalar())));
  inputs.push('02' + hex(0n), '03' + hex(P), '02' + hex(P + 1n), '02' + 'ff'.repeat(32), '04' + hex(1n),
    '00', '0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798'); // G
  const run = () => inputs.map((h) => {
    try { return C.pointHex(C.pointFromBytes(C.fromHex(h), 'p')); } catch (err) { return err.message; }
  });
  A.uninstall();
  const noble = run();
  assert.equal(await A.installWasm(BYTES), true);
  C.resetOps();
  assert.deepEqual(run(), noble);
  assert.ok(C.OPS.wparse > 0 && noble.filter((x) => x.startsWith('bad_point')).length > 20);
  assert.ok(noble.slice(0, 78).filter((x) => !x.startsWith('bad_point')).length > 20); // both kinds
});

test("the member's phone never loads the WebAssembly (nor phieu-accel.js)", () => {
  const root = new URL('../../ballot/static/js/', import.meta.url);
  const seen = new Set();
  const walk = (url) => {
    if (seen.has(url.href)) return;
    seen.add(url.href);
    const text = readFileSync(url, 'utf8');
    for (const m of text.matchAll(/\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]|\bnew URL\(\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
      walk(new URL(m[1] ?? m[2], url));
    }
  };
  for (const entry of ['vote-page.js', 'ballot-worker.js']) walk(new URL(entry, root));
  const names = [...seen].map((u) => u.split('/').pop());
  assert.ok(names.includes('phieu-ballot.js') && names.includes('noble-secp256k1.js'), names.join(' '));
  assert.ok(!names.includes('phieu-accel.js') && !names.includes('secp256k1-wasm.js'), names.join(' '));
});
