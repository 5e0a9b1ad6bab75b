"""A kiosk's queue sent to /k/<id>/sync: each answer stored once per kiosk and submission key
(replays, two syncs at once), at the time it was given within limits, with its arrival apart;
refusals with their reasons (too old, unknown version, invalid, a revoked kiosk's whole queue);
periods, reports and screening by the time given. The kiosk's side in a real browser:
tests/browser/test_kiosk_offline_browser.py."""

from __future__ import annotations

import json
import shutil
import threading
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from factories import cycled_submission, form_fields, full_submission, kiosk, quick, sipas, unit_tree
from sqlalchemy import func, select

from survey_app.domain.catalog import load_catalog
from survey_app.domain.periods import Period
from survey_app.extensions import db
from survey_app.models import Response, ResponseFlag
from survey_app.services.kiosks import revoke_kiosk
from survey_app.services.officer_figures import report_summary
from survey_app.services.scores import ScoreQuery
from survey_app.services.units import unit_by_code
from tests.conftest import PROJECT_ROOT

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def station(app) -> dict:
    """A unit with a kiosk: its sync address and key."""
    with app.app_context():
        unit_tree(db.session, "P01", {"P01": "UBND phường Bến Nghé"})
        made, key = kiosk(db.session, unit_by_code(db.session, "P01"))
        db.session.commit()
        return {"url": f"/k/{made.public_id}/sync", "key": key, "id": made.id, "public_id": made.public_id}


def queued(key: str, given_at: datetime, answers=None, q=None, *, started_at: datetime | None = None,
           language: str = "vi") -> dict:
    """One answer as the kiosk's queue keeps and sends it."""
    q = q or sipas()
    fields = form_fields(answers or cycled_submission(q))
    pairs = [[name, v] for name, value in fields.items() for v in (value if isinstance(value, list) else [value])]
    return {"key": key, "given_at": given_at.isoformat().replace("+00:00", "Z"),
            "started_at": (started_at or given_at - timedelta(minutes=2)).isoformat(),
            "questionnaire": q.id, "hash": q.content_hash, "language": language, "fields": pairs}


def send(client, station: dict, answers: list[dict], key: str | None = None):
    return client.post(station["url"], json={"key": key or station["key"], "answers": answers})


def key_of(i: int) -> str:
    return f"kiosk-answer-{i:04d}-abcdefgh"


def stored(app) -> list[tuple]:
    with app.app_context():
        return [(r.submission_key, r.submitted_at, r.received_at, r.channel, r.kiosk_id)
                for r in db.session.scalars(select(Response).order_by(Response.submitted_at))]


def now() -> datetime:
    return datetime.now(timezone.utc)


def test_a_queue_is_stored_once_at_the_times_given(app, client, station):
    given = [now() - timedelta(hours=5 - i) for i in range(5)]
    answers = [queued(key_of(i), at) for i, at in enumerate(given)]
    before = now()
    reply = send(client, station, answers)
    assert reply.status_code == 200
    assert reply.json == {"results": [{"key": key_of(i), "status": "stored"} for i in range(5)]}
    rows = stored(app)
    assert [(k, at, channel, kiosk_id) for k, at, _, channel, kiosk_id in rows] == [
        (key_of(i), given[i], "kiosk", station["id"]) for i in range(5)]
    # Arrival recorded apart from the time given.
    assert all(before <= received <= now() for _, _, received, _, _ in rows)

    # The same queue again (a reply lost, a restored backup), whole or in part: nothing more.
    again = send(client, station, answers[3:] + answers[:2])
    assert [r["status"] for r in again.json["results"]] == ["already_stored"] * 4
    assert stored(app) == rows
    with app.app_context():
        answers_stored = {r.submission_key: {a.item_code: a.value for a in r.answers}
                          for r in db.session.scalars(select(Response))}
    assert answers_stored[key_of(0)] == cycled_submission(sipas()).ratings


def test_two_syncs_of_one_queue_at_once_store_it_once(app, live_server, station):
    import urllib.request

    answers = [queued(key_of(i), now() - timedelta(minutes=30 - i)) for i in range(8)]
    body = json.dumps({"key": station["key"], "answers": answers}).encode()
    replies: list[list[str]] = []

    def sync() -> None:
        request = urllib.request.Request(live_server + station["url"], data=body,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as reply:
            replies.append([r["status"] for r in json.load(reply)["results"]])

    threads = [threading.Thread(target=sync) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(replies) == 4
    # Each answer stored by exactly one of the four; the others were told it was stored already.
    for i in range(8):
        assert sorted(reply[i] for reply in replies) == ["already_stored"] * 3 + ["stored"]
    assert sorted(k for k, *_ in stored(app)) == [key_of(i) for i in range(8)]


def test_the_time_given_is_kept_within_limits(app, client, station):
    app.config.update(KIOSK_QUEUE_MAX_AGE_DAYS=14)
    arrival = now()
    answers = [queued(key_of(0), arrival - timedelta(days=20)),               # too old
               queued(key_of(1), arrival - timedelta(days=13, hours=23)),     # just in time
               queued(key_of(2), arrival + timedelta(hours=3)),               # the kiosk's clock is fast
               queued(key_of(3), arrival + timedelta(minutes=2))]             # a little skew
    results = send(client, station, answers).json["results"]
    assert results[0]["status"] == "refused" and results[0]["refused"] == "too_old"
    assert results[0]["reason"] == "Trả lời cách đây hơn 14 ngày mới gửi được: quá cũ để được tính."
    assert [r["status"] for r in results[1:]] == ["stored"] * 3
    assert results[2]["clock_ahead"] is True and "clock_ahead" not in results[3]
    rows = {k: (at, received) for k, at, received, *_ in stored(app)}
    assert key_of(0) not in rows
    assert rows[key_of(1)][0] == arrival - timedelta(days=13, hours=23)
    # Never stored in the future: a time ahead of the server's is its arrival.
    for k in (key_of(2), key_of(3)):
        at, received = rows[k]
        assert at == received and arrival <= received <= now()
    # The refused one stays refused when sent again (its reason is the kiosk's to keep).
    assert send(client, station, answers[:1]).json["results"][0]["refused"] == "too_old"


def test_a_revoked_kiosks_queue_is_refused_whole(app, client, station):
    with app.app_context():
        from survey_app.models import Kiosk
        revoke_kiosk(db.session, db.session.get(Kiosk, station["id"]), now=now())
        db.session.commit()
    reply = send(client, station, [queued(key_of(i), now() - timedelta(hours=1)) for i in range(3)])
    assert reply.status_code == 403
    assert reply.json["refused"] == "revoked"
    assert "thu hồi" in reply.json["reason"]
    assert stored(app) == []
    # A wrong key is refused too, and says nothing about the kiosk.
    wrong = send(client, station, [queued(key_of(9), now())], key="not-the-key")
    assert wrong.status_code == 403 and wrong.json["refused"] == "unknown"


def test_invalid_answers_and_malformed_queues(app, client, station):
    q = sipas()
    nothing = {**queued(key_of(1), now(), cycled_submission(quick()), quick()), "fields": []}
    answers = [queued(key_of(0), now(), full_submission(q, 5, expectations=("MD1", "MD2", "MD3", "MD4"))),
               nothing,
               {**queued(key_of(2), now()), "given_at": "yesterday"},
               {**queued(key_of(3), now()), "language": "fr"}]
    results = send(client, station, answers).json["results"]
    assert [(r["status"], r.get("refused")) for r in results] == [("refused", "invalid")] * 4
    assert "3" in results[0]["reason"]                       # at most 3 expectations
    assert results[1]["reason"].startswith("Không phải là câu trả lời hợp lệ")
    assert stored(app) == []
    for body in ({"key": station["key"]}, {"key": station["key"], "answers": [{"key": "short"}]}, [],
                 {"key": station["key"], "answers": [{**queued(key_of(0), now()), "key": 12345678901234567}]},
                 {"key": station["key"], "answers": ["x"]}):
        assert client.post(station["url"], json=body).status_code == 400
    too_many = [queued(key_of(i), now()) for i in range(9)]
    assert send(client, station, too_many).status_code == 413
    assert stored(app) == []


def test_an_earlier_known_version_is_stored_against_it_and_an_unknown_one_refused(app, client, station, tmp_path):
    directory = tmp_path / "questionnaires"
    shutil.copytree(PROJECT_ROOT / "questionnaires", directory)
    (directory / "earlier").mkdir()
    text = (directory / "sipas.yaml").read_text(encoding="utf-8")
    (directory / "earlier" / "sipas-old.yaml").write_text(_older(text), encoding="utf-8")
    catalog = load_catalog(directory, "sipas")
    app.extensions["survey_catalog"] = catalog
    (older,) = catalog.earlier.values()
    assert older.content_hash != sipas().content_hash
    answers = [queued(key_of(0), now() - timedelta(hours=2), cycled_submission(older), older),
               {**queued(key_of(1), now() - timedelta(hours=1)), "hash": "f" * 64}]
    results = send(client, station, answers).json["results"]
    assert results[0] == {"key": key_of(0), "status": "stored"}
    assert results[1]["refused"] == "unknown_version"
    with app.app_context():
        row = db.session.scalar(select(Response))
        assert (row.questionnaire_id, row.questionnaire_version, row.questionnaire_hash) == (
            "sipas", older.version, older.content_hash)


def _older(text: str) -> str:
    """sipas.yaml as it was before an edit: another English title."""
    assert text.count("en: Survey of citizen and organisation satisfaction") == 1
    return text.replace("en: Survey of citizen and organisation satisfaction", "en: Survey of citizen satisfaction")


def test_screening_judges_the_times_given(app, client, station):
    app.config.update(INTEGRITY_KIOSK_BURST_COUNT=4, INTEGRITY_BURST_SECONDS=60)
    morning = now() - timedelta(hours=6)
    # Twenty answers given over a morning, ten minutes apart, synced at once: no burst.
    spread = [queued(key_of(i), morning + timedelta(minutes=10 * i), cycled_submission(sipas(), comment=f"#{i}"))
              for i in range(20)]
    for batch in (spread[:8], spread[8:16], spread[16:]):
        assert {r["status"] for r in send(client, station, batch).json["results"]} == {"stored"}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ResponseFlag)) == 0
    # Twenty given within one minute: a burst, whenever they are synced.
    late = now() - timedelta(hours=1)
    crowded = [queued(key_of(100 + i), late + timedelta(seconds=3 * i), cycled_submission(sipas(), comment=f"@{i}"))
               for i in range(20)]
    for batch in (crowded[:8], crowded[8:16], crowded[16:]):
        send(client, station, batch)
    with app.app_context():
        flagged = set(db.session.scalars(select(Response.submission_key).join(
            ResponseFlag, ResponseFlag.response_id == Response.id)))
    assert flagged == {key_of(100 + i) for i in range(20)}


def test_a_closed_period_takes_a_late_answer_like_a_late_import(app, client, station):
    app.config.update(KIOSK_QUEUE_MAX_AGE_DAYS=62)
    end = date(*now().astimezone(TZ).date().timetuple()[:2], 1) - timedelta(days=1)
    last_month = Period(date(end.year, end.month, 1), end)
    in_last_month = datetime(end.year, end.month, 15, 10, tzinfo=TZ)
    send(client, station, [queued(key_of(0), in_last_month)])
    with app.app_context():
        query = ScoreQuery(sipas(), last_month, TZ, min_ranked=1)
        before = report_summary(db.session, query, language="vi")["scores"]["overall"]["n"]
        db.session.commit()
    send(client, station, [queued(key_of(1), in_last_month + timedelta(minutes=30), full_submission(sipas(), 1))])
    with app.app_context():
        after = report_summary(db.session, query, language="vi")["scores"]["overall"]["n"]
    assert (before, after) == (1, 2)


def test_syncs_are_limited_per_kiosk_and_only_those_with_its_key_count(app, client, station):
    app.config.update(KIOSK_SYNC_RATE_LIMIT="3 per minute")
    for i in range(10):  # anyone posting without the key locks nothing
        assert send(client, station, [queued(key_of(900 + i), now())], key=f"guess-{i}").status_code == 403
    for i in range(3):
        assert send(client, station, [queued(key_of(i), now())]).status_code == 200, i
    refused = send(client, station, [queued(key_of(3), now())])
    assert refused.status_code == 429
    # Not stored: it waits on the kiosk, which tries again later.
    assert sorted(k for k, *_ in stored(app)) == [key_of(i) for i in range(3)]


def test_the_time_taken_is_the_kiosks_own_start_and_given_times(app, client, station):
    """Every criterion given the same answer: flagged when sent within INTEGRITY_FAST_SECONDS of
    the form being shown, on the kiosk's clock, however wrong that clock is against the server's."""
    app.config.update(INTEGRITY_FAST_SECONDS=15)
    same = full_submission(sipas(), 5)
    fast_ahead = now() + timedelta(hours=2)  # a kiosk two hours fast: clamped, still timed by its own clock
    answers = [queued(key_of(0), now() - timedelta(hours=3), same, started_at=now() - timedelta(hours=3, seconds=8)),
               queued(key_of(1), now() - timedelta(hours=2), full_submission(sipas(), 4),
                      started_at=now() - timedelta(hours=2, minutes=3)),
               queued(key_of(2), fast_ahead, full_submission(sipas(), 3), started_at=fast_ahead - timedelta(seconds=5))]
    assert {r["status"] for r in send(client, station, answers).json["results"]} == {"stored"}
    with app.app_context():
        flagged = dict(db.session.execute(select(Response.submission_key, ResponseFlag.reasons).join(
            ResponseFlag, ResponseFlag.response_id == Response.id)).all())
    assert flagged == {key_of(0): "fast_identical", key_of(2): "fast_identical"}


def test_scores_count_a_synced_queue_once(app, client, station, runner):
    """As a newcomer checks it: two answers given offline, sent (and sent again): `scores`
    counts two, in the period of the day they were given."""
    given = now() - timedelta(days=3)
    answers = [queued(key_of(0), given, full_submission(sipas(), 5)),
               queued(key_of(1), given + timedelta(minutes=20), full_submission(sipas(), 2))]
    for _ in range(2):
        send(client, station, answers)
    day = given.astimezone(TZ).date().isoformat()

    def scores(on: str) -> dict:
        result = runner.invoke(args=["scores", "--from", on, "--to", on, "--format", "json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    document = scores(day)
    assert document["overall"]["n"] == 2
    assert document["overall"]["criteria"]["TC1"]["satisfied"] == 1
    assert scores(now().astimezone(TZ).date().isoformat())["overall"]["n"] == 0
