"""How long the scores of a period take, against the bare cost of reading its answers.

    .venv/bin/python bench/bench_scores.py [--responses 20000] [--database-url URL]

Prints the time of `services.scores.period_scores` (every unit, the period and the previous
one, confidence intervals and ranks) and of a baseline measured in the same run on the same
database: one SELECT of every answer row of both periods. The ratio says how much the
statistics and grouping cost over reading the data at all. Also prints the peak memory of the
scores call (tracemalloc).
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_migrate import upgrade
from sqlalchemy import func, select

from survey_app import create_app
from survey_app.domain.periods import Period
from survey_app.extensions import db
from survey_app.models import Answer, Response
from survey_app.services.demo import create_demo
from survey_app.services.scores import ScoreQuery, period_scores


def best_of(repeat: int, call) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=20000)
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.sqlite"
        app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": url, "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            upgrade()
            tz = ZoneInfo(app.config["TIMEZONE"])
            now = datetime(2026, 11, 25, 12, 0, tzinfo=tz)
            started = time.perf_counter()
            create_demo(db.session, app.extensions["survey_catalog"], responses=args.responses, seed=1, now=now)
            db.session.commit()
            print(f"demo data: {args.responses} responses in {time.perf_counter() - started:.1f} s")

            catalog = app.extensions["survey_catalog"]
            period = Period(date(2026, 1, 1), date(2026, 6, 30))
            query = ScoreQuery(questionnaire=catalog.default, period=period, tz=tz)
            start, _ = period.previous().utc_bounds(tz)
            _, end = period.utc_bounds(tz)
            answers = (select(Answer.response_id, Answer.item_code, Answer.value)
                       .join(Response).where(Response.submitted_at >= start, Response.submitted_at < end))
            rows = db.session.scalar(select(func.count()).select_from(answers.subquery()))

            baseline = best_of(3, lambda: db.session.execute(answers).all())
            measured = best_of(3, lambda: period_scores(db.session, query))
            tracemalloc.start()
            period_scores(db.session, query)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            print(f"answer rows in both periods: {rows}")
            print(f"baseline (SELECT the answer rows): {baseline * 1000:.0f} ms")
            print(f"period_scores:                     {measured * 1000:.0f} ms")
            print(f"ratio: {measured / baseline:.1f}x the bare read")
            print(f"peak memory of period_scores: {peak / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
