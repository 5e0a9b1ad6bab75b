"""The early warning's run lengths, measured by seeded simulation (docs/indices.md, "Early warning").

    .venv/bin/python bench/bench_alerts.py [--runs 1000] [--seed 2026]

For the configured rule (config.py, ALERT_*), a stable unit answered like the demo's (22
criteria, Poisson 30 respondents a week, index 80; tests/early_warning_simulation.py):
ARL0 down and up (weeks to a false signal; runs censored at 1,500 weeks count 1,500, so the
figure errs low), then the weeks to detect a sustained drop of 5 and 10 points that begins
after a quarter of in-control weeks (median, 90th percentile). Then ARL0 down at other levels
and volumes, and the same for other lambda and L, to show why the configured pair was chosen.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import early_warning_simulation as sim  # noqa: E402

from survey_app.config import Defaults  # noqa: E402
from survey_app.domain.early_warning import DOWN, UP, ChartRule  # noqa: E402


def line(rule: ChartRule, runs: int, seed: int) -> str:
    down = sim.arl(rule, seed, runs, side=DOWN)
    up = sim.arl(rule, seed + 1, runs, side=UP)
    five = sim.delays(rule, seed + 2, runs, 5.0)
    ten = sim.delays(rule, seed + 3, runs, 10.0)
    return (f"lambda {rule.lam:.2f} L {rule.width:.2f} (limit {rule.limit:.3f}): ARL0 down {down:7.1f}  up {up:7.1f}  "
            f"5-point drop: median {np.median(five):.0f}, 90% {np.percentile(five, 90):.0f} weeks  "
            f"10-point drop: median {np.median(ten):.0f}, 90% {np.percentile(ten, 90):.0f} weeks")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    rule = ChartRule.from_settings(vars(Defaults))
    began = time.monotonic()
    print("configured:", line(rule, args.runs, args.seed), flush=True)
    for level, respondents in ((65, 30), (90, 30), (80, 8), (80, 100)):
        down = sim.arl(rule, args.seed + 10, args.runs // 2, level=level, respondents=respondents)
        print(f"  index {level}, {respondents} respondents a week: ARL0 down {down:7.1f}", flush=True)
    for lam, width in ((0.1, 2.2), (0.2, 2.0), (0.2, 2.2), (0.2, 2.6), (0.3, 2.4)):
        print("  other:", line(replace(rule, lam=lam, width=width), args.runs // 2, args.seed + 20), flush=True)
    print(f"{time.monotonic() - began:.0f} s")


if __name__ == "__main__":
    main()
