// Python's json.loads as tally/record.py calls it (duplicate keys and non-integers
// refused, with the same messages), Python's repr, and tally/records.first_difference.
// Integers beyond 2^53 are kept exactly as BigInt, as Python keeps them.

import { NOT_PRINTABLE } from './messages.js';

export class StrictJsonError extends Error {}
export class JsonSyntaxError extends Error {}

/** Python repr of a JSON value (str, int, bool, None, list, dict). */
export function pyRepr(v) {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(v);
  if (typeof v === 'string') return strRepr(v);
  if (Array.isArray(v)) return '[' + v.map(pyRepr).join(', ') + ']';
  return '{' + Object.entries(v).map(([k, x]) => `${strRepr(k)}: ${pyRepr(x)}`).join(', ') + '}';
}

/** Python's str.isprintable() of one code point (the table of the Python that built it). */
function printable(c) {
  let lo = 0, hi = NOT_PRINTABLE.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (c < NOT_PRINTABLE[2 * mid]) hi = mid - 1;
    else if (c > NOT_PRINTABLE[2 * mid + 1]) lo = mid + 1;
    else return false;
  }
  return true;
}

function strRepr(s) {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const c = ch.codePointAt(0);
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += '\\' + quote;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (printable(c)) out += ch;
    else if (c < 0x100) out += '\\x' + c.toString(16).padStart(2, '0');
    else if (c < 0x10000) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += '\\U' + c.toString(16).padStart(8, '0');
  }
  return out + quote;
}

/** f"{value!r:.n}" (n code points, as Python counts them) */
export const reprN = (v, n) => [...pyRepr(v)].slice(0, n).join('');

const WS = ' \t\n\r';
const PLAIN = /[^"\\\u0000-\u001f]*/y; // what a JSON string holds as itself
// tally.record: MAX_DEPTH, MAX_INT_DIGITS, _too_deep, and the 40 characters of a number
// a message shows.
export const MAX_DEPTH = 500, MAX_INT_DIGITS = 600;
const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/y;
const STRINGS = /"[^"\\]*(?:\\[\s\S][^"\\]*)*"/g; // a JSON string, escapes and all
const shortNumber = (n) => ([...n].length <= 40 ? n : [...n].slice(0, 40).join('') + '…');

/** Whether arrays and objects nest deeper than MAX_DEPTH (on the text, before parsing). */
function tooDeep(text) {
  let depth = 0;
  for (const ch of text.replace(STRINGS, '')) {
    if (ch === '[' || ch === '{') { if (++depth > MAX_DEPTH) return true; }
    else if (ch === ']' || ch === '}') depth--;
  }
  return false;
}

/** Parse like json.loads(object_pairs_hook=unique, parse_float=refuse, parse_constant=refuse). */
export function loads(text) {
  if (tooDeep(text)) throw new JsonSyntaxError('nested too deeply');
  let at = 0;
  const syntax = () => { throw new JsonSyntaxError(`offset ${at}`); };
  const skip = () => { while (at < text.length && WS.includes(text[at])) at++; };
  function value(depth) {
    if (depth > 900) syntax(); // Python: RecursionError, read as "not valid JSON"
    skip();
    const ch = text[at];
    if (ch === '{') {
      at++; skip();
      const pairs = [];
      if (text[at] === '}') { at++; return finish(pairs); }
      for (;;) {
        skip();
        if (text[at] !== '"') syntax();
        const key = string();
        skip();
        if (text[at] !== ':') syntax();
        at++;
        pairs.push([key, value(depth + 1)]);
        skip();
        if (text[at] === ',') { at++; continue; }
        if (text[at] === '}') { at++; return finish(pairs); }
        syntax();
      }
    }
    if (ch === '[') {
      at++; skip();
      const out = [];
      if (text[at] === ']') { at++; return out; }
      for (;;) {
        out.push(value(depth + 1));
        skip();
        if (text[at] === ',') { at++; continue; }
        if (text[at] === ']') { at++; return out; }
        syntax();
      }
    }
    if (ch === '"') return string();
    for (const [word, v] of [['true', true], ['false', false], ['null', null]]) {
      if (text.startsWith(word, at)) { at += word.length; return v; }
    }
    for (const word of ['NaN', 'Infinity', '-Infinity']) {
      if (text.startsWith(word, at)) throw new StrictJsonError(`number ${word} is not an integer`);
    }
    NUMBER.lastIndex = at;
    const m = NUMBER.exec(text);
    if (!m) syntax();
    at += m[0].length;
    if (m[1] || m[2]) throw new StrictJsonError(`number ${shortNumber(m[0])} is not an integer`);
    if (m[0].replace('-', '').length > MAX_INT_DIGITS) syntax(); // tally.record._integer
    const n = Number(m[0]);
    return Number.isSafeInteger(n) ? n : BigInt(m[0]);
  }
  function string() {
    at++;
    let out = '';
    for (;;) {
      // A run of plain characters at once (the hex of a record is nearly all of it).
      PLAIN.lastIndex = at;
      PLAIN.test(text);
      if (PLAIN.lastIndex > at) { out += text.slice(at, PLAIN.lastIndex); at = PLAIN.lastIndex; }
      const ch = text[at];
      if (ch === undefined) syntax();
      if (ch === '"') { at++; return out; }
      if (ch.charCodeAt(0) < 0x20) syntax();
      if (ch === '\\') {
        const e = text[at + 1];
        const simple = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e in simple) { out += simple[e]; at += 2; continue; }
        if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(at + 2, at + 6))) {
          out += String.fromCharCode(parseInt(text.slice(at + 2, at + 6), 16));
          at += 6;
          continue;
        }
        syntax();
      }
      out += ch;
      at++;
    }
  }
  function finish(pairs) {
    const out = {};
    for (const [k, v] of pairs) {
      if (Object.hasOwn(out, k)) throw new StrictJsonError(`duplicate key ${pyRepr(k)}`);
      Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  const v = value(0);
  skip();
  if (at !== text.length) syntax();
  return v;
}

const typeOf = (v) => {
  if (v === null) return 'none';
  if (typeof v === 'bigint' || typeof v === 'number') return 'int';
  if (Array.isArray(v)) return 'list';
  return typeof v;
};
const eq = (a, b) => (typeOf(a) === 'int' ? BigInt(a) === BigInt(b) : a === b);

/** tally/records.first_difference: where two JSON values differ, or null. */
export function firstDifference(published, expected, path = '') {
  if (typeOf(published) !== typeOf(expected)) return path || '(whole file)';
  if (typeOf(expected) === 'object') {
    const keys = [...new Set([...Object.keys(published), ...Object.keys(expected)])].sort(cmp);
    for (const key of keys) {
      const sub = `${path} ${key}`.trim();
      if (!Object.hasOwn(published, key) || !Object.hasOwn(expected, key)) return sub;
      const d = firstDifference(published[key], expected[key], sub);
      if (d) return d;
    }
    return null;
  }
  if (Array.isArray(expected)) {
    if (published.length !== expected.length) return `${path} (length)`.trim();
    for (let i = 0; i < expected.length; i++) {
      const d = firstDifference(published[i], expected[i], `${path}[${i + 1}]`);
      if (d) return d;
    }
    return null;
  }
  return eq(published, expected) ? null : path;
}

/** Python's sorted() order of str: by code point. */
export function cmp(a, b) {
  const x = [...a].map((c) => c.codePointAt(0)), y = [...b].map((c) => c.codePointAt(0));
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}
