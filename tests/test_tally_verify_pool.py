"""``tally verify`` on several processes: each ballot parsed and checked once, in a worker,
with the same first error, named the same way, as on one process (tally/ballotcheck.py)."""

from __future__ import annotations

import copy

import pytest
from coincurve import PublicKey

from keys import cards
from keys.ballot import Ballot
from tally import ballotcheck
from tally.record import Record
from tally.simulate import chain_entries
from tally.trustee import verified_totals
from tally.verify import VerifyError, verify_record
from tests.test_record_binding import _rec, _resign, _simulation


@pytest.fixture(scope="module")
def sim():
    return _simulation()  # 10 ballots ≥ ballotcheck.POOL_MIN_BALLOTS: the pool is used


def _error(rec: Record, workers: int) -> tuple[str, str] | None:
    try:
        verify_record(Record(dict(rec.files)), workers=workers)
    except VerifyError as err:
        return type(err).__name__, f"{err.item}: {err.reason}"
    return None


def _ballots(rec: Record, fn) -> Record:
    obj = rec.json("ballots.json")
    fn(obj["ballots"])
    rec.put("ballots.json", obj)
    return rec


def _put(rec: Record, name: str, obj) -> Record:
    rec.put(name, obj)
    return rec


def _off_curve() -> str:
    """A compressed encoding whose x is on no point of secp256k1."""
    for x in range(1, 100):
        data = b"\x02" + x.to_bytes(32, "big")
        try:
            PublicKey(data)
        except ValueError:
            return data.hex()
    raise AssertionError("no such x below 100")


def _bent_proof(sim) -> Record:
    """Ballot #8's row 3 proof bent, re-signed by its card, the chain and close re-made."""
    rec = _rec(sim)
    entries = rec.json("ballots.json")["ballots"]
    obj = entries[7]["ballot"]
    obj["rows"][2]["s"][0] = f"{(int(obj['rows'][2]['s'][0], 16) + 1):064x}"
    bent = Ballot.from_json(obj)
    obj["signature"] = cards.sign(
        cards.signing_key("sim", sim.card_secrets[7]), bent.digest()
    ).hex()
    rebuilt = chain_entries(sim.manifest.hash, [Ballot.from_json(e["ballot"]) for e in entries])
    rec.put("ballots.json", {"ballots": rebuilt})
    cp = rec.json("checkpoints.json")
    cp["checkpoints"] = [c for c in cp["checkpoints"] if c["count"] < 8]
    cp["close"]["head"] = rebuilt[-1]["hash"]
    rec.put("checkpoints.json", cp)

    def head(t):  # a consistent server: the checkpoint at ballot #8 is unlogged too
        return [
            (a, b, c, d | {"head": rebuilt[-1]["hash"]} if c == "poll.close" else d)
            for a, b, c, d in t
            if c != "poll.checkpoint" or d["count"] < 8
        ]

    return _resign(sim, rec, head)


def _point_then_seq(b):
    b[3]["ballot"]["rows"][0]["alpha"] = _off_curve()
    b[5]["seq"] = "6"


def _seq_then_point(b):
    b[2]["seq"] = "3"
    b[5]["ballot"]["rows"][0]["alpha"] = _off_curve()


def _swap(b):
    row = b[5]["ballot"]["rows"][1]
    row["alpha"], row["beta"] = row["beta"], row["alpha"]


def _extra_key(b):
    b[4]["received_at"] = "2026-01-01T00:00:00+00:00"


def _rows_missing(b):
    b[6]["ballot"]["rows"] = b[6]["ballot"]["rows"][:2]


CASES = {
    "bent proof": lambda sim: _bent_proof(sim),
    "off-curve point, then a bad seq": lambda sim: _ballots(_rec(sim), _point_then_seq),
    "bad seq, then an off-curve point": lambda sim: _ballots(_rec(sim), _seq_then_point),
    "swapped alpha and beta": lambda sim: _ballots(_rec(sim), _swap),
    "extra key in an entry": lambda sim: _ballots(_rec(sim), _extra_key),
    "a row missing": lambda sim: _ballots(_rec(sim), _rows_missing),
    "ballots.json a list": lambda sim: _put(_rec(sim), "ballots.json", []),
}
EXPECTED = {
    "bent proof": "ballot #8: the encryption proof for official 3 (Đại biểu Nguyễn Văn 3) fails",
    "off-curve point, then a bad seq": "ballot #4: Invalid curve point (row 0.alpha: not a point",
    "bad seq, then an off-curve point": "ballot #3 seq: expected an integer",
    "swapped alpha and beta": "ballot #6: tracker does not match the ballot",
    "extra key in an entry": "ballot #5: unexpected received_at",
    "a row missing": "ballot #7: tracker does not match",
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_pool_names_the_same_first_error(sim, case):
    rec = CASES[case](sim)
    alone, pooled = _error(rec, 1), _error(rec, 2)
    assert alone is not None and alone == pooled
    if case in EXPECTED:
        assert pooled[1].startswith(EXPECTED[case]), pooled


def test_the_pool_verifies_and_sums_like_one_process(sim):
    assert verify_record(_rec(sim), workers=2).lines == verify_record(_rec(sim), workers=1).lines
    assert verified_totals(_rec(sim), workers=2).totals == verified_totals(_rec(sim), 1).totals


def test_the_main_process_parses_no_ballot_when_workers_do(sim, monkeypatch):
    """The workers (forked after the patch) count in their own memory; here it stays 0."""
    calls = []
    original = Ballot.from_json.__func__  # type: ignore[attr-defined]

    def counting(cls, obj, expect=None):
        calls.append(1)
        return original(cls, obj, expect)

    monkeypatch.setattr(Ballot, "from_json", classmethod(counting))
    verify_record(_rec(sim), workers=2)
    verified_totals(_rec(sim), workers=2)
    assert calls == []
    verify_record(_rec(sim), workers=1)  # one process: each ballot parsed exactly once
    assert len(calls) == len(sim.record.json("ballots.json")["ballots"])


def test_few_ballots_or_one_worker_stay_in_process(sim):
    raw = copy.deepcopy(sim.record.json("ballots.json"))
    assert isinstance(ballotcheck.check_ballots(sim.manifest, raw, 1), ballotcheck._InProcess)
    assert isinstance(ballotcheck.check_ballots(sim.manifest, raw, 2), ballotcheck._Pooled)
    raw["ballots"] = raw["ballots"][: ballotcheck.POOL_MIN_BALLOTS - 1]
    assert isinstance(ballotcheck.check_ballots(sim.manifest, raw, 2), ballotcheck._InProcess)
