"""``/api/v1/openapi.json``: a valid OpenAPI document that the real responses conform to."""

from __future__ import annotations

import copy
from datetime import datetime, timezone

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from survey_app.extensions import db
from survey_app.services import api_keys, units

# "Q1" is the unit of the document's request example, so that the example really issues.
UNITS = "code,name,parent\nHCM,Thành phố Hồ Chí Minh,\nQ1,UBND Quận 1,HCM\nQ3,UBND Quận 3,HCM\n"
MAX_EXAMPLES = 30
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]


@pytest.fixture
def api_key(app) -> str:
    with app.app_context():
        units.import_units(db.session, UNITS.encode())
        _, key = api_keys.create_api_key(db.session, name="schemathesis",
                                         unit=units.unit_by_code(db.session, "Q1"),
                                         now=datetime.now(timezone.utc))
        db.session.commit()
    return key


@pytest.fixture
def api_schema(app, api_key):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def test_the_document_is_valid_openapi(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.get_json()
    assert document["openapi"].startswith("3.1")
    # Validated against the official OpenAPI 3.1 meta-schema.
    schemathesis.openapi.from_dict(copy.deepcopy(document)).validate()
    # ...which does catch a broken document:
    broken = copy.deepcopy(document)
    del broken["paths"]["/invitations"]["post"]["responses"]["201"]["description"]
    with pytest.raises(Exception, match="description"):
        schemathesis.openapi.from_dict(broken).validate()


def test_the_document_describes_both_operations_security_and_errors(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["servers"] == [{"url": "/api/v1"}]
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "description": "An API key, e.g. `sk_...`."}
    assert document["security"] == [{"bearerAuth": []}]
    post = document["paths"]["/invitations"]["post"]
    get = document["paths"]["/invitations/{id}"]["get"]
    assert set(post["responses"]) == {"201", "400", "401", "403", "413", "415", "422", "429"}
    assert set(get["responses"]) == {"200", "401", "404", "429"}
    assert [parameter["name"] for parameter in post["parameters"]] == ["Idempotency-Key"]
    assert post["responses"]["429"]["headers"]["Retry-After"]
    schemas = document["components"]["schemas"]
    request = schemas["InvitationRequest"]
    assert request["additionalProperties"] is False and request["required"] == ["unit"]
    assert request["properties"]["count"].items() >= {"minimum": 1, "maximum": 500, "default": 1}.items()
    assert request["properties"]["channel"]["enum"] == ["direct", "online", "postal"]
    status = schemas["InvitationStatus"]
    assert set(status["properties"]) == {"id", "unit", "procedure", "channel", "status",
                                         "issued_at", "expires_at"}
    assert status["properties"]["status"]["enum"] == ["issued", "answered", "expired"]
    assert status["additionalProperties"] is False  # so no reference or answers can slip in
    issued = schemas["IssuedInvitation"]
    assert set(issued["required"]) == {"id", "url", "expires_at", "qr"}
    for response in (*post["responses"].values(), *get["responses"].values()):
        (media_type,) = response["content"]
        assert media_type == "application/json"
    assert post["responses"]["401"]["headers"]["WWW-Authenticate"]


# schemathesis.pytest.from_fixture() cannot run here: its pytest integration sets
# Function._nodeid, which pytest 9 no longer has. Instead each operation's Hypothesis strategy
# (schemathesis's documented "use with @given" API) is run inside an ordinary test.

POST, GET = ("POST", "/invitations"), ("GET", "/invitations/{id}")


def run_generated(operation, mode: GenerationMode, headers: dict | None, sent: list) -> None:
    @given(case=operation.as_strategy(generation_mode=mode, headers=headers))
    @settings(max_examples=MAX_EXAMPLES, derandomize=True, database=None, deadline=None,
              suppress_health_check=[HealthCheck.too_slow])
    def check(case):
        response = case.call_and_validate(checks=CHECKS)
        sent.append((mode, headers is not None, response.status_code))

    check()


@pytest.mark.nightly
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
@pytest.mark.parametrize("operation", [POST, GET], ids=" ".join)
def test_generated_requests_get_responses_that_conform(api_schema, api_key, operation, mode):
    """Schemathesis generates requests (valid ones, or NEGATIVE: ones the document forbids),
    with and without the key, and checks every real response against the document."""
    method, path = operation
    sent: list = []
    run_generated(api_schema[path][method], mode, {"Authorization": f"Bearer {api_key}"}, sent)
    run_generated(api_schema[path][method], mode, None, sent)
    statuses = {status for _, _, status in sent}
    assert len(sent) >= MAX_EXAMPLES
    # The runs reached the handlers, not only the authentication:
    expected = {"POST": {400, 401}, "GET": {401, 404}}[method]
    assert expected <= statuses, statuses


def test_every_documented_response_conforms(api_schema, api_key, app, client):
    """The answers random generation seldom reaches (success, scope, media type) are sent
    explicitly and checked the same way."""
    auth = {"Authorization": f"Bearer {api_key}"}
    post, get = api_schema["/invitations"]["POST"], api_schema["/invitations/{id}"]["GET"]

    def checked(case, status: int):
        response = case.call_and_validate(checks=CHECKS)
        assert response.status_code == status, response.text
        return response

    issued = checked(post.Case(headers=auth, media_type="application/json",
                               body={"unit": "Q1", "procedure": "1.001234", "reference": "HS-1",
                                     "channel": "online"}), 201).json()["invitations"]
    checked(post.Case(headers=auth, media_type="application/json",
                      body={"unit": "Q1", "count": 500}), 201)
    checked(post.Case(headers=auth, media_type="application/json", body={"unit": "Q3"}), 403)
    checked(post.Case(headers=auth, media_type="application/json", body={"unit": "NOPE"}), 400)
    checked(post.Case(headers=auth, media_type="application/json",
                      body={"unit": "Q1", "count": 0, "extra": 1}), 400)
    checked(post.Case(headers={"Authorization": "Bearer sk_unknown"},
                      media_type="application/json", body={"unit": "Q1"}), 401)
    checked(get.Case(headers=auth, path_parameters={"id": issued[0]["id"]}), 200)
    checked(get.Case(headers=auth, path_parameters={"id": "0" * 32}), 404)
    checked(get.Case(headers={}, path_parameters={"id": issued[0]["id"]}), 401)

    once = {**auth, "Idempotency-Key": "dossier-1"}
    first = checked(post.Case(headers=once, media_type="application/json", body={"unit": "Q1"}), 201)
    again = checked(post.Case(headers=once, media_type="application/json", body={"unit": "Q1"}), 201)
    assert again.json() == first.json()
    checked(post.Case(headers=once, media_type="application/json", body={"unit": "Q1", "count": 2}),
            422)
    app.config["API_RATE_LIMIT"] = "1 per minute"  # a new limit, counted afresh
    checked(post.Case(headers=auth, media_type="application/json", body={"unit": "Q1"}), 201)
    checked(post.Case(headers=auth, media_type="application/json", body={"unit": "Q1"}), 429)
    checked(get.Case(headers=auth, path_parameters={"id": issued[0]["id"]}), 429)
    app.config["API_RATE_LIMIT"] = "600 per minute"

    # Statuses schemathesis cannot produce from the document itself (a body that is too
    # large, or not JSON) are checked by validating real responses with the same checks.
    too_large = client.post("/api/v1/invitations", headers=auth, content_type="application/json",
                            data='{"unit": "' + "x" * 70_000 + '"}')
    assert too_large.status_code == 413
    post.Case(headers=auth, media_type="application/json", body={"unit": "Q1"}).validate_response(
        too_large, checks=CHECKS)
    form = client.post("/api/v1/invitations", headers=auth, data={"unit": "Q1"})
    assert form.status_code == 415
    post.Case(headers=auth, media_type="application/json", body={"unit": "Q1"}).validate_response(
        form, checks=CHECKS)


def test_the_checks_do_catch_a_response_that_breaks_the_document(api_schema, api_key, app):
    """The conformance checks are not vacuous: a status leaking the reference fails them."""
    auth = {"Authorization": f"Bearer {api_key}"}
    get = api_schema["/invitations/{id}"]["GET"]
    issued = api_schema["/invitations"]["POST"].Case(
        headers=auth, media_type="application/json", body={"unit": "Q1"}).call().json()
    public_id = issued["invitations"][0]["id"]
    original = app.view_functions["api.invitation_status"]

    def leaky(public_id):
        response = original(public_id)
        response.set_data(response.get_data()[:-1] + b', "reference": "HS-1"}')
        return response

    app.view_functions["api.invitation_status"] = leaky
    with pytest.raises(schemathesis.errors.FailureGroup) as failures:
        get.Case(headers=auth, path_parameters={"id": public_id}).call_and_validate(checks=CHECKS)
    (failure,) = failures.value.exceptions
    assert "'reference' was unexpected" in str(failure)
