// Passphrase rules of the share file, twin of keys/sharefile.py (passphrase_weakness,
// check_passphrase, kdf_input); shared vectors tests/vectors/passphrases.json.
//
// p = NFC(passphrase); the first broken rule gives the reason code: too_short (< 12 code
// points), one_character, sequence (keyboard/digit run), repeated (a 1–4 character unit
// repeated), name (the trustee's name, ≥ 3 characters, inside it). The KDF input is
// utf8(NFC(passphrase)), so NFD and NFC typings of the same text open the same file.
import { CryptoError, utf8 } from './phieu-crypto.js';
import { PY_WHITESPACE } from './phieu-dkg-wire.js';

export const MIN_PASSPHRASE = 12;
const DIGITS = '1234567890'.repeat(3);
/** A passphrase that is a piece of one of these (or its reverse) is a sequence. */
export const SEQUENCES = Object.freeze([
  '0123456789', '9876543210', 'abcdefghijklmnopqrstuvwxyz', 'zyxwvutsrqponmlkjihgfedcba',
  'qwertyuiopasdfghjklzxcvbnm', 'mnbvcxzlkjhgfdsapoiuytrewq', DIGITS, [...DIGITS].reverse().join(''),
]);

/**
 * Python's str.casefold, code point by code point. JavaScript has no case folding;
 * toUpperCase().toLowerCase() of one code point equals Unicode full case folding except
 * for the characters fixed here (checked against CPython over every code point; only
 * characters newer than CPython's Unicode table can still differ). One code point at a
 * time, so JavaScript's context-dependent final sigma never applies (Python has none).
 */
export function casefold(text) {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0);
    if (c === 0x131 || (c >= 0x13a0 && c <= 0x13f5)) out += ch; // dotless i, Cherokee capitals
    else if (c >= 0x13f8 && c <= 0x13fd) out += String.fromCodePoint(c - 8);
    else if (c >= 0xab70 && c <= 0xabbf) out += String.fromCodePoint(c - 0xab70 + 0x13a0);
    else if (c === 0x1e9e) out += 'ss'; // capital sharp s
    else out += ch.toUpperCase().toLowerCase();
  }
  return out;
}

const squash = (text) => casefold(text).replace(PY_WHITESPACE, '');

/** The reason code of the first rule `passphrase` breaks, or null (passphrase_weakness). */
export function passphraseWeakness(passphrase, name = '') {
  const p = passphrase.normalize('NFC');
  const points = [...p];
  if (points.length < MIN_PASSPHRASE) return 'too_short';
  if (new Set(points).size === 1) return 'one_character';
  const flat = squash(p);
  if (SEQUENCES.some((s) => s.includes(flat))) return 'sequence';
  const folded = [...casefold(p)];
  for (let size = 1; size <= 4; size++) {
    if (folded.length % size === 0 && folded.every((ch, i) => ch === folded[i % size])) return 'repeated';
  }
  const own = squash(String(name ?? '').normalize('NFC'));
  if ([...own].length >= 3 && flat.includes(own)) return 'name';
  return null;
}

/** Refuse a weak passphrase: CryptoError('weak_passphrase', reason code). */
export function checkPassphrase(passphrase, name = '') {
  if (typeof passphrase !== 'string') throw new CryptoError('weak_passphrase', 'too_short');
  const reason = passphraseWeakness(passphrase, name);
  if (reason !== null) throw new CryptoError('weak_passphrase', reason);
}

/** utf8(NFC(passphrase)), the scrypt input; a lone surrogate → wrong_passphrase. */
export function kdfInput(passphrase) {
  if (typeof passphrase !== 'string') throw new CryptoError('wrong_passphrase');
  try {
    return utf8(passphrase.normalize('NFC'));
  } catch {
    throw new CryptoError('wrong_passphrase');
  }
}
