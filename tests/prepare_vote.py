"""``python -m tests.prepare_vote MEMBERS OFFICIALS``: migrate the configured database
(DATABASE_URL), open a vote, print {"id", "manifest", "codes"} as JSON. Used by the tests
that run a real gunicorn: the server's database is prepared in a process of its own."""

from __future__ import annotations

import json
import sys


def main() -> None:
    """Prepare and print."""
    from ballot import create_app
    from ballot.cards import operations as cards_ops
    from ballot.db import db
    from ballot.migrate import upgrade_database
    from ballot.polls import operations as polls

    members, officials = int(sys.argv[1]), int(sys.argv[2])
    app = create_app()
    upgrade_database(app)
    with app.app_context():
        p = polls.create_poll(
            "t",
            meeting="M",
            title="T",
            kind="rating",
            summoned=members,
            trustee_names=["A", "B", "C"],
            threshold=2,
        )
        polls.replace_officials("t", p, [(f"Người {i}", "Chức vụ") for i in range(officials)])
        polls.run_ceremony("t", p, ["passphrase-1xx", "passphrase-2xx", "passphrase-3xx"])
        printed, _ = cards_ops.make_cards("t", p, 0)
        polls.freeze("t", p)
        p.present = p.summoned
        polls.open_poll("t", p)
        db.session.commit()
        out = {
            "id": p.public_id,
            "manifest": json.loads(p.manifest or "{}"),
            "codes": [c.code for c in printed],
        }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
