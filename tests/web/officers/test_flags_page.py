"""/reports/flags: officers see the responses flagged as made up in their scope, restore them
and flag them back with a required reason, under CSRF; every decision is recorded (who, when,
why). The scores JSON says how many were left out (``flagged``), and a restored response counts
again. Flagging itself: tests/web/public/test_integrity_flags.py."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from accounts import add_user, csrf_from, log_in
from factories import form_fields, full_submission, sipas, submission, unit_tree
from pages import hidden_field
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import FlagReview, ResponseFlag, User

Q = sipas()


def answer(client, url: str, answers) -> None:
    html = client.get(url).get_data(as_text=True)
    fields = {name: hidden_field(html, name) for name in ("csrf_token", "submission_key", "served_at")}
    assert client.post(url, data={**fields, **form_fields(answers)}).status_code == 302


@pytest.fixture
def today(app) -> str:
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(app.config["TIMEZONE"])).date().isoformat()


@pytest.fixture
def flagged(app, today):
    """STP: one honest answer and one made up (all 5 in a second); X1: one made up."""
    with app.app_context():
        unit_tree(db.session, "TINH > SO > STP, SXD; TINH > XA > X1")
        db.session.commit()
    citizen = app.test_client()
    answer(citizen, "/u/STP", submission(Q, TC1=1, TC2=2))
    answer(citizen, "/u/STP", full_submission(Q, 5))
    answer(citizen, "/u/X1", full_submission(Q, 4))
    with app.app_context():
        assert len(db.session.scalars(select(ResponseFlag)).all()) == 2
    return today


def scores(runner, day: str, *args: str) -> dict:
    result = runner.invoke(args=["scores", "--from", day, "--to", day, "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def stp_flag_id(app) -> int:
    with app.app_context():
        return db.session.scalars(select(ResponseFlag.response_id).order_by(ResponseFlag.response_id)).first()


def test_the_scores_leave_flagged_responses_out_and_count_them(runner, flagged):
    document = scores(runner, flagged)
    units = {u["unit"]: u for u in document["units"]}
    assert document["overall"]["flagged"] == 2 and document["overall"]["n"] == 1
    assert (units["STP"]["n"], units["STP"]["flagged"]) == (1, 1)
    assert units["SO"]["flagged"] == 1 and units["XA"]["flagged"] == 1 and units["TINH"]["flagged"] == 2
    assert (units["X1"]["n"], units["X1"]["index"]) == (0, None)
    # The honest answer alone: TC1 1 and TC2 2 on the five-level scale, nobody satisfied.
    assert units["STP"]["index"] == 0
    assert scores(runner, flagged, "--unit", "SO")["overall"]["flagged"] == 1


def review_page(client, day: str, **query):
    return client.get("/reports/flags", query_string={"from": day, "to": day, "lang": "en", **query})


def test_officers_see_only_their_scope(app, client, flagged):
    log_in(client, add_user(app, "so@example.gov.vn", "officer", "SO"))
    page = review_page(client, flagged)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "STP" in html and "X1" not in html
    assert "The whole form answered alike in a few seconds" in html
    with app.app_context():
        x1 = db.session.scalars(select(ResponseFlag.response_id).order_by(ResponseFlag.response_id.desc())).first()
    token = csrf_from(html)
    refused = client.post(f"/reports/flags/{x1}?from={flagged}&to={flagged}",
                          data={"csrf_token": token, "decision": "restore", "reason": "ok"})
    assert refused.status_code == 404
    assert review_page(client, flagged, unit="XA").status_code == 404
    assert client.post(f"/reports/flags/999999?from={flagged}&to={flagged}",
                       data={"csrf_token": token, "decision": "restore", "reason": "ok"}).status_code == 404
    with app.app_context():
        assert db.session.scalars(select(FlagReview)).all() == []


def test_staff_may_not_review(app, client, flagged):
    log_in(client, add_user(app, "staff@example.gov.vn", "staff", "STP"))
    assert review_page(client, flagged).status_code == 403
    assert client.post(f"/reports/flags/{stp_flag_id(app)}", data={}).status_code in (400, 403)


def test_a_review_needs_its_csrf_token_and_a_reason(app, client, flagged):
    log_in(client, add_user(app, "officer@example.gov.vn", "officer", "TINH"))
    url = f"/reports/flags/{stp_flag_id(app)}?from={flagged}&to={flagged}&lang=en"
    assert client.post(url, data={"decision": "restore", "reason": "ok"}).status_code == 400
    token = csrf_from(review_page(client, flagged).get_data(as_text=True))
    missing = client.post(url, data={"csrf_token": token, "decision": "restore", "reason": "  "},
                          follow_redirects=True)
    assert "Please say why you decide so." in missing.get_data(as_text=True)
    odd = client.post(url, data={"csrf_token": token, "decision": "delete", "reason": "x"})
    assert odd.status_code == 302
    with app.app_context():
        assert db.session.scalars(select(FlagReview)).all() == []
        assert db.session.get(ResponseFlag, stp_flag_id(app)).restored is False


def test_restore_and_flag_back_are_recorded_and_counted(app, client, runner, flagged):
    log_in(client, add_user(app, "officer@example.gov.vn", "officer", "TINH"))
    response_id = stp_flag_id(app)
    url = f"/reports/flags/{response_id}?from={flagged}&to={flagged}"
    token = csrf_from(review_page(client, flagged).get_data(as_text=True))
    done = client.post(url, data={"csrf_token": token, "decision": "restore",
                                  "reason": "Khách đoàn điền nhanh, đã xác minh qua camera."})
    assert done.status_code == 302 and done.location.startswith("/reports/flags?")

    document = scores(runner, flagged)
    stp = {u["unit"]: u for u in document["units"]}["STP"]
    assert (stp["n"], stp["flagged"], document["overall"]["flagged"]) == (2, 0, 1)
    # The restored all-5 answer counts again: satisfied on every criterion it rated.
    assert stp["criteria"]["TC1"] == {"n": 2, "satisfied": 1, "index": 50.0, "ci": stp["criteria"]["TC1"]["ci"]}

    # Restoring twice is no decision; flagging back is, and leaves it out again.
    page = review_page(client, flagged).get_data(as_text=True)
    assert "Restored: counted in the indices." in page and "Khách đoàn điền nhanh" in page
    assert "officer@example.gov.vn" in page
    again = client.post(url, data={"csrf_token": token, "decision": "restore", "reason": "again"})
    assert again.status_code == 302
    client.post(url, data={"csrf_token": token, "decision": "flag", "reason": "Trùng lặp."})
    assert scores(runner, flagged)["overall"]["flagged"] == 2

    with app.app_context():
        reviews = db.session.scalars(select(FlagReview).order_by(FlagReview.id)).all()
        officer = db.session.scalar(select(User).where(User.email == "officer@example.gov.vn"))
        assert [(r.response_id, r.decision, r.reason, r.user_id) for r in reviews] == [
            (response_id, "restore", "Khách đoàn điền nhanh, đã xác minh qua camera.", officer.id),
            (response_id, "flag", "Trùng lặp.", officer.id)]
        assert reviews[0].decided_at <= reviews[1].decided_at and reviews[0].decided_at.tzinfo is not None
        assert db.session.get(ResponseFlag, response_id).restored is False
