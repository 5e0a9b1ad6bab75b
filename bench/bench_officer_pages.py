"""How long the officers' pages take on a big data set, cold and warm, against an empty one.

    .venv/bin/python bench/bench_officer_pages.py [--responses 1000000] [--database-url URL] [--reuse]

Builds 200 units and ``--responses`` responses over 2026 with bench_scores.build (bulk inserts;
a PostgreSQL database given by ``--database-url`` is EMPTIED first), or, with ``--reuse``, reads
the database as it is. Signs in as an officer of the whole province through the test client and
times each page:
- cold: the first request after the kept figures are emptied (services/figures_cache.py);
- warm: the same request again (its figures kept);
- warmed: the first request after the kept figures are emptied and ``flask figures warm`` has
  computed the quarter's and the year's, charts in Vietnamese included (cli/figures.py; its own
  time is printed too);
- empty: the same request on a database holding the units and no response: the PostgreSQL
  database itself before the data are built, else (SQLite, or ``--reuse``) a temporary SQLite file.
Also times what a report file computes (officer_figures.full_report: figures and comments).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scores import build, make_app  # noqa: E402  (the bulk builder of bench_scores: the same data set)

from survey_app.domain.periods import Period  # noqa: E402
from survey_app.extensions import db  # noqa: E402
from survey_app.models import CachedFigures, Response, Unit, User  # noqa: E402
from survey_app.services.accounts import create_user  # noqa: E402
from survey_app.services.officer_figures import full_report  # noqa: E402
from survey_app.services.scores import ScoreQuery  # noqa: E402

EMAIL, PASSWORD = "bench-officer@example.gov.vn", "bench officer password 2026"
QUARTER = {"from": "2026-04-01", "to": "2026-06-30"}
YEAR = {"from": "2026-01-01", "to": "2026-12-31"}


def pages(app) -> list[tuple[str, str, dict]]:
    """(label, path, query): the table, the province, a district and a commune, the flags."""
    with app.app_context():
        codes = {u.code: u for u in db.session.scalars(select(Unit))}
        root = next(code for code, u in codes.items() if u.parent_id is None)
        district = sorted(code for code, u in codes.items() if u.parent_id == codes[root].id)[0]
        commune = sorted(code for code, u in codes.items() if u.parent_id == codes[district].id)[0]
    return [
        ("units table, a quarter", "/reports/", QUARTER),
        ("units table, the year", "/reports/", YEAR),
        (f"unit page {root} (province), a quarter", f"/reports/units/{root}", QUARTER),
        (f"unit page {district} (district), a quarter", f"/reports/units/{district}", QUARTER),
        (f"unit page {commune} (commune), a quarter", f"/reports/units/{commune}", QUARTER),
        ("flags, a quarter", "/reports/flags", QUARTER),
    ]


def signed_in(app):
    with app.app_context():
        if db.session.scalar(select(User).where(User.email == EMAIL)) is None:
            create_user(db.session, email=EMAIL, password=PASSWORD, role="officer", unit=None,
                        now=datetime.now(timezone.utc))
            db.session.commit()
    client = app.test_client()
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    assert client.post("/login", data={"csrf_token": token, "email": EMAIL, "password": PASSWORD}).status_code == 302
    return client


def forget_kept(app) -> None:
    with app.app_context():
        db.session.execute(delete(CachedFigures))
        db.session.commit()


def timed(client, path: str, query: dict) -> float:
    started = time.perf_counter()
    response = client.get(path, query_string=query)
    seconds = time.perf_counter() - started
    assert response.status_code == 200, (path, response.status_code)
    return seconds


def warm_up(app) -> list[str]:
    """``flask figures warm`` of the quarter and of the year: the lines it prints."""
    lines = []
    for period in (QUARTER, YEAR):
        result = app.test_cli_runner().invoke(args=["figures", "warm", "--questionnaire", "sipas",
                                                    "--from", period["from"], "--to", period["to"]])
        assert result.exit_code == 0, result.output
        lines += result.output.splitlines()
    return lines


def measure(app, *, warmed: bool = True) -> tuple[dict[str, tuple[float, ...]], list[str]]:
    """(label -> (cold, warm[, warmed]) seconds, what the warm-up printed)."""
    client = signed_in(app)
    timed(client, "/reports/flags", QUARTER)   # templates, translations, the first connection
    forget_kept(app)
    times = {}
    for label, path, query in pages(app):
        cold = timed(client, path, query)
        times[label] = (cold, timed(client, path, query))
    warm_lines = []
    if warmed:
        forget_kept(app)
        warm_lines = warm_up(app)
        for label, path, query in pages(app):
            times[label] += (timed(client, path, query),)
    with app.app_context():
        q = app.extensions["survey_catalog"].default
        score_query = ScoreQuery(questionnaire=q, tz=ZoneInfo(app.config["TIMEZONE"]),
                                 period=Period(date.fromisoformat(QUARTER["from"]), date.fromisoformat(QUARTER["to"])),
                                 min_ranked=app.config["MIN_RANKED_RESPONSES"])
        started = time.perf_counter()
        full_report(db.session, score_query, language="vi")
        warm = time.perf_counter() - started
        forget_kept(app)
        started = time.perf_counter()
        full_report(db.session, score_query, language="vi")
        times["report file figures (full_report), a quarter"] = (time.perf_counter() - started, warm, warm)
    return times, warm_lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1_000_000, help="responses in 2026")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"),
                        help="default: a temporary SQLite file; a PostgreSQL database is emptied first")
    parser.add_argument("--reuse", action="store_true", help="time the database as it is (built before)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.sqlite"
        # PostgreSQL: the very database, before it is filled; SQLite: another file.
        empty_url = url if url.startswith("postgresql") and not args.reuse else f"sqlite:///{tmp}/empty.sqlite"
        build(empty_url, 0, 0, args.seed)
        empty, _ = measure(make_app(empty_url), warmed=False)
        if not args.reuse:
            build(url, args.responses, 0, args.seed)
        app = make_app(url)
        with app.app_context():
            count = db.session.scalar(select(func.count()).select_from(Response))
        print(f"database: {url.split('@')[-1]}, {count} responses (empty baseline: {empty_url.split('@')[-1]})")
        full, warm_lines = measure(app)
        for line in warm_lines:
            print(f"figures warm: {line}")
        print(f"seconds{'':41} {'cold':>8} {'warm':>8} {'warmed':>8}   empty: {'cold':>6} {'warm':>6}")
        for label, (cold, warm, warmed) in full.items():
            print(f"{label:48} {cold:8.3f} {warm:8.3f} {warmed:8.3f}          "
                  f"{empty[label][0]:6.3f} {empty[label][1]:6.3f}")


if __name__ == "__main__":
    main()
