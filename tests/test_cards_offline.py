"""Cards made away from the server (``python -m keys cards``): the command end to end, the
upload on the cards page, a whole vote with such cards to a verified record, every bad
upload refused with nothing changed, and the server never seeing a card secret."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import stat
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from sqlalchemy import func, select

from ballot.actionlog import ActionLogEntry
from ballot.cards.models import Card
from ballot.counting import operations as counting
from ballot.db import db
from ballot.polls.models import Poll
from keys import cards
from keys.cardfile import PublicCard, public_file
from keys.cli import main
from tally.count import decrypt_with_share, parse_totals
from tally.record import Record
from tally.verify import verify_record
from tests.polls_web_helpers import (
    DEVICES,
    OFFICIALS_CSV,
    PASSPHRASES,
    ceremony_over_http,
    confirm_all,
    create_vote,
    login,
    post,
    token,
    upload,
)
from tests.test_ceremony_board import _cast

CODE_RE = re.compile(
    r"\b((?:[0-9A-Z]{4} ){3}[0-9A-Z]{4})\s*\n\s*((?:[0-9A-Z]{4} ){2}[0-9A-Z]{4})\b"
)


@pytest.fixture
def secretariat(client, make_user):
    make_user("thuky")
    login(client, "thuky")
    return client


def _draft(client, summoned=3):
    pid = create_vote(client, summoned)
    assert upload(client, pid, OFFICIALS_CSV.encode()).status_code == 302
    ceremony_over_http(client, pid)
    return pid


def _definition(client, pid, spares=2):
    r = client.get(
        f"/polls/{pid}/cards/definition?offline-spares={spares}&offline-confirm_address=y"
    )
    assert r.status_code == 200 and r.mimetype == "application/json", r.get_data(as_text=True)
    assert "attachment" in r.headers["Content-Disposition"]
    return r.data


def _run_cli(tmp_path: Path, definition: bytes, *args: str):
    tmp_path.mkdir(parents=True, exist_ok=True)
    source = tmp_path / "definition.json"
    source.write_bytes(definition)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["cards", str(source), "--out", str(out), *args])
    return result, out


def _upload(client, pid, data: bytes):
    """POST the file as multipart, encoded here: werkzeug's test client spools a large
    body to a temporary file it never closes (a ResourceWarning, an error here)."""
    b = "----phieu-test-boundary"
    body = (
        (
            f'--{b}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
            f"{token(client)}\r\n"
            f'--{b}\r\nContent-Disposition: form-data; name="file"; filename="cards-public.json"'
            "\r\nContent-Type: application/json\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{b}--\r\n".encode()
    )
    return client.post(
        f"/polls/{pid}/cards/upload", data=body, content_type=f"multipart/form-data; boundary={b}"
    )


def _pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(unicodedata.normalize("NFC", p.extract_text()) for p in reader.pages)


def _codes(text: str) -> list[str]:
    return [f"{a} {b}".replace(" ", "-") for a, b in CODE_RE.findall(text)]


def _stored(app, pid):
    with app.app_context():
        poll = db.session.scalar(select(Poll).where(Poll.public_id == pid))
        rows = db.session.execute(
            select(Card.serial, Card.public_key, Card.spare)
            .where(Card.poll_id == poll.id)
            .order_by(Card.serial)
        ).all()
        return [(s, bytes(k), sp) for s, k, sp in rows]


def _log_actions(app):
    with app.app_context():
        return [e.action for e in db.session.scalars(select(ActionLogEntry))]


def _database_dump(app) -> str:
    """Every value of every row of every table, as text (bytes also as hex)."""
    parts = []
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(select(table)).all():
                for value in row:
                    parts.append(
                        value.hex() if isinstance(value, bytes | memoryview) else str(value)
                    )
                    if isinstance(value, memoryview):
                        parts.append(bytes(value).hex())
    return "\n".join(parts)


def test_offline_cards_to_a_verified_record(app, secretariat, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    client = secretariat
    pid = _draft(client, summoned=3)
    definition = json.loads(_definition(client, pid, spares=2))
    assert definition["format"] == "phieu-ballot-definition/1" and definition["summoned"] == 3
    result, out = _run_cli(tmp_path, json.dumps(definition).encode())
    assert result.exit_code == 0, result.output
    pdf_path, public_path = out / "cards.pdf", out / "cards-public.json"
    assert stat.S_IMODE(os.stat(pdf_path).st_mode) == 0o600
    fingerprint = definition["ballot_fingerprint"]
    short = fingerprint[:16]
    assert " ".join(short[i : i + 4] for i in range(0, 16, 4)) in result.output
    page = client.get(f"/polls/{pid}/cards").get_data(as_text=True)
    assert " ".join(short[i : i + 4] for i in range(0, 16, 4)) in page  # what to compare with
    text = _pdf_text(pdf_path.read_bytes())
    codes = _codes(text)
    assert len(codes) == 5 and len(set(codes)) == 5
    for serial in ("0001", "0002", "0003", "0004", "0005"):
        assert f"Số thẻ {serial}" in text
    assert text.count("THẺ DỰ PHÒNG") == 2
    assert "Lấy phiếu tín nhiệm giữa nhiệm kỳ" in text
    assert " ".join(short[i : i + 4] for i in range(0, 16, 4)) in text
    public = json.loads(public_path.read_bytes())
    assert public["format"] == "phieu-cards/1" and public["election_id"] == pid
    assert public["ballot_fingerprint"] == fingerprint
    keys = [cards.public_key(cards.signing_key(pid, cards.decode_code(c))) for c in codes]
    assert [c["key"] for c in public["cards"]] == [k.hex() for k in keys]
    assert [c["spare"] for c in public["cards"]] == [False] * 3 + [True] * 2
    assert set(public["cards"][0]) == {"serial", "key", "spare"}  # nothing secret in it
    # The server saw nothing yet; the upload stores the public keys as make_cards would.
    r = _upload(client, pid, public_path.read_bytes())
    assert r.status_code == 302, r.get_data(as_text=True)
    stored = _stored(app, pid)
    assert stored == [(f"{i + 1:04d}", keys[i], i >= 3) for i in range(5)]
    assert "cards.upload" in _log_actions(app) and "cards.make" not in _log_actions(app)
    page = client.get(f"/polls/{pid}/cards").get_data(as_text=True)
    assert "5 cards made offline" in page or "5 thẻ" in page
    # What the laptop printed is what the trustees are asked to confirm.
    candidate = client.get(f"/polls/{pid}/ceremony/manifest.json").get_json()
    commitment = candidate["cards"]["commitment"][:16]
    assert " ".join(commitment[i : i + 4] for i in range(0, 16, 4)) in result.output
    # Confirm, freeze, vote with the printed codes, count, verify.
    confirm_all(client, pid)
    assert post(client, f"/polls/{pid}/freeze", {"confirm": "y"}).status_code == 302
    for _ in range(3):
        post(client, f"/polls/{pid}/checkin", {"delta": "plus"})
    assert post(client, f"/polls/{pid}/open", {"confirm": "y"}).status_code == 302
    voter = app.test_client()
    for code, choices in zip(codes, ([1, 3, 2], [3, 3, 0], [2, 0, 1]), strict=False):
        _cast(voter, pid, code, choices)
    assert post(client, f"/polls/{pid}/close", {"confirm": "y"}).status_code == 302
    devices, _send = DEVICES[pid]
    files = devices.share_files(PASSPHRASES)
    with app.app_context():
        poll = db.session.scalar(select(Poll).where(Poll.public_id == pid))
        counting.start_count("thuky", poll)
        manifest = counting.manifest_of(poll)
        totals, _ = parse_totals(json.loads(counting.get_count(poll).tally), manifest)
        for i in (1, 2):
            part = decrypt_with_share(manifest, totals, files[i - 1][1], PASSPHRASES[i - 1])
            counting.submit_partial("thuky", poll, part.to_json())
        db.session.commit()
        assert poll.state == "tallied"
    z = client.get(f"/polls/{pid}/record.zip").get_data()
    with zipfile.ZipFile(io.BytesIO(z)) as archive:
        record = Record({n: archive.read(n) for n in archive.namelist()})
    verify_record(record, workers=1)
    actions = record.files["actions.json"].decode()
    assert "cards.upload" in actions and "cards.make" not in actions  # the auditor sees it
    # The server never saw a card secret: not in the database, not in any log line.
    secrets_ = [cards.decode_code(c).hex() for c in codes]
    dump = _database_dump(app)
    logs = "\n".join(r.getMessage() for r in caplog.records)
    for code, secret in zip(codes, secrets_, strict=True):
        for haystack in (dump, logs, z.decode("latin-1")):
            assert code not in haystack and code.replace("-", "") not in haystack
            assert secret not in haystack


def test_the_command_refuses_bad_input_and_writes_nothing(app, secretariat, tmp_path):
    pid = _draft(secretariat)
    good = _definition(secretariat, pid)
    raw = json.loads(good)
    bent = dict(raw, definition={**raw["definition"], "title": "khác"}, title="khác")
    stated = dict(raw, ballot_fingerprint="00" * 32)
    for i, bad in enumerate(
        (b"not json", b"{}", json.dumps(bent).encode(), json.dumps(stated).encode())
    ):
        result, out = _run_cli(tmp_path / str(i), bad)
        assert result.exit_code == 1
        assert result.output.startswith("Lỗi: ") and "\nError: " in result.output
        assert not out.exists() or not any(out.iterdir())
    # A title changed together with its definition is another fingerprint: the server
    # refuses the card file made from it (test_every_bad_upload…); the file's own stated
    # fingerprint is checked against its definition here.
    result, out = _run_cli(tmp_path / "ok", good)
    assert result.exit_code == 0
    again = CliRunner().invoke(
        main, ["cards", str(tmp_path / "ok" / "definition.json"), "--out", str(out)]
    )
    assert again.exit_code == 1 and "file exists" in again.output


def _public(pid, fingerprint, keys, summoned=3, serials=None, spare=None):
    cards_ = [
        PublicCard(
            serials[i] if serials else f"{i + 1:04d}",
            k,
            spare[i] if spare else i >= summoned,
        )
        for i, k in enumerate(keys)
    ]
    return public_file(pid, fingerprint, cards_)


def test_every_bad_upload_is_refused_and_changes_nothing(app, secretariat, tmp_path):
    client = secretariat
    pid = _draft(client)
    raw = json.loads(_definition(client, pid, spares=1))
    fp = bytes.fromhex(raw["ballot_fingerprint"])
    keys = [cards.public_key(cards.signing_key(pid, cards.new_secret())) for _ in range(4)]
    good = _public(pid, fp, keys)
    not_on_curve = bytes.fromhex("ff" * 32)
    cases = [
        (b"not json", "sai định dạng"),
        (json.dumps({"format": "phieu-cards/2"}).encode(), "sai định dạng"),
        (good.replace(b'"format"', b'"formats"'), "sai định dạng"),
        (_public("other-vote", fp, keys), "cuộc bỏ phiếu khác"),
        (_public(pid, bytes(32), keys), "Mã đối chiếu lá phiếu"),
        (_public(pid, fp, keys[:2]), "Số thẻ phải bằng"),
        (_public(pid, fp, keys, serials=["0001", "0002", "0004", "0005"]), "liên tiếp"),
        (_public(pid, fp, keys, serials=["1", "2", "3", "4"]), "liên tiếp"),
        (_public(pid, fp, keys, spare=[True, False, False, False]), "Thẻ dự phòng"),
        (_public(pid, fp, [*keys[:3], not_on_curve]), "Khóa công khai"),
        (good.replace(keys[0].hex().encode(), keys[0].hex().upper().encode()), "Khóa công khai"),
        (_public(pid, fp, [*keys[:3], keys[0]]), "cùng khóa"),
        (b" " * (1_004_097) + good, "quá lớn"),
        (good.replace(b'"spare": false', b'"spare": 0', 1), "Thẻ dự phòng"),
    ]
    before = (_stored(app, pid), _log_actions(app))
    for data, needle in cases:
        r = _upload(client, pid, data)
        text = r.get_data(as_text=True)
        assert r.status_code == 400, (needle, r.status_code)
        assert needle in text, (needle, text[-2000:])
        assert (_stored(app, pid), _log_actions(app)) == before
    r = post(client, f"/polls/{pid}/cards/upload", {}, content_type="multipart/form-data")
    assert r.status_code == 400
    assert _upload(client, pid, good).status_code == 302
    assert [k for _, k, _ in _stored(app, pid)] == keys
    # Made from a changed definition: another fingerprint, refused.
    bent = dict(raw, definition={**raw["definition"], "title": "khác"}, title="khác")
    bent.pop("ballot_fingerprint")
    result, out = _run_cli(tmp_path, json.dumps(bent).encode())
    assert result.exit_code == 0
    r = _upload(client, pid, (out / "cards-public.json").read_bytes())
    assert r.status_code == 400 and "Mã đối chiếu lá phiếu" in r.get_data(as_text=True)
    assert [k for _, k, _ in _stored(app, pid)] == keys


def test_upload_and_definition_follow_the_printing_locks(app, secretariat, client, make_user):
    pid = _draft(secretariat)
    raw = json.loads(_definition(secretariat, pid, spares=0))
    fp = bytes.fromhex(raw["ballot_fingerprint"])
    keys = [cards.public_key(cards.signing_key(pid, cards.new_secret())) for _ in range(3)]
    assert _upload(secretariat, pid, _public(pid, fp, keys)).status_code == 302
    confirm_all(secretariat, pid)  # a trustee confirmed: the cards are fixed
    others = [cards.public_key(cards.signing_key(pid, cards.new_secret())) for _ in range(3)]
    r = _upload(secretariat, pid, _public(pid, fp, others))
    assert r.status_code == 409 and [k for _, k, _ in _stored(app, pid)] == keys
    assert secretariat.get(f"/polls/{pid}/cards/definition?offline-spares=0").status_code == 409
    assert post(secretariat, f"/polls/{pid}/freeze", {"confirm": "y"}).status_code == 302
    assert _upload(secretariat, pid, _public(pid, fp, others)).status_code == 409
    # Not the secretariat: refused.
    make_user("kiemtoan", role="auditor")
    auditor = app.test_client()
    login(auditor, "kiemtoan")
    assert auditor.get(f"/polls/{pid}/cards/definition?offline-spares=0").status_code == 403
    assert _upload(auditor, pid, _public(pid, fp, others)).status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Card)) == 3


def test_definition_form_errors_are_clear(app, secretariat):
    pid = create_vote(secretariat, 3)
    r = secretariat.get(f"/polls/{pid}/cards/definition?offline-spares=abc")
    assert r.status_code == 400 and "Hãy nhập một số nguyên." in r.get_data(as_text=True)
    r = secretariat.get(f"/polls/{pid}/cards/definition?offline-spares=1001")
    assert r.status_code == 400
    r = secretariat.get(f"/polls/{pid}/cards/definition?offline-spares=2&offline-confirm_address=y")
    assert r.status_code == 409  # no officials or keys yet


def test_the_command_needs_no_web_stack():
    """The offline laptop runs keys/ alone: importing the command loads no Flask, no ballot."""
    code = (
        "import sys, keys.cli\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('flask', 'ballot', 'sqlalchemy')]\n"
        "print(bad)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
    help_text = subprocess.run(
        [sys.executable, "-m", "keys", "cards", "--help"], capture_output=True, text=True
    )
    assert help_text.returncode == 0 and "--spares" in help_text.stdout


def test_a_server_that_swaps_an_uploaded_key_is_caught_before_confirming(
    app, secretariat, tmp_path
):
    """A dishonest server stores its own key for card 0002 (to vote with it): the candidate
    manifest's card commitment no longer matches the one the offline command printed."""
    client = secretariat
    pid = _draft(client)
    result, out = _run_cli(tmp_path, _definition(client, pid, spares=0))
    assert result.exit_code == 0
    assert _upload(client, pid, (out / "cards-public.json").read_bytes()).status_code == 302
    printed = re.search(r"card commitment: ((?:[0-9a-f]{4} ?){4})", result.output)
    assert printed is not None
    honest = client.get(f"/polls/{pid}/ceremony/manifest.json").get_json()["cards"]
    assert honest["commitment"][:16] == printed.group(1).replace(" ", "")
    own = cards.public_key(cards.signing_key(pid, cards.new_secret()))
    with app.app_context():
        card = db.session.scalar(select(Card).where(Card.serial == "0002"))
        card.public_key = own
        db.session.commit()
    bent = client.get(f"/polls/{pid}/ceremony/manifest.json").get_json()["cards"]
    assert bent["commitment"][:16] != printed.group(1).replace(" ", "")
