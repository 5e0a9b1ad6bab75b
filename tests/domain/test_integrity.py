"""The integrity rules on plain data: each rule at its threshold, one below and one above."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from survey_app.domain.integrity import (
    IntegrityRules,
    Reason,
    Seen,
    fingerprint,
    judge,
    reasons_of,
    reasons_text,
    seconds_between,
    volume_limit,
    whole_form_identical,
)

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)
RULES = IntegrityRules(burst_seconds=60, kiosk_burst_count=4, link_burst_count=20, fast_seconds=15,
                       repeat_count=4, repeat_seconds=600)


def seen(i: int, seconds: float, answers=("a",)) -> Seen:
    return Seen(i, T0 + timedelta(seconds=seconds), answers)


def verdict(new: Seen, recent: list[Seen], channel: str = "kiosk", seconds_taken=None, identical=False):
    return judge(new, recent, channel=channel, rules=RULES, seconds_taken=seconds_taken,
                 identical_form=identical)


def test_a_kiosk_burst_flags_every_member_of_it():
    # Four different answers in one minute on one kiosk: at the limit, nothing wrong.
    recent = [seen(i, 10 * i, answers=(i,)) for i in range(1, 4)]
    assert verdict(seen(9, 40, answers=(9,)), recent) == {}
    # A fifth within the minute: more than four, the five are one burst.
    recent.append(seen(4, 40, answers=(4,)))
    assert verdict(seen(9, 50, answers=(9,)), recent) == {i: {Reason.BURST} for i in (1, 2, 3, 4, 9)}


def test_a_burst_counts_only_the_window():
    # The first two are more than 60 s before the new one: they are not in its burst.
    recent = [seen(1, 0, (1,)), seen(2, 5, (2,)), seen(3, 70, (3,)), seen(4, 80, (4,)), seen(5, 90, (5,))]
    assert verdict(seen(9, 100, (9,)), recent) == {}


def test_open_links_allow_more_and_invitations_have_no_burst_rule():
    recent = [seen(i, i, answers=(i,)) for i in range(1, 20)]
    assert verdict(seen(99, 30, (99,)), recent, channel="link") == {}
    recent.append(seen(20, 20, (20,)))
    assert set(verdict(seen(99, 30, (99,)), recent, channel="link")) == {*range(1, 21), 99}
    assert verdict(seen(99, 30, (99,)), recent, channel="invitation") == {}


def test_the_whole_form_alike_in_a_few_seconds():
    new = seen(9, 0)
    assert verdict(new, [], identical=True, seconds_taken=14.9) == {9: {Reason.FAST_IDENTICAL}}
    assert verdict(new, [], identical=True, seconds_taken=15) == {}      # took long enough
    assert verdict(new, [], identical=False, seconds_taken=3) == {}      # answers differ
    assert verdict(new, [], identical=True, seconds_taken=None) == {}    # time unknown: not trusted


def test_repeated_identical_submissions_from_one_place():
    # Spread over ten minutes, so that no burst hides the rule.
    same = [seen(i, 100 * i) for i in range(1, 4)]
    other = [seen(10, 150, ("b",)), seen(11, 250, ("c",))]
    assert verdict(seen(9, 399), same + other) == {}                    # four alike: at the limit
    same.append(seen(4, 390))
    assert verdict(seen(9, 399), same + other) == {i: {Reason.REPEATED} for i in (1, 2, 3, 4, 9)}
    # Older than the window: not a repetition.
    assert verdict(seen(9, 100 + 601), same + other) == {}


def test_reasons_combine():
    recent = [seen(i, i) for i in range(1, 5)]
    result = verdict(seen(9, 5), recent, identical=True, seconds_taken=2)
    assert result[9] == {Reason.BURST, Reason.FAST_IDENTICAL, Reason.REPEATED}
    assert result[1] == {Reason.BURST, Reason.REPEATED}
    text = reasons_text(result[9])
    assert text == "burst,fast_identical,repeated" and set(reasons_of(text)) == result[9]
    assert reasons_of("burst,unknown") == [Reason.BURST]


def test_whole_form_identical():
    criteria = ["A", "B", "C"]
    assert whole_form_identical({"A": 5, "B": 5, "C": 5}, criteria)
    assert whole_form_identical({"A": 0, "B": 0, "C": 0}, criteria)     # "no opinion" all through
    assert not whole_form_identical({"A": 5, "B": 5}, criteria)        # one left blank
    assert not whole_form_identical({"A": 5, "B": 4, "C": 5}, criteria)
    assert not whole_form_identical({"A": 5}, ["A"])                   # one question is no pattern


def test_fingerprint_is_the_whole_submission():
    base = fingerprint({"A": 5, "B": 4}, ["M1"], {"gender": "f"}, "ok")
    assert base == fingerprint({"B": 4, "A": 5}, ("M1",), {"gender": "f"}, " ok ")
    assert base != fingerprint({"A": 5, "B": 4}, ["M1"], {"gender": "f"}, None)
    assert base != fingerprint({"A": 5, "B": 4}, [], {"gender": "f"}, "ok")
    assert base != fingerprint({"A": 5, "B": 4}, ["M1"], {}, "ok")


def test_seconds_between():
    assert seconds_between(T0, T0 + timedelta(seconds=12)) == 12
    assert seconds_between(None, T0) is None
    assert seconds_between(T0 + timedelta(seconds=1), T0) is None     # served after it was sent


def test_volume_limit_from_history_floor_and_dossiers():
    rules = IntegrityRules(volume_hours=24, volume_history_days=28, volume_factor=3, volume_min=30)
    # 280 answers in 28 days: 10 a day, three times that is 30, the floor.
    assert volume_limit(rules, history_count=280, dossiers_per_day=None) == 30
    # 400 in 28 days: 14.29 a day, times 3 is 42.86, rounded up.
    assert volume_limit(rules, history_count=400, dossiers_per_day=None) == 43
    assert volume_limit(rules, history_count=0, dossiers_per_day=None) == 30
    # More than its dossiers is impossible, whatever the history or the floor.
    assert volume_limit(rules, history_count=400, dossiers_per_day=8) == 8
    assert volume_limit(rules, history_count=400, dossiers_per_day=7.2) == 8
    assert volume_limit(rules, history_count=400, dossiers_per_day=0) == 1
    # Over six hours, a quarter of a day: 400 / 112 windows x 3 = 10.7, the floor; a quarter of 60 dossiers.
    six = IntegrityRules(volume_hours=6, volume_history_days=28, volume_factor=3, volume_min=5)
    assert volume_limit(six, history_count=400, dossiers_per_day=None) == 11
    assert volume_limit(six, history_count=400, dossiers_per_day=60) == 11
    assert volume_limit(six, history_count=400, dossiers_per_day=40) == 10
