// Passphrase rules of the share file, twin of keys/sharefile.py (passphrase_weakness,
// check_passphrase, kdf_input); shared vectors tests/vectors/passphrases.json.
//
// p = NFC(passphrase), no trimming. too_short: fewer than 12 code points. Then
// s = p lowercased (toLowerCase, as Python's str.lower; not case folding) with space, tab,
// LF, CR, FF, VT and NBSP removed; the first broken rule gives the reason code:
// one_character (s has at most one distinct code point), sequence (s inside a keyboard or
// digit run), repeated (s = a unit of 1–4 code points repeated, at least twice), name
// (the trustee's name, NFC, lowercased, blanks removed, ≥ 3 code points, inside s).
// The KDF input is utf8(NFC(passphrase)): NFD and NFC typings open the same file.
import { CryptoError, utf8 } from './phieu-crypto.js';

export const MIN_PASSPHRASE = 12;
const DIGITS = '1234567890'.repeat(3);
/** A passphrase that is a piece of one of these is a sequence (reverses listed too). */
export const SEQUENCES = Object.freeze([
  '0123456789', '9876543210', 'abcdefghijklmnopqrstuvwxyz', 'zyxwvutsrqponmlkjihgfedcba',
  'qwertyuiopasdfghjklzxcvbnm', 'mnbvcxzlkjhgfdsapoiuytrewq', DIGITS, [...DIGITS].reverse().join(''),
]);
/** The blanks removed before every rule after too_short (exactly these seven). */
const BLANKS = /[ \t\n\r\f\v\u00a0]/g;

/** NFC, lowercased, blanks removed (keys.sharefile._squash). */
export const squash = (text) => text.normalize('NFC').toLowerCase().replace(BLANKS, '');

/** The reason code of the first rule `passphrase` breaks, or null (passphrase_weakness). */
export function passphraseWeakness(passphrase, name = '') {
  const p = passphrase.normalize('NFC');
  if ([...p].length < MIN_PASSPHRASE) return 'too_short';
  const s = squash(p);
  const points = [...s];
  if (new Set(points).size <= 1) return 'one_character';
  if (SEQUENCES.some((seq) => seq.includes(s))) return 'sequence';
  for (let size = 1; size <= 4; size++) {
    if (points.length >= 2 * size && points.length % size === 0 &&
        points.every((ch, i) => ch === points[i % size])) return 'repeated';
  }
  const t = squash(String(name ?? ''));
  if ([...t].length >= 3 && s.includes(t)) return 'name';
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
