"""Cast or check (Benaloh): checked ballots posted, verified, never cast, never counted."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from ballot.db import db
from ballot.errors import ApiError
from ballot.polls.models import Poll
from ballot.voting.casting import cast
from keys import cards
from keys.audit import AuditedBallot, AuditedRow, encrypt_audited, verify_audit
from keys.ballot import encrypt_row, sign_ballot
from keys.errors import CryptoError
from keys.group import N, Point, base_mul
from keys.nonces import SYSTEM
from tally.checked import audits_json
from tally.cli import main
from tally.manifest import parse_manifest
from tally.simulate import simulate
from tally.verify import VerifyError, verify_record
from tests.voting_helpers import make_vote


class Recording:
    """System nonces, remembering every one drawn (the first of a row is its r)."""

    def __init__(self) -> None:
        self.drawn: list[int] = []

    def scalar(self) -> int:
        """A fresh nonce, kept."""
        self.drawn.append(SYSTEM.scalar())
        return self.drawn[-1]


def _phone_ballot(vote, card: int, choices: list[int]):
    """What the phone holds at review: rows (with r) — checked, or signed and cast."""
    poll = db.session.get(Poll, vote.poll_id)
    ctx = parse_manifest(json.loads(poll.manifest)).context()
    sk = cards.signing_key(vote.public_id, cards.decode_code(vote.codes[card]))
    rows, revealed = [], []
    for i, ch in enumerate(choices):
        rec = Recording()
        row = encrypt_row(ctx, cards.public_key(sk), i, ch, rec)
        rows.append(row)
        revealed.append(AuditedRow(row.ct.alpha, row.ct.beta, ch, rec.drawn[0]))
    return ctx, sign_ballot(ctx, sk, rows), AuditedBallot(ctx.manifest_hash, tuple(revealed))


def _post(client, vote, obj):
    db.session.rollback()  # the test's own reads end before the request's write
    return client.post(f"/v/{vote.public_id}/audit", json=obj)


def test_checked_ballot_posted_listed_and_never_cast(app, client):
    with app.app_context():
        vote = make_vote()
        ctx, signed, audited = _phone_ballot(vote, 0, [1, 2, 0])
        verify_audit(ctx, audited)
        res = _post(client, vote, audited.to_json())
        assert res.status_code == 200, res.get_json()
        assert res.get_json()["tracker"] == audited.tracker().hex()
        assert _post(client, vote, audited.to_json()).get_json()["repeated"] is True
        # The spoiled ballot, signed by the card afterwards, is refused at cast.
        with pytest.raises(ApiError) as err:
            cast(vote.poll_id, json.dumps(signed.to_json()).encode())
        assert err.value.code == "spoiled" and err.value.status == 409
        db.session.rollback()
        assert db.session.get(Poll, vote.poll_id).ballot_count == 0
        # The same card casts a fresh encryption: counted once.
        _, fresh, _ = _phone_ballot(vote, 0, [1, 2, 0])
        assert cast(vote.poll_id, json.dumps(fresh.to_json()).encode()).seq == 1
        board = client.get(f"/board/{vote.public_id}")
        assert audited.tracker().hex()[:16] in board.get_data(as_text=True)
        listed = client.get(f"/board/{vote.public_id}/audits.json").get_json()["audited"]
        assert [a["tracker"] for a in listed] == [audited.tracker().hex()]
        assert "card" not in json.dumps(listed) and "signature" not in json.dumps(listed)


def test_bad_checked_ballots_refused(app, client):
    with app.app_context():
        vote = make_vote()
        other = make_vote()
        ctx, _, audited = _phone_ballot(vote, 0, [1, 2, 3])
        rows = list(audited.rows)
        wrong_choice = AuditedBallot(
            ctx.manifest_hash,
            (rows[0].__class__(rows[0].alpha, rows[0].beta, 2, rows[0].r), *rows[1:]),
        )
        wrong_nonce = AuditedBallot(
            ctx.manifest_hash,
            (AuditedRow(rows[0].alpha, rows[0].beta, 1, (rows[0].r + 1) % N), *rows[1:]),
        )
        for bad, code in ((wrong_choice, "bad_reveal"), (wrong_nonce, "bad_reveal")):
            res = _post(client, vote, bad.to_json())
            assert res.status_code == 400 and res.get_json()["error"] == code
        res = _post(client, other, audited.to_json())  # another vote's manifest
        assert res.status_code == 400 and res.get_json()["error"] == "wrong_election"
        for junk in ({}, {"version": 1, "manifest": "zz", "rows": []}, [1], "x"):
            res = _post(client, vote, junk)
            assert res.status_code == 400, res.get_data(as_text=True)
        db.session.rollback()
        res = client.post(f"/v/{vote.public_id}/audit", data="{", content_type="application/json")
        assert res.status_code == 400
        res = client.post(
            f"/v/{vote.public_id}/audit", data="a" * 300_000, content_type="application/json"
        )
        assert res.status_code == 413
        assert client.get(f"/board/{vote.public_id}/audits.json").get_json()["audited"] == []


def test_cast_row_cannot_be_revealed(app, client):
    with app.app_context():
        vote = make_vote()
        _, signed, audited = _phone_ballot(vote, 1, [0, 1, 2])
        cast(vote.poll_id, json.dumps(signed.to_json()).encode())
        res = _post(client, vote, audited.to_json())
        assert res.status_code == 409 and res.get_json()["error"] == "already_cast"


def test_tally_verify_and_check_audit(tmp_path):
    sim = simulate(members=3, officials=2, seed=2)
    ctx = sim.manifest.context()
    good = encrypt_audited(ctx, [1, 0])
    sim.record.put("audits.json", audits_json([good]))
    report = verify_record(sim.record, workers=1)
    assert any("1 checked ballots" in line for line in report.lines)
    sim.record.save(tmp_path / "r")
    res = CliRunner().invoke(main, ["check-audit", str(tmp_path / "r")])
    assert res.exit_code == 0 and "VALID" in res.output
    (tmp_path / "one.json").write_text(json.dumps(good.to_json()))
    (tmp_path / "m.json").write_bytes(sim.record.files["manifest.json"])
    args = ["check-audit", str(tmp_path / "one.json"), "--manifest", str(tmp_path / "m.json")]
    assert CliRunner().invoke(main, args).exit_code == 0
    row = good.rows[0]
    bad = AuditedBallot(
        good.manifest_hash, (AuditedRow(row.alpha, row.beta, 2, row.r), good.rows[1])
    )
    (tmp_path / "one.json").write_text(json.dumps(bad.to_json()))
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 1 and "Lỗi:" in res.output and "shown choice" in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
    sim.record.put("audits.json", audits_json([bad]))
    with pytest.raises(VerifyError, match="checked ballot #1"):
        verify_record(sim.record, workers=1)


def test_tally_verify_catches_a_checked_ballot_inside_the_chain():
    rec = Recording()
    sim = simulate(members=3, officials=2, seed=3, nonces=rec)
    chain = json.loads(sim.record.files["ballots.json"])["ballots"]
    cast_rows = chain[0]["ballot"]["rows"]
    by_alpha = {base_mul(r).hex(): r for r in rec.drawn}
    revealed = tuple(
        AuditedRow(
            Point.from_hex(row["alpha"]), Point.from_hex(row["beta"]), ch, by_alpha[row["alpha"]]
        )
        for row, ch in zip(cast_rows, sim.choices[0], strict=True)
    )
    inside = AuditedBallot(sim.manifest.hash, revealed)
    verify_audit(sim.manifest.context(), inside)  # a true reveal of the cast ballot 1
    sim.record.put("audits.json", audits_json([inside]))
    with pytest.raises(VerifyError, match="shares a row with checked ballot #1"):
        verify_record(sim.record, workers=1)


def test_audited_format_is_strict():
    with pytest.raises(CryptoError):
        AuditedBallot.from_json(
            {
                "version": 1,
                "manifest": "00" * 32,
                "rows": [{"alpha": "02", "beta": "02", "choice": True, "r": "01"}],
            }
        )


def test_checked_ballots_in_the_record_never_counted(app, client):
    from ballot.counting import operations as counting
    from ballot.counting.export import build_record
    from ballot.polls import operations as polls
    from tally.count import decrypt_with_share, parse_totals
    from tests.voting_helpers import PASSPHRASES

    with app.app_context():
        vote = make_vote(members=3, officials=2)
        _, _, audited = _phone_ballot(vote, 0, [1, 1])
        _, _, audited2 = _phone_ballot(vote, 0, [3, 3])
        for a in (audited, audited2):
            assert _post(client, vote, a.to_json()).status_code == 200
        _, fresh, _ = _phone_ballot(vote, 0, [2, 0])
        cast(vote.poll_id, json.dumps(fresh.to_json()).encode())
        polls.close_poll("thuky", db.session.get(Poll, vote.poll_id))
        db.session.commit()
        res = _post(
            client,
            vote,
            encrypt_audited(
                parse_manifest(json.loads(db.session.get(Poll, vote.poll_id).manifest)).context(),
                [1, 1],
            ).to_json(),
        )
        assert res.status_code == 409 and res.get_json()["error"] == "closed"
        poll = db.session.get(Poll, vote.poll_id)
        counting.start_count("thuky", poll)
        db.session.commit()
        for t in (1, 2):
            poll = db.session.get(Poll, vote.poll_id)
            manifest = counting.manifest_of(poll)
            totals, _ = parse_totals(json.loads(counting.get_count(poll).tally), manifest)
            part = decrypt_with_share(manifest, totals, vote.shares[t - 1][1], PASSPHRASES[t - 1])
            counting.submit_partial("thuky", poll, part.to_json())
            db.session.commit()
        record = build_record(db.session.get(Poll, vote.poll_id))
        listed = record.json("audits.json")["audited"]
        assert [a["tracker"] for a in listed] == [audited.tracker().hex(), audited2.tracker().hex()]
        report = verify_record(record, workers=1)
        assert any("2 checked ballots" in line for line in report.lines)
        officials = record.json("results.json")["officials"]
        assert officials[0]["counts"] == {"tin_nhiem_cao": 0, "tin_nhiem": 1, "tin_nhiem_thap": 0}
        assert (
            officials[1]["blank"] == 1 and record.json("results.json")["figures"]["returned"] == 1
        )


def test_audit_endpoint_is_rate_limited(app, client):
    with app.app_context():
        app.config["AUDIT_RATE_LIMIT"] = "3 per minute"
        vote = make_vote()
        codes = [_post(client, vote, {"junk": 1}).status_code for _ in range(5)]
        assert codes[:3] == [400, 400, 400] and codes[3:] == [429, 429]


def test_check_audit_reads_the_board_file_and_refuses_junk(tmp_path):
    sim = simulate(members=3, officials=2, seed=4)
    ctx = sim.manifest.context()
    good = [encrypt_audited(ctx, [1, 0]), encrypt_audited(ctx, [0, 3])]
    board = {"vote": "sim", **audits_json(good)}
    (tmp_path / "m.json").write_bytes(sim.record.files["manifest.json"])
    (tmp_path / "board.json").write_text(json.dumps(board))
    args = ["check-audit", str(tmp_path / "board.json"), "--manifest", str(tmp_path / "m.json")]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0 and "2 lá phiếu" in res.output, res.output
    board["audited"][1]["tracker"] = board["audited"][0]["tracker"]
    (tmp_path / "board.json").write_text(json.dumps(board))
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 1 and "checked ballot #2" in res.output
    for junk in ("{", "3", "[]", '{"version": 1}'):
        (tmp_path / "board.json").write_text(junk)
        res = CliRunner().invoke(main, args)
        assert res.exit_code == 1 and res.output.startswith("Lỗi:"), (junk, res.output)
        assert res.exception is None or isinstance(res.exception, SystemExit)
    res = CliRunner().invoke(main, ["check-audit", str(tmp_path / "board.json")])
    assert res.exit_code == 1 and "--manifest" in res.output
