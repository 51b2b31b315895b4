// keys/cards.py twin: manual-entry codes, card keys, BIP340 signatures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as C from '../../ballot/static/js/phieu-crypto.js';
import * as K from '../../ballot/static/js/phieu-cards.js';
import { vectors } from './helpers.mjs';

const V = vectors('cards');

test('every card vector: code, key, public key, signature', () => {
  assert.equal(V.length, 4);
  for (const v of V) {
    const secret = C.fromHex(v.secret);
    assert.equal(K.encodeCode(secret), v.code);
    assert.equal(C.toHex(K.decodeCode(v.code)), v.secret);
    const sk = K.signingKey(v.election_id, secret);
    assert.equal(C.scalarHex(sk), v.signing_key);
    assert.equal(C.toHex(K.publicKey(sk)), v.public_key);
    const sig = K.sign(sk, C.fromHex(v.message), C.fromHex(v.aux));
    assert.equal(C.toHex(sig), v.signature);
    assert.ok(K.verify(C.fromHex(v.public_key), C.fromHex(v.message), sig));
  }
});

test('signatures: random aux verifies, any single-bit change does not', () => {
  const v = V[0];
  const sk = K.signingKey(v.election_id, C.fromHex(v.secret));
  const card = K.publicKey(sk);
  const msg = C.fromHex(v.message);
  const sig = K.sign(sk, msg);
  assert.ok(K.verify(card, msg, sig));
  for (const [name, buf] of [['sig', sig], ['msg', msg], ['card', card]]) {
    for (const bit of [0, 77, 8 * buf.length - 1]) {
      const copy = { sig, msg, card };
      copy[name] = buf.slice();
      copy[name][bit >> 3] ^= 1 << (bit & 7);
      assert.equal(K.verify(copy.card, copy.msg, copy.sig), false, `${name} bit ${bit}`);
    }
  }
  assert.equal(K.verify(card.slice(1), msg, sig), false);
  assert.equal(K.verify(card, msg, sig.slice(1)), false);
  assert.equal(K.verify(new Uint8Array(32).fill(255), msg, sig), false); // not a valid x
});

test('decodeCode forgives case, spaces, dashes and O/I/L', () => {
  const v = V[1]; // 3YJ3-VQSA-QG2P-A7KD-N91T-M9CK-H0RA
  const variants = [
    v.code.toLowerCase(),
    v.code.replace(/-/g, ''),
    v.code.replace(/-/g, ' ') + '\n',
    v.code.replace(/0/g, 'O').replace(/1/g, 'l'),
    v.code.replace(/1/g, 'I').replace(/-/g, '\t'),
  ];
  for (const text of variants) assert.equal(C.toHex(K.decodeCode(text)), v.secret, text);
});

test('decodeCode rejects typos with the Python messages', () => {
  const code = V[0].code; // 64M0-EQK7-5A7E-0K3Y-E897-9M3P-7J94
  const err = (detail) => ({ code: 'bad_card_code', detail });
  assert.throws(() => K.decodeCode(code.slice(0, -1)), err('expected 28 characters'));
  assert.throws(() => K.decodeCode(code + 'A'), err('expected 28 characters'));
  assert.throws(() => K.decodeCode('U' + code.slice(1)), err('contains a character that is not used'));
  assert.throws(() => K.decodeCode('Z' + code.slice(1)), err('the first character is wrong'));
  assert.throws(() => K.decodeCode(code.slice(0, -1) + '5'),
    err('check characters do not match (a typing mistake?)'));
  // Every single-character substitution: the check characters catch all but ~1/1024.
  const alphabet = K.ALPHABET;
  let accepted = 0, tried = 0;
  for (let i = 0; i < code.length; i++) {
    if (code[i] === '-') continue;
    for (const ch of alphabet) {
      if (ch === code[i]) continue;
      tried++;
      try { K.decodeCode(code.slice(0, i) + ch + code.slice(i + 1)); accepted++; } catch (e) {
        assert.equal(e.code, 'bad_card_code');
      }
    }
  }
  assert.ok(tried > 800 && accepted <= 3, `${accepted} of ${tried} typos accepted`);
  // Adjacent transpositions of different characters.
  const flat = code.replace(/-/g, '');
  for (let i = 0; i + 1 < flat.length; i++) {
    if (flat[i] === flat[i + 1]) continue;
    const swapped = flat.slice(0, i) + flat[i + 1] + flat[i] + flat.slice(i + 2);
    assert.throws(() => K.decodeCode(swapped), { code: 'bad_card_code' }, swapped);
  }
});

test('codes round-trip for random secrets; bad secrets are refused', () => {
  for (let i = 0; i < 50; i++) {
    const s = K.newSecret();
    const code = K.encodeCode(s);
    assert.match(code, /^[0-7][0-9A-HJKMNP-TV-Z]{3}(-[0-9A-HJKMNP-TV-Z]{4}){6}$/);
    assert.deepEqual(K.decodeCode(code), s);
  }
  assert.throws(() => K.encodeCode(new Uint8Array(15)), { code: 'bad_parameters' });
  assert.throws(() => K.signingKey('e', new Uint8Array(17)), { code: 'bad_parameters' });
  assert.throws(() => K.signingKey('\ud800', new Uint8Array(16)), { code: 'bad_encoding' });
});
