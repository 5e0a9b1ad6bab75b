"""How the slip PDF scales with the number of slips, against one page in the same run.

    .venv/bin/python bench/bench_slips.py [--slips 500]

Prints the time and peak memory (tracemalloc, Python allocations only) of one sheet of 8 slips
(the baseline) and of --slips slips, and the time per page of each: a ratio near 1 means the
cost grows linearly with pages. A request for 500 slips must stay well inside gunicorn's
--timeout (120 s in the README).
"""

from __future__ import annotations

import argparse
import math
import time
import tracemalloc

from survey_app import create_app
from survey_app.reports.slips import SLIPS_PER_PAGE, slips_pdf
from survey_app.services.secrets import new_secret


def measure(count: int) -> tuple[float, int, int]:
    urls = [f"https://khaosat.example.gov.vn/s/{new_secret()}" for _ in range(count)]
    def render() -> bytes:
        return slips_pdf(unit_name="UBND phường Bến Nghé", procedure=None, expires="25/12/2026", urls=urls)

    started = time.perf_counter()
    pdf = render()
    elapsed = time.perf_counter() - started
    # Memory in a second run: tracemalloc slows Python down several times, so it must not
    # be on while timing.
    tracemalloc.start()
    render()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return elapsed, peak, len(pdf)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slips", type=int, default=500)
    args = parser.parse_args()
    app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": "sqlite://", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.test_request_context():
        measure(SLIPS_PER_PAGE)  # warm-up: fonts and Pango load once per process
        rows = []
        for count in (SLIPS_PER_PAGE, args.slips):
            elapsed, peak, size = measure(count)
            pages = math.ceil(count / SLIPS_PER_PAGE)
            rows.append((count, pages, elapsed, peak, size))
            print(f"{count:4d} slips, {pages:3d} pages: {elapsed:6.2f} s, {elapsed / pages * 1000:6.0f} ms/page, "
                  f"peak {peak / 1e6:6.1f} MB, PDF {size / 1e3:7.0f} kB")
        base, big = rows
        print(f"ratio of time per page, {big[0]} slips vs one page: {(big[2] / big[1]) / (base[2] / base[1]):.2f}")


if __name__ == "__main__":
    main()
