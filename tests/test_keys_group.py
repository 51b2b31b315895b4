"""The group wrapper: infinity is explicit, points from outside are validated."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from keys.errors import CryptoError
from keys.group import (
    INFINITY,
    G,
    N,
    Point,
    base_mul,
    point_sum,
    scalar_from_bytes,
    scalar_from_hex,
)
from keys.hashing import canonical_json, digest, encode_parts, hash_to_scalar

scalars = st.integers(min_value=0, max_value=N - 1)


def test_infinity_is_explicit():
    assert (G * 0).is_infinity
    assert base_mul(0).is_infinity
    assert (G - G).is_infinity
    assert G + INFINITY == G
    assert INFINITY + G == G
    assert -INFINITY == INFINITY
    assert (INFINITY * 5).is_infinity
    assert INFINITY.to_bytes() == b"\x00"
    assert G * N == INFINITY


def test_infinity_rejected_unless_allowed():
    with pytest.raises(CryptoError, match="infinity"):
        Point.from_bytes(b"\x00")
    assert Point.from_bytes(b"\x00", allow_infinity=True).is_infinity


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x02" + b"\x00" * 31,  # too short
        b"\x04" + G.to_bytes()[1:],  # wrong prefix
        b"\x02" + b"\xff" * 32,  # x ≥ p
        b"\x02" + (5).to_bytes(32, "big"),  # x = 5 is not on secp256k1 (x³+7 not a square)
        G.to_bytes() + b"\x00",
    ],
)
def test_bad_points_rejected(data):
    with pytest.raises(CryptoError) as err:
        Point.from_bytes(data)
    assert err.value.code == "bad_point"


def test_scalars_out_of_range_rejected():
    with pytest.raises(CryptoError):
        scalar_from_bytes(N.to_bytes(32, "big"))
    with pytest.raises(CryptoError):
        scalar_from_bytes(b"\x01" * 31)
    with pytest.raises(CryptoError):
        scalar_from_hex("AB" * 32)  # uppercase is not canonical
    with pytest.raises(CryptoError):
        scalar_from_hex(5)
    assert scalar_from_bytes((N - 1).to_bytes(32, "big")) == N - 1


@given(scalars, scalars)
def test_arithmetic_is_consistent(a, b):
    assert base_mul(a) + base_mul(b) == base_mul(a + b)
    assert base_mul(a) * b == base_mul(a * b)
    assert G.mul_add(a, b) == base_mul(a + b)
    assert base_mul(a) - base_mul(b) == base_mul(a - b)
    assert point_sum([base_mul(a), base_mul(b), -base_mul(a)]) == base_mul(b)
    p = base_mul(a)
    assert Point.from_bytes(p.to_bytes(), allow_infinity=True) == p


def test_point_sum_cancelling_to_infinity():
    assert point_sum([G, -G]).is_infinity
    assert point_sum([]).is_infinity
    assert point_sum([G, G, -G]) == G


def test_encoding_is_injective():
    assert encode_parts([b"ab", b"c"]) != encode_parts([b"a", b"bc"])
    assert digest(b"t", b"ab", b"c") != digest(b"t", b"a", b"bc")
    assert digest(b"t1", b"x") != digest(b"t2", b"x")
    assert hash_to_scalar(b"t", b"x") < N


def test_canonical_json():
    assert canonical_json({"b": 1, "a": "ă"}) == '{"a":"ă","b":1}'.encode()
    with pytest.raises(CryptoError):
        canonical_json({"a": 1.5})


def test_canonical_json_refuses_bad_unicode():
    with pytest.raises(CryptoError):
        canonical_json({"title": "\ud800"})
