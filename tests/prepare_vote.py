"""``python -m tests.prepare_vote MEMBERS OFFICIALS``: migrate the configured database
(DATABASE_URL), open a vote, print {"id", "manifest", "codes"} as JSON. Used by the tests
that run a real gunicorn: the server's database is prepared in a process of its own."""

from __future__ import annotations

import json
import sys


def main() -> None:
    """Prepare and print."""
    from ballot import create_app
    from ballot.migrate import upgrade_database
    from ballot.polls.quick import quick_vote

    members, officials = int(sys.argv[1]), int(sys.argv[2])
    app = create_app()
    upgrade_database(app)
    with app.app_context():
        vote = quick_vote(
            "t",
            meeting="M",
            title="T",
            officials=[(f"Người {i}", "Chức vụ") for i in range(officials)],
            members=members,
            trustee_names=["A", "B", "C"],
            threshold=2,
            passphrases=["passphrase-1xx", "passphrase-2xx", "passphrase-3xx"],
        )
        out = {
            "id": vote.poll.public_id,
            "manifest": json.loads(vote.poll.manifest or "{}"),
            "codes": [c.code for c in vote.printed],
        }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
