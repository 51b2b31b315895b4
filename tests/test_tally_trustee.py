"""``tally partial-decrypt`` decrypts only the sums of the ballots the trustee verified.

Each test performs an attack of a dishonest server on the record handed to a trustee
and asserts that nothing is decrypted and no part is written.
"""

import json
from dataclasses import replace

import pytest
from click.testing import CliRunner

from keys import cards, dkg, signing
from keys.ballot import Ballot, EncryptedRow, encrypt_ballot, sign_ballot
from keys.proofs import RowProof
from tally.cli import main
from tally.count import accept_partial, aggregate_ballots, parse_totals, tally_json
from tally.record import Record, close_message
from tally.simulate import chain_entries, simulate
from tally.trustee import compare_tally, fingerprint, verified_totals
from tally.verify import VerifyError

PW = "mật khẩu của tổ kiểm phiếu"


@pytest.fixture(scope="module")
def sim():
    return simulate(members=12, officials=4, kind="rating", k=2, n=3, spares=3, seed=11)


@pytest.fixture
def share(sim, tmp_path):
    path = tmp_path / "t2.share.json"
    names = list(sim.manifest.trustee_names)
    ceremony = sim.manifest.raw["trustees"]["ceremony"]
    path.write_bytes(dkg.share_file("sim", names, 2, ceremony, 2, sim.shares[1], PW, 1 << 14))
    return path


def _record(sim) -> Record:
    return Record(dict(sim.record.files))


def _ballots(rec: Record) -> list[Ballot]:
    return [Ballot.from_json(e["ballot"]) for e in rec.json("ballots.json")["ballots"]]


def _resign_close(sim, rec: Record, count: int | None = None) -> None:
    """What a server holding its own key can do: re-sign the close over a rebuilt chain."""
    entries = rec.json("ballots.json")["ballots"]
    c = rec.json("checkpoints.json")
    n = len(entries) if count is None else count
    head = entries[n - 1]["hash"] if n else sim.manifest.hash.hex()
    cl = c["close"]
    msg = close_message(
        sim.manifest.hash,
        n,
        bytes.fromhex(head),
        cl["at"],
        cl["actions"],
        bytes.fromhex(cl["actions_head"]),
    )
    c["close"] |= {"count": n, "head": head, "signature": signing.sign(sim.server_key, msg).hex()}
    rec.put("checkpoints.json", c)


def _decrypt(rec: Record, share, tmp_path):
    path = tmp_path / "record"
    rec.save(path)
    out = tmp_path / "part.json"
    res = CliRunner().invoke(
        main,
        ["partial-decrypt", str(path), "--share", str(share), "--out", str(out)],
        input=PW + "\n",
    )
    return res, out


def _refused(rec: Record, share, tmp_path, *words: str) -> str:
    res, out = _decrypt(rec, share, tmp_path)
    assert res.exit_code == 1, res.output
    assert "KHÔNG giải mã" in res.output and "nothing decrypted" in res.output, res.output
    for word in words:
        assert word in res.output, res.output
    assert "Mật khẩu" not in res.output  # refused before the passphrase is even asked
    assert not out.exists()
    return res.output


def test_happy_path_decrypts_the_recomputed_sums(sim, share, tmp_path):
    rec = _record(sim)
    res, out = _decrypt(rec, share, tmp_path)
    assert res.exit_code == 0, res.output
    head = rec.json("checkpoints.json")["close"]["head"]
    grouped = fingerprint(bytes.fromhex(head))
    assert grouped.split() == [head[i : i + 4] for i in range(0, 64, 4)]
    assert grouped in res.output and "12 phiếu" in res.output
    # the fingerprint comes before the passphrase prompt
    assert res.output.index(grouped) < res.output.index("Mật khẩu")
    part = json.loads(out.read_text())
    totals, _ = parse_totals(rec.json("tally.json"), sim.manifest)
    body = {k: part[k] for k in ("trustee", "shares", "proofs")}
    assert accept_partial(sim.manifest, totals, [], body).trustee == 2


def test_record_without_tally_json_still_counts(sim, share, tmp_path):
    rec = _record(sim)
    del rec.files["tally.json"]
    res, out = _decrypt(rec, share, tmp_path)
    assert res.exit_code == 0, res.output
    totals, _ = parse_totals(sim.record.json("tally.json"), sim.manifest)
    part = {k: json.loads(out.read_text())[k] for k in ("trustee", "shares", "proofs")}
    accept_partial(sim.manifest, totals, [], part)


def test_one_members_rows_in_place_of_the_totals_are_refused(sim, share, tmp_path):
    """The attack of issue 13: tally.json = one ballot's rows, so its decryption is a vote."""
    rec = _record(sim)
    one = _ballots(rec)[4]
    rec.put("tally.json", tally_json([row.ct for row in one.rows], 12))
    _refused(rec, share, tmp_path, "tally.json, official 1", "sum of the verified ballots")
    # whatever tally.json says, the verified totals are the sums of all the ballots
    checked = verified_totals(rec, workers=1)
    assert checked.totals == aggregate_ballots(sim.manifest, _ballots(rec))
    assert checked.count == 12
    with pytest.raises(VerifyError):
        compare_tally(checked, rec.json("tally.json"))
    rec.put("tally.json", tally_json(checked.totals, 11))
    _refused(rec, share, tmp_path, "counts 11 ballots")


def test_ballot_removed_from_the_chain(sim, share, tmp_path):
    rec = _record(sim)
    obj = rec.json("ballots.json")
    obj["ballots"].pop(3)
    rec.put("ballots.json", obj)
    _refused(rec, share, tmp_path, "ballot #4")
    # rebuilt and re-signed without it: the close head differs from the projector's,
    # but it verifies; the fingerprint printed is the one to compare.
    rec = _record(sim)
    ballots = _ballots(rec)
    rec.put("ballots.json", {"ballots": chain_entries(sim.manifest.hash, ballots[:-1])})
    _refused(rec, share, tmp_path, "signed close")


def test_modified_ballot(sim, share, tmp_path):
    rec = _record(sim)
    obj = rec.json("ballots.json")
    row = obj["ballots"][5]["ballot"]["rows"][1]
    row["alpha"], row["beta"] = row["beta"], row["alpha"]
    rec.put("ballots.json", obj)
    _refused(rec, share, tmp_path, "ballot #6", "tracker")


def test_modified_ballot_rechained_and_resigned(sim, share, tmp_path):
    """The server re-chains an altered ballot and signs a new close: the card signature fails;
    with the card's key too (a bent proof signed by the card), the row proof fails."""
    rec = _record(sim)
    ballots = _ballots(rec)
    row = ballots[7].rows[2]
    bent = EncryptedRow(row.ct, RowProof(row.proof.c, (row.proof.s[0] + 1, *row.proof.s[1:])))
    rows = (*ballots[7].rows[:2], bent, *ballots[7].rows[3:])
    ballots[7] = replace(ballots[7], rows=rows)
    rec.put("ballots.json", {"ballots": chain_entries(sim.manifest.hash, ballots)})
    _resign_close(sim, rec)
    _refused(rec, share, tmp_path, "ballot #8", "card signature")
    sk = cards.signing_key("sim", sim.card_secrets[7])
    ballots[7] = sign_ballot(sim.manifest.context(), sk, list(rows))
    rec.put("ballots.json", {"ballots": chain_entries(sim.manifest.hash, ballots)})
    _resign_close(sim, rec)
    _refused(rec, share, tmp_path, "ballot #8", "official 3 (Đại biểu Nguyễn Văn 3)")


def test_bad_signed_head(sim, share, tmp_path):
    rec = _record(sim)
    c = rec.json("checkpoints.json")
    other = signing.generate()
    cl = c["close"]
    msg = close_message(
        sim.manifest.hash,
        12,
        bytes.fromhex(cl["head"]),
        cl["at"],
        cl["actions"],
        bytes.fromhex(cl["actions_head"]),
    )
    c["close"]["signature"] = signing.sign(other, msg).hex()
    rec.put("checkpoints.json", c)
    _refused(rec, share, tmp_path, "signed close", "signature does not verify")
    c["close"] = None
    rec.put("checkpoints.json", c)
    _refused(rec, share, tmp_path, "signed close is missing")


def test_ballot_from_a_card_outside_the_commitment(sim, share, tmp_path):
    rec = _record(sim)
    outsider = encrypt_ballot(
        sim.manifest.context(), cards.signing_key("sim", bytes(16)), [1, 2, 3, 0]
    )
    rec.put(
        "ballots.json",
        {"ballots": chain_entries(sim.manifest.hash, [*_ballots(rec), outsider])},
    )
    _resign_close(sim, rec)
    _refused(rec, share, tmp_path, "ballot #13", "outside the committed set")
    # ...nor by adding its card to cards.json: the commitment no longer matches
    obj = rec.json("cards.json")
    obj["cards"][0]["key"] = outsider.card.hex()
    rec.put("cards.json", obj)
    _refused(rec, share, tmp_path, "cards.json", "commitment")


def test_ballot_from_a_revoked_card(sim, share, tmp_path):
    rec = _record(sim)
    first = rec.json("ballots.json")["ballots"][0]["ballot"]["card"]
    obj = rec.json("revocations.json")
    obj["revocations"].append({"serial": "0001", "key": first})
    rec.put("revocations.json", obj)
    _refused(rec, share, tmp_path, "ballot #1", "revoked")


def test_chain_longer_than_the_close_count(sim, share, tmp_path):
    """A ballot appended after the close (the close still signs the first 11)."""
    rec = _record(sim)
    _resign_close(sim, rec, count=11)
    _refused(rec, share, tmp_path, "signed close", "signed ballot count 11, the chain has 12")
