"""Stuffing an open link from a script, replayed against the demo province (issue 16, finding 1).

    .venv/bin/python bench/stuffing.py [--responses 12000]

Builds the demo province (``flask demo``'s ``create_demo``, seed 2017, its default size) as of
a fixed time, T0 = 2026-11-20 09:00 in Hanoi, in a fresh SQLite file migrated by Alembic. Then
each scenario runs on a fresh copy of that file, through the app's own pages and posts (Flask's
test client; the client's address set per request), with the script's time: ``time.time``
drives the app's clock, the signed page times and the limiter's counters, as in
tests/web/public/test_open_link_stuffing.py.

- The issue's scripted attack: one source, one page, 40 posts of varied answers over two
  minutes (20 a minute, under the burst rule), each with a submission key of the client's
  making; then the same with the page's own key every time; then with a page (and cookie) of
  its own fetched for each post, the only way left to get answers stored. Against the Sở
  group's first-ranked unit (answers of 1 and 2, to pull it down) and against its unranked unit
  with the most answers (answers of 4 and 5, to lift it).
- The paced attack: a page and a post every 2 minutes for 3 hours, against the first.
- 30 citizens behind one address (a one-stop shop's Wi-Fi: the province's public service
  centre) answering within an hour at human pace.

For each it prints the posts sent, refused (not stored: sent back, or limited), stored, flagged
and counted, the attacked unit's index and rank before and after, and how many units' ranks
moved: the figures of ``flask scores --format json`` for 2026-10-01 to 2026-11-20.
"""

from __future__ import annotations

import argparse
import json
import re
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cryptography.fernet import Fernet  # noqa: E402
from flask import Flask  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import select  # noqa: E402

from survey_app import create_app  # noqa: E402
from survey_app.extensions import db  # noqa: E402
from survey_app.models import Response, ResponseFlag  # noqa: E402
from survey_app.services.demo import create_demo  # noqa: E402

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
PERIOD = ("2026-10-01", "2026-11-20")
ATTACKER, SHOP = "203.0.113.66", "198.51.100.10"
SECRET_KEY = secrets.token_urlsafe(32)
CONTACT_KEYS = Fernet.generate_key().decode()


class Clock:
    """The time of the whole process (``time.time``), moved by the script only."""

    def __init__(self) -> None:
        self.now = T0.timestamp()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


CLOCK = Clock()


def make_app(url: str, workdir: Path) -> Flask:
    return create_app({"DATABASE_URL": url, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY,
                       "CONTACT_KEYS": CONTACT_KEYS, "JOBS_DIR": str(workdir / "jobs"),
                       "MAIL_FILE_PATH": str(workdir / "outbox")})


def scores(app: Flask) -> dict[str, dict]:
    result = app.test_cli_runner().invoke(args=["scores", "--from", PERIOD[0], "--to", PERIOD[1],
                                                "--format", "json"])
    if result.exit_code != 0:
        raise SystemExit(result.output)
    return {unit["unit"]: unit for unit in json.loads(result.output)["units"]}


# ----------------------------------------------------------------------------- a browser, a script

def hidden(html: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html)
    if not match:
        raise SystemExit(f"no field {name} in the survey page")
    return match.group(1)


def open_page(client, unit: str, address: str) -> dict[str, str]:
    html = client.get(f"/u/{unit}", environ_base={"REMOTE_ADDR": address}).get_data(as_text=True)
    return {name: hidden(html, name) for name in ("csrf_token", "submission_key", "served_at")}


def send(client, unit: str, address: str, fields: dict[str, str], answers: dict[str, str]) -> int:
    return client.post(f"/u/{unit}", data={**fields, **answers}, environ_base={"REMOTE_ADDR": address}).status_code


def varied(criteria: list[str], i: int, low: int) -> dict[str, str]:
    """Answers of ``low`` and ``low + 1``, varied from one post to the next (never alike)."""
    return {code: str(low + (i + j) % 2) for j, code in enumerate(criteria)}


def human(criteria: list[str], i: int) -> dict[str, str]:
    return {**{code: str(3 + (i * 7 + j) % 3) for j, code in enumerate(criteria)}, "comment": f"ý kiến {i}"}


def one_page_own_keys(app: Flask, unit: str, answers: Callable[[int], dict]) -> int:
    client = app.test_client()
    page = open_page(client, unit, ATTACKER)
    CLOCK.advance(30)
    for i in range(40):
        send(client, unit, ATTACKER, {**page, "submission_key": secrets.token_urlsafe(24)}, answers(i))
        CLOCK.advance(3)
    return 40


def one_page_its_key(app: Flask, unit: str, answers: Callable[[int], dict]) -> int:
    client = app.test_client()
    page = open_page(client, unit, ATTACKER)
    CLOCK.advance(30)
    for i in range(40):
        send(client, unit, ATTACKER, page, answers(i))
        CLOCK.advance(3)
    return 40


def a_page_each(app: Flask, unit: str, answers: Callable[[int], dict], posts: int = 40,
                read: float = 1, pause: float = 2) -> int:
    for i in range(posts):
        client = app.test_client()
        page = open_page(client, unit, ATTACKER)
        CLOCK.advance(read)
        send(client, unit, ATTACKER, page, answers(i))
        CLOCK.advance(pause)
    return posts


def citizens_behind_one_address(app: Flask, unit: str, criteria: list[str]) -> int:
    """30 people on their own phones, one opening the page every 110 s, each answering in 2.5 to
    3.5 minutes, some of them all 'very satisfied'."""
    phones = [app.test_client() for _ in range(30)]
    pages: dict[int, dict] = {}
    events = sorted([(i * 110, "open", i) for i in range(30)]
                    + [(i * 110 + 150 + 13 * (i % 5), "send", i) for i in range(30)])
    for at, what, i in events:
        CLOCK.now = T0.timestamp() + at
        if what == "open":
            pages[i] = open_page(phones[i], unit, SHOP)
        else:
            answers = {code: "5" for code in criteria} if i % 10 == 0 else human(criteria, i)
            send(phones[i], unit, SHOP, pages[i], answers)
    return 30


# ----------------------------------------------------------------------------- scenarios

@dataclass(frozen=True)
class Outcome:
    sent: int
    stored: int
    flagged: int
    reasons: dict[str, int]   # flagged responses per reason (one may have several)
    before: dict[str, dict]
    after: dict[str, dict]

    @property
    def counted(self) -> int:
        return self.stored - self.flagged

    def ranks_moved(self) -> int:
        return sum(1 for code, unit in self.after.items() if unit["rank"] != self.before[code]["rank"])


def run(base: Path, workdir: Path, name: str, scenario: Callable[[Flask], int]) -> Outcome:
    copy = workdir / f"{name}.sqlite"
    shutil.copyfile(base, copy)
    app = make_app(f"sqlite:///{copy}", workdir)
    CLOCK.now = T0.timestamp()
    before = scores(app)
    sent = scenario(app)
    after = scores(app)
    with app.app_context():
        reasons = list(db.session.scalars(
            select(ResponseFlag.reasons).select_from(Response)
            .outerjoin(ResponseFlag, ResponseFlag.response_id == Response.id)
            .where(Response.submitted_at >= T0)))
        db.session.remove()
        db.engine.dispose()
    copy.unlink()
    by_reason: dict[str, int] = {}
    for reason in (r for flags in reasons if flags for r in flags.split(",")):
        by_reason[reason] = by_reason.get(reason, 0) + 1
    return Outcome(sent=sent, stored=len(reasons), flagged=sum(1 for r in reasons if r is not None),
                   reasons=by_reason, before=before, after=after)


def figure(unit: dict) -> str:
    index = "–" if unit["index"] is None else f"{unit['index']:.1f}"
    return f"{index} ({'unranked' if unit['rank'] is None else 'rank ' + str(unit['rank'])})"


def report(label: str, unit: str, outcome: Outcome) -> None:
    print(f"  {label:<44} sent {outcome.sent:>3}  refused {outcome.sent - outcome.stored:>3}  "
          f"stored {outcome.stored:>3}  flagged {outcome.flagged:>3}  counted {outcome.counted:>3}  "
          f"{unit}: {figure(outcome.before[unit])} -> {figure(outcome.after[unit])}  "
          f"ranks moved {outcome.ranks_moved()}"
          + (f"  flagged for {', '.join(f'{r} {n}' for r, n in sorted(outcome.reasons.items()))}"
             if outcome.reasons else ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=12000, help="the demo's responses (default 12000)")
    args = parser.parse_args()
    time.time = CLOCK  # the script's time, for the app, its signed page times and its limits
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="survey-stuffing-") as tmp:
        workdir = Path(tmp)
        base = workdir / "demo.sqlite"
        app = make_app(f"sqlite:///{base}", workdir)
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            made = create_demo(db.session, app.extensions["survey_catalog"], responses=args.responses, seed=2017,
                               now=T0, invitations=True, valid_for=timedelta(days=app.config["INVITATION_VALID_DAYS"]))
            db.session.commit()
            db.session.remove()
            db.engine.dispose()
        criteria = list(app.extensions["survey_catalog"].default.criterion_codes)
        units = scores(app)
        sở = [unit for unit in units.values() if unit["parent"] == "SO"]
        first = next(unit["unit"] for unit in sở if unit["rank"] == 1)
        unranked = max((unit for unit in sở if unit["rank"] is None), key=lambda unit: unit["n"])["unit"]
        print(f"demo province: {made.units} units, {made.responses} responses, as of {T0:%Y-%m-%d %H:%M} "
              f"(Hanoi); figures of {PERIOD[0]} to {PERIOD[1]}; attacker {ATTACKER}")
        print("scripted attack: one source, 40 posts of varied answers over two minutes")
        for unit, low, aim in ((first, 1, "answers 1-2"), (unranked, 4, "answers 4-5")):
            answers = (lambda low: lambda i: varied(criteria, i, low))(low)
            for label, script in (("one page, keys of its own", one_page_own_keys),
                                  ("one page, its key each time", one_page_its_key),
                                  ("a page of its own for each post", a_page_each)):
                outcome = run(base, workdir, f"{unit}-{script.__name__}",
                              lambda app, script=script, unit=unit, answers=answers: script(app, unit, answers))
                report(f"{label} ({aim})", unit, outcome)
        print("paced attack: a page and a post every 2 minutes for 3 hours")
        outcome = run(base, workdir, "paced", lambda app: a_page_each(
            app, first, lambda i: varied(criteria, i, 1), posts=90, read=100, pause=20))
        report("90 posts (answers 1-2)", first, outcome)
        print("30 citizens behind one address (a one-stop shop's Wi-Fi) within an hour")
        outcome = run(base, workdir, "shop", lambda app: citizens_behind_one_address(app, "TTPVHCC", criteria))
        report("30 answers at human pace", "TTPVHCC", outcome)
    print(f"({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
