"""Charts already drawn, kept in this process by what they show.

A chart is a pure function of its numbers and labels, and matplotlib takes a tenth to a quarter
of a second to draw one, so a page draws it once and then reads it here, keyed by everything
it shows (numbers, labels, the language): a late response, a renamed unit or another language
is another key, never a stale chart. Nothing is written anywhere (a GET writes nothing), each
process holds at most ``MAX_CHARTS`` (a unit page's three weigh some 60 KB), least recently
used first out.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

MAX_CHARTS = 600

_drawn: OrderedDict[str, str] = OrderedDict()
_lock = threading.Lock()


def drawn(shows: Any, draw: Callable[[], str]) -> str:
    """The SVG ``draw`` makes, drawn once per ``shows`` (JSON-able: every number and label of the
    chart, and which chart it is)."""
    key = hashlib.sha256(json.dumps(shows, sort_keys=True, default=str).encode()).hexdigest()
    with _lock:
        svg = _drawn.get(key)
        if svg is not None:
            _drawn.move_to_end(key)
            return svg
    svg = draw()  # outside the lock: charts.py serialises matplotlib itself
    with _lock:
        _drawn[key] = svg
        _drawn.move_to_end(key)
        while len(_drawn) > MAX_CHARTS:
            _drawn.popitem(last=False)
    return svg
