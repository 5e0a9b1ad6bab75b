"""Errors under ``/api/v1`` are JSON ``{"error": {"code", "message"}}``, never HTML pages."""

from __future__ import annotations

from flask import current_app
from pydantic import BaseModel
from werkzeug.exceptions import HTTPException

from survey_app.web.api import bp
from survey_app.web.api.openapi import ErrorBody

_HTTP_ERROR_CODES = {
    400: "invalid_request", 401: "invalid_api_key", 403: "unit_out_of_scope", 404: "not_found",
    405: "method_not_allowed", 413: "payload_too_large", 415: "unsupported_media_type",
    429: "rate_limited", 500: "internal_error", 503: "service_unavailable",
}


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, *, details: list | None = None,
                 headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.details, self.headers = details, headers or {}


def json_response(model: BaseModel, status: int = 200, headers: dict | None = None, *,
                  exclude_none: bool = False):
    response = current_app.response_class(model.model_dump_json(exclude_none=exclude_none),
                                          status=status, mimetype="application/json")
    response.headers.update(headers or {})
    return response


def _error_response(status: int, code: str, message: str, details: list | None = None,
                    headers: dict | None = None):
    body = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    # Only "details" is ever None in an error: left out rather than sent as null.
    return json_response(ErrorBody.model_validate({"error": body}), status, headers, exclude_none=True)


@bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    return _error_response(error.status, error.code, error.message, error.details, error.headers)


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    """JSON, with the exception's headers (``Allow`` of a 405); also for errors raised before
    routing chose the blueprint (a method no rule takes: TRACE, PROPFIND): web/errors.py."""
    headers = dict(error.get_headers())
    headers.pop("Content-Type", None)
    return _error_response(error.code or 500, _HTTP_ERROR_CODES.get(error.code, "error"),
                           error.description or error.name, headers=headers)


@bp.after_request
def _no_store(response):
    # Responses carry single-use survey addresses: no cache may keep them.
    response.headers["Cache-Control"] = "no-store"
    return response
