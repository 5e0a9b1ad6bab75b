"""``flask audit list [--since YYYY-MM-DD] [--action ACTION]``: the log, one event a line."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from accounts import add_user
from factories import unit_tree
from sqlalchemy import select

from survey_app.domain.audit import AuditAction
from survey_app.extensions import db
from survey_app.models import User
from survey_app.services.audit import record


@pytest.fixture
def log(app):
    """Four events around midnight of 25 November in Hà Nội time (UTC+7), 17:00 UTC."""
    with app.app_context():
        unit_tree(db.session, "HCM > Q1")
        db.session.commit()
    add_user(app, "lan@q1.gov.vn", "staff", "Q1")
    with app.app_context():
        lan = db.session.scalar(select(User))
        q1 = lan.unit
        for moment, actor, action, unit, detail in [
            (datetime(2026, 11, 24, 9, 30, tzinfo=timezone.utc), "cli:root", AuditAction.UNITS_IMPORT, None,
             {"created": 2, "updated": 0}),
            (datetime(2026, 11, 24, 16, 59, 59, tzinfo=timezone.utc), lan, AuditAction.SLIPS_PRINT, q1,
             {"count": 30, "procedure": "1.001234"}),
            (datetime(2026, 11, 24, 17, 0, tzinfo=timezone.utc), lan, AuditAction.KIOSK_REGISTER, q1,
             {"id": 3, "name": "Quầy 1 \"tầng trệt\""}),
            (datetime(2026, 11, 25, 2, 5, tzinfo=timezone.utc), lan, AuditAction.SLIPS_PRINT, q1,
             {"count": 10}),
        ]:
            record(db.session, actor, action, unit, now=moment, **detail)
        db.session.commit()


LINES = [
    '2026-11-25T02:05:00Z\tlan@q1.gov.vn\tslips.print\tQ1\t{"count": 10}',
    '2026-11-24T17:00:00Z\tlan@q1.gov.vn\tkiosk.register\tQ1\t{"id": 3, "name": "Quầy 1 \\"tầng trệt\\""}',
    '2026-11-24T16:59:59Z\tlan@q1.gov.vn\tslips.print\tQ1\t{"count": 30, "procedure": "1.001234"}',
    '2026-11-24T09:30:00Z\tcli:root\tunits.import\t\t{"created": 2, "updated": 0}',
]


def listed(runner, *args: str) -> list[str]:
    result = runner.invoke(args=["audit", "list", *args])
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def test_every_event_newest_first(log, runner):
    assert listed(runner) == LINES


def test_since_is_a_local_day(log, runner):
    # 25 November starts at 17:00 UTC on the 24th in Asia/Ho_Chi_Minh.
    assert listed(runner, "--since", "2026-11-25") == LINES[:2]
    assert listed(runner, "--since", "2026-11-24") == LINES
    assert listed(runner, "--since", "2026-11-26") == []


def test_one_action(log, runner):
    assert listed(runner, "--action", "slips.print") == [LINES[0], LINES[2]]
    assert listed(runner, "--action", "slips.print", "--since", "2026-11-25") == [LINES[0]]


@pytest.mark.parametrize(("args", "message"), [
    (["--since", "25/11/2026"], "'25/11/2026' is not a date YYYY-MM-DD"),
    (["--action", "delete"], "'delete' is not one of"),
])
def test_bad_arguments(runner, args, message):
    result = runner.invoke(args=["audit", "list", *args])
    assert result.exit_code == 2
    assert message in result.output


def test_an_empty_log_prints_nothing(app, runner):
    assert listed(runner) == []
