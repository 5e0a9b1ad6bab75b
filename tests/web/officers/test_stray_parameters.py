"""Stray query parameters on officers' pages are ignored, never a 500 (issue 16): names that
``url_for`` keeps for itself (``endpoint``, ``_method``, ``_external``...) and names of the
page's own path (``code``), on the pages that rebuild their own address (the language switch,
the period picker's redirect)."""

from __future__ import annotations

import re

import pytest
from report_province import FROM, TO

PERIOD = f"from={FROM}&to={TO}"
STRAY = ["endpoint=x", "_method=POST", "_external=1", "_anchor=x", "_scheme=javascript", "code=X", "values=1"]


@pytest.mark.parametrize("page", ["/reports/", "/reports/units/STP", "/reports/flags"])
def test_a_stray_parameter_is_ignored(officer, page):
    for stray in STRAY:
        _check(officer, page, stray)


def _check(officer, page: str, stray: str) -> None:
    shown = officer.get(f"{page}?{PERIOD}&{stray}")
    assert shown.status_code == 200, (page, stray)
    html = shown.get_data(as_text=True)
    assert "_scheme" not in html and "javascript:" not in html and not re.search(r"/reports/units/X[?\"]", html)
    # The picker's redirect keeps the page, and drops what it cannot use.
    picked = officer.get(f"{page}?period=2026-Q1&{stray}")
    assert picked.status_code == 302, (page, stray)
    assert picked.headers["Location"].startswith(page) and "from=2026-01-01" in picked.headers["Location"]
    assert "javascript" not in picked.headers["Location"]
