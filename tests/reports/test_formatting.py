"""Figures as the report's language writes them, whatever the request's language."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from survey_app.reports.formatting import Figures


def test_vietnamese():
    fig = Figures("vi")
    assert (fig.index(81.8333), fig.index(100.0), fig.index(None)) == ("81,8", "100,0", "—")
    assert fig.interval([79.94, 82.66]) == "79,9–82,7"
    assert fig.count(1200) == "1.200"
    assert (fig.points(3.25), fig.points(-1.04), fig.points(0.04), fig.points(-0.04)) == ("+3,2", "−1,0", "0,0", "0,0")
    assert (fig.share(31.54), fig.rate(0.725)) == ("31,5%", "72,5%")
    assert fig.day(date(2026, 12, 31)) == fig.day("2026-12-31") == "31/12/2026"
    moment = datetime(2026, 3, 5, 9, 7, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    assert fig.moment(moment) == "05/03/2026 09:07"


def test_english():
    fig = Figures("en")
    assert (fig.index(81.8333), fig.count(1200), fig.points(-1.04)) == ("81.8", "1,200", "−1.0")
    assert fig.interval(None) == "—"
    assert fig.day(date(2026, 12, 31)) == "31 Dec 2026"
