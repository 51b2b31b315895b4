"""The count at the laptop in Chromium: trustees open their share files in the browser.

Two trustees (of three, threshold two) choose their share file and type their
passphrase on the count page; the share is opened with scrypt + Web Crypto in the
page, the partial decryption is computed there and only that JSON is posted; the
count completes. A wrong passphrase and another trustee's file show the precise error
and change nothing. Prints the scrypt time for n = 2^17 (the ceremony's default).
"""

from __future__ import annotations

import json
import time

import pytest

from ballot.counting import operations as counting
from ballot.db import db
from ballot.polls import operations as polls
from ballot.polls.models import Poll
from ballot.voting.operations import cast
from keys.sharefile import DEFAULT_SCRYPT_N
from tests.browser.live import chromium, live_server
from tests.conftest import DEFAULT_PASSWORD
from tests.voting_helpers import PASSPHRASES, ballot_body, make_vote

pytestmark = pytest.mark.browser

TIMEOUT_MS = 60_000


@pytest.fixture
def browser():
    """Debian's Chromium (the test is skipped with a reason when it is missing)."""
    with chromium() as b:
        yield b


def _state(poll_id):
    db.session.rollback()
    poll = db.session.get(Poll, poll_id)
    return poll.state, [p.trustee for p in counting.partials(poll)]


def _open(page, trustee, path, passphrase):
    form = page.locator(f"#trustee-{trustee}")
    page.set_input_files(f"#share-{trustee}", str(path))
    page.fill(f"#passphrase-{trustee}", passphrase)
    form.locator("button[type=submit]").click()
    return form


def _wait_outcome(page, trustee):
    page.wait_for_selector(
        f"#trustee-{trustee}[data-done=true], #trustee-{trustee}[data-error]",
        state="attached",
        timeout=TIMEOUT_MS,
    )
    return page.locator(f"#trustee-{trustee} .trustee-message").inner_text()


def test_two_trustees_open_their_shares_in_the_browser(app, browser, make_user, tmp_path, capsys):
    make_user("thuky")
    with app.app_context():
        vote = make_vote(members=4, officials=3)
        for i, c in enumerate([[1, 3, 0], [3, 3, 2], [2, 0, 1]]):
            cast(vote.poll_id, ballot_body(vote, i, c))
        poll = db.session.get(Poll, vote.poll_id)
        polls.close_poll("thuky", poll)
        counting.start_count("thuky", poll)
        db.session.commit()
        files = []
        for name, data in vote.shares:
            path = tmp_path / name
            path.write_bytes(data)
            files.append(path)
            assert json.loads(data)["kdf"]["n"] == DEFAULT_SCRYPT_N == 2**17
        with live_server(app) as base:
            context = browser.new_context(locale="vi-VN")
            page = context.new_page()
            errors, posted = [], []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: m.type == "error" and errors.append(m.text))
            page.on("request", lambda r: r.method == "POST" and posted.append((r.url, r.post_data)))
            page.goto(f"{base}/account/login")
            page.fill("input[name=username]", "thuky")
            page.fill("input[name=password]", DEFAULT_PASSWORD)
            page.locator("form button, form input[type=submit]").first.click()
            page.wait_for_load_state()
            page.goto(f"{base}/polls/{vote.public_id}/count")
            page.wait_for_selector("#trustee-app[data-ready=true]", state="attached")
            assert page.locator(".trustee-form").count() == 3

            # Trustee 2's file in trustee 1's form: refused at once, before scrypt.
            _open(page, 1, files[1], PASSPHRASES[1])
            text = _wait_outcome(page, 1)
            assert "thành viên số 2" in text, text

            # A wrong passphrase: the precise error, the field emptied, nothing sent.
            t0 = time.perf_counter()
            _open(page, 1, files[0], "mật khẩu sai hoàn toàn")
            text = _wait_outcome(page, 1)
            wrong_s = time.perf_counter() - t0
            assert "Sai mật khẩu" in text, text
            assert page.input_value("#passphrase-1") == ""
            assert not any("partial.json" in url for url, _ in posted)
            assert _state(vote.poll_id) == ("closed", [])

            # Trustee 1 with the right passphrase.
            t0 = time.perf_counter()
            _open(page, 1, files[0], PASSPHRASES[0])
            text = _wait_outcome(page, 1)
            first_s = time.perf_counter() - t0
            assert page.get_attribute("#trustee-1", "data-done") == "true", text
            scrypt_ms = int(page.get_attribute("#trustee-app", "data-scrypt-ms"))
            assert "đã được kiểm chứng" in text, text
            assert page.input_value("#passphrase-1") == ""
            assert "đã được kiểm chứng" in page.locator("#trustee-status-1").inner_text()
            assert _state(vote.poll_id) == ("closed", [1])

            # Trustee 3 completes the count; the page reloads with the results.
            _open(page, 3, files[2], PASSPHRASES[2])
            page.wait_for_selector("#done-h", timeout=TIMEOUT_MS)
            assert _state(vote.poll_id)[0] == "tallied"
            assert _state(vote.poll_id)[1] == [1, 3]
            assert page.locator(".trustee-form").count() == 0
            context.close()

    # Only partial decryptions were posted: never the share, the file or a passphrase.
    sent = [json.loads(body) for url, body in posted if url.endswith("/count/partial.json")]
    assert [b["trustee"] for b in sent] == [1, 3]
    for body in sent:
        assert set(body) == {"trustee", "shares", "proofs"} and len(body["shares"]) == 3
    for _, body in posted:
        text = body or ""
        for secret in [*PASSPHRASES, "mật khẩu sai hoàn toàn"]:
            assert secret not in text
        assert "cipher" not in text and "kdf" not in text
    assert errors == []
    with capsys.disabled():
        print(
            f"\n[trustee page] Chromium scrypt n=2^17 r=8 p=1 + AES-GCM open: {scrypt_ms} ms; "
            f"wrong passphrase answered in {wrong_s:.2f} s; "
            f"open + partial decryption + post (trustee 1): {first_s:.2f} s"
        )
