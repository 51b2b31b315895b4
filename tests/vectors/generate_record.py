"""A small real record, written by tally/simulate.py, for the JavaScript twins' tests.

Run ``python -m tests.vectors.generate_record`` (not part of ``make vectors``). The output
(count-record.json) is not byte-deterministic (fresh card secrets and server key), so
it is committed once and checked both ways: tests/test_vectors_record.py asserts that
the Python verifier and the trustees' CLI accept it as it is, and
tests/js/trustee-check.test.mjs that the count page's check accepts it too. A format
change in Python fails the first test until the file is regenerated, and then the
second until the JavaScript is ported: the twins cannot drift apart silently.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from keys import signing
from tally.record import close_message
from tally.simulate import simulate

OUT = Path(__file__).parent / "count-record.json"
# The record files in GET count/ballots.json (ballot/counting/operations.py CHECK_FILES).
CHECK_FILES = ("manifest", "cards", "revocations", "ballots", "checkpoints", "confirmations")


def record_vector() -> dict[str, Any]:
    """Every JSON file of a 3-ballot, 2-official, 2-of-3 record with checkpoints, a spare
    card and a revocation-free close, and the count page's view of it."""
    sim = simulate(
        members=3, officials=2, kind="confidence", k=2, n=3, spares=1, checkpoint_every=2
    )
    files = {
        name: json.loads(data)
        for name, data in sorted(sim.record.files.items())
        if name.endswith(".json")
    }
    view = {name: files[f"{name}.json"] for name in CHECK_FILES}
    view["tally"] = files.get("tally.json")
    # An attack the tests perform: a close genuinely signed (close_message) over the first
    # two ballots only, with the third still in the chain.
    close = dict(view["checkpoints"]["close"])
    head = view["ballots"]["ballots"][1]["hash"]
    message = close_message(
        sim.manifest.hash,
        2,
        bytes.fromhex(head),
        close["at"],
        close["actions"],
        bytes.fromhex(close["actions_head"]),
    )
    close |= {"count": 2, "head": head, "signature": signing.sign(sim.server_key, message).hex()}
    return {"files": files, "check": view, "close_over_two": close}


def main() -> None:
    """Write count-record.json."""
    OUT.write_text(json.dumps(record_vector(), indent=1, ensure_ascii=False) + "\n", "utf-8")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
