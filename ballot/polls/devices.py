"""Simulated trustees' devices for the demo, rehearsals, benchmarks and tests ONLY.

:class:`SimulatedDevices` plays every trustee's device against the ceremony board with
exactly the calls a real device makes (keys.dkg: start → make_shares → receive →
confirm), posting each message through a ``post`` function: the in-process
:func:`ballot.polls.ceremony_post.post_message` (quick_vote) or an HTTP client (tests).
One process then knows every share, so this is never the path of a real vote: there
each trustee's own browser or computer is the device (docs/operations.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from keys import dkg, sharefile
from keys.errors import CryptoError
from keys.hashing import manifest_hash

Post = Callable[[int, dict[str, Any]], dict[str, Any]]


class SimulatedDevices:
    """The n devices of one ceremony round; ``post(index, message)`` returns the board."""

    def __init__(self, election_id: str, names: Sequence[str], k: int, round_: int) -> None:
        self.election_id, self.names, self.k, self.round = election_id, list(names), k, round_
        self.shares: list[int] = []
        self.ceremony: dict[str, Any] | None = None
        #: Tests that look for leaked secrets keep the devices' states (never otherwise).
        self.keep_states = False
        self.states: list[dkg.TrusteeState] = []

    def run(self, post: Post) -> dict[str, Any]:
        """Commit, shares, done for every device; returns the last board."""
        states, board = [], {}
        for i in range(1, len(self.names) + 1):
            state, msg = dkg.start(self.election_id, self.round, self.names, self.k, i)
            states.append(state)
            board = post(i, msg)
        contributions = [
            dkg.verify_commit(m, self.election_id, self.round, self.names, self.k, m["trustee"])
            for m in board["commits"]
        ]
        for state in states:
            board = post(state.index, dkg.make_shares(state, contributions))
        self.ceremony = dkg.ceremony_json(self.round, contributions)
        ctx = dkg.context(self.election_id, self.round, self.names, self.k)
        # A real device shows this transcript's fingerprint, compared aloud device to
        # device before make_shares; here every device is this process.
        transcript = dkg.transcript(ctx, self.ceremony["contributions"])
        for state in states:
            result = dkg.receive(state, contributions, board["shares"])
            if isinstance(result, dkg.Complaint):
                raise CryptoError("dkg_complaint", f"trustee {result.trustee}: {result.reason}")
            share, key = result
            self.shares.append(share)
            board = post(state.index, dkg.done_message(state, share, key, transcript))
        if self.keep_states:
            self.states = states
        return board

    def share_files(self, passphrases: Sequence[str]) -> list[tuple[str, bytes]]:
        """Each device's sealed share file (phieu-share/2): (file name, bytes)."""
        assert self.ceremony is not None  # noqa: S101 - run() first
        return [
            (
                sharefile.file_name(self.election_id, i),
                dkg.share_file(
                    self.election_id, self.names, self.k, self.ceremony, i, share, passphrase
                ),
            )
            for i, (share, passphrase) in enumerate(
                zip(self.shares, passphrases, strict=True), start=1
            )
        ]

    def confirm(self, post: Post, manifest: dict[str, Any]) -> dict[str, Any]:
        """Every device confirms the candidate manifest; returns the last board."""
        h = manifest_hash(manifest)
        board: dict[str, Any] = {}
        for i, share in enumerate(self.shares, start=1):
            board = post(i, dkg.confirm(h, i, share, election_id=self.election_id))
        return board
