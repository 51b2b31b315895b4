"""Issue 9: every figure, revocation and log entry of a record is bound; every tampering
is named precisely; the verifier never crashes (a structure-aware fuzz)."""

import copy
import functools
import json

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keys import cards, signing
from keys.ballot import Ballot
from keys.hashing import TAG_CHECKPOINT
from tally import receipts, records
from tally.actions import checkpoint_details, vote_chain
from tally.cli import main
from tally.receipts import check_receipt
from tally.record import Record, close_message, head_message, receipt_message
from tally.records import KEYS, SignedHead, VerifyError
from tally.simulate import chain_entries, receipt, simulate
from tally.verify import verify_record


@functools.cache
def _simulation():
    return simulate(members=10, officials=3, k=2, n=3, spares=3, seed=11, checkpoint_every=4)


@pytest.fixture(scope="module")
def sim():
    return _simulation()


def _rec(sim) -> Record:
    return Record(dict(sim.record.files))


def _edit(rec: Record, name: str, fn) -> Record:
    obj = rec.json(name)
    fn(obj)
    rec.put(name, obj)
    return rec


def _fails(rec: Record, item: str, reason: str = "") -> VerifyError:
    with pytest.raises(VerifyError) as err:
        verify_record(rec, workers=1)
    assert item in err.value.item, err.value
    assert reason in err.value.reason, err.value
    return err.value


def _resign(sim, rec: Record, log_fn=None, figures=None) -> Record:
    """A dishonest server holding its own key: rewrite the log, re-chain, re-sign the close."""
    actions = rec.json("actions.json")["actions"]
    tuples = [(a["at"], a["actor"], a["action"], a["details"]) for a in actions]
    if log_fn:
        tuples = log_fn(tuples)
    chain = vote_chain("sim", tuples)
    rec.put("actions.json", {"actions": chain})
    cp = rec.json("checkpoints.json")
    c = cp["close"]
    m = next(i for i, a in enumerate(chain, 1) if a["action"] == "poll.close")
    c["actions"], c["actions_head"] = m, chain[m - 1]["hash"]
    head = bytes.fromhex(c["head"])
    msg = close_message(
        sim.manifest.hash, c["count"], head, c["at"], m, bytes.fromhex(c["actions_head"])
    )
    c["signature"] = signing.sign(sim.server_key, msg).hex()
    rec.put("checkpoints.json", cp)
    if figures:
        _edit(rec, "figures.json", lambda f: f.update(figures))
    return rec


def test_simulated_record_verifies_with_its_checkpoints(sim):
    lines = verify_record(_rec(sim), workers=1).lines
    assert any("2 signed checkpoints are prefixes" in line for line in lines)


@pytest.mark.parametrize(
    "key, value, says",
    [("members_total", 500, "the manifest says None"), ("summoned", 99, "the manifest says 12")],
)
def test_figures_bound_to_the_manifest(sim, key, value, says):
    _fails(
        _edit(_rec(sim), "figures.json", lambda f: f.update({key: value})),
        f"figures.json {key}",
        says,
    )


def test_issued_and_present_bound_to_the_log(sim):
    _fails(
        _edit(_rec(sim), "figures.json", lambda f: f.update(issued=13)),
        "figures.json issued",
        "spares",
    )
    _fails(
        _edit(_rec(sim), "figures.json", lambda f: f.update(present=5)),
        "figures.json present",
        "check-ins",
    )


def test_ten_ballots_seven_present_no_spares_is_invalid(sim):
    """Even a server that re-signs a consistent log cannot hide ballots from unissued cards."""

    def seven(t):
        out, n = [], 0
        for at, actor, action, d in t:
            if action == "poll.checkin":
                n += 1
                if n > 7:
                    continue
            if action == "poll.open":
                d = d | {"present": 7, "override": "Bão: Chủ tọa quyết định"}
            out.append((at, actor, action, d))
        return out

    rec = _resign(sim, _rec(sim), seven, {"present": 7, "issued": 7})
    _fails(rec, "figures.json issued", "returned 10 ≤ issued 7 ≤ cards 13 does not hold")


def test_present_below_quorum_needs_the_recorded_reason(sim):
    def few(t):
        out = [x for x in t if x[2] != "poll.checkin"][:2]
        out += [(t[0][0], "thuky", "poll.checkin", {"poll": "sim", "present": i}) for i in (1, 2)]
        rest = [x for x in t if x[2] != "poll.checkin"][2:]
        return out + [
            (a, b, c, d | {"present": 2} if c == "poll.open" else d) for a, b, c, d in rest
        ]

    rec = _resign(sim, _rec(sim), few, {"present": 2, "issued": 2})
    _fails(rec, "poll.open", "opened with 2 of 12 present, below quorum, and no reason recorded")


def test_log_rewritten_from_zero_bytes_or_unsigned(sim):
    from tally.actions import GENESIS, action_hash

    rec = _rec(sim)
    actions = rec.json("actions.json")["actions"]
    prev = GENESIS
    for a in actions:  # the old installation-style chain: from zero bytes, signed by nobody
        prev = action_hash(prev, {k: a[k] for k in ("seq", "at", "actor", "action", "details")})
        a["hash"] = prev.hex()
    rec.put("actions.json", {"actions": actions})
    _fails(rec, "actions.json, action 1", "hash does not match")
    consistent = vote_chain(
        "sim", [(a["at"], a["actor"], a["action"], a["details"]) for a in actions[:5]]
    )
    rec.put("actions.json", {"actions": consistent})
    _fails(rec, "actions.json", "signed close covers 16 entries")


def _with_revocation(sim) -> Record:
    rec = _rec(sim)
    cards = rec.json("cards.json")["cards"]
    spare = cards[-1]

    def revoke(t):
        i = next(i for i, x in enumerate(t) if x[2] == "poll.open")
        return [
            *t[: i + 1],
            (t[i][0], "thuky", "cards.revoke", {"poll": "sim", "serial": spare["serial"]}),
            *t[i + 1 :],
        ]

    rec.put("revocations.json", {"revocations": [spare]})
    return _resign(sim, rec, revoke)


def test_revocations_agree_with_the_log(sim):
    rec = _with_revocation(sim)
    assert verify_record(rec, workers=1)
    removed = Record(dict(rec.files))
    removed.put("revocations.json", {"revocations": []})
    _fails(removed, "revocations.json", "lists [], the action log revokes ['0013']")
    voted = rec.json("cards.json")["cards"][0]  # serial 0001 voted (ballots are in card order)
    moved = Record(dict(rec.files))
    moved.put(
        "revocations.json",
        {
            "revocations": [
                {"serial": voted["serial"], "key": rec.json("cards.json")["cards"][-1]["key"]}
            ]
        },
    )
    _fails(moved, "revocations.json item 1", "card 0001 is not that committed card")
    both = Record(dict(rec.files))
    both.put("revocations.json", {"revocations": [voted]})
    _fails(both, "ballot #1", "cast with revoked card 0001")


def test_serials_are_committed(sim):
    def swap(o):
        o["cards"][0]["serial"], o["cards"][1]["serial"] = (
            o["cards"][1]["serial"],
            o["cards"][0]["serial"],
        )

    _fails(
        _edit(_rec(sim), "cards.json", swap), "cards.json", "(serial, key) differ from the manifest"
    )


def test_record_hash_file_compared(sim):
    rec = _rec(sim)
    rec.files["record-hash.txt"] = b"00" * 32 + b"\n"
    _fails(rec, "record-hash.txt", "the files hash to")
    rec.files["record-hash.txt"] = rec.hash().hex().encode() + b"\n"
    assert verify_record(rec, workers=1)


def test_bool_for_int_and_smuggled_keys(sim):
    _fails(
        _edit(_rec(sim), "ballots.json", lambda o: o["ballots"][0].update(seq=True)),
        "ballot #1 seq",
        "integer",
    )
    _fails(
        _edit(
            _rec(sim),
            "ballots.json",
            lambda o: o["ballots"][2].update(received_at="2026-11-22T09:01:02+07:00"),
        ),
        "ballot #3",
        "unexpected received_at",
    )
    _fails(
        _edit(_rec(sim), "tally.json", lambda o: o.update(ballots=True)),
        "tally.json ballots",
        "integer",
    )


def test_changed_manifest_is_named(sim):
    rec = _edit(_rec(sim), "manifest.json", lambda m: m.update(title="Một cuộc bỏ phiếu khác"))
    _fails(rec, "manifest.json", "changed after the vote")


def test_broken_proof_names_ballot_and_official(sim):
    rec = _rec(sim)
    entries = rec.json("ballots.json")["ballots"]
    obj = entries[7]["ballot"]
    obj["rows"][2]["s"][0] = f"{(int(obj['rows'][2]['s'][0], 16) + 1):064x}"
    # the card's owner (or whoever has the card) signs the bent ballot: the signature holds
    bent = Ballot.from_json(obj)
    sk = cards.signing_key("sim", sim.card_secrets[7])
    obj["signature"] = cards.sign(sk, bent.digest()).hex()
    ballots = [Ballot.from_json(e["ballot"]) for e in entries]
    rebuilt = chain_entries(sim.manifest.hash, ballots)
    rec.put("ballots.json", {"ballots": rebuilt})
    cp = rec.json("checkpoints.json")
    cp["checkpoints"] = [c for c in cp["checkpoints"] if c["count"] < 8]
    cp["close"]["head"] = rebuilt[-1]["hash"]
    rec.put("checkpoints.json", cp)

    def head(t):  # a consistent server: the checkpoint at ballot #8 is unlogged too
        return [
            (a, b, c, d | {"head": rebuilt[-1]["hash"]} if c == "poll.close" else d)
            for a, b, c, d in t
            if c != "poll.checkpoint" or d["count"] < 8
        ]

    rec = _resign(sim, rec, head)
    _fails(rec, "ballot #8", "the encryption proof for official 3 (Đại biểu Nguyễn Văn 3) fails")


def test_checkpoint_is_a_prefix_of_the_final_chain(sim):
    """Ballot 2 replaced after checkpoint 1 (count 4) was signed: the final head is
    re-signed by the server, but the earlier checkpoint betrays the rewrite."""
    rec = _rec(sim)
    entries = rec.json("ballots.json")["ballots"]
    ballots = [Ballot.from_json(e["ballot"]) for e in entries]
    ballots[1], ballots[2] = ballots[2], ballots[1]
    rebuilt = chain_entries(sim.manifest.hash, ballots)
    rec.put("ballots.json", {"ballots": rebuilt})
    cp = rec.json("checkpoints.json")
    cp["close"]["head"] = rebuilt[-1]["hash"]
    rec.put("checkpoints.json", cp)

    def head(t):
        return [
            (a, b, c, d | {"head": rebuilt[-1]["hash"]} if c == "poll.close" else d)
            for a, b, c, d in t
        ]

    _fails(_resign(sim, rec, head), "checkpoint 1", "not the chain's at ballot #4")


# -- checkpoints bound by the vote's action chain (docs/record.md §3) --------------------
# The simulated log: create, freeze, 10 check-ins, open (13), checkpoints at ballots #4
# and #8 (actions 14, 15), close (16).
def test_every_checkpoint_is_logged_and_the_record_lists_exactly_those(sim):
    rec = _rec(sim)
    logged = [a for a in rec.json("actions.json")["actions"] if a["action"] == "poll.checkpoint"]
    assert [a["seq"] for a in logged] == [14, 15]
    listed = rec.json("checkpoints.json")["checkpoints"]
    assert [{k: v for k, v in a["details"].items() if k != "poll"} for a in logged] == listed
    lines = verify_record(rec, workers=1).lines
    assert "OK  2 logged checkpoints, exactly those of checkpoints.json" in lines


def test_a_checkpoint_left_out_of_the_record_is_invalid(sim):
    """The server drops a signed checkpoint from checkpoints.json: the close signed the
    log that records it."""
    rec = _edit(_rec(sim), "checkpoints.json", lambda cp: cp["checkpoints"].pop(1))
    _fails(
        rec,
        "checkpoints.json",
        "the checkpoint logged at action 15 (ballot #8) is missing: left out of the record",
    )
    rec = _edit(_rec(sim), "checkpoints.json", lambda cp: cp["checkpoints"].clear())
    _fails(rec, "checkpoints.json", "logged at action 14 (ballot #4) is missing")


def _alter_logged(n: int, **change):
    def fn(t):
        return [
            (a, b, c, d | change if c == "poll.checkpoint" and d["count"] == n else d)
            for a, b, c, d in t
        ]

    return fn


def test_a_logged_checkpoint_altered_is_invalid(sim):
    """The server rewrites a logged checkpoint, re-chains the log and re-signs the close:
    the record's checkpoint no longer matches the logged one."""
    later = _resign(sim, _rec(sim), _alter_logged(8, at="2026-11-22T09:31:00+07:00"))
    _fails(later, "checkpoint 2", "differs from the one logged at action 15 (at)")
    sig = sim.record.json("checkpoints.json")["checkpoints"][0]["signature"]
    bent = ("0" if sig[0] != "0" else "1") + sig[1:]
    _fails(
        _resign(sim, _rec(sim), _alter_logged(4, signature=bent)),
        "checkpoint 1",
        "differs from the one logged at action 14 (signature)",
    )


def test_a_logged_checkpoint_of_the_wrong_shape_or_order_is_invalid(sim):
    """The logged entry is strict too (browser: each tampering collected separately)."""
    _fails(
        _resign(sim, _rec(sim), _alter_logged(4, received_at="09:10")),
        "actions.json, action 14 (poll.checkpoint)",
        "unexpected received_at",
    )
    _fails(
        _resign(sim, _rec(sim), _alter_logged(8, count=3)),
        "actions.json, action 15 (poll.checkpoint)",
        "not after the previous checkpoint",
    )


def test_a_checkpoint_the_log_does_not_record_is_invalid(sim):
    """The server signs a true checkpoint at ballot #6 and adds it to the record without
    logging it (or after the close): it is not one the close bound."""
    rec = _rec(sim)
    entry = rec.json("ballots.json")["ballots"][5]
    at, head = "2026-11-22T09:30:00+07:00", bytes.fromhex(entry["hash"])
    msg = head_message(TAG_CHECKPOINT, sim.manifest.hash, 6, head, at)
    extra = SignedHead(6, head, at, signing.sign(sim.server_key, msg))
    rec = _edit(rec, "checkpoints.json", lambda cp: cp["checkpoints"].insert(1, extra.to_json()))
    _fails(
        rec,
        "checkpoint 2",
        "(ballot #6) is not in the action log: every checkpoint the server signs is logged",
    )

    def after_close(t):  # logged, but after the close: outside what the close signed
        cp = checkpoint_details("sim", 6, head, at, extra.signature)
        return [*t, (at, "system", "poll.checkpoint", cp)]

    _fails(
        _resign(sim, rec, after_close),
        "actions.json, action 21 (poll.checkpoint)",
        "after the close",
    )


def _never(*args, **kwargs):
    raise AssertionError("parsed again")


def test_receipt_proves_a_dropped_ballot(sim, tmp_path, monkeypatch):
    good = receipt(sim, 6)
    assert "ballot #6 is in the record" in check_receipt(_rec(sim), good)
    rec = _rec(sim)
    ballots = [Ballot.from_json(e["ballot"]) for e in rec.json("ballots.json")["ballots"]]
    rec.put(
        "ballots.json", {"ballots": chain_entries(sim.manifest.hash, ballots[:5] + ballots[6:])}
    )
    with pytest.raises(VerifyError) as err:
        check_receipt(rec, good)
    assert "ballot #6" in err.value.item and "dropped or replaced" in err.value.reason
    forged = good | {"seq": 7}
    with pytest.raises(VerifyError, match="signature does not verify"):
        check_receipt(_rec(sim), forged)
    # After verify_record, --receipt reuses its manifest and chain: nothing parsed again.
    verified, said = verify_record(_rec(sim), workers=1), check_receipt(_rec(sim), good)
    r10 = receipt(sim, 10)
    msg = receipt_message(
        sim.manifest.hash, 11, bytes.fromhex(r10["tracker"]), bytes.fromhex(r10["head"])
    )
    beyond = r10 | {"seq": 11, "signature": signing.sign(sim.server_key, msg).hex()}
    with monkeypatch.context() as m:
        m.setattr(records, "parse_ballots", _never)
        m.setattr(receipts, "load_manifest", _never)
        assert check_receipt(_rec(sim), good, verified) == said
        with pytest.raises(VerifyError, match="signature does not verify"):
            check_receipt(_rec(sim), forged, verified)
        with pytest.raises(VerifyError, match="record has only 10 ballots"):
            check_receipt(_rec(sim), beyond, verified)
    path, rpath = tmp_path / "rec.zip", tmp_path / "receipt.json"
    sim.record.save(path)
    rpath.write_text(json.dumps(good))
    ok = CliRunner().invoke(main, ["verify", str(path), "--receipt", str(rpath), "--workers", "1"])
    assert ok.exit_code == 0 and "receipt: ballot #6" in ok.output, ok.output


@pytest.mark.parametrize(
    "name, content, code, text",
    [
        ("cards.json", b"[]", 1, "cards.json: expected an object"),
        ("cards.json", b'{"cards": ["0001"]}', 1, "cards.json item 1: expected an object"),
        (
            "checkpoints.json",
            b'{"checkpoints": [{"count": 1}], "close": null}',
            1,
            "checkpoint 1: missing head",
        ),
        ("figures.json", b"{not json", 2, "UNREADABLE — figures.json"),
        ("tally.json", b'{"ballots": 1.0}', 2, "UNREADABLE — tally.json"),
    ],
)
def test_cli_names_the_defect_and_never_crashes(sim, tmp_path, name, content, code, text):
    rec = _rec(sim)
    rec.files[name] = content
    rec.save(tmp_path / "r")
    res = CliRunner().invoke(main, ["verify", str(tmp_path / "r"), "--workers", "1"])
    assert res.exit_code == code, res.output
    assert text in res.output and res.exception is None or isinstance(res.exception, SystemExit)


# -- structure-aware fuzz --------------------------------------------------------------
FILES = [k for k in KEYS if " " not in k and k.endswith(".json")] + [
    "manifest.json",
    "confirmations.json",
]
VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-2, 2**33), st.text(max_size=5), st.just([]), st.just({})
)


def _objects(node, out):
    if isinstance(node, dict):
        out.append(node)
        for v in node.values():
            _objects(v, out)
    elif isinstance(node, list):
        for v in node[:3]:
            _objects(v, out)
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    name=st.sampled_from(FILES),
    op=st.sampled_from(["drop", "dup", "retype", "add"]),
    pick=st.integers(0, 50),
    value=VALUES,
)
def test_fuzz_never_a_traceback(name, op, pick, value):
    sim = _simulation()
    rec = _rec(sim)
    data = copy.deepcopy(rec.json(name))
    objects = _objects(data, [])
    target = objects[pick % len(objects)]
    keys = sorted(target)
    key = keys[pick % len(keys)] if keys else None
    if op == "drop" and key:
        del target[key]
    elif op == "dup" and key:
        rec.files[name] = rec.files[name].replace(
            f'"{key}":'.encode(), f'"{key}": 0, "{key}":'.encode(), 1
        )
    elif op == "retype" and key:
        target[key] = value
    else:
        target["received_at"] = value
    if op != "dup":
        rec.put(name, data)
    if rec.files[name] == sim.record.files[name]:
        return
    with pytest.raises(VerifyError):
        verify_record(rec, workers=1)


def test_a_member_card_logged_as_a_spare_is_invalid(sim):
    """Inflating issued by 'handing out' a member's card as a spare is caught."""

    def spare(t):
        i = next(i for i, x in enumerate(t) if x[2] == "poll.open")
        extra = (t[i][0], "thuky", "cards.spare", {"poll": "sim", "serial": "0003"})
        return [*t[: i + 1], extra, *t[i + 1 :]]

    rec = _resign(sim, _rec(sim), spare, {"issued": 11})
    _fails(rec, "cards.spare", "card 0003 is not a spare")

    def real_spare(t):
        i = next(i for i, x in enumerate(t) if x[2] == "poll.close")
        extra = (t[i][0], "thuky", "cards.spare", {"poll": "sim", "serial": "0013"})
        return [*t[:i], extra, *t[i:]]

    ok = _resign(sim, _rec(sim), real_spare, {"issued": 11})
    ok = _edit(ok, "results.json", lambda r: r["figures"].update(issued=11))
    assert verify_record(ok, workers=1)  # denominator "returned": only the figure moves
