"""``Idempotency-Key`` on ``POST /api/v1/invitations``: a retry gets the same invitations."""

from __future__ import annotations

import http.client
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select, text

from survey_app.extensions import db
from survey_app.models import ApiKey, Invitation
from survey_app.models.access import IdempotentRequest
from survey_app.services import api_keys, idempotency, units
from survey_app.services.secrets import secret_hash

UNITS = "code,name,parent\nHCM,Thành phố Hồ Chí Minh,\nQ1,UBND Quận 1,HCM\nQ3,UBND Quận 3,HCM\n"
BODY = {"unit": "Q1", "procedure": "1.001234", "channel": "online", "count": 3}


@pytest.fixture
def keys(app) -> dict[str, str]:
    """Two API keys of unit Q1 and one of Q3: name -> the key itself."""
    now = datetime.now(timezone.utc)
    with app.app_context():
        units.import_units(db.session, UNITS.encode())
        made = {name: api_keys.create_api_key(db.session, name=name, now=now,
                                              unit=units.unit_by_code(db.session, unit))[1]
                for name, unit in (("first", "Q1"), ("second", "Q1"), ("q3", "Q3"))}
        db.session.commit()
    return made


def post(client, key: str, body, idempotency_key: str | None = None):
    headers = {"Authorization": f"Bearer {key}"}
    if idempotency_key is not None:
        headers["Idempotency-Key"] = idempotency_key
    if isinstance(body, str):
        return client.post("/api/v1/invitations", data=body, headers=headers,
                           content_type="application/json")
    return client.post("/api/v1/invitations", json=body, headers=headers)


def counts(app) -> tuple[int, int]:
    """(invitations, remembered requests) in the database."""
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(Invitation)),
                db.session.scalar(select(func.count()).select_from(IdempotentRequest)))


def error_code(response, status: int) -> str:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"} and body["error"]["message"].strip()
    return body["error"]["code"]


def test_a_retry_gets_the_same_invitations_and_mints_none(app, client, keys):
    first = post(client, keys["first"], BODY, "dossier-0001")
    assert first.status_code == 201, first.get_data(as_text=True)
    assert first.headers["Idempotent-Replayed"] == "false"
    assert counts(app) == (3, 1)
    for _ in range(2):
        retry = post(client, keys["first"], BODY, "dossier-0001")
        assert retry.status_code == 201
        assert retry.headers["Idempotent-Replayed"] == "true"
        assert retry.get_data() == first.get_data()
    assert counts(app) == (3, 1)
    # The replayed addresses are the real ones: each token is the one its invitation was
    # minted with, and opens the survey.
    issued = first.get_json()["invitations"]
    with app.app_context():
        for item in issued:
            invitation = db.session.scalar(select(Invitation).where(Invitation.public_id == item["id"]))
            token = item["url"].rsplit("/s/", 1)[1]
            assert invitation.token_hash == secret_hash(token)
            assert (invitation.procedure_code, invitation.channel) == ("1.001234", "online")
    assert len({item["url"] for item in issued}) == 3
    assert client.get(urlsplit(issued[0]["url"]).path).status_code == 200


def test_the_same_fields_written_differently_are_the_same_request(app, client, keys):
    first = post(client, keys["first"], {"unit": "Q1"}, "k")
    retry = post(client, keys["first"], '{ "count": 1.0, "channel": "direct",  "unit": "Q1" }', "k")
    assert retry.status_code == 201 and retry.get_data() == first.get_data()
    assert counts(app) == (1, 1)


@pytest.mark.parametrize("other", [{**BODY, "count": 2}, {**BODY, "procedure": "1.009999"},
                                   {**BODY, "unit": "Q3"}, {"unit": "Q1"}])
def test_the_same_key_with_another_body_422_and_mints_nothing(app, client, keys, other):
    first = post(client, keys["first"], BODY, "dossier-0001")
    refused = post(client, keys["first"], other, "dossier-0001")
    assert error_code(refused, 422) == "idempotency_key_reused"
    assert "different request" in refused.get_json()["error"]["message"]
    assert counts(app) == (3, 1)
    # ...and the original retry still works.
    assert post(client, keys["first"], BODY, "dossier-0001").get_data() == first.get_data()


def test_keys_belong_to_their_api_key(app, client, keys):
    mine = post(client, keys["first"], BODY, "shared-key")
    theirs = post(client, keys["second"], BODY, "shared-key")
    assert mine.status_code == theirs.status_code == 201
    assert theirs.headers["Idempotent-Replayed"] == "false"
    mine_ids = {item["id"] for item in mine.get_json()["invitations"]}
    assert mine_ids.isdisjoint(item["id"] for item in theirs.get_json()["invitations"])
    # Another body under the other API key's key is not a reuse of this one's.
    assert post(client, keys["q3"], {"unit": "Q3"}, "shared-key").status_code == 201
    assert counts(app) == (7, 3)


def test_without_the_header_every_request_mints(app, client, keys):
    ids = [post(client, keys["first"], {"unit": "Q1"}).get_json()["invitations"][0]["id"]
           for _ in range(2)]
    assert ids[0] != ids[1]
    assert counts(app) == (2, 0)


def test_a_key_is_forgotten_after_the_kept_time(app, client, keys):
    app.config["API_IDEMPOTENCY_HOURS"] = 24
    first = post(client, keys["first"], BODY, "old-key")
    other = post(client, keys["first"], BODY, "recent-key")
    with app.app_context():
        remembered = db.session.scalar(select(IdempotentRequest).where(
            IdempotentRequest.idempotency_key == idempotency.key_fingerprint(keys["first"], "old-key")))
        remembered.created_at -= timedelta(hours=24, seconds=1)
        db.session.commit()
    again = post(client, keys["first"], {"unit": "Q1"}, "old-key")  # another body is fine now
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "false"
    assert again.get_json()["invitations"][0]["id"] not in first.get_data(as_text=True)
    assert counts(app) == (7, 2)
    assert post(client, keys["first"], BODY, "recent-key").get_data() == other.get_data()


def test_a_failed_request_is_not_remembered(app, client, keys):
    assert error_code(post(client, keys["first"], {"unit": "Q3"}, "k-1"), 403) == "unit_out_of_scope"
    assert error_code(post(client, keys["first"], {"unit": "NOPE"}, "k-1"), 400) == "unknown_unit"
    assert error_code(post(client, keys["first"], {"unit": "Q1", "count": 0}, "k-1"), 400) == \
        "invalid_request"
    assert counts(app) == (0, 0)
    assert post(client, keys["first"], {"unit": "Q1"}, "k-1").status_code == 201
    assert counts(app) == (1, 1)


@pytest.mark.parametrize("header", ["", "x" * 256, "dossier\u00e9", "tab\there"])
def test_a_malformed_key_400(app, client, keys, header):
    response = post(client, keys["first"], {"unit": "Q1"}, header)
    assert error_code(response, 400) == "invalid_request"
    assert "Idempotency-Key" in response.get_json()["error"]["message"]
    assert counts(app) == (0, 0)


def test_the_database_cannot_rebuild_the_addresses(app, client, keys):
    """Only the token hashes, a salt and HMACs of the request and its key are stored: no table
    holds a survey address, and the salt without the API key does not give one; nor the key
    itself, which a client may make of a dossier's reference."""
    issued = post(client, keys["first"], BODY, "dossier-0001").get_json()["invitations"]
    tokens = [item["url"].rsplit("/s/", 1)[1] for item in issued]
    with app.app_context():
        stored = [str(value) for table in db.metadata.sorted_tables
                  for values in db.session.execute(text(f"SELECT * FROM {table.name}"))
                  for value in values]
        remembered = db.session.scalar(select(IdempotentRequest))
        assert json.loads(remembered.invitation_ids) == [item["id"] for item in issued]
        assert keys["first"] not in remembered.request_hash
    assert len(stored) > 20
    assert not [value for value in stored for token in tokens if token in value]
    assert not [value for value in stored if keys["first"] in value]
    assert not [value for value in stored if "dossier-0001" in value]


# --------------------------------------------------------------------- simultaneous retries

REQUESTS = 6


def _send(base_url: str, key: str, barrier: threading.Barrier) -> tuple[int, str, bytes]:
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        barrier.wait(timeout=60)
        connection.request("POST", "/api/v1/invitations", body=json.dumps(BODY), headers={
            "Authorization": f"Bearer {key}", "Content-Type": "application/json",
            "Idempotency-Key": "same-dossier"})
        response = connection.getresponse()
        return response.status, response.getheader("Idempotent-Replayed", ""), response.read()
    finally:
        connection.close()


def _waiting_requests() -> int | None:
    """How many sessions wait for a lock (PostgreSQL); None where it cannot be seen."""
    if db.engine.dialect.name != "postgresql":
        return None
    # A connection of its own: within a transaction PostgreSQL keeps showing the same snapshot.
    with db.engine.connect() as connection:
        return connection.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'")).scalar_one()


def test_simultaneous_requests_with_one_key_mint_once(app, live_server, keys):
    """Six requests with the same key at once: all are held at their first write by a lock
    this test holds (a row lock on the API key on PostgreSQL, where the new row's foreign key
    must wait for it; the write lock on SQLite), after each found the key unused. Released
    together, one mints and the other five meet the unique constraint and answer its
    invitations."""
    with app.app_context():
        key_id = db.session.scalar(select(ApiKey.id).where(ApiKey.name == "first"))
        db.session.rollback()
        with db.engine.connect() as blocker:
            blocker.execute(text("UPDATE api_keys SET name = name WHERE id = :id"), {"id": key_id})
            blocker.execute(select(ApiKey.id).where(ApiKey.id == key_id).with_for_update())
            barrier = threading.Barrier(REQUESTS)
            with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
                futures = [pool.submit(_send, live_server, keys["first"], barrier)
                           for _ in range(REQUESTS)]
                deadline = time.monotonic() + 20
                waiting = _waiting_requests()
                if waiting is None:
                    time.sleep(1.5)  # SQLite shows no waiters: give them time to reach the lock
                while waiting is not None and waiting < REQUESTS:
                    assert time.monotonic() < deadline, "the requests never reached the lock"
                    time.sleep(0.05)
                    waiting = _waiting_requests()
                assert not any(future.done() for future in futures)
                blocker.commit()
                results = [future.result() for future in futures]
    assert [status for status, _, _ in results] == [201] * REQUESTS, results
    assert sorted(replayed for _, replayed, _ in results) == ["false"] + ["true"] * (REQUESTS - 1)
    assert len({body for _, _, body in results}) == 1
    assert counts(app) == (3, 1)
