"""The dealer-free ceremony's board over HTTP, with keys.dkg in Python as the trustees'
devices: a whole vote through it, what a dishonest server could learn (nothing), and
every refusal (4xx JSON, nothing changes, never a 500)."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import func, select

from ballot.actionlog import ActionLogEntry
from ballot.counting import export
from ballot.counting import operations as counting
from ballot.db import db
from ballot.polls.models import CeremonyMessage, Poll
from keys import cards, dkg
from keys.ballot import encrypt_ballot
from keys.group import N
from keys.hashing import TAG_DKG_SHARE_AAD, digest, manifest_hash, u32
from tally.count import decrypt_with_share, parse_totals
from tally.manifest import parse_manifest
from tally.record import Record
from tally.verify import verify_record
from tests.conftest import extract_csrf
from tests.polls_web_helpers import (
    DEVICES,
    OFFICIALS_CSV,
    PASSPHRASES,
    TOKENS,
    TRUSTEES,
    ceremony_over_http,
    confirm_all,
    create_vote,
    login,
    message,
    poll_row,
    post,
    prepare_vote,
    start_ceremony,
    upload,
)


@pytest.fixture
def secretariat(client, make_user):
    make_user("thuky")
    login(client, "thuky")
    return client


def _log_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ActionLogEntry)) or 0


def _board(client, pid):
    r = client.get(f"/polls/{pid}/ceremony/board.json")
    assert r.status_code == 200 and r.mimetype == "application/json"
    return r.get_json()


def _cast(client, pid, code, choices):
    manifest = client.get(f"/v/{pid}/manifest.json").get_json()["manifest"]
    ctx = parse_manifest(manifest).context()
    sk = cards.signing_key(pid, cards.decode_code(code))
    body = json.dumps(encrypt_ballot(ctx, sk, choices).to_json())
    r = client.post(f"/v/{pid}/cast", data=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 200, r.get_data(as_text=True)


def test_whole_vote_through_the_board(app, secretariat, monkeypatch):
    client = secretariat
    codes: list[str] = []
    from ballot.cards import operations as cards_ops

    make = cards_ops.make_cards

    def keep_codes(*args, **kwargs):  # the PDF carries them; the test reads them here
        printed, fingerprint = make(*args, **kwargs)
        codes[:] = [c.code for c in printed]
        return printed, fingerprint

    monkeypatch.setattr(cards_ops, "make_cards", keep_codes)
    pid, _pdf = prepare_vote(client, summoned=3, spares=0)
    board = _board(client, pid)
    assert board["state"] == "confirm" and len(board["done"]) == 3
    poll = poll_row(app, pid)
    assert poll.election_key["public_key"] == board["done"][0]["public_key"]
    assert (
        board["candidate_manifest"]
        == manifest_hash(client.get(f"/polls/{pid}/ceremony/manifest.json").get_json()).hex()
    )
    page = client.get(f"/polls/{pid}/ceremony").get_data(as_text=True)
    assert board["candidate_manifest"] in page and "✓" not in page
    confirm_all(client, pid)
    assert len(_board(client, pid)["confirmations"]) == 3
    assert client.get(f"/polls/{pid}/ceremony").get_data(as_text=True).count("✓") == 3
    assert post(client, f"/polls/{pid}/freeze", {"confirm": "y"}).status_code == 302
    poll = poll_row(app, pid)
    assert poll.state == "ready" and poll.manifest_hash.hex() == board["candidate_manifest"]
    frozen = _board(client, pid)
    assert frozen["state"] == "frozen"
    assert frozen["candidate_manifest"] == board["candidate_manifest"]
    for _ in range(3):
        post(client, f"/polls/{pid}/checkin", {"delta": "plus"})
    assert post(client, f"/polls/{pid}/open", {"confirm": "y"}).status_code == 302
    voter = app.test_client()
    assert len(codes) == 3
    for code, choices in zip(codes, ([1, 3, 2], [3, 3, 0], [2, 0, 1]), strict=True):
        _cast(voter, pid, code, choices)
    assert post(client, f"/polls/{pid}/close", {"confirm": "y"}).status_code == 302
    devices, _send = DEVICES[pid]
    files = devices.share_files(PASSPHRASES)
    with app.app_context():
        poll = db.session.scalar(select(Poll).where(Poll.public_id == pid))
        counting.start_count("thuky", poll)
        manifest = counting.manifest_of(poll)
        totals, _ = parse_totals(json.loads(counting.get_count(poll).tally), manifest)
        for i in (1, 3):  # any k = 2 of the 3 trustees
            part = decrypt_with_share(manifest, totals, files[i - 1][1], PASSPHRASES[i - 1])
            counting.submit_partial("thuky", poll, part.to_json())
        db.session.commit()
        assert poll.state == "tallied"
    z = client.get(f"/polls/{pid}/record.zip").get_data()
    with zipfile.ZipFile(io.BytesIO(z)) as archive:
        record = Record({n: archive.read(n) for n in archive.namelist()})
    with app.app_context():
        poll = db.session.scalar(select(Poll).where(Poll.public_id == pid))
        confirmations = export.confirmations(poll)
    assert json.loads(record.files["confirmations.json"]) == confirmations
    assert [c["trustee"] for c in confirmations] == [1, 2, 3]
    assert all(c["manifest"] == board["candidate_manifest"] for c in confirmations)
    verify_record(record, workers=1)


class Recorder:
    """WSGI wrapper: every request and response body of the ceremony, as bytes."""

    def __init__(self, wsgi):
        self.wsgi, self.seen = wsgi, bytearray()

    def __call__(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        self.seen += (
            environ.get("PATH_INFO", "").encode() + environ.get("QUERY_STRING", "").encode()
        )
        self.seen += b"".join(
            f"{k}: {v}".encode() for k, v in environ.items() if k.startswith("HTTP_")
        )
        self.seen += body
        for chunk in self.wsgi(environ, start_response):
            self.seen += chunk
            yield chunk


def _hex(x: int) -> bytes:
    return x.to_bytes(32, "big").hex().encode()


def test_the_server_sees_no_secret_and_cannot_rebuild_the_key(app, secretariat):
    client = secretariat
    recorder = Recorder(app.wsgi_app)
    app.wsgi_app = recorder
    pid = create_vote(client)
    assert upload(client, pid, OFFICIALS_CSV.encode()).status_code == 302
    devices = ceremony_over_http(client, pid, keep_states=True)
    files = devices.share_files(PASSPHRASES)  # sealed on the devices, never uploaded
    assert post(client, f"/polls/{pid}/cards/print", {"spares": "0"}).status_code == 200
    confirm_all(client, pid)
    seen = bytes(recorder.seen).lower()
    secrets_ = []
    for state in devices.states:
        secrets_ += [state._e, *state._coefficients]
        secrets_ += [state.evaluate(j) for j in range(1, 4)]  # s_ij, incl. s_jj
    secrets_ += devices.shares
    x = sum(state._coefficients[0] for state in devices.states) % N
    secrets_.append(x)
    for s in secrets_:
        assert _hex(s) not in seen
        assert s.to_bytes(32, "big") not in seen
    for p in PASSPHRASES:
        assert p.encode() not in bytes(recorder.seen)
        assert json.dumps(p).encode() not in bytes(recorder.seen)
    assert all(blob not in seen for _name, blob in files)
    # The sub-shares on the board do not open with public data (a key built from E_i,
    # E_j, or their sum: what the server has). Only e_i·E_j opens them.
    board = _board(client, pid)
    names, k = board["names"], board["threshold"]
    ctx = dkg.context(pid, 1, names, k)
    keys_e = {c["trustee"]: bytes.fromhex(c["ceremony_key"]) for c in board["commits"]}
    for msg in board["shares"]:
        i = msg["trustee"]
        for entry in msg["shares"]:
            j = entry["to"]
            aad = digest(TAG_DKG_SHARE_AAD, ctx, u32(i), u32(j), keys_e[i], keys_e[j])
            for ikm in (keys_e[i], keys_e[j], keys_e[i] + keys_e[j]):
                info = b"phieu/v1/dkg-share-key" + u32(i) + u32(j)
                key = HKDF(algorithm=hashes.SHA256(), length=32, salt=ctx, info=info).derive(ikm)
                with pytest.raises(InvalidTag):
                    AESGCM(key).decrypt(
                        bytes.fromhex(entry["nonce"]), bytes.fromhex(entry["data"]), aad
                    )
    with app.app_context():
        stored = b" ".join(m.body.encode() for m in db.session.scalars(select(CeremonyMessage)))
    assert all(_hex(s) not in stored for s in secrets_)


def test_no_restart_once_a_trustee_confirmed(app, secretariat):
    client = secretariat
    pid, _pdf = prepare_vote(client)
    devices, send = DEVICES[pid]
    manifest = client.get(f"/polls/{pid}/ceremony/manifest.json").get_json()
    h = manifest_hash(manifest)
    send(1, dkg.confirm(h, 1, devices.shares[0], election_id=pid))
    before = poll_row(app, pid).election_key, _board(client, pid), _log_count(app)
    r = post(client, f"/polls/{pid}/cards/discard", {"confirm": "y"})
    assert r.status_code in (302, 409)
    r = post(client, f"/polls/{pid}/ceremony/restart", {"reason": "làm lại"})
    text = r.get_data(as_text=True)
    assert r.status_code == 409 and ("xác nhận" in text or "confirmed" in text)
    r = post(client, f"/polls/{pid}/cards/print", {"spares": "1"})
    assert r.status_code in (400, 409) and r.mimetype == "text/html"
    assert (poll_row(app, pid).election_key, _board(client, pid)) == before[:2]
    assert _log_count(app) == before[2]


def test_freeze_needs_every_valid_confirmation_of_this_manifest(app, secretariat):
    client = secretariat
    pid, _pdf = prepare_vote(client)
    devices, send = DEVICES[pid]
    raw = client.get(f"/polls/{pid}/ceremony/manifest.json").get_json()
    h = manifest_hash(raw)
    send(1, dkg.confirm(h, 1, devices.shares[0], election_id=pid))
    r = post(client, f"/polls/{pid}/freeze", {"confirm": "y"})
    assert r.status_code == 409 and "Lê Thị Bình" in r.get_data(as_text=True)
    # Forged confirmations, posted: refused at the door.
    other = bytes(32)
    device = app.test_client()
    for bad in (
        dkg.confirm(other, 2, devices.shares[1], election_id=pid),  # another manifest
        dkg.confirm(h, 2, devices.shares[2], election_id=pid),  # not trustee 2's share
        dkg.confirm(h, 2, 12345, election_id=pid),  # anyone's guess
    ):
        with pytest.raises(AssertionError):
            send(2, bad)
    assert len(_board(device, pid)["confirmations"]) == 1
    # Forged confirmations written straight into the database (a dishonest operator):
    # freezing re-verifies each and still refuses.
    with app.app_context():
        poll = db.session.scalar(select(Poll).where(Poll.public_id == pid))
        for j, body in (
            (2, dkg.confirm(other, 2, devices.shares[1], election_id=pid)),
            (3, dkg.confirm(h, 3, devices.shares[0], election_id=pid)),
        ):
            db.session.add(
                CeremonyMessage(
                    poll_id=poll.id, round=1, trustee=j, kind="confirm", body=json.dumps(body)
                )
            )
        db.session.commit()
    r = post(client, f"/polls/{pid}/freeze", {"confirm": "y"})
    assert r.status_code == 409 and poll_row(app, pid).state == "draft"
    assert "Lê Thị Bình" in r.get_data(as_text=True)


def test_refusals_are_clear_json_and_change_nothing(app, secretariat):
    client = secretariat
    pid = create_vote(client)
    assert upload(client, pid, OFFICIALS_CSV.encode()).status_code == 302
    other = create_vote(client)
    tokens = start_ceremony(client, pid)
    other_tokens = start_ceremony(client, other)
    device = app.test_client()
    names = TRUSTEES
    state1, commit1 = dkg.start(pid, 1, names, 2, 1)
    state2, commit2 = dkg.start(pid, 1, names, 2, 2)
    forged = json.loads(json.dumps(commit1))
    forged["proofs"][0]["u"] = forged["proofs"][1]["u"]
    earlier = dkg.start(pid, 2, names, 2, 1)[1]  # a round that does not exist
    elsewhere = dkg.start(other, 1, names, 2, 1)[1]

    def refused(token, body, status, code):
        before = _board(device, pid), _log_count(app)
        r = message(device, pid, token, body)
        assert r.status_code == status, (code, r.get_data(as_text=True))
        assert r.mimetype == "application/json"
        answer = r.get_json()
        assert answer["error"] == code and answer["message"]
        assert (_board(device, pid), _log_count(app)) == before

    refused(tokens[1], forged, 400, "bad_message")
    refused(tokens[1], elsewhere, 400, "wrong_vote")
    refused(other_tokens[1], commit1, 403, "bad_token")  # a token of another vote
    refused(tokens[1], earlier, 409, "wrong_round")
    refused("x" * 22, commit1, 403, "bad_token")
    refused("", commit1, 403, "bad_token")
    refused(tokens[2], commit1, 403, "wrong_trustee")  # token of another trustee
    refused(tokens[1], b"not json", 400, "bad_message")
    refused(tokens[1], b'{"format": "phieu-dkg-commit/1", "format": "x"}', 400, "bad_message")
    refused(tokens[1], b"[1, 2]", 400, "bad_message")
    refused(tokens[1], b"\xff\xfe", 400, "bad_message")
    refused(tokens[1], b"x" * 70_000, 413, "too_large")
    refused(tokens[1], {**commit1, "trustee": True}, 403, "wrong_trustee")
    refused(tokens[1], {**commit1, "ceremony": 0}, 409, "wrong_round")
    assert message(device, pid, tokens[1], commit1).status_code == 200
    refused(tokens[1], commit1, 409, "already_posted")  # posting twice
    # Shares before every commit is in: out of order.
    refused(tokens[1], {"format": "phieu-dkg-shares/1", "election_id": pid, "ceremony": 1,
                        "trustee": 1, "shares": []}, 409, "too_early")  # fmt: skip
    assert message(device, pid, tokens[2], commit2).status_code == 200
    # Restart: the earlier round's messages and links no longer work.
    r = post(client, f"/polls/{pid}/ceremony/restart", {"reason": "một thành viên đến muộn"})
    assert r.status_code == 200
    board = _board(device, pid)
    assert board["ceremony"] == 2 and board["restarts"] == [
        {"round": 1, "reason": "một thành viên đến muộn"}
    ]
    assert board["commits"] == []
    r = message(device, pid, tokens[1], commit1)
    assert r.status_code == 403 and r.get_json()["error"] == "bad_token"
    assert client.get(f"/polls/{pid}/ceremony/manifest.json").status_code == 404
    assert client.get("/polls/khong-co/ceremony/board.json").status_code == 404
    assert client.get(f"/polls/{other}/ceremony/board.json").get_json()["state"] == "commit"
    r = device.post(f"/polls/{pid}/ceremony/message", data="{}")  # no token, no JSON type
    assert r.status_code in (400, 403) and r.mimetype == "application/json"


def test_link_used_up_after_the_trustee_finished(app, secretariat):
    client = secretariat
    pid, _pdf = prepare_vote(client)
    confirm_all(client, pid)
    devices, send = DEVICES[pid]
    raw = client.get(f"/polls/{pid}/ceremony/manifest.json").get_json()
    again = dkg.confirm(manifest_hash(raw), 1, devices.shares[0], election_id=pid)
    with pytest.raises(AssertionError, match="link_used"):
        send(1, again)
    with app.app_context():
        confirms = db.session.scalar(select(func.count()).where(CeremonyMessage.kind == "confirm"))
    assert confirms == 3


def test_one_trustee_alone_is_refused_at_creation(app, secretariat):
    client = secretariat
    r = post(
        client,
        "/polls/new",
        {
            "meeting": "M",
            "title": "T",
            "kind": "rating",
            "summoned": "4",
            "denominator": "returned",
            "trustee_names": "A\nB\nC",
            "threshold": "1",
        },
    )
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert "one trustee alone would hold the key" in page or "một mình" in page
    assert extract_csrf(page)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Poll)) == 0


def test_trustee_page_is_public_static_and_has_no_inline_script(app, secretariat):
    client = secretariat
    pid = create_vote(client)
    r = app.test_client().get(f"/polls/{pid}/trustee")
    assert r.status_code == 200 and "script-src 'self'" in r.headers["Content-Security-Policy"]
    page = r.get_data(as_text=True)
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    assert scripts and all(
        'type="application/json"' in attrs or (src and not body.strip())
        for attrs, body in scripts
        for src in [re.search(r'src="([^"]+)"', attrs)]
    )
    assert 'src="/static/js/trustee-ceremony.js"' in page
    assert 'type="password"' in page and "<form" not in page.split('id="ceremony"')[1]
    with app.test_client().get("/static/js/trustee-ceremony.js") as static:
        js = static.get_data(as_text=True)
    assert "crypto.subtle" not in js.replace("crypto.subtle does not exist", "")
    assert "localStorage" not in js and "sessionStorage" not in js


def test_a_complaint_fails_the_round_for_everyone_until_restarted(app, secretariat):
    client = secretariat
    pid = create_vote(client)
    tokens = start_ceremony(client, pid)
    device = app.test_client()
    states = []
    for i in (1, 2, 3):
        state, msg = dkg.start(pid, 1, TRUSTEES, 2, i)
        states.append(state)
        assert message(device, pid, tokens[i], msg).status_code == 200
    board = _board(device, pid)
    contributions = [
        dkg.verify_commit(m, pid, 1, TRUSTEES, 2, m["trustee"]) for m in board["commits"]
    ]
    for state in states:
        msg = dkg.make_shares(state, contributions)
        if state.index == 1:  # trustee 1's device sends trustee 2 garbage
            msg["shares"][0]["data"] = "00" * 48
        assert message(device, pid, tokens[state.index], msg).status_code == 200
    board = _board(device, pid)
    result = dkg.receive(states[1], contributions, board["shares"])
    assert isinstance(result, dkg.Complaint) and result.against == 1
    assert message(device, pid, tokens[2], result.to_json()).status_code == 200
    board = _board(device, pid)
    assert board["state"] == "failed"
    assert board["complaints"] == [result.to_json()]
    share, key = dkg.receive(states[2], contributions, board["shares"])
    transcript = dkg.transcript_of(contributions)
    r = message(device, pid, tokens[3], dkg.done_message(states[2], share, key, transcript))
    assert r.status_code == 409 and r.get_json()["error"] == "ceremony_failed"
    page = client.get(f"/polls/{pid}/ceremony").get_data(as_text=True)
    assert "flash-error" in page and "undecryptable" in page
    assert poll_row(app, pid).election_key is None
    r = post(client, f"/polls/{pid}/ceremony/restart", {"reason": "khiếu nại của Lê Thị Bình"})
    assert r.status_code == 200
    board = _board(device, pid)
    assert board["state"] == "commit" and board["ceremony"] == 2 and board["complaints"] == []


def test_hostile_bodies_never_give_a_500(app, secretariat):
    client = secretariat
    pid = create_vote(client)
    tokens = start_ceremony(client, pid)
    device = app.test_client()
    _state, commit = dkg.start(pid, 1, TRUSTEES, 2, 1)
    odd = [None, True, 1.5, -1, 2**70, "", "zz", [], {}, [1], {"a": 1}, "0" * 66]
    bodies = [b"", b"null", b"1e999", b'{"format": NaN}', b"[" * 5000 + b"]" * 5000]
    for key in commit:
        for value in odd:
            bodies.append(json.dumps({**commit, key: value}).encode())
    for key in ("ceremony_key_proof", "proofs", "commitments"):
        bodies.append(json.dumps({**commit, key: [commit[key]] * 3}).encode())
    for fmt in ("phieu-dkg-shares/1", "phieu-dkg-done/1", "phieu-dkg-complaint/1",
                "phieu-dkg-confirm/1"):  # fmt: skip
        for value in odd:
            msg = {"format": fmt, "election_id": pid, "ceremony": 1, "trustee": 1}
            bodies.append(json.dumps({**msg, "shares": value, "proof": value}).encode())
    before = _board(device, pid), _log_count(app)
    for body in bodies:
        r = message(device, pid, tokens[1], body)
        assert 400 <= r.status_code < 500, (body[:80], r.status_code)
        assert r.get_json()["error"]
    assert (_board(device, pid), _log_count(app)) == before


def test_hostile_late_messages_never_give_a_500(app, secretariat):
    client = secretariat
    pid = create_vote(client)
    tokens = start_ceremony(client, pid)
    device = app.test_client()
    states = []
    for i in (1, 2, 3):
        state, msg = dkg.start(pid, 1, TRUSTEES, 2, i)
        states.append(state)
        assert message(device, pid, tokens[i], msg).status_code == 200
    board = _board(device, pid)
    contributions = [
        dkg.verify_commit(m, pid, 1, TRUSTEES, 2, m["trustee"]) for m in board["commits"]
    ]
    for state in states:
        assert (
            message(
                device, pid, tokens[state.index], dkg.make_shares(state, contributions)
            ).status_code
            == 200
        )
    share, key = dkg.receive(states[0], contributions, _board(device, pid)["shares"])
    done = dkg.done_message(states[0], share, key, dkg.transcript_of(contributions))
    complaint = {"format": "phieu-dkg-complaint/1", "election_id": pid, "ceremony": 1, "trustee": 1,
                 "against": 2, "reason": "bad_share"}  # fmt: skip
    odd = [None, True, 1.5, -1, 0, 4, 2**70, "", "zz", [], {}, [1], {"a": 1}, "0" * 66]
    bodies = []
    for base in (done, complaint):
        for key_ in base:
            if key_ in ("format", "trustee"):
                continue
            bodies += [json.dumps({**base, key_: v}).encode() for v in odd]
    bodies.append(
        json.dumps({**done, "verification_keys": done["verification_keys"][::-1]}).encode()
    )
    bodies.append(json.dumps({**complaint, "against": 1}).encode())
    before = _board(device, pid), _log_count(app)
    for body in bodies:
        r = message(device, pid, tokens[1], body)
        assert 400 <= r.status_code < 500, (body[:100], r.status_code)
    assert (_board(device, pid), _log_count(app)) == before
    assert message(device, pid, tokens[1], done).status_code == 200


def test_hostile_confirmations_never_give_a_500(app, secretariat):
    client = secretariat
    pid, _pdf = prepare_vote(client)
    devices, _send = DEVICES[pid]
    device = app.test_client()
    raw = device.get(f"/polls/{pid}/ceremony/manifest.json").get_json()
    good = dkg.confirm(manifest_hash(raw), 1, devices.shares[0], election_id=pid)
    odd = [None, True, 1.5, -1, 0, 4, 2**70, "", "zz", [], {}, [1], {"c": 1, "u": 2}, "0" * 64]
    bodies = [json.dumps({**good, k: v}).encode() for k in good if k != "format" for v in odd]
    before = _board(device, pid), _log_count(app)
    for body in bodies:
        r = message(device, pid, TOKENS[pid][1], body)
        assert 400 <= r.status_code < 500, (body[:100], r.status_code)
    assert (_board(device, pid), _log_count(app)) == before
    assert message(device, pid, TOKENS[pid][1], good).status_code == 200


def test_a_post_racing_past_the_check_is_refused_by_the_constraint(app, secretariat, monkeypatch):
    """Two posts of one message that both pass the "already posted?" check (as two
    racing requests would): the unique constraint refuses the second at the flush, the
    web layer rolls back and answers already_posted; the board and the log are unchanged."""
    from ballot.polls import ceremony_post

    client = secretariat
    pid = create_vote(client)
    assert upload(client, pid, OFFICIALS_CSV.encode()).status_code == 302
    tokens = start_ceremony(client, pid)
    device = app.test_client()
    commit1 = dkg.start(pid, 1, TRUSTEES, 2, 1)[1]
    assert message(device, pid, tokens[1], commit1).status_code == 200
    before = _board(device, pid), _log_count(app)
    monkeypatch.setattr(ceremony_post, "_exists", lambda *_: False)
    r = message(device, pid, tokens[1], commit1)
    assert r.status_code == 409 and r.get_json()["error"] == "already_posted"
    assert r.get_json()["message"]
    assert (_board(device, pid), _log_count(app)) == before
