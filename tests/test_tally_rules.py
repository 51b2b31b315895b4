"""The Vietnamese rules (docs/rules.md): one test per rule and per edge."""

from fractions import Fraction

import pytest

from tally.rules import (
    DEFAULT_THRESHOLDS,
    Figures,
    Threshold,
    official_result,
    parse_fraction,
    percent_text,
    quorum_met,
)

RATING = ("tin_nhiem_cao", "tin_nhiem", "tin_nhiem_thap")
CONF = ("tin_nhiem", "khong_tin_nhiem")


def flags(levels, counts, returned, denominator=None, kind="rating"):
    denominator = returned if denominator is None else denominator
    return official_result(levels, counts, returned, denominator, DEFAULT_THRESHOLDS[kind])["flags"]


@pytest.mark.parametrize(
    "part, whole, text",
    [
        (187, 481, "38,88"),  # the published example
        (481, 481, "100,00"),
        (0, 481, "0,00"),
        (1, 3, "33,33"),
        (2, 3, "66,67"),
        (1, 8, "12,50"),
        (1, 800, "0,13"),  # 0.125 rounds half up
        (1, 0, "—"),
    ],
)
def test_percentages_two_decimals_comma_half_up(part, whole, text):
    assert percent_text(part, whole) == text


def test_rating_low_more_than_half_is_strict():
    assert flags(RATING, (0, 50, 50), 100) == []  # exactly 1/2: not more than half
    assert flags(RATING, (0, 49, 51), 100) == ["thap_tren_mot_nua"]


def test_rating_two_thirds_or_more_is_inclusive_and_exclusive_of_the_lower_flag():
    assert flags(RATING, (0, 1, 2), 3) == ["thap_tu_hai_phan_ba"]  # exactly 2/3
    assert flags(RATING, (0, 34, 66), 100) == ["thap_tren_mot_nua"]  # 0.66 < 2/3
    assert flags(RATING, (0, 0, 481), 481) == ["thap_tu_hai_phan_ba"]


def test_exact_fractions_not_floats():
    # 2/3 of 481 is 320.67: 321 is at least 2/3, 320 is not.
    assert flags(RATING, (0, 160, 321), 481) == ["thap_tu_hai_phan_ba"]
    assert flags(RATING, (0, 161, 320), 481) == ["thap_tren_mot_nua"]


def test_confidence_more_than_half():
    assert flags(CONF, (50, 50), 100, kind="confidence") == []
    assert flags(CONF, (49, 51), 100, kind="confidence") == ["khong_tin_nhiem_tren_mot_nua"]


def test_blank_rows_count_for_the_ballot_not_the_official():
    r = official_result(RATING, (100, 200, 179), 481, 481, DEFAULT_THRESHOLDS["rating"])
    assert r["blank"] == 2 and r["blank_percent"] == "0,42"
    assert r["percent"]["tin_nhiem_cao"] == "20,79"


def test_all_blank_and_zero_returned():
    r = official_result(RATING, (0, 0, 0), 10, 10, DEFAULT_THRESHOLDS["rating"])
    assert r["blank"] == 10 and r["flags"] == []
    z = official_result(RATING, (0, 0, 0), 0, 0, DEFAULT_THRESHOLDS["rating"])
    assert z["percent"]["tin_nhiem_thap"] == "—" and z["flags"] == []


def test_denominator_changes_the_flag():
    # 251 low out of 481 returned (52 %) but out of 500 deputies (NQ 85/2014) only 50.2 %.
    assert flags(RATING, (100, 130, 251), 481) == ["thap_tren_mot_nua"]
    assert flags(RATING, (100, 130, 251), 481, denominator=502) == []
    f = Figures(summoned=500, present=490, issued=490, returned=481, members_total=502)
    assert f.denominator("members_total") == 502 and f.denominator("issued") == 490
    with pytest.raises(ValueError):
        Figures(1, 1, 1, 1).denominator("members_total")


def test_more_marks_than_ballots_is_an_error():
    with pytest.raises(ValueError):
        official_result(RATING, (5, 5, 5), 10, 10, DEFAULT_THRESHOLDS["rating"])


def test_quorum_two_thirds_inclusive():
    assert quorum_met(32, 48)  # exactly 2/3
    assert not quorum_met(31, 48)
    assert not quorum_met(0, 0)


def test_threshold_parsing_round_trip_and_errors():
    for t in DEFAULT_THRESHOLDS["rating"]:
        assert Threshold.from_json(t.to_json()) == t
    assert parse_fraction("2/3") == Fraction(2, 3)
    for bad in ("0.5", "1/0", "3/2", "a/b", 1):
        with pytest.raises(ValueError):
            parse_fraction(bad)


def test_quorum_needed_is_the_exact_two_thirds_boundary():
    from fractions import Fraction

    from tally.rules import quorum_needed

    for summoned in range(1, 200):
        n = quorum_needed(summoned)
        assert Fraction(n, summoned) >= Fraction(2, 3) > Fraction(n - 1, summoned)
