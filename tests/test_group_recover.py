"""Point.mul_add_public (a·R + b·G as one libsecp256k1 ECDSA key recovery) gives the
same point as the plain path (a multiplication, then an addition) on random inputs and
on every edge case: scalars 0, 1, N−1 and above N, R at infinity, R = G, R with x ≥ N
(recovery cannot take it), results at infinity; and the operation counts follow the
path taken (keys/opcount.py, the benchmarks' floor)."""

import random

import pytest
from coincurve import PublicKey
from hypothesis import given, settings
from hypothesis import strategies as st

from keys.group import INFINITY, G, N, P, Point, base_mul
from keys.opcount import OPS, counting

SCALARS = st.one_of(
    st.integers(0, 2**256 - 1),
    st.sampled_from([0, 1, 2, N - 1, N, N + 1, 2 * N - 1, -1, -N]),
)


def plain(point: Point, a: int, b: int) -> Point:
    """a·R + b·G by the operations each done alone (no recovery)."""
    return point * a + base_mul(b)


def _x_at_least_n() -> Point:
    """A point whose x-coordinate is ≥ N (its r cannot be an ECDSA r); libsecp256k1
    parses the candidates, the test only picks x (about half of them are on the curve)."""
    for x in range(N, P):
        try:
            return Point.from_bytes(b"\x02" + x.to_bytes(32, "big"))
        except Exception:  # noqa: S112 - not on the curve: try the next x
            continue
    raise AssertionError("unreachable")


HIGH_X = _x_at_least_n()


@settings(max_examples=300, deadline=None)
@given(k=st.integers(1, N - 1), a=SCALARS, b=SCALARS)
def test_random_points_and_scalars_agree_with_the_plain_path(k, a, b):
    r = base_mul(k)
    assert r.mul_add_public(a, b) == plain(r, a, b) == r.mul_add(a, b)


@pytest.mark.parametrize("a", [0, 1, 5, N - 1, N, N + 3])
@pytest.mark.parametrize("b", [0, 1, 7, N - 1, N])
def test_edge_scalars_and_points(a, b):
    for r in (G, -G, base_mul(12345), HIGH_X, -HIGH_X, INFINITY):
        got = r.mul_add_public(a, b)
        assert got == plain(r, a, b), (r, a, b)
        assert got.to_bytes() == plain(r, a, b).to_bytes()


def test_results_at_infinity_fall_back_and_are_infinity():
    rng = random.Random(9)
    for _ in range(20):
        k, a = rng.randrange(1, N), rng.randrange(1, N)
        r = base_mul(k)
        assert r.mul_add_public(a, -a * k) == INFINITY  # a·kG − a·kG
    assert HIGH_X.mul_add_public(1, 0) == HIGH_X
    assert G.mul_add_public(1, -1) == INFINITY
    assert G.mul_add_public(N - 1, 1) == INFINITY


def test_a_point_parsed_keeps_its_encoding_and_a_computed_one_the_same():
    enc = base_mul(77).to_bytes()
    parsed = Point.from_bytes(enc)
    assert parsed.to_bytes() is parsed.to_bytes() and parsed.to_bytes() == enc
    assert Point(PublicKey(enc)).to_bytes() == enc


def test_operation_counts_follow_the_path_taken():
    r, g = (Point.from_bytes(base_mul(k).to_bytes()) for k in (99, 1))  # as read from a ballot
    with counting():
        OPS.clear()
        r.mul_add_public(5, 6)
        assert dict(OPS) == {"recover": 1}
        OPS.clear()
        HIGH_X.mul_add_public(5, 6)  # x ≥ N: multiplication then addition
        assert dict(OPS) == {"mul": 1, "muladd": 1}
        OPS.clear()
        r.mul_add(5, 6)  # the constant-time path, for secrets
        assert dict(OPS) == {"mul": 1, "muladd": 1}
        OPS.clear()
        r.mul_add_public(0, 6)
        assert dict(OPS) == {"base": 1}
        OPS.clear()
        g.mul_add_public(1, -1)  # recovery refuses infinity, then the plain path
        assert dict(OPS) == {"recover": 1, "mul": 1, "muladd": 1}
    OPS.clear()
    r.mul_add_public(5, 6)
    assert not OPS  # nothing is counted outside the block
    with counting():
        OPS.clear()
        base_mul(99).mul_add_public(5, 6)  # a computed point: compressed once for its x
        assert dict(OPS) == {"base": 1, "serialize": 1, "recover": 1}
