"""The dealer-free key ceremony (keys/dkg.py) end to end, and every attack a dishonest
bulletin board (server), secretariat or trustee could try on it."""

from __future__ import annotations

import copy
import itertools
import json
import unicodedata

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from keys import dkg, sharefile
from keys.ballot import encrypt_ballot
from keys.decryption import DiscreteLog, combine, decode_counts, partial_decrypt, verify_partial
from keys.elgamal import aggregate
from keys.errors import CryptoError
from keys.group import N, base_mul
from keys.hashing import digest
from keys.nonces import DeterministicNonces
from keys.shamir import check_parameters, lagrange_at_zero
from tests.keys_helpers import card_key

E = "hđnd-2026-ceremony"
NAMES = ["Nguyễn Văn An", "Lê Thị Bình", "Trần Văn Cường"]
K = 2


class Ceremony:
    """Three devices and the board between them (every message kept, as a recorder would)."""

    def __init__(self, round_: int = 1, election_id: str = E, seed: bytes = b"c") -> None:
        self.round, self.election_id = round_, election_id
        self.nonces = [DeterministicNonces(seed + bytes([i])) for i in range(3)]
        pairs = [dkg.start(election_id, round_, NAMES, K, i, self.nonces[i - 1]) for i in (1, 2, 3)]
        self.states = [s for s, _ in pairs]
        self.commits = [m for _, m in pairs]
        self.contributions = [
            dkg.verify_commit(m, election_id, round_, NAMES, K, i)
            for i, m in enumerate(self.commits, 1)
        ]
        self.shares_msgs = [
            dkg.make_shares(s, self.contributions, self.nonces[s.index - 1]) for s in self.states
        ]

    def finish(self):
        results = [dkg.receive(s, self.contributions, self.shares_msgs) for s in self.states]
        assert not any(isinstance(r, dkg.Complaint) for r in results)
        return [r[0] for r in results], results[0][1]  # type: ignore[index]


@pytest.fixture(scope="module")
def run():
    return Ceremony()


def test_three_trustees_make_a_key_that_any_two_decrypt(run):
    shares, key = run.finish()
    assert key.threshold == 2 and key.trustees == 3
    digest_ = dkg.transcript_of(run.contributions)
    for s in run.states:
        assert dkg.receive(s, run.contributions, run.shares_msgs)[1] == key
        done = dkg.done_message(s, shares[s.index - 1], key, digest_)
        assert dkg.verify_done(done, s.ctx, digest_, key, election_id=E, round=1) == s.index
    trustees = {
        "names": NAMES,
        **key.to_json(),
        "ceremony": dkg.ceremony_json(1, run.contributions),
    }
    assert dkg.check_ceremony(json.loads(json.dumps(trustees)), E, NAMES, K) == key
    # The secret is Σ a_i0; nobody ever held it, but any two shares interpolate it.
    secret = sum(s.evaluate(0) for s in run.states) % N
    assert base_mul(secret) == key.public_key
    from keys.ballot import ElectionContext

    ctx = ElectionContext(digest(b"m", b"dkg"), key.public_key, "rating", 2, 11)
    choices = [[1, 2], [3, 1], [1, 0], [2, 2]]
    cast = [encrypt_ballot(ctx, card_key(i), c) for i, c in enumerate(choices)]
    totals = [aggregate([b.rows[r].ct for b in cast]) for r in range(2)]
    parts = {
        i: partial_decrypt(ctx.manifest_hash, key, i, shares[i - 1], totals) for i in (1, 2, 3)
    }
    for p in parts.values():
        verify_partial(ctx.manifest_hash, key, totals, p)
    dlog = DiscreteLog(4 * 11**2, 2)
    for pair in itertools.combinations((1, 2, 3), 2):
        points = combine(key, totals, [parts[i] for i in pair])
        counts = [decode_counts(dlog.solve(p), 11, 3) for p in points]
        assert counts == [(2, 1, 1), (1, 2, 0)]


def test_one_share_alone_is_not_the_secret(run):
    shares, key = run.finish()
    assert all(base_mul(x) != key.public_key for x in shares)
    lam = lagrange_at_zero([1, 2])
    assert base_mul((lam[1] * shares[0] + lam[2] * shares[1]) % N) == key.public_key


def _bump(hex_scalar: str) -> str:
    return f"{(int(hex_scalar, 16) + 1) % N:064x}"


def _refused(code, fn, *args, **kwargs):
    with pytest.raises(CryptoError) as err:
        fn(*args, **kwargs)
    assert err.value.code == code, err.value
    return err.value


def test_forged_commitment_and_ceremony_key_proofs_are_refused(run):
    forged = copy.deepcopy(run.commits[1])
    forged["proofs"][1]["u"] = _bump(forged["proofs"][1]["u"])
    err = _refused("dkg_bad_proof", dkg.verify_commit, forged, E, 1, NAMES, K)
    assert "trustee 2" in err.detail and "coefficient 1" in err.detail
    forged = copy.deepcopy(run.commits[0])
    forged["ceremony_key_proof"]["c"] = _bump(forged["ceremony_key_proof"]["c"])
    err = _refused("dkg_bad_proof", dkg.verify_commit, forged, E, 1, NAMES, K)
    assert "ceremony key" in err.detail
    # A rogue key: a commitment whose discrete log the sender does not know.
    rogue = copy.deepcopy(run.commits[2])
    rogue["commitments"][0] = (
        base_mul(7) - run.contributions[0].commitments[0] - run.contributions[1].commitments[0]
    ).hex()
    _refused("dkg_bad_proof", dkg.verify_commit, rogue, E, 1, NAMES, K)


def test_messages_of_another_vote_or_round_are_refused(run):
    _refused("dkg_other_vote", dkg.verify_commit, run.commits[0], "other", 1, NAMES, K)
    _refused("dkg_wrong_round", dkg.verify_commit, run.commits[0], E, 2, NAMES, K)
    # Replaying a round-1 message into round 2 with its round number edited: the proofs
    # are bound to the round through ctx.
    replay = copy.deepcopy(run.commits[0]) | {"ceremony": 2}
    _refused("dkg_bad_proof", dkg.verify_commit, replay, E, 2, NAMES, K)
    other = copy.deepcopy(run.commits[0]) | {"election_id": "other"}
    _refused("dkg_bad_proof", dkg.verify_commit, other, "other", 1, NAMES, K)
    _refused("dkg_wrong_round", dkg.verify_shares_message, run.shares_msgs[0], E, 2, 3)
    _refused("dkg_other_vote", dkg.verify_shares_message, run.shares_msgs[0], "x", 1, 3)
    renamed = [*NAMES[:2], "Trần Văn Cường Giả"]
    _refused("dkg_bad_proof", dkg.verify_commit, run.commits[0], E, 1, renamed, K)
    # Sub-shares of round 1 replayed in round 2 do not decrypt there.
    later = Ceremony(round_=2)
    old = [copy.deepcopy(m) | {"ceremony": 2} for m in run.shares_msgs]
    result = dkg.receive(later.states[0], later.contributions, old)
    assert isinstance(result, dkg.Complaint) and result.reason == "undecryptable"


def test_posting_for_another_index_or_twice_is_refused(run):
    _refused("dkg_wrong_trustee", dkg.verify_commit, run.commits[1], E, 1, NAMES, K, index=1)
    relabelled = copy.deepcopy(run.commits[2]) | {"trustee": 2}
    _refused("dkg_bad_proof", dkg.verify_commit, relabelled, E, 1, NAMES, K)
    _refused("dkg_wrong_trustee", dkg.verify_shares_message, run.shares_msgs[1], E, 1, 3, 1)
    c = run.contributions
    _refused("dkg_duplicate", dkg.make_shares, run.states[0], [c[0], c[1], c[1]])
    _refused("dkg_missing", dkg.make_shares, run.states[0], [c[0], c[1]])
    _refused("dkg_missing", dkg.receive, run.states[0], [c[0], c[2], c[1]], run.shares_msgs)
    twice = [run.shares_msgs[1], run.shares_msgs[1], run.shares_msgs[2]]
    _refused("dkg_duplicate", dkg.receive, run.states[0], c, twice)
    _refused("dkg_missing", dkg.receive, run.states[0], c, run.shares_msgs[:2])
    for bad in (
        {"trustee": True},
        {"ceremony": 1.0},
        {"extra": 1},
        {"commitments": run.commits[0]["commitments"][:1]},
        {"commitments": ["00", run.commits[0]["commitments"][1]]},
    ):
        msg = copy.deepcopy(run.commits[0]) | bad
        with pytest.raises(CryptoError):
            dkg.verify_commit(msg, E, 1, NAMES, K)


def test_the_board_cannot_change_what_a_trustee_committed(run):
    """A board showing trustee 1 another trustee-1 commitment: its device refuses."""
    other = Ceremony(seed=b"other")
    mixed = [other.contributions[0], *run.contributions[1:]]
    _refused("dkg_key_mismatch", dkg.make_shares, run.states[0], mixed)


def test_a_bad_sub_share_gives_a_complaint_naming_the_sender(run):
    state2, c = run.states[1], run.contributions
    aes = dkg._share_key(state2.ctx, 2, 3, state2._ecdh(c[2]))
    aad = dkg._aad(state2.ctx, 2, 3, c[1].ceremony_key, c[2].ceremony_key)
    msgs = copy.deepcopy(run.shares_msgs)
    nonce = bytes(12)
    for value, reason in (((state2.evaluate(3) + 1) % N, "bad_share"), (0, "bad_share")):
        data = AESGCM(aes).encrypt(nonce, value.to_bytes(32, "big"), aad)
        msgs[1]["shares"][1] = {"to": 3, "nonce": nonce.hex(), "data": data.hex()}
        result = dkg.receive(run.states[2], c, msgs)
        assert isinstance(result, dkg.Complaint)
        assert (result.trustee, result.against, result.reason) == (3, 2, reason)
        complaint = result.to_json()
        assert dkg.verify_complaint(complaint, E, 1, 3, sender=3) == result
    # Trustee 1 is not affected by what 2 sent to 3.
    assert not isinstance(dkg.receive(run.states[0], c, msgs), dkg.Complaint)


def test_a_sub_share_for_someone_else_does_not_decrypt(run):
    msgs = copy.deepcopy(run.shares_msgs)
    for_one = msgs[1]["shares"][0]
    msgs[1]["shares"][1] = {"to": 3, "nonce": for_one["nonce"], "data": for_one["data"]}
    result = dkg.receive(run.states[2], run.contributions, msgs)
    assert isinstance(result, dkg.Complaint)
    assert (result.against, result.reason) == (2, "undecryptable")
    # Several bad senders: one complaint, against the lowest index.
    msgs[0]["shares"][1]["data"] = msgs[0]["shares"][0]["data"]
    result = dkg.receive(run.states[2], run.contributions, msgs)
    assert isinstance(result, dkg.Complaint) and result.against == 1


def test_a_recorder_of_every_public_message_learns_no_secret(run):
    shares, key = run.finish()
    digest_ = dkg.transcript_of(run.contributions)
    mh = digest(b"m", b"recorder")
    public = {
        "commits": run.commits,
        "shares": run.shares_msgs,
        "done": [dkg.done_message(s, shares[s.index - 1], key, digest_) for s in run.states],
        "confirm": [dkg.confirm(mh, j, x, election_id=E) for j, x in enumerate(shares, 1)],
        "ceremony": dkg.ceremony_json(1, run.contributions),
        "key": key.to_json(),
    }
    text = json.dumps(public, ensure_ascii=False)
    blob = text.encode()
    secrets_ = [sum(s.evaluate(0) for s in run.states) % N, *shares]
    for s in run.states:
        secrets_ += [s._e, *s._coefficients]
        secrets_ += [s.evaluate(j) for j in (1, 2, 3)]
    assert len(secrets_) == 1 + 3 + 3 * (1 + 2 + 3)
    for value in secrets_:
        raw = value.to_bytes(32, "big")
        assert raw.hex() not in text and f"{value:x}" not in text
        assert raw not in blob
    # Keys a recorder can derive from public data only do not open any sub-share.
    c = run.contributions
    for msg in run.shares_msgs:
        i = msg["trustee"]
        for entry in msg["shares"]:
            j = entry["to"]
            aad = dkg._aad(c[0].ctx, i, j, c[i - 1].ceremony_key, c[j - 1].ceremony_key)
            guesses = [
                c[i - 1].ceremony_key.to_bytes(),
                c[j - 1].ceremony_key.to_bytes(),
                (c[i - 1].ceremony_key + c[j - 1].ceremony_key).to_bytes(),
                key.public_key.to_bytes(),
                c[0].ctx,
            ]
            for ikm in guesses:
                aes = dkg._share_key(c[0].ctx, i, j, ikm)
                with pytest.raises(InvalidTag):
                    AESGCM(aes).decrypt(
                        bytes.fromhex(entry["nonce"]), bytes.fromhex(entry["data"]), aad
                    )


def test_a_split_view_board_is_caught_by_the_transcript():
    """The server shows trustee 1 its own ceremony key in place of trustee 3's, to read
    s_13: trustee 1's transcript (compared aloud, recorded in its share file) differs."""
    honest = Ceremony(seed=b"split")
    _, fake = dkg.start(E, 1, NAMES, K, 3, DeterministicNonces(b"server"))
    view1 = [*honest.contributions[:2], dkg.verify_commit(fake, E, 1, NAMES, K)]
    assert dkg.transcript_of(view1) != dkg.transcript_of(honest.contributions)
    assert dkg.fingerprint(dkg.transcript_of(view1)) != dkg.fingerprint(
        dkg.transcript_of(honest.contributions)
    )


def test_k_equal_one_and_bad_parameters_are_refused():
    err = _refused("threshold_too_low", check_parameters, 1, 3)
    assert "một thành viên" in err.message("vi") and "one trustee" in err.message("en")
    _refused("threshold_too_low", dkg.context, E, 1, NAMES, 1)
    _refused("threshold_too_low", dkg.simulate, E, NAMES, 1)
    _refused("bad_parameters", dkg.context, E, 1, NAMES, 4)
    _refused("bad_parameters", dkg.context, E, 0, NAMES, 2)
    _refused("bad_parameters", dkg.context, E, 1, [NAMES[0], NAMES[0], "x"], 2)
    nfd = "Le\u0302 Thi\u0323 Bi\u0300nh"
    _refused("bad_parameters", dkg.context, E, 1, [NAMES[0], nfd], 2)
    _refused("bad_parameters", dkg.context, E, 1, ["", "b"], 2)


def test_confirmation_is_bound_to_the_manifest_and_the_trustee(run):
    shares, key = run.finish()
    mh = digest(b"m", b"one")
    msg = dkg.confirm(mh, 2, shares[1], election_id=E)
    assert dkg.verify_confirm(msg, mh, key, E) == 2
    _refused("dkg_bad_confirm", dkg.verify_confirm, msg, digest(b"m", b"two"), key)
    _refused("dkg_other_vote", dkg.verify_confirm, msg, mh, key, "other")
    _refused("dkg_bad_confirm", dkg.verify_confirm, msg | {"trustee": 3}, mh, key)
    forged = dkg.confirm(mh, 2, shares[0], election_id=E)  # trustee 1's share
    _refused("dkg_bad_confirm", dkg.verify_confirm, forged, mh, key)
    done = dkg.done_message(run.states[0], shares[0], key, dkg.transcript_of(run.contributions))
    ctx = run.states[0].ctx
    _refused(
        "dkg_bad_proof",
        dkg.verify_done,
        done | {"trustee": 2},
        ctx,
        dkg.transcript_of(run.contributions),
        key,
    )


def test_simulate_checks_passphrases_and_seals_v2_files():
    with pytest.raises(CryptoError) as err:
        dkg.simulate(E, NAMES, 2, ["mật khẩu đủ dài", "short", "x" * 20])
    assert err.value.code == "weak_passphrase" and err.value.detail == "too_short"
    key, ceremony, shares = dkg.simulate(E, NAMES, 2)
    nfc = "Trăng rằm tháng Tám 2026"
    blob = dkg.share_file(E, NAMES, 2, ceremony, 2, shares[1], nfc, sharefile.MIN_SCRYPT_N)
    opened = sharefile.open_share(blob, unicodedata.normalize("NFD", nfc), E)
    assert opened.secret_share == shares[1] and opened.round == 1
    assert opened.verification_keys == key.verification_keys
    assert opened.transcript == dkg.transcript(
        dkg.context(E, 1, NAMES, 2), ceremony["contributions"]
    )
    with pytest.raises(CryptoError) as err:
        dkg.share_file(E, NAMES, 2, ceremony, 1, shares[1], nfc, sharefile.MIN_SCRYPT_N)
    assert err.value.code == "share_mismatch"


def _flip_last(data: str) -> str:
    """The hex string with one bit of its last byte flipped."""
    raw = bytearray.fromhex(data)
    raw[-1] ^= 1
    return raw.hex()


def test_the_cli_state_file_is_sealed_and_tamper_evident():
    from keys import statefile

    state, _ = dkg.start(E, 1, NAMES, K, 2)
    blob = statefile.seal_state(state, "trạng thái bí mật", sharefile.MIN_SCRYPT_N)
    back = statefile.open_state(blob, unicodedata.normalize("NFD", "trạng thái bí mật"))
    assert back.export_secrets() == state.export_secrets()
    assert f"{state._e:064x}" not in blob.decode() and "trạng thái" not in blob.decode()
    assert "TrusteeState" in repr(state) and f"{state._e:x}" not in repr(state)
    _refused("wrong_passphrase", statefile.open_state, blob, "một mật khẩu khác hẳn")
    for change in (
        lambda b: b.update(trustee=3),
        lambda b: b.update(ceremony=2),
        lambda b: b["kdf"].update(salt="00" * 16),
        # One flipped bit (a fixed byte would be a no-op 1 time in 256).
        lambda b: b["cipher"].update(data=_flip_last(b["cipher"]["data"])),
    ):
        body = json.loads(blob)
        change(body)
        _refused(
            "wrong_passphrase", statefile.open_state, json.dumps(body).encode(), "trạng thái bí mật"
        )
    for raw in (b"", b"[]", b'{"format": "phieu-share/2"}', b"\xff"):
        _refused("dkg_bad_state", statefile.open_state, raw, "trạng thái bí mật")
    body = json.loads(blob)
    body["kdf"]["n"] = 1 << 20
    _refused("dkg_bad_state", statefile.open_state, json.dumps(body).encode(), "x")
    _refused("weak_passphrase", statefile.seal_state, state, "Lê Thị Bình 123")
