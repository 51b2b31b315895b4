"""The committed shared vectors are what the Python code produces today (byte for byte)."""

import json
from pathlib import Path

import pytest

from keys.decryption import PartialDecryption, combine, verify_partial
from keys.elgamal import Ciphertext
from keys.group import base_mul
from tests.vectors import generate

VECTORS = Path(__file__).parent / "vectors"


@pytest.mark.parametrize(
    "name, build",
    [
        ("hashing.json", generate.hashing_vectors),
        ("cards.json", generate.card_vectors),
        ("rows.json", generate.row_vectors),
        ("ballots.json", generate.ballot_vectors),
        ("sharefile.json", generate.sharefile_vectors),
        ("decryption.json", generate.decryption_vectors),
        ("dkg.json", generate.generate_dkg.dkg_vectors),
        ("passphrases.json", generate.generate_dkg.passphrase_vectors),
        ("audit.json", generate.generate_audit.audit_vectors),
    ],
)
def test_vectors_reproduce(name, build):
    committed = json.loads((VECTORS / name).read_text(encoding="utf-8"))
    assert json.loads(json.dumps(build(), ensure_ascii=False)) == committed


def test_decryption_vectors_verify_and_combine():
    """Any two trustees' partial decryptions of the vector combine to the row sums."""
    v = json.loads((VECTORS / "decryption.json").read_text(encoding="utf-8"))
    _, key, _, _ = generate._count_context()
    assert key.public_key.hex() == v["public_key"]
    assert [x.hex() for x in key.verification_keys] == v["verification_keys"]
    mh = bytes.fromhex(v["manifest_hash"])
    totals = [Ciphertext.from_json(t) for t in v["totals"]]
    parts = [PartialDecryption.from_json(p["partial"]) for p in v["partials"]]
    for part in parts:
        verify_partial(mh, key, totals, part)
    for pair in ([parts[0], parts[1]], [parts[2], parts[0]]):
        points = combine(key, totals, pair)
        assert [p.hex() for p in points] == [base_mul(m).hex() for m in v["row_sums"]]


def test_ballot_fingerprint_vector_is_the_documented_bytes():
    """crypto.md §2a: SHA-256 of u32(26) ‖ tag ‖ u32(len) ‖ canonical JSON of the
    manifest without its top-level ``cards`` and ``base``."""
    import hashlib

    from keys.hashing import TAG_BALLOT_DEFINITION, ballot_fingerprint, canonical_json

    cases = json.loads((VECTORS / "hashing.json").read_text(encoding="utf-8"))
    cases = cases["ballot_fingerprint"]
    assert len(cases) == 2 and cases[0]["fingerprint"] == cases[1]["fingerprint"]
    assert "cards" in cases[0]["manifest"] and "base" in cases[0]["manifest"]
    for case in cases:
        definition = case["definition"].encode()
        assert '"cards"' not in case["definition"] and '"base"' not in case["definition"]
        assert '"cardsx"' in case["definition"]
        tag = TAG_BALLOT_DEFINITION
        encoding = len(tag).to_bytes(4, "big") + tag + len(definition).to_bytes(4, "big")
        assert bytes.fromhex(case["encoding"]) == encoding + definition
        assert hashlib.sha256(encoding + definition).hexdigest() == case["fingerprint"]
        assert ballot_fingerprint(case["manifest"]).hex() == case["fingerprint"]
    manifest = cases[0]["manifest"]
    moved = dict(manifest, cards={"count": 9, "commitment": "44" * 32}, base=10)
    assert ballot_fingerprint(moved).hex() == cases[0]["fingerprint"]  # cards are not in it
    other = dict(manifest, server_key="55" * 32)
    assert ballot_fingerprint(other).hex() != cases[0]["fingerprint"]  # a key swap shows
    assert canonical_json(manifest) != definition
