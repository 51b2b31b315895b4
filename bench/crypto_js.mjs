// Benchmark of the JavaScript ballot crypto in Node (figures, not a timed test).
//
//   node bench/crypto_js.mjs [rows=44] [repeats=5]
//
// Times the encryption of a whole rating ballot (every row + the signature), counts the
// group operations the code performs (phieu-crypto OPS), measures the unit cost of each
// kind in the same run, and prints the floor (count × unit cost) with the ratio
// measured / floor. Also: verification of the ballot, and the session's submit latency
// when every row was already encrypted while the voter was choosing.
import * as C from '../ballot/static/js/phieu-crypto.js';
import * as K from '../ballot/static/js/phieu-cards.js';
import * as B from '../ballot/static/js/phieu-ballot.js';
import { BallotSession } from '../ballot/static/js/ballot-session.js';
import { G } from '../ballot/static/js/phieu-crypto.js';

const ROWS = Number(process.argv[2] ?? 44);
const REPEATS = Number(process.argv[3] ?? 9);
const now = () => performance.now();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => (ms >= 10 ? ms.toFixed(1) : ms.toFixed(3)) + ' ms';

/** Best time per call of fn(i) over 5 rounds of n calls, after a warm-up; in ms.
 * Minima rather than medians: the machine may be shared, and contention only adds time. */
function unit(fn, n = 200) {
  for (let i = 0; i < 20; i++) fn(i);
  const runs = [];
  for (let rep = 0; rep < 5; rep++) {
    const t0 = now();
    for (let i = 0; i < n; i++) fn(i);
    runs.push((now() - t0) / n);
  }
  return Math.min(...runs);
}

const secret = C.digest(C.utf8('phieu/bench-card'), Uint8Array.of(1)).slice(0, 16);
const election = {
  manifest_hash: C.toHex(C.digest(C.utf8('phieu/bench-manifest'))),
  public_key: C.pointHex(C.baseMul(C.randomScalar())),
  kind: 'rating',
  rows: ROWS,
  base: 101,
};

let t0 = now();
const ctx = B.makeContext(election);
const contextMs = now() - t0;
const sk = K.signingKey('bench', secret);
const choices = Array.from({ length: ROWS }, (_, i) => i % 4);

// Warm-up, then the measured runs, counting operations on the last one.
B.encryptBallot(ctx, sk, choices);
const times = [];
let ballot;
for (let rep = 0; rep < REPEATS; rep++) {
  C.resetOps();
  t0 = now();
  ballot = B.encryptBallot(ctx, sk, choices);
  times.push(now() - t0);
}
const ops = { ...C.OPS };
const measured = Math.min(...times);
if (process.env.BENCH_VERBOSE) console.log("runs", times.map((t) => t.toFixed(0)).join(" "));

C.resetOps();
t0 = now();
B.verifyBallot(ctx, ballot);
const verifyMs = now() - t0;
const vops = { ...C.OPS };

// Unit costs, same process, same tables.
const ks = Array.from({ length: 400 }, () => C.randomScalar());
const Y = ctx.publicKey;
const P = C.baseMul(C.randomScalar()).add(G); // a point without a table
const pts = ks.slice(0, 10).map((k) => C.baseMul(k).add(G));
const msg = B.ballotDigest(ballot);
const rowParts = Array.from({ length: 13 }, () => C.randomBytes(33));
const u = {
  base: unit((i) => G.multiply(ks[i % 400])),
  fixed: unit((i) => Y.multiply(ks[i % 400])),
  mul: unit((i) => P.multiply(ks[i % 400]), 50),
  muladd: unit((i) => P.mulAddUnsafe(ks[i % 400], G, ks[(i + 1) % 400]), 50),
  add: unit(() => P.add(G), 2000),
  normalize: unit(() => C.normalizePoints(pts), 200) / pts.length,
  sign: unit(() => K.sign(sk, msg), 20),
  verify: unit(() => K.verify(ballot.card, msg, ballot.signature), 20),
  parse: unit((i) => C.pointFromBytes(C.pointBytes(pts[i % 10].add(G))), 100),
};
const hashMs = unit(() => C.hashToScalar(C.TAGS.ROW_PROOF, ...rowParts), 500);
const nonceMs = unit(() => C.randomScalar(), 2000);

function floorOf(counts, kinds) {
  return kinds.reduce((s, k) => s + (counts[k] ?? 0) * u[k], 0);
}
const mulKinds = ['base', 'fixed', 'mul', 'muladd'];
const allKinds = [...mulKinds, 'add', 'normalize', 'sign', 'verify', 'parse'];

console.log(`JavaScript ballot crypto (Node ${process.version}, @noble/curves 2.4.0, window ${C.WINDOW})`);
console.log(`ballot: rating, ${ROWS} rows, ${ctx.values.length} values per row; best of ${REPEATS} runs (median ${fmt(median(times))})`);
console.log(`  context (election key table)  ${fmt(contextMs)}  (once per page)`);
console.log(`  encrypt + sign ballot         ${fmt(measured)}   per row ${fmt(measured / ROWS)}`);
console.log(`  verify ballot                 ${fmt(verifyMs)}   per row ${fmt(verifyMs / ROWS)}`);
console.log('unit costs (same run):');
for (const k of allKinds) console.log(`  ${k.padEnd(10)} ${fmt(u[k])}`);
console.log(`  hash row   ${fmt(hashMs)}   nonce ${fmt(nonceMs)}`);
console.log('encryption: operation counts, floor = Σ count × unit cost');
for (const k of allKinds) if (ops[k]) console.log(`  ${k.padEnd(10)} ${String(ops[k]).padStart(5)} × ${fmt(u[k])} = ${fmt(ops[k] * u[k])}`);
const mulFloor = floorOf(ops, mulKinds);
const fullFloor = floorOf(ops, allKinds) + ROWS * hashMs;
console.log(`  floor (multiplications only)   ${fmt(mulFloor)}   measured/floor = ${(measured / mulFloor).toFixed(2)}`);
console.log(`  floor (+ add, normalize, sign, hash) ${fmt(fullFloor)}   measured/floor = ${(measured / fullFloor).toFixed(2)}`);
console.log('verification: operation counts');
for (const k of allKinds) if (vops[k]) console.log(`  ${k.padEnd(10)} ${String(vops[k]).padStart(5)} × ${fmt(u[k])} = ${fmt(vops[k] * u[k])}`);
const vFloor = floorOf(vops, allKinds);
console.log(`  floor ${fmt(vFloor)}   measured/floor = ${(verifyMs / vFloor).toFixed(2)}`);

// The voting page's path: rows encrypted while choosing, then "submit".
const session = new BallotSession();
session.init({ context: election, electionId: 'bench', cardCode: K.encodeCode(secret) });
t0 = now();
for (let i = 0; i < ROWS; i += 3) session.choose({ index: i, choice: 1 + (i % 3) });
await session.settled();
const background = now() - t0;
const out = await session.submit();
console.log('session (worker logic, no Worker):');
console.log(`  background encryption of ${ROWS} rows  ${fmt(background)}`);
console.log(`  submit → signed ballot ready          ${fmt(out.submitMs)}`);
