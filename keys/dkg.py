"""The dealer-free key ceremony: joint-Feldman distributed key generation.

Each trustee i, on their own device, draws a polynomial f_i of degree k−1, publishes
its Feldman commitments C_il = a_il·G with Schnorr proofs of knowledge, and sends every
other trustee j the sub-share s_ij = f_i(j), encrypted to j's ceremony key E_j
(ECDH + HKDF-SHA-256 + AES-256-GCM). Trustee j checks each s_ij against C_i·, and its
share is x_j = Σ_i s_ij. The election key is Y = Σ_i C_i0; nobody ever holds its
secret. Every proof is bound by Fiat–Shamir to the ceremony context (vote, round,
n, k, names), so a message of another vote or an earlier round never verifies.
docs/crypto.md §3 is the specification; tests/vectors/dkg.json pins it byte for byte.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from keys.codes import group_code
from keys.dkg_messages import (
    COMPLAINT,
    CONFIRM,
    DONE,
    REASONS,
    Complaint,
    confirm,
    done_message,
    verify_complaint,
    verify_confirm,
    verify_done,
)
from keys.dkg_sim import check_candidate, share_file, simulate
from keys.dkg_wire import (
    SHARES,
    Contribution,
    context,
    fields,
    header,
    integer,
    parse_contribution,
    verify_shares_message,
)
from keys.dkg_wire import prove_knowledge as _prove
from keys.errors import CryptoError
from keys.group import N, Point, base_mul, point_sum
from keys.hashing import (
    TAG_DKG_CEREMONY_KEY,
    TAG_DKG_COEFFICIENT,
    TAG_DKG_SHARE_AAD,
    TAG_DKG_SHARE_KEY,
    TAG_DKG_TRANSCRIPT,
    canonical_json,
    digest,
    u32,
)
from keys.nonces import SYSTEM, Nonces
from keys.shamir import ElectionKey, check_key, check_parameters, expected_verification_key

COMMIT: Final = "phieu-dkg-commit/1"
_COMMIT_KEYS = {"format", "election_id", "ceremony", "trustee", "ceremony_key"}
_COMMIT_KEYS |= {"ceremony_key_proof", "commitments", "proofs"}
_CONTRIBUTION_KEYS = {"index", "ceremony_key", "ceremony_key_proof", "commitments", "proofs"}


class TrusteeState:
    """One trustee's device during the ceremony: its ceremony secret e_i and polynomial.

    The secrets are never part of any message; ``repr`` does not show them.
    """

    __slots__ = ("_coefficients", "_e", "ctx", "election_id", "index", "k", "names", "round")

    def __init__(
        self,
        election_id: str,
        round: int,
        names: Sequence[str],
        k: int,
        index: int,
        e: int,
        coefficients: Sequence[int],
    ) -> None:
        self.ctx = context(election_id, round, names, k)
        if not 1 <= index <= len(names):
            raise CryptoError("bad_parameters", f"trustee {index} outside 1..{len(names)}")
        if not 0 < e < N or len(coefficients) != k or not all(0 < a < N for a in coefficients):
            raise CryptoError("dkg_bad_state", "secrets out of range")
        self.election_id, self.round, self.names = election_id, round, tuple(names)
        self.k, self.index = k, index
        self._e, self._coefficients = e, tuple(coefficients)

    def __repr__(self) -> str:
        return f"TrusteeState({self.election_id!r}, round {self.round}, trustee {self.index})"

    @classmethod
    def start(
        cls,
        election_id: str,
        round: int,
        names: Sequence[str],
        k: int,
        index: int,
        nonces: Nonces = SYSTEM,
    ) -> tuple[TrusteeState, dict[str, Any]]:
        """Round 1: draw e_i and a_i0…a_i,k−1 (order e, w(E), a_0, w(C_0), …) → (state, commit)."""
        ctx = context(election_id, round, names, k)
        e = nonces.scalar()
        big_e = base_mul(e)
        key_proof = _prove(TAG_DKG_CEREMONY_KEY, [ctx, u32(index), big_e.to_bytes()], e, nonces)
        coefficients, commitments, proofs = [], [], []
        for l_ in range(k):
            a = nonces.scalar()
            c = base_mul(a)
            parts = [ctx, u32(index), u32(l_), c.to_bytes()]
            proofs.append(_prove(TAG_DKG_COEFFICIENT, parts, a, nonces))
            coefficients.append(a)
            commitments.append(c.hex())
        state = cls(election_id, round, names, k, index, e, coefficients)
        message = {
            "format": COMMIT,
            "election_id": election_id,
            "ceremony": round,
            "trustee": index,
            "ceremony_key": big_e.hex(),
            "ceremony_key_proof": key_proof,
            "commitments": commitments,
            "proofs": proofs,
        }
        return state, message

    def evaluate(self, z: int) -> int:
        """f_i(z) = Σ_l a_il·z^l mod N."""
        acc = 0
        for a in reversed(self._coefficients):
            acc = (acc * z + a) % N
        return acc

    def export_secrets(self) -> dict[str, Any]:
        """Everything needed to resume (for the CLI's passphrase-sealed state file only)."""
        return {
            "election_id": self.election_id,
            "ceremony": self.round,
            "names": list(self.names),
            "threshold": self.k,
            "trustee": self.index,
            "e": f"{self._e:064x}",
            "coefficients": [f"{a:064x}" for a in self._coefficients],
        }

    @classmethod
    def restore(cls, obj: Any) -> TrusteeState:
        """Inverse of :meth:`export_secrets`."""
        from keys.group import scalar_from_hex

        keys = {"election_id", "ceremony", "names", "threshold", "trustee", "e", "coefficients"}
        try:
            body = fields(obj, keys, "state")
            return cls(
                body["election_id"],
                body["ceremony"],
                body["names"],
                body["threshold"],
                body["trustee"],
                scalar_from_hex(body["e"]),
                [scalar_from_hex(a) for a in body["coefficients"]],
            )
        except (CryptoError, TypeError) as err:
            raise CryptoError("dkg_bad_state", str(err)) from None

    def _ecdh(self, other: Contribution) -> bytes:
        return (other.ceremony_key * self._e).to_bytes()


def start(
    election_id: str,
    round: int,
    names: Sequence[str],
    k: int,
    index: int,
    nonces: Nonces = SYSTEM,
) -> tuple[TrusteeState, dict[str, Any]]:
    """Round 1 for trustee ``index``: its device state and the commit message to post."""
    return TrusteeState.start(election_id, round, names, k, index, nonces)


def verify_commit(
    msg: object,
    election_id: str,
    round: int,
    names: Sequence[str],
    k: int,
    index: int | None = None,
) -> Contribution:
    """Check a commit message (shape, vote, round, sender, every proof) → its contribution."""
    ctx = context(election_id, round, names, k)
    body, i = header(msg, _COMMIT_KEYS, COMMIT, election_id, round, len(names))
    if index is not None and i != index:
        raise CryptoError("dkg_wrong_trustee", f"commit of trustee {i} posted by trustee {index}")
    return parse_contribution(ctx, i, body, k, f"trustee {i}")


def _check_set(contributions: Sequence[Contribution], ctx: bytes, n: int) -> None:
    seen = [c.index for c in contributions]
    if len(set(seen)) != len(seen):
        raise CryptoError("dkg_duplicate", "two contributions of the same trustee")
    if seen != list(range(1, n + 1)):
        raise CryptoError("dkg_missing", f"need the contributions of trustees 1..{n} in order")
    if any(c.ctx != ctx for c in contributions):
        raise CryptoError("dkg_wrong_round", "a contribution belongs to another ceremony")


def _aad(ctx: bytes, i: int, j: int, e_i: Point, e_j: Point) -> bytes:
    return digest(TAG_DKG_SHARE_AAD, ctx, u32(i), u32(j), e_i.to_bytes(), e_j.to_bytes())


def _share_key(ctx: bytes, i: int, j: int, ikm: bytes) -> bytes:
    info = TAG_DKG_SHARE_KEY + u32(i) + u32(j)  # raw prefix, not length-prefixed
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=ctx, info=info).derive(ikm)


def make_shares(
    state: TrusteeState, contributions: list[Contribution], nonces: Nonces = SYSTEM
) -> dict[str, Any]:
    """Round 2: s_ij = f_i(j) for each j ≠ i (ascending), each encrypted to E_j."""
    i = state.index
    _check_set(contributions, state.ctx, len(state.names))
    mine = contributions[i - 1]
    if mine.ceremony_key != base_mul(state._e) or mine.commitments != tuple(
        base_mul(a) for a in state._coefficients
    ):
        raise CryptoError("dkg_key_mismatch", f"trustee {i}: the board shows another commitment")
    out = []
    for other in contributions:
        j = other.index
        if j == i:
            continue
        key = _share_key(state.ctx, i, j, state._ecdh(other))
        nonce = nonces.scalar().to_bytes(32, "big")[:12]
        if state.evaluate(j) == 0:  # probability 2^-256; a zero sub-share is refused anyway
            raise CryptoError("dkg_bad_state", "zero sub-share: run start again")
        aad = _aad(state.ctx, i, j, mine.ceremony_key, other.ceremony_key)
        data = AESGCM(key).encrypt(nonce, state.evaluate(j).to_bytes(32, "big"), aad)
        out.append({"to": j, "nonce": nonce.hex(), "data": data.hex()})
    return {
        "format": SHARES,
        "election_id": state.election_id,
        "ceremony": state.round,
        "trustee": i,
        "shares": out,
    }


def joint_key(contributions: Sequence[Contribution], k: int) -> ElectionKey:
    """A_l = Σ_i C_il, Y = A_0, X_m = Σ_l m^l·A_l."""
    n = len(contributions)
    check_parameters(k, n)
    if any(len(c.commitments) != k for c in contributions):
        raise CryptoError("dkg_bad_message", f"every contribution has {k} commitments")
    a = tuple(point_sum([c.commitments[l_] for c in contributions]) for l_ in range(k))
    if a[0].is_infinity:
        raise CryptoError("dkg_key_mismatch", "the joint key is the point at infinity")
    key = ElectionKey(k, a, tuple(expected_verification_key(a, m) for m in range(1, n + 1)))
    check_key(key)
    return key


def receive(
    state: TrusteeState, contributions: list[Contribution], shares_msgs: list[dict[str, Any]]
) -> tuple[int, ElectionKey] | Complaint:
    """Round 3 for trustee j: check every s_ij → (x_j, joint key), or the first complaint."""
    j, n = state.index, len(state.names)
    _check_set(contributions, state.ctx, n)
    by_sender: dict[int, dict[str, Any]] = {}
    for msg in shares_msgs:
        verify_shares_message(msg, state.election_id, state.round, n)
        if msg["trustee"] in by_sender:
            raise CryptoError("dkg_duplicate", f"two shares messages of trustee {msg['trustee']}")
        by_sender[msg["trustee"]] = msg
    missing = [i for i in range(1, n + 1) if i != j and i not in by_sender]
    if missing:
        raise CryptoError("dkg_missing", f"no shares message from trustee {missing[0]}")
    mine = contributions[j - 1]
    x = state.evaluate(j)
    for sender in contributions:
        i = sender.index
        if i == j:
            continue
        entry = next(e for e in by_sender[i]["shares"] if e["to"] == j)
        aes = _share_key(state.ctx, i, j, state._ecdh(sender))
        aad = _aad(state.ctx, i, j, sender.ceremony_key, mine.ceremony_key)
        try:
            plain = AESGCM(aes).decrypt(
                bytes.fromhex(entry["nonce"]), bytes.fromhex(entry["data"]), aad
            )
        except InvalidTag:
            return Complaint(state.election_id, state.round, j, i, "undecryptable")
        s = int.from_bytes(plain, "big")
        if not 0 < s < N or base_mul(s) != expected_verification_key(sender.commitments, j):
            return Complaint(state.election_id, state.round, j, i, "bad_share")
        x = (x + s) % N
    key = joint_key(contributions, state.k)
    if x == 0 or base_mul(x) != key.verification_keys[j - 1]:
        raise CryptoError("dkg_key_mismatch", f"trustee {j}: share does not match X_{j}")
    return x, key


def ceremony_json(round: int, contributions: Sequence[Contribution]) -> dict[str, Any]:
    """The manifest's ``trustees.ceremony`` object."""
    return {"round": round, "contributions": [c.to_json() for c in contributions]}


def transcript(ctx: bytes, contributions_json: list[Any]) -> bytes:
    """digest(TAG_DKG_TRANSCRIPT, ctx, canonical_json(contributions))."""
    return digest(TAG_DKG_TRANSCRIPT, ctx, canonical_json(contributions_json))


def transcript_of(contributions: Sequence[Contribution]) -> bytes:
    """The transcript of verified contributions (all of one ceremony, ascending)."""
    _check_set(contributions, contributions[0].ctx, len(contributions))
    return transcript(contributions[0].ctx, [c.to_json() for c in contributions])


def fingerprint(digest_: bytes) -> str:
    """The first 32 hex characters (128 bits) in groups of 4, read aloud device to device
    before any sub-share is sent (fewer bits would allow a birthday search)."""
    return group_code(digest_.hex()[:32])


def parse_ceremony(
    ceremony: object, election_id: str, names: Sequence[str], k: int
) -> list[Contribution]:
    """Verify a manifest's ``ceremony`` object (ctx recomputed, every proof) → contributions."""
    cer = fields(ceremony, {"round", "contributions"}, "trustees.ceremony")
    round_ = integer(cer["round"], "ceremony round", 1, 2**32 - 1)
    ctx = context(election_id, round_, names, k)
    items = cer["contributions"]
    if not isinstance(items, list) or len(items) != len(names):
        raise CryptoError("dkg_missing", f"need {len(names)} contributions")
    contributions = []
    for i, item in enumerate(items, start=1):
        c = fields(item, _CONTRIBUTION_KEYS, f"contribution {i}")
        if integer(c["index"], f"contribution {i}: index", 1, len(names)) != i:
            raise CryptoError("dkg_wrong_trustee", f"contribution {i} has index {c['index']}")
        contributions.append(parse_contribution(ctx, i, c, k, f"trustee {i}"))
    return contributions


def joint_key_of(ceremony: object, election_id: str, names: Sequence[str], k: int) -> ElectionKey:
    """The election key a verified ``ceremony`` object yields."""
    return joint_key(parse_ceremony(ceremony, election_id, names, k), k)


def check_ceremony(
    trustees_json: object, election_id: str, names: Sequence[str], k: int
) -> ElectionKey:
    """The verifier's check of a manifest's trustees section: recompute ctx, verify every
    proof, A_l = Σ_i C_il, Y = A_0 and every X_m; return the election key."""
    keys = {"names", "threshold", "public_key", "commitments", "verification_keys", "ceremony"}
    body = fields(trustees_json, keys, "trustees")
    if body["names"] != list(names) or body["threshold"] != k:
        raise CryptoError("dkg_bad_message", "trustees: names or threshold differ")
    key = joint_key_of(body["ceremony"], election_id, names, k)
    published = ElectionKey.from_json({a: body[a] for a in keys - {"names", "ceremony"}})
    if published != key:
        raise CryptoError("dkg_key_mismatch", "published keys are not the sum of contributions")
    return key


__all__ = [
    "COMMIT",
    "COMPLAINT",
    "CONFIRM",
    "DONE",
    "REASONS",
    "SHARES",
    "Complaint",
    "Contribution",
    "TrusteeState",
    "ceremony_json",
    "check_candidate",
    "check_ceremony",
    "confirm",
    "context",
    "done_message",
    "fingerprint",
    "joint_key",
    "joint_key_of",
    "make_shares",
    "parse_ceremony",
    "receive",
    "share_file",
    "simulate",
    "start",
    "transcript",
    "transcript_of",
    "verify_commit",
    "verify_complaint",
    "verify_confirm",
    "verify_done",
    "verify_shares_message",
]
