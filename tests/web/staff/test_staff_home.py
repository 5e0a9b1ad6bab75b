"""The staff start page /staff/: the units in the user's scope, and the links the permission
rule (domain/permissions.py, through the template's ``may``) allows each role."""

from __future__ import annotations

import re

import pytest
from accounts import add_user, log_in
from factories import unit_tree

from survey_app.domain.permissions import Action, may
from survey_app.extensions import db

NAMES = {
    "HCM": "UBND Thành phố Hồ Chí Minh",
    "Q1": "UBND Quận 1",
    "P-BN": "Phường Bến Nghé",
    "P-DK": "Phường Đa Kao",
    "Q3": "UBND Quận 3",
    "P-VTS": "Phường Võ Thị Sáu",
}


@pytest.fixture
def units(app):
    with app.app_context():
        unit_tree(db.session, "HCM > Q1 > P-BN, P-DK; HCM > Q3 > P-VTS", NAMES)
        db.session.commit()


@pytest.fixture
def staff_q1(app, units) -> str:
    return add_user(app, "lan@q1.example.vn", "staff", "Q1")


def unit_links(html: str) -> list[str]:
    return re.findall(r'href="(/u/[^"]+)"', html)


def kiosk_links(html: str) -> list[str]:
    return re.findall(r'href="(/staff/kiosks[^"]*)"', html)


# ----------------------------------------------------------------------------- the scope

def test_staff_sees_their_unit_and_below_and_nothing_else(client, staff_q1):
    log_in(client, staff_q1)
    response = client.get("/staff/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for code in ("Q1", "P-BN", "P-DK"):
        assert NAMES[code] in html
    for code in ("Q3", "P-VTS", "HCM"):  # a sibling, its child, and the parent
        assert NAMES[code] not in html
        assert f"/u/{code}" not in html
    assert sorted(unit_links(html)) == ["/u/P-BN", "/u/P-DK", "/u/Q1"]


def test_an_officer_of_a_subtree_sees_that_subtree(app, client, units):
    log_in(client, add_user(app, "officer@q3.example.vn", "officer", "Q3"))
    html = client.get("/staff/").get_data(as_text=True)
    assert sorted(unit_links(html)) == ["/u/P-VTS", "/u/Q3"]
    assert NAMES["Q1"] not in html and NAMES["P-BN"] not in html


def test_an_admin_without_unit_sees_every_unit(app, client, units):
    log_in(client, add_user(app, "admin@example.vn", "admin", None))
    html = client.get("/staff/").get_data(as_text=True)
    assert sorted(unit_links(html)) == sorted(f"/u/{code}" for code in NAMES)
    for name in NAMES.values():
        assert name in html


def test_every_link_on_the_staff_page_works(client, staff_q1):
    log_in(client, staff_q1)
    html = client.get("/staff/").get_data(as_text=True)
    links = set(re.findall(r'href="(/[^"]*)"', html)) - {"/static/survey.css"}
    assert links, "no links on the staff page"
    for link in sorted(links):
        assert client.get(link).status_code == 200, link


# ----------------------------------------------------------------------------- may() in the template

@pytest.mark.parametrize(("role", "unit", "manages_kiosks"), [
    ("staff", "Q1", True),
    ("admin", None, True),
    ("admin", "Q1", True),
    ("officer", "Q1", False),
    ("officer", None, False),
])
def test_the_kiosk_link_is_shown_to_whoever_may_manage_kiosks(app, client, units, role, unit, manages_kiosks):
    assert may(role, Action.MANAGE_KIOSKS) is manages_kiosks  # the rule the template asks
    log_in(client, add_user(app, f"{role}@example.vn", role, unit))
    html = client.get("/staff/").get_data(as_text=True).replace("&amp;", "&")
    shown = sorted(unit_links(html))
    assert shown  # every role sees its units...
    expected = sorted(f"/staff/kiosks?unit={link.removeprefix('/u/')}" for link in shown)
    assert sorted(kiosk_links(html)) == (expected if manages_kiosks else [])  # ...kiosks only if it may
    # The page the link leads to applies the same rule.
    assert client.get("/staff/kiosks").status_code == (200 if manages_kiosks else 403)


def test_every_unit_gets_its_print_links_whatever_the_role(app, client, units):
    # Printing is allowed to every role: slips and both posters for each unit in scope.
    assert all(may(role, Action.PRINT) for role in ("admin", "officer", "staff"))
    log_in(client, add_user(app, "officer@q1.example.vn", "officer", "Q1"))
    html = client.get("/staff/").get_data(as_text=True).replace("&amp;", "&")
    posters = sorted(re.findall(r'href="/staff/units/([^/]+)/poster\.pdf\?size=(A4|A5)"', html))
    assert posters == sorted((code, size) for code in ("Q1", "P-BN", "P-DK") for size in ("A4", "A5"))
    assert len(re.findall(r'href="/staff/invitations\?unit=\d+"', html)) == 3
