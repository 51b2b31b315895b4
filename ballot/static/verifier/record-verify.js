// Twin of tally/verify.py (with tally/audit.py and tally/checked.py): every check of
// `python -m tally verify`, in the same order, stopping at the first broken item with the
// same item and reason. The ballots are parsed and their proofs checked by `checkBallots`
// (Web Workers in the page, in-thread by default: proofs.js, the twin of
// tally/ballotcheck.py), started as soon as the manifest is read; everything else runs
// here on what they return, without parsing a ballot's points.
import * as C from '../js/phieu-crypto.js';
import { ed25519, sha256 } from '../vendor/noble-secp256k1.js';
import { checkCeremony } from '../js/phieu-dkg.js';
import { verifyConfirm } from '../js/phieu-dkg-messages.js';
import { auditFromJson, auditTracker, verifyAudit } from '../js/phieu-audit.js';
import { verifyPartial } from '../js/phieu-trustee.js';
import * as R from './record-files.js';
import { VerifyError, named } from './record-files.js';
import { parseManifest, results, describe } from './record-results.js';
import { checkChunk, contextFor, contextOf, merge } from './proofs.js';
import { cmp, firstDifference, pyRepr, reprN } from './pyjson.js';

export { VerifyError, Unreadable } from './record-files.js';
export const FILES = ['manifest.json', 'confirmations.json', 'cards.json', 'revocations.json', 'ballots.json',
  'audits.json', 'checkpoints.json', 'actions.json', 'figures.json', 'tally.json', 'decryptions.json', 'results.json'];
export const UNHASHED = ['record-hash.txt', 'minutes.pdf'];
const enc = new TextEncoder();
const T = (s) => enc.encode(s);
const TAG = C.TAGS;
const hex = C.toHex, unhex = (h) => C.fromHex(h);

export const chainLink = (prev, seq, tracker) => hex(C.digest(TAG.CHAIN, unhex(prev), C.u32(seq), unhex(tracker)));
const headMessage = (mh, count, head, at) => C.digest(TAG.CHECKPOINT, mh, C.u32(count), unhex(head), T(at));
const closeMessage = (mh, n, head, at, actions, ah) =>
  C.digest(TAG.CLOSE, mh, C.u32(n), unhex(head), T(at), C.u32(actions), unhex(ah));
// Where the time goes, for bench/browser_verify.py: a performance mark at each stage.
const mark = (stage) => globalThis.performance?.mark?.(`phieu:${stage}`);
export const receiptMessage = (mh, seq, tr, head) => C.digest(TAG.RECEIPT, mh, C.u32(seq), unhex(tr), unhex(head));

/** tally.record.record_hash (`digests`: each file's SHA-256 computed already, or null). */
export function recordHash(files, digests = null) {
  const parts = [];
  for (const name of Object.keys(files).sort(cmp)) {
    if (UNHASHED.includes(name)) continue;
    parts.push(T(name), digests?.get(name) ?? sha256(files[name]));
  }
  return hex(C.digest(TAG.RECORD, ...parts));
}

// Each file's SHA-256 by the browser's own code where it has it (a secure context, file://
// included): the same digests, 18 MB in milliseconds instead of a second; else null.
async function nativeDigests(files) {
  try {
    const subtle = globalThis.crypto?.subtle;
    if (!subtle) return null;
    const names = Object.keys(files);
    const sums = await Promise.all(names.map((n) => subtle.digest('SHA-256', files[n])));
    return new Map(names.map((n, i) => [n, new Uint8Array(sums[i])]));
  } catch {
    return null;
  }
}

export function cardCommitment(cards) {
  const sorted = [...cards].sort((a, b) => cmp(a.serial, b.serial) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const parts = [];
  for (const c of sorted) parts.push(T(c.serial), unhex(c.key));
  return hex(C.digest(TAG.CARDS, C.u32(cards.length), ...parts));
}

function ed25519Ok(pub, message, sig) {
  try { return ed25519.verify(unhex(sig), message, pub); } catch { return false; }
}
function signature(m, message, c, item) {
  if (!ed25519Ok(m.serverKey, message, c.signature)) throw new VerifyError(item, 'server signature does not verify');
}

export function loadManifest(files) {
  return named('manifest.json', () => parseManifest(R.read(files, 'manifest.json')));
}

function checkCards(files, m, ok) {
  const cards = R.parseCards(R.read(files, 'cards.json'));
  if (cards.length !== m.cardCount) throw new VerifyError('cards.json', `${cards.length} cards, the manifest commits to ${m.cardCount}`);
  const byKey = new Map(cards.map((c) => [c.key, c.serial]));
  if (byKey.size !== cards.length || new Set(cards.map((c) => c.serial)).size !== cards.length) {
    throw new VerifyError('cards.json', 'a card key or serial appears twice');
  }
  if (cardCommitment(cards) !== m.cardCommitment) {
    throw new VerifyError('cards.json', "the cards (serial, key) differ from the manifest's commitment");
  }
  const revoked = new Set();
  R.parseCards(R.read(files, 'revocations.json'), 'revocations.json').forEach((rv, i) => {
    if (byKey.get(rv.key) !== rv.serial) throw new VerifyError(`revocations.json item ${i + 1}`, `card ${rv.serial} is not that committed card`);
    revoked.add(rv.key);
  });
  ok(`${cards.length} cards (serial and key) match the commitment; ${revoked.size} revoked`);
  return [byKey, revoked];
}

// ballots.json read once, its ballots handed to checkBallots at once; the read's error is
// reported where the chain is checked (tally.ballotcheck.check_ballots).
function startChecks(files, m, checkBallots) {
  let raw = null, checking;
  try {
    raw = R.read(files, 'ballots.json');
    checking = Promise.resolve(checkBallots(m, R.rawBallots(raw)));
  } catch (err) {
    checking = Promise.reject(err);
  }
  checking.catch(() => {}); // awaited by checkChain, or never when a check before it fails
  return [raw, checking];
}

function checkChain(files, m, committed, revoked, ok, raw, checked) {
  const entries = R.parseBallots(raw, (n) => {
    const o = checked.outcome(n);
    if (!o || o.internal) throw new Error(o ? o.internal : `ballot #${n} was not checked`);
    if (o.error) throw new VerifyError(`ballot #${n}`, o.error);
    return o.facts;
  });
  let prev = m.hashHex;
  const heads = new Map([[0, m.hashHex]]);
  const used = new Map();
  entries.forEach((e, i) => {
    const n = i + 1, item = `ballot #${n}`, b = e.ballot;
    if (e.seq !== n) throw new VerifyError(item, `numbered ${e.seq}, expected ${n}`);
    if (b.manifest !== m.hashHex) {
      if (n === 1 && e.prev === b.manifest) {
        throw new VerifyError('manifest.json', 'changed after the vote: the ballots and the chain were made under another manifest');
      }
      throw new VerifyError(item, 'made for another manifest');
    }
    if (e.tracker !== b.tracker) throw new VerifyError(item, 'tracker does not match the ballot');
    if (e.prev !== prev) throw new VerifyError(item, 'does not link to the previous ballot (deleted or reordered?)');
    if (e.hash !== chainLink(prev, n, e.tracker)) throw new VerifyError(item, 'chain hash is wrong');
    const card = b.card;
    if (!committed.has(card)) throw new VerifyError(item, 'cast with a card outside the committed set');
    if (revoked.has(card)) throw new VerifyError(item, `cast with revoked card ${committed.get(card)}`);
    if (used.has(card)) throw new VerifyError(item, `second ballot of the card of ballot #${used.get(card)}`);
    used.set(card, n);
    prev = e.hash;
    heads.set(n, e.hash);
  });
  ok(`${entries.length} ballots chained from the manifest hash, one per unrevoked card`);
  const [cps, close] = R.parseCheckpoints(R.read(files, 'checkpoints.json'));
  if (close === null) throw new VerifyError('checkpoints.json', 'the signed close is missing');
  const n = entries.length;
  if (close.count !== n) throw new VerifyError('signed close', `signed ballot count ${close.count}, the chain has ${n}`);
  if (close.head !== heads.get(n)) throw new VerifyError('signed close', "signed head differs from the chain's head");
  signature(m, closeMessage(m.hash, n, close.head, close.at, close.actions, close.actionsHead), close, 'signed close');
  let lastCount = 0, lastAt = null;
  const closeAt = R.timestamp(close.at, 'signed close at');
  cps.forEach((c, i) => {
    const k = i + 1, item = `checkpoint ${k}`;
    if (!heads.has(c.count) || (k > 1 && c.count <= lastCount)) {
      throw new VerifyError(item, `count ${c.count} is beyond the chain or not after the previous`);
    }
    if (c.head !== heads.get(c.count)) {
      throw new VerifyError(item, `signed head is not the chain's at ballot #${c.count}: the chain was rewritten after it`);
    }
    signature(m, headMessage(m.hash, c.count, c.head, c.at), c, item);
    const at = R.timestamp(c.at, item);
    if ((lastAt !== null && at < lastAt) || at > closeAt) throw new VerifyError(item, 'signed at a time before the previous one or after the close');
    lastCount = c.count; lastAt = at;
  });
  ok(`${cps.length} signed checkpoints are prefixes of the final chain`);
  ok(`signed close over ${n} ballots, head ${prev.slice(0, 16)}…`);
  return [entries, close];
}

function checkConfirmations(files, m, ok) {
  const list = R.read(files, 'confirmations.json');
  const n = m.key.verificationKeys.length;
  if (!Array.isArray(list)) throw new VerifyError('confirmations.json', 'expected a list of confirmations');
  if (list.length !== n) throw new VerifyError('confirmations.json', `expected ${n} confirmations, found ${list.length}`);
  list.forEach((msg, i) => {
    const claimed = msg !== null && typeof msg === 'object' && !Array.isArray(msg) && Object.hasOwn(msg, 'trustee') ? msg.trustee : null;
    const item = `confirmation ${i + 1} (trustee ${pyRepr(claimed)})`;
    const j = named(item, () => verifyConfirm(msg, m.hash, m.key, m.electionId));
    if (j !== i + 1) throw new VerifyError(item, `expected trustee ${i + 1}: ascending, each trustee once`);
  });
  ok(`${n} trustees confirmed the manifest (proofs of their shares)`);
}

function checkAudits(files, m, entries, ok) {
  const body = R.obj(R.read(files, 'audits.json'), 'audits.json', 'audits.json');
  const audits = R.items(body.audited, 'audits.json audited').map((e, i) => {
    const where = `checked ballot #${i + 1}`;
    R.obj(e, where, 'audits.json audited[]');
    const tr = R.hexbytes(e.tracker, where + ' tracker', 32);
    return { tracker: tr, ballot: named(where, () => auditFromJson(e.ballot)) };
  });
  const seen = new Set(), spoiled = new Map();
  audits.forEach((a, i) => {
    const where = `audits.json, checked ballot #${i + 1}`;
    if (hex(auditTracker(a.ballot.manifestHash, a.ballot.rows)) !== a.tracker) {
      throw new VerifyError(where, 'the audit tracker is not the digest of its rows');
    }
    if (seen.has(a.tracker)) throw new VerifyError(where, 'listed twice');
    seen.add(a.tracker);
    named(where, () => verifyAudit(m.context(), a.ballot));
    for (const row of a.ballot.rows) spoiled.set(C.pointHex(row.alpha), i + 1);
  });
  entries.forEach((e, s) => {
    for (const row of e.raw.rows) { // a parsed point's lowercase hex is its unique encoding
      const k = spoiled.get(row.alpha);
      if (k) throw new VerifyError(`ballot #${s + 1}`, `shares a row with checked ballot #${k}: it was revealed`);
    }
  });
  ok(`${audits.length} checked ballots: each encrypts its shown choices, none in the chain`);
}

const BEFORE_CLOSE = ['poll.freeze', 'poll.checkin', 'poll.open', 'cards.spare', 'cards.revoke', 'poll.checkpoint'];
const actionHash = (prev, a) => hex(C.digest(TAG.VOTE_ACTION, unhex(prev),
  C.canonicalJson({ seq: a.seq, at: a.at, actor: a.actor, action: a.action, details: a.details })));

function checkLog(files, m, close, ok) {
  const actions = R.parseActions(R.read(files, 'actions.json'), (d) => C.canonicalJson(d).length);
  let prev = hex(C.digest(TAG.VOTE_LOG, T(m.electionId)));
  actions.forEach((a, i) => {
    const n = i + 1, where = `actions.json, action ${n}`;
    if (a.seq !== n) throw new VerifyError(where, `numbered ${a.seq}, expected ${n} (entry missing or moved)`);
    if (a.details.poll !== m.electionId) throw new VerifyError(where, 'belongs to another vote');
    prev = actionHash(prev, a);
    if (a.hash !== prev) throw new VerifyError(where, 'hash does not match its content and the previous entry');
  });
  const cards = R.parseCards(R.read(files, 'cards.json'));
  const facts = derive(m, actions, close, cards);
  const revs = R.parseCards(R.read(files, 'revocations.json'), 'revocations.json').map((c) => c.serial);
  if (pyRepr(revs) !== pyRepr(facts.revoked)) {
    throw new VerifyError('revocations.json', `lists ${pyRepr(revs)}, the action log revokes ${pyRepr(facts.revoked)}`);
  }
  checkLoggedCheckpoints(facts.checkpoints, R.parseCheckpoints(R.read(files, 'checkpoints.json'))[0]);
  ok(`action log: ${actions.length} entries of this vote, chained; head signed at the close`);
  ok(`${facts.checkpoints.length} logged checkpoints, exactly those of checkpoints.json`);
  return facts;
}

function detail(a, n, name) {
  if (!Object.hasOwn(a.details, name)) throw new VerifyError(`actions.json, action ${n} (${a.action})`, `details lack ${name}`);
  return a.details[name];
}

function derive(m, actions, close, cards) {
  if (close.actions > actions.length) throw new VerifyError('actions.json', `the signed close covers ${close.actions} entries`);
  if (actions[close.actions - 1].hash !== close.actionsHead) {
    throw new VerifyError('actions.json', 'differs from the action-log head signed at the close');
  }
  const serials = new Set(cards.map((c) => c.serial));
  const spareSerials = new Set([...serials].sort(cmp).slice(m.summoned));
  const f = { present: 0, spares: [], revoked: [], opened_at: null, override: null, checkpoints: [] };
  let frozen = false, opened = false;
  actions.slice(0, close.actions).forEach((a, i) => {
    const n = i + 1, where = `actions.json, action ${n} (${a.action})`;
    if (a.action === 'poll.freeze') {
      if (R.hexbytes(detail(a, n, 'manifest'), where, 32) !== m.hashHex || frozen) {
        throw new VerifyError(where, 'freezes another manifest, or a second time');
      }
      frozen = true;
    } else if (a.action === 'poll.checkin') {
      const present = R.integer(detail(a, n, 'present'), where + ' present', 0, m.summoned);
      if (Math.abs(present - f.present) !== 1) throw new VerifyError(where, `present jumps from ${f.present} to ${present}`);
      f.present = present;
    } else if (a.action === 'poll.open') {
      if (!frozen || opened) throw new VerifyError(where, 'opens before the freeze, or a second time');
      if (R.integer(detail(a, n, 'present'), where, 0) !== f.present) {
        throw new VerifyError(where, `says present ${pyRepr(a.details.present)}, log ${f.present}`);
      }
      let reason = detail(a, n, 'override');
      if (reason !== null) reason = R.text(reason, where + ' override').trim() || null;
      if (!(m.summoned > 0 && f.present >= Math.ceil((2 * m.summoned) / 3)) && reason === null) {
        throw new VerifyError(where, `opened with ${f.present} of ${m.summoned} present, below quorum, and no reason recorded`);
      }
      opened = true; f.opened_at = a.at; f.override = reason;
    } else if (a.action === 'cards.spare' || a.action === 'cards.revoke') {
      const s = detail(a, n, 'serial');
      if (!frozen || typeof s !== 'string' || !serials.has(s) || f.spares.includes(s) || f.revoked.includes(s)) {
        throw new VerifyError(where, `card ${reprN(s, 20)} is unknown, already used here, or early`);
      }
      if (a.action === 'cards.spare' && !spareSerials.has(s)) throw new VerifyError(where, `card ${s} is not a spare (spares follow the summoned)`);
      (a.action === 'cards.spare' ? f.spares : f.revoked).push(s);
    } else if (a.action === 'poll.checkpoint') {
      loggedCheckpoint(f, a, n, where, opened);
    } else if (a.action === 'poll.close') {
      if (n !== close.actions || !opened) throw new VerifyError(where, "is not the signed close's last entry, or before an open");
      const b = detail(a, n, 'ballots');
      if (!(typeof b === 'number' && b === close.count) || detail(a, n, 'head') !== close.head) {
        throw new VerifyError(where, 'its ballots or head differ from the signed close');
      }
    }
  });
  if (actions[close.actions - 1].action !== 'poll.close') throw new VerifyError('actions.json', "the signed close's last entry is not poll.close");
  actions.slice(close.actions).forEach((a, i) => {
    if ([...BEFORE_CLOSE, 'poll.close'].includes(a.action)) throw new VerifyError(`actions.json, action ${close.actions + i + 1} (${a.action})`, 'after the close');
  });
  f.issued = f.present + f.spares.length;
  return f;
}

/** tally.audit.logged_checkpoint, and derive's order check: f.checkpoints gets [n, cp]. */
function loggedCheckpoint(f, a, n, where, opened) {
  const d = R.obj(a.details, where, 'actions.json poll.checkpoint details');
  R.timestamp(d.at, where + ' at');
  const cp = {
    count: R.integer(d.count, where + ' count', 1),
    head: R.hexbytes(d.head, where + ' head', 32),
    at: d.at,
    signature: R.hexbytes(d.signature, where + ' signature', 64),
  };
  const last = f.checkpoints.length ? f.checkpoints[f.checkpoints.length - 1][1].count : 0;
  if (!opened || cp.count <= last) throw new VerifyError(where, 'before the open, or not after the previous checkpoint');
  f.checkpoints.push([n, cp]);
}

/** tally.audit.check_logged_checkpoints: checkpoints.json lists exactly the logged ones. */
function checkLoggedCheckpoints(logged, listed) {
  const same = (x, y) => x.count === y.count && x.head === y.head && x.at === y.at && x.signature === y.signature;
  for (let i = 0; i < Math.max(logged.length, listed.length); i++) {
    const [n, want] = i < logged.length ? logged[i] : [0, null];
    const got = i < listed.length ? listed[i] : null;
    if (got !== null && want !== null && same(got, want)) continue;
    if (want !== null && (got === null || want.count < got.count)) {
      throw new VerifyError('checkpoints.json', `the checkpoint logged at action ${n} (ballot #${want.count}) is missing: left out of the record`);
    }
    if (got !== null && (want === null || got.count < want.count)) {
      throw new VerifyError(`checkpoint ${i + 1}`, `(ballot #${got.count}) is not in the action log: every checkpoint the server signs is logged`);
    }
    const differ = ['head', 'at', 'signature'].filter((k) => got[k] !== want[k]);
    throw new VerifyError(`checkpoint ${i + 1}`, `differs from the one logged at action ${n} (${differ.join(', ')})`);
  }
}

function checkFigures(files, m, facts, close, ok) {
  const f = R.parseFiguresFile(R.read(files, 'figures.json'));
  const expected = {
    summoned: [m.summoned, 'the manifest'], members_total: [m.membersTotal, 'the manifest'],
    present: [facts.present, "the action log's check-ins"],
    issued: [facts.issued, 'check-ins + spares handed out in the action log'],
    returned: [close.count, 'the ballots in the signed chain'],
    opened_at: [facts.opened_at, "the action log's poll.open"], closed_at: [close.at, 'the signed close'],
  };
  for (const [name, [want, source]] of Object.entries(expected)) {
    if (f[name] !== want) throw new VerifyError(`figures.json ${name}`, `is ${pyRepr(f[name])}, ${source} says ${pyRepr(want)}`);
  }
  if (!(f.returned <= f.issued && f.issued <= m.cardCount)) {
    throw new VerifyError('figures.json issued', `returned ${f.returned} ≤ issued ${f.issued} ≤ cards ${m.cardCount} does not hold: ballots were cast with cards nobody was handed`);
  }
  ok(`figures bound: summoned ${f.summoned}, present ${f.present}, issued ${f.issued}, returned ${f.returned}`);
  return f;
}

function checkDecryptions(files, m, totals) {
  const parts = [];
  const raw = R.read(files, 'decryptions.json');
  for (const p of R.parseDecryptions(raw, (q) => { C.scalarFromHex(q.c); C.scalarFromHex(q.s); })) {
    let item = `decryptions.json, trustee ${p.trustee}`;
    if (!(p.trustee >= 1 && p.trustee <= m.key.verificationKeys.length) || parts.some((q) => q.trustee === p.trustee)) {
      throw new VerifyError(item, 'not a trustee of this vote, or twice');
    }
    item += ` (${m.trusteeNames[p.trustee - 1]})`;
    if (p.shares.length !== totals.length || p.proofs.length !== totals.length) {
      throw new VerifyError(item, `expected one share and proof per official (${totals.length})`);
    }
    try { verifyPartial(m.hash, m.key.publicKey, m.key.verificationKeys, totals, p.raw); } catch (err) {
      const r = Number((/row (\d+): proof fails/.exec(err.detail || '') || [0, 0])[1]);
      throw new VerifyError(item, `proof for official ${r + 1} (${m.officials[r].name}) fails`);
    }
    parts.push(p);
  }
  return parts;
}

// In this thread, for Node (the page checks in Web Workers).
const inThread = (m, items) => [checkChunk(contextOf(contextFor(m)), items)];

/**
 * Check everything; resolve to {lines, recordHash} or throw VerifyError at the first broken
 * item. `checkBallots(m, items)` parses and checks [position, raw ballot] items and
 * resolves to proofs.js checkChunk results (any number of chunks, in any order).
 */
export async function verifyRecord(files, checkBallots = inThread, progress = () => {}) {
  mark('hash');
  const lines = [];
  const ok = (t) => { lines.push(`OK  ${t}`); progress({ line: `OK  ${t}` }); };
  const recordHashHex = recordHash(files, await nativeDigests(files));
  if (Object.hasOwn(files, 'record-hash.txt')) {
    // tally/verify.verify_record: exactly the hex, with or without one newline.
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(files['record-hash.txt']);
    if (text !== recordHashHex && text !== `${recordHashHex}\n`) {
      const stated = [...text.replace(/\n$/, '')].slice(0, 80).join('');
      throw new VerifyError('record-hash.txt', `says ${reprN(stated, 1e9)}, the files hash to ${recordHashHex}`);
    }
  }
  mark('manifest');
  const m = loadManifest(files);
  ok(`manifest ${m.hashHex} (${m.officials.length} officials)`);
  ok(`key ceremony round ${m.ceremonyRound}: ${m.key.verificationKeys.length} contributions, every proof, election key and trustee keys consistent (Feldman)`);
  const [raw, checking] = startChecks(files, m, checkBallots);
  mark('cards');
  const [committed, revoked] = checkCards(files, m, ok);
  mark('wait');
  const checked = merge(await checking);
  mark('chain');
  const [entries, close] = checkChain(files, m, committed, revoked, ok, raw, checked);
  mark('confirmations');
  checkConfirmations(files, m, ok);
  mark('audits');
  checkAudits(files, m, entries, ok);
  mark('log');
  const facts = checkLog(files, m, close, ok);
  const figures = checkFigures(files, m, facts, close, ok);
  mark('proofs');
  const bad = checked.failure();
  if (bad) {
    let [seq, reason] = bad;
    const prefix = 'the encryption proof for official ';
    if (reason.startsWith(prefix)) {
      const r = Number(reason.slice(prefix.length).split(' ')[0]);
      reason = reason.replace(`official ${r}`, `official ${r} (${m.officials[r - 1].name})`);
    }
    throw new VerifyError(`ballot #${seq}`, reason);
  }
  ok(`every proof and card signature of ${entries.length} ballots`);
  mark('sums');
  const [totals, count] = R.parseTally(R.read(files, 'tally.json'), m.officials.length);
  if (count !== entries.length) throw new VerifyError('tally.json ballots', `is ${count}, the chain has ${entries.length}`);
  const sums = checked.sums(m.officials.length);
  totals.forEach((got, r) => {
    if (C.pointHex(got.alpha) !== C.pointHex(sums[r].alpha) || C.pointHex(got.beta) !== C.pointHex(sums[r].beta)) {
      throw new VerifyError(`tally.json, official ${r + 1} (${m.officials[r].name})`, 'is not the sum of the ballots');
    }
  });
  ok(`per-official sums over ${entries.length} ballots`);
  mark('decryptions');
  const parts = checkDecryptions(files, m, totals);
  ok(`${parts.length} partial decryptions with valid proofs (k = ${m.key.threshold})`);
  mark('results');
  const published = R.read(files, 'results.json');
  const recomputed = named('decryptions.json', () => results(m, figures, totals, parts, published));
  const diff = firstDifference(published, recomputed);
  if (diff !== null) {
    let where = diff;
    if (diff.startsWith('officials[')) {
      const r = Number(diff.slice('officials['.length).split(']')[0]);
      if (r >= 1 && r <= m.officials.length) where = `official ${r} (${m.officials[r - 1].name})` + diff.split(']').slice(1).join(']');
    }
    throw new VerifyError(`results.json, ${where}`, describe(published, recomputed, diff));
  }
  ok('combined totals, counts, blank rows, percentages and flags');
  mark('end');
  return { lines, recordHash: recordHashHex, manifest: m, entries };
}

/** tally.receipts.check_receipt */
export function checkReceipt(files, raw) {
  const rc = R.parseReceipt(raw);
  const m = loadManifest(files);
  if (rc.manifest !== m.hashHex) throw new VerifyError('receipt', 'is for another vote (manifest hash differs)');
  if (!ed25519Ok(m.serverKey, receiptMessage(m.hash, rc.seq, rc.tracker, rc.head), rc.signature)) {
    throw new VerifyError('receipt', "the server's signature does not verify: not a receipt of this vote");
  }
  const entries = R.parseBallots(R.read(files, 'ballots.json'), () => null); // all parsed before
  const where = `receipt of ballot #${rc.seq} (tracker ${rc.tracker.slice(0, 16)}…)`;
  if (rc.seq > entries.length) {
    throw new VerifyError(where, `signed by the server, but the record has only ${entries.length} ballots: the ballot was dropped`);
  }
  const e = entries[rc.seq - 1];
  if (e.tracker !== rc.tracker || e.hash !== rc.head) {
    throw new VerifyError(where, 'signed by the server, but the record has another ballot there: the ballot was dropped or replaced');
  }
  return `receipt: ballot #${rc.seq} is in the record with the signed tracker and head`;
}

// The fields of a close, in the order a mismatch names them (tally.saved._CLOSE_FIELDS).
const CLOSE_FIELDS = [['count', 'count'], ['head', 'head'], ['at', 'at'], ['actions', 'actions'],
  ['actions_head', 'actionsHead'], ['signature', 'signature']];

/** tally.saved.check_saved: a saved checkpoint or close against a record that verified. */
export function checkSaved(files, report, raw, name) {
  const m = report.manifest;
  const saved = R.parseSavedHead(raw, name);
  const s = saved.signed;
  const where = `saved ${saved.kind} ${name} (ballot #${s.count})`;
  if (saved.manifest !== m.hashHex) throw new VerifyError(where, 'is for another vote (manifest hash differs)');
  const message = saved.kind === 'close'
    ? closeMessage(m.hash, s.count, s.head, s.at, s.actions, s.actionsHead)
    : headMessage(m.hash, s.count, s.head, s.at);
  if (!ed25519Ok(m.serverKey, message, s.signature)) {
    throw new VerifyError(where, "the server's signature does not verify: not signed by this vote's server (a wrong or altered file proves nothing)");
  }
  const [cps, close] = R.parseCheckpoints(R.read(files, 'checkpoints.json'));
  if (saved.kind === 'close') {
    const differ = CLOSE_FIELDS.filter(([, k]) => s[k] !== close[k]).map(([f]) => f);
    if (differ.length) {
      throw new VerifyError(where, `signed by this vote's server, but the record's close differs (${differ.join(', ')}): the close was signed again after this one was shown`);
    }
    return `saved close ${name}: the record's close, byte for byte`;
  }
  const chain = report.entries;
  if (s.count > chain.length) {
    throw new VerifyError(where, `signed by this vote's server, but the record has only ${chain.length} ballots: ballots were dropped after it was shown`);
  }
  const head = s.count === 0 ? m.hashHex : chain[s.count - 1].hash;
  if (head !== s.head) {
    throw new VerifyError(where, `signed by this vote's server, but the record's chain differs at ballot #${s.count}: the chain was rewritten after it was shown`);
  }
  if (!cps.some((c) => c.count === s.count && c.head === s.head && c.at === s.at && c.signature === s.signature)) {
    throw new VerifyError(where, "signed by this vote's server and a prefix of the chain, but missing from checkpoints.json: the record was trimmed after it was shown");
  }
  return `saved checkpoint ${name}: in the record, a prefix of its chain at ballot #${s.count}`;
}
