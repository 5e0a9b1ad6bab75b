"""Stuffing an open link from a script (issue 16, finding 1), with controlled time.

The defences hold together: keys issued with the page (signed, single-use, bound to its time),
limits per source and per browser, a burst counted per source, and a unit's open-link volume
judged against its own history and its dossiers. Time is the test's: ``time.time`` drives the
app's clock, the signed page times and the limiter's counters alike.
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
import redis
from factories import criteria_codes, form_fields, full_submission, record, sipas, submission, unit_tree
from pages import hidden_field
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Response, ResponseFlag
from survey_app.models.volume import Volume
from survey_app.services.units import unit_by_code

Q = sipas()
T0 = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)   # 09:00 in Hanoi
ATTACKER, OFFICE, HOME = "203.0.113.66", "198.51.100.10", "192.0.2.7"
REDIS_URL = "redis://127.0.0.1:6379"


class Clock:
    def __init__(self, start: datetime):
        self.now = start.timestamp()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    made = Clock(T0)
    monkeypatch.setattr(time, "time", made)
    return made


# Each sibling unit's November so far: 40 open-link answers before the 20th, satisfied in 80, 60
# and 40 per cent, so that P01 ranks first, P02 second, P03 third.
SATISFIED = {"P01": 32, "P02": 24, "P03": 16}


@pytest.fixture
def province(app):
    with app.app_context():
        units = unit_tree(db.session, "Q1 > P01, P02, P03")
        for code, satisfied in SATISFIED.items():
            for i in range(40):
                record(db.session, units[code], Q, full_submission(Q, 5 if i < satisfied else 2),
                       at=datetime(2026, 11, 1 + i % 18, 1, i, tzinfo=timezone.utc))
        db.session.commit()
    return app


def ranks(app) -> dict[str, int | None]:
    result = app.test_cli_runner().invoke(args=["scores", "--from", "2026-11-01", "--to", "2026-11-30",
                                                "--format", "json"])
    assert result.exit_code == 0, result.output
    return {u["unit"]: u["rank"] for u in json.loads(result.output)["units"] if u["unit"] != "Q1"}


def stored_since(app, at: datetime) -> list[tuple[int, str | None]]:
    """(id, flag reasons) of the responses stored at or after ``at``."""
    with app.app_context():
        return [(i, reasons) for i, reasons in db.session.execute(
            select(Response.id, ResponseFlag.reasons).outerjoin(ResponseFlag, ResponseFlag.response_id == Response.id)
            .where(Response.submitted_at >= at).order_by(Response.id))]


def counted_since(app, at: datetime) -> int:
    return sum(1 for _, reasons in stored_since(app, at) if reasons is None)


def junk(i: int):
    """Answers of 1 and 2, varied from one post to the next, never the whole form alike."""
    return submission(Q, **{code: 1 + (i + j) % 2 for j, code in enumerate(criteria_codes(Q))})


def human(i: int):
    """A citizen's varied answers."""
    return submission(Q, **{code: 3 + (i * 7 + j) % 3 for j, code in enumerate(criteria_codes(Q))},
                      comment=f"ý kiến {i}")


def open_page(client, unit: str, address: str) -> dict[str, str]:
    html = client.get(f"/u/{unit}", environ_base={"REMOTE_ADDR": address}).get_data(as_text=True)
    return {name: hidden_field(html, name) for name in ("csrf_token", "submission_key", "served_at")}


def send(client, unit: str, address: str, fields: dict, answers) -> int:
    return client.post(f"/u/{unit}", data={**fields, **form_fields(answers)},
                       environ_base={"REMOTE_ADDR": address}).status_code


def test_one_page_and_40_posts_of_the_clients_own_keys_move_no_rank(province, clock):
    app = province
    before = ranks(app)
    assert before == {"P01": 1, "P02": 2, "P03": 3}
    client = app.test_client()
    page = open_page(client, "P01", ATTACKER)
    clock.advance(30)
    statuses = []
    for i in range(40):   # 40 posts over two minutes, one page's cookie, CSRF token and stamp
        statuses.append(send(client, "P01", ATTACKER, {**page, "submission_key": secrets.token_urlsafe(24)}, junk(i)))
        clock.advance(3)
    assert set(statuses) <= {200, 429} and statuses[0] == 200   # each sent back to be sent again
    assert stored_since(app, T0) == []
    assert ranks(app) == before


def test_one_page_and_40_posts_of_its_own_key_store_one(province, clock):
    app = province
    before = ranks(app)
    client = app.test_client()
    page = open_page(client, "P01", ATTACKER)
    clock.advance(30)
    for i in range(40):
        assert send(client, "P01", ATTACKER, page, junk(i)) in (302, 429)
        clock.advance(3)
    assert len(stored_since(app, T0)) == 1
    assert ranks(app) == before


def test_a_page_for_each_of_40_posts_from_one_source_is_flagged(province, clock):
    """The script fetches a fresh page (and cookie) for every post: every post then costs a
    page, and 40 in two minutes from one source are a burst, all flagged."""
    app = province
    before = ranks(app)
    for i in range(40):
        client = app.test_client()
        page = open_page(client, "P01", ATTACKER)
        clock.advance(1)
        assert send(client, "P01", ATTACKER, page, junk(i)) == 302
        clock.advance(2)
    stored = stored_since(app, T0)
    assert len(stored) == 40 and all(reasons and "burst" in reasons for _, reasons in stored)
    assert ranks(app) == before


def test_one_browser_answers_a_unit_a_few_times_an_hour(province, clock):
    app = province
    client = app.test_client()
    statuses = []
    for i in range(6):
        page = open_page(client, "P02", HOME)
        clock.advance(200)
        statuses.append(send(client, "P02", HOME, page, human(i)))
    assert statuses == [302] * 5 + [429]
    clock.advance(3600)
    page = open_page(client, "P02", HOME)
    clock.advance(200)
    assert send(client, "P02", HOME, page, human(9)) == 302


def test_a_page_older_than_its_hours_is_sent_back_with_a_fresh_key(province, clock):
    app = province
    client = app.test_client()
    page = open_page(client, "P02", HOME)
    clock.advance(app.config["OPEN_LINK_PAGE_HOURS"] * 3600 + 60)
    back = client.post("/u/P02", data={**page, **form_fields(human(1))}, environ_base={"REMOTE_ADDR": HOME})
    assert back.status_code == 200
    html = back.get_data(as_text=True)
    again = {name: hidden_field(html, name) for name in ("csrf_token", "submission_key", "served_at")}
    assert again["submission_key"] != page["submission_key"]
    assert stored_since(app, T0) == []
    clock.advance(60)
    assert send(client, "P02", HOME, again, human(1)) == 302
    assert counted_since(app, T0) == 1


def test_a_paced_attack_for_three_hours_is_flagged_by_the_volume_rule(province, clock):
    """One post every 2 minutes for 3 hours, a fresh page and cookie each time: under every
    rate and burst limit, and 90 answers where P01 has 40 in a month."""
    app = province
    before = ranks(app)
    statuses = []
    for i in range(90):
        client = app.test_client()
        page = open_page(client, "P01", ATTACKER)
        clock.advance(100)
        statuses.append(send(client, "P01", ATTACKER, page, junk(i)))
        clock.advance(20)
    assert statuses == [302] * 90
    stored = stored_since(app, T0)
    assert len(stored) == 90
    assert all(reasons == "volume" for _, reasons in stored), stored
    assert ranks(app) == before


def test_more_open_link_answers_than_dossiers_are_flagged(province, clock):
    """P03 handles 8 dossiers a day (imported volumes): a ninth open-link answer in a day is
    impossible, however busy its history allows."""
    app = province
    with app.app_context():
        p03 = unit_by_code(db.session, "P03").id
        db.session.add(Volume(unit_id=p03, channel="link", period_start=date(2026, 10, 1),
                              period_end=date(2026, 10, 31), count=31 * 6))
        db.session.add(Volume(unit_id=p03, channel="paper", period_start=date(2026, 10, 1),
                              period_end=date(2026, 11, 30), count=61 * 2))
        db.session.commit()
    for i in range(10):
        client = app.test_client()
        page = open_page(client, "P03", f"192.0.2.{100 + i}")
        clock.advance(600)
        assert send(client, "P03", f"192.0.2.{100 + i}", page, human(i)) == 302
    reasons = [r for _, r in stored_since(app, T0)]
    assert reasons == [None] * 8 + ["volume"] * 2


def test_thirty_citizens_behind_one_address_at_human_pace_all_count(province, clock):
    """A one-stop shop's Wi-Fi: 30 people, each on their own phone, answer P02's poster within an
    hour, a few minutes each, some of them all 'very satisfied'. P02 is a quiet unit (40 answers
    in the month before, as P01 whose paced attack is flagged) and had 10 answers earlier that day."""
    app = province
    with app.app_context():
        p02 = unit_by_code(db.session, "P02")
        for i in range(10):
            record(db.session, p02, Q, human(100 + i), at=T0 - timedelta(hours=1 + i % 7, minutes=i))
        db.session.commit()
    phones = [app.test_client() for _ in range(30)]
    pages = {}
    events = sorted([(i * 110, "open", i) for i in range(30)] + [(i * 110 + 150 + 13 * (i % 5), "send", i)
                                                                  for i in range(30)])
    for at, what, i in events:
        clock.now = T0.timestamp() + at
        if what == "open":
            pages[i] = open_page(phones[i], "P02", OFFICE)
        else:
            answers = full_submission(Q, 5) if i % 10 == 0 else human(i)
            assert send(phones[i], "P02", OFFICE, pages[i], answers) == 302
    assert counted_since(app, T0) == 30


@pytest.fixture(params=["memory", "redis"])
def remembered_in(request, province):
    if request.param == "redis":
        prefix = f"survey_app_test_{uuid.uuid4().hex}"
        province.config.update(RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=prefix)
        yield province
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(match=f"{prefix}*"):
            client.delete(key)
        client.close()
    else:
        yield province


def test_a_citizens_answer_followed_by_21_junk_posts_from_elsewhere_still_counts(remembered_in, clock):
    app = remembered_in
    citizen = app.test_client()
    page = open_page(citizen, "P02", HOME)
    clock.advance(150)
    assert send(citizen, "P02", HOME, page, human(1)) == 302
    for i in range(21):
        client = app.test_client()
        page = open_page(client, "P02", ATTACKER)
        clock.advance(1)
        assert send(client, "P02", ATTACKER, page, junk(i)) == 302
        clock.advance(1)
    stored = stored_since(app, T0)
    assert stored[0][1] is None                                     # the citizen's answer counts
    assert len(stored) == 22 and all("burst" in reasons.split(",") for _, reasons in stored[1:])
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ResponseFlag)) == 21
