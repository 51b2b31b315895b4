"""The log scanner itself can fail: a secret written to a log line is found."""

import json
import logging
import time
import urllib.request
from pathlib import Path

import pytest

from config.gunicorn_logger import safe_field
from keys import cards
from tests import secret_scan
from tests.gunicorn_helpers import drop_database, get_json, make_server, post, prepare_vote

ROOT = Path(__file__).resolve().parent.parent


def test_scanner_finds_a_card_code_in_a_log_line():
    code = cards.encode_code(cards.new_secret())  # recorded by the wrapper
    assert code in secret_scan.SECRETS and code.replace("-", "") in secret_scan.SECRETS
    lines = ["GET /v/abc 200", f"cast from card {code.replace('-', '')}"]
    assert secret_scan.leaks(lines, secret_scan.SECRETS) == [(code.replace("-", ""), lines[1])]
    assert secret_scan.leaks(["nothing here"], secret_scan.SECRETS) == []


def test_log_records_are_captured():
    before = len(secret_scan.LINES)
    logging.getLogger("ballot.test").warning("a harmless line")
    assert len(secret_scan.LINES) == before + 1


# -- card keys and receipts (issue 9, item 6) -------------------------------------------
def _card_key() -> str:
    sk = cards.signing_key("vote-scan", cards.new_secret())
    return cards.public_key(sk).hex()  # recorded by the wrapper


def test_scanner_finds_a_planted_card_key_in_an_access_log_line():
    key = _card_key()
    assert key in secret_scan.SECRETS
    planted = f'"GET /v/abc123/card/{key}" 200 27 1400us'
    masked = f'"GET /v/abc123/card/{safe_field("/v/abc123/card/" + key)}" 200 27 1400us'
    lines = ['"GET /board/abc123" 200 900 800us', planted, masked, planted.upper()]
    assert secret_scan.leaks(lines, secret_scan.SECRETS) == [(key, planted), (key, lines[3])]


def test_scanner_finds_a_tracker_a_receipt_signature_and_a_typed_code():
    from keys import signing
    from keys.ballot import encrypt_ballot
    from tests.keys_helpers import context

    ctx = context("confidence", rows=1)
    ballot = encrypt_ballot(ctx, cards.signing_key("vote-scan", cards.new_secret()), [1])
    tracker = ballot.tracker().hex()
    signature = signing.sign(signing.generate(), b"receipt").hex()
    secret = cards.new_secret()
    code = cards.encode_code(secret)
    compact = code.replace("-", "")
    secret_scan.SECRETS.difference_update({code, compact, secret.hex()})
    cards.decode_code(code.lower().replace("-", " "))  # as typed on a server: recorded again
    for value in (tracker, signature, compact, secret.hex()):
        assert value in secret_scan.SECRETS
        line = f"ballot accepted: {value[:3]}{value[3:]} at 10:02"
        assert secret_scan.leaks([line], secret_scan.SECRETS) == [(value, line)]


@pytest.mark.parametrize("sep", [" ", "+", "%2D", "%2d", "_", ".", ""])
def test_scanner_finds_a_code_written_with_other_separators(sep):
    code = cards.encode_code(cards.new_secret())  # recorded: dashed and compact
    groups = code.lower().split("-")
    line = f'"GET /v/abc?c={sep.join(groups)}" 200 1 1us'
    found = [s for s, _ in secret_scan.leaks([line], secret_scan.SECRETS)]
    assert found == [code.replace("-", "")], line


def test_receipts_answered_by_a_server_are_remembered():
    body = {"tracker": "ab" * 32, "seq": 3, "receipt": {"signature": "cd" * 64, "seq": 3}}
    secret_scan.remember_receipt(body)
    secret_scan.remember_receipt({"card": "ef" * 32, "rows": []})  # a ballot sent
    assert {"ab" * 32, "cd" * 64, "ef" * 32} <= secret_scan.SECRETS


def test_debug_level_records_are_captured():
    before = len(secret_scan.LINES)
    logging.getLogger("ballot.test").debug("a debug line")
    assert len(secret_scan.LINES) == before + 1


LEAKY_SESSION = """
import logging
from pathlib import Path

from keys import cards


def _key():
    return cards.public_key(cards.signing_key("vote-x", cards.new_secret())).hex()


def test_logs_a_card_key():
    logging.getLogger("ballot.voting").info("card %s checked", _key())


def test_writes_a_server_log(tmp_path):
    (tmp_path / "gunicorn.log").write_text('"GET /v/x/card/' + _key() + '" 200 1 1us\\n')


def test_clean():
    logging.getLogger("ballot.voting").info("card <card> checked")
"""


@pytest.mark.parametrize(
    ("selected", "leaks"),
    [("test_clean", 0), ("test_logs_a_card_key", 1), ("test_writes_a_server_log", 1)],
)
def test_a_leak_fails_the_whole_session(pytester, monkeypatch, selected, leaks):
    """The session scan itself can fail: a card key in a log record or in a server's log."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    pytester.makepyfile(test_leaky=LEAKY_SESSION)
    res = pytester.runpytest_subprocess("-p", "tests.secret_scan", "-k", selected)
    out = res.stdout.str()
    res.assert_outcomes(passed=1, deselected=2)
    assert f"{leaks} leaks" in out
    assert ("LEAK of" in out) == bool(leaks)
    assert res.ret == (pytest.ExitCode.TESTS_FAILED if leaks else pytest.ExitCode.OK)


@pytest.mark.slow
def test_real_gunicorn_access_log_names_no_card_key_receipt_or_code(tmp_path):
    """Vote through a real gunicorn (phone's requests: card status, cast) and scan its log."""
    server = make_server(tmp_path, workers=1)
    seen: set[str] = set()
    try:
        public_id, ballots = prepare_vote(server, 3, 2)
        server.start()
        for body in ballots:
            key = json.loads(body)["card"]
            seen.add(key)
            status, _ = get_json(f"{server.base}/v/{public_id}/card/{key}")
            assert status == 200
            code, answer = post(f"{server.base}/v/{public_id}/cast", body)
            assert code == 200, answer
            seen |= {answer["tracker"], answer["receipt"]["signature"]}
            # a mistaken link with the key and the tracker in the query string
            url = f"{server.base}/board/{public_id}?card={key}&t={answer['tracker']}"
            assert urllib.request.urlopen(url).status == 200  # noqa: S310
        time.sleep(0.3)
    finally:
        server.stop()
        drop_database(server.pg_name)
    assert seen <= secret_scan.SECRETS  # what the session scan will look for at the end
    lines = secret_scan.server_log_lines(tmp_path)
    access = [line for line in lines if line.startswith(('"GET ', '"POST '))]
    assert sum(f"/v/{public_id}/card/<card>" in line for line in access) == 3, lines[-20:]
    assert sum(f"/v/{public_id}/cast" in line for line in access) == 3
    assert secret_scan.leaks(lines, secret_scan.SECRETS) == []
    planted = access[0] + " " + next(iter(seen))  # the same log with one value written in
    assert secret_scan.leaks([*lines, planted], secret_scan.SECRETS) != []
