"""The count and ``tally verify``: a real record verifies; every tampering is named."""

import copy
import json

import pytest
from click.testing import CliRunner

from keys import dkg, signing
from keys.ballot import Ballot
from keys.decryption import DiscreteLog
from keys.hashing import TAG_CLOSE
from tally.cli import main
from tally.count import accept_partial, parse_totals
from tally.record import Record, head_message
from tally.simulate import chain_entries, simulate
from tally.verify import VerifyError, verify_record


@pytest.fixture(scope="module")
def sim():
    return simulate(members=12, officials=4, kind="rating", k=2, n=3, spares=3, seed=7)


def _record(sim) -> Record:
    return Record(dict(sim.record.files))


def _edit(record: Record, name: str, fn) -> Record:
    obj = record.json(name)
    fn(obj)
    record.put(name, obj)
    return record


def _fails(record: Record, item: str, reason: str = ""):
    with pytest.raises(VerifyError) as err:
        verify_record(record, workers=1)
    assert item in err.value.item, err.value
    assert reason in err.value.reason, err.value
    return err.value


def test_results_match_the_plain_choices(sim):
    report = verify_record(_record(sim), workers=2)
    assert report.lines and len(report.record_hash) == 64
    results = sim.record.json("results.json")
    for r, official in enumerate(results["officials"]):
        marks = [c[r] for c in sim.choices]
        assert official["blank"] == marks.count(0)
        counts = [official["counts"][lv] for lv in sim.manifest.levels]
        assert counts == [marks.count(level) for level in (1, 2, 3)]


def test_published_totals_only_shortcut_the_search_never_the_result(sim, monkeypatch):
    """results() takes a published total only when T·G is the combined point; a wrong,
    retyped or out-of-range one is searched, so the recomputed results never move."""
    from tally import count
    from tally.rules import Figures

    rec = _record(sim)
    totals, _ = parse_totals(rec.json("tally.json"), sim.manifest)
    parts = [
        accept_partial(sim.manifest, totals, [], p)
        for p in rec.json("decryptions.json")["decryptions"]
    ]
    f = rec.json("figures.json")
    figures = Figures(f["summoned"], f["present"], f["issued"], f["returned"], f["members_total"])
    searched = count.results(sim.manifest, figures, totals, parts)
    published = rec.json("results.json")
    assert searched == published
    built = []
    monkeypatch.setattr(count, "DiscreteLog", lambda *a: built.append(a) or DiscreteLog(*a))
    assert count.results(sim.manifest, figures, totals, parts, published) == searched
    assert built == []  # every published total confirmed by one multiplication
    for bad in (published["officials"][0]["total"] + 1, True, -1, "7", 10**30):
        wrong = copy.deepcopy(published)
        wrong["officials"][0]["total"] = bad
        assert count.results(sim.manifest, figures, totals, parts, wrong) == searched
    assert len(built) == 5
    for odd in (None, [], {"officials": "x"}, {"officials": [1, None]}):
        assert count.results(sim.manifest, figures, totals, parts, odd) == searched


def _ballots(fn):
    return lambda obj: fn(obj["ballots"])


def test_deleted_ballot(sim):
    _fails(_edit(_record(sim), "ballots.json", _ballots(lambda b: b.pop(3))), "ballot #4")


def test_reordered_ballots(sim):
    def swap(b):
        b[2], b[3] = b[3], b[2]
        b[2]["seq"], b[3]["seq"] = 3, 4

    _fails(_edit(_record(sim), "ballots.json", _ballots(swap)), "ballot #3", "link")


def test_altered_ballot(sim):
    def alter(b):
        row = b[5]["ballot"]["rows"][1]
        row["alpha"], row["beta"] = row["beta"], row["alpha"]

    _fails(_edit(_record(sim), "ballots.json", _ballots(alter)), "ballot #6", "tracker")


def test_duplicated_ballot(sim):
    def dup(b):
        extra = copy.deepcopy(b[-1])
        b.append(extra)

    rec = _record(sim)
    entries = rec.json("ballots.json")["ballots"]
    ballots = [Ballot.from_json(e["ballot"]) for e in entries]
    rebuilt = chain_entries(sim.manifest.hash, [*ballots, ballots[4]])
    rec.put("ballots.json", {"ballots": rebuilt})
    _fails(rec, "ballot #13", "second ballot")
    _fails(_edit(_record(sim), "ballots.json", _ballots(dup)), "ballot #13")


def test_inserted_ballot_from_an_uncommitted_card(sim):
    from keys import cards
    from keys.ballot import encrypt_ballot

    rec = _record(sim)
    ctx = sim.manifest.context()
    outsider = encrypt_ballot(ctx, cards.signing_key("sim", bytes(16)), [1, 1, 1, 1])
    entries = rec.json("ballots.json")["ballots"]
    ballots = [Ballot.from_json(e["ballot"]) for e in entries]
    rec.put("ballots.json", {"ballots": chain_entries(sim.manifest.hash, [*ballots, outsider])})
    _fails(rec, "ballot #13", "outside the committed set")


def test_ballot_from_a_revoked_card(sim):
    rec = _record(sim)
    first = rec.json("ballots.json")["ballots"][0]["ballot"]["card"]
    _edit(
        rec,
        "revocations.json",
        lambda o: o["revocations"].append({"serial": "0001", "key": first}),
    )
    _fails(rec, "ballot #1", "revoked")


def test_card_set_changed(sim):
    def add_card(o):
        o["cards"][0]["key"] = "11" * 32

    _fails(_edit(_record(sim), "cards.json", add_card), "cards.json", "commitment")


def test_signed_head_replaced(sim):
    def resign(o):
        other = signing.generate()
        c = o["close"]
        msg = head_message(
            TAG_CLOSE, sim.manifest.hash, c["count"], bytes.fromhex(c["head"]), c["at"]
        )
        c["signature"] = signing.sign(other, msg).hex()

    _fails(_edit(_record(sim), "checkpoints.json", resign), "signed close", "signature")

    def truncate(o):
        o["close"]["count"] = 11

    _fails(_edit(_record(sim), "checkpoints.json", truncate), "signed close")


def test_chain_rebuilt_without_a_ballot_breaks_the_signed_head(sim):
    rec = _record(sim)
    ballots = [Ballot.from_json(e["ballot"]) for e in rec.json("ballots.json")["ballots"]]
    rec.put("ballots.json", {"ballots": chain_entries(sim.manifest.hash, ballots[:-1])})
    _fails(rec, "signed close")


# A bad proof inside a re-signed chain: tests/test_record_binding.py (names the official).


def test_sum_changed(sim):
    def alter(o):
        o["totals"][1], o["totals"][2] = o["totals"][2], o["totals"][1]

    _fails(_edit(_record(sim), "tally.json", alter), "tally.json, official 2", "not the sum")


def test_partial_decryption_replaced_or_proof_altered(sim):
    def replace(o):
        d = o["decryptions"][1]
        d["shares"][0] = o["decryptions"][0]["shares"][0]

    _fails(_edit(_record(sim), "decryptions.json", replace), "trustee 2", "official 1 (")

    def bend(o):
        p = o["decryptions"][0]["proofs"][3]
        p["s"] = f"{(int(p['s'], 16) ^ 1):064x}"

    _fails(_edit(_record(sim), "decryptions.json", bend), "trustee 1", "official 4 (")

    def duplicate(o):
        o["decryptions"].append(o["decryptions"][0])

    _fails(_edit(_record(sim), "decryptions.json", duplicate), "trustee 1", "twice")


@pytest.mark.parametrize(
    "field, value, item",
    [
        ("counts", {"tin_nhiem_cao": 99, "tin_nhiem": 0, "tin_nhiem_thap": 0}, "counts"),
        ("blank", 99, "blank"),
        (
            "percent",
            {"tin_nhiem_cao": "99,99", "tin_nhiem": "0,00", "tin_nhiem_thap": "0,00"},
            "percent",
        ),
        ("flags", ["thap_tu_hai_phan_ba"], "flags"),
        ("name", "Người khác", "name"),
    ],
)
def test_published_results_changed(sim, field, value, item):
    def alter(o):
        o["officials"][2][field] = value

    err = _fails(_edit(_record(sim), "results.json", alter), "official 3")
    assert item in err.item


def test_figure_changed(sim):
    _fails(
        _edit(_record(sim), "figures.json", lambda o: o.update(returned=13)),
        "figures.json returned",
        "the ballots in the signed chain says 12",
    )
    _fails(
        _edit(_record(sim), "results.json", lambda o: o["figures"].update(present=1)),
        "results.json, figures present",
    )


def test_cli_verify_and_partial_decrypt(sim, tmp_path):
    path = tmp_path / "record.zip"
    sim.record.save(path)
    ok = CliRunner().invoke(main, ["verify", str(path), "--workers", "2"])
    assert ok.exit_code == 0 and "HỢP LỆ / VALID" in ok.output
    bad = _edit(_record(sim), "results.json", lambda o: o["officials"][0].update(blank=77))
    bad_path = tmp_path / "bad"
    bad.save(bad_path)
    res = CliRunner().invoke(main, ["verify", str(bad_path)])
    assert res.exit_code == 1 and "official 1" in res.output

    pw = "mật khẩu của tổ kiểm phiếu"
    m = sim.manifest
    share = tmp_path / "t3.share.json"
    ceremony = m.raw["trustees"]["ceremony"]
    names = list(m.trustee_names)
    share.write_bytes(dkg.share_file("sim", names, 2, ceremony, 3, sim.shares[2], pw, 1 << 14))
    out = tmp_path / "part3.json"
    res = CliRunner().invoke(
        main,
        ["partial-decrypt", str(path), "--share", str(share), "--out", str(out)],
        input=pw + "\n",
    )
    assert res.exit_code == 0, res.output
    totals, _ = parse_totals(sim.record.json("tally.json"), sim.manifest)
    part = json.loads(out.read_text())
    accepted = accept_partial(
        sim.manifest, totals, [], {k: part[k] for k in ("trustee", "shares", "proofs")}
    )
    assert accepted.trustee == 3
    again = CliRunner().invoke(
        main,
        ["partial-decrypt", str(path), "--share", str(share), "--out", str(tmp_path / "p.json")],
        input="sai rồi sai\n",
    )
    assert again.exit_code == 1 and "Sai mật khẩu" in again.output
    assert not (tmp_path / "p.json").exists()


# -- the key ceremony and the trustees' confirmations -----------------------------------
def _trustees(fn):
    return lambda m: fn(m["trustees"])


def test_tampered_contribution_proof_is_named(sim):
    def bend(t):
        proof = t["ceremony"]["contributions"][1]["proofs"][1]
        proof["u"] = proof["u"][:-1] + ("0" if proof["u"][-1] != "0" else "1")

    err = _fails(_edit(_record(sim), "manifest.json", _trustees(bend)), "manifest")
    assert "trustee 2: proof of coefficient 1" in err.reason


def test_replaced_contribution_is_caught_even_with_valid_proofs(sim):
    """A secretariat swapping in a contribution it made itself (valid proofs) changes the
    sum: the published key no longer matches, or the confirmations no longer verify."""
    _, other, _ = dkg.simulate("sim", list(sim.manifest.trustee_names), 2)

    def swap(t):
        t["ceremony"]["contributions"][2] = other["contributions"][2]

    err = _fails(_edit(_record(sim), "manifest.json", _trustees(swap)), "manifest")
    assert "sum of contributions" in err.reason


def test_missing_confirmations_are_invalid(sim):
    record = _record(sim)
    del record.files["confirmations.json"]
    _fails(record, "confirmations.json", "missing")
    _fails(
        _edit(_record(sim), "confirmations.json", lambda c: c.pop()),
        "confirmations.json",
        "expected 3 confirmations, found 2",
    )


def test_forged_or_misplaced_confirmations_are_named(sim):
    def forge(c):
        c[1] = copy.deepcopy(c[0]) | {"trustee": 2}

    err = _fails(_edit(_record(sim), "confirmations.json", forge), "confirmation 2 (trustee 2)")
    assert "Invalid trustee confirmation" in err.reason

    def duplicate(c):
        c[1] = copy.deepcopy(c[0])

    _fails(
        _edit(_record(sim), "confirmations.json", duplicate),
        "confirmation 2 (trustee 1)",
        "ascending, each trustee once",
    )

    def reorder(c):
        c[0], c[1] = c[1], c[0]

    _fails(_edit(_record(sim), "confirmations.json", reorder), "confirmation 1 (trustee 2)")
    other = dkg.confirm(bytes(32), 3, sim.shares[2], election_id="sim")

    def other_manifest(c):
        c[2] = other

    err = _fails(_edit(_record(sim), "confirmations.json", other_manifest), "confirmation 3")
    assert "another manifest" in err.reason


def test_a_confirmation_cannot_be_made_without_the_share(sim):
    """A secretariat that knows every public key still cannot confirm for a trustee."""
    from keys.group import N

    def fake(c):
        c[0] = dkg.confirm(sim.manifest.hash, 1, (sim.shares[0] + 1) % N, election_id="sim")

    _fails(_edit(_record(sim), "confirmations.json", fake), "confirmation 1 (trustee 1)")
