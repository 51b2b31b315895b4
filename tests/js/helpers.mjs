// Shared helpers of the JavaScript tests: vector loading and bit flips.
import { readFileSync } from 'node:fs';

/** Parse tests/vectors/<name>.json. */
export function vectors(name) {
  return JSON.parse(readFileSync(new URL(`../vectors/${name}.json`, import.meta.url), 'utf8'));
}

/** A deep copy of a JSON value. */
export const clone = (x) => JSON.parse(JSON.stringify(x));

/** Flip one bit of a hex string: bit `bit` (0..3) of the hex digit at position `at`. */
export function flipHex(text, at, bit = 0) {
  const d = (parseInt(text[at], 16) ^ (1 << bit)).toString(16);
  return text.slice(0, at) + d + text.slice(at + 1);
}
