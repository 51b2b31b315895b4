"""Build a complete election record offline with real cryptography.

Used by rehearsals, tests and bench/tally.py: it takes the same steps, through the
same functions, as the web layer does on the day (the dealer-free key ceremony with
every trustee's device played here, the trustees' confirmations of the manifest,
cards, casting into the chain, signed close, count), so the record it writes is a real one.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from keys import cards, dkg, signing
from keys.ballot import Ballot, encrypt_ballot
from keys.decryption import PartialDecryption, partial_decrypt
from keys.nonces import SYSTEM, Nonces

from tally.count import aggregate_ballots, figures_json, results, tally_json
from tally.manifest import Manifest, build_manifest, parse_manifest
from tally.record import TAG_CLOSE, Record, chain_link, head_message
from tally.rules import Figures


@dataclass
class Simulation:
    """A simulated vote: its record and the secrets a test may need."""

    record: Record
    manifest: Manifest
    shares: list[int]
    choices: list[list[int]]
    card_secrets: list[bytes]
    server_key: Any


def chain_entries(manifest_hash: bytes, ballots: list[Ballot]) -> list[dict[str, Any]]:
    """The ballots.json entries: seq, prev, hash, tracker, ballot."""
    prev, out = manifest_hash, []
    for seq, b in enumerate(ballots, start=1):
        tracker = b.tracker()
        link = chain_link(prev, seq, tracker)
        out.append(
            {
                "seq": seq,
                "prev": prev.hex(),
                "hash": link.hex(),
                "tracker": tracker.hex(),
                "ballot": b.to_json(),
            }
        )
        prev = link
    return out


def simulate(
    members: int = 20,
    officials: int = 5,
    kind: str = "rating",
    k: int = 2,
    n: int = 3,
    spares: int = 2,
    seed: int = 1,
    nonces: Nonces = SYSTEM,
    blank_rate: float = 0.05,
    choices: list[list[int]] | None = None,
) -> Simulation:
    """Run a whole vote: ``members`` ballots, k of n trustees.

    Choices are random (seeded) unless given: one list per member, 0 = blank, i = level i.
    """
    rng = random.Random(seed)  # noqa: S311 - chooses simulated votes, not secrets
    names = [f"Thành viên {i + 1}" for i in range(n)]
    key, ceremony, shares = dkg.simulate("sim", names, k, nonces=nonces)
    secrets_ = [cards.new_secret() for _ in range(members + spares)]
    sks = [cards.signing_key("sim", s) for s in secrets_]
    card_keys = [cards.public_key(sk) for sk in sks]
    server = signing.generate()
    raw = build_manifest(
        election_id="sim",
        meeting="Kỳ họp thứ Mười, Hội đồng nhân dân tỉnh (mô phỏng)",
        title="Lấy phiếu tín nhiệm" if kind == "rating" else "Bỏ phiếu tín nhiệm",
        kind=kind,
        officials=[(f"Đại biểu Nguyễn Văn {i + 1}", "Phó Chủ tịch") for i in range(officials)],
        summoned=members + 2,
        trustee_names=names,
        ceremony=ceremony,
        card_keys=card_keys,
        server_key=signing.public_bytes(server),
    )
    manifest = parse_manifest(raw)
    confirmations = [
        dkg.confirm(manifest.hash, j, shares[j - 1], nonces, election_id="sim")
        for j in range(1, n + 1)
    ]
    ctx = manifest.context()
    levels = len(manifest.levels)
    if choices is None:
        choices = [
            [0 if rng.random() < blank_rate else rng.randint(1, levels) for _ in range(officials)]
            for _ in range(members)
        ]
    elif len(choices) != members or any(len(c) != officials for c in choices):
        raise ValueError("one choice per official for each member")
    ballots = [encrypt_ballot(ctx, sks[i], choices[i], nonces) for i in range(members)]
    entries = chain_entries(manifest.hash, ballots)
    head = bytes.fromhex(entries[-1]["hash"]) if entries else manifest.hash
    at = "2026-11-22T10:30:00+07:00"
    close = {"count": members, "head": head.hex(), "at": at}
    close["signature"] = signing.sign(
        server, head_message(TAG_CLOSE, manifest.hash, members, head, at)
    ).hex()
    figures = Figures(summoned=members + 2, present=members, issued=members, returned=members)
    totals = aggregate_ballots(manifest, ballots)
    parts: list[PartialDecryption] = [
        partial_decrypt(manifest.hash, key, i, shares[i - 1], totals, nonces)
        for i in range(1, k + 1)
    ]
    record = Record()
    record.put("manifest.json", raw)
    record.put("confirmations.json", confirmations)
    record.put(
        "cards.json",
        {"cards": [{"serial": f"{i + 1:04d}", "key": ck.hex()} for i, ck in enumerate(card_keys)]},
    )
    record.put("revocations.json", {"revocations": []})
    record.put("ballots.json", {"ballots": entries})
    record.put("checkpoints.json", {"checkpoints": [], "close": close})
    record.put("actions.json", {"actions": []})
    record.put(
        "figures.json",
        figures_json(figures) | {"opened_at": "2026-11-22T09:00:00+07:00", "closed_at": at},
    )
    record.put("tally.json", tally_json(totals, members))
    record.put("decryptions.json", {"decryptions": [p.to_json() for p in parts]})
    record.put("results.json", results(manifest, figures, totals, parts))
    return Simulation(record, manifest, shares, choices, secrets_, server)
