"""The citizen's survey under load: the page and a full submission, against a bare Flask app.

    .venv/bin/python bench/load.py [--seconds 10] [--database-url postgresql+psycopg://...]

Starts the app under gunicorn (2 sync workers, as ``make run``, with an empty configuration) on a fresh SQLite database in a
temporary directory built by ``flask db upgrade`` (or on the PostgreSQL database given: it is
migrated, a unit of this run's own is added and the bare app's table is dropped at the end),
and a bare Flask app on the same kind of database (a tiny page; a POST inserting one row).
wrk (127.0.0.1 only) then drives, one after the other:

- GET of the tiny page, and GET ``/u/<unit>`` (a first visit: no cookie); and, for reference
  only, GET of a bare page as big as the survey's holding a Flask-WTF CSRF token, which is
  what session-bound CSRF alone costs;
- a submission as a browser makes it: GET of the page, then POST of its form with that page's
  session cookie, CSRF token, submission key and served-at stamp (the open link stores only
  keys it issued, each once), and varied answers (22 for the survey); for the bare app, GET of
  its CSRF page, then POST of one row. Each connection of wrk fetches a page, answers it and
  fetches the next; the rate counts submissions stored (each cost a page and a post), and p50
  and p99 are of the pages and posts together.

The same app also runs under the shipped production configuration (``gunicorn.conf.py``: its
workers, preloading, worker recycling and access log, written to a file of the run), and the
survey's GET and POST are measured there too, against the empty configuration (goal: 0.9).

It prints req/s, p50 and p99 and the ratios to the bare app, then checks that the responses
stored equal the successful submissions (302) received, and that no request got a 5xx.
The POSTs stop being sent at ``--seconds`` and the run lasts a grace period longer, so that
every request sent is answered and counted (req/s = successes / --seconds).

The open-link rate limits per address (30 a minute, 60 an hour) are raised through
SURVEY_APP_OPEN_LINK_RATE_LIMIT and SURVEY_APP_OPEN_LINK_SOURCE_HOURLY_LIMIT; the limit per
browser stays (every submission is a browser of its own: a page's own session). The integrity
rules stay as configured: the burst of a benchmark gets flagged, and flagged responses are
still stored responses. To measure submissions that are screened and not flagged, as a
citizen's are, set SURVEY_APP_INTEGRITY_LINK_BURST_COUNT and SURVEY_APP_INTEGRITY_REPEAT_COUNT
high and SURVEY_APP_INTEGRITY_BURST_SECONDS and SURVEY_APP_INTEGRITY_FAST_SECONDS low; every
SURVEY_APP_INTEGRITY_* variable set is printed.
The limits are counted where ``--limits-storage`` says: memory:// (each worker on its own, as
``make run``) by default, or redis://127.0.0.1:6379, as a deployment with several workers must.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from sqlalchemy import create_engine, event, text

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RATE_LIMIT = "1000000 per minute"
GRACE_SECONDS = 8

# The bare app, written to the run's directory and served by gunicorn like the real one.
BARE_APP = '''
import os
from flask import Flask, redirect, request
from flask_wtf.csrf import generate_csrf
from sqlalchemy import create_engine, event, text

engine = create_engine(os.environ["BARE_DATABASE_URL"])

@event.listens_for(engine, "connect")
def _pragmas(dbapi_connection, record):
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()

app = Flask(__name__)
app.secret_key = os.environ["SURVEY_APP_SECRET_KEY"]
# A page as big as the survey's, holding nothing but a Flask-WTF CSRF token (and so a session).
FORM = "<!doctype html><title>bare</title><form><input name=csrf_token value=%s>" + "x" * 32000 + "</form>"

@app.get("/")
def page():
    return "<!doctype html><title>bare</title><p>A tiny page.</p>"

@app.get("/form")
def form():
    return FORM % generate_csrf()

@app.post("/rows")
def add_row():
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO bench_rows (k) VALUES (:k)"), {"k": request.form["k"]})
    return redirect("/")
'''

# One Lua script for every run: counts statuses; in a submitting run, each request is the
# GET of a page (its tokens kept by this thread when it comes back) or, when a page is waiting,
# the POST of its form with that page's cookie and tokens and fresh ratings. After the deadline
# (a Unix second) it sends nothing more and waits for the answers.
LUA = r'''
local criteria = __CRITERIA__
local levels = __LEVELS__
local post = __POST__
local get_path = "__GET_PATH__"
local post_path = "__POST_PATH__"
local deadline = __DEADLINE__
local run = "__RUN__"
local threads = {}
local counter = 0
local pages = {}
tid = 0
counts = {}
sent = {GET = 0, POST = 0}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(tid * 7919 + os.time())
end

function delay()
  if os.time() >= deadline then return 3600000 end
  return 0
end

local function field(body, name)
  return body:match('<input[^>]-name="' .. name .. '"[^>]-value="([^"]*)"')
end

function request()
  if not post then return wrk.format("GET", wrk.path) end
  local page = table.remove(pages)
  if page == nil then
    sent.GET = sent.GET + 1
    return wrk.format("GET", get_path)
  end
  sent.POST = sent.POST + 1
  counter = counter + 1
  local parts = {"k=" .. run .. string.format("%02dx%010d", tid, counter)}
  for name, value in pairs(page.fields) do table.insert(parts, name .. "=" .. value) end
  for _, code in ipairs(criteria) do
    table.insert(parts, code .. "=" .. levels[math.random(#levels)])
  end
  local headers = {["Content-Type"] = "application/x-www-form-urlencoded", ["Cookie"] = page.cookie}
  return wrk.format("POST", post_path, headers, table.concat(parts, "&"))
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
  if post and status == 200 then
    -- A page (or a form sent back, with a fresh key): answered next, as a browser would.
    local fields = {}
    for _, name in ipairs({"csrf_token", "submission_key", "served_at"}) do fields[name] = field(body, name) end
    local cookie = (headers["Set-Cookie"] or ""):match("^[^;]*")
    table.insert(pages, {fields = fields, cookie = cookie})
  end
end

function done(summary, latency, requests)
  local total = {}
  local gets, posts = 0, 0
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("counts")) do total[tostring(status)] = (total[tostring(status)] or 0) + n end
    local s = thread:get("sent")
    gets, posts = gets + s.GET, posts + s.POST
  end
  local parts = {}
  for status, n in pairs(total) do table.insert(parts, string.format('"%s": %d', status, n)) end
  io.write(string.format('RESULT {"statuses": {%s}, "requests": %d, "duration_us": %d, ' ..
    '"p50_us": %d, "p99_us": %d, "timeouts": %d, "connect_errors": %d, "read_errors": %d, ' ..
    '"gets": %d, "posts": %d}\n',
    table.concat(parts, ", "), summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(99), summary.errors.timeout, summary.errors.connect, summary.errors.read, gets, posts))
end
'''


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(target: str, port: int, env: dict, log: Path, chdir: Path | None = None,
                   shipped: bool = False) -> subprocess.Popen:
    if shipped:
        # The production configuration as it ships; only the address is this run's (its
        # SURVEY_APP_BIND), and its access log (stdout) goes to a file of the run.
        command = [str(BIN / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py"), "--error-logfile", str(log)]
        env = {**env, "SURVEY_APP_BIND": f"127.0.0.1:{port}"}
    else:
        # An empty configuration: not the production gunicorn.conf.py of the working directory.
        (log.parent / "gunicorn.conf.py").write_text("")
        command = [str(BIN / "gunicorn"), "--config", str(log.parent / "gunicorn.conf.py"),
                   "--bind", f"127.0.0.1:{port}", "--workers", "2", "--no-control-socket",
                   "--error-logfile", str(log)]
    if chdir:
        command += ["--chdir", str(chdir)]
    with open(log.with_suffix(".access"), "w") as access:
        process = subprocess.Popen([*command, target], env=env, cwd=ROOT, start_new_session=True, stdout=access)
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
            return process
        except urllib.error.HTTPError:
            return process
        except OSError:
            time.sleep(0.1)
    stop(process)
    raise SystemExit(f"{target} did not start; see {log}:\n{log.read_text()[-2000:]}")


def _gunicorn_workers(master: subprocess.Popen) -> int:
    """How many workers a gunicorn master has forked (its children, from /proc)."""
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children")
    for _ in range(50):
        found = children.read_text().split() if children.exists() else []
        if found:
            time.sleep(0.5)
            return len(children.read_text().split())
        time.sleep(0.1)
    return 0


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def lua_value(value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {lua_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "{" + ", ".join(lua_value(v) for v in value) + "}"
    return json.dumps(value)  # a string or a number reads the same in Lua


def wrk(url: str, seconds: int, args, workdir: Path, *, submit: tuple[str, str] | None = None, criteria=(),
        levels=(), run: str = "") -> dict:
    """A wrk run against ``url``: GETs of it, or with ``submit`` (the page's path, the path its
    form posts to) submissions, each a GET of the page and a POST of its form."""
    post = submit is not None
    deadline = 0
    duration = seconds
    if post:
        # Start on a whole second, so that the deadline (os.time() in Lua) is exact.
        time.sleep(1 - time.time() % 1 + 0.01)
        deadline = int(time.time()) + seconds
        duration = seconds + GRACE_SECONDS
    get_path, post_path = submit or ("", "")
    script = (LUA.replace("__GET_PATH__", get_path).replace("__POST_PATH__", post_path)
              .replace("__CRITERIA__", lua_value(list(criteria)))
              .replace("__LEVELS__", lua_value([str(v) for v in levels]))
              .replace("__POST__", "true" if post else "false")
              .replace("__DEADLINE__", str(deadline if post else 2**40))
              .replace("__RUN__", run))
    path = workdir / ("post.lua" if post else "get.lua")
    path.write_text(script)
    output = subprocess.run(
        ["wrk", "-t", str(args.threads), "-c", str(args.connections), "-d", f"{duration}s",
         "--timeout", f"{GRACE_SECONDS - 2}s", "-s", str(path), url],
        capture_output=True, text=True, check=True).stdout
    found = re.search(r"^RESULT (.*)$", output, re.MULTILINE)
    if not found:
        raise SystemExit(f"wrk printed no result:\n{output}")
    result = json.loads(found.group(1))
    statuses = {int(k): v for k, v in result["statuses"].items()}
    result["statuses"] = statuses
    # A stored submission is answered by a redirect to the thank-you page; a 200 is the form again.
    ok = statuses.get(302, 0) if post else statuses.get(200, 0)
    result["ok"] = ok
    result["rate"] = ok / seconds if post else result["requests"] / (result["duration_us"] / 1e6)
    return result


def count(url: str, query: str, **params) -> int:
    engine = create_engine(url)
    with engine.connect() as connection:
        value = connection.execute(text(query), params).scalar_one()
    engine.dispose()
    return value


def prepare_bare_table(url: str) -> None:
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _wal(dbapi_connection, record):
        if type(dbapi_connection).__module__.startswith("sqlite3"):
            dbapi_connection.execute("PRAGMA journal_mode=WAL")

    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS bench_rows"))
        connection.execute(text("CREATE TABLE bench_rows (id INTEGER PRIMARY KEY "
                                + ("GENERATED ALWAYS AS IDENTITY" if url.startswith("postgresql") else "")
                                + ", k VARCHAR(64) NOT NULL)"))
    engine.dispose()


def drop_bare_table(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS bench_rows"))
    engine.dispose()


def line(name: str, result: dict, base: dict | None = None, goal: float | None = None) -> str:
    text_ = f"  {name:<34} {result['rate']:>9.1f} req/s  p50 {result['p50_us'] / 1000:>7.2f} ms  " \
            f"p99 {result['p99_us'] / 1000:>7.2f} ms"
    if base:
        ratio = result["rate"] / base["rate"]
        text_ += f"  ratio {ratio:.2f} (goal >= {goal:.2f}{'' if ratio >= goal else ', MISSED'})"
    return text_


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10, help="seconds per run (default 10)")
    parser.add_argument("--database-url", help="a PostgreSQL URL (default: a fresh SQLite file)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--limits-storage", default="memory://",
                        help="RATELIMIT_STORAGE_URI of the app (default memory://; e.g. redis://127.0.0.1:6379)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")

    sys.path.insert(0, str(ROOT))
    from survey_app.domain.catalog import load_catalog

    q = load_catalog(ROOT / "questionnaires", "sipas").default
    run = "bench" + secrets.token_hex(3)
    workdir = Path(tempfile.mkdtemp(prefix="survey-load-"))
    url = args.database_url or f"sqlite:///{workdir / 'survey.sqlite'}"
    bare_url = args.database_url or f"sqlite:///{workdir / 'bare.sqlite'}"
    # A fresh SQLite file has the unit STP to itself; on a shared database, a unit of this run.
    unit = "STP" if not args.database_url else f"STP-{run}"
    env = {**os.environ, "SURVEY_APP_DATABASE_URL": url, "SURVEY_APP_SECRET_KEY": secrets.token_urlsafe(32),
           "SURVEY_APP_OPEN_LINK_RATE_LIMIT": RATE_LIMIT, "SURVEY_APP_OPEN_LINK_SOURCE_HOURLY_LIMIT": RATE_LIMIT,
           "BARE_DATABASE_URL": bare_url,
           "SURVEY_APP_RATELIMIT_STORAGE_URI": args.limits_storage,
           # This run's own counters, whatever else the Redis holds.
           "SURVEY_APP_RATELIMIT_KEY_PREFIX": f"survey_app_{run}",
           # The code of this checkout, whatever the virtualenv has installed.
           "PYTHONPATH": os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))}
    flask = [str(BIN / "flask"), "--app", "survey_app"]
    subprocess.run([*flask, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    # The shipped configuration's own unit, so that both configurations' POSTs start on a unit
    # with no history (the integrity rules read a unit's recent responses).
    shipped_unit = f"{unit}B"
    (workdir / "units.csv").write_text(f"code,name,parent\n{unit},UBND phường Bến Nghé,\n"
                                       f"{shipped_unit},UBND phường Bến Thành,\n")
    subprocess.run([*flask, "units", "import", str(workdir / "units.csv")], env=env, cwd=ROOT, check=True,
                   capture_output=True)
    prepare_bare_table(bare_url)
    (workdir / "bare_app.py").write_text(BARE_APP)

    app_port, bare_port, shipped_port = free_port(), free_port(), free_port()
    app = start_gunicorn("survey_app:create_app()", app_port, env, workdir / "app.log")
    bare = start_gunicorn("bare_app:app", bare_port, env, workdir / "bare.log", chdir=workdir)
    shipped = start_gunicorn("survey_app:create_app()", shipped_port, env, workdir / "shipped.log", shipped=True)
    shipped_workers = _gunicorn_workers(shipped)
    try:
        survey_url = f"http://127.0.0.1:{app_port}/u/{unit}"
        criteria = list(q.criterion_codes)
        levels = list(q.scale.values)
        bare_get = wrk(f"http://127.0.0.1:{bare_port}/", args.seconds, args, workdir)
        bare_form = wrk(f"http://127.0.0.1:{bare_port}/form", args.seconds, args, workdir)
        app_get = wrk(survey_url, args.seconds, args, workdir)
        bare_post = wrk(f"http://127.0.0.1:{bare_port}/", args.seconds, args, workdir,
                        submit=("/form", "/rows"), run=run + "b")
        app_post = wrk(survey_url, args.seconds, args, workdir, submit=(f"/u/{unit}", f"/u/{unit}"),
                       criteria=criteria, levels=levels, run=run)
        shipped_url = f"http://127.0.0.1:{shipped_port}/u/{shipped_unit}"
        shipped_get = wrk(shipped_url, args.seconds, args, workdir)
        shipped_post = wrk(shipped_url, args.seconds, args, workdir,
                           submit=(f"/u/{shipped_unit}", f"/u/{shipped_unit}"), criteria=criteria,
                           levels=levels, run=run + "s")
        time.sleep(1)  # a request the client gave up on may still be finishing
    finally:
        stop(app)
        stop(bare)
        stop(shipped)

    # The empty configuration's submissions and the shipped one's together: the responses of
    # this run's two units (their keys are the server's, issued with each page).
    of_run = "r.unit_id IN (SELECT id FROM units WHERE code IN (:a, :b))"
    stored = count(url, f"SELECT count(*) FROM responses r WHERE {of_run}", a=unit, b=shipped_unit)
    flagged = count(url, "SELECT count(DISTINCT r.id) FROM responses r JOIN response_flags f "
                         f"ON f.response_id = r.id WHERE {of_run}", a=unit, b=shipped_unit)
    answers = count(url, "SELECT count(*) FROM answers a JOIN responses r ON r.id = a.response_id "
                         f"WHERE {of_run}", a=unit, b=shipped_unit)
    rows = count(bare_url, "SELECT count(*) FROM bench_rows")
    if args.database_url:
        drop_bare_table(bare_url)
    else:
        shutil.rmtree(workdir)

    results = {"bare GET": bare_get, "bare form GET": bare_form, "app GET": app_get, "bare POST": bare_post,
               "app POST": app_post, "shipped GET": shipped_get, "shipped POST": shipped_post}
    server_errors = sum(n for r in results.values() for status, n in r["statuses"].items() if status >= 500)
    print(f"database: {'PostgreSQL' if args.database_url else 'SQLite (fresh file)'}; gunicorn 2 sync "
          f"workers; wrk -t{args.threads} -c{args.connections}, {args.seconds} s per run")
    rules = {name.removeprefix("SURVEY_APP_"): os.environ[name] for name in os.environ
             if name.startswith("SURVEY_APP_INTEGRITY_")}
    print(f"open-link limits per address raised to '{RATE_LIMIT}' (SURVEY_APP_OPEN_LINK_RATE_LIMIT, "
          f"_SOURCE_HOURLY_LIMIT), counted in {args.limits_storage}; integrity rules "
          f"{rules or 'as configured'} (flagged responses are stored)")
    print("submissions as a browser makes them: GET of the page, POST of its form with its own key "
          "(rate: submissions stored per second; p50/p99 of pages and posts together)")
    print(line("bare GET / (tiny page)", bare_get))
    # Not a goal: what a page of the survey's size costs with nothing but its CSRF token.
    print(line("bare GET /form (32 KB, a CSRF token)", bare_form) + f"  ({bare_form['rate'] / bare_get['rate']:.2f} "
          "of the tiny page)")
    print(line(f"GET /u/{unit}", app_get, bare_get, 0.70))
    print(line("bare GET /form + POST (one row)", bare_post))
    print(line(f"GET + POST /u/{unit} ({len(criteria)} answers)", app_post, bare_post, 0.50))
    print(f"shipped gunicorn.conf.py ({shipped_workers} workers), against the empty configuration above:")
    print(line(f"GET /u/{shipped_unit}", shipped_get, app_get, 0.90))
    print(line(f"GET + POST /u/{shipped_unit} ({len(criteria)} answers)", shipped_post, app_post, 0.90))
    for name, result in (("bare", bare_post), ("empty configuration", app_post), ("shipped", shipped_post)):
        print(f"  {name}: {result['gets']} pages fetched, {result['posts']} posts sent, {result['ok']} stored (302)")
    for name, result in results.items():
        others = {s: n for s, n in result["statuses"].items() if s not in (200, 302)}
        errors = {k: result[k] for k in ("timeouts", "connect_errors", "read_errors") if result[k]}
        if others or errors:
            print(f"  {name}: other statuses {others} {errors}")
    submitted = app_post["ok"] + shipped_post["ok"]
    # Every post sent carried a key of its own page: each one must have been stored.
    every_post = all(r["posts"] == r["ok"] for r in (bare_post, app_post, shipped_post))
    same = stored == submitted and rows == bare_post["ok"] and every_post
    print(f"stored responses {stored} (answers {answers}, flagged {flagged}) for {submitted} "
          f"successful submissions; bare rows {rows} for {bare_post['ok']}: {'OK' if same else 'MISMATCH'}")
    print(f"5xx responses: {server_errors}")
    return 0 if same and server_errors == 0 and answers == stored * len(criteria) else 1


if __name__ == "__main__":
    sys.exit(main())
