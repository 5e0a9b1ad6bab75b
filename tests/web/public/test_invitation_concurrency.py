"""Twenty phones answering the same slip at the same instant: exactly one answer is stored.

The requests really run at once: twenty threads, each with its own HTTP connection and session
cookie, released together by a barrier against the app served by a threaded server, so the
database (SQLite or PostgreSQL, whichever the suite runs on) sees concurrent transactions.
"""

from __future__ import annotations

import http.client
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

from factories import criteria_codes, invitations, sipas, unit_tree
from pages import hidden_field
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Invitation, Response


def local_day(app, moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(app.config["TIMEZONE"])).date()

PHONES = 20
CRITERIA = criteria_codes(sipas())


class Phone:
    """One citizen's browser: its own connection and its own session cookie."""

    def __init__(self, base_url: str, path: str, level: int):
        parts = urlsplit(base_url)
        self.host, self.port, self.path, self.level = parts.hostname, parts.port, path, level
        self.cookie = ""
        self.fields: dict[str, str] = {}

    def _request(self, method: str, body: str | None = None) -> tuple[int, dict[str, str], str]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            headers = {"Cookie": self.cookie} if self.cookie else {}
            if body is not None:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            connection.request(method, self.path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read().decode("utf-8")
        finally:
            connection.close()

    def open_form(self) -> None:
        status, headers, html = self._request("GET")
        assert status == 200, html[:300]
        self.cookie = headers["Set-Cookie"].split(";", 1)[0]
        self.fields = {"csrf_token": hidden_field(html, "csrf_token"),
                       "submission_key": hidden_field(html, "submission_key")}

    def send(self, barrier: threading.Barrier) -> tuple[int, str, int]:
        body = urlencode({**self.fields, **{code: str(self.level) for code in CRITERIA}})
        barrier.wait(timeout=60)
        status, headers, html = self._request("POST", body)
        return status, headers.get("Location", ""), self.level


def test_twenty_simultaneous_answers_of_one_invitation_store_exactly_one(app, live_server):
    with app.app_context():
        unit = unit_tree(db.session, "P01", names={"P01": "UBND phường Bến Nghé"})["P01"]
        (issued,) = invitations(db.session, unit)
        db.session.commit()
        token = issued.token

    # Each phone rates every criterion with its own level (1..5), so the stored answer says
    # which request won.
    phones = [Phone(live_server, f"/s/{token}", level=1 + i % 5) for i in range(PHONES)]
    with ThreadPoolExecutor(max_workers=PHONES) as pool:
        list(pool.map(Phone.open_form, phones))
        assert len({p.cookie for p in phones}) == PHONES
        assert len({p.fields["submission_key"] for p in phones}) == PHONES
        barrier = threading.Barrier(PHONES)
        results = list(pool.map(lambda phone: phone.send(barrier), phones))

    statuses = sorted(status for status, _, _ in results)
    assert statuses == [302] + [410] * (PHONES - 1), statuses
    ((_, location, winner_level),) = [r for r in results if r[0] == 302]
    assert location.endswith(f"/s/{token}/thanks?lang=vi")

    with app.app_context():
        stored = db.session.scalars(select(Response)).all()
        assert len(stored) == 1
        (response,) = stored
        assert response.channel == "invitation"
        assert {a.value for a in response.answers} == {winner_level}
        invitation = db.session.scalar(select(Invitation))
        assert invitation.answered_on == local_day(app, response.submitted_at)
        assert db.session.scalar(select(func.count()).select_from(Invitation)
                                 .where(Invitation.answered_on.is_not(None))) == 1
