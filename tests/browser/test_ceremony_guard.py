"""The trustee page in Chromium against a dishonest secretariat or server.

* The link's token leaves the address bar and the history as soon as the page reads it
  (nothing is stored in the browser), and the passphrase fields are autocomplete="off"
  with a warning not to let the browser save the passphrase.
* A commitment posted under a trustee's name with their link before they used it (the
  secretariat sees every link) raises a loud alarm on that trustee's page.
* A board changed after the sub-shares (another vote id, round or name) does not change
  the share file this device seals: it is sealed from the device's own state.
"""

from __future__ import annotations

import json
import urllib.request

import pytest

from ballot.db import db
from ballot.polls import ceremony
from ballot.polls import operations as polls
from keys import dkg, sharefile
from tests.browser.live import chromium, live_server

pytestmark = pytest.mark.browser

TIMEOUT_MS = 60_000
NAMES = ["Nguyễn Văn An", "Lê Thị Bình"]
PASSPHRASES = ["mật khẩu thứ nhất", "mật khẩu thứ hai"]


@pytest.fixture
def browser():
    with chromium() as b:
        yield b


def _poll(names):
    poll = polls.create_poll(
        "thuky", meeting="M", title="T", kind="rating", summoned=3,
        trustee_names=names, threshold=2,
    )  # fmt: skip
    polls.replace_officials("thuky", poll, [("Ông Một", "Chủ tịch")])
    links = ceremony.start("thuky", poll)
    db.session.commit()
    return poll.public_id, links


def _open(browser, base, pid, link):
    context = browser.new_context(locale="vi-VN", accept_downloads=True)
    page = context.new_page()
    page.goto(f"{base}/polls/{pid}/trustee#t={link.token}&i={link.index}")
    page.wait_for_selector("#board-list li", state="attached", timeout=TIMEOUT_MS)
    return page


def test_token_leaves_the_address_bar_and_a_foreign_commit_raises_the_alarm(app, browser):
    with app.app_context():
        pid, links = _poll(["Nguyễn Văn An", "Lê Thị Bình", "Trần Văn Cường"])
    with live_server(app) as base:
        # The secretariat uses trustee 1's link first (a valid commitment, made elsewhere).
        with urllib.request.urlopen(f"{base}/polls/{pid}/ceremony/board.json") as r:  # noqa: S310
            board = json.loads(r.read())
        _, forged = dkg.start(
            board["election_id"], board["ceremony"], board["names"], board["threshold"], 1
        )
        request = urllib.request.Request(  # noqa: S310 - the test server
            f"{base}/polls/{pid}/ceremony/message",
            data=json.dumps(forged).encode(),
            headers={"Content-Type": "application/json", "X-Trustee-Token": links[0].token},
            method="POST",
        )
        with urllib.request.urlopen(request) as r:  # noqa: S310
            assert r.status == 200
        page = _open(browser, base, pid, links[0])
        page.wait_for_selector("#ceremony[data-phase=alarm]", state="attached", timeout=TIMEOUT_MS)
        alarm = page.inner_text("#error")
        assert page.is_visible("#error") and ("ALARM" in alarm or "CẢNH BÁO" in alarm), alarm
        assert page.is_hidden("#step-commit") and page.is_hidden("#step-compare")
        # The token is gone from the address bar and from this tab's history entry.
        assert links[0].token not in page.url and "t=" not in page.url
        assert links[0].token not in page.evaluate("location.href")
        # Trustee 2 publishes: its own commit raises no alarm. A reload of the tab has
        # neither the token nor the secrets any more (nothing is stored in the browser).
        other = _open(browser, base, pid, links[1])
        assert links[1].token not in other.url
        other.wait_for_selector("#step-commit:not([hidden])", timeout=TIMEOUT_MS)
        other.click("#do-commit")
        other.wait_for_selector(
            "#board-list li:has-text('Lê Thị Bình: commits')", timeout=TIMEOUT_MS
        )
        other.wait_for_selector("#status:not(:empty)", timeout=TIMEOUT_MS)
        assert other.get_attribute("#ceremony", "data-phase") != "alarm"
        assert other.is_hidden("#error"), other.inner_text("#error")
        other.reload()
        other.wait_for_selector("#error:not([hidden])", timeout=TIMEOUT_MS)
        assert links[1].token not in other.url
        assert "QR" in other.inner_text("#error")  # no token: scan your own QR code again
        # The passphrase fields: never offered to the password manager.
        for field in ("#pass1", "#pass2", "#pass-confirm"):
            assert page.get_attribute(field, "autocomplete") == "off"
        assert (
            page.locator("text=Never let the browser save").count()
            + page.locator("text=Không bao giờ để trình duyệt lưu").count()
            == 2
        )


def test_the_share_file_is_sealed_from_the_device_state_not_the_latest_board(
    app, browser, tmp_path
):
    with app.app_context():
        pid, links = _poll(NAMES)
    with live_server(app) as base:
        pages = [_open(browser, base, pid, link) for link in links]
        for page in pages:
            page.wait_for_selector("#step-commit:not([hidden])", timeout=TIMEOUT_MS)
            page.click("#do-commit")
        for page in pages:
            page.wait_for_selector("#step-compare:not([hidden])", timeout=TIMEOUT_MS)
            page.check("#all-match")
            page.click("#do-shares")
        page = pages[0]
        page.wait_for_selector("#step-finish:not([hidden])", timeout=TIMEOUT_MS)

        def lying(route):  # the server now shows another vote, round and name
            board = route.fetch().json()
            board |= {"election_id": "vote-khac", "ceremony": 7}
            board["names"][0] = "Kẻ mạo danh"
            route.fulfill(json=board, headers={"Cache-Control": "no-store"})

        page.route("**/ceremony/board.json", lying)
        page.wait_for_selector("#board-list li:has-text('Kẻ mạo danh')", timeout=TIMEOUT_MS)
        page.fill("#pass1", PASSPHRASES[0])
        page.fill("#pass2", PASSPHRASES[0])
        page.click("#do-finish")
        page.wait_for_selector("#download:not([hidden])", timeout=TIMEOUT_MS)
        with page.expect_download() as info:
            page.click("#download-link")
        assert info.value.suggested_filename == f"{pid}-trustee-1.share.json"
        path = tmp_path / "share-1.json"
        info.value.save_as(path)
    opened = sharefile.open_share(path.read_bytes(), PASSPHRASES[0], pid)
    assert (opened.election_id, opened.round, opened.name, opened.trustee) == (pid, 1, NAMES[0], 1)
