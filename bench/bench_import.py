"""`responses import` and `responses export` at 100,000 and 1,000,000 rows (issue 8).

    .venv/bin/python bench/bench_import.py [--rows N ...] [--database-url URL] [--units 200]

Writes valid import CSVs of the default questionnaire (SIPAS: most criteria rated, some "no
opinion", some blank; expectations, profile answers, a comment in one row of ten) into a
temporary directory, creates the units with `flask units import`, then for each size runs
`flask responses import FILE` in a child process on an empty database and prints rows per
second and the child's own peak memory (its maximum resident set, from wait4). After the
largest size it runs `flask responses export` of everything the same way. Goals: import at
least 20,000 rows/s in under 1 GB; export in constant memory.

Without --database-url each size gets a new SQLite file in the temporary directory. With a
PostgreSQL URL the schema is brought up to date and every response there is DELETED before
each size: give it a database of its own (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test_h4).

The machine may be shared: a pure-Python reference loop is timed with every run, so that
figures taken at different times can be compared.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from survey_app.domain.catalog import load_catalog
from survey_app.domain.interchange import columns

FLASK = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "survey_app"]
COMMENTS = ["Cán bộ hướng dẫn tận tình, chu đáo.", "Thời gian chờ còn lâu, cần thêm quầy tiếp nhận.",
            "Nên niêm yết rõ hơn mức phí, lệ phí.", "=cảm ơn, \"rất\" hài lòng\nlần sau sẽ quay lại"]


def write_units(path: Path, count: int) -> list[str]:
    codes = [f"XA-{i:04d}" for i in range(1, count + 1)]
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["code", "name", "parent"])
        writer.writerow(["TINH", "UBND tỉnh An Phú", ""])
        writer.writerows([code, f"Xã số {i}", "TINH"] for i, code in enumerate(codes, start=1))
    return codes


def write_responses(path: Path, rows: int, units: list[str], seed: int = 8) -> None:
    questionnaire = load_catalog(ROOT / "questionnaires", "sipas").default
    rng = random.Random(seed)
    criteria = questionnaire.criterion_codes
    options = [option.code for option in questionnaire.expectations.options]
    profile = [[option.code for option in question.options] for question in questionnaire.profile]
    levels = ("0", "1", "2", "3", "3", "4", "4", "4", "5", "5")
    start = datetime(2026, 1, 1, 7, 30, tzinfo=timezone(timedelta(hours=7)))
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(columns([questionnaire]))
        for i in range(rows):
            cells = [(start + timedelta(seconds=11 * i)).isoformat(), units[i % len(units)], "sipas",
                     "paper" if i % 4 else "import", "en" if i % 7 == 0 else "vi"]
            cells += [rng.choice(levels) if rng.random() < 0.93 else "" for _ in criteria]
            cells.append(";".join(rng.sample(options, rng.randint(0, 3))))
            cells += [rng.choice(choices) if rng.random() < 0.8 else "" for choices in profile]
            cells.append(rng.choice(COMMENTS) if i % 10 == 0 else "")
            writer.writerow(cells)


def run(args: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Wall time, peak resident memory in MB of the child alone, and its output."""
    started = time.perf_counter()
    child = subprocess.Popen([*FLASK, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True)
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if child.returncode != 0:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{output}")
    return seconds, usage.ru_maxrss // 1024, output.strip()


def reference_seconds() -> float:
    started = time.perf_counter()
    sum(i * i for i in range(5_000_000))
    return time.perf_counter() - started


def empty_database(env: dict[str, str]) -> None:
    run(["db", "upgrade"], env)
    if env["SURVEY_APP_DATABASE_URL"].startswith("postgresql"):
        from sqlalchemy import create_engine, text

        engine = create_engine(env["SURVEY_APP_DATABASE_URL"])
        with engine.begin() as connection:
            connection.execute(text("TRUNCATE responses CASCADE"))
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, action="append", help="a size to run (repeatable); "
                        "default 100000 and 1000000")
    parser.add_argument("--database-url", help="a PostgreSQL database to use (emptied of responses)")
    parser.add_argument("--units", type=int, default=200)
    options = parser.parse_args()
    sizes = sorted(options.rows or [100_000, 1_000_000])

    with tempfile.TemporaryDirectory(prefix="bench_import_") as tmp:
        work = Path(tmp)
        database = "PostgreSQL" if options.database_url else "SQLite"
        print(f"{database}, {options.units} units; reference loop {reference_seconds():.2f} s")
        units_csv = work / "units.csv"
        units = write_units(units_csv, options.units)
        for rows in sizes:
            env = {**os.environ, "SURVEY_APP_DATABASE_URL":
                   options.database_url or f"sqlite:///{work / f'bench_{rows}.sqlite'}"}
            data = work / f"responses_{rows}.csv"
            started = time.perf_counter()
            write_responses(data, rows, units)
            print(f"{rows:>9,} rows: file of {data.stat().st_size / 1e6:.0f} MB written in "
                  f"{time.perf_counter() - started:.0f} s")
            empty_database(env)
            run(["units", "import", str(units_csv)], env)
            seconds, peak, output = run(["responses", "import", str(data)], env)
            assert output.splitlines()[-1] == f"{rows} responses imported", output
            print(f"{rows:>9,} rows: import {seconds:7.1f} s, {rows / seconds:8,.0f} rows/s, "
                  f"peak {peak:,} MB  (reference loop {reference_seconds():.2f} s)")
            data.unlink()
        exported = work / "export.csv"
        seconds, peak, output = run(["responses", "export", str(exported)], env)
        assert output.splitlines()[-1] == f"{rows} responses exported", output
        print(f"{rows:>9,} rows: export {seconds:7.1f} s, {rows / seconds:8,.0f} rows/s, "
              f"peak {peak:,} MB  (reference loop {reference_seconds():.2f} s)")


if __name__ == "__main__":
    main()
