"""The REST API's contract: the request and response models, and the OpenAPI 3.1 document
built from them (served at ``/api/v1/openapi.json``).

The same pydantic models validate what comes in and shape what goes out, so the published
schemas cannot drift from what the handlers accept and return.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints
from pydantic.json_schema import models_json_schema

from survey_app.domain import invitation
from survey_app.domain.text import text_problem
from survey_app.services.invitations import DOSSIER_CHANNELS, MAX_PER_REQUEST

API_VERSION = "1.0.0"
BASE_PATH = "/api/v1"



def _plain(value: str) -> str:
    """The rule of every form and importer (domain/text.py): printable text only. Control
    characters (NUL above all, which PostgreSQL refuses) and lone surrogates are never part
    of a unit code, a procedure code or a dossier reference."""
    problem = text_problem(value)
    if problem:
        raise ValueError(problem)
    return value


# The pattern publishes the core of the rule in the schema; _plain applies all of it.
_PRINTABLE = r"^[^\x00-\x1f\x7f]+$"
Code = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=_PRINTABLE),
                 AfterValidator(_plain)]
Reference = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=_PRINTABLE),
                      AfterValidator(_plain)]
Channel = Literal["direct", "online", "postal"]


def _integral(value: Any) -> Any:
    """JSON Schema counts 3.0 as an integer, so the API does too (but not 2.5, "3" or true)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


Count = Annotated[int, BeforeValidator(_integral)]
assert set(Channel.__args__) == set(DOSSIER_CHANNELS)  # type: ignore[attr-defined]
Status = Literal["issued", "answered", "expired"]
assert set(Status.__args__) == set(invitation.InvitationStatus)  # type: ignore[attr-defined]

ERROR_CODES = (
    "invalid_json", "invalid_request", "unknown_unit", "missing_api_key", "invalid_api_key",
    "unit_out_of_scope", "not_found", "method_not_allowed", "payload_too_large",
    "unsupported_media_type", "idempotency_key_reused", "rate_limited", "internal_error",
    "service_unavailable", "error",
)
ErrorCode = Literal[ERROR_CODES]  # type: ignore[valid-type]


def _uri(description: str) -> Any:
    return Field(description=description, json_schema_extra={"format": "uri"})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class InvitationRequest(_Strict):
    """What the one-stop software sends when it returns a dossier's result."""

    unit: Code = Field(description="Code of the unit that handled the dossier (the API key's "
                                   "unit or a unit below it).")
    procedure: Code | None = Field(None, description="Code of the administrative procedure.")
    reference: Reference | None = Field(
        None, description="The dossier's reference. It is checked and never stored (nor returned): "
                          "it belongs to one invitation, so it requires count 1.")
    channel: Channel = Field("direct", description="How the dossier was submitted: at the counter "
                                                   "(direct), online or by post (postal).")
    count: Count = Field(1, ge=1, le=MAX_PER_REQUEST, description="How many invitations to issue.")


class QrLinks(_Strict):
    svg: str = _uri("The invitation's QR code as SVG.")
    png: str = _uri("The invitation's QR code as PNG.")


class IssuedInvitation(_Strict):
    id: str = Field(description="The invitation's public id, for GET /invitations/{id}.")
    url: str = _uri("The survey address to give the citizen (single use; print it or its QR).")
    expires_at: datetime = Field(description="When the invitation expires (UTC): the local midnight "
                                             "that ends its last valid day.")
    qr: QrLinks


class InvitationsIssued(_Strict):
    invitations: list[IssuedInvitation] = Field(min_length=1, max_length=MAX_PER_REQUEST)


class InvitationStatus(_Strict):
    id: str
    unit: str = Field(description="Code of the invitation's unit.")
    procedure: str | None
    channel: Channel
    status: Status = Field(
        description="issued: can still be answered; answered: the citizen answered it (the "
                    "answers themselves are never returned); expired: past its expiry unanswered.")
    issued_at: datetime = Field(description="The start (local midnight, in UTC) of the day it was "
                                            "issued: no finer time is kept.")
    expires_at: datetime = Field(description="When it expires (UTC): the local midnight that ends "
                                             "its last valid day.")


class FieldProblem(_Strict):
    field: str = Field(description="Where in the body, e.g. 'count'; empty for the whole body.")
    message: str


class ErrorDetail(_Strict):
    code: ErrorCode
    message: str
    details: list[FieldProblem] | None = Field(None, description="For invalid_request: each problem.")


class ErrorBody(_Strict):
    error: ErrorDetail


def _json(schema: str, description: str, headers: dict | None = None) -> dict:
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }
    if headers:
        response["headers"] = headers
    return response


def _error(description: str, headers: dict | None = None) -> dict:
    return _json("ErrorBody", description, headers)


_NO_STORE = {"Cache-Control": {"description": "Always no-store.", "schema": {"type": "string"}}}
_REPLAYED = {"Idempotent-Replayed": {
    "description": "With an Idempotency-Key: true when this answers an earlier request again.",
    "schema": {"type": "string", "enum": ["true", "false"]}}}
_RATE_LIMITED = _error(
    "Too many requests from this API key (rate_limited); API_RATE_LIMIT, 600 a minute by default.",
    {"Retry-After": {"description": "Seconds until the key may send again.",
                     "schema": {"type": "string", "pattern": "^[0-9]+$"}}},
)
_IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "description": (
        "Makes the request safe to retry: any string unique to this request, e.g. a UUID. A "
        "retry with the same key and the same body (the same fields once defaults are filled "
        "in) answers the invitations of the first request again (201, `Idempotent-Replayed: "
        "true`) and issues none; the same key with another body is refused (422, "
        "idempotency_key_reused). Keys belong to the API key and are remembered for 24 hours "
        "by default (API_IDEMPOTENCY_HOURS). Of simultaneous requests with one key, exactly one issues "
        "invitations and the others answer them. Failed requests are not remembered."),
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[ -~]+$"},
}
_UNAUTHORIZED = _error(
    "No API key (missing_api_key), or an unknown or revoked one (invalid_api_key).",
    {"WWW-Authenticate": {"description": "Bearer challenge.", "schema": {"type": "string"}}},
)


def openapi_document() -> dict[str, Any]:
    _, definitions = models_json_schema(
        [(InvitationRequest, "validation"), (InvitationsIssued, "serialization"),
         (InvitationStatus, "serialization"), (ErrorBody, "serialization")],
        ref_template="#/components/schemas/{model}",
    )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "survey_app API",
            "version": API_VERSION,
            "description": (
                "For one-stop-shop software: mint a single-use survey invitation per dossier "
                "when its result is returned, print its QR code on the receipt, and later see "
                "whether it was answered. Authenticate with an API key "
                "(`flask --app survey_app apikeys create`) as `Authorization: Bearer <key>`; a "
                "key acts on its unit and every unit below it. Every error has the body "
                "`{\"error\": {\"code\", \"message\"}}`. Each API key has its own rate "
                "limit (429 with Retry-After beyond it). Send an Idempotency-Key with "
                "POST /invitations to retry it safely."
            ),
        },
        "servers": [{"url": BASE_PATH}],
        "security": [{"bearerAuth": []}],
        "paths": {
            "/invitations": {
                "post": {
                    "operationId": "issueInvitations",
                    "summary": "Issue single-use invitations for a unit",
                    "parameters": [_IDEMPOTENCY_KEY],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/InvitationRequest"},
                            "example": {"unit": "Q1", "procedure": "1.001234", "reference":
                                        "000.00.01.H29-240101-0001", "channel": "direct", "count": 1},
                        }},
                    },
                    "responses": {
                        "201": _json("InvitationsIssued", "The invitations, with their survey "
                                     "addresses (shown only now, and to retries with the same "
                                     "Idempotency-Key) and QR links.", {**_NO_STORE, **_REPLAYED}),
                        "400": _error("Malformed JSON (invalid_json), a body that does not match "
                                      "the schema or an Idempotency-Key that is not 1 to 255 "
                                      "printable ASCII characters (invalid_request), or an "
                                      "unknown unit (unknown_unit)."),
                        "401": _UNAUTHORIZED,
                        "403": _error("The unit is outside the API key's units (unit_out_of_scope)."),
                        "413": _error("The body is too large (payload_too_large)."),
                        "415": _error("The body is not application/json (unsupported_media_type)."),
                        "422": _error("The Idempotency-Key was used for another body "
                                      "(idempotency_key_reused)."),
                        "429": _RATE_LIMITED,
                    },
                },
            },
            "/invitations/{id}": {
                "get": {
                    "operationId": "getInvitation",
                    "summary": "An invitation's status",
                    "parameters": [{
                        "name": "id", "in": "path", "required": True,
                        "description": "The id returned when the invitation was issued.",
                        "schema": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
                    }],
                    "responses": {
                        "200": _json("InvitationStatus", "The invitation's status.", _NO_STORE),
                        "401": _UNAUTHORIZED,
                        "404": _error("No such invitation among the API key's units (not_found)."),
                        "429": _RATE_LIMITED,
                    },
                },
            },
        },
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer",
                               "description": "An API key, e.g. `sk_...`."},
            },
            "schemas": definitions["$defs"],
        },
    }
