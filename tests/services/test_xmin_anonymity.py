"""What a reader of a PostgreSQL database learns from the transaction ids of row versions.

The claim of an invitation and the response that answers it are written in one transaction (so
that an invitation is answered at most once), so both rows carry that transaction's id in
``xmin``, and so does every other row the transaction writes. The link exists; these tests show
that it leads nowhere: what shares a response's transaction holds nothing of the dossier (not
its reference, not a hash of it), nothing of a person (no account or API key) and no time finer
than the day, apart from the response itself.

PostgreSQL only (SQLite has no row versions to read); pageinspect, when the server has it, lets
the last test read the table files themselves, old row versions included.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import subprocess
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from accounts import add_user, csrf_from, log_in
from factories import criteria_codes, sipas, unit_tree
from pages import survey_fields
from sqlalchemy import DateTime, Time, inspect, text
from sqlalchemy.exc import DBAPIError

from survey_app.extensions import db
from survey_app.services import api_keys
from survey_app.services.secrets import secret_hash
from survey_app.services.units import unit_by_code

REFERENCE = "000.00.01.H29-240101-0001"
PROCEDURE = "1.004227"
CLERK = "clerk@stp.gov.vn"
KEY_NAME = "one-stop STP"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
SLIP_URL = re.compile(r"http://localhost/s/([A-Za-z0-9_-]{24})")
# A time of day written out, as in an ISO timestamp kept in a text or JSON column.
TIME_OF_DAY = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
# What the citizen gave, and how it is judged: the response's own rows, whose time is the
# response's own (README, "What is stored").
THE_RESPONSE = {"responses", "answers", "choices", "response_flags"}
INVITATION_COLUMNS = {"id", "public_id", "token_hash", "unit_id", "procedure_code", "channel", "issued_on",
                      "expires_at", "answered_on"}


def dossier_traces(secret_key: str) -> set[str]:
    """The reference, and the hashes of it anyone could look for: a plain SHA-256 and the HMAC
    under the installation's secret key that invitations used to keep (``reference_hash``)."""
    return {REFERENCE, hashlib.sha256(REFERENCE.encode()).hexdigest(),
            hmac.new(secret_key.encode(), REFERENCE.encode(), hashlib.sha256).hexdigest()}


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), VN).astimezone(timezone.utc)


def is_postgresql() -> bool:
    return db.engine.dialect.name == "postgresql"


def answer(client, token: str, comment: str) -> None:
    url = f"/s/{token}"
    fields = survey_fields(client, url)
    # Varied answers, as a citizen gives them (all the same, sent at once, would be flagged).
    ratings = {code: str(3 + index % 3) for index, code in enumerate(criteria_codes(sipas()))}
    posted = client.post(url, data={**fields, **ratings, "comment": comment})
    assert posted.status_code == 302, posted.get_data(as_text=True)[:300]


@pytest.fixture
def answered(app, client, tmp_path) -> dict:
    """Two invitations of STP answered through the survey pages: one the one-stop software asked
    for through the API with the dossier's reference, one a clerk printed on a slip."""
    with app.app_context():
        if not is_postgresql():
            pytest.skip("transaction ids of row versions (xmin) are PostgreSQL's")
        unit_tree(db.session, "STP")
        _, key = api_keys.create_api_key(db.session, name=KEY_NAME, unit=unit_by_code(db.session, "STP"),
                                               now=datetime.now(timezone.utc))
        db.session.commit()
    add_user(app, CLERK, "staff", "STP")

    minted = client.post("/api/v1/invitations", headers={"Authorization": f"Bearer {key}"}, json={
        "unit": "STP", "procedure": PROCEDURE, "channel": "online", "reference": REFERENCE})
    assert minted.status_code == 201, minted.get_data(as_text=True)
    (item,) = minted.get_json()["invitations"]
    by_api = item["url"].rsplit("/s/", 1)[1]

    clerk = app.test_client()
    log_in(clerk, CLERK)
    with app.app_context():
        unit_id = unit_by_code(db.session, "STP").id
    form = clerk.get("/staff/invitations").get_data(as_text=True)
    sheet = clerk.post("/staff/invitations", data={"unit": unit_id, "count": "1", "procedure": PROCEDURE,
                                                   "csrf_token": csrf_from(form)})
    assert sheet.mimetype == "application/pdf"
    pdf = tmp_path / "slip.pdf"
    pdf.write_bytes(sheet.data)
    (by_slip,) = set(SLIP_URL.findall(subprocess.run(["pdftotext", str(pdf), "-"], check=True,
                                                    capture_output=True, text=True).stdout))

    answer(client, by_api, "Hồ sơ trả đúng hẹn.")
    answer(app.test_client(), by_slip, "Cán bộ tận tình.")
    return {"tokens": {by_api: ("online", PROCEDURE), by_slip: ("direct", PROCEDURE)}, "unit_id": unit_id}


def test_the_xmin_join_finds_each_invitation_and_learns_nothing_from_it(app, answered):
    today = datetime.now(VN).date()
    with app.app_context():
        joined = db.session.execute(text(
            "select i.*, r.id as response_id from invitations i join responses r on r.xmin = i.xmin"
            " where i.answered_on is not null")).mappings().all()
        response_ids = set(db.session.scalars(text("select id from responses")))
        secret_key = app.config["SECRET_KEY"]
    # The join does pair each answered invitation with its response: that much is known.
    assert len(joined) == 2 and {row["response_id"] for row in joined} == response_ids
    # And all it tells about the response: the unit (which the response has), how the dossier
    # came in, its procedure, and days. No dossier, no one who issued it, no time of day.
    expected = {
        (secret_hash(token), answered["unit_id"], procedure, channel, today, local_midnight(today + timedelta(days=31)),
         today)
        for token, (channel, procedure) in answered["tokens"].items()}
    assert {(row["token_hash"], row["unit_id"], row["procedure_code"], row["channel"], row["issued_on"],
             row["expires_at"], row["answered_on"]) for row in joined} == expected
    for row in joined:
        assert set(row) == INVITATION_COLUMNS | {"response_id"}
        assert isinstance(row["issued_on"], date) and not isinstance(row["issued_on"], datetime)
        assert not any(trace in str(value) for value in row.values() for trace in dossier_traces(secret_key))


def test_nothing_written_beside_a_response_leads_to_a_dossier_a_person_or_a_time(app, answered):
    with app.app_context():
        secret_key = app.config["SECRET_KEY"]
        schema = inspect(db.engine)
        tables = schema.get_table_names()
        # The columns that would name an account or an API key.
        personal = {table: {column for fk in schema.get_foreign_keys(table) if fk["referred_table"] in
                            {"users", "api_keys"} for column in fk["constrained_columns"]} for table in tables}
        times = {table: {c["name"] for c in schema.get_columns(table)
                         if isinstance(c["type"], DateTime | Time)} for table in tables}
        written_with: dict[int, dict[str, list[dict]]] = {}
        for response_id, txid in db.session.execute(text("select id, xmin::text from responses")):
            written_with[response_id] = {}
            for table in tables:
                rows = db.session.execute(text(f'select * from "{table}" where xmin = cast(:txid as xid)'),
                                          {"txid": txid}).mappings().all()
                if rows:
                    written_with[response_id][table] = [dict(row) for row in rows]
        people = {CLERK, KEY_NAME, *db.session.scalars(text("select key_hash from api_keys")),
                  *db.session.scalars(text("select password_hash from users"))}

    # Each response's transaction wrote the response, its answers, its invitation's claim, and
    # the sums it adds to: the first also the layout of those sums, and the second the same
    # unit's, month's and channel's sums again (the live row carries the last writer's xmin).
    first, second = sorted(written_with)
    assert set(written_with[first]) == {"responses", "answers", "invitations", "figure_layouts"}
    assert set(written_with[second]) == {"responses", "answers", "invitations", "figure_cells"}
    for response_id, written in written_with.items():
        assert [row["id"] for row in written["responses"]] == [response_id]
        assert len(written["invitations"]) == 1
        for table, rows in written.items():
            for row in rows:
                values = [str(value) for value in row.values() if value is not None]
                assert not any(trace in value for value in values for trace in dossier_traces(secret_key)), table
                assert not any(person in value for value in values for person in people), table
                assert all(row[column] is None for column in personal[table]), (table, row)
                if table in THE_RESPONSE:
                    continue
                for column in times[table]:
                    assert row[column] is None or row[column].astimezone(VN).time() == time(0), (table, column)
                assert not any(TIME_OF_DAY.search(value) for value in row.values() if isinstance(value, str)), \
                    (table, row)


def test_no_row_version_ever_held_the_dossier(app, answered):
    """The table files themselves, dead row versions that VACUUM has not yet cleared included,
    never held the reference or a hash of it (read with pageinspect, when the server has it)."""
    with app.app_context():
        try:
            with db.session.begin_nested():
                db.session.execute(text("create extension if not exists pageinspect"))
                db.session.execute(text("select get_raw_page('invitations', 0)"))
        except DBAPIError:
            pytest.skip("pageinspect is not available on this server (or not to this user)")
        relations = db.session.execute(text(
            "select c.oid::regclass::text, pg_relation_size(c.oid) / current_setting('block_size')::int"
            " from pg_class c join pg_namespace n on n.oid = c.relnamespace"
            " where n.nspname = 'public' and c.relkind in ('r', 'i')")).all()
        pages = {name: [bytes(db.session.scalar(text("select get_raw_page(:name, :page)"),
                                                {"name": name, "page": page})) for page in range(count)]
                 for name, count in relations}
        traces = [trace.encode() for trace in dossier_traces(app.config["SECRET_KEY"])]
    # Read what was there: the invitations' file, its old and new row versions, and the answers.
    assert all(any(secret_hash(token).encode() in page for page in pages["invitations"])
               for token in answered["tokens"])
    assert any("Cán bộ tận tình.".encode() in page for page in pages["responses"])
    assert [name for name, contents in pages.items() for page in contents for trace in traces if trace in page] == []
