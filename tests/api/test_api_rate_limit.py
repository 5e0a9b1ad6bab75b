"""Each API key has its own rate limit (API_RATE_LIMIT), wherever its requests come from."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from survey_app.extensions import db
from survey_app.services import api_keys, units

UNITS = "code,name,parent\nHCM,Thành phố Hồ Chí Minh,\nQ1,UBND Quận 1,HCM\n"
OFFICE, ELSEWHERE = "198.51.100.7", "203.0.113.9"


@pytest.fixture
def keys(app) -> list[str]:
    with app.app_context():
        units.import_units(db.session, UNITS.encode())
        q1 = units.unit_by_code(db.session, "Q1")
        made = [api_keys.create_api_key(db.session, name=f"one-stop {i}", unit=q1,
                                        now=datetime.now(timezone.utc))[1] for i in range(2)]
        db.session.commit()
    app.config["API_RATE_LIMIT"] = "3 per minute"
    return made


def issue(client, key: str | None, address: str = OFFICE):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return client.post("/api/v1/invitations", json={"unit": "Q1"}, headers=headers,
                       environ_base={"REMOTE_ADDR": address})


def status_of(client, key: str, address: str = OFFICE):
    return client.get(f"/api/v1/invitations/{'0' * 32}", headers={"Authorization": f"Bearer {key}"},
                      environ_base={"REMOTE_ADDR": address})


def test_the_limit_is_counted_per_api_key_across_the_api(client, keys):
    first, second = keys
    assert [issue(client, first).status_code, status_of(client, first).status_code,
            issue(client, first, ELSEWHERE).status_code] == [201, 404, 201]
    # Three requests of this key, from two addresses and on two resources: the fourth is
    # refused, whatever it asks and wherever it comes from.
    for refused in (issue(client, first, ELSEWHERE), status_of(client, first),
                    issue(client, first, "192.0.2.1")):
        assert refused.status_code == 429
    # Another key from the very same address is not held back.
    assert [issue(client, second).status_code for _ in range(3)] == [201, 201, 201]
    assert issue(client, second).status_code == 429


def test_a_refusal_is_json_with_retry_after(client, keys):
    for _ in range(3):
        issue(client, keys[0])
    refused = issue(client, keys[0])
    assert refused.status_code == 429
    assert refused.mimetype == "application/json"
    error = refused.get_json()["error"]
    assert error["code"] == "rate_limited" and set(error) == {"code", "message"}
    assert "3 per 1 minute" in error["message"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["X-RateLimit-Limit"] == "3"
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert refused.headers["Cache-Control"] == "no-store"


def test_requests_without_a_valid_key_are_counted_per_address(client, keys):
    guesses = [issue(client, f"sk_guess{i}").status_code for i in range(3)] + [issue(client, None).status_code]
    assert guesses == [401, 401, 401, 429]
    assert issue(client, "sk_guess", ELSEWHERE).status_code == 401
    # A valid key from the guessing address has its own count.
    assert issue(client, keys[0]).status_code == 201


def test_the_limit_comes_from_the_configuration(app, client, keys):
    app.config["API_RATE_LIMIT"] = "5 per minute"
    assert [issue(client, keys[0]).status_code for _ in range(6)] == [201] * 5 + [429]
