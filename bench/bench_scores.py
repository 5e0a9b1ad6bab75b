"""How long ``scores`` takes for a year, against the floor of grouping its answers in SQL.

    .venv/bin/python bench/bench_scores.py [--responses 1000000] [--previous 0] [--database-url URL] [--cli]

Builds 200 units (a province, 19 districts, 180 communes) and ``--responses`` responses to the
default questionnaire spread over 2026 (``--previous`` more over 2025), with bulk inserts:
executemany on SQLite, COPY on PostgreSQL. The database is a temporary SQLite file unless
``--database-url`` (or BENCH_DATABASE_URL) names one; a PostgreSQL database given there is
EMPTIED first (its public schema dropped).

Then, in a fresh process (so that its peak RSS is the scoring's, not the data building's), it
times ``services.scores.period_scores`` for 2026 and the floor: one
``SELECT unit, item, value, count(*) ... GROUP BY 1, 2, 3`` over the same answers, twice each
(the best counts, the machine being shared), and prints their ratio and the process's peak RSS.
``--cli`` also runs ``flask scores --format json`` for the year in its own process.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
from flask_migrate import upgrade
from sqlalchemy import func, select, text

from survey_app import create_app
from survey_app.domain.periods import Period
from survey_app.domain.submission import CHANNELS, EXPECTATIONS
from survey_app.extensions import db
from survey_app.models import Answer, Response, Unit
from survey_app.services.scores import ScoreQuery, period_scores

YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))
DISTRICTS, COMMUNES_PER_DISTRICT = 19, 180 // 19 + 1  # 1 + 19 + 180 = 200 units
CHUNK = 50_000
BLANK, NO_OPINION, EXPECTATIONS_ANSWERED, PROFILE_ANSWERED = 0.08, 0.04, 0.65, 0.7


def make_app(url: str):
    return create_app({"SECRET_KEY": "bench", "DATABASE_URL": url, "SQLALCHEMY_DATABASE_URI": url})


def store_units() -> list[int]:
    """The ids of the units that receive responses (every unit but the province)."""
    province = Unit(code="P", name="Tỉnh")
    units = [province]
    for d in range(DISTRICTS):
        district = Unit(code=f"P-{d:02d}", name=f"Huyện {d}", parent=province)
        units.append(district)
        for c in range(COMMUNES_PER_DISTRICT):
            if len(units) < 200:
                units.append(Unit(code=f"P-{d:02d}-{c:02d}", name=f"Xã {d}.{c}", parent=district))
    db.session.add_all(units)
    db.session.flush()
    return [u.id for u in units[1:]]


def chunk_rows(rng, questionnaire, unit_ids, unit_level, first_id: int, n: int, year: int, tz: ZoneInfo,
               part: tuple[float, float] = (0.0, 1.0)):
    """(responses, answers, choices) rows of ``n`` responses numbered from ``first_id``, submitted
    within the ``part`` of the year (fractions): with parts that follow each other, responses are
    numbered, and so stored, in the order they came, as a real database holds them."""
    ids = np.arange(first_id, first_id + n)
    weights = np.linspace(1.0, 3.0, len(unit_ids))
    unit = rng.choice(len(unit_ids), size=n, p=weights / weights.sum())
    start = datetime(year, 1, 1, tzinfo=tz).timestamp()
    length = datetime(year + 1, 1, 1, tzinfo=tz).timestamp() - start
    seconds = np.sort(rng.uniform(start + part[0] * length, start + part[1] * length, size=n).astype(np.int64))
    channel = rng.integers(0, len(CHANNELS), size=n)
    responses = [
        (int(i), unit_ids[u], questionnaire.id, questionnaire.version, questionnaire.content_hash, "vi",
         str(CHANNELS[c]), datetime.fromtimestamp(int(s), UTC))
        for i, u, c, s in zip(ids, unit, channel, seconds)
    ]
    # A latent satisfaction per answer: the unit's level, the respondent's mood, noise; 5 levels.
    codes = questionnaire.criterion_codes
    latent = unit_level[unit][:, None] + rng.normal(0, 0.6, (n, 1)) + rng.normal(0, 0.8, (n, len(codes)))
    levels = np.clip(np.round(latent + 3.5), 1, 5).astype(np.int64)
    draw = rng.random((n, len(codes)))
    levels[draw < BLANK + NO_OPINION] = 0
    present = draw >= BLANK
    rows, cols = np.nonzero(present)  # row-major: sorted by response, then criterion
    answers = list(zip(ids[rows].tolist(), [codes[j] for j in cols], levels[rows, cols].tolist()))

    choices = []
    options = [o.code for o in questionnaire.expectations.options]
    ranks = np.argsort(rng.random((n, len(options))), axis=1)
    count = np.where(rng.random(n) < EXPECTATIONS_ANSWERED, rng.integers(1, 4, size=n), 0)
    for i, k, order in zip(ids.tolist(), count.tolist(), ranks):
        choices.extend((i, EXPECTATIONS, options[j]) for j in sorted(order[:k]))
    for question in questionnaire.profile:
        answered = rng.random(n) < PROFILE_ANSWERED
        picked = rng.integers(0, len(question.options), size=n)
        choices.extend((i, question.code, question.options[p].code)
                       for i, p in zip(ids[answered].tolist(), picked[answered].tolist()))
    return responses, answers, choices


RESPONSE_COLUMNS = ("id", "unit_id", "questionnaire_id", "questionnaire_version", "questionnaire_hash",
                    "locale", "channel", "submitted_at")


def insert(table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        data = "".join("\t".join(map(str, row)) + "\n" for row in rows)
        cursor = connection.connection.driver_connection.cursor()
        with cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            copy.write(data)
    else:
        marks = ", ".join("?" for _ in columns)
        connection.exec_driver_sql(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def sqlite_time(moment: datetime) -> str:
    # What SQLAlchemy's SQLite DATETIME stores for the UTC time (sqltypes.UTCDateTime).
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def build(url: str, responses: int, previous: int, seed: int) -> None:
    app = make_app(url)
    with app.app_context():
        if url.startswith("postgresql"):
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        upgrade()
        tz = ZoneInfo(app.config["TIMEZONE"])
        questionnaire = app.extensions["survey_catalog"].default
        started = time.perf_counter()
        unit_ids = store_units()
        rng = np.random.default_rng(seed)
        unit_level = rng.normal(0.3, 0.5, len(unit_ids))
        sqlite = db.session.connection().dialect.name == "sqlite"
        counts = {"answers": 0, "choices": 0}
        next_id = 1
        for year, total in ((2026, responses), (2025, previous)):
            for first in range(0, total, CHUNK):
                n = min(CHUNK, total - first)
                rows, answers, choices = chunk_rows(rng, questionnaire, unit_ids, unit_level, next_id, n, year, tz)
                if sqlite:
                    rows = [row[:-1] + (sqlite_time(row[-1]),) for row in rows]
                insert("responses", RESPONSE_COLUMNS, rows)
                insert("answers", ("response_id", "item_code", "value"), answers)
                insert("choices", ("response_id", "question_code", "option_code"), choices)
                counts["answers"] += len(answers)
                counts["choices"] += len(choices)
                next_id += n
        db.session.commit()
        if sqlite:
            db.session.connection().exec_driver_sql("ANALYZE")
            db.session.commit()
        else:
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
        print(f"data: {len(unit_ids) + 1} units, {responses} responses in 2026 and {previous} in 2025, "
              f"{counts['answers']} answer rows, {counts['choices']} choice rows; "
              f"built in {time.perf_counter() - started:.1f} s")


def peak_rss_mb() -> float:
    """This process's peak resident set: VmHWM, since ru_maxrss survives exec and would report
    the peak of the process that built the data; ru_maxrss where there is no /proc."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")) / 1024


# `flask scores` in this process, printing the peak RSS to stderr when it exits.
CLI = """import atexit, sys
sys.path.insert(0, sys.argv.pop(1))
from bench_scores import peak_rss_mb
atexit.register(lambda: print(f"peak_rss_mb={peak_rss_mb()}", file=sys.stderr))
from flask.cli import main
sys.argv[0] = "flask"
main()
"""


def measure(url: str, repeat: int) -> None:
    """Run in its own process: prints one JSON line of times (s) and the peak RSS (MB)."""
    app = make_app(url)
    with app.app_context():
        tz = ZoneInfo(app.config["TIMEZONE"])
        questionnaire = app.extensions["survey_catalog"].default
        start, end = YEAR.utc_bounds(tz)
        floor_query = (
            select(Response.unit_id, Answer.item_code, Answer.value, func.count())
            .join(Response, Response.id == Answer.response_id)
            .where(Response.questionnaire_id == questionnaire.id,
                   Response.submitted_at >= start, Response.submitted_at < end)
            .group_by(Response.unit_id, Answer.item_code, Answer.value)
        )
        in_year = db.session.scalar(select(func.count()).select_from(Response).where(
            Response.submitted_at >= start, Response.submitted_at < end))
        baseline_rss = peak_rss_mb()
        query = ScoreQuery(questionnaire=questionnaire, period=YEAR, tz=tz)
        floors, scores = [], []
        for _ in range(repeat):
            started = time.perf_counter()
            groups = len(db.session.execute(floor_query).all())
            floors.append(time.perf_counter() - started)
            started = time.perf_counter()
            document = period_scores(db.session, query)
            scores.append(time.perf_counter() - started)
            db.session.rollback()
        print(json.dumps({
            "responses_in_year": in_year, "groups": groups, "raters": document["overall"]["n"],
            "index": document["overall"]["index"], "floor": floors, "scores": scores,
            "baseline_rss_mb": baseline_rss,
            "peak_rss_mb": peak_rss_mb(),
        }))


def run_cli(url: str) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of ``flask scores`` for the year, start-up included."""
    env = {**os.environ, "SURVEY_APP_DATABASE_URL": url}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", CLI, str(Path(__file__).parent), "--app", "survey_app", "scores",
                           "--from", YEAR.start.isoformat(), "--to", YEAR.end.isoformat(), "--format", "json"],
                          env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - started
    return seconds, float(done.stderr.rsplit("peak_rss_mb=", 1)[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1_000_000, help="responses in 2026")
    parser.add_argument("--previous", type=int, default=0, help="responses in 2025 (the previous period)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"),
                        help="default: a temporary SQLite file; a PostgreSQL database is emptied first")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--cli", action="store_true", help="also time `flask scores` in its own process")
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_only:
        measure(args.database_url, args.repeat)
        return
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.sqlite"
        print(f"database: {url.split('@')[-1]}")
        build(url, args.responses, args.previous, args.seed)
        output = subprocess.run([sys.executable, __file__, "--measure-only", "--database-url", url,
                                 "--repeat", str(args.repeat)], check=True, capture_output=True, text=True).stdout
        figures = json.loads(output.splitlines()[-1])
        floor, scores = min(figures["floor"]), min(figures["scores"])
        print(f"responses in 2026: {figures['responses_in_year']} ({figures['raters']} raters, "
              f"SIPAS {figures['index']:.2f}); GROUP BY rows: {figures['groups']}")
        print(f"GROUP BY floor: {' / '.join(f'{t:.2f}' for t in figures['floor'])} s  (best {floor:.2f} s)")
        print(f"period_scores:  {' / '.join(f'{t:.2f}' for t in figures['scores'])} s  (best {scores:.2f} s)")
        print(f"ratio: {scores / floor:.2f}x the GROUP BY floor")
        print(f"peak RSS of the scoring process: {figures['peak_rss_mb']:.0f} MB "
              f"({figures['baseline_rss_mb']:.0f} MB before scoring)")
        if args.cli:
            seconds, rss = run_cli(url)
            print(f"flask scores --format json for 2026: {seconds:.2f} s, peak RSS {rss:.0f} MB (start-up included)")


if __name__ == "__main__":
    main()
