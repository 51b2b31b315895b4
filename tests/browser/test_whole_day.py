"""A whole conference day in Chromium, through the pages, as the people of that day do it.

The secretariat (a laptop) creates a rating vote, imports the officials from the sample
CSV the page offers, starts the key ceremony; three trustees, each in a browser of their
own, make the key and confirm the manifest; the secretariat prints the cards (the PDF),
freezes, checks members in and opens; members vote on phone-sized browsers from the
cards' links (one checks the encryption first); a revoked card is refused; the
secretariat closes, two trustees count on the count page, the secretariat publishes.
Then an anonymous observer reads the results on the board, downloads the record, and
``python -m tally verify`` and the browser verifier both say VALID; the minutes carry the
figures. Each step goes through what a person clicks or reads: the card links come from
the printed PDF, the fingerprint from the projector's page, the results from the board;
nothing reads the database or calls an operation (only the account is made beforehand,
as `flask users create` would). The observer checks the saved files with
``tally check-head`` against the fingerprint read aloud.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import textwrap
import unicodedata
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from scripts.build_verifier import OUT as VERIFIER
from tests.browser.live import PHONE, chromium, live_server
from tests.conftest import DEFAULT_PASSWORD
from tests.test_cards_pdf import CODE_RE

pytestmark = pytest.mark.browser

T = 90_000  # ms: the ceremony's and the count's slowest steps on a loaded machine
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")  # the vote's time zone (TIMEZONE's default)
ROOT = Path(__file__).resolve().parents[2]
TRUSTEES = ["Nguyễn Văn An", "Lê Thị Bình", "Trần Văn Cường"]
PASSPHRASES = ["mật khẩu ngày họp một", "mật khẩu ngày họp hai", "mật khẩu ngày họp ba"]
SUMMONED, MEMBERS = 6, 5  # summoned; checked in (one absent)
REVOKED = "Thẻ này đã bị thu hồi"
#: Per voting member, per official: 1 tín nhiệm cao, 2 tín nhiệm, 3 tín nhiệm thấp, 0 blank.
CHOICES = [[1, 3], [1, 0], [2, 1], [3, 3], [1, 2]]
LEVELS = ["tin_nhiem_cao", "tin_nhiem", "tin_nhiem_thap"]


@pytest.fixture
def app_config(app_config):
    return {**app_config, "BASE_URL": "", "CHECKPOINT_BALLOTS": 2}


@pytest.fixture
def browser():
    with chromium() as b:
        yield b


def _submit(page, form_selector: str) -> None:
    page.locator(form_selector).locator("button[type=submit], input[type=submit]").first.click()
    page.wait_for_load_state()


def _secretariat(browser, base):
    page = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="vi-VN", accept_downloads=True
    ).new_page()
    page.goto(f"{base}/account/login")
    page.fill("#username", "thuky")
    page.fill("#password", DEFAULT_PASSWORD)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(f"{base}/")
    return page


def _create(page, base) -> str:
    page.goto(f"{base}/polls/new")
    page.fill("#meeting", "Kỳ họp thứ Mười, Hội đồng nhân dân tỉnh")
    page.fill("#title", "Lấy phiếu tín nhiệm giữa nhiệm kỳ")
    page.fill("#summoned", str(SUMMONED))
    page.fill("#trustee_names", "\n".join(TRUSTEES))
    page.fill("#threshold", "2")
    _submit(page, "form:has(#meeting)")
    m = re.search(r"/polls/([^/]+)/$", page.url)
    assert m, page.url
    return m.group(1)


def _officials(page, base, pid, tmp: Path) -> list[str]:
    page.goto(f"{base}/polls/{pid}/officials")
    with page.expect_download() as info:
        page.click("#sample-csv")
    sample = tmp / "danh-sach.csv"
    info.value.save_as(sample)
    form = "form[enctype='multipart/form-data']"
    page.set_input_files(f"{form} input[type=file]", str(sample))
    _submit(page, form)
    names = [li.inner_text() for li in page.locator("ol.officials > li").all()]
    assert len(names) == 2, names
    return ["Nguyễn Văn A", "Trần Thị B"]


def _ceremony(browser, page, base, pid, tmp: Path) -> tuple[list, list[Path]]:
    page.goto(f"{base}/polls/{pid}/ceremony")
    _submit(page, f"form[action='/polls/{pid}/ceremony/start']")
    links = [c.inner_text() for c in page.locator("code.trustee-link").all()]
    assert len(links) == 3, links
    trustees = []
    for link in links:
        tpage = browser.new_context(locale="vi-VN", accept_downloads=True).new_page()
        tpage.goto(link)
        trustees.append(tpage)
    for tpage in trustees:
        tpage.click("#do-commit")
    codes = set()
    for tpage in trustees:
        tpage.wait_for_selector("#step-compare:not([hidden])", timeout=T)
        codes.add(tpage.inner_text("#transcript-code").replace(" ", ""))
    assert len(codes) == 1  # read aloud: the same transcript on every device
    for tpage in trustees:
        tpage.check("#all-match")
        tpage.click("#do-shares")
    files = []
    for i, tpage in enumerate(trustees):
        tpage.wait_for_selector("#step-finish:not([hidden])", timeout=T)
        tpage.fill("#pass1", PASSPHRASES[i])
        tpage.fill("#pass2", PASSPHRASES[i])
        tpage.click("#do-finish")
        tpage.wait_for_selector("#download:not([hidden])", timeout=T)
        with tpage.expect_download() as info:
            tpage.click("#download-link")
        path = tmp / f"share-{i + 1}.json"
        info.value.save_as(path)
        files.append(path)
        tpage.click("#do-done")
    for tpage in trustees:
        tpage.wait_for_selector("#ceremony[data-phase=finished]", state="attached", timeout=T)
    return trustees, files


def _print_cards(page, base, pid, tmp: Path) -> list[str]:
    """Print the cards from the cards page; the links their QR codes carry."""
    page.goto(f"{base}/polls/{pid}/cards")
    form = f"form[action='/polls/{pid}/cards/print']"
    page.fill(f"{form} input[name=spares]", "1")
    confirm = page.locator(f"{form} input[name=confirm_address]")
    if confirm.count():  # 127.0.0.1: the page warns that phones cannot open it
        confirm.check()
    with page.expect_download() as info:
        page.locator(form).locator("button[type=submit], input[type=submit]").click()
    pdf = tmp / "the.pdf"
    info.value.save_as(pdf)
    text = "".join(
        unicodedata.normalize("NFC", p.extract_text())
        for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages
    )
    codes = [f"{a} {b}".replace(" ", "") for a, b in CODE_RE.findall(text)]
    assert len(codes) == SUMMONED + 1, text[:500]  # one card per member summoned, one spare
    flat = "".join(text.split())
    assert f"{base}/v/{pid}" in flat  # the address the cards print (this server's)
    check = re.findall(r"Mãđốichiếuláphiếu\(mọithẻnhưnhau\):([0-9a-f]{16})", flat)
    assert len(check) == len(codes) and len(set(check)) == 1, check
    # The link each card's QR code carries (/v/<vote>#<code>.<ballot check code>),
    # from what is printed on the card, not from the server's database.
    return [f"{base}/v/{pid}#{code}.{check[0]}" for code in codes]


def _confirm(trustees, files, fingerprint: str) -> None:
    for i, tpage in enumerate(trustees):
        tpage.wait_for_selector("#step-confirm:not([hidden])", timeout=T)
        tpage.set_input_files("#share-file", str(files[i]))
        tpage.wait_for_selector("#confirm-pass:not([hidden])", timeout=T)
        shown = tpage.inner_text("#manifest-fingerprint").replace(" ", "")
        assert shown == fingerprint, (shown, fingerprint)
        tpage.fill("#pass-confirm", PASSPHRASES[i])
        tpage.click("#do-confirm")
    for tpage in trustees:
        tpage.wait_for_selector("#ceremony[data-phase=confirmed]", state="attached", timeout=T)
        tpage.context.close()


def _download(page, selector: str, folder: Path) -> Path:
    with page.expect_download() as info:
        page.click(selector)
    path = folder / info.value.suggested_filename
    info.value.save_as(path)
    return path


def _vote(browser, link: str, choices, check_first=False):
    page = browser.new_context(**PHONE).new_page()
    page.goto(link)
    page.wait_for_selector("#vote-app[data-ready=ballot]", timeout=T)
    for r, choice in enumerate(choices):
        page.locator(f"#row-{r} button[data-choice='{choice}']").click()
    page.locator("#to-review").click()
    if check_first:  # cast or check: this one is revealed, never cast
        page.locator("#check").click()
        page.wait_for_selector("#vote-app[data-ready=audit]", timeout=T)
        page.locator("#reveal").click()
        page.wait_for_selector("#vote-app[data-ready=audited]", timeout=T)
        page.locator("#audit-back").click()
    page.locator("#submit").click()
    page.wait_for_selector("#vote-app[data-ready=receipt]", timeout=T)
    tracker = page.locator("#tracker").get_attribute("data-hex")
    page.context.close()
    return tracker


def test_a_whole_conference_day_through_the_pages(app, make_user, browser, tmp_path):
    make_user("thuky")
    with live_server(app) as base:
        desk = _secretariat(browser, base)
        pid = _create(desk, base)
        names = _officials(desk, base, pid, tmp_path)
        trustees, files = _ceremony(browser, desk, base, pid, tmp_path)
        links = _print_cards(desk, base, pid, tmp_path)
        # The fingerprint on the projector (the ceremony page), read aloud in the hall.
        desk.goto(f"{base}/polls/{pid}/ceremony")
        hall = "".join(desk.inner_text("#candidate-fingerprint").split())
        _confirm(trustees, files, hall)  # each trustee's device shows the same
        desk.goto(f"{base}/polls/{pid}/freeze")
        desk.check("#confirm")
        _submit(desk, "form:has(#confirm)")
        observer = browser.new_context(locale="vi-VN", accept_downloads=True).new_page()
        observer.goto(f"{base}/board/{pid}")
        assert "".join(observer.inner_text("#manifest-hash").split()) == hall  # frozen: same
        manifest = _download(observer, "#save-manifest", tmp_path)
        desk.goto(f"{base}/polls/{pid}/checkin")
        for _ in range(MEMBERS):
            _submit(desk, "form:has(input[name=delta][value=plus])")
        assert desk.inner_text("#present-count") == str(MEMBERS)
        desk.goto(f"{base}/polls/{pid}/open")
        desk.check("#confirm")
        _submit(desk, "form:has(#confirm)")
        assert observer.request.get(f"{base}/board/{pid}/board.json").json()["state"] == "open"
        # A card reported lost (serial 5) is revoked before anyone used it.
        desk.goto(f"{base}/polls/{pid}/cards")
        desk.fill("#revoke-serial", "5")
        desk.check("#revoke-confirm")
        _submit(desk, "form:has(#revoke-serial)")
        desk.fill("#spare-serial", "0007")  # and its member gets the spare instead
        _submit(desk, "form:has(#spare-serial)")
        voters = [links[0], links[1], links[2], links[3], links[6]]
        # The observer at the public board saves a signed checkpoint during the vote.
        trackers = []
        for i, (link, row) in enumerate(zip(voters, CHOICES, strict=True)):
            trackers.append(_vote(browser, link, row, check_first=(i == 0)))
            if i == 2:  # CHECKPOINT_BALLOTS = 2: the first checkpoint is signed
                observer.goto(f"{base}/board/{pid}")
                saved = [_download(observer, "#save-checkpoint", tmp_path)]
        assert len(set(trackers)) == len(CHOICES)
        lost = browser.new_context(**PHONE).new_page()
        lost.goto(links[4])
        lost.wait_for_selector("#problem:not([hidden])", timeout=T)  # no ballot is shown
        assert lost.inner_text("#problem-title") == REVOKED, lost.inner_text("#problem")
        lost.context.close()
        # Close, count with trustees 1 and 3 on the count page, publish.
        desk.goto(f"{base}/polls/{pid}/close")
        desk.check("#confirm")
        _submit(desk, "form:has(#confirm)")
        observer.goto(f"{base}/board/{pid}")
        saved.append(_download(observer, "#save-close", tmp_path))
        desk.goto(f"{base}/polls/{pid}/count")
        _submit(desk, f"form[action='/polls/{pid}/count/start']")
        desk.wait_for_selector("#trustee-app[data-check=verified]", timeout=T)
        for trustee in (1, 3):
            desk.set_input_files(f"#share-{trustee}", str(files[trustee - 1]))
            desk.fill(f"#passphrase-{trustee}", PASSPHRASES[trustee - 1])
            desk.locator(f"#trustee-{trustee} button[type=submit]").click()
            if trustee == 1:
                desk.wait_for_selector("#trustee-1[data-done=true]", state="attached", timeout=T)
        desk.wait_for_selector("#done-h", timeout=T)
        _submit(desk, f"form[action='/polls/{pid}/publish']")
        # The anonymous observer, after publication.
        observer.goto(f"{base}/board/{pid}")
        published = observer.inner_text("#published-results")
        for name in names:
            assert name in published
        record = tmp_path / "record.zip"
        with observer.expect_download() as info:
            observer.evaluate(f"location.href = '/polls/{pid}/record.zip'")
        info.value.save_as(record)
        results = json.loads(observer.request.get(f"{base}/polls/{pid}/results.json").text())
        minutes = observer.request.get(f"{base}/polls/{pid}/minutes.pdf").body()
    # What was tapped is what was counted: per official, the count of each level.
    for r in range(len(names)):
        tapped = [row[r] for row in CHOICES]
        official = results["officials"][r]
        assert official["counts"] == {
            level: tapped.count(j + 1) for j, level in enumerate(LEVELS)
        }, (r, official, tapped)
        assert official["blank"] == tapped.count(0)
    figures = results["figures"]
    assert (figures["present"], figures["issued"], figures["returned"]) == (MEMBERS, 6, 5)
    args = [a for f in saved for a in ("--checkpoint", str(f))]
    verified = subprocess.run(
        [sys.executable, "-m", "tally", "verify", str(record), *args],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert verified.returncode == 0, verified.stderr
    assert "1 checked ballots" in verified.stdout
    assert f"OK  saved checkpoint {saved[0].name}: in the record" in verified.stdout
    assert f"OK  saved close {saved[1].name}: the record's close" in verified.stdout
    heads = subprocess.run(
        [sys.executable, "-m", "tally", "check-head", *map(str, saved),
         "--manifest", str(manifest), "--fingerprint", hall],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert heads.returncode == 0, heads.stderr
    assert heads.stdout.count("signed by this vote's server") == 2
    page = browser.new_context(offline=True).new_page()
    page.goto(VERIFIER.as_uri())
    page.wait_for_selector("body[data-ready='1']")
    page.set_input_files("#saved", [str(f) for f in saved])
    page.set_input_files("#record", str(record))
    page.wait_for_selector("#verdict[data-code]:not([data-code=''])", timeout=T)
    assert page.get_attribute("#verdict", "data-code") == "0", page.text_content("#verdict")
    assert f"OK  saved close {saved[1].name}" in (page.text_content("#verdict") or "")
    text = unicodedata.normalize(
        "NFC", "".join(p.extract_text() for p in PdfReader(io.BytesIO(minutes)).pages)
    )
    from tally.record import Record

    closed_at = Record.load(record).json("figures.json")["closed_at"]
    closed = datetime.fromisoformat(closed_at).astimezone(ZONE)
    for line in (
        "Số đại biểu được triệu tập: 6.",
        "Số đại biểu có mặt: 5; cần ít nhất 4",
        "Số phiếu phát ra: 6.",
        "Số phiếu thu vào: 5.",
        "số thẻ dự phòng đã phát: 1; số thẻ bị thu hồi: 1 (số sê-ri 0005)",
        f"kết thúc bỏ phiếu vào hồi {closed.hour} giờ {closed.minute:02d} phút, ngày "
        f"{closed.day} tháng {closed.month} năm {closed.year}",
        "Nguyễn Văn An, Trần Văn Cường.",  # the trustees who decrypted
        " ".join(textwrap.wrap(verified.stdout.split("record hash: ")[1][:64], 4)),
    ):
        assert line in " ".join(text.split()), (line, text[:2500])  # lines wrap in the PDF
