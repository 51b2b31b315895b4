// Faster checking of public row proofs with libsecp256k1 compiled to WebAssembly
// (ballot/static/vendor/secp256k1-wasm.js: tiny-secp256k1's build, unmodified), with the
// noble code of phieu-crypto.js as the fallback.
//
// Only for public data: the count page's workers and the auditor's verifier check
// ballots with it. It never makes a ballot, signs, or sees a secret, and the member's
// phone never loads it (installWasm is called only by verify-worker.js and the
// verifier; it plugs rowCommitments into phieu-ballot.js). Until it succeeds,
// phieu-ballot.js uses noble; so does a browser without WebAssembly or a page whose
// CSP refuses it.
//
// The WebAssembly exports only whole operations on serialised keys. A row commitment
// needs a·P + b·G, which is what ECDSA public-key recovery computes: for a point R whose
// x-coordinate r is below N and whose y has parity v, recover((r, s'), v, z) =
// r⁻¹·(s'·R − z·G). With s' = a·r and z = −b·r it is a·R + b·G: one Strauss
// multiplication (G from libsecp256k1's table), read from R's compressed encoding as it
// is on the ballot. Results come back compressed (no square root: libsecp256k1 keeps
// them affine). s_j·Y stays with noble's window table for Y (faster in Chromium than a
// WebAssembly k·P). Ballot points are decompressed by libsecp256k1 too (setDecompressor
// in phieu-crypto.js; what it refuses, noble parses and names). Any case the WebAssembly refuses (a = 0, r ≥ N, a result at infinity)
// is computed by noble instead, so the encodings, hence the verdicts, are the same.
import * as C from './phieu-crypto.js';
import { useRowCommitments } from './phieu-ballot.js';

const { OPS, mod, scalarBytes } = C;

let w = null; // the instance's exports once installed and self-tested
let mem = null;
let at = null; // addresses of the input buffers in the WebAssembly memory

class Refused extends Error {}

// One call into the WebAssembly: its result when it returns 1, else null. Whatever it
// refuses or traps on is left to noble (the same point, more slowly).
function call(fn, len) {
  try {
    return fn() === 1 ? memory().slice(at.pk, at.pk + len) : null;
  } catch {
    return null;
  }
}

/** Bytes of base64 text (the vendored module's WASM_BASE64). */
export function decodeBase64(text) {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * Instantiate the WebAssembly (bytes or a compiled WebAssembly.Module) and use it for
 * row proofs from now on in this thread. Resolves to true, or to false (noble stays)
 * when WebAssembly is missing, refused by the Content-Security-Policy, or fails the
 * self-test against noble.
 */
export async function installWasm(source) {
  try {
    if (typeof WebAssembly !== 'object') return false;
    const imports = {
      './rand.js': { generateInt32: () => globalThis.crypto.getRandomValues(new Int32Array(1))[0] },
      './validate_error.js': { throwError: (code) => { throw new Refused(`wasm refused (${code})`); } },
    };
    const made = await WebAssembly.instantiate(source, imports);
    const exp = (made.instance ?? made).exports;
    exp.initializeContext();
    const prev = [w, mem, at];
    w = exp;
    mem = new Uint8Array(exp.memory.buffer);
    at = {
      pk: exp.PUBLIC_KEY_INPUT.value, pk2: exp.PUBLIC_KEY_INPUT2.value,
      tweak: exp.TWEAK_INPUT.value, hash: exp.HASH_INPUT.value, sig: exp.SIGNATURE_INPUT.value,
    };
    if (!selfTest()) { [w, mem, at] = prev; return false; }
    C.setDecompressor(decompress);
    useRowCommitments(rowCommitments);
    return true;
  } catch {
    return false;
  }
}

/** Back to noble only (tests). */
export function uninstall() {
  w = null; mem = null; at = null;
  C.setDecompressor(null);
  useRowCommitments(null);
}

/** 'wasm' once installed in this thread, else 'noble'. */
export const engine = () => (w ? 'wasm' : 'noble');

function memory() {
  if (mem.buffer !== w.memory.buffer) mem = new Uint8Array(w.memory.buffer); // grown
  return mem;
}

// R as read from a compressed encoding: x (32 bytes), r = x as a scalar, parity.
function base(enc) {
  const x = enc.subarray(1, 33);
  const r = C.bytesToBigInt(x);
  return { x, r: r > 0n && r < C.N ? r : null, parity: enc[0] & 1 };
}

/** a·R + b·G as `len` bytes (33 or 65), or null where the WebAssembly cannot say. */
function mulAddG(R, a, b, len) {
  a = mod(a);
  if (a === 0n || R.r === null) return null;
  const m = memory();
  m.set(R.x, at.sig);
  m.set(scalarBytes(a * R.r), at.sig + 32);
  m.set(scalarBytes(-b * R.r), at.hash);
  OPS.wmuladd++;
  return call(() => w.recover(len, R.parity), len);
}

// An uncompressed encoding from the WebAssembly as a noble point (already validated).
function fromUncompressed(b) {
  return C.Point.fromAffine({ x: C.bytesToBigInt(b.subarray(1, 33)), y: C.bytesToBigInt(b.subarray(33, 65)) });
}

// A compressed point from a ballot as a noble point, decompressed and validated by
// libsecp256k1 (no BigInt square root); null when it refuses: noble then decides.
function decompress(data) {
  if (!w) return null;
  memory().set(data, at.pk);
  OPS.wparse++;
  try { w.pointCompress(33, 65); } catch { return null; }
  const out = memory().slice(at.pk, at.pk + 65); // a fresh view: the call may grow memory
  return out.length === 65 && out[0] === 4 ? fromUncompressed(out) : null;
}

/**
 * The encodings (33 bytes, or 00 for infinity) of a row's commitments A_0, B_0, A_1, …:
 * A_j = s_j·G − c_j·α and B_j = s_j·Y − c_j·(β − m_j·G), exactly as phieu-ballot.js
 * computes them with noble; null when the WebAssembly is not installed.
 */
export function rowCommitments(ctx, row) {
  if (!w) return null;
  const alpha = base(C.pointBytes(row.alpha));
  const beta = base(C.pointBytes(row.beta));
  const out = [], bs = [];
  for (let j = 0; j < ctx.values.length; j++) {
    const cj = row.c[j], sj = row.s[j], mj = ctx.values[j];
    out.push(mulAddG(alpha, -cj, sj, 33) ?? C.pointBytes(C.mulAddPublic(row.alpha, -cj, sj)));
    // s_j·Y with noble's window table for Y: faster in Chromium than a WebAssembly k·P.
    const X = mulAddG(beta, -cj, cj * mj, 65);
    bs.push(C.add(X ? fromUncompressed(X) : C.mulAddPublic(row.beta, -cj, cj * mj), C.fixedMulPublic(ctx.publicKey, sj)));
  }
  C.normalizePoints(bs).forEach((b, j) => { out.splice(2 * j + 1, 0, C.pointBytes(b)); });
  return out;
}

// a·R + b·G against noble on fixed public inputs; false = do not use the WebAssembly.
function selfTest() {
  const P = C.baseMul(0x1234567n), k = 0xabcdef0123456789n, b = 0x42n;
  const R = base(C.pointBytes(P));
  const ma = mulAddG(R, k, b, 65), mc = mulAddG(R, -k, b, 33);
  const d = decompress(C.pointBytes(P));
  return !!ma && !!mc && !!d && d.equals(P)
    && C.bytesEqual(ma, C.mulAddPublic(P, k, b).toBytes(false))
    && C.bytesEqual(mc, C.pointBytes(C.mulAddPublic(P, -k, b)));
}

/** The WebAssembly operation on public inputs, for the benchmarks' unit costs. */
export function unitOps() {
  if (!w) return null;
  const R = base(C.pointBytes(C.baseMul(0x1234567n)));
  const ks = Array.from({ length: 64 }, () => C.randomScalar());
  const pts = ks.slice(0, 8).map((k) => C.pointBytes(C.baseMul(k)));
  return {
    wmuladd: (i) => mulAddG(R, ks[i % 64], ks[(i + 1) % 64], 33),
    wparse: (i) => decompress(pts[i % 8]),
  };
}
