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
