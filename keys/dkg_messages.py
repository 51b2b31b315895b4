"""The ceremony's closing messages: done, complaint and the confirmation of the manifest.

Re-exported by :mod:`keys.dkg`; see docs/crypto.md §3.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from keys.dkg_wire import fields, header, integer
from keys.dkg_wire import prove_knowledge as _prove
from keys.dkg_wire import verify_knowledge as _verify
from keys.errors import CryptoError
from keys.group import Point, base_mul
from keys.hashing import TAG_DKG_CONFIRM, TAG_DKG_DONE, u32
from keys.nonces import SYSTEM, Nonces
from keys.shamir import ElectionKey

if TYPE_CHECKING:
    from keys.dkg import TrusteeState

DONE: Final = "phieu-dkg-done/1"
COMPLAINT: Final = "phieu-dkg-complaint/1"
CONFIRM: Final = "phieu-dkg-confirm/1"
REASONS: Final = ("undecryptable", "bad_share")
_DONE_KEYS = {"format", "election_id", "ceremony", "trustee", "public_key", "verification_keys"}
_DONE_KEYS |= {"transcript", "proof"}
_COMPLAINT_KEYS = {"format", "election_id", "ceremony", "trustee", "against", "reason"}
_CONFIRM_KEYS = {"format", "election_id", "trustee", "manifest", "proof"}


@dataclass(frozen=True)
class Complaint:
    """Trustee ``trustee`` accuses ``against``: its sub-share is undecryptable or bad."""

    election_id: str
    round: int
    trustee: int
    against: int
    reason: str

    def to_json(self) -> dict[str, Any]:
        """The complaint message to post."""
        return {
            "format": COMPLAINT,
            "election_id": self.election_id,
            "ceremony": self.round,
            "trustee": self.trustee,
            "against": self.against,
            "reason": self.reason,
        }


def done_message(
    state: TrusteeState,
    share: int,
    key: ElectionKey,
    transcript: bytes,
    nonces: Nonces = SYSTEM,
) -> dict[str, Any]:
    """The done message: the joint key as trustee j computed it, with a proof of x_j
    (P = X_j) bound to ctx and the transcript, so that nobody else can post it."""
    j = state.index
    x_j = base_mul(share)
    if share == 0 or x_j != key.verification_keys[j - 1]:
        raise CryptoError("share_mismatch", f"trustee {j}")
    parts = [state.ctx, transcript, u32(j), x_j.to_bytes()]
    return {
        "format": DONE,
        "election_id": state.election_id,
        "ceremony": state.round,
        "trustee": j,
        "public_key": key.public_key.hex(),
        "verification_keys": [x.hex() for x in key.verification_keys],
        "transcript": transcript.hex(),
        "proof": _prove(TAG_DKG_DONE, parts, share, nonces),
    }


def verify_done(
    msg: object,
    ctx: bytes,
    transcript: bytes,
    key: ElectionKey,
    *,
    election_id: str | None = None,
    round: int | None = None,
    sender: int | None = None,
) -> int:
    """A done message must carry this transcript, agree with the key computed from the
    commitments, and prove knowledge of x_j → trustee index."""
    body = fields(msg, _DONE_KEYS, "done message")
    if body["format"] != DONE:
        raise CryptoError("dkg_bad_message", f"done message: format is not {DONE}")
    if election_id is not None and body["election_id"] != election_id:
        raise CryptoError("dkg_other_vote", f"done message for {body['election_id']!r}")
    got = integer(body["ceremony"], "done message: ceremony", 1, 2**32 - 1)
    if round is not None and got != round:
        raise CryptoError("dkg_wrong_round", f"done message: round {got}, expected {round}")
    j = integer(body["trustee"], "done message: trustee", 1, key.trustees)
    if sender is not None and j != sender:
        raise CryptoError("dkg_wrong_trustee", f"done of trustee {j} posted by trustee {sender}")
    if body["transcript"] != transcript.hex():
        raise CryptoError("dkg_key_mismatch", f"trustee {j} saw another transcript")
    if body["public_key"] != key.public_key.hex() or body["verification_keys"] != [
        x.hex() for x in key.verification_keys
    ]:
        raise CryptoError("dkg_key_mismatch", f"trustee {j} reports another key")
    x_j = key.verification_keys[j - 1]
    parts = [ctx, transcript, u32(j), x_j.to_bytes()]
    _verify(TAG_DKG_DONE, parts, x_j, body["proof"], f"done of trustee {j}")
    return j


def verify_complaint(
    msg: object,
    election_id: str,
    round: int,
    n: int,
    sender: int | None = None,
) -> Complaint:
    """Parse a complaint message (the board shows it; it does not adjudicate)."""
    body, j = header(msg, _COMPLAINT_KEYS, COMPLAINT, election_id, round, n)
    if sender is not None and j != sender:
        raise CryptoError("dkg_wrong_trustee", f"complaint of trustee {j} posted by {sender}")
    against = integer(body["against"], "complaint: against", 1, n)
    if against == j or body["reason"] not in REASONS:
        raise CryptoError("dkg_bad_message", "complaint: bad accused trustee or reason")
    return Complaint(election_id, round, j, against, body["reason"])


def _confirm_parts(manifest_hash: bytes, j: int, x_j: Point) -> list[bytes]:
    return [manifest_hash, u32(j), x_j.to_bytes()]


def confirm(
    manifest_hash: bytes,
    index: int,
    share: int,
    nonces: Nonces = SYSTEM,
    *,
    election_id: str,
) -> dict[str, Any]:
    """Trustee ``index`` confirms the candidate manifest: a proof of x_j bound to its hash."""
    x_j = base_mul(share)
    proof = _prove(TAG_DKG_CONFIRM, _confirm_parts(manifest_hash, index, x_j), share, nonces)
    return {
        "format": CONFIRM,
        "election_id": election_id,
        "trustee": index,
        "manifest": manifest_hash.hex(),
        "proof": proof,
    }


def verify_confirm(
    msg: object, manifest_hash: bytes, key: ElectionKey, election_id: str | None = None
) -> int:
    """Check a confirmation against X_j and the manifest hash → trustee index."""
    body = fields(msg, _CONFIRM_KEYS, "confirmation")
    if body["format"] != CONFIRM:
        raise CryptoError("dkg_bad_message", f"confirmation: format is not {CONFIRM}")
    if election_id is not None and body["election_id"] != election_id:
        raise CryptoError("dkg_other_vote", f"confirmation for {body['election_id']!r}")
    j = integer(body["trustee"], "confirmation: trustee", 1, key.trustees)
    if body["manifest"] != manifest_hash.hex():
        raise CryptoError("dkg_bad_confirm", f"trustee {j} confirmed another manifest")
    x_j = key.verification_keys[j - 1]
    try:
        _verify(TAG_DKG_CONFIRM, _confirm_parts(manifest_hash, j, x_j), x_j, body["proof"], "")
    except CryptoError as err:
        raise CryptoError("dkg_bad_confirm", f"trustee {j}: {err.code}") from None
    return j
