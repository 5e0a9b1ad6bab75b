"""Fuzzing what clients send (hypothesis, bounded in time): the survey form on /u, /s and /k, the
staff forms, the login form, the API and the CSV importers never answer 5xx, and a refused
request stores nothing (no partial write), on whichever database the suite runs on."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from urllib.parse import urlencode

import pytest
from accounts import add_user, csrf_from, log_in
from factories import criteria_codes, invitations, kiosk, sipas, unit_tree
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pages import survey_fields
from sqlalchemy import func, select

from survey_app import catalog_of
from survey_app.domain.csv_files import CsvError
from survey_app.extensions import db
from survey_app.models import Answer, Invitation, Kiosk, Response, Unit
from survey_app.services import api_keys
from survey_app.services.interchange import import_responses
from survey_app.services.units import import_units

# Function-scoped fixtures are shared by a test's examples on purpose: each example checks what
# it added to the database, not the database as a whole.
FUZZ = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
# Text of every kind, control characters and lone surrogates included.
ANY_TEXT = st.text(st.characters(codec=None), max_size=40)
# What fits in an address or a posted form (UTF-8: no lone surrogates, which the API's JSON
# escapes and the importers' files do get), control characters included.
URL_TEXT = st.text(st.characters(codec="utf-8"), max_size=20)
FORM_TEXT = st.text(st.characters(codec="utf-8"), max_size=40)
FIELD_VALUE = st.one_of(FORM_TEXT, st.sampled_from(["", "0", "1", "4", "5", "6", "-1", "٣", "²", "4.0"]))


@pytest.fixture
def site(app):
    for name in ("OPEN_LINK_RATE_LIMIT", "KIOSK_RATE_LIMIT", "LOGIN_RATE_LIMIT"):
        app.config[name] = "100000 per minute"
    with app.app_context():
        units = unit_tree(db.session, "TINH > STP")
        issued = invitations(db.session, units["STP"], count=150)
        made, key = kiosk(db.session, units["STP"])
        _, api_key = api_keys.create_api_key(db.session, name="one-stop", unit=units["STP"],
                                             now=datetime.now(timezone.utc))
        db.session.commit()
        site = {"tokens": [i.token for i in issued], "kiosk": f"/k/{made.public_id}?key={key}",
                "api_key": api_key, "stp": units["STP"].id}
    site["staff"] = add_user(app, "staff@example.gov.vn", "staff", "STP")
    return site


def counts(app) -> tuple[int, int, int, int]:
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(model))
                     for model in (Response, Answer, Invitation, Kiosk))


def answered(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Invitation)
                                 .where(Invitation.answered_on.is_not(None)))


form_data = st.fixed_dictionaries(
    {},
    optional={**{code: FIELD_VALUE for code in criteria_codes(sipas())[:4]},
              "comment": FORM_TEXT, "expectations": st.lists(FIELD_VALUE, max_size=4),
              "gender": FIELD_VALUE, "website": st.sampled_from(["", "x"]), "submission_key": FIELD_VALUE},
)


@pytest.mark.parametrize("way", ["open link", "invitation", "kiosk"])
def test_the_survey_form_never_fails_and_stores_all_or_nothing(app, client, site, way):
    tokens = iter(site["tokens"])

    @FUZZ
    @given(data=form_data, query=st.dictionaries(URL_TEXT, URL_TEXT, max_size=2))
    def post(data, query):
        url = {"open link": "/u/STP", "invitation": f"/s/{next(tokens)}", "kiosk": site["kiosk"]}[way]
        fields = {**survey_fields(client, url), **data}
        before, answered_before = counts(app), answered(app)
        if query:
            url += ("&" if "?" in url else "?") + urlencode(query)
        response = client.post(url, data=fields)
        assert response.status_code < 500, response.get_data(as_text=True)[:300]
        after = counts(app)
        if response.status_code == 302 and after[0] == before[0] + 1:
            # Stored: one whole response, its answers with it (and its invitation answered).
            assert after[1] - before[1] == sum(1 for code in criteria_codes(sipas()) if fields.get(code))
            assert answered(app) == answered_before + (way == "invitation")
        else:
            assert after == before and answered(app) == answered_before

    post()


def test_the_login_form_never_fails(app, client, site):
    @FUZZ
    @given(email=FORM_TEXT, password=FORM_TEXT, next_=URL_TEXT)
    def attempt(email, password, next_):
        token = csrf_from(client.get("/login").get_data(as_text=True))
        response = client.post("/login", data={"csrf_token": token, "email": email, "password": password},
                               query_string={"next": next_})
        assert response.status_code in (200, 400)

    attempt()
    # Still works for the real account afterwards.
    log_in(client, site["staff"])


def test_the_staff_forms_never_fail_and_store_all_or_nothing(app, client, site):
    log_in(client, site["staff"])

    @FUZZ
    @given(unit=FIELD_VALUE, count=FIELD_VALUE, procedure=FORM_TEXT, name=FORM_TEXT, kiosk_unit=FIELD_VALUE)
    def submit(unit, count, procedure, name, kiosk_unit):
        before = counts(app)
        page = client.get("/staff/invitations").get_data(as_text=True)
        slips = client.post("/staff/invitations", data={"csrf_token": csrf_from(page), "unit": unit,
                                                        "count": count, "procedure": procedure})
        assert slips.status_code < 500
        issued = counts(app)[2] - before[2]
        assert issued == (int(count) if slips.mimetype == "application/pdf" else 0)
        page = client.get("/staff/kiosks").get_data(as_text=True)
        kiosks = client.post("/staff/kiosks", data={"csrf_token": csrf_from(page), "unit": kiosk_unit,
                                                    "name": name})
        assert kiosks.status_code < 500
        assert counts(app)[3] - before[3] == (1 if "registered" in kiosks.get_data(as_text=True)
                                              or "/k/" in kiosks.get_data(as_text=True) else 0)

    submit()


def test_the_api_never_fails_and_stores_all_or_nothing(app, client, site):
    values = st.one_of(ANY_TEXT, st.integers(-5, 600), st.floats(allow_nan=False), st.booleans(), st.none(),
                       st.lists(ANY_TEXT, max_size=2))
    body = st.one_of(
        st.fixed_dictionaries({}, optional={"unit": st.one_of(st.just("STP"), values), "procedure": values,
                                            "reference": values, "channel": values, "count": values}),
        st.binary(max_size=60).map(lambda raw: raw),
    )

    @FUZZ
    @given(body=body, public_id=URL_TEXT)
    def call(body, public_id):
        before = counts(app)[2]
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        response = client.post("/api/v1/invitations", data=raw, content_type="application/json",
                               headers={"Authorization": f"Bearer {site['api_key']}"})
        assert response.status_code in (201, 400), response.get_data(as_text=True)[:300]
        added = counts(app)[2] - before
        assert added == (len(response.get_json()["invitations"]) if response.status_code == 201 else 0)
        status = client.get(f"/api/v1/invitations/{public_id.replace('/', '')}",
                            headers={"Authorization": f"Bearer {site['api_key']}"})
        assert status.status_code < 500

    call()


def test_the_importers_never_fail_otherwise_and_store_all_or_nothing(app, site):
    q = sipas()
    codes = criteria_codes(q)
    header = ["submitted_at", "unit", "questionnaire", "channel", "locale", *codes, "comment"]
    good = ["2026-03-02T09:15:00+07:00", "STP", "sipas", "paper", "vi", *["4"] * len(codes), "Tốt"]

    def csv_of(rows) -> bytes:
        return "\n".join(",".join(json.dumps(cell, ensure_ascii=False) for cell in row)
                         for row in rows).encode("utf-8", "surrogatepass")

    @FUZZ
    @given(column=st.integers(0, len(header) - 1), cell=ANY_TEXT, name=ANY_TEXT, code=ANY_TEXT,
           raw=st.binary(max_size=80))
    def load(column, cell, name, code, raw):
        with app.app_context():
            row = list(good)
            row[column] = cell
            for data in (csv_of([header, good, row]), raw):
                before = counts(app)
                try:
                    added = import_responses(db.session, catalog_of(app), data)
                    db.session.commit()
                except CsvError:
                    db.session.rollback()
                    added = 0
                assert counts(app)[0] - before[0] == added
            units_before = db.session.scalar(select(func.count()).select_from(Unit))
            for data in (csv_of([["code", "name", "parent"], [code, name, "TINH"]]), raw):
                try:
                    created, _ = import_units(db.session, data)
                    db.session.commit()
                except CsvError:
                    db.session.rollback()
                    created = 0
                now = db.session.scalar(select(func.count()).select_from(Unit))
                assert now - units_before == created
                units_before = now

    load()
