"""A flood of identical forms: does a submission cost the same at its end as at its start?

    .venv/bin/python bench/flood.py [--posts 2000] [--database-url postgresql+psycopg://...]

Builds the app (``create_app``) on a fresh SQLite file in a temporary directory migrated by
Alembic (or on the PostgreSQL database given: migrated, with a unit of this run's own), then
through Flask's test client posts ``--posts`` identical full forms (every criterion rated 4, the
same comment) to one unit's open link, each with the page (CSRF token, submission key, served-at
field) fetched just before it from a browser (session) and an address of its own, as a script spread over many
addresses would: the repetition rule is what catches them (issue 16, finding 3).

The limits (and the open-link rules' memory of sources) are kept where ``--limits-storage``
says: Redis by default, as a deployment keeps them, under a key prefix of this run. With
memory:// every post's new address adds keys that the ``limits`` library's expiry thread walks
every 10 ms, which slows the process more with every post whatever the app does.

Only the POSTs are timed. It prints the median of the first 100 and of the last 100, their ratio
(goal: at most 1.5), and how many of the posts were stored and flagged.
"""

from __future__ import annotations

import argparse
import re
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cryptography.fernet import Fernet  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from survey_app import create_app  # noqa: E402
from survey_app.domain.catalog import load_catalog  # noqa: E402
from survey_app.extensions import db  # noqa: E402
from survey_app.models import Response, ResponseFlag  # noqa: E402
from survey_app.services.units import unit_by_code  # noqa: E402

EDGE = 100
GOAL = 1.5


def hidden(html: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html)
    if not match:
        raise SystemExit(f"no field {name} in the survey page")
    return match.group(1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--database-url", help="a PostgreSQL database to use (default: a fresh SQLite file)")
    parser.add_argument("--limits-storage", default="redis://127.0.0.1:6379",
                        help="where the limits are counted (default: %(default)s)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        url = args.database_url or f"sqlite:///{Path(workdir) / 'flood.db'}"
        run = secrets.token_hex(3)
        unit = "STP" if not args.database_url else f"STP-{run}"
        app = create_app({"DATABASE_URL": url, "SQLALCHEMY_DATABASE_URI": url,
                          "SECRET_KEY": secrets.token_urlsafe(32), "CONTACT_KEYS": Fernet.generate_key().decode(),
                          "RATELIMIT_STORAGE_URI": args.limits_storage, "RATELIMIT_KEY_PREFIX": f"flood_{run}",
                          "JOBS_DIR": str(Path(workdir) / "jobs")})
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
        units_csv = Path(workdir) / "units.csv"
        units_csv.write_text(f"code,name,parent\n{unit},UBND phường Bến Nghé,\n")
        imported = app.test_cli_runner().invoke(args=["units", "import", str(units_csv)])
        if imported.exit_code != 0:
            raise SystemExit(imported.output)
        q = load_catalog(ROOT / "questionnaires", "sipas").default
        answers = {code: "4" for code in q.criterion_codes} | {"comment": "Tuyệt vời"}
        seconds = []
        for i in range(args.posts):
            client = app.test_client()  # a browser of its own: no limit per browser or address is met
            address = {"REMOTE_ADDR": f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}"}
            page = client.get(f"/u/{unit}", environ_base=address).get_data(as_text=True)
            fields = {name: hidden(page, name) for name in ("csrf_token", "submission_key", "served_at")}
            started = time.perf_counter()
            posted = client.post(f"/u/{unit}", data=fields | answers, environ_base=address)
            seconds.append(time.perf_counter() - started)
            if posted.status_code != 302:
                raise SystemExit(f"post {i}: {posted.status_code} {posted.get_data(as_text=True)[:300]}")
        with app.app_context():
            unit_id = unit_by_code(db.session, unit).id
            stored = db.session.scalar(select(func.count()).where(Response.unit_id == unit_id))
            flagged = db.session.scalar(select(func.count()).select_from(ResponseFlag).join(ResponseFlag.response)
                                        .where(Response.unit_id == unit_id))
            dialect = db.engine.dialect.name
            db.engine.dispose()
    first, last = statistics.median(seconds[:EDGE]), statistics.median(seconds[-EDGE:])
    print(f"{dialect}: {args.posts} identical posts to /u/{unit}, {stored} stored, {flagged} flagged")
    print(f"median POST, first {EDGE}: {first * 1000:.1f} ms; last {EDGE}: {last * 1000:.1f} ms; "
          f"ratio {last / first:.2f} (goal: at most {GOAL})")
    return 0 if last / first <= GOAL and stored == args.posts else 1


if __name__ == "__main__":
    sys.exit(main())
