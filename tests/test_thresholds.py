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
