"""An observer's saved checkpoint or close against the published record (docs/record.md §3).

The attack each test performs is the dishonest server's that holds its own signing key:
after the close it drops a checkpoint and its log entry, re-chains the vote's actions
and re-signs a shorter close (the record alone verifies), or it shows a checkpoint of a
chain it later rewrites. What an observer saved from the board must catch each one.
"""

import json
import subprocess
import sys
import textwrap

import pytest

from keys import signing
from keys.hashing import TAG_CHECKPOINT
from tally import records
from tally.record import Record, head_message
from tally.saved import check_saved
from tally.simulate import saved_head
from tally.verify import verify_record
from tests.test_record_binding import _edit, _rec, _resign, _simulation


@pytest.fixture(scope="module")
def sim():
    return _simulation()


def _dropped_checkpoint_2(sim) -> Record:
    """The attack of docs/record.md §3: checkpoint 2 (ballot #8) and its entry dropped,
    the log re-chained, the close re-signed by the server's own key."""

    def drop(t):
        return [e for e in t if not (e[2] == "poll.checkpoint" and e[3]["count"] == 8)]

    return _edit(
        _resign(sim, _rec(sim), drop), "checkpoints.json", lambda c: c["checkpoints"].pop(1)
    )


def _check(rec: Record, saved: dict, name: str = "saved.json") -> str:
    return check_saved(rec, saved, name, verify_record(rec, workers=1))


def _fails(rec: Record, saved: dict, reason: str) -> records.VerifyError:
    with pytest.raises(records.VerifyError) as err:
        _check(rec, saved)
    assert reason in err.value.reason, err.value
    return err.value


def _signed_checkpoint(sim, count: int, head: bytes, at: str) -> dict:
    """A checkpoint the server signed and showed (it holds the key: any it likes)."""
    message = head_message(TAG_CHECKPOINT, sim.manifest.hash, count, head, at)
    signature = signing.sign(sim.server_key, message)
    head_obj = records.SignedHead(count, head, at, signature)
    return records.SavedHead(sim.manifest.hash, "checkpoint", head_obj).to_json()


def test_every_saved_head_of_an_honest_record_is_in_it(sim):
    rec = _rec(sim)
    assert _check(rec, saved_head(sim, 1), "cp1.json") == (
        "saved checkpoint cp1.json: in the record, a prefix of its chain at ballot #4"
    )
    assert "ballot #8" in _check(rec, saved_head(sim, 2))
    assert _check(rec, saved_head(sim), "close.json") == (
        "saved close close.json: the record's close, byte for byte"
    )


def test_a_dropped_checkpoint_verifies_alone_but_not_against_the_saved_one(sim):
    rec = _dropped_checkpoint_2(sim)
    verify_record(rec, workers=1)  # VALID: the record alone cannot show it
    err = _fails(
        rec,
        saved_head(sim, 2),
        "signed by this vote's server and a prefix of the chain, but missing from "
        "checkpoints.json: the record was trimmed after it was shown",
    )
    assert err.item == "saved checkpoint saved.json (ballot #8)"
    assert "ballot #4" in _check(rec, saved_head(sim, 1))  # what was kept still holds


def test_a_re_signed_close_does_not_match_the_saved_close(sim):
    _fails(
        _dropped_checkpoint_2(sim),
        saved_head(sim),
        "signed by this vote's server, but the record's close differs (actions, "
        "actions_head, signature): the close was signed again after this one was shown",
    )


def test_a_checkpoint_of_a_chain_rewritten_or_cut_afterwards(sim):
    """The server showed checkpoint (5, X) then published another chain, or fewer ballots."""
    at = "2026-11-22T09:05:00+07:00"
    _fails(
        _rec(sim),
        _signed_checkpoint(sim, 5, bytes(32), at),
        "but the record's chain differs at ballot #5: the chain was rewritten after it was shown",
    )
    _fails(
        _rec(sim),
        _signed_checkpoint(sim, 14, bytes(32), at),
        "but the record has only 10 ballots: ballots were dropped after it was shown",
    )


def test_a_file_not_signed_by_the_vote_s_server_proves_nothing(sim):
    saved = saved_head(sim, 1)
    saved["signature"] = ("1" if saved["signature"][0] == "0" else "0") + saved["signature"][1:]
    _fails(_rec(sim), saved, "not signed by this vote's server")
    other = saved_head(sim, 1) | {"manifest": "ab" * 32}
    _fails(_rec(sim), other, "is for another vote (manifest hash differs)")
    moved = saved_head(sim, 1) | {"count": 5}  # a real signature over another count
    _fails(_rec(sim), moved, "not signed by this vote's server")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda s: s.pop("kind"), 'whose "kind" is "checkpoint" or "close"'),
        (lambda s: s.update(kind="receipt"), 'whose "kind" is "checkpoint" or "close"'),
        (lambda s: s.update(format="phieu-signed-head/2"), "format is not phieu-signed-head/1"),
        (lambda s: s.update(count=True), "expected an integer"),
        (lambda s: s.update(received_at="09:10"), "unexpected received_at"),
        (lambda s: s.update(kind="close"), "missing actions, actions_head"),
        (lambda s: s.update(head="AB" * 32), "expected 32 bytes of lowercase hex"),
        (lambda s: s.update(at="2026-11-22 09:05"), "expected a time YYYY-MM-DDTHH:MM:SS"),
    ],
)
def test_a_malformed_saved_file_is_named(sim, change, reason):
    saved = saved_head(sim, 1)
    change(saved)
    err = _fails(_rec(sim), saved, reason)
    assert err.item.startswith("saved.json"), err


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tally", "verify", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_command_checks_each_saved_file_and_names_the_broken_one(sim, tmp_path):
    honest, attacked = tmp_path / "honest.zip", tmp_path / "attacked.zip"
    _rec(sim).save(honest)
    _dropped_checkpoint_2(sim).save(attacked)
    cp2, close = tmp_path / "diem-kiem-8.json", tmp_path / "dong-phieu.json"
    cp2.write_text(json.dumps(saved_head(sim, 2)))
    close.write_text(json.dumps(saved_head(sim)))
    ok = _cli(str(honest), "--checkpoint", str(cp2), "--checkpoint", str(close))
    assert ok.returncode == 0, ok.stderr
    assert "OK  saved checkpoint diem-kiem-8.json: in the record" in ok.stdout
    assert "OK  saved close dong-phieu.json: the record's close, byte for byte" in ok.stdout
    assert _cli(str(attacked)).returncode == 0  # the documented limit, alone
    bad = _cli(str(attacked), "--checkpoint", str(cp2))
    assert bad.returncode == 1
    assert bad.stderr.startswith(
        "KHÔNG HỢP LỆ / INVALID — saved checkpoint diem-kiem-8.json (ballot #8): signed by"
    )
    assert "Traceback" not in bad.stderr
    junk = tmp_path / "junk.json"
    junk.write_text('{"kind": "close", "kind": "close"}')
    unreadable = _cli(str(honest), "--checkpoint", str(junk))
    assert unreadable.returncode == 2
    assert "junk.json: duplicate key 'kind'" in unreadable.stderr
    assert "Traceback" not in unreadable.stderr


def test_the_board_hands_out_what_the_record_then_contains(app, tmp_path):
    """Through the web: an anonymous observer saves the latest checkpoint while the vote
    is open and the close after it; the exported record contains both."""
    from ballot.counting import operations as counting
    from ballot.counting.export import build_record
    from ballot.db import db
    from ballot.polls import operations as polls
    from ballot.polls.models import Poll
    from ballot.voting.casting import cast
    from tally.count import decrypt_with_share, parse_totals
    from tests.voting_helpers import PASSPHRASES, ballot_body, make_vote

    app.config["CHECKPOINT_BALLOTS"] = 2
    observer = app.test_client()
    with app.app_context():
        vote = make_vote(members=4, officials=2, spares=0)
        pid = vote.public_id
    none_yet = observer.get(f"/board/{pid}/checkpoint.json")
    assert none_yet.status_code == 404
    assert observer.get(f"/board/{pid}/close.json").status_code == 404
    with app.app_context():
        for i in range(3):
            cast(vote.poll_id, ballot_body(vote, i, [1, 2]))
    page = observer.get(f"/board/{pid}").get_data(as_text=True)
    assert f'href="/board/{pid}/checkpoint.json"' in page and 'id="save-close"' not in page
    got = observer.get(f"/board/{pid}/checkpoint.json")
    assert got.status_code == 200 and got.headers["Cache-Control"] == "no-store"
    assert got.headers["Content-Disposition"] == f'attachment; filename="diem-kiem-{pid}-2.json"'
    saved_cp = tmp_path / "cp.json"
    saved_cp.write_bytes(got.data)
    assert json.loads(got.data)["kind"] == "checkpoint"
    with app.app_context():
        cast(vote.poll_id, ballot_body(vote, 3, [2, 1]))
        poll = db.session.get(Poll, vote.poll_id)
        polls.close_poll("thuky", poll)
        tally_json = counting.start_count("thuky", poll).tally
        db.session.commit()
    closed = observer.get(f"/board/{pid}/close.json")
    assert closed.status_code == 200
    assert closed.headers["Content-Disposition"] == f'attachment; filename="dong-phieu-{pid}.json"'
    saved_close = tmp_path / "close.json"
    saved_close.write_bytes(closed.data)
    assert 'id="save-close"' in observer.get(f"/board/{pid}").get_data(as_text=True)
    with app.app_context():
        poll = db.session.get(Poll, vote.poll_id)
        manifest = counting.manifest_of(poll)
        totals, _ = parse_totals(json.loads(tally_json), manifest)
        for i in (0, 1):
            part = decrypt_with_share(manifest, totals, vote.shares[i][1], PASSPHRASES[i])
            counting.submit_partial("thuky", poll, part.to_json())
        db.session.commit()
        build_record(db.session.get(Poll, vote.poll_id)).save(tmp_path / "record.zip")
    done = _cli(
        str(tmp_path / "record.zip"),
        "--checkpoint",
        str(saved_cp),
        "--checkpoint",
        str(saved_close),
    )
    assert done.returncode == 0, done.stderr
    assert "OK  saved checkpoint cp.json: in the record, a prefix of its chain at ballot #2" in (
        done.stdout
    )
    assert "OK  saved close close.json: the record's close, byte for byte" in done.stdout


def test_an_unknown_vote_has_nothing_to_save(client):
    assert client.get("/board/KHONGCO/checkpoint.json").status_code == 404


def test_an_observer_checks_a_saved_file_at_once_with_the_manifest(sim, tmp_path):
    """A server that means to trim the record later could hand out a file that proves
    nothing (a bent signature, another vote): the observer finds out when saving it, from
    the manifest alone, not months later."""
    manifest = tmp_path / "manifest.json"
    manifest.write_bytes(sim.record.files["manifest.json"])
    good, close = tmp_path / "cp.json", tmp_path / "close.json"
    good.write_text(json.dumps(saved_head(sim, 1)))
    close.write_text(json.dumps(saved_head(sim)))
    forged = saved_head(sim, 2)
    forged["signature"] = ("1" if forged["signature"][0] == "0" else "0") + forged["signature"][1:]
    bent = tmp_path / "bent.json"
    bent.write_text(json.dumps(forged))
    junk = tmp_path / "junk.json"
    junk.write_text("{")

    def run(*files):
        return subprocess.run(
            [sys.executable, "-m", "tally", "check-head", *map(str, files),
             "--manifest", str(manifest)],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip

    ok = run(good, close)
    assert ok.returncode == 0, ok.stderr
    assert "OK  saved checkpoint cp.json: signed by this vote's server (ballot #4," in ok.stdout
    assert "OK  saved close close.json: signed by this vote's server (ballot #10," in ok.stdout
    spaced = " ".join(textwrap.wrap(sim.manifest.hash.hex(), 4))
    assert spaced in ok.stdout  # the vote fingerprint, to compare with the one read aloud
    bad = run(good, bent)
    assert bad.returncode == 1 and "saved checkpoint bent.json (ballot #8)" in bad.stderr
    assert "not signed by this vote's server" in bad.stderr
    unreadable = run(junk)
    assert unreadable.returncode == 2 and "junk.json is not valid JSON" in unreadable.stderr
    manifest.write_text('{"format": "phieu-manifest/1"}')
    wrong = run(good)
    assert wrong.returncode in (1, 2) and "Traceback" not in wrong.stderr, wrong.stderr
    assert "manifest" in wrong.stderr


def test_check_head_ties_the_files_to_the_fingerprint_read_aloud(sim, tmp_path):
    """The manifest comes from the server too: one of its own making, with its own
    server_key, makes its own files verify. Only the fingerprint read aloud at the
    freeze ties them to the vote, so --fingerprint refuses any other; without it the
    command says to compare."""
    manifest = tmp_path / "manifest.json"
    manifest.write_bytes(sim.record.files["manifest.json"])
    cp = tmp_path / "cp.json"
    cp.write_text(json.dumps(saved_head(sim, 1)))
    spaced = " ".join(textwrap.wrap(sim.manifest.hash.hex(), 4))

    def run(*extra):
        return subprocess.run(
            [sys.executable, "-m", "tally", "check-head", str(cp), "--manifest", str(manifest),
             *extra],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip

    plain = run()
    assert plain.returncode == 0 and "Compare the fingerprint above" in plain.stdout
    matched = run("--fingerprint", spaced.upper())
    assert matched.returncode == 0 and "Compare the fingerprint" not in matched.stdout
    other = run("--fingerprint", "ab" * 32)
    assert other.returncode == 1
    assert "manifest.json: its fingerprint is not the one given" in other.stderr


def test_check_head_finds_heads_that_cannot_belong_to_one_chain(sim, tmp_path):
    """Two heads signed for one ballot count (two chains shown to two people), a head
    at count 0 that is not the manifest hash, a checkpoint past the close: each already
    proves a dishonest server, and check-head says so at once."""
    manifest = tmp_path / "manifest.json"
    manifest.write_bytes(sim.record.files["manifest.json"])
    at = "2026-11-22T09:05:00+07:00"

    def write(name, body):
        path = tmp_path / name
        path.write_text(json.dumps(body))
        return path

    def run(*files):
        return subprocess.run(
            [sys.executable, "-m", "tally", "check-head", *map(str, files),
             "--manifest", str(manifest)],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip

    real = write("a.json", saved_head(sim, 1))  # ballot #4
    fork = write("b.json", _signed_checkpoint(sim, 4, bytes(32), at))
    zero = write("zero.json", _signed_checkpoint(sim, 0, bytes(32), at))
    late = write("late.json", _signed_checkpoint(sim, 11, bytes(32), "2026-11-22T10:31:00+07:00"))
    close = write("close.json", saved_head(sim))
    assert run(real, close).returncode == 0
    forked = run(real, fork)
    assert forked.returncode == 1
    assert "b.json (ballot #4): and a.json: two different heads signed for ballot #4" in (
        forked.stderr
    )
    nothing = run(zero)
    assert nothing.returncode == 1 and "its head is not the manifest hash" in nothing.stderr
    past = run(close, late)
    assert past.returncode == 1 and "the server signed past its own close" in past.stderr
