"""A whole key ceremony played in one process (demo, rehearsal, tests, benchmarks),
the share file a trustee's device seals at the end of it, and the check it makes
before confirming the candidate manifest.

:func:`simulate` calls exactly the functions every trustee's device calls
(start → make_shares → receive), verifying every message as the board and the other
trustees would; only the fact that all devices are one process is simulated. It is
never the path of a real vote: there one process would know every share.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from keys import sharefile
from keys.errors import CryptoError
from keys.hashing import manifest_hash
from keys.nonces import SYSTEM, Nonces
from keys.shamir import ElectionKey
from keys.sharefile import DEFAULT_SCRYPT_N, OpenedShare, check_passphrase


def simulate(
    election_id: str,
    names: Sequence[str],
    k: int,
    passphrases: Sequence[str] | None = None,
    *,
    round: int = 1,
    nonces: Nonces = SYSTEM,
) -> tuple[ElectionKey, dict[str, Any], list[int]]:
    """Play every trustee's device → (election key, the manifest's ceremony object, shares).

    Given ``passphrases`` (one per trustee), each is checked as the device would before
    anything is drawn (a weak one is refused with its reason); seal the shares with
    :func:`share_file`.
    """
    from keys import dkg

    if passphrases is not None:
        if len(passphrases) != len(names):
            raise CryptoError("bad_parameters", "one passphrase per trustee")
        for p, name in zip(passphrases, names, strict=True):
            check_passphrase(p, name)
    states, commits = [], []
    for i in range(1, len(names) + 1):
        state, msg = dkg.start(election_id, round, names, k, i, nonces)
        states.append(state)
        commits.append(msg)
    contributions = [
        dkg.verify_commit(m, election_id, round, names, k, i) for i, m in enumerate(commits, 1)
    ]
    posted = [dkg.make_shares(s, contributions, nonces) for s in states]
    for i, m in enumerate(posted, 1):
        dkg.verify_shares_message(m, election_id, round, len(names), i)
    shares: list[int] = []
    key: ElectionKey | None = None
    for state in states:
        result = dkg.receive(state, contributions, posted)
        if isinstance(result, dkg.Complaint):
            raise CryptoError("dkg_complaint", f"trustee {result.trustee}: {result.reason}")
        share, key = result
        shares.append(share)
    states.clear()
    assert key is not None  # noqa: S101 - n ≥ 2 devices ran
    return key, dkg.ceremony_json(round, contributions), shares


def share_file(
    election_id: str,
    names: Sequence[str],
    k: int,
    ceremony: dict[str, Any],
    index: int,
    share: int,
    passphrase: str,
    scrypt_n: int = DEFAULT_SCRYPT_N,
) -> bytes:
    """Seal trustee ``index``'s share in a phieu-share/2 file recording the ceremony."""
    from keys import dkg

    key = dkg.joint_key_of(ceremony, election_id, names, k)
    ctx = dkg.context(election_id, ceremony["round"], names, k)
    digest_ = dkg.transcript(ctx, ceremony["contributions"])
    return sharefile.seal(
        election_id,
        ceremony["round"],
        key,
        digest_,
        index,
        names[index - 1],
        share,
        passphrase,
        scrypt_n,
    )


def check_candidate(manifest: object, opened: OpenedShare) -> bytes:
    """Before confirming: the candidate manifest's trustees section must be exactly what
    the share file recorded (vote, round, Y, every X, transcript) → the manifest hash."""
    from keys import dkg

    if not isinstance(manifest, dict) or not isinstance(manifest.get("trustees"), dict):
        raise CryptoError("bad_encoding", "manifest: expected an object with trustees")
    if manifest.get("election_id") != opened.election_id:
        raise CryptoError("share_other_election", f"manifest of {manifest.get('election_id')!r}")
    trustees = manifest["trustees"]
    names, k = trustees.get("names"), trustees.get("threshold")
    if not isinstance(names, list) or not isinstance(k, int):
        raise CryptoError("manifest_mismatch", "names or threshold missing")
    key = dkg.check_ceremony(trustees, opened.election_id, names, k)
    cer = trustees["ceremony"]
    ctx = dkg.context(opened.election_id, cer["round"], names, k)
    checks = [
        ("round", cer["round"] == opened.round),
        ("public key", key.public_key == opened.public_key),
        ("verification keys", key.verification_keys == opened.verification_keys),
        ("transcript", dkg.transcript(ctx, cer["contributions"]) == opened.transcript),
        ("trustee name", opened.trustee <= len(names) and names[opened.trustee - 1] == opened.name),
    ]
    for what, ok in checks:
        if not ok:
            raise CryptoError("manifest_mismatch", what)
    return manifest_hash(manifest)
