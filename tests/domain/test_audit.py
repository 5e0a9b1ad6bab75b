"""domain/audit.py: what an audit event's detail may hold."""

from __future__ import annotations

import pytest

from survey_app.domain.audit import (
    DETAIL_KEYS,
    MAX_TEXT_LENGTH,
    AuditAction,
    AuditDetailError,
    checked_detail,
)


def test_a_detail_is_kept_sorted_without_its_empty_values():
    assert checked_detail({"start": "2026-07-01", "count": 30, "procedure": None, "end": "2026-09-30"}) == {
        "count": 30, "end": "2026-09-30", "start": "2026-07-01"}
    assert list(checked_detail({"start": "b", "end": "a"})) == ["end", "start"]
    assert checked_detail({}) == {}


@pytest.mark.parametrize("key", ["key", "password", "token", "ip", "reference", "comment", "reason"])
def test_a_secret_or_a_citizen_s_data_has_no_key_to_be_written_under(key):
    assert key not in DETAIL_KEYS
    with pytest.raises(AuditDetailError, match=f"no audit detail may be called {key}"):
        checked_detail({"count": 1, key: "x"})


@pytest.mark.parametrize("value", [True, 1.5, b"x", ["a"], {"a": 1}])
def test_a_value_is_a_number_or_a_text(value):
    with pytest.raises(AuditDetailError, match="audit detail name must be a number or a text"):
        checked_detail({"name": value})


def test_a_text_is_short():
    assert checked_detail({"name": "n" * MAX_TEXT_LENGTH}) == {"name": "n" * MAX_TEXT_LENGTH}
    with pytest.raises(AuditDetailError, match="longer than 255"):
        checked_detail({"name": "n" * (MAX_TEXT_LENGTH + 1)})


def test_the_actions_are_the_ones_stored_and_filtered_on():
    assert AuditAction("slips.print") is AuditAction.SLIPS_PRINT
    # Stored in a String(32) column.
    assert max(len(action) for action in AuditAction) <= 32
    assert len(set(AuditAction)) == len(AuditAction.__members__)
