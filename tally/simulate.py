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
from keys.hashing import TAG_CHECKPOINT
from keys.nonces import SYSTEM, Nonces
from tally.actions import CHECKPOINT_ACTION, checkpoint_details, vote_chain
from tally.count import aggregate_ballots, results, tally_json
from tally.manifest import Manifest, build_manifest, parse_manifest
from tally.record import Record, chain_link, close_message, head_message, receipt_message
from tally.records import Card, FiguresFile, Receipt, SavedHead, SignedHead, parse_checkpoints
from tally.rules import Figures, quorum_met
from tally.vocab import Kind


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
    kind: str = Kind.RATING,
    k: int = 2,
    n: int = 3,
    spares: int = 2,
    seed: int = 1,
    nonces: Nonces = SYSTEM,
    blank_rate: float = 0.05,
    choices: list[list[int]] | None = None,
    checkpoint_every: int = 0,
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
    serials = [f"{i + 1:04d}" for i in range(len(card_keys))]
    server = signing.generate()
    raw = build_manifest(
        election_id="sim",
        meeting="Kỳ họp thứ Mười, Hội đồng nhân dân tỉnh (mô phỏng)",
        title="Lấy phiếu tín nhiệm" if kind == Kind.RATING else "Bỏ phiếu tín nhiệm",
        kind=kind,
        officials=[(f"Đại biểu Nguyễn Văn {i + 1}", "Phó Chủ tịch") for i in range(officials)],
        summoned=members + 2,
        trustee_names=names,
        ceremony=ceremony,
        cards=list(zip(serials, card_keys, strict=True)),
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
    opened, at = "2026-11-22T09:00:41+07:00", "2026-11-22T10:30:00+07:00"
    # A checkpoint's time is its minute (tally.actions.checkpoint_moment): signed in the
    # open's minute, it reads earlier than the open's exact second, as on a real server,
    # and verifiers that order checkpoints by log position must accept it.
    checkpoint_at = "2026-11-22T09:00:00+07:00"
    cps = [
        SignedHead(
            n,
            bytes.fromhex(entries[n - 1]["hash"]),
            checkpoint_at,
            signing.sign(
                server,
                head_message(
                    TAG_CHECKPOINT,
                    manifest.hash,
                    n,
                    bytes.fromhex(entries[n - 1]["hash"]),
                    checkpoint_at,
                ),
            ),
        )
        for n in range(checkpoint_every or members + 1, members + 1, checkpoint_every or 1)
    ]
    log = _log(manifest, members, head, opened, at, cps)
    close_log = vote_chain("sim", log)
    actions_head = bytes.fromhex(close_log[-1]["hash"])
    signature = signing.sign(
        server, close_message(manifest.hash, members, head, at, len(log), actions_head)
    )
    close = SignedHead(members, head, at, signature, len(log), actions_head)
    figures = Figures(summoned=members + 2, present=members, issued=members, returned=members)
    totals = aggregate_ballots(manifest, ballots)
    parts: list[PartialDecryption] = [
        partial_decrypt(manifest.hash, key, i, shares[i - 1], totals, nonces)
        for i in range(1, k + 1)
    ]
    res = results(manifest, figures, totals, parts)
    after = [(at, "thuky", "count.start", {"poll": "sim", "ballots": members})]
    after += [(at, "thuky", "count.partial", {"poll": "sim", "trustee": p.trustee}) for p in parts]
    after.append((at, "thuky", "poll.tallied", {"poll": "sim", "trustees": res["trustees"]}))
    record = Record()
    record.put("manifest.json", raw)
    record.put("confirmations.json", confirmations)
    record.put(
        "cards.json",
        {"cards": [Card(s, ck).to_json() for s, ck in zip(serials, card_keys, strict=True)]},
    )
    record.put("revocations.json", {"revocations": []})
    record.put("ballots.json", {"ballots": entries})
    record.put("audits.json", {"audited": []})
    record.put(
        "checkpoints.json",
        {"checkpoints": [c.to_json() for c in cps], "close": close.to_json()},
    )
    record.put("actions.json", {"actions": vote_chain("sim", log + after)})
    ff = FiguresFile(members + 2, members, members, members, None, opened, at)
    record.put("figures.json", ff.to_json())
    record.put("tally.json", tally_json(totals, members))
    record.put("decryptions.json", {"decryptions": [p.to_json() for p in parts]})
    record.put("results.json", res)
    return Simulation(record, manifest, shares, choices, secrets_, server)


def _log(
    manifest: Manifest, present: int, head: bytes, opened: str, at: str, cps: list[SignedHead]
) -> list[tuple[str, str, str, dict[str, Any]]]:
    """The vote's action log up to the close, as the web layer writes it."""
    v = manifest.election_id
    log: list[tuple[str, str, str, dict[str, Any]]] = [
        (
            opened,
            "thuky",
            "poll.create",
            {"poll": v, "title": manifest.title, "kind": manifest.kind},
        ),
        (opened, "thuky", "poll.freeze", {"poll": v, "manifest": manifest.hash.hex()}),
    ]
    log += [
        (opened, "thuky", "poll.checkin", {"poll": v, "present": i + 1}) for i in range(present)
    ]
    reason = None if quorum_met(present, manifest.summoned) else "mô phỏng: thiếu túc số"
    log.append((opened, "thuky", "poll.open", {"poll": v, "present": present, "override": reason}))
    log += [
        (
            c.at,
            "system",
            CHECKPOINT_ACTION,
            checkpoint_details(v, c.count, c.head, c.at, c.signature),
        )
        for c in cps
    ]
    close = {"poll": v, "ballots": present, "head": head.hex()}
    log.append((at, "thuky", "poll.close", close))
    return log


def receipt(sim: Simulation, seq: int) -> dict[str, Any]:
    """The server-signed receipt the member of ballot ``seq`` got (docs/record.md §7)."""
    entry = sim.record.json("ballots.json")["ballots"][seq - 1]
    tracker, head = bytes.fromhex(entry["tracker"]), bytes.fromhex(entry["hash"])
    message = receipt_message(sim.manifest.hash, seq, tracker, head)
    signature = signing.sign(sim.server_key, message)
    return Receipt(sim.manifest.hash, seq, tracker, head, signature).to_json()


def saved_head(sim: Simulation, checkpoint: int | None = None) -> dict[str, Any]:
    """What an observer saved from the board: checkpoint number ``checkpoint`` (from 1)
    of the record, or its close (docs/record.md §3)."""
    cps, close = parse_checkpoints(sim.record.json("checkpoints.json"))
    if checkpoint is None:
        assert close is not None  # noqa: S101 - a simulated record is closed
        return SavedHead(sim.manifest.hash, "close", close).to_json()
    return SavedHead(sim.manifest.hash, "checkpoint", cps[checkpoint - 1]).to_json()
