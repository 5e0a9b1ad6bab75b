"""The figures engine (services/figures) cold: the officers' views of a province, ``scores`` for
the year against the GROUP BY floor, a country's rankings at two sizes, and the sums' size.

    .venv/bin/python bench/bench_figures.py [--responses 1000000] [--database-url URL]
    .venv/bin/python bench/bench_figures.py --country [--responses 1000000,2000000] [--database-url URL]

Province: 200 units (bench/bench_scores.py builds them and ``--responses`` responses over 2026 and
as many over 2025, with bulk inserts, numbered and so stored in the
order they came, as a real database holds them), the sums made once (``flask figures rebuild``'s service:
the time is printed). Then, in a fresh process, with nothing kept anywhere (after the process's
first figures, of a day without responses, which imports and compiles what a worker has from its
first request on): the units table and
a commune's page (figures, 8-quarter trend, breakdowns by channel and every profile question) for
a closed quarter (Q3 2026) and for the running one (Q4 2026) right after a new response is
stored through the service; and ``scores`` for the year against the floor. Goals: every view
< 0.5 s; scores <= 1x the floor.

Country: 34 provinces of 100 units each (3,434 units), the responses of each size spread over
2026; the provinces' ranking for the year (scope_figures of the country down to its provinces,
``levels=1``), one province's units table and, for reference, every unit of the country, at
each size: goals < 2 s and < 0.5 s on PostgreSQL, and about the same time at both sizes.

A PostgreSQL database named by ``--database-url`` (or BENCH_DATABASE_URL) is EMPTIED first.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).parent))

import numpy as np  # noqa: E402
from bench_scores import CHUNK, RESPONSE_COLUMNS, chunk_rows, insert, make_app, peak_rss_mb, sqlite_time  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402

from survey_app.domain.periods import Period  # noqa: E402
from survey_app.domain.submission import Submission  # noqa: E402
from survey_app.extensions import db  # noqa: E402
from survey_app.models import Answer, FigureCell, Response, Unit  # noqa: E402
from survey_app.services.figures import FiguresQuery, breakdowns, scope_figures, trend  # noqa: E402
from survey_app.services.figures.rebuild import rebuild  # noqa: E402
from survey_app.services.responses import record_response  # noqa: E402

YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))
CLOSED = Period(date(2026, 7, 1), date(2026, 9, 30))
RUNNING = Period(date(2026, 10, 1), date(2026, 12, 31))


def units_of(country: bool) -> list[Unit]:
    root = Unit(code="VN" if country else "P", name="Cả nước" if country else "Tỉnh")
    units = [root]
    if country:
        for p in range(34):
            province = Unit(code=f"P{p:02d}", name=f"Tỉnh {p}", parent=root)
            units.append(province)
            for d in range(9):
                district = Unit(code=f"P{p:02d}-{d}", name=f"Huyện {p}.{d}", parent=province)
                units.append(district)
                units += [Unit(code=f"P{p:02d}-{d}-{c:02d}", name=f"Xã {p}.{d}.{c}", parent=district)
                          for c in range(10 if d < 9 else 9)]
        return units
    for d in range(19):
        district = Unit(code=f"P-{d:02d}", name=f"Huyện {d}", parent=root)
        units.append(district)
        for c in range(10):
            if len(units) < 200:
                units.append(Unit(code=f"P-{d:02d}-{c:02d}", name=f"Xã {d}.{c}", parent=district))
    return units


def build(url: str, counts: list[tuple[int, int]], country: bool, seed: int = 1, fresh: bool = True) -> None:
    """``counts``: (year, responses) added; the sums rebuilt after."""
    app = make_app(url)
    with app.app_context():
        if fresh:
            if url.startswith("postgresql"):
                with db.engine.begin() as connection:
                    connection.execute(text("DROP SCHEMA public CASCADE"))
                    connection.execute(text("CREATE SCHEMA public"))
            upgrade()
            db.session.add_all(units_of(country))
            db.session.commit()
        tz = ZoneInfo(app.config["TIMEZONE"])
        q = app.extensions["survey_catalog"].default
        unit_ids = [u for u in db.session.scalars(select(Unit.id).where(Unit.parent_id.is_not(None)))]
        rng = np.random.default_rng(seed)
        level = rng.normal(0.3, 0.5, len(unit_ids))
        sqlite = db.session.connection().dialect.name == "sqlite"
        next_id = (db.session.scalar(select(func.max(Response.id))) or 0) + 1
        started = time.perf_counter()
        for year, total in sorted(counts):  # oldest first: stored in the order they came
            for first in range(0, total, CHUNK):
                n = min(CHUNK, total - first)
                rows, answers, choices = chunk_rows(rng, q, unit_ids, level, next_id, n, year, tz,
                                                    part=(first / total, (first + n) / total))
                if sqlite:
                    rows = [row[:-1] + (sqlite_time(row[-1]),) for row in rows]
                insert("responses", RESPONSE_COLUMNS, rows)
                insert("answers", ("response_id", "item_code", "value"), answers)
                insert("choices", ("response_id", "question_code", "option_code"), choices)
                next_id += n
        db.session.commit()
        if not sqlite:
            db.session.execute(text("SELECT setval('responses_id_seq', (SELECT max(id) FROM responses))"))
            db.session.commit()
        inserted = time.perf_counter() - started
        started = time.perf_counter()
        rows = rebuild(db.session, [q])
        db.session.commit()
        rebuilt = time.perf_counter() - started
        if sqlite:
            db.session.connection().exec_driver_sql("ANALYZE")
            db.session.commit()
        else:
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
        print(f"data: {len(unit_ids) + 1} units, {counts} responses inserted in {inserted:.1f} s; "
              f"sums rebuilt in {rebuilt:.1f} s ({rows} rows)", flush=True)


def timed(action) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def sums_size() -> dict:
    rows, blob = db.session.execute(select(func.count(), func.sum(func.length(FigureCell.sums)))).one()
    return {"sum_rows": rows, "sum_bytes": int(blob or 0)}


def measure_province(url: str) -> dict:
    app = make_app(url)
    out: dict = {}
    with app.app_context():
        tz = ZoneInfo(app.config["TIMEZONE"])
        q = app.extensions["survey_catalog"].default
        commune = db.session.scalar(select(Unit.code).where(Unit.code.like("P-0_-0_")).order_by(Unit.code.desc()))
        questions = ("channel", *(p.code for p in q.profile))

        def page(period: Period) -> None:
            query = FiguresQuery(q, period, tz, unit_code=commune)
            scope_figures(db.session, query)
            trend(db.session, query, commune, 8)
            breakdowns(db.session, query, commune, questions)

        # The process's first figures ever (imports done lazily, statements compiled once per
        # process): a day without responses, so that nothing of the views measured is read.
        out["process_start"], _ = timed(lambda: page(Period(date(2024, 1, 1), date(2024, 1, 1))))
        out["units_table_closed"], _ = timed(lambda: scope_figures(db.session, FiguresQuery(q, CLOSED, tz)))
        out["commune_page_closed"], _ = timed(lambda: page(CLOSED))
        unit = db.session.scalar(select(Unit).where(Unit.code == commune))
        record_response(db.session, unit=unit, questionnaire=q, submission=Submission(ratings={q.criterion_codes[0]: 5}),
                        locale="vi", channel="link", submitted_at=datetime(2026, 11, 20, 3, tzinfo=UTC))
        db.session.commit()
        out["units_table_running"], _ = timed(lambda: scope_figures(db.session, FiguresQuery(q, RUNNING, tz)))
        out["commune_page_running"], _ = timed(lambda: page(RUNNING))
        start, end = YEAR.utc_bounds(tz)
        floor = (select(Response.unit_id, Answer.item_code, Answer.value, func.count())
                 .join(Response, Response.id == Answer.response_id)
                 .where(Response.questionnaire_id == q.id, Response.submitted_at >= start,
                        Response.submitted_at < end).group_by(Response.unit_id, Answer.item_code, Answer.value))
        out["floor"] = min(timed(lambda: db.session.execute(floor).all())[0] for _ in range(2))
        out["scores_year"] = min(timed(lambda: scope_figures(db.session, FiguresQuery(q, YEAR, tz)))[0]
                                 for _ in range(2))
        out.update(sums_size())
        out["peak_rss_mb"] = peak_rss_mb()
    return out


def measure_country(url: str) -> dict:
    app = make_app(url)
    out: dict = {}
    with app.app_context():
        tz = ZoneInfo(app.config["TIMEZONE"])
        q = app.extensions["survey_catalog"].default
        query = FiguresQuery(q, YEAR, tz)
        out["provinces_ranking"], found = timed(lambda: scope_figures(db.session, replace(query, levels=1)))
        out["every_unit"], _ = timed(lambda: scope_figures(db.session, query))
        out["province_table"], _ = timed(lambda: scope_figures(db.session, replace(query, unit_code="P07")))
        out["responses"] = found.overall.n
        out.update(sums_size())
    return out


def in_process(kind: str, url: str) -> dict:
    done = subprocess.run([sys.executable, __file__, "--measure", kind, "--database-url", url],
                          check=True, capture_output=True, text=True)
    return json.loads(done.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", default=None, help="province: per year; country: sizes, comma separated")
    parser.add_argument("--country", action="store_true")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps((measure_country if args.measure == "country" else measure_province)(args.database_url)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.sqlite"
        print(f"database: {url.split('@')[-1]}", flush=True)
        if not args.country:
            n = int(args.responses or 1_000_000)
            build(url, [(2026, n), (2025, n)], country=False)
            found = in_process("province", url)
            print(f"the process's first figures (a day without responses: imports, compiled statements): "
                  f"{found['process_start']:.3f} s")
            for key in ("units_table_closed", "commune_page_closed", "units_table_running", "commune_page_running"):
                print(f"{key}: {found[key]:.3f} s  (goal < 0.5 s: {'met' if found[key] < 0.5 else 'MISSED'})")
            ratio = found["scores_year"] / found["floor"]
            print(f"scores for 2026: {found['scores_year']:.3f} s; GROUP BY floor {found['floor']:.3f} s; "
                  f"ratio {ratio:.2f}x (goal <= 1x: {'met' if ratio <= 1 else 'MISSED'}); "
                  f"peak RSS {found['peak_rss_mb']:.0f} MB")
            print(f"sums: {found['sum_rows']} rows, {found['sum_bytes'] / 1e6:.1f} MB (two years)")
            return
        sizes = [int(s) for s in (args.responses or "1000000,2000000").split(",")]
        done = 0
        for i, size in enumerate(sizes):
            build(url, [(2026, size - done)], country=True, seed=i + 1, fresh=i == 0)
            done = size
            found = in_process("country", url)
            print(f"{size} responses: provinces' ranking {found['provinces_ranking']:.3f} s (goal < 2 s), "
                  f"a province's table {found['province_table']:.3f} s (goal < 0.5 s), "
                  f"every unit of the country {found['every_unit']:.3f} s; "
                  f"sums {found['sum_rows']} rows, {found['sum_bytes'] / 1e6:.1f} MB", flush=True)


if __name__ == "__main__":
    main()
