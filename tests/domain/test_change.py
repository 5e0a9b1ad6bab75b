"""The change against the previous period and its significance, against a hand computation."""

from __future__ import annotations

import math

import pytest

from survey_app.domain.change import Change, change_between, half_width

Z = 1.959963984540054  # z(0.975)


def test_hand_computed_significant_change():
    # Now 82.0 [80.0, 84.0] (half 2.0), before 78.0 [75.0, 81.0] (half 3.0).
    # se = sqrt((2/Z)^2 + (3/Z)^2) = sqrt(13)/Z = 1.83957...; z = 4 / 1.83957 = 2.1744 > 1.96.
    change = change_between(82.0, [80.0, 84.0], 78.0, [75.0, 81.0])
    assert change.value == pytest.approx(4.0)
    assert change.significant is True
    assert change.ci == pytest.approx((4.0 - math.sqrt(13), 4.0 + math.sqrt(13)))
    assert change.as_dict() == {"value": pytest.approx(4.0), "ci": pytest.approx([0.394449, 7.605551]),
                                "significant": True}


def test_hand_computed_change_within_chance():
    # Now 80.0 [76.0, 84.0] (half 4), before 77.0 [74.0, 80.0] (half 3): se = 5/Z, z = 3/(5/Z) = 1.176.
    change = change_between(80.0, [76.0, 84.0], 77.0, [74.0, 80.0])
    assert change.value == pytest.approx(3.0)
    assert change.significant is False
    assert change.ci == pytest.approx((-2.0, 8.0))


def test_a_fall_is_negative_and_can_be_significant():
    change = change_between(70.0, [68.0, 72.0], 80.0, [78.0, 82.0])
    assert change.value == pytest.approx(-10.0) and change.significant is True


def test_clipped_interval_uses_its_longer_side():
    # [96.0, 100.0] around 98.5 was clipped at 100: the half-width is 2.5, not 2.0.
    assert half_width(98.5, [96.0, 100.0]) == pytest.approx(2.5)
    assert half_width(1.0, [0.0, 3.5]) == pytest.approx(2.5)


def test_either_side_of_the_critical_value():
    # Each interval has half-width Z, so each se is 1 and the difference's se is sqrt(2) = 1.41421:
    # 2.70 / 1.41421 = 1.909 (not significant), 2.85 / 1.41421 = 2.015 (significant).
    before = (50.0, [50.0 - Z, 50.0 + Z])
    below = change_between(52.70, [52.70 - Z, 52.70 + Z], *before)
    above = change_between(52.85, [52.85 - Z, 52.85 + Z], *before)
    assert (below.significant, above.significant) == (False, True)
    assert above.ci == pytest.approx((2.85 - Z * math.sqrt(2), 2.85 + Z * math.sqrt(2)))


def test_missing_or_degenerate_intervals():
    assert change_between(None, None, 70.0, [60.0, 80.0]) is None
    assert change_between(70.0, [60.0, 80.0], None, None) is None
    assert change_between(100.0, None, 90.0, [85.0, 95.0]) == Change(10.0, None, False)
    # Every answer satisfied in both periods: the intervals have no width, nothing can be said.
    assert change_between(100.0, [100.0, 100.0], 100.0, [100.0, 100.0]) == Change(0.0, None, False)
    # One period collapsed (3 of 3 satisfied): its spread is unknown, not zero, so even a fall of
    # 40 points against a tight interval is not called significant.
    assert change_between(100.0, [100.0, 100.0], 60.0, [58.0, 62.0]) == Change(40.0, None, False)
