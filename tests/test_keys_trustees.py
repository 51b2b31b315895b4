"""Trustees: Shamir shares, Feldman checks, partial decryptions, combination, counts."""

import itertools
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keys import dkg, shamir, sharefile
from keys.ballot import encrypt_ballot
from keys.decryption import (
    DiscreteLog,
    PartialDecryption,
    combine,
    decode_counts,
    partial_decrypt,
    verify_partial,
)
from keys.elgamal import aggregate, encrypt
from keys.errors import CryptoError
from keys.group import G, N, base_mul
from keys.proofs import DecryptionProof
from tests.keys_helpers import card_key, context, election

SLOW = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _totals(ctx, ballots):
    cast = [encrypt_ballot(ctx, card_key(i), ch) for i, ch in enumerate(ballots)]
    return [aggregate([b.rows[r].ct for b in cast]) for r in range(ctx.rows)]


def _count(ctx, key, totals, parts, n_ballots):
    points = combine(key, totals, parts)
    dlog = DiscreteLog(n_ballots * ctx.base ** (len(ctx.values) - 2), len(points))
    return [decode_counts(dlog.solve(p), ctx.base, len(ctx.values) - 1) for p in points]


def test_any_k_trustees_give_the_same_counts():
    key, shares = election(2, 3)
    ctx = context("rating", rows=3)
    ballots = [[1, 2, 0], [1, 3, 3], [0, 1, 3], [2, 2, 2], [1, 0, 0]]
    totals = _totals(ctx, ballots)
    parts = {
        i: partial_decrypt(ctx.manifest_hash, key, i, shares[i - 1], totals) for i in (1, 2, 3)
    }
    for p in parts.values():
        verify_partial(ctx.manifest_hash, key, totals, p)
    expected = [
        tuple(sum(1 for b in ballots if b[r] == level) for level in (1, 2, 3)) for r in range(3)
    ]
    for subset in itertools.combinations((1, 2, 3), 2):
        assert _count(ctx, key, totals, [parts[i] for i in subset], 5) == expected


@SLOW
@given(st.integers(2, 5).flatmap(lambda n: st.tuples(st.integers(2, n), st.just(n))))
def test_feldman_commitments_and_reconstruction(kn):
    k, n = kn
    key, _, shares = dkg.simulate("vote", [f"T{i}" for i in range(1, n + 1)], k)
    shamir.check_key(key)
    for subset in itertools.combinations(range(1, n + 1), k):
        lam = shamir.lagrange_at_zero(list(subset))
        x = sum(lam[i] * shares[i - 1] for i in subset) % N
        assert base_mul(x) == key.public_key
    if k > 1:  # k−1 shares interpolate to something that is not the secret
        subset = list(range(1, k))
        lam = shamir.lagrange_at_zero(subset)
        assert base_mul(sum(lam[i] * shares[i - 1] for i in subset) % N) != key.public_key


@SLOW
@given(st.integers(0, N - 1))
def test_k_minus_one_shares_are_consistent_with_any_secret(candidate):
    """For k=3: two shares fit a degree-2 polynomial through (0, candidate) for every
    candidate, so they carry no information about the secret."""
    _, shares = election(3, 4, seed=b"kminus1")
    xs, ys = [0, 1, 2], [candidate, shares[0], shares[1]]
    # The interpolating polynomial exists (distinct xs) and evaluates back correctly.
    lam_at = {}
    for t in (1, 2):
        total = 0
        for i, xi in enumerate(xs):
            li = 1
            for j, xj in enumerate(xs):
                if i != j:
                    li = li * (t - xj) * pow(xi - xj, -1, N) % N
            total += ys[i] * li
        lam_at[t] = total % N
    assert lam_at[1] == shares[0] and lam_at[2] == shares[1]


def test_fewer_than_k_or_duplicates_refused():
    key, shares = election(2, 3)
    ctx = context("rating", rows=1)
    totals = _totals(ctx, [[1]])
    p1 = partial_decrypt(ctx.manifest_hash, key, 1, shares[0], totals)
    with pytest.raises(CryptoError) as err:
        combine(key, totals, [p1])
    assert err.value.code == "not_enough_trustees"
    with pytest.raises(CryptoError) as err:
        combine(key, totals, [p1, p1])
    assert err.value.code == "duplicate_trustee"
    with pytest.raises(CryptoError) as err:
        partial_decrypt(ctx.manifest_hash, key, 1, shares[1], totals)  # wrong share for #1
    assert err.value.code == "share_mismatch"


def test_bad_partial_decryptions_are_named():
    key, shares = election(2, 3)
    ctx = context("rating", rows=2)
    totals = _totals(ctx, [[1, 2], [3, 0]])
    good = partial_decrypt(ctx.manifest_hash, key, 2, shares[1], totals)
    replaced = PartialDecryption(2, (good.shares[0], good.shares[0]), good.proofs)
    with pytest.raises(CryptoError, match="trustee 2, row 1"):
        verify_partial(ctx.manifest_hash, key, totals, replaced)
    bent = (good.proofs[0], DecryptionProof(good.proofs[1].c, (good.proofs[1].s + 1) % N))
    with pytest.raises(CryptoError, match="trustee 2, row 1"):
        verify_partial(ctx.manifest_hash, key, totals, PartialDecryption(2, good.shares, bent))
    impostor = PartialDecryption(3, good.shares, good.proofs)
    with pytest.raises(CryptoError, match="trustee 3"):
        verify_partial(ctx.manifest_hash, key, totals, impostor)
    other_vote = context("rating", rows=2, seed=b"other-vote").manifest_hash
    with pytest.raises(CryptoError):
        verify_partial(other_vote, key, totals, good)
    round_trip = PartialDecryption.from_json(json.loads(json.dumps(good.to_json())))
    verify_partial(ctx.manifest_hash, key, totals, round_trip)


def test_discrete_log_bounds_and_decoding():
    dlog = DiscreteLog(5000, 3)
    for m in (0, 1, 999, 4999, 5000):
        assert dlog.solve(base_mul(m)) == m
    with pytest.raises(CryptoError) as err:
        dlog.solve(base_mul(5001))
    assert err.value.code == "count_out_of_range"
    assert decode_counts(3 + 4 * 7 + 5 * 49, 7, 3) == (3, 4, 5)
    with pytest.raises(CryptoError):
        decode_counts(7**3, 7, 3)


def test_discrete_log_walks_through_multiples_of_the_table_and_infinity():
    # The baby and giant steps run on raw libsecp256k1 buffers (keys/decryption._Walk):
    # the walk reaches the point at infinity exactly at the multiples of the table size.
    dlog = DiscreteLog(5000, 3)
    t = dlog.t
    for m in (t - 1, t, t + 1, 2 * t, 3 * t - 1, 4 * t):
        assert dlog.solve(base_mul(m)) == m
    for m in (5 * t, 5 * t + 1, N - 1, N - t):  # beyond the bound, one of them via infinity
        with pytest.raises(CryptoError) as err:
            dlog.solve(base_mul(m))
        assert err.value.code == "count_out_of_range"
    assert dlog.solve(G - G) == 0


def test_zero_and_all_blank_totals():
    key, shares = election(2, 3)
    ctx = context("confidence", rows=2)
    totals = _totals(ctx, [[0, 0], [0, 0]])
    parts = [partial_decrypt(ctx.manifest_hash, key, i, shares[i - 1], totals) for i in (1, 3)]
    assert _count(ctx, key, totals, parts, 2) == [(0, 0), (0, 0)]
    enc = encrypt(key.public_key, 0, 1)
    assert enc.alpha == G


# -- share files -------------------------------------------------------------
PASS = "một mật khẩu dài"


def _sealed(trustee=1, election_id="vote-1"):
    key, shares = election(2, 3)
    transcript = bytes(32)  # a fixture key: no ceremony transcript to record
    return key, sharefile.seal(
        election_id, 1, key, transcript, trustee, "Lê Thị Hoa", shares[trustee - 1], PASS, 1 << 14
    )


def test_share_file_opens_and_matches():
    key, blob = _sealed(2)
    opened = sharefile.open_share(blob, PASS, "vote-1")
    assert opened.trustee == 2 and opened.name == "Lê Thị Hoa"
    assert opened.verification_key == key.verification_keys[1]
    assert b"secret" not in blob.lower()


@pytest.mark.parametrize(
    "tamper, code",
    [
        (lambda d: d["trustee"].update(index=3), "wrong_passphrase"),
        (lambda d: d["trustee"].update(name="Someone else"), "wrong_passphrase"),
        (lambda d: d["kdf"].update(n=1 << 30), "bad_share"),
        (lambda d: d["kdf"].update(n=3), "bad_share"),
        (lambda d: d["cipher"].update(data="00" * 48), "wrong_passphrase"),
        (lambda d: d["cipher"].update(data="00"), "bad_share"),
        (lambda d: d["trustee"].update(verification_key="02" + "00" * 32), "bad_point"),
        (lambda d: d.update(format="other"), "bad_share"),
        (lambda d: d.pop("kdf"), "bad_share"),
    ],
)
def test_tampered_share_files_are_refused(tamper, code):
    _, blob = _sealed()
    doc = json.loads(blob)
    tamper(doc)
    with pytest.raises(CryptoError) as err:
        sharefile.open_share(json.dumps(doc).encode(), PASS)
    assert err.value.code == code


def test_wrong_passphrase_other_election_and_garbage():
    _, blob = _sealed()
    with pytest.raises(CryptoError) as err:
        sharefile.open_share(blob, "not the passphrase")
    assert err.value.code == "wrong_passphrase"
    with pytest.raises(CryptoError) as err:
        sharefile.open_share(blob, PASS, "vote-2")
    assert err.value.code == "share_other_election"
    for garbage in (b"", b"\xff\xfe", b"[]", b"{}", b"x" * 70000):
        with pytest.raises(CryptoError) as err:
            sharefile.open_share(garbage, PASS)
        assert err.value.code == "bad_share"
    with pytest.raises(CryptoError):
        sharefile.check_passphrase("short")


def test_election_key_json_is_checked():
    key, _ = election(2, 3)
    doc = key.to_json()
    assert shamir.ElectionKey.from_json(doc) == key
    doc["verification_keys"][0], doc["verification_keys"][1] = (
        doc["verification_keys"][1],
        doc["verification_keys"][0],
    )
    with pytest.raises(CryptoError, match="verification key 1"):
        shamir.ElectionKey.from_json(doc)
    with pytest.raises(CryptoError):
        shamir.ElectionKey.from_json({"threshold": 2})
    with pytest.raises(CryptoError):
        shamir.check_parameters(4, 3)


def test_hostile_share_files_are_clean_errors():
    _, blob = _sealed()
    doc = json.loads(blob)
    for tamper in (
        lambda d: d["kdf"].update(n=1 << 20),
        lambda d: d["kdf"].update(r=16),
        lambda d: d["trustee"].update(name="\ud800"),
    ):
        bad = json.loads(blob)
        tamper(bad)
        with pytest.raises(CryptoError):
            sharefile.open_share(json.dumps(bad).encode(), PASS)
    assert doc["kdf"]["r"] == 8
    for raw in (b'{"format": ' + b"9" * 5000 + b"}", b"[" * 20000 + b"]" * 20000):
        with pytest.raises(CryptoError) as err:
            sharefile.open_share(raw, PASS)
        assert err.value.code == "bad_share"


def test_decode_counts_refuses_a_base_too_small_or_too_many_marks():
    with pytest.raises(CryptoError):
        decode_counts(3, 2, 3, ballots=3)  # base 2 cannot count 3 ballots
    with pytest.raises(CryptoError):
        decode_counts(3 + 3 * 7, 7, 3, ballots=5)  # 6 marks from 5 ballots
    assert decode_counts(3 + 2 * 7, 7, 3, ballots=5) == (3, 2, 0)


def test_combine_checks_its_input():
    key, shares = election(2, 3)
    ctx = context("rating", rows=2)
    totals = _totals(ctx, [[1, 2]])
    good = [partial_decrypt(ctx.manifest_hash, key, i, shares[i - 1], totals) for i in (1, 2)]
    short = PartialDecryption(2, good[1].shares[:1], good[1].proofs[:1])
    with pytest.raises(CryptoError):
        combine(key, totals, [good[0], short])
