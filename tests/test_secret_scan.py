"""The log scanner itself can fail: a secret written to a log line is found."""

import logging

from keys import cards
from tests import secret_scan


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
