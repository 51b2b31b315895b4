// Browser twin of keys/cards.py: the card code, the card's signing key and BIP340.
//
// The card secret is 16 bytes. Its manual-entry code is Crockford base32 (no I, L,
// O, U; read as 1, 1, 0 on input) plus two check characters: 28 characters in groups
// of four. The signing key is hashToScalar(TAG_CARD_KEY, election_id, secret).
import { schnorr } from '../vendor/noble-secp256k1.js';
import {
  CryptoError, OPS, TAGS, bytesToBigInt, digest, hashToScalar, randomBytes, scalarBytes, utf8,
} from './phieu-crypto.js';

export const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const DECODE = new Map([...ALPHABET].map((ch, i) => [ch, i]).concat([['O', 0], ['I', 1], ['L', 1]]));
export const SECRET_BYTES = 16;
export const CODE_LENGTH = 28; // 26 characters of secret + 2 check characters

/** A fresh 128-bit card secret. */
export const newSecret = () => randomBytes(SECRET_BYTES);

function checkChars(secret) {
  const d = digest(TAGS.CARD_CHECK, secret);
  const v = ((d[0] << 8) | d[1]) >> 6; // 10 bits
  return ALPHABET[v >> 5] + ALPHABET[v & 31];
}

function requireSecret(secret) {
  if (!(secret instanceof Uint8Array) || secret.length !== SECRET_BYTES) {
    throw new CryptoError('bad_parameters', 'a card secret is 16 bytes');
  }
}

/** The printed manual-entry code: 7 groups of 4 characters separated by '-'. */
export function encodeCode(secret) {
  requireSecret(secret);
  const v = bytesToBigInt(secret);
  let code = '';
  for (let i = 25; i >= 0; i--) code += ALPHABET[Number((v >> BigInt(5 * i)) & 31n)];
  code += checkChars(secret);
  return code.match(/.{4}/g).join('-');
}

/** Parse a typed or scanned code (case, spaces, tabs, newlines and dashes ignored) to the secret. */
export function decodeCode(text) {
  const cleaned = [...String(text).toUpperCase()].filter((ch) => !' -\t\n'.includes(ch));
  if (cleaned.length !== CODE_LENGTH) {
    throw new CryptoError('bad_card_code', `expected ${CODE_LENGTH} characters`);
  }
  if (!cleaned.every((ch) => DECODE.has(ch))) {
    throw new CryptoError('bad_card_code', 'contains a character that is not used');
  }
  let v = 0n;
  for (const ch of cleaned.slice(0, 26)) v = (v << 5n) | BigInt(DECODE.get(ch));
  if (v >> 128n) throw new CryptoError('bad_card_code', 'the first character is wrong');
  const secret = secretFromInt(v);
  const typed = cleaned.slice(26).join('').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (checkChars(secret) !== typed) {
    throw new CryptoError('bad_card_code', 'check characters do not match (a typing mistake?)');
  }
  return secret;
}

function secretFromInt(v) {
  return scalarBytes(v).slice(32 - SECRET_BYTES); // v < 2^128 < N, so no reduction happens
}

/** The card's Schnorr secret key (BigInt), bound to this vote. */
export function signingKey(electionId, secret) {
  requireSecret(secret);
  const sk = hashToScalar(TAGS.CARD_KEY, utf8(electionId), secret);
  if (sk === 0n) throw new CryptoError('bad_parameters', 'degenerate card key'); // probability 2^-256
  return sk;
}

/** The 32-byte BIP340 x-only public key of a card key. */
export const publicKey = (sk) => schnorr.getPublicKey(scalarBytes(sk));

/** BIP340 signature of a 32-byte message (fresh auxiliary randomness unless aux is given). */
export function sign(sk, message, aux = undefined) {
  OPS.sign++;
  return schnorr.sign(message, scalarBytes(sk), aux ?? randomBytes(32));
}

/** Check a BIP340 signature; false for an invalid key or signature (never throws). */
export function verify(card, message, signature) {
  if (card.length !== 32 || signature.length !== 64 || message.length !== 32) return false;
  OPS.verify++;
  try {
    return schnorr.verify(signature, message, card);
  } catch {
    return false;
  }
}
