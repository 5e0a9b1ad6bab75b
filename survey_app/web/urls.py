"""Absolute addresses handed to citizens (QR codes, slips, posters, kiosks, the API)."""

from __future__ import annotations

from flask import current_app, url_for


def public_url(endpoint: str, **values) -> str:
    """PUBLIC_BASE_URL when the deployment sets it (behind a proxy the request's host may not
    be what citizens can reach), else the address this request came in on."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def survey_url(token: str) -> str:
    """The address of an invitation's survey, as printed and encoded in its QR code."""
    return public_url("invitation.survey", token=token)
