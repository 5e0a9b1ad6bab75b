"""The early warning of a province read from what ``alerts keep`` kept, against computed on the fly.

    .venv/bin/python bench/bench_alerts_kept.py [--responses 200000] [--database-url URL]

A province of 200 units (those of bench/bench_figures.py) with ``--responses`` responses over
2026, as of 1 January 2027 (the chart's 26 weeks and the baseline's 26 cover the year). In one
process, the fast paths timed three times (the best printed):
- computed (once): ``unit_alerts`` of every unit with nothing kept, what /reports/alerts, the units
  table's marks and the unit page cost on every view before (and still do when a late answer
  moved the week's stamp);
- keep (once): ``alerts keep``'s work (the same, plus the row written and committed);
- kept: ``unit_alerts`` of every unit, and of one commune (the unit page), reading the row;
- the stamp alone (one aggregate over the weeks' responses), and the row's size;
- /reports/alerts as an officer sees it (charts already drawn), kept and computed.

Without ``--database-url`` (or BENCH_DATABASE_URL) a temporary SQLite file; a PostgreSQL
database named there is EMPTIED first.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).parent))

import numpy as np  # noqa: E402
from bench_figures import units_of  # noqa: E402
from bench_scores import CHUNK, RESPONSE_COLUMNS, chunk_rows, insert, make_app, sqlite_time  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import delete, func, select, text  # noqa: E402

from survey_app.domain.early_warning import ChartRule  # noqa: E402
from survey_app.extensions import db  # noqa: E402
from survey_app.models import AlertWeeks, Unit  # noqa: E402
from survey_app.services.accounts import create_user  # noqa: E402
from survey_app.services.alert_weeks import stamp  # noqa: E402
from survey_app.services.alerts import last_full_week, unit_alerts  # noqa: E402

AS_OF = date(2027, 1, 1)
PASSWORD = "bench password 2026"


def build(url: str, responses: int) -> None:
    """The province of bench_figures.py, its responses spread over 2026 (no sums made: the early
    warning reads the responses)."""
    app = make_app(url)
    with app.app_context():
        if url.startswith("postgresql"):
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        upgrade()
        db.session.add_all(units_of(False))
        db.session.commit()
        tz, q = ZoneInfo(app.config["TIMEZONE"]), app.extensions["survey_catalog"].default
        unit_ids = list(db.session.scalars(select(Unit.id).where(Unit.parent_id.is_not(None))))
        rng = np.random.default_rng(1)
        level = rng.normal(0.3, 0.5, len(unit_ids))
        sqlite = db.session.connection().dialect.name == "sqlite"
        started = time.perf_counter()
        for first in range(0, responses, CHUNK):
            n = min(CHUNK, responses - first)
            rows, answers, choices = chunk_rows(rng, q, unit_ids, level, first + 1, n, 2026, tz)
            if sqlite:
                rows = [row[:-1] + (sqlite_time(row[-1]),) for row in rows]
            insert("responses", RESPONSE_COLUMNS, rows)
            insert("answers", ("response_id", "item_code", "value"), answers)
            insert("choices", ("response_id", "question_code", "option_code"), choices)
        db.session.commit()
        if sqlite:
            db.session.connection().exec_driver_sql("ANALYZE")
            db.session.commit()
        else:
            db.session.execute(text("SELECT setval('responses_id_seq', (SELECT max(id) FROM responses))"))
            db.session.commit()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
        print(f"data: {len(unit_ids) + 1} units, {responses} responses in {time.perf_counter() - started:.0f} s",
              flush=True)


def best(action, times: int = 3) -> float:
    found = []
    for _ in range(times):
        started = time.perf_counter()
        action()
        found.append(time.perf_counter() - started)
    return min(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=200_000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench_alerts.sqlite"
    began = time.perf_counter()
    build(url, args.responses)
    app = make_app(url)
    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        session, q = db.session, app.extensions["survey_catalog"].default
        tz, rule = ZoneInfo(app.config["TIMEZONE"]), ChartRule.from_settings(app.config)
        commune = session.scalars(select(Unit).where(Unit.code == "P-05-03")).one()
        create_user(session, email="officer@bench.gov.vn", password=PASSWORD, role="officer", unit=None,
                    now=datetime.now(UTC))
        session.commit()

        def alerts(scope=None, keep=False):
            found = unit_alerts(session, q, AS_OF, tz, rule, scope, keep=keep)
            session.commit()
            return found

        def forget():
            session.execute(delete(AlertWeeks))
            session.commit()

        client = app.test_client()
        assert client.post("/login", data={"email": "officer@bench.gov.vn", "password": PASSWORD}).status_code == 302

        def page():
            # As of today, which is the bench's AS_OF only if run then: the same work either way,
            # since the page reads the weeks of the last full week before its day.
            assert client.get("/reports/alerts").status_code == 200

        last = last_full_week(AS_OF)
        first = last - timedelta(weeks=rule.window_weeks + rule.baseline_weeks - 1)
        # The slow paths run once (tens of seconds each at this size), the fast ones thrice.
        computed = best(alerts, 1)
        keep_time = best(lambda: alerts(keep=True), 1)
        kept_all = best(alerts)
        kept_unit = best(lambda: alerts(commune))
        stamp_time = best(lambda: stamp(session, q.id, first, last, tz))
        assert alerts() == unit_alerts(session, q, AS_OF, tz, rule)
        size = session.scalar(select(func.length(AlertWeeks.figures)))
        rows = session.scalar(select(func.count()).select_from(AlertWeeks))
        signalling = len(alerts().signalling)
        # The page, as of the machine's today: kept for that week (its charts drawn by a first
        # view), then with nothing kept.
        today = datetime.now(tz).date()
        unit_alerts(session, q, today, tz, rule, keep=True)
        session.commit()
        page()
        page_kept = best(page)
        forget()
        page_computed = best(page, 1)
    dialect = url.split(":", 1)[0]
    print(f"{dialect}: {args.responses} responses, 200 units, as of {AS_OF} ({signalling} signalling); "
          f"kept row {size / 1024:.0f} KB zlib ({rows} row)")
    print(f"  every unit:  computed {computed:.2f} s   kept {kept_all:.3f} s   ({computed / kept_all:.0f}x)")
    print(f"  one commune: kept {kept_unit:.3f} s (computed: as every unit, the weeks of all are read)")
    print(f"  alerts keep: {keep_time:.2f} s   stamp alone: {stamp_time:.3f} s")
    print(f"  /reports/alerts: computed {page_computed:.2f} s   kept {page_kept:.3f} s")
    print(f"  ({time.perf_counter() - began:.0f} s in all)")


if __name__ == "__main__":
    main()
