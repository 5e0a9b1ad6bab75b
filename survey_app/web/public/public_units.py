"""The unit a public survey address names (``/u/<code>``), looked up at most once a minute.

Every survey page and every answer starts by finding its unit by code; on a busy one-stop
shop that lookup (a pool checkout, a query, a session closed) was a large part of serving the
page. Units change a few times a year, so each process keeps the few fields a survey needs,
per app, for UNIT_SECONDS: a renamed unit shows its new name within a minute. A unit's id never
changes, so an answer is always stored against the right unit. Codes that name no unit are not
kept (a script trying random codes cannot grow the table); each such request looks again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import abort, current_app

from survey_app.extensions import db
from survey_app.services.units import unit_by_code

UNIT_SECONDS = 60.0


@dataclass(frozen=True)
class PublicUnit:
    id: int
    code: str
    name: str


def public_unit(code: str) -> PublicUnit:
    """The unit whose code is ``code``; 404 when there is none."""
    kept: dict[str, tuple[float, PublicUnit]] = current_app.extensions.setdefault("public_units", {})
    now = time.monotonic()
    found = kept.get(code)  # (when it was read, the unit)
    if found is not None and now - found[0] < UNIT_SECONDS:
        return found[1]
    unit = unit_by_code(db.session, code) or abort(404)
    public = PublicUnit(unit.id, unit.code, unit.name)
    kept[code] = (now, public)
    return public
