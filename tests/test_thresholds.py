"""Thresholds are editable per vote (docs/rules.md), validated, and frozen into the manifest."""

from fractions import Fraction

import pytest

from ballot.db import db
from ballot.errors import ApiError
from ballot.polls import operations as polls
from ballot.polls.models import Poll
from tally.rules import DEFAULT_THRESHOLDS, custom_thresholds, official_result
from tests.conftest import DEFAULT_PASSWORD, extract_csrf


def test_custom_fractions_change_flags_and_labels():
    t = custom_thresholds("rating", {"thap_tren_mot_nua": "2/5", "thap_tu_hai_phan_ba": "3/5"})
    assert t[0].lower == Fraction(2, 5) and t[0].upper == Fraction(3, 5)
    assert "trên 2/5 và dưới 3/5" in t[0].label and "từ 3/5 trở lên" in t[1].label
    levels = ("tin_nhiem_cao", "tin_nhiem", "tin_nhiem_thap")
    assert official_result(levels, (50, 5, 45), 100, 100, t)["flags"] == ["thap_tren_mot_nua"]
    assert (
        official_result(levels, (50, 5, 45), 100, 100, DEFAULT_THRESHOLDS["rating"])["flags"] == []
    )
    for bad in (
        {"thap_tren_mot_nua": "2/3"},
        {"thap_tu_hai_phan_ba": "1/1"},
        {"thap_tren_mot_nua": "0/1"},
        {"thap_tren_mot_nua": "half"},
    ):
        with pytest.raises(ValueError):
            custom_thresholds("rating", bad)


def test_create_with_thresholds_through_the_page(app, client, make_user):
    make_user("thuky")
    token = extract_csrf(client.get("/account/login").get_data(as_text=True))
    client.post(
        "/account/login",
        data={"username": "thuky", "password": DEFAULT_PASSWORD, "csrf_token": token},
    )
    form = {
        "meeting": "Hội nghị",
        "title": "Bỏ phiếu tín nhiệm",
        "kind": "confidence",
        "summoned": "30",
        "denominator": "returned",
        "trustee_names": "An\nBình",
        "threshold": "2",
        "distrust_more_than": "2/3",
    }
    token = extract_csrf(client.get("/polls/new").get_data(as_text=True))
    r = client.post("/polls/new", data={**form, "csrf_token": token})
    assert r.status_code == 302
    bad = client.post("/polls/new", data={**form, "distrust_more_than": "3/2", "csrf_token": token})
    assert bad.status_code == 400 and "p/q" in bad.get_data(as_text=True)
    with app.app_context():
        (poll,) = db.session.scalars(db.select(Poll)).all()
        assert poll.thresholds[0]["lower"] == "2/3"
        with pytest.raises(ApiError):
            polls.create_poll(
                "thuky",
                meeting="m",
                title="t",
                kind="rating",
                summoned=3,
                trustee_names=["A"],
                threshold=1,
                fractions={"thap_tren_mot_nua": "3/4"},
            )


def test_one_builder_the_frozen_manifest_is_the_printed_definition_with_cards(
    app, client, make_user
):
    """The cards' definition (no card at all in it) and the frozen manifest come from the
    same builder: the frozen manifest less its cards is that definition, and it carries
    the vote's own thresholds (custom here) exactly as stored."""
    import json

    from ballot.definition import definition_for
    from keys.hashing import ballot_definition, ballot_fingerprint
    from tests.polls_web_helpers import (
        OFFICIALS_CSV,
        ceremony_over_http,
        confirm_all,
        create_vote,
        login,
        post,
        upload,
    )

    make_user("thuky")
    login(client, "thuky")
    pid = create_vote(client, low_more_than="2/5", low_at_least="3/4")
    assert upload(client, pid, OFFICIALS_CSV.encode()).status_code == 302
    ceremony_over_http(client, pid)
    with app.app_context():
        poll = db.session.scalar(db.select(Poll).where(Poll.public_id == pid))
        definition = definition_for(poll)
        assert "cards" not in definition and "base" not in definition
    assert post(client, f"/polls/{pid}/cards/print", {"spares": "1"}).status_code == 200
    confirm_all(client, pid)
    assert post(client, f"/polls/{pid}/freeze", {"confirm": "y"}).status_code == 302
    with app.app_context():
        poll = db.session.scalar(db.select(Poll).where(Poll.public_id == pid))
        frozen = json.loads(poll.manifest)
        assert frozen["rules"]["thresholds"] == poll.thresholds
        assert [t["lower"] for t in poll.thresholds][:2] == ["2/5", "3/4"]
        assert frozen["cards"]["count"] == frozen["base"] - 1 == poll.summoned + 1
        assert ballot_definition(frozen) == json.loads(json.dumps(definition))
        assert ballot_fingerprint(frozen) == ballot_fingerprint(definition)
