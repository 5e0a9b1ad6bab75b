"""What the web adds to the integrity rules (``services/integrity.py``): when the form was served.

Every survey form carries ``served_at``, an itsdangerous-signed token made when the page was
served and bound to the form's submission key. The time taken to answer is the submission
time minus the token's time. A missing, forged or another form's token (a script reusing one
page's token for many posts) is unknown time, never trusted; and because the key may be stored
only once, each counted response needs a page of its own.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer

from survey_app.domain.integrity import IntegrityRules

SALT = "survey-form-served-at"


def _serializer() -> URLSafeTimedSerializer:
    # One per secret key: every survey page and every answer uses it.
    kept = current_app.extensions.get("served_at_serializer")
    if kept is None or kept[0] != current_app.secret_key:
        kept = current_app.extensions["served_at_serializer"] = (
            current_app.secret_key, URLSafeTimedSerializer(current_app.secret_key, salt=SALT))
    return kept[1]


def served_token(submission_key: str) -> str:
    return _serializer().dumps({"k": submission_key})


def served_at(token: str | None, submission_key: str | None) -> datetime | None:
    """When the form holding ``submission_key`` was served; None when that cannot be trusted."""
    if not token or not submission_key:
        return None
    try:
        payload, stamped = _serializer().loads(token, return_timestamp=True)
    except BadData:
        return None
    if not isinstance(payload, dict) or payload.get("k") != submission_key:
        return None
    return stamped


def stamp_served_at(form) -> None:
    """Give the form to render a served-at token: a form coming back with errors keeps its
    own (the citizen started then), anything else is served now."""
    if served_at(form.served_at.data, form.submission_key.data) is None:
        form.served_at.data = served_token(form.submission_key.data)


def integrity_rules() -> IntegrityRules:
    c = current_app.config
    return IntegrityRules(
        burst_seconds=float(c["INTEGRITY_BURST_SECONDS"]),
        kiosk_burst_count=int(c["INTEGRITY_KIOSK_BURST_COUNT"]),
        link_burst_count=int(c["INTEGRITY_LINK_BURST_COUNT"]),
        fast_seconds=float(c["INTEGRITY_FAST_SECONDS"]),
        repeat_count=int(c["INTEGRITY_REPEAT_COUNT"]),
        repeat_seconds=float(c["INTEGRITY_REPEAT_SECONDS"]),
        volume_hours=float(c["INTEGRITY_VOLUME_HOURS"]),
        volume_history_days=int(c["INTEGRITY_VOLUME_HISTORY_DAYS"]),
        volume_factor=float(c["INTEGRITY_VOLUME_FACTOR"]),
        volume_min=int(c["INTEGRITY_VOLUME_MIN"]),
    )
