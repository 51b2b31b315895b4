// The trustee's device in the browser (phieu-trustee.js) against the Python-made
// vectors: scrypt, the passphrase rules and NFC KDF input (passphrases.json), the
// phieu-share/2 files sealed by keys.sharefile.seal (sealed again here byte for byte and
// opened), and the partial decryptions of keys.decryption.partial_decrypt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gcm, scrypt, scryptAsync } from '../../ballot/static/vendor/noble-secp256k1.js';
import { listNonces, toHex, fromHex, utf8, digest, canonicalJson, CryptoError } from '../../ballot/static/js/phieu-crypto.js';
import {
  openShare, describeShare, partialDecrypt, verifyPartial, readHeader, sealShare, TAG_SHARE_AAD,
  checkPassphrase, passphraseWeakness, kdfInput, squash, shareFileName,
} from '../../ballot/static/js/phieu-trustee.js';
import { MIN_PASSPHRASE } from '../../ballot/static/js/phieu-passphrase.js';
import { vectors, clone, flipHex } from './helpers.mjs';

const S = vectors('sharefile');
const D = vectors('decryption');
const PP = vectors('passphrases');
const DKG = vectors('dkg');
const bytes = (text) => new TextEncoder().encode(text);
const expected = { electionId: S.election_id, publicKey: S.public_key, verificationKeys: S.verification_keys };

async function refused(promise, code) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof CryptoError, String(err));
    assert.equal(err.code, code, err.message);
    return true;
  });
}

/** A share file with one header field changed (and the JSON re-serialised). */
function edited(file, change) {
  const body = JSON.parse(file);
  change(body);
  return bytes(JSON.stringify(body, null, 2));
}

test('scrypt: RFC 7914 §12 vector 2 (N=1024, r=8, p=16)', () => {
  const out = scrypt(utf8('password'), utf8('NaCl'), { N: 1024, r: 8, p: 16, dkLen: 64 });
  assert.equal(toHex(out),
    'fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162' +
    '2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640');
});

test('scrypt of the vectors equals Python (hashlib/cryptography)', async () => {
  for (const f of S.files) {
    const key = await scryptAsync(utf8(f.passphrase), fromHex(f.salt), { N: 2 ** 14, r: 8, p: 1, dkLen: 32 });
    assert.equal(toHex(key), f.derived_key);
  }
});

test('associated data = digest(share-file tag, canonical header)', () => {
  for (const f of S.files) {
    const header = readHeader(bytes(f.file));
    delete header.cipher;
    assert.equal(toHex(digest(TAG_SHARE_AAD, canonicalJson(header))), f.aad);
  }
});

test('opens the Python-made share files and reproduces the partial decryptions', async () => {
  const progress = [];
  for (const f of S.files) {
    const opened = await openShare(bytes(f.file), f.passphrase, expected,
      { onProgress: (x) => progress.push(x) });
    assert.equal(opened.trustee, f.trustee);
    assert.equal(opened.electionId, S.election_id);
    assert.equal(opened.secretShare.toString(16).padStart(64, '0'), f.secret_share);
    const v = D.partials[f.trustee - 1];
    assert.equal(v.secret_share, f.secret_share);
    const part = partialDecrypt(D.manifest_hash, D.public_key, opened.trustee, opened.secretShare,
      D.totals, listNonces(v.nonces));
    assert.deepEqual(part, v.partial);
    assert.equal(JSON.stringify(part), JSON.stringify(v.partial));
    verifyPartial(D.manifest_hash, D.public_key, D.verification_keys, D.totals, part);
    opened.wipe();
    assert.equal(opened.secretShare, 0n);
  }
  assert.ok(progress.length > 3 && progress.at(-1) === 1, 'scrypt reports progress');
});

test('partial decryption with fresh nonces verifies (and differs)', () => {
  const v = D.partials[1];
  const part = partialDecrypt(fromHex(D.manifest_hash), D.public_key, 2, BigInt('0x' + v.secret_share), D.totals);
  assert.deepEqual(part.shares, v.partial.shares);
  assert.notDeepEqual(part.proofs, v.partial.proofs);
  verifyPartial(D.manifest_hash, D.public_key, D.verification_keys, D.totals, part);
});

test('verifyPartial refuses a bent proof, a wrong trustee, a missing row', () => {
  const good = D.partials[0].partial;
  const cases = [
    [(p) => { p.proofs[1].s = flipHex(p.proofs[1].s, 63); }, 'bad_decryption'],
    [(p) => { p.shares[0] = D.partials[1].partial.shares[0]; }, 'bad_decryption'],
    [(p) => { p.trustee = 2; }, 'bad_decryption'],
    [(p) => { p.trustee = 4; }, 'bad_decryption'],
    [(p) => { p.shares.pop(); }, 'bad_decryption'],
    [(p) => { p.proofs[0].c = 'zz'; }, 'bad_encoding'],
  ];
  for (const [change, code] of cases) {
    const p = clone(good);
    change(p);
    assert.throws(() => verifyPartial(D.manifest_hash, D.public_key, D.verification_keys, D.totals, p),
      (err) => err.code === code, JSON.stringify(p).slice(0, 80));
  }
});

test('wrong passphrase → wrong_passphrase', async () => {
  await refused(openShare(bytes(S.files[0].file), 'mật khẩu thứ hai', expected), 'wrong_passphrase');
  await refused(openShare(bytes(S.files[0].file), S.files[1].passphrase, expected), 'wrong_passphrase');
});

test('tampered files are refused with the codes of keys/sharefile.py', async () => {
  const f = S.files[0];
  const cases = [
    [(b) => { b.trustee.name = 'Kẻ mạo danh'; }, 'wrong_passphrase'],
    [(b) => { b.trustee.index = 2; b.trustee.verification_key = S.verification_keys[1]; }, 'wrong_passphrase'],
    [(b) => { b.kdf.extra = 1; }, 'wrong_passphrase'],
    [(b) => { b.cipher.data = flipHex(b.cipher.data, 10); }, 'wrong_passphrase'],
    [(b) => { b.cipher.nonce = flipHex(b.cipher.nonce, 0); }, 'wrong_passphrase'],
    [(b) => { b.kdf.n = 2 ** 19; }, 'bad_share'],
    [(b) => { b.kdf.n = 3 * 2 ** 14; }, 'bad_share'],
    [(b) => { b.kdf.n = 2 ** 13; }, 'bad_share'],
    [(b) => { b.kdf.r = 16; }, 'bad_share'],
    [(b) => { b.kdf.p = 2; }, 'bad_share'],
    [(b) => { b.kdf.n = '16384'; }, 'bad_share'],
    [(b) => { b.kdf.r = true; }, 'bad_share'],
    [(b) => { delete b.kdf.salt; }, 'bad_share'],
    [(b) => { b.cipher.data = b.cipher.data.slice(2); }, 'bad_share'],
    [(b) => { b.cipher.nonce += '00'; }, 'bad_share'],
    [(b) => { b.trustee.index = 0; }, 'bad_share'],
    [(b) => { b.trustee.name = 7; }, 'bad_share'],
    [(b) => { b.format = 'phieu-share/1'; }, 'bad_share'],
    [(b) => { b.election.ceremony = 0; }, 'bad_share'],
    [(b) => { b.election.ceremony = true; }, 'bad_share'],
    [(b) => { b.election.ceremony = 2; }, 'wrong_passphrase'],
    [(b) => { b.election.verification_keys = b.election.verification_keys.slice(0, 1); }, 'bad_share'],
    [(b) => { b.election.verification_keys = 'x'; }, 'bad_share'],
    [(b) => { b.election.verification_keys.reverse(); }, 'wrong_passphrase'],
    [(b) => { b.election.verification_keys[2] = '02' + '00'.repeat(32); }, 'bad_point'],
    [(b) => { b.election.transcript = '00'.repeat(31); }, 'bad_share'],
    [(b) => { b.election.transcript = b.election.transcript.toUpperCase(); }, 'bad_encoding'],
    [(b) => { b.election.transcript = flipHex(b.election.transcript, 0); }, 'wrong_passphrase'],
    [(b) => { delete b.election.transcript; }, 'bad_share'],
    [(b) => { b.trustee.index = 4; }, 'bad_share'],
    [(b) => { b.kdf.salt = b.kdf.salt.toUpperCase(); }, 'bad_encoding'],
    [(b) => { b.trustee.verification_key = '02' + '00'.repeat(32); }, 'bad_point'],
    [(b) => { b.election.id = 'other-vote'; }, 'share_other_election'],
  ];
  for (const [change, code] of cases) {
    await refused(openShare(edited(f.file, change), f.passphrase, expected), code);
  }
  for (const raw of ['', 'not json', '[]', '{"format": "phieu-share/1"}',
    '\ufeff' + f.file, f.file.replace('"n": 16384', '"n": 16384.0'),
    f.file.replace('"index": 1', '"index": 1e0'), f.file.replace('phieu-share/2', 'phieu-share/1')]) {
    await refused(openShare(bytes(raw), f.passphrase, expected), 'bad_share');
  }
  await refused(openShare(new Uint8Array(64 * 1024 + 1), f.passphrase, expected), 'bad_share');
  await refused(openShare(edited(f.file, (b) => { b.election.id = 7; }), f.passphrase), 'bad_share');
  await refused(openShare(Uint8Array.of(0xff, 0xfe), f.passphrase, expected), 'bad_share');
});

test('another vote, another key, another trustee list → refused', async () => {
  const f = S.files[1];
  await refused(openShare(bytes(f.file), f.passphrase, { ...expected, electionId: 'khac' }), 'share_other_election');
  await refused(openShare(bytes(f.file), f.passphrase, { ...expected, publicKey: S.verification_keys[0] }),
    'share_other_election');
  await refused(openShare(bytes(f.file), f.passphrase, { ...expected, verificationKeys: S.verification_keys.slice(0, 1) }),
    'share_mismatch');
  await refused(openShare(bytes(f.file), f.passphrase, { ...expected, verificationKeys: [...S.verification_keys.slice(1), S.verification_keys[0]] }),
    'share_mismatch');
  // Without expectations the file still opens (the header is checked by the AAD).
  const opened = await openShare(bytes(f.file), f.passphrase);
  assert.equal(opened.trustee, 2);
});

test('a share that does not match its verification key → share_mismatch', async () => {
  // Re-seal trustee 1's file so that the ciphertext holds trustee 2's share (a correct
  // AES-GCM tag over the same header): only the x·G = X check can catch it.
  const f = S.files[0];
  const body = JSON.parse(f.file);
  const header = clone(body);
  delete header.cipher;
  const aad = digest(TAG_SHARE_AAD, canonicalJson(header));
  const sealed = gcm(fromHex(f.derived_key), fromHex(f.nonce), aad).encrypt(fromHex(S.files[1].secret_share));
  body.cipher.data = toHex(sealed);
  await refused(openShare(bytes(JSON.stringify(body)), f.passphrase, expected), 'share_mismatch');
  // The same with trustee 2's key as the file's own verification key, but the list in the
  // header still names trustee 1's key: X_j must also equal verification_keys[j − 1].
  const body2 = JSON.parse(f.file);
  body2.trustee.verification_key = S.verification_keys[1];
  const header2 = clone(body2);
  delete header2.cipher;
  body2.cipher.data = toHex(gcm(fromHex(f.derived_key), fromHex(f.nonce),
    digest(TAG_SHARE_AAD, canonicalJson(header2))).encrypt(fromHex(S.files[1].secret_share)));
  await refused(openShare(bytes(JSON.stringify(body2)), f.passphrase), 'share_mismatch');
});

test('phieu-share/2 header: round, every X, transcript (= dkg.json) are returned', async () => {
  assert.equal(S.transcript, DKG.transcript);
  const f = S.files[2];
  const opened = await openShare(bytes(f.file), f.passphrase, { ...expected, transcript: S.transcript });
  assert.equal(opened.round, 1);
  assert.equal(toHex(opened.transcript), S.transcript);
  assert.deepEqual(opened.verificationKeys.map((x) => x.toHex(true)), S.verification_keys);
  await refused(openShare(bytes(f.file), f.passphrase, { transcript: '00'.repeat(32) }), 'manifest_mismatch');
});

test('sealShare makes the Python file byte for byte (same salt and nonce) and opens it', async () => {
  for (const f of S.files) {
    const body = JSON.parse(f.file);
    const out = await sealShare({
      electionId: S.election_id, round: body.election.ceremony, publicKey: S.public_key,
      verificationKeys: S.verification_keys, transcript: S.transcript, trustee: f.trustee,
      name: body.trustee.name, secretShare: BigInt('0x' + f.secret_share), passphrase: f.passphrase,
      scryptN: body.kdf.n,
    }, { salt: fromHex(f.salt), nonce: fromHex(f.nonce) });
    assert.equal(new TextDecoder().decode(out), f.file);
  }
  // Fresh salt and nonce, the NFD typing of the passphrase: opens with the NFC typing.
  const f = S.files[0];
  const nfd = 'Đà Nẵng ngày 2 tháng 9 năm ấy'.normalize('NFD');
  const out = await sealShare({
    electionId: S.election_id, round: 1, publicKey: S.public_key, verificationKeys: S.verification_keys,
    transcript: fromHex(S.transcript), trustee: 1, name: JSON.parse(f.file).trustee.name,
    secretShare: BigInt('0x' + f.secret_share), passphrase: nfd, scryptN: 2 ** 14,
  });
  assert.notEqual(JSON.parse(new TextDecoder().decode(out)).kdf.salt, f.salt);
  const opened = await openShare(out, nfd.normalize('NFC'), expected);
  assert.equal(opened.secretShare.toString(16).padStart(64, '0'), f.secret_share);
});

test('sealShare refuses a weak passphrase, a share not matching X_j, bad parameters', async () => {
  const f = S.files[0];
  const params = {
    electionId: S.election_id, round: 1, publicKey: S.public_key, verificationKeys: S.verification_keys,
    transcript: S.transcript, trustee: 1, name: 'Nguyễn Văn An', secretShare: BigInt('0x' + f.secret_share),
    passphrase: f.passphrase, scryptN: 2 ** 14,
  };
  const expectCode = async (change, code) => {
    await assert.rejects(sealShare({ ...params, ...change }), (err) => err.code === code && err instanceof CryptoError);
  };
  await expectCode({ passphrase: 'ngắn quá' }, 'weak_passphrase');
  await expectCode({ passphrase: 'Nguyễn Văn An 2026!' }, 'weak_passphrase');
  await expectCode({ trustee: 2 }, 'share_mismatch');
  await expectCode({ secretShare: 0n }, 'share_mismatch');
  await expectCode({ trustee: 4 }, 'bad_parameters');
  await expectCode({ transcript: '00' }, 'bad_parameters');
  await expectCode({ scryptN: 2 ** 13 }, 'bad_parameters');
  await expectCode({ scryptN: 3 * 2 ** 14 }, 'bad_parameters');
});

test('passphrase rules: every case of passphrases.json with its reason code', () => {
  assert.equal(PP.min_length, 12);
  assert.equal(MIN_PASSPHRASE, PP.min_length); // the twin of keys.sharefile.MIN_PASSPHRASE
  for (const c of PP.cases) {
    assert.equal(c.passphrase.normalize('NFC'), c.nfc);
    assert.equal(passphraseWeakness(c.passphrase, c.name), c.reason, JSON.stringify(c));
    if (c.reason === null) {
      checkPassphrase(c.passphrase, c.name);
    } else {
      assert.throws(() => checkPassphrase(c.passphrase, c.name),
        (err) => err instanceof CryptoError && err.code === 'weak_passphrase' && err.detail === c.reason);
    }
  }
  assert.throws(() => checkPassphrase(undefined), (err) => err.code === 'weak_passphrase');
});

test('NFC and NFD typings give the same KDF input and scrypt key (as Python)', async () => {
  for (const pair of PP.nfc_pairs) {
    assert.notEqual(pair.nfc, pair.nfd);
    assert.equal(toHex(kdfInput(pair.nfd)), pair.kdf_input);
    assert.equal(toHex(kdfInput(pair.nfc)), pair.kdf_input);
    const key = await scryptAsync(kdfInput(pair.nfd), fromHex(pair.salt), { N: pair.scrypt_n, r: 8, p: 1, dkLen: 32 });
    assert.equal(toHex(key), pair.derived_key);
  }
  assert.throws(() => kdfInput('abc\ud800def'), (err) => err.code === 'wrong_passphrase');
});

test('lowercasing is toLowerCase (= Python str.lower, not casefold); only 7 blanks removed', () => {
  // Python: 'STRASSE'.lower() == 'strasse', 'Strauß'.lower() == 'strauß' (casefold would give
  // 'strauss'), 'ΟΔΟΣ'.lower() == 'οδος' (final sigma in both), U+3000 is not a blank here.
  assert.equal(squash('STRASSE Strauß'), 'strassestrauß');
  assert.equal(squash('ΟΔΟΣ ΟΔΟΣ'), 'οδοςοδος');
  assert.equal(squash('a\u00a0b\tc\nd\re\ff\vg h\u3000i\u2003j'), 'abcdefgh\u3000i\u2003j');
  assert.equal(squash('Bi\u0300nh'), 'bình');
  assert.equal(passphraseWeakness('STRAUSS spielt Walzer', 'Strauß'), null);
  assert.equal(passphraseWeakness('\u3000'.repeat(12)), 'one_character');
  assert.equal(passphraseWeakness(' '.repeat(12)), 'one_character'); // s is empty
  assert.equal(passphraseWeakness('ab\u3000ab\u3000ab\u3000ab\u3000'), 'repeated');
});

test('checkCandidate: the manifest must be what the share file recorded', async () => {
  const { checkCandidate } = await import('../../ballot/static/js/phieu-dkg.js');
  const { manifestHash } = await import('../../ballot/static/js/phieu-crypto.js');
  const f = S.files[1];
  const opened = await openShare(bytes(f.file), f.passphrase, expected);
  // Before the passphrase: the header alone (describeShare) suffices for the check.
  const described = describeShare(bytes(f.file), expected);
  assert.equal(described.secretShare, 0n);
  const manifest = () => ({
    election_id: S.election_id, title: 'Bỏ phiếu tín nhiệm',
    trustees: {
      names: [...DKG.names], threshold: DKG.threshold, public_key: DKG.public_key,
      commitments: [...DKG.commitments], verification_keys: [...DKG.verification_keys],
      ceremony: clone(DKG.ceremony),
    },
  });
  assert.equal(toHex(checkCandidate(manifest(), opened)), toHex(manifestHash(manifest())));
  assert.equal(toHex(checkCandidate(manifest(), described)), toHex(manifestHash(manifest())));
  const swap = (b) => { const v = b.election.verification_keys; [v[0], v[1]] = [v[1], v[0]]; };
  assert.throws(() => describeShare(edited(f.file, swap)),
    (err) => err.code === 'share_mismatch');
  assert.throws(() => describeShare(bytes(f.file), { ...expected, electionId: 'other' }),
    (err) => err.code === 'share_other_election');
  const cases = [
    [(m) => { m.election_id = 'other'; }, 'share_other_election'],
    [(m) => { delete m.trustees; }, 'bad_encoding'],
    [(m) => { m.trustees.names[1] = 'Kẻ mạo danh'; }, 'dkg_bad_proof'],
    [(m) => { m.trustees.threshold = '2'; }, 'manifest_mismatch'],
    [(m) => { m.trustees.threshold = true; }, 'bad_parameters'],
    [(m) => { m.trustees.public_key = DKG.verification_keys[0]; }, 'bad_parameters'],
  ];
  for (const [change, code] of cases) {
    const m = manifest();
    change(m);
    assert.throws(() => checkCandidate(m, opened), (err) => err.code === code, code);
  }
  // Another (valid) ceremony of the same vote: the file's record differs.
  assert.throws(() => checkCandidate(manifest(), { ...opened, round: 2 }), (err) => err.code === 'manifest_mismatch');
  assert.throws(() => checkCandidate(manifest(), { ...opened, transcript: new Uint8Array(32) }),
    (err) => err.code === 'manifest_mismatch' && err.detail === 'transcript');
  assert.throws(() => checkCandidate(manifest(), { ...opened, name: 'Ai đó' }),
    (err) => err.code === 'manifest_mismatch' && err.detail === 'trustee name');
});

test('no crypto.subtle anywhere (plain http on a LAN): a whole device run without it', async () => {
  const { readFileSync } = await import('node:fs');
  for (const f of ['phieu-crypto.js', 'phieu-dkg.js', 'phieu-dkg-wire.js', 'phieu-dkg-messages.js',
    'phieu-json.js', 'phieu-passphrase.js', 'phieu-trustee.js']) {
    const src = readFileSync(new URL(`../../ballot/static/js/${f}`, import.meta.url), 'utf8');
    assert.doesNotMatch(src.replace(/^\s*\/\/.*$/gm, ''), /\bsubtle\b/, f);
  }
  // What a non-secure context offers: getRandomValues only.
  const real = globalThis.crypto;
  Object.defineProperty(globalThis, 'crypto', {
    value: { getRandomValues: (a) => real.getRandomValues(a) }, configurable: true, writable: true,
  });
  try {
    assert.equal(globalThis.crypto.subtle, undefined);
    const dkg = await import('../../ballot/static/js/phieu-dkg.js');
    const names = ['An', 'Bình', 'Chi'];
    const started = names.map((_, i) => dkg.start('lan', 1, names, 2, i + 1));
    const cs = dkg.verifyCommits(started.map((s) => s.message), 'lan', 1, names, 2);
    const shares = started.map((s) => dkg.makeShares(s.state, cs));
    const r = dkg.receive(started[0].state, cs, shares);
    const file = await sealShare({
      electionId: 'lan', round: 1, publicKey: r.key.publicKey, verificationKeys: r.key.verificationKeys,
      transcript: dkg.transcriptOf(cs), trustee: 1, name: 'An', secretShare: r.share,
      passphrase: 'Trăng rằm tháng Tám 2026', scryptN: 2 ** 14,
    });
    const opened = await openShare(file, 'Trăng rằm tháng Tám 2026', { electionId: 'lan' });
    assert.equal(opened.secretShare, r.share);
  } finally {
    Object.defineProperty(globalThis, 'crypto', { value: real, configurable: true, writable: true });
  }
});

test('shareFileName names each file as keys.sharefile.file_name does', () => {
  for (const f of S.files) assert.equal(shareFileName(S.election_id, f.trustee), f.file_name);
});
