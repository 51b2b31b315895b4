// Twin of tally/records.py: one strict definition per record file, the same messages.
// Every defect is a VerifyError(item, reason); Unreadable when a file is missing or is not
// strict JSON. Crypto errors are rendered as keys.errors.CryptoError.message("en").
import { CryptoError, pointFromHex, toHex } from '../js/phieu-crypto.js';
import { ballotFromJson, tracker } from '../js/phieu-ballot.js';
import { MESSAGES, DETAILS } from './messages.js';
import { cmp, loads, reprN, StrictJsonError } from './pyjson.js';

export const MAX_ITEMS = 100000, MAX_TEXT = 2000, MAX_DETAILS_BYTES = 8192;
const SERIAL_RE = /^[0-9A-Za-z-]{1,16}$/;
const TIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})([+-])(\d{2}):(\d{2})$/;
const HEX_RE = /^[0-9a-f]*$/;
export const RECEIPT_FORMAT = 'phieu-receipt/1';
export const SAVED_HEAD_FORMAT = 'phieu-signed-head/1';

export const KEYS = {
  'cards.json': ['cards'], 'cards.json cards[]': ['serial', 'key'],
  'revocations.json': ['revocations'], 'revocations.json revocations[]': ['serial', 'key'],
  'ballots.json': ['ballots'], 'ballots.json ballots[]': ['seq', 'prev', 'hash', 'tracker', 'ballot'],
  'audits.json': ['audited'], 'audits.json audited[]': ['tracker', 'ballot'],
  'checkpoints.json': ['checkpoints', 'close'],
  'checkpoints.json checkpoints[]': ['count', 'head', 'at', 'signature'],
  'checkpoints.json close': ['count', 'head', 'at', 'actions', 'actions_head', 'signature'],
  'actions.json': ['actions'], 'actions.json actions[]': ['seq', 'at', 'actor', 'action', 'details', 'hash'],
  'actions.json poll.checkpoint details': ['poll', 'count', 'head', 'at', 'signature'],
  'figures.json': ['summoned', 'present', 'issued', 'returned', 'members_total', 'opened_at', 'closed_at'],
  'tally.json': ['ballots', 'totals'], 'decryptions.json': ['decryptions'],
  'results.json': ['denominator', 'figures', 'trustees', 'officials'],
  receipt: ['format', 'manifest', 'seq', 'tracker', 'head', 'signature'],
  'saved checkpoint': ['format', 'manifest', 'kind', 'count', 'head', 'at', 'signature'],
  'saved close': ['format', 'manifest', 'kind', 'count', 'head', 'at', 'actions', 'actions_head', 'signature'],
};

export class VerifyError extends Error {
  constructor(item, reason) { super(`${item}: ${reason}`); this.item = item; this.reason = reason; }
}
export class Unreadable extends VerifyError {}

/** keys.errors.CryptoError.message(lang) */
export function cryptoMessage(err, lang = 'en') {
  const pair = MESSAGES[err.code] || [err.code, err.code];
  const head = lang === 'vi' ? pair[0] : pair[1];
  if (Object.hasOwn(DETAILS, err.detail)) return `${head} (${DETAILS[err.detail][lang === 'vi' ? 0 : 1]})`;
  return err.detail ? `${head} (${err.detail})` : head;
}

/** Run fn; a CryptoError becomes VerifyError(item, its English message). */
export function named(item, fn) {
  try { return fn(); } catch (err) {
    if (err instanceof CryptoError) throw new VerifyError(item, cryptoMessage(err));
    throw err;
  }
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
/** tally/record.Record.json: a file parsed strictly, or CryptoError naming it. */
export function recordJson(files, name) {
  if (!Object.hasOwn(files, name)) throw new CryptoError('bad_encoding', `record: ${name} is missing`);
  let text;
  try { text = decoder.decode(files[name]); } catch {
    throw new CryptoError('bad_encoding', `record: ${name} is not valid JSON`);
  }
  if (text.charCodeAt(0) === 0xfeff) throw new CryptoError('bad_encoding', `record: ${name} is not valid JSON`);
  try { return loads(text); } catch (err) {
    if (err instanceof StrictJsonError) throw new CryptoError('bad_encoding', `record: ${name}: ${err.message}`);
    throw new CryptoError('bad_encoding', `record: ${name} is not valid JSON`);
  }
}

/** tally.verify.read: a record file as strict JSON, or Unreadable. */
export function read(files, name) {
  try { return recordJson(files, name); } catch (err) {
    throw new Unreadable(name, cryptoMessage(err)); // as Python: removeprefix never applies
  }
}

const isDict = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
export const isInt = (v) => (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint';

export function obj(value, where, kind) {
  const keys = KEYS[kind];
  if (!isDict(value)) throw new VerifyError(where, `expected an object with keys ${keys.join(', ')}`);
  const missing = keys.filter((k) => !Object.hasOwn(value, k));
  const extra = Object.keys(value).filter((k) => !keys.includes(k)).sort(cmp); // code points, as Python
  if (missing.length || extra.length) {
    const parts = [];
    if (missing.length) parts.push(`missing ${missing.join(', ')}`);
    if (extra.length) parts.push(`unexpected ${extra.join(', ')}`);
    throw new VerifyError(where, parts.join('; '));
  }
  return value;
}

export function integer(value, where, low = 0, high = 2 ** 32 - 1) {
  if (!isInt(value) || BigInt(value) < BigInt(low) || BigInt(value) > BigInt(high)) {
    throw new VerifyError(where, `expected an integer from ${low} to ${high}, got ${reprN(value, 40)}`);
  }
  return Number(value);
}

export function text(value, where, limit = MAX_TEXT) {
  if (typeof value !== 'string' || [...value].length > limit) {
    throw new VerifyError(where, `expected a string of at most ${limit} characters`);
  }
  return value;
}

export function hexbytes(value, where, size) {
  if (typeof value !== 'string' || value.length !== 2 * size || !HEX_RE.test(value)) {
    throw new VerifyError(where, `expected ${size} bytes of lowercase hex`);
  }
  return value;
}

export function items(value, where, limit = MAX_ITEMS) {
  if (!Array.isArray(value) || value.length > limit) throw new VerifyError(where, `expected a list of at most ${limit} items`);
  return value;
}

/** Milliseconds since the epoch of a record time (datetime.fromisoformat), or VerifyError. */
export function timestamp(value, where) {
  const m = typeof value === 'string' ? TIME_RE.exec(value) : null;
  if (!m) throw new VerifyError(where, 'expected a time YYYY-MM-DDTHH:MM:SS±HH:MM');
  const [y, mo, d, h, mi, s, sign, oh, om] = m.slice(1).map((x, i) => (i === 6 ? x : Number(x)));
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days || h > 23 || mi > 59 || s > 59 || oh > 23 || om > 59) {
    throw new VerifyError(where, `${value} is not a valid time`);
  }
  const t = Date.UTC(y, mo - 1, d, h, mi, s);
  return t - (sign === '+' ? 1 : -1) * (oh * 60 + om) * 60000;
}

export function serial(value, where) {
  if (typeof value !== 'string' || !SERIAL_RE.test(value)) {
    throw new VerifyError(where, 'expected a card serial (1-16 letters, digits or -)');
  }
  return value;
}

export function parseCards(raw, name = 'cards.json') {
  const kind = name === 'cards.json' ? 'cards' : 'revocations';
  const body = obj(raw, name, name);
  return items(body[kind], `${name} ${kind}`).map((c, i) => {
    const where = `${name} item ${i + 1}`;
    obj(c, where, `${name} ${kind}[]`);
    return { serial: serial(c.serial, where + ' serial'), key: hexbytes(c.key, where, 32) };
  });
}

/** What the chain checks need from a parsed ballot (tally.ballotcheck.BallotFacts), in hex. */
export const factsOf = (b) => ({ manifest: toHex(b.manifestHash), card: toHex(b.card), tracker: toHex(tracker(b)) });

/**
 * ballots.json (tally.ballotcheck.parse_chain): `ballot(n, raw)` gives item n's ballot
 * facts or throws CryptoError (or VerifyError): the same error at the same place as
 * parsing it here, which is the default.
 */
export function parseBallots(raw, ballot = (n, b) => factsOf(ballotFromJson(b))) {
  const body = obj(raw, 'ballots.json', 'ballots.json');
  return items(body.ballots, 'ballots.json ballots').map((e, i) => {
    const where = `ballot #${i + 1}`;
    obj(e, where, 'ballots.json ballots[]');
    const facts = named(where, () => ballot(i + 1, e.ballot));
    return {
      seq: integer(e.seq, where + ' seq', 1),
      prev: hexbytes(e.prev, where + ' prev', 32),
      hash: hexbytes(e.hash, where + ' hash', 32),
      tracker: hexbytes(e.tracker, where + ' tracker', 32),
      ballot: facts, raw: e.ballot,
    };
  });
}

/**
 * [position, raw ballot] of every well-formed ballots.json item up to the first malformed
 * one (tally.ballotcheck._raw_ballots): what the workers check before the chain is read.
 */
export function rawBallots(raw) {
  const body = isDict(raw) ? raw.ballots : null;
  if (!Array.isArray(body) || body.length > MAX_ITEMS) return [];
  const keys = KEYS['ballots.json ballots[]'];
  const out = [];
  for (let i = 0; i < body.length; i++) {
    const e = body[i];
    if (!isDict(e) || Object.keys(e).length !== keys.length || !keys.every((k) => Object.hasOwn(e, k))) break;
    out.push([i + 1, e.ballot]);
  }
  return out;
}

function signed(raw, where, kind) {
  const c = obj(raw, where, kind);
  timestamp(c.at, where + ' at');
  const close = kind.endsWith('close');
  return {
    count: integer(c.count, where + ' count'),
    head: hexbytes(c.head, where + ' head', 32),
    at: c.at,
    signature: hexbytes(c.signature, where + ' signature', 64),
    actions: close ? integer(c.actions, where + ' actions', 1) : null,
    actionsHead: close ? hexbytes(c.actions_head, where + ' actions_head', 32) : null,
  };
}

export function parseCheckpoints(raw) {
  const body = obj(raw, 'checkpoints.json', 'checkpoints.json');
  const cps = items(body.checkpoints, 'checkpoints.json checkpoints')
    .map((c, i) => signed(c, `checkpoint ${i + 1}`, 'checkpoints.json checkpoints[]'));
  return [cps, body.close === null ? null : signed(body.close, 'signed close', 'checkpoints.json close')];
}

export function parseActions(raw, canonicalSize) {
  const body = obj(raw, 'actions.json', 'actions.json');
  return items(body.actions, 'actions.json actions').map((e, i) => {
    const where = `action ${i + 1}`;
    obj(e, where, 'actions.json actions[]');
    timestamp(e.at, where + ' at');
    if (!isDict(e.details)) throw new VerifyError(where + ' details', 'expected an object');
    let size;
    try { size = canonicalSize(e.details); } catch {
      throw new VerifyError(where + ' details', 'not canonical JSON');
    }
    if (size > MAX_DETAILS_BYTES) throw new VerifyError(where + ' details', 'too large');
    return {
      seq: integer(e.seq, where + ' seq', 1), at: e.at,
      actor: text(e.actor, where + ' actor', 64), action: text(e.action, where + ' action', 64),
      details: e.details, hash: hexbytes(e.hash, where + ' hash', 32),
    };
  });
}

export function parseFiguresFile(raw) {
  const f = obj(raw, 'figures.json', 'figures.json');
  for (const name of ['opened_at', 'closed_at']) timestamp(f[name], `figures.json ${name}`);
  const n = ['summoned', 'present', 'issued', 'returned'].map((k) => integer(f[k], `figures.json ${k}`));
  const mt = f.members_total === null ? null : integer(f.members_total, 'figures.json members_total', 1);
  return { summoned: n[0], present: n[1], issued: n[2], returned: n[3], members_total: mt,
    opened_at: f.opened_at, closed_at: f.closed_at };
}

function ciphertext(c, what) {
  if (!isDict(c) || Object.keys(c).length !== 2 || !Object.hasOwn(c, 'alpha') || !Object.hasOwn(c, 'beta')) {
    throw new CryptoError('bad_encoding', `${what}: expected keys alpha, beta`);
  }
  return { alpha: pointFromHex(c.alpha, `${what}.alpha`, true), beta: pointFromHex(c.beta, `${what}.beta`, true) };
}

export function parseTally(raw, officials) {
  const t = obj(raw, 'tally.json', 'tally.json');
  const totals = items(t.totals, 'tally.json totals');
  if (totals.length !== officials) throw new VerifyError('tally.json totals', `${totals.length} totals for ${officials} officials`);
  const out = totals.map((c, i) => named(`tally.json, official ${i + 1}`, () => ciphertext(c, `total of official ${i + 1}`)));
  return [out, integer(t.ballots, 'tally.json ballots')];
}

/** keys.decryption.PartialDecryption.from_json */
function partial(o) {
  if (!isDict(o) || Object.keys(o).length !== 3 || !['trustee', 'shares', 'proofs'].every((k) => Object.hasOwn(o, k))) {
    throw new CryptoError('bad_encoding', 'partial decryption: expected trustee, shares, proofs');
  }
  const t = o.trustee;
  if (typeof t !== 'number' || !Number.isInteger(t) || t < 1) throw new CryptoError('bad_encoding', 'partial decryption: bad trustee index');
  if (!Array.isArray(o.shares) || !Array.isArray(o.proofs)) {
    throw new CryptoError('bad_encoding', 'partial decryption: shares and proofs are lists');
  }
  const shares = o.shares.map((d, r) => pointFromHex(d, `trustee ${t} share ${r}`, true));
  const proofs = o.proofs.map((p, r) => {
    if (!isDict(p) || Object.keys(p).length !== 2 || !Object.hasOwn(p, 'c') || !Object.hasOwn(p, 's')) {
      throw new CryptoError('bad_encoding', `trustee ${t} proof ${r}: expected c, s`);
    }
    return p;
  });
  return { trustee: t, shares, proofs, raw: o };
}

export function parseDecryptions(raw, scalarCheck) {
  const d = obj(raw, 'decryptions.json', 'decryptions.json');
  return items(d.decryptions, 'decryptions.json decryptions', 1000).map((p, i) =>
    named(`decryptions.json item ${i + 1}`, () => { const out = partial(p); out.proofs.forEach((q) => scalarCheck(q)); return out; }));
}

export function parseReceipt(raw) {
  const r = obj(raw, 'receipt', 'receipt');
  if (r.format !== RECEIPT_FORMAT) throw new VerifyError('receipt', `format is not ${RECEIPT_FORMAT}`);
  return {
    manifest: hexbytes(r.manifest, 'receipt manifest', 32), seq: integer(r.seq, 'receipt seq', 1),
    tracker: hexbytes(r.tracker, 'receipt tracker', 32), head: hexbytes(r.head, 'receipt head', 32),
    signature: hexbytes(r.signature, 'receipt signature', 64),
  };
}

/** tally.records.parse_saved_head: a checkpoint or close an observer saved from the board. */
export function parseSavedHead(raw, where) {
  const kind = isDict(raw) && Object.hasOwn(raw, 'kind') ? raw.kind : undefined;
  if (kind !== 'checkpoint' && kind !== 'close') {
    throw new VerifyError(where, 'expected an object whose "kind" is "checkpoint" or "close"');
  }
  const body = obj(raw, where, `saved ${kind}`);
  if (body.format !== SAVED_HEAD_FORMAT) throw new VerifyError(where, `format is not ${SAVED_HEAD_FORMAT}`);
  const signedKind = kind === 'close' ? 'checkpoints.json close' : 'checkpoints.json checkpoints[]';
  const fields = Object.fromEntries(KEYS[signedKind].map((k) => [k, body[k]]));
  const manifest = hexbytes(body.manifest, where + ' manifest', 32);
  return { manifest, kind, signed: signed(fields, where, signedKind) };
}
