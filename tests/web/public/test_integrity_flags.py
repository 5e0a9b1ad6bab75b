"""Made-up responses are flagged when they are stored, through the real pages: a burst on one
kiosk and on one open link, the whole form alike in a few seconds (with the served-at field as
the page gave it, forged, missing, another form's, or old), and repeated identical forms.
The rules themselves on plain data: tests/domain/test_integrity.py."""

from __future__ import annotations

import time

import pytest
from factories import form_fields, full_submission, invitations, kiosk, sipas, submission, unit_tree
from itsdangerous import TimestampSigner
from pages import hidden_field
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Response, ResponseFlag
from survey_app.services.units import unit_by_code

Q = sipas()


@pytest.fixture
def units(app):
    with app.app_context():
        unit_tree(db.session, "Q1 > P01, P02")
        db.session.commit()


def answer(client, url: str, answers, *, address: str = "198.51.100.7", served: str | None = "page") -> None:
    page = client.get(url, environ_base={"REMOTE_ADDR": address})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    fields = {name: hidden_field(html, name) for name in ("csrf_token", "submission_key")}
    if served == "page":
        fields["served_at"] = hidden_field(html, "served_at")
    elif served is not None:
        fields["served_at"] = served
    posted = client.post(url, data={**fields, **form_fields(answers)}, environ_base={"REMOTE_ADDR": address})
    assert posted.status_code == 302, posted.get_data(as_text=True)[:300]


def flags(app) -> dict[int, str]:
    with app.app_context():
        return {f.response_id: f.reasons for f in db.session.scalars(select(ResponseFlag))}


def response_ids(app) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(Response.id).order_by(Response.id)))


def varied(i: int):
    """Answers that differ from one form to the next, and are not the same all through."""
    return submission(Q, TC1=1 + i % 5, TC2=1 + (i // 5) % 5, TT1=3, comment=f"góp ý {i}")


def test_a_burst_on_one_kiosk(app, client, units):
    with app.app_context():
        made, key = kiosk(db.session, unit_by_code(db.session, "P01"))
        other, other_key = kiosk(db.session, unit_by_code(db.session, "P01"), "Quầy 2")
        db.session.commit()
        url, other_url = f"/k/{made.public_id}?key={key}", f"/k/{other.public_id}?key={other_key}"
    for i in range(4):
        answer(client, url, varied(i))
    answer(client, other_url, varied(10))   # another kiosk of the same unit is another place
    assert flags(app) == {}                 # four on one kiosk within a minute: people can
    answer(client, url, varied(4))
    ids = response_ids(app)
    on_kiosk = [i for i in ids if i != ids[4]]
    assert flags(app) == {i: "burst" for i in on_kiosk}


def test_a_burst_on_one_open_link_is_counted_per_source(app, units):
    # Twenty different answers within a minute on P01's poster from one source (an office's
    # address), each from its own phone: a busy office, nothing wrong.
    office = "198.51.100.7"
    for i in range(20):
        answer(app.test_client(), "/u/P01", varied(i), address=office)
    # Answers from other addresses meanwhile, on this poster and another.
    answer(app.test_client(), "/u/P01", varied(30), address="203.0.113.9")
    answer(app.test_client(), "/u/P02", varied(31), address=office)
    assert flags(app) == {}
    # The 21st from the office within the minute: its burst, and only its, is flagged.
    answer(app.test_client(), "/u/P01", varied(20), address=office)
    ids = response_ids(app)
    theirs = [*ids[:20], ids[22]]
    assert flags(app) == {i: "burst" for i in theirs}


def test_the_whole_form_alike_in_a_few_seconds(app, client, units):
    answer(client, "/u/P01", full_submission(Q, 5))
    (first,) = response_ids(app)
    assert flags(app) == {first: "fast_identical"}


def test_served_at_that_cannot_be_trusted_is_unknown_time(app, client, units, monkeypatch):
    # Forged (signature broken), missing, empty, or another form's stamp: on an invitation the
    # time taken is unknown, and unknown never flags.
    other_page = client.get("/u/P01").get_data(as_text=True)
    another_forms = hidden_field(other_page, "served_at")
    stamp, _, signature = another_forms.rpartition(".")
    forms = (f"{stamp}.{'A' * len(signature)}", None, "", another_forms, "garbage")
    with app.app_context():
        issued = invitations(db.session, unit_by_code(db.session, "P01"), len(forms) + 1)
        db.session.commit()
    for level, (served, invitation) in enumerate(zip(forms, issued), start=1):  # each all alike, none like another
        answer(client, f"/s/{invitation.token}", full_submission(Q, level), served=served)
    assert len(response_ids(app)) == 5 and flags(app) == {}
    # A page served a minute ago: the citizen took long enough.
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - 60)
    answer(client, f"/s/{issued[-1].token}", full_submission(Q, 5))
    assert len(response_ids(app)) == 6 and flags(app) == {}


def test_an_open_link_stores_only_with_the_key_of_a_page_it_served(app, client, units):
    """On an open link the served-at stamp is what makes the key ours: without it, forged, or
    another form's, the form comes back with a fresh key and nothing is stored."""
    other_page = client.get("/u/P01").get_data(as_text=True)
    another_forms = hidden_field(other_page, "served_at")
    stamp, _, signature = another_forms.rpartition(".")
    for served in (f"{stamp}.{'A' * len(signature)}", "", another_forms, "garbage"):
        page = client.get("/u/P01").get_data(as_text=True)
        fields = {name: hidden_field(page, name) for name in ("csrf_token", "submission_key")}
        back = client.post("/u/P01", data={**fields, "served_at": served, **form_fields(varied(1))})
        assert back.status_code == 200
        html = back.get_data(as_text=True)
        assert hidden_field(html, "submission_key") != fields["submission_key"]
        assert response_ids(app) == []
    again = {name: hidden_field(html, name) for name in ("csrf_token", "submission_key", "served_at")}
    assert client.post("/u/P01", data={**again, **form_fields(varied(1))}).status_code == 302
    assert len(response_ids(app)) == 1


def test_a_form_with_errors_keeps_its_served_at(app, client, units):
    page = client.get("/u/P01").get_data(as_text=True)
    fields = {name: hidden_field(page, name) for name in ("csrf_token", "submission_key", "served_at")}
    again = client.post("/u/P01", data={**fields, "TC1": "9"})
    assert again.status_code == 200
    assert hidden_field(again.get_data(as_text=True), "served_at") == fields["served_at"]


def test_an_invitation_answered_alike_in_seconds(app, client, units):
    with app.app_context():
        (issued,) = invitations(db.session, unit_by_code(db.session, "P01"))
        db.session.commit()
    answer(client, f"/s/{issued.token}", full_submission(Q, 5))
    (first,) = response_ids(app)
    assert flags(app) == {first: "fast_identical"}


def test_repeated_identical_forms_from_one_place(app, client, units):
    same = submission(Q, TC1=5, TC2=4, comment="Tốt")
    for _ in range(4):
        answer(client, "/u/P01", same)
    answer(client, "/u/P02", same)                       # another unit: another place
    with app.app_context():
        made, key = kiosk(db.session, unit_by_code(db.session, "P01"))
        db.session.commit()
        kiosk_url = f"/k/{made.public_id}?key={key}"
    answer(client, kiosk_url, same)                      # another channel: another place
    assert flags(app) == {}
    answer(client, "/u/P01", same)
    ids = response_ids(app)
    assert flags(app) == {i: "repeated" for i in (*ids[:4], ids[6])}
