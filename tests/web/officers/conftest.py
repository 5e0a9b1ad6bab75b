"""Fixtures of the officers' pages: the province of tests/report_province.py and its readers."""

from __future__ import annotations

import json

import pytest
import report_province
from accounts import add_user, log_in


@pytest.fixture
def province(app):
    report_province.build(app)
    return app


@pytest.fixture
def officer(app, client, province):
    """An officer of the whole province, signed in."""
    log_in(client, add_user(app, "officer@binhan.gov.vn", "officer", "TINH"))
    return client


@pytest.fixture
def scores_json(runner):
    """``scores --format json`` through the CLI, exactly as a user runs it."""
    def run(*args: str) -> dict:
        result = runner.invoke(args=["scores", "--from", report_province.FROM, "--to", report_province.TO,
                                     *args, "--format", "json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    return run
