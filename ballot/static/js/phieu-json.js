// Strict JSON for messages from an untrusted server (the ceremony's bulletin board).
//
// JSON.parse silently keeps the last of two duplicate keys and turns 1.0 into 1, so
// a dishonest server could show the browser and the Python twin different messages.
// parseStrict refuses both, like keys/dkg.py (object_pairs_hook + no floats): every
// number must be a safe integer written without a fraction or an exponent.
import { CryptoError } from './phieu-crypto.js';

const WS = new Set([' ', '\t', '\n', '\r']);
const MAX_DEPTH = 64;

/**
 * Parse JSON text strictly: duplicate keys, floats, exponents, integers beyond 2^53,
 * a byte-order mark, lone surrogates and trailing data raise CryptoError(code).
 */
export function parseStrict(text, code = 'bad_encoding') {
  if (typeof text !== 'string') throw new CryptoError(code, 'expected JSON text');
  let at = 0;
  const fail = (why) => { throw new CryptoError(code, `JSON: ${why} at offset ${at}`); };
  const skip = () => { while (at < text.length && WS.has(text[at])) at++; };
  const literal = (word, value) => {
    if (text.startsWith(word, at)) { at += word.length; return value; }
    return fail('unexpected character');
  };
  function string() {
    const start = at;
    at++;
    for (;;) {
      const ch = text[at];
      if (ch === undefined) fail('unterminated string');
      if (ch === '"') break;
      if (ch < ' ') fail('control character in string');
      if (ch === '\\') at++;
      at++;
    }
    at++;
    let value;
    try {
      value = JSON.parse(text.slice(start, at));
    } catch {
      fail('bad string escape');
    }
    if (/\p{Surrogate}/u.test(value)) fail('lone surrogate');
    return value;
  }
  function number() {
    const m = /^-?(0|[1-9][0-9]*)([.eE])?/.exec(text.slice(at, at + 40));
    if (!m) fail('unexpected character');
    if (m[2]) fail('floats are not allowed');
    const n = Number(m[0]);
    if (!Number.isSafeInteger(n)) fail('integer too large');
    at += m[0].length;
    return n === 0 ? 0 : n;
  }
  function value(depth) {
    if (depth > MAX_DEPTH) fail('nested too deeply');
    skip();
    const ch = text[at];
    if (ch === '{') {
      at++;
      const obj = {};
      skip();
      if (text[at] === '}') { at++; return obj; }
      for (;;) {
        skip();
        if (text[at] !== '"') fail('expected a key');
        const key = string();
        if (Object.hasOwn(obj, key)) fail(`duplicate key ${JSON.stringify(key)}`);
        skip();
        if (text[at] !== ':') fail('expected :');
        at++;
        Object.defineProperty(obj, key, { value: value(depth + 1), enumerable: true, writable: true, configurable: true });
        skip();
        if (text[at] === ',') { at++; continue; }
        if (text[at] === '}') { at++; return obj; }
        fail('expected , or }');
      }
    }
    if (ch === '[') {
      at++;
      const arr = [];
      skip();
      if (text[at] === ']') { at++; return arr; }
      for (;;) {
        arr.push(value(depth + 1));
        skip();
        if (text[at] === ',') { at++; continue; }
        if (text[at] === ']') { at++; return arr; }
        fail('expected , or ]');
      }
    }
    if (ch === '"') return string();
    if (ch === 't') return literal('true', true);
    if (ch === 'f') return literal('false', false);
    if (ch === 'n') return literal('null', null);
    return number();
  }
  const out = value(0);
  skip();
  if (at !== text.length) fail('trailing data');
  return out;
}

/** True for a plain JSON object (not null, not an array). */
export const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** True for a JSON integer (a bool is not an int; no floats, no unsafe integers). */
export const isInt = (v) => typeof v === 'number' && Number.isSafeInteger(v);

/** Refuse an object whose keys are not exactly `keys` (CryptoError `code`). */
export function exactKeys(obj, keys, what, code = 'bad_encoding') {
  if (!isObject(obj)) throw new CryptoError(code, `${what}: expected an object`);
  const got = Object.keys(obj).sort();
  const want = [...keys].sort();
  if (got.length !== want.length || got.some((k, i) => k !== want[i])) {
    throw new CryptoError(code, `${what}: expected exactly the keys ${want.join(', ')}`);
  }
  return obj;
}
