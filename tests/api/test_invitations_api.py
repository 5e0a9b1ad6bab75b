"""The one-stop software's API, ``/api/v1/invitations``, and the invitations' QR codes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import subprocess
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text

from survey_app.extensions import db
from survey_app.models import ApiKey, Invitation
from survey_app.services import api_keys, units
from survey_app.services.invitations import invitation_by_token
from survey_app.services.secrets import secret_hash

# HCM ─┬─ Q1 ── P-BN
#      └─ Q3
UNITS = ("code,name,parent\nHCM,Thành phố Hồ Chí Minh,\nQ1,UBND Quận 1,HCM\n"
         "P-BN,Phường Bến Nghé,Q1\nQ3,UBND Quận 3,HCM\n")
REFERENCE = "000.00.01.H29-240101-0001"
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), VN).astimezone(timezone.utc)


@dataclass
class Keys:
    q1: str
    q3: str
    pbn: str
    q1_id: int


@pytest.fixture
def keys(app) -> Keys:
    now = datetime.now(timezone.utc)
    with app.app_context():
        units.import_units(db.session, UNITS.encode())
        made = {code: api_keys.create_api_key(db.session, name=f"one-stop {code}",
                                              unit=units.unit_by_code(db.session, code), now=now)
                for code in ("Q1", "Q3", "P-BN")}
        db.session.commit()
        return Keys(q1=made["Q1"][1], q3=made["Q3"][1], pbn=made["P-BN"][1], q1_id=made["Q1"][0].id)


def auth(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


def post(client, key: str | None, body, **kwargs):
    headers = auth(key) if key else {}
    if isinstance(body, (dict, list)):
        return client.post("/api/v1/invitations", json=body, headers=headers, **kwargs)
    return client.post("/api/v1/invitations", data=body, headers=headers,
                       content_type=kwargs.pop("content_type", "application/json"), **kwargs)


def token_of(url: str) -> str:
    assert "/s/" in url
    return url.rsplit("/s/", 1)[1]


def row(app, public_id: str) -> Invitation:
    with app.app_context():
        invitation = db.session.scalar(select(Invitation).where(Invitation.public_id == public_id))
        assert invitation is not None
        db.session.expunge(invitation)
        return invitation


def invitation_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Invitation))


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"].strip()
    # "details" (each field's problem) only for invalid_request, and never as null.
    assert set(body["error"]) - {"code", "message"} <= ({"details"} if code == "invalid_request" else set())
    assert body["error"].get("details", []) is not None
    return body["error"]


def set_columns(app, public_id: str, **values) -> None:
    with app.app_context():
        invitation = db.session.scalar(select(Invitation).where(Invitation.public_id == public_id))
        for name, value in values.items():
            setattr(invitation, name, value)
        db.session.commit()


# ------------------------------------------------------------------------------ issuing

def test_issues_count_invitations_whose_urls_open_them(app, client, keys):
    before = datetime.now(timezone.utc)
    response = post(client, keys.q1, {"unit": "Q1", "procedure": "1.001234", "channel": "online",
                                      "count": 7})
    after = datetime.now(timezone.utc)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    issued = response.get_json()["invitations"]
    assert len(issued) == 7
    assert len({item["url"] for item in issued}) == 7
    assert len({item["id"] for item in issued}) == 7
    for item in issued:
        assert set(item) == {"id", "url", "expires_at", "qr"}
        assert item["url"].startswith("http://localhost/s/")
        token = token_of(item["url"])
        assert len(token) >= 22  # at least 128 random bits, URL-safe base64
        assert item["qr"] == {"svg": f"{item['url']}/qr.svg", "png": f"{item['url']}/qr.png"}
        invitation = row(app, item["id"])
        assert invitation.token_hash == secret_hash(token)
        with app.app_context():
            assert invitation_by_token(db.session, token).public_id == item["id"]
        assert (invitation.procedure_code, invitation.channel) == ("1.001234", "online")
        assert invitation.answered_on is None
        # The local day of issue, never the time; valid that day and the 30 after it.
        assert before.astimezone(VN).date() <= invitation.issued_on <= after.astimezone(VN).date()
        expires_at = datetime.fromisoformat(item["expires_at"])
        assert expires_at.utcoffset() == timedelta(0)
        assert expires_at == invitation.expires_at == local_midnight(invitation.issued_on + timedelta(days=31))
    # Nothing says which key (or whose software) issued them.
    assert not {"issued_by_api_key_id", "issued_by_user_id", "reference_hash"} & set(Invitation.__table__.c.keys())
    assert invitation_count(app) == 7


def test_defaults_to_one_direct_invitation(app, client, keys):
    response = post(client, keys.q1, {"unit": "Q1"})
    assert response.status_code == 201
    (item,) = response.get_json()["invitations"]
    invitation = row(app, item["id"])
    assert (invitation.channel, invitation.procedure_code, invitation.unit_id) == (
        "direct", None, units_id(app, "Q1"))


def units_id(app, code: str) -> int:
    with app.app_context():
        return units.unit_by_code(db.session, code).id


def test_an_integral_number_is_a_count(app, client, keys):
    # JSON Schema, and so the OpenAPI document, counts 3.0 as an integer; 2.5 is refused below.
    response = post(client, keys.q1, '{"unit": "Q1", "count": 3.0}')
    assert response.status_code == 201
    assert len(response.get_json()["invitations"]) == 3 == invitation_count(app)


def test_urls_use_the_public_base_url_when_configured(app, client, keys):
    app.config["PUBLIC_BASE_URL"] = "https://khaosat.example.gov.vn/"
    response = post(client, keys.q1, {"unit": "Q1", "count": 2})
    for item in response.get_json()["invitations"]:
        assert item["url"].startswith("https://khaosat.example.gov.vn/s/")
        assert "//s/" not in item["url"]
        assert item["qr"]["png"] == item["url"] + "/qr.png"


def test_the_validity_is_configurable(app, client, keys):
    app.config["INVITATION_VALID_DAYS"] = 7
    (item,) = post(client, keys.q1, {"unit": "Q1"}).get_json()["invitations"]
    invitation = row(app, item["id"])
    assert invitation.expires_at == local_midnight(invitation.issued_on + timedelta(days=8))


def test_the_database_never_holds_the_token_or_the_reference(app, client, keys):
    response = post(client, keys.q1, {"unit": "Q1", "procedure": "1.001234",
                                      "reference": REFERENCE})
    assert response.status_code == 201
    (item,) = response.get_json()["invitations"]
    token = token_of(item["url"])
    invitation = row(app, item["id"])
    assert invitation.token_hash == secret_hash(token)
    # Not even a hash of the reference: neither a plain digest nor the keyed hash once kept.
    hashes = {hashlib.sha256(REFERENCE.encode()).hexdigest(),
              hmac.new(app.config["SECRET_KEY"].encode(), REFERENCE.encode(), hashlib.sha256).hexdigest()}
    with app.app_context():
        scanned = 0
        for table in db.metadata.sorted_tables:
            for values in db.session.execute(text(f"SELECT * FROM {table.name}")):
                for value in values:
                    scanned += 1
                    assert token not in str(value), table.name
                    assert REFERENCE not in str(value), table.name
                    assert "H29-240101" not in str(value), table.name
                    assert not any(digest in str(value) for digest in hashes), table.name
        assert scanned > 20
    status = client.get(f"/api/v1/invitations/{item['id']}", headers=auth(keys.q1))
    assert REFERENCE not in status.get_data(as_text=True)
    assert token not in status.get_data(as_text=True)


# ------------------------------------------------------------------------------- status

def test_status_goes_from_issued_to_answered(app, client, keys):
    (item,) = post(client, keys.q1, {"unit": "Q1", "procedure": "2.0001", "channel": "postal",
                                     "reference": REFERENCE}).get_json()["invitations"]
    invitation = row(app, item["id"])
    response = client.get(f"/api/v1/invitations/{item['id']}", headers=auth(keys.q1))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body == {
        "id": item["id"], "unit": "Q1", "procedure": "2.0001", "channel": "postal",
        "status": "issued", "issued_at": body["issued_at"], "expires_at": item["expires_at"],
    }
    # The day of issue is all that is kept: the API gives its start.
    assert datetime.fromisoformat(body["issued_at"]) == local_midnight(invitation.issued_on)

    set_columns(app, item["id"], answered_on=datetime.now(timezone.utc).date())
    body = client.get(f"/api/v1/invitations/{item['id']}", headers=auth(keys.q1)).get_json()
    assert body["status"] == "answered"
    assert set(body) == {"id", "unit", "procedure", "channel", "status", "issued_at", "expires_at"}


def test_status_expired_once_past_its_expiry(app, client, keys):
    (item,) = post(client, keys.q1, {"unit": "Q1"}).get_json()["invitations"]
    set_columns(app, item["id"], expires_at=datetime.now(timezone.utc) - timedelta(seconds=1))
    body = client.get(f"/api/v1/invitations/{item['id']}", headers=auth(keys.q1)).get_json()
    assert body["status"] == "expired"
    assert body["procedure"] is None and body["channel"] == "direct"


# ------------------------------------------------------------------------------- errors

def test_without_a_key_401_with_a_bearer_challenge(client, keys):
    for response in (post(client, None, {"unit": "Q1"}),
                     client.post("/api/v1/invitations", json={"unit": "Q1"},
                                 headers={"Authorization": f"Basic {keys.q1}"}),
                     client.post("/api/v1/invitations", json={"unit": "Q1"},
                                 headers={"Authorization": "Bearer "}),
                     client.get(f"/api/v1/invitations/{'0' * 32}")):
        assert_error(response, 401, "missing_api_key")
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_unknown_key_401(app, client, keys):
    for response in (post(client, "sk_" + "x" * 43, {"unit": "Q1"}),
                     post(client, keys.q1[:-1], {"unit": "Q1"}),
                     client.get(f"/api/v1/invitations/{'0' * 32}", headers=auth("sk_nope"))):
        assert_error(response, 401, "invalid_api_key")
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert invitation_count(app) == 0


def test_a_revoked_key_401_from_its_next_request(app, client, keys, runner):
    (item,) = post(client, keys.q1, {"unit": "Q1"}).get_json()["invitations"]
    result = runner.invoke(args=["apikeys", "revoke", str(keys.q1_id)])
    assert result.exit_code == 0, result.output
    assert_error(post(client, keys.q1, {"unit": "Q1"}), 401, "invalid_api_key")
    response = client.get(f"/api/v1/invitations/{item['id']}", headers=auth(keys.q1))
    assert_error(response, 401, "invalid_api_key")
    assert invitation_count(app) == 1
    assert post(client, keys.q3, {"unit": "Q3"}).status_code == 201  # the other keys still work


BAD_BODIES = [
    pytest.param("{", "invalid_json", id="truncated-json"),
    pytest.param("", "invalid_json", id="empty-body"),
    pytest.param("{'unit': 'Q1'}", "invalid_json", id="python-not-json"),
    pytest.param([{"unit": "Q1"}], "invalid_request", id="array-not-object"),
    pytest.param({}, "invalid_request", id="no-unit"),
    pytest.param({"unit": 1}, "invalid_request", id="unit-number"),
    pytest.param({"unit": ""}, "invalid_request", id="unit-empty"),
    pytest.param({"unit": "Q1", "count": "5"}, "invalid_request", id="count-string"),
    pytest.param({"unit": "Q1", "count": True}, "invalid_request", id="count-boolean"),
    pytest.param({"unit": "Q1", "count": 2.5}, "invalid_request", id="count-fraction"),
    pytest.param('{"unit": "Q1", "count": 1e400}', "invalid_request", id="count-infinite"),
    pytest.param({"unit": "Q1", "count": 501.0}, "invalid_request", id="count-501.0"),
    pytest.param({"unit": "Q1", "count": 0}, "invalid_request", id="count-zero"),
    pytest.param({"unit": "Q1", "count": 501}, "invalid_request", id="count-501"),
    pytest.param({"unit": "Q1", "count": -1}, "invalid_request", id="count-negative"),
    pytest.param({"unit": "Q1", "channel": "email"}, "invalid_request", id="channel-unknown"),
    pytest.param({"unit": "Q1", "channel": None}, "invalid_request", id="channel-null"),
    pytest.param({"unit": "Q1", "procedure": 12}, "invalid_request", id="procedure-number"),
    pytest.param({"unit": "Q1", "procedure": "x" * 65}, "invalid_request", id="procedure-too-long"),
    pytest.param({"unit": "Q1", "procedure": "   "}, "invalid_request", id="procedure-blank"),
    pytest.param({"unit": "Q1", "procedure": "a\x00b"}, "invalid_request", id="procedure-nul"),
    pytest.param({"unit": "Q1", "reference": ["a"]}, "invalid_request", id="reference-list"),
    pytest.param({"unit": "Q1", "reference": REFERENCE, "count": 2}, "invalid_request",
                 id="reference-with-count-2"),
    pytest.param({"unit": "Q1", "colour": "red"}, "invalid_request", id="unknown-field"),
    pytest.param({"unit": "NOPE"}, "unknown_unit", id="unknown-unit"),
    pytest.param({"unit": "q1"}, "unknown_unit", id="unit-codes-are-exact"),
]


@pytest.mark.parametrize(("body", "code"), BAD_BODIES)
def test_a_bad_body_400_and_stores_nothing(app, client, keys, body, code):
    error = assert_error(post(client, keys.q1, body), 400, code)
    assert invitation_count(app) == 0
    if code == "invalid_request" and isinstance(body, dict) and "colour" in body:
        assert error["details"] == [{"field": "colour", "message": "Extra inputs are not permitted"}]


def test_validation_errors_name_every_field(client, keys):
    error = assert_error(post(client, keys.q1, {"unit": 5, "count": 900, "channel": "fax"}),
                         400, "invalid_request")
    assert sorted(problem["field"] for problem in error["details"]) == ["channel", "count", "unit"]
    assert "count" in error["message"] and "channel" in error["message"]


def test_a_body_that_is_not_json_415(app, client, keys):
    response = client.post("/api/v1/invitations", data="unit=Q1", headers=auth(keys.q1),
                           content_type="application/x-www-form-urlencoded")
    assert_error(response, 415, "unsupported_media_type")
    assert invitation_count(app) == 0


def test_a_huge_body_413(app, client, keys):
    body = json.dumps({"unit": "Q1", "procedure": "x" * 70_000})
    assert_error(post(client, keys.q1, body), 413, "payload_too_large")


def test_the_key_is_checked_before_the_body(client, keys):
    assert_error(post(client, None, "{"), 401, "missing_api_key")
    assert_error(post(client, "sk_wrong", {"unit": "Q3"}), 401, "invalid_api_key")


# -------------------------------------------------------------------------------- scope

def test_a_key_may_issue_for_its_unit_and_below_but_not_a_sibling_or_parent(app, client, keys):
    assert post(client, keys.q1, {"unit": "Q1"}).status_code == 201
    response = post(client, keys.q1, {"unit": "P-BN", "count": 2})
    assert response.status_code == 201
    for item in response.get_json()["invitations"]:
        assert row(app, item["id"]).unit_id == units_id(app, "P-BN")
    assert invitation_count(app) == 3
    assert_error(post(client, keys.q1, {"unit": "Q3"}), 403, "unit_out_of_scope")
    assert_error(post(client, keys.q1, {"unit": "HCM"}), 403, "unit_out_of_scope")
    assert_error(post(client, keys.pbn, {"unit": "Q1"}), 403, "unit_out_of_scope")
    assert invitation_count(app) == 3


def test_a_key_sees_the_status_of_its_units_only(client, keys):
    (child,) = post(client, keys.pbn, {"unit": "P-BN"}).get_json()["invitations"]
    (sibling,) = post(client, keys.q3, {"unit": "Q3"}).get_json()["invitations"]
    (own,) = post(client, keys.q1, {"unit": "Q1"}).get_json()["invitations"]
    # The parent's key sees the child's invitation...
    response = client.get(f"/api/v1/invitations/{child['id']}", headers=auth(keys.q1))
    assert response.status_code == 200 and response.get_json()["unit"] == "P-BN"
    # ...but not a sibling's, nor a child key its parent's: 404, exactly as for no invitation.
    unknown = assert_error(client.get(f"/api/v1/invitations/{'f' * 32}", headers=auth(keys.q1)),
                           404, "not_found")
    for key, public_id in ((keys.q1, sibling["id"]), (keys.pbn, own["id"]), (keys.q3, own["id"])):
        error = assert_error(client.get(f"/api/v1/invitations/{public_id}", headers=auth(key)),
                             404, "not_found")
        assert error == unknown


def test_other_paths_and_methods_under_the_api_answer_json(client, keys):
    assert_error(client.get("/api/v1/nothing-here", headers=auth(keys.q1)), 404, "not_found")
    assert_error(client.get("/api/v1/invitations/a/b", headers=auth(keys.q1)), 404, "not_found")
    response = client.delete("/api/v1/invitations", headers=auth(keys.q1))
    assert_error(response, 405, "method_not_allowed")
    assert "POST" in response.headers["Allow"]
    response = client.get("/api/v1/invitations", headers=auth(keys.q1))
    assert_error(response, 405, "method_not_allowed")
    response = client.post(f"/api/v1/invitations/{'0' * 32}", headers=auth(keys.q1))
    assert_error(response, 405, "method_not_allowed")
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "HEAD"}


# ----------------------------------------------------------------------------- QR codes

def zbar(png: bytes, tmp_path) -> list[str]:
    path = tmp_path / "qr.png"
    path.write_bytes(png)
    result = subprocess.run(["/usr/bin/zbarimg", "--raw", "-q", str(path)], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def svg_to_png(svg: bytes, tmp_path) -> bytes:
    """Rasterise an SVG as a browser would show it: WeasyPrint draws it into a PDF page, which
    pdftoppm turns into pixels."""
    from weasyprint import HTML

    src = "data:image/svg+xml;base64," + base64.b64encode(svg).decode()
    pdf = HTML(string=f'<img src="{src}" style="width: 8cm; margin: 2cm">').write_pdf()
    (tmp_path / "qr.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-singlefile", str(tmp_path / "qr.pdf"),
                    str(tmp_path / "page")], check=True, timeout=60)
    return (tmp_path / "page.png").read_bytes()


def test_the_qr_codes_decode_to_the_invitation_url(client, keys, tmp_path):
    (item,) = post(client, keys.q1, {"unit": "Q1"}).get_json()["invitations"]
    png = client.get(item["qr"]["png"])
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert png.headers["Cache-Control"] == "no-store"
    assert png.data.startswith(b"\x89PNG\r\n\x1a\n")
    assert zbar(png.data, tmp_path) == [item["url"]]

    svg = client.get(item["qr"]["svg"])
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert svg.headers["Cache-Control"] == "no-store"
    assert svg.data.lstrip().startswith(b"<svg")
    assert zbar(svg_to_png(svg.data, tmp_path), tmp_path) == [item["url"]]


def test_the_qr_codes_use_the_public_base_url(app, client, keys, tmp_path):
    app.config["PUBLIC_BASE_URL"] = "https://khaosat.example.gov.vn"
    (item,) = post(client, keys.q1, {"unit": "Q1"}).get_json()["invitations"]
    png = client.get("/s/" + token_of(item["url"]) + "/qr.png")
    assert zbar(png.data, tmp_path) == ["https://khaosat.example.gov.vn/s/" + token_of(item["url"])]


def test_no_qr_code_for_an_unknown_answered_or_expired_invitation(app, client, keys):
    answered, expired, fresh = post(client, keys.q1, {"unit": "Q1", "count": 3}).get_json()["invitations"]
    set_columns(app, answered["id"], answered_on=datetime.now(timezone.utc).date())
    set_columns(app, expired["id"], expires_at=datetime.now(timezone.utc) - timedelta(seconds=1))
    for suffix in ("qr.svg", "qr.png"):
        assert client.get(f"/s/{token_of(fresh['url'])}/{suffix}").status_code == 200
        assert client.get(f"/s/{token_of(answered['url'])}/{suffix}").status_code == 404
        assert client.get(f"/s/{token_of(expired['url'])}/{suffix}").status_code == 404
        assert client.get(f"/s/{'A' * 24}/{suffix}").status_code == 404


def test_revoking_a_key_leaves_its_invitations_usable(app, client, keys):
    (item,) = post(client, keys.q1, {"unit": "Q1"}).get_json()["invitations"]
    with app.app_context():
        api_keys.revoke_api_key(db.session, keys.q1_id, datetime.now(timezone.utc))
        db.session.commit()
        assert db.session.get(ApiKey, keys.q1_id).revoked_at is not None
    assert client.get(item["qr"]["png"]).status_code == 200


@pytest.mark.parametrize("method", ["TRACE", "PROPFIND", "MKCOL"])
def test_a_method_no_rule_takes_is_a_json_405_with_allow(client, keys, method):
    # Issue 16: routing refused these before the API's blueprint was chosen: an HTML page.
    for path in ("/api/v1/invitations", f"/api/v1/invitations/{'0' * 32}"):
        response = client.open(path, method=method, headers=auth(keys.q1))
        assert_error(response, 405, "method_not_allowed")
        assert "OPTIONS" in response.headers["Allow"] and method not in response.headers["Allow"]
