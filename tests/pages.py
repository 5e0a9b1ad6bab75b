"""Reading the survey form the way a browser does: the hidden fields it sends back; talking
to a real server over HTTP."""

from __future__ import annotations

import http.client
import re


def hidden_field(html: str, name: str) -> str:
    """The value of the form field ``name`` in a page (the CSRF token, the submission key)."""
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html)
    assert match, f"no field {name} in the page"
    return match.group(1)


def survey_fields(client, url: str, **kwargs) -> dict[str, str]:
    """GET a survey page (200 expected); the CSRF token and submission key a browser posts back."""
    page = client.get(url, **kwargs)
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    html = page.get_data(as_text=True)
    fields = {name: hidden_field(html, name) for name in ("csrf_token", "submission_key", "served_at")}
    assert all(fields.values()), fields
    return fields


def http_request(host: str, port: int, method: str, path: str, cookie: str = "",
                 body: str | None = None) -> tuple[int, dict, str]:
    """One request to a live server, on a fresh connection: (status, headers, body text)."""
    connection = http.client.HTTPConnection(host, port, timeout=60)
    try:
        headers = {"Cookie": cookie} if cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode("utf-8")
    finally:
        connection.close()
