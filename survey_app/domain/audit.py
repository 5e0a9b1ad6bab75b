"""What the audit log records: who did what, and when (``services/audit.py`` stores it).

An event names an action, the unit concerned if any, and a small detail. The detail may hold
only the keys below, each a plain number, text or nothing: a citizen's data, a raw address or
a secret (API key, kiosk key, password) has no key to be written under.
"""

from __future__ import annotations

from enum import StrEnum


class AuditAction(StrEnum):
    SIGN_IN = "user.sign_in"
    SIGN_OUT = "user.sign_out"
    USER_CREATE = "user.create"
    USER_DISABLE = "user.disable"
    USER_ENABLE = "user.enable"
    APIKEY_CREATE = "apikey.create"
    APIKEY_REVOKE = "apikey.revoke"
    KIOSK_REGISTER = "kiosk.register"
    KIOSK_REVOKE = "kiosk.revoke"
    UNITS_IMPORT = "units.import"
    VOLUMES_IMPORT = "volumes.import"
    RESPONSES_IMPORT = "responses.import"
    RESPONSES_EXPORT = "responses.export"
    SLIPS_PRINT = "slips.print"
    POSTER_PRINT = "poster.print"
    REPORT_DOWNLOAD = "report.download"  # a report file, PDF or XLSX, on the web or by `report`
    FLAG_REVIEW = "flag.review"          # an officer restored a flagged response or flagged it back
    CASE_ACKNOWLEDGE = "case.acknowledge"  # a citizen's reply request: staff saw it
    CASE_ANSWER = "case.answer"            # staff answered it, with a cause
    CASE_REOPEN = "case.reopen"            # the citizen reopened it (once)
    CASE_CLOSE = "case.close"              # rated by the citizen, or closed by the jobs
    CASE_ESCALATE = "case.escalate"        # overdue: shown and sent to the officers above
    NOTIFICATION_SEND = "notification.send"  # a digest or report queued for an account's e-mail
    SUBSCRIPTION_SAVE = "subscription.save"  # an account chose what it receives
    SUBSCRIPTION_END = "subscription.end"    # ended by the one-click link of an e-mail


# Every key an event's detail may hold (an allow-list: a new key is a decision, made here).
DETAIL_KEYS = frozenset({
    "count",          # slips printed, responses exported or imported
    "procedure",      # the procedure code printed on slips (a kind of dossier, not a dossier)
    "size",           # A4 or A5
    "format",         # pdf, xlsx
    "lang",
    "questionnaire",
    "start", "end",   # a report's period: its first and last day, YYYY-MM-DD
    "email", "role",  # the account an admin created, disabled or enabled (staff, not citizens)
    "id", "name",     # the API key or kiosk concerned (never its secret)
    "created", "updated", "added", "replaced",  # what an import changed
    "decision", "response",  # a flag review: restore or flag, and the response's id
    "case",           # a case's number (PA-2026-000123), never its text or contact
    "kind", "period",  # a notification: digest or report, and the period's key (2026-11-30, 2026-11)
    "units",          # how many units a digest names
})

MAX_TEXT_LENGTH = 255


class AuditDetailError(ValueError):
    pass


def checked_detail(detail: dict[str, object]) -> dict[str, object]:
    """``detail`` without its empty values, once every key is known and every value plain."""
    unknown = sorted(set(detail) - DETAIL_KEYS)
    if unknown:
        raise AuditDetailError(f"no audit detail may be called {', '.join(unknown)}")
    kept = {}
    for key, value in detail.items():
        if value is None:
            continue
        # bool is an int: a flag would read as 0 or 1, and no detail is a flag.
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise AuditDetailError(f"audit detail {key} must be a number or a text")
        if isinstance(value, str) and len(value) > MAX_TEXT_LENGTH:
            raise AuditDetailError(f"audit detail {key} is longer than {MAX_TEXT_LENGTH} characters")
        kept[key] = value
    return dict(sorted(kept.items()))
