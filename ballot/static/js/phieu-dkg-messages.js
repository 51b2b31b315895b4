// The ceremony's closing messages (twin of keys/dkg_messages.py): done, complaint and
// the confirmation of the manifest about to be frozen. Re-exported by phieu-dkg.js.
import { CryptoError, pointBytes, pointHex, systemNonces, baseMul, mod, u32, TAGS } from './phieu-crypto.js';
import {
  FORMATS, U32_MAX, bad, canonicalText, exactKeysOr, fixedHex, header, integer, proveKnowledge, toHexBytes,
  verifyKnowledge,
} from './phieu-dkg-wire.js';
import { pyRepr } from './phieu-repr.js';

/** ElectionKey.to_json: {"threshold", "public_key", "commitments", "verification_keys"}. */
export function keyJson(key) {
  return {
    threshold: key.threshold, public_key: pointHex(key.publicKey),
    commitments: key.commitments.map(pointHex), verification_keys: key.verificationKeys.map(pointHex),
  };
}

/**
 * The done message: the joint key as trustee state.index computed it, with a proof of x_j
 * (P = X_j) under TAG_DKG_DONE over (ctx, transcript, u32(j), X_j, R), so that nobody
 * else (not the board) can post it.
 */
export function doneMessage(state, share, key, transcript, nonces = systemNonces) {
  const j = state.index;
  const x = mod(share);
  const X = baseMul(x);
  if (x === 0n || pointHex(X) !== pointHex(key.verificationKeys[j - 1])) {
    throw new CryptoError('share_mismatch', `trustee ${j}`);
  }
  const kj = keyJson(key);
  const proof = proveKnowledge(TAGS.DKG_DONE, [state.ctx, transcript, u32(j), pointBytes(X)], x, nonces);
  return {
    format: FORMATS.done, election_id: state.electionId, ceremony: state.round, trustee: j,
    public_key: kj.public_key, verification_keys: kj.verification_keys, transcript: toHexBytes(transcript), proof,
  };
}

/**
 * A done message must carry this transcript, agree with the key computed from the
 * commitments and prove knowledge of x_j → trustee index (keys.dkg.verify_done).
 * `opts` = {electionId, round, sender}, each optional.
 */
export function verifyDone(msg, ctx, transcript, key, opts = {}) {
  exactKeysOr(msg, DONE_KEYS, 'done message');
  if (msg.format !== FORMATS.done) throw bad(`done message: format is not ${FORMATS.done}`);
  if (opts.electionId != null && msg.election_id !== opts.electionId) {
    throw new CryptoError('dkg_other_vote', `done message for ${pyRepr(msg.election_id)}`);
  }
  const got = integer(msg.ceremony, 'done message: ceremony', 1, U32_MAX);
  if (opts.round != null && got !== opts.round) {
    throw new CryptoError('dkg_wrong_round', `done message: round ${got}, expected ${opts.round}`);
  }
  const j = integer(msg.trustee, 'done message: trustee', 1, key.verificationKeys.length);
  if (opts.sender != null && j !== opts.sender) {
    throw new CryptoError('dkg_wrong_trustee', `done of trustee ${j} posted by trustee ${opts.sender}`);
  }
  if (msg.transcript !== toHexBytes(transcript)) throw new CryptoError('dkg_key_mismatch', `trustee ${j} saw another transcript`);
  const kj = keyJson(key);
  if (msg.public_key !== kj.public_key || !Array.isArray(msg.verification_keys) ||
      canonicalText(msg.verification_keys) !== canonicalText(kj.verification_keys)) {
    throw new CryptoError('dkg_key_mismatch', `trustee ${j} reports another key`);
  }
  const X = key.verificationKeys[j - 1];
  verifyKnowledge(TAGS.DKG_DONE, [ctx, transcript, u32(j), pointBytes(X)], X, msg.proof, `done of trustee ${j}`);
  return j;
}

/** Parse a complaint message (shown to every trustee; nobody adjudicates) → the message. */
export function verifyComplaint(msg, electionId, round, n, sender = null) {
  const j = header(msg, COMPLAINT_KEYS, FORMATS.complaint, electionId, round, n);
  if (sender != null && j !== sender) throw new CryptoError('dkg_wrong_trustee', `complaint of ${j} posted by ${sender}`);
  const against = integer(msg.against, 'complaint: against', 1, n);
  if (against === j || !REASONS.includes(msg.reason)) throw bad('complaint: bad accused trustee or reason');
  return msg;
}

const DONE_KEYS = ['format', 'election_id', 'ceremony', 'trustee', 'public_key', 'verification_keys',
  'transcript', 'proof'];
const COMPLAINT_KEYS = ['format', 'election_id', 'ceremony', 'trustee', 'against', 'reason'];
export const REASONS = Object.freeze(['undecryptable', 'bad_share']);

/** The complaint message of trustee state.index against `against`. */
export function complaint(state, against, reason) {
  return {
    complaint: {
      format: FORMATS.complaint, election_id: state.electionId, ceremony: state.round,
      trustee: state.index, against, reason,
    },
  };
}

/** Trustee j's confirm message: proof of x_j under (manifest hash, u32(j), X_j, R). */
export function confirm(manifestHash, index, share, nonces = systemNonces, electionId) {
  if (typeof electionId !== 'string') throw new CryptoError('bad_parameters', 'confirm needs the election id');
  const mh = typeof manifestHash === 'string' ? fixedHex(manifestHash, 'manifest hash', 32) : manifestHash;
  const x = mod(share);
  if (x === 0n) throw new CryptoError('bad_parameters', 'share is zero');
  const X = baseMul(x);
  const proof = proveKnowledge(TAGS.DKG_CONFIRM, [mh, u32(index), pointBytes(X)], x, nonces);
  return { format: FORMATS.confirm, election_id: electionId, trustee: index, manifest: toHexBytes(mh), proof };
}

/** Check a confirm message against X_j and the manifest hash; returns the trustee index. */
export function verifyConfirm(msg, manifestHash, key, electionId = null) {
  const mh = typeof manifestHash === 'string' ? fixedHex(manifestHash, 'manifest hash', 32) : manifestHash;
  exactKeysOr(msg, ['format', 'election_id', 'trustee', 'manifest', 'proof'], 'confirmation');
  if (msg.format !== FORMATS.confirm) throw bad(`confirmation: format is not ${FORMATS.confirm}`);
  if (electionId != null && msg.election_id !== electionId) {
    throw new CryptoError('dkg_other_vote', `confirmation for ${pyRepr(msg.election_id)}`);
  }
  const j = integer(msg.trustee, 'confirmation: trustee', 1, key.verificationKeys.length);
  if (msg.manifest !== toHexBytes(mh)) throw new CryptoError('dkg_bad_confirm', `trustee ${j} confirmed another manifest`);
  const X = key.verificationKeys[j - 1];
  try {
    verifyKnowledge(TAGS.DKG_CONFIRM, [mh, u32(j), pointBytes(X)], X, msg.proof, `confirm ${j}`);
  } catch (err) {
    throw new CryptoError('dkg_bad_confirm', `trustee ${j}: ${err.code}`);
  }
  return j;
}
