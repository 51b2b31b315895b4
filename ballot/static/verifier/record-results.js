// Twin of tally/manifest.parse_manifest, tally/count.results and tally/rules.py: the
// manifest checked field by field (the key ceremony recomputed by phieu-dkg.js), the
// per-official sums, k partial decryptions combined (Lagrange at 0), each total recovered,
// split into counts and set under the vote's rules (exact fractions, "38,88").
import * as C from '../js/phieu-crypto.js';
import { checkCeremony } from '../js/phieu-dkg.js';
import { makeContext, KINDS } from '../js/phieu-ballot.js';
import { pyRepr, reprN } from './pyjson.js';

const { CryptoError, N } = C;
const DENOMINATORS = ['returned', 'members_total', 'summoned', 'issued'];
const bad = (d) => new CryptoError('bad_encoding', d);
const isDict = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isInt = (v) => typeof v === 'number' && Number.isInteger(v);

function fraction(text) {
  if (typeof text !== 'string' || text.split('/').length !== 2) throw new Error(`fraction must be written p/q, got ${pyRepr(text)}`);
  const [p, q] = text.split('/');
  if (!/^\d+$/.test(p) || !/^\d+$/.test(q) || BigInt(q) === 0n) throw new Error(`bad fraction ${pyRepr(text)}`);
  if (BigInt(p) > BigInt(q)) throw new Error(`fraction ${pyRepr(text)} is more than 1`);
  return [BigInt(p), BigInt(q)];
}

function threshold(o) {
  const need = (k) => { if (!isDict(o) || !Object.hasOwn(o, k)) throw new Error(pyRepr(k)); return o[k]; };
  const flag = String(need('flag')), level = String(need('level'));
  const lower = fraction(need('lower'));
  const strict = Boolean(need('lower_strict'));
  const upper = o.upper === undefined || o.upper === null ? null : fraction(o.upper);
  return { flag, level, lower, strict, upper };
}

const int = (o, name, min = 0) => {
  const v = o[name];
  if (!isInt(v) || v < min) throw bad(`manifest: ${name} must be an integer ≥ ${min}`);
  return v;
};
const str = (o, name) => {
  if (!isDict(o) || typeof o[name] !== 'string') throw bad(`manifest: ${name} must be a string`);
  return o[name];
};

/** tally.manifest.parse_manifest; throws CryptoError naming the first bad field. */
export function parseManifest(raw) {
  if (!isDict(raw) || raw.format !== 'phieu-manifest/1') throw bad('manifest: format is not phieu-manifest/1');
  const kind = str(raw, 'kind');
  if (!Object.hasOwn(KINDS, kind) || pyRepr(raw.levels) !== pyRepr([...KINDS[kind]])) throw bad('manifest: unknown kind or levels');
  if (!Array.isArray(raw.officials) || !raw.officials.length) throw bad('manifest: officials must be a non-empty list');
  const officials = raw.officials.map((o) => ({ name: str(o, 'name'), position: str(o, 'position') }));
  const { rules, trustees, cards } = raw;
  if (!isDict(rules) || !isDict(trustees) || !isDict(cards)) throw bad('manifest: rules, trustees and cards are objects');
  const denominator = rules.denominator;
  if (!DENOMINATORS.includes(denominator)) throw bad(`manifest: unknown denominator ${pyRepr(denominator ?? null)}`);
  let membersTotal = rules.members_total ?? null;
  if (membersTotal !== null) membersTotal = int(rules, 'members_total', 1);
  else if (denominator === 'members_total') throw bad('manifest: members_total is required by the denominator');
  let thresholds;
  try { thresholds = (rules.thresholds ?? []).map(threshold); } catch (err) {
    throw bad(`manifest: bad threshold (${err.message})`);
  }
  if (thresholds.some((t) => !KINDS[kind].includes(t.level))) throw bad('manifest: a threshold names an unknown level');
  const names = trustees.names, k = trustees.threshold;
  if (!Array.isArray(names) || !isInt(k)) throw bad('manifest: trustees need names and a threshold');
  const electionId = str(raw, 'election_id');
  const key = checkCeremony(trustees, electionId, names, k);
  const cardCount = int(cards, 'count', 1);
  const base = int(raw, 'base', 2);
  if (base !== cardCount + 1) throw bad('manifest: base must be the number of cards + 1');
  const hexOr = (v) => { if (!/^(?:[0-9a-fA-F]{2})*$/.test(v)) throw bad('manifest: commitment or server key is not hex'); return v.toLowerCase(); };
  const cardCommitment = hexOr(str(cards, 'commitment'));
  const serverKey = hexOr(str(raw, 'server_key'));
  const hash = C.manifestHash(raw);
  let ctx = null;
  return {
    raw, hash, hashHex: C.toHex(hash), electionId, kind, officials, base, denominator, thresholds,
    summoned: int(raw, 'summoned', 0), membersTotal, trusteeNames: names.map(String), key,
    ceremonyRound: trustees.ceremony.round, cardCount, cardCommitment, serverKey: C.fromHex(serverKey),
    levels: KINDS[kind],
    context() {
      ctx ??= makeContext({ manifest_hash: hash, public_key: key.publicKey, kind, rows: officials.length, base });
      return ctx;
    },
  };
}

function lagrange(indices) {
  if (new Set(indices).size !== indices.length) throw new CryptoError('duplicate_trustee', 'the same trustee appears twice');
  const inv = (a) => { let [r0, r1, s0, s1] = [C.mod(a), N, 1n, 0n]; while (r1) { const q = r0 / r1; [r0, r1] = [r1, r0 - q * r1]; [s0, s1] = [s1, s0 - q * s1]; } return C.mod(s0); };
  return new Map(indices.map((i) => {
    let num = 1n, den = 1n;
    for (const j of indices) if (j !== i) { num = C.mod(num * BigInt(j)); den = C.mod(den * BigInt(j - i)); }
    return [i, C.mod(num * inv(den))];
  }));
}

/** m with m·G = point, 0 ≤ m ≤ bound; tries the published total first (one multiplication). */
function solve(point, bound, hint, what) {
  const target = C.pointHex(point);
  if (typeof hint === 'number' && Number.isInteger(hint) && hint >= 0 && hint <= bound && C.pointHex(C.baseMul(BigInt(hint))) === target) return hint;
  const t = Math.max(1, Math.min(bound + 1, 1 << 16, Math.ceil(Math.sqrt(bound + 1)) + 1));
  const table = new Map([[C.pointHex(C.INFINITY), 0]]);
  let p = C.G;
  for (let j = 1; j < t; j++) { table.set(C.pointHex(p), j); p = p.add(C.G); }
  const giant = C.baseMul(BigInt(t)).negate();
  let q = point;
  for (let i = 0; i * t <= bound; i++) {
    const j = table.get(C.pointHex(q));
    if (j !== undefined && i * t + j <= bound) return i * t + j;
    q = C.add(q, giant);
  }
  throw new CryptoError('count_out_of_range', `${what}: not a total between 0 and ${bound}`);
}

function percent(part, whole) {
  if (whole <= 0) return '—';
  const h = (BigInt(part) * 20000n + BigInt(whole)) / (2n * BigInt(whole));
  return `${h / 100n},${String(h % 100n).padStart(2, '0')}`;
}

function applies(t, n, d) {
  const [lp, lq] = t.lower, x = BigInt(n) * lq, y = lp * BigInt(d);
  const above = t.strict ? x > y : x >= y;
  const below = t.upper === null || BigInt(n) * t.upper[1] < t.upper[0] * BigInt(d);
  return above && below;
}

/** tally.count.results: the results.json object recomputed. */
export function results(m, figures, totals, parts, published) {
  const k = m.key.threshold;
  const chosen = [...parts].sort((a, b) => a.trustee - b.trustee).slice(0, k);
  if (chosen.length < k) throw new CryptoError('not_enough_trustees', `${chosen.length} of ${k} needed`);
  for (const p of chosen) {
    if (p.shares.length !== totals.length) throw new CryptoError('bad_decryption', `trustee ${p.trustee}: not one share per row`);
  }
  const lam = lagrange(chosen.map((p) => p.trustee));
  const levels = m.levels;
  const bound = figures.returned * m.base ** (levels.length - 1);
  const denom = figures[m.denominator];
  const hints = Array.isArray(published?.officials) ? published.officials : [];
  const officials = m.officials.map((o, r) => {
    let acc = C.INFINITY;
    for (const p of chosen) acc = C.add(acc, C.fixedMulPublic(p.shares[r], lam.get(p.trustee)));
    const point = C.add(totals[r].beta, acc.negate());
    const total = solve(point, bound, isDict(hints[r]) ? hints[r].total : undefined, `official ${r + 1}`);
    if (m.base <= figures.returned) throw new CryptoError('bad_parameters', `base ${m.base} must exceed the ${figures.returned} ballots`);
    const counts = [];
    let rest = total;
    for (let i = 0; i < levels.length; i++) { counts.push(rest % m.base); rest = Math.floor(rest / m.base); }
    if (rest) throw new CryptoError('count_out_of_range', `official ${r + 1}: total exceeds the encoding`);
    const blank = figures.returned - counts.reduce((a, b) => a + b, 0);
    if (blank < 0) throw new Error('more marks than ballots returned');
    const byLevel = Object.fromEntries(levels.map((lv, i) => [lv, counts[i]]));
    const flags = denom > 0 ? m.thresholds.filter((t) => applies(t, byLevel[t.level], denom)).map((t) => t.flag) : [];
    return {
      index: r + 1, name: o.name, position: o.position, total, counts: byLevel, blank,
      percent: Object.fromEntries(levels.map((lv) => [lv, percent(byLevel[lv], denom)])),
      blank_percent: percent(blank, denom), flags,
    };
  });
  return {
    denominator: { name: m.denominator, value: denom },
    figures: { summoned: figures.summoned, present: figures.present, issued: figures.issued, returned: figures.returned, members_total: figures.members_total },
    trustees: chosen.map((p) => p.trustee),
    officials,
  };
}

/** tally.verify._describe: "published X, recomputed Y" at a first_difference path. */
export function describe(published, recomputed, path) {
  const at = (value) => {
    for (const part of path.replace(/\[/g, ' [').split(/\s+/).filter(Boolean)) {
      if (part.startsWith('[')) {
        const idx = Number(part.replace(/[[\]]/g, '')) - 1;
        value = Array.isArray(value) && idx < value.length ? value[idx] : null;
      } else if (!['(whole', 'file)', '(length)'].includes(part)) {
        value = isDict(value) && Object.hasOwn(value, part) ? value[part] : null;
      }
    }
    return value;
  };
  return `published ${reprN(at(published), 200)}, recomputed ${reprN(at(recomputed), 200)}`;
}
