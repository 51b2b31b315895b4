"""The dealer-free key ceremony in Chromium: two trustees, each in a browser context of
their own, on plain http at the machine's non-loopback address (so the page is NOT a
secure context: no crypto.subtle), and a third with the offline CLI
(``python -m keys trustee``, its files uploaded to the board endpoint) reach a frozen
vote. Every request the pages make is recorded: only public messages go out (no
passphrase, no share, no sub-share in clear).
"""

from __future__ import annotations

import json
import socket
import threading
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from werkzeug.serving import make_server

from ballot.cards import operations as cards_ops
from ballot.db import db
from ballot.polls import ceremony
from ballot.polls import operations as polls
from ballot.polls.models import Poll
from keys import sharefile
from keys.cli import main as keys_cli
from tests.browser.live import CHROMIUM_ARGS, _QuietHandler, chromium

pytestmark = pytest.mark.browser

TIMEOUT_MS = 90_000
NAMES = ["Nguyễn Văn An", "Lê Thị Bình", "Trần Văn Cường"]
PASSPHRASES = ["mật khẩu thứ nhất", "mật khẩu thứ hai", "mật khẩu thứ ba"]
FORMATS = {
    "phieu-dkg-commit/1",
    "phieu-dkg-shares/1",
    "phieu-dkg-done/1",
    "phieu-dkg-complaint/1",
    "phieu-dkg-confirm/1",
}
assert CHROMIUM_ARGS


def _lan_address() -> str | None:
    """This machine's own non-loopback IPv4 address (no packet is sent)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(("192.0.2.254", 9))
        address = s.getsockname()[0]
    except OSError:
        return None
    finally:
        s.close()
    return None if address.startswith("127.") else address


@contextmanager
def lan_server(app, host):
    server = make_server(host, 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)


def _wait_phase(page, name):
    """Wait until the page reaches ``name`` (or shows an error: then fail with it)."""
    page.wait_for_selector(
        f"#ceremony[data-phase={name}], #ceremony[data-phase=error]",
        state="attached",
        timeout=TIMEOUT_MS,
    )
    assert page.get_attribute("#ceremony", "data-phase") == name, page.inner_text("#error")


class CliTrustee:
    """Trustee 3 on their own computer: saves the board, runs the CLI, uploads the file."""

    def __init__(self, base: str, pid: str, token: str, folder: Path) -> None:
        self.base, self.pid, self.token, self.folder = base, pid, token, folder
        self.state_pass, self.share_pass = "trạng thái riêng của Cường", PASSPHRASES[2]
        folder.mkdir()

    def save(self, what: str) -> Path:
        path = self.folder / f"{what}.json"
        url = f"{self.base}/polls/{self.pid}/ceremony/{what}.json"
        with urllib.request.urlopen(url, timeout=30) as r:  # noqa: S310 - the test server
            path.write_bytes(r.read())
        return path

    def run(self, *args: str, answers: list[str]) -> str:
        result = CliRunner().invoke(keys_cli, ["trustee", *args], input="\n".join(answers) + "\n")
        assert result.exit_code == 0, result.output
        return result.output

    def upload(self, name: str) -> None:
        request = urllib.request.Request(  # noqa: S310 - the test server
            f"{self.base}/polls/{self.pid}/ceremony/message",
            data=(self.folder / name).read_bytes(),
            headers={"Content-Type": "application/json", "X-Trustee-Token": self.token},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as r:  # noqa: S310
            assert r.status == 200

    def start(self) -> None:
        board = self.save("board")
        d = str(self.folder)
        self.run("start", str(board), "--trustee", "3", "--dir", d, "--scrypt-log-n", "14",
                 answers=[self.state_pass, self.state_pass])  # fmt: skip
        self.upload("commit.json")

    def shares(self) -> str:
        board = self.save("board")
        out = self.run("shares", str(board), "--dir", str(self.folder),
                       answers=[self.state_pass, "có"])  # fmt: skip
        self.upload("shares.json")
        return out

    def finish(self) -> Path:
        board = self.save("board")
        self.run("finish", str(board), "--dir", str(self.folder), "--scrypt-log-n", "14",
                 answers=[self.state_pass, self.share_pass, self.share_pass])  # fmt: skip
        self.upload("done.json")
        return self.folder / f"{self.pid}-trustee-3.share.json"  # as the page names it

    def confirm(self, share: Path) -> str:
        manifest = self.save("manifest")
        out = self.run("confirm", str(manifest), str(share), "--dir", str(self.folder),
                       answers=["y", self.share_pass])  # fmt: skip
        self.upload("confirm.json")
        return out


@pytest.fixture
def browser():
    with chromium() as b:
        yield b


def test_three_trustees_reach_a_frozen_vote_over_plain_http(app, browser, tmp_path):
    host = _lan_address()
    if host is None:
        print("ceremony page test skipped: no non-loopback IPv4 address on this machine")
        pytest.skip("no non-loopback IPv4 address to serve a non-secure context")
    with app.app_context():
        poll = polls.create_poll(
            "thuky", meeting="M", title="T", kind="rating", summoned=3,
            trustee_names=NAMES, threshold=2,
        )  # fmt: skip
        polls.replace_officials("thuky", poll, [("Ông Một", "Chủ tịch"), ("Bà Hai", "Phó")])
        links = ceremony.start("thuky", poll)
        db.session.commit()
        pid, poll_id = poll.public_id, poll.id
    sent: list[tuple[str, str, str | None]] = []
    with lan_server(app, host) as base:
        pages = []
        for link in links[:2]:
            context = browser.new_context(locale="vi-VN", accept_downloads=True)
            page = context.new_page()
            page.on("pageerror", lambda e: print("pageerror:", e))
            page.on("request", lambda r: sent.append((r.method, r.url, r.post_data)))
            page.goto(f"{base}/polls/{pid}/trustee#t={link.token}&i={link.index}")
            assert page.evaluate("window.isSecureContext") is False
            assert page.evaluate("typeof crypto.subtle") == "undefined"
            pages.append(page)
        cli = CliTrustee(base, pid, links[2].token, tmp_path / "cuong")
        for page in pages:
            page.click("#do-commit")
        cli.start()
        codes = []
        for page in pages:
            page.wait_for_selector("#step-compare:not([hidden])", timeout=TIMEOUT_MS)
            codes.append(page.inner_text("#transcript-code").replace(" ", ""))
        assert codes[0] == codes[1] and len(codes[0]) == 32
        out = cli.shares()
        assert codes[0] in out.replace(" ", "")  # the CLI shows the same code to read aloud
        for page in pages:
            page.check("#all-match")
            page.click("#do-shares")
        files = []
        for i, page in enumerate(pages):
            page.wait_for_selector("#step-finish:not([hidden])", timeout=TIMEOUT_MS)
            page.fill("#pass1", "1234567890123")  # a sequence: refused on the device
            page.fill("#pass2", "1234567890123")
            page.click("#do-finish")
            page.wait_for_selector("#pass-error:not([hidden])")
            page.fill("#pass1", PASSPHRASES[i])
            page.fill("#pass2", PASSPHRASES[i])
            page.click("#do-finish")
            page.wait_for_selector("#download:not([hidden])", timeout=TIMEOUT_MS)
            with page.expect_download() as info:
                page.click("#download-link")
            path = tmp_path / f"share-{i + 1}.json"
            info.value.save_as(path)
            files.append(path)
            page.click("#do-done")
        files.append(cli.finish())
        for page in pages:
            _wait_phase(page, "finished")
        with app.app_context():
            poll = db.session.get(Poll, poll_id)
            assert poll.election_key is not None
            cards_ops.make_cards("thuky", poll, 0)
            db.session.commit()
            candidate = ceremony.board(poll)["candidate_manifest"]
        for i, page in enumerate(pages):
            page.wait_for_selector("#step-confirm:not([hidden])", timeout=TIMEOUT_MS)
            page.set_input_files("#share-file", str(files[i]))
            page.wait_for_selector("#confirm-pass:not([hidden])", timeout=TIMEOUT_MS)
            shown = page.inner_text("#manifest-fingerprint").replace(" ", "")
            assert shown == candidate
            page.fill("#pass-confirm", PASSPHRASES[i])
            page.click("#do-confirm")
        assert candidate in cli.confirm(files[2]).replace(" ", "")
        with app.app_context():
            for page in pages:
                _wait_phase(page, "confirmed")
            db.session.rollback()
            poll = db.session.get(Poll, poll_id)
            polls.freeze("thuky", poll)
            db.session.commit()
            assert poll.state == "ready"
    # What left the browsers: only public messages to the board's three URLs.
    shares = [
        sharefile.open_share(p.read_bytes(), PASSPHRASES[i], pid).secret_share
        for i, p in enumerate(files)
    ]
    blob = json.dumps(sent, ensure_ascii=False)
    for secret in shares:
        assert secret.to_bytes(32, "big").hex() not in blob.lower()
    for p in PASSPHRASES:
        assert p not in blob
    for path in files:
        assert path.read_text(encoding="utf-8") not in blob
    for method, url, body in sent:
        path = url.split(base, 1)[-1]
        if method == "POST":
            assert path == f"/polls/{pid}/ceremony/message", path
            assert json.loads(body)["format"] in FORMATS
        else:
            assert path.startswith(("/static/", f"/polls/{pid}/ceremony/")) or path.startswith(
                f"/polls/{pid}/trustee"
            ), path
