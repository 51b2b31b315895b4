// What a trustee's browser checks before decrypting (the twin of tally/trustee.py).
//
// The page is handed the ballots (GET count/ballots.json), never sums to trust. It
// checks, with the checks and the messages of tally/verify.py:
//   the committed card set against the manifest's card commitment, the revocations;
//   the chain from the manifest hash, one ballot per committed, unrevoked card;
//   every trustee's confirmation of this manifest (confirmations.json);
//   the server's Ed25519 signature of every checkpoint and of the close, whose count
//   must equal the chain length;
//   every ballot's card signature and row proofs, in Web Workers (verify-worker.js),
// and sums each official's rows itself. Only these sums are decrypted; the server's
// tally.json, when present, is compared with them and a difference refused.
import { ed25519 } from '../vendor/noble-secp256k1.js';
import {
  INFINITY, add, digest, fromHex, manifestHash, pointFromHex, pointHex, toHex, u32, utf8,
} from './phieu-crypto.js';
import { KINDS } from './phieu-ballot.js';
import { verifyConfirm } from './phieu-dkg-messages.js';

const TAG_CHAIN = utf8('phieu/v1/chain');
const TAG_CARDS = utf8('phieu/v1/cards');
const TAG_CHECKPOINT = utf8('phieu/v1/checkpoint');
const TAG_CLOSE = utf8('phieu/v1/close');
const CHUNK_MAX = 16;

/** The first broken item, named as `tally verify` names it (item, reason). */
export class CheckError extends Error {
  constructor(item, reason) {
    super(`${item}: ${reason}`);
    this.name = 'CheckError';
    this.item = item;
    this.reason = reason;
  }
}

const isObj = (x) => x !== null && typeof x === 'object' && !Array.isArray(x);
const isInt = (v) => typeof v === 'number' && Number.isSafeInteger(v);

function hex(value, item, size) {
  let data = null;
  try { data = fromHex(value, item); } catch { /* refused below */ }
  if (!data || data.length !== size) throw new CheckError(item, `expected ${size} bytes of hex`);
  return data;
}

function list(obj, name, file) {
  const value = isObj(obj) ? obj[name] : undefined;
  if (!Array.isArray(value)) throw new CheckError(file, `expected ${name}`);
  return value;
}

function parseManifest(raw) {
  const fail = (what) => new CheckError('manifest', what);
  if (!isObj(raw) || raw.format !== 'phieu-manifest/1') throw fail('format is not phieu-manifest/1');
  const { kind, officials, trustees, cards, base } = raw;
  if (!Object.hasOwn(KINDS, kind)) throw fail('unknown kind or levels');
  if (!Array.isArray(officials) || officials.length < 1) throw fail('officials must be a non-empty list');
  if (!isObj(trustees) || !isObj(cards)) throw fail('rules, trustees and cards are objects');
  if (!isInt(cards.count) || cards.count < 1 || !isInt(base) || base <= cards.count) {
    throw fail('base must exceed the number of cards');
  }
  if (!Array.isArray(trustees.verification_keys) || typeof raw.election_id !== 'string') {
    throw fail('bad trustees or election id');
  }
  let hash;
  try { hash = manifestHash(raw); } catch { throw fail('not canonical JSON'); }
  return {
    raw, hash, hashHex: toHex(hash), kind, rows: officials.length, base,
    electionId: raw.election_id,
    publicKey: trustees.public_key,
    verificationKeys: trustees.verification_keys,
    cardCount: cards.count,
    commitment: hex(cards.commitment, 'manifest', 32),
    serverKey: hex(raw.server_key, 'manifest', 32),
  };
}

// The port of tally/manifest.py card_commitment and tally/verify.py check_cards:
// digest(TAG_CARDS, u32(count), then per card in serial order: serial UTF-8, 32-byte key).
function checkCards(data, m) {
  const cards = list(data.cards, 'cards', 'cards.json').map((c) => {
    if (!isObj(c) || typeof c.serial !== 'string') throw new CheckError('cards.json', 'expected serial and key');
    return { serial: c.serial, key: hex(c.key, `card ${c.serial}`, 32) };
  });
  if (cards.length !== m.cardCount) {
    throw new CheckError('cards.json', `${cards.length} cards, the manifest commits to ${m.cardCount}`);
  }
  const committed = new Map(cards.map((c) => [toHex(c.key), c.serial]));
  if (committed.size !== cards.length || new Set(cards.map((c) => c.serial)).size !== cards.length) {
    throw new CheckError('cards.json', 'a card key or serial appears twice');
  }
  // Python sorts str by code point, which is the order of their UTF-8 bytes (as hex).
  const bytes = cards.map((c) => ({ ...c, s: utf8(c.serial), o: toHex(utf8(c.serial)) }));
  bytes.sort((a, b) => (a.o < b.o ? -1 : a.o > b.o ? 1 : 0));
  const parts = bytes.flatMap((c) => [c.s, c.key]);
  if (toHex(digest(TAG_CARDS, u32(cards.length), ...parts)) !== toHex(m.commitment)) {
    throw new CheckError('cards.json', "the cards (serial, key) differ from the manifest's commitment");
  }
  const revoked = new Set();
  list(data.revocations, 'revocations', 'revocations.json').forEach((rv, i) => {
    const item = `revocations.json item ${i + 1}`;
    const key = toHex(hex(rv?.key, item, 32));
    if (committed.get(key) !== rv?.serial) throw new CheckError(item, `card ${rv?.serial} is not that committed card`);
    revoked.add(key);
  });
  return { committed, revoked };
}

function checkChain(entries, m, committed, revoked) {
  let prev = m.hash;
  const heads = [toHex(prev)];
  const used = new Map();
  entries.forEach((entry, i) => {
    const n = i + 1, item = `ballot #${n}`;
    if (!isObj(entry) || entry.seq !== n) {
      throw new CheckError(item, `sequence number is ${JSON.stringify(entry?.seq)}, expected ${n}`);
    }
    const tracker = hex(entry.tracker, item, 32);
    if (toHex(hex(entry.prev, item, 32)) !== toHex(prev)) {
      throw new CheckError(item, 'does not link to the previous ballot (deleted or reordered?)');
    }
    const link = digest(TAG_CHAIN, prev, u32(n), tracker);
    if (toHex(hex(entry.hash, item, 32)) !== toHex(link)) throw new CheckError(item, 'chain hash is wrong');
    const card = toHex(hex(entry.ballot?.card, item, 32));
    if (!committed.has(card)) throw new CheckError(item, 'cast with a card outside the committed set');
    if (revoked.has(card)) throw new CheckError(item, 'cast with a revoked card');
    if (used.has(card)) throw new CheckError(item, `second ballot of the card of ballot #${used.get(card)}`);
    used.set(card, n);
    prev = link;
    heads.push(toHex(link));
  });
  return heads;
}

// tally/record.py head_message (checkpoints) and close_message (the close also signs the
// number of logged actions and the action-log head).
// tally/verify.py _check_confirmations: every trustee confirmed this exact manifest (n
// Schnorr proofs of x_j over its hash), ascending, each once. Without it a server could
// freeze a manifest with extra cards or other officials that no trustee confirmed.
function checkConfirmations(data, m) {
  const items = data.confirmations;
  const n = m.verificationKeys.length;
  if (!Array.isArray(items)) throw new CheckError('confirmations.json', 'expected a list of confirmations');
  if (items.length !== n) throw new CheckError('confirmations.json', `expected ${n} confirmations, found ${items.length}`);
  let key;
  try { key = { verificationKeys: m.verificationKeys.map((x) => pointFromHex(x, 'verification key')) }; } catch {
    throw new CheckError('manifest', 'bad trustees or election id');
  }
  items.forEach((msg, i) => {
    const item = `confirmation ${i + 1} (trustee ${JSON.stringify(isObj(msg) ? msg.trustee ?? null : null)})`;
    let j;
    try { j = verifyConfirm(msg, m.hash, key, m.electionId); } catch (err) {
      throw new CheckError(item, String(err?.message || err));
    }
    if (j !== i + 1) throw new CheckError(item, `expected trustee ${i + 1}: ascending, each trustee once`);
  });
}

function checkSigned(m, tag, c, heads, item) {
  if (!isObj(c) || !isInt(c.count) || c.count < 0 || c.count >= heads.length || typeof c.at !== 'string') {
    throw new CheckError(item, 'count or time is missing or beyond the chain');
  }
  const head = hex(c.head, item, 32);
  if (toHex(head) !== heads[c.count]) throw new CheckError(item, `head differs from the chain at ballot ${c.count}`);
  const signature = hex(c.signature, item, 64);
  const parts = [m.hash, u32(c.count), head, utf8(c.at)];
  if (tag === TAG_CLOSE) {
    if (!isInt(c.actions) || c.actions < 0 || c.actions > 0xffffffff) {
      throw new CheckError(item, 'the number of logged actions is missing');
    }
    parts.push(u32(c.actions), hex(c.actions_head, item, 32));
  }
  const message = digest(tag, ...parts);
  let ok = false;
  try { ok = ed25519.verify(signature, message, m.serverKey, { zip215: false }); } catch { ok = false; }
  if (!ok) throw new CheckError(item, 'server signature does not verify');
}

/** Everything but the ballot proofs: cheap, done first (the order of tally verify). */
export function checkStructure(data) {
  if (!isObj(data)) throw new CheckError('ballots.json', 'expected an object');
  let m;
  try { m = parseManifest(data.manifest); } catch (err) {
    throw err instanceof CheckError ? err : new CheckError('manifest', String(err.message));
  }
  const { committed, revoked } = checkCards(data, m);
  const entries = list(data.ballots, 'ballots', 'ballots.json');
  const heads = checkChain(entries, m, committed, revoked);
  checkConfirmations(data, m);
  const cp = isObj(data.checkpoints) ? data.checkpoints : {};
  (Array.isArray(cp.checkpoints) ? cp.checkpoints : []).forEach((c, i) => {
    checkSigned(m, TAG_CHECKPOINT, c, heads, `checkpoint ${i + 1}`);
  });
  if (!isObj(cp.close)) throw new CheckError('checkpoints.json', 'the signed close is missing');
  checkSigned(m, TAG_CLOSE, cp.close, heads, 'signed close');
  if (cp.close.count !== entries.length) {
    throw new CheckError('signed close', 'signed ballot count differs from the chain');
  }
  return { manifest: m, entries, close: cp.close, closeHead: heads[heads.length - 1] };
}

/** Compare the server's tally.json with our sums; any difference is refused. */
export function compareTally(tally, totals, count) {
  if (tally === null || tally === undefined) return;
  const served = list(tally, 'totals', 'tally.json');
  if (tally.ballots !== count) {
    throw new CheckError('tally.json', `counts ${tally.ballots} ballots, the verified chain has ${count}`);
  }
  if (served.length !== totals.length) throw new CheckError('tally.json', 'one total per official');
  totals.forEach((t, r) => {
    const s = served[r];
    if (!isObj(s) || s.alpha !== pointHex(t.alpha) || s.beta !== pointHex(t.beta)) {
      throw new CheckError(`tally.json, official ${r + 1}`, 'does not equal the sum of the verified ballots');
    }
  });
}

/**
 * Verify `data` (the ballots.json object) and return
 * {manifest, totals: [{alpha, beta}] (points), closeHead (hex), count, ms}.
 * `options.workers` (≥ 2 by default: navigator.hardwareConcurrency), `options.onProgress
 * (done, total, msLeft)`, `options.workerUrl`, `options.wasm` (false: noble only).
 * Also returns `engines`: what each worker checked the proofs with ('wasm' or 'noble').
 * Throws CheckError naming the first broken item.
 */
export async function verifyForCount(data, options = {}) {
  const t0 = performance.now();
  const { manifest: m, entries, close, closeHead } = checkStructure(data);
  const total = entries.length;
  const onProgress = options.onProgress || (() => {});
  const count = Math.max(2, Math.min(16, options.workers || navigator.hardwareConcurrency || 2));
  const size = Math.max(1, Math.min(CHUNK_MAX, Math.ceil(total / (count * 6))));
  const chunks = [];
  for (let i = 0; i < total; i += size) {
    chunks.push(entries.slice(i, i + size).map((e) => ({ seq: e.seq, tracker: e.tracker, ballot: e.ballot })));
  }
  const alphas = Array.from({ length: m.rows }, () => INFINITY);
  const betas = Array.from({ length: m.rows }, () => INFINITY);
  const context = { manifest_hash: m.hashHex, public_key: m.publicKey, kind: m.kind, rows: m.rows, base: m.base };
  const url = options.workerUrl || new URL('./verify-worker.js', import.meta.url);
  const workers = [];
  const engines = [];
  let done = 0;
  onProgress(0, total, null);
  try {
    await new Promise((resolve, reject) => {
      let next = 0, running = 0, failed = false;
      const fail = (err) => { if (!failed) { failed = true; reject(err); } };
      const feed = (w) => {
        if (failed) return;
        if (next >= chunks.length) { if (running === 0) resolve(); return; }
        const id = next++;
        running++;
        w.postMessage({ type: 'verify', id, items: chunks[id] });
      };
      // The first worker compiles the WebAssembly and hands the compiled module back; the
      // others get that module, so the browser compiles and optimises it once, not per worker.
      const start = (wasm) => {
        const w = new Worker(url, { type: 'module' });
        workers.push(w);
        w.onerror = (e) => fail(new CheckError('browser', `worker failed: ${e.message || 'error'}`));
        w.onmessage = ({ data: msg }) => {
          if (msg.type === 'ready') {
            engines.push(msg.engine);
            if (workers.length === 1) {
              for (let i = 1; i < wanted; i++) start(msg.module ?? wasm);
            }
            return feed(w);
          }
          running--;
          if (msg.type === 'bad') return fail(new CheckError(`ballot #${msg.seq}`, msg.reason));
          if (msg.type !== 'done') return fail(new CheckError('browser', msg.reason || 'worker failed'));
          msg.sums.forEach(([a, b], r) => {
            alphas[r] = add(alphas[r], pointFromHex(a, 'sum', true));
            betas[r] = add(betas[r], pointFromHex(b, 'sum', true));
          });
          done += msg.verified;
          const elapsed = performance.now() - t0;
          onProgress(done, total, done ? (elapsed / done) * (total - done) : null);
          feed(w);
        };
        w.postMessage({ type: 'init', id: -1, context, wasm });
      };
      const wanted = Math.min(count, Math.max(1, chunks.length));
      start(options.wasm !== false);
    });
  } finally {
    for (const w of workers) w.terminate();
  }
  const totals = alphas.map((alpha, r) => ({ alpha, beta: betas[r] }));
  compareTally(data.tally, totals, total);
  return {
    manifest: m, totals, closeHead, close, count: total, workers: workers.length, engines,
    ms: performance.now() - t0,
  };
}

/** Hex in groups of four (tally/codes.py), as every screen shows the close head. */
export const groups = (text, size = 4) => (text.match(new RegExp(`.{1,${size}}`, 'g')) || []).join(' ');
