"""``flask demo-accounts`` (the end of ``make run``): the demo's officer and staff accounts, each
with a password printed once, with which they sign in and land on their own pages (issue 16)."""

from __future__ import annotations

import re
from pathlib import Path

from accounts import csrf_from

from survey_app.cli.demo import DEMO_ACCOUNTS


def sign_in(client, email: str, password: str):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"csrf_token": token, "email": email, "password": password})


def test_the_demo_accounts_sign_in_with_the_printed_passwords(app, runner):
    refused = runner.invoke(args=["demo-accounts"])
    assert refused.exit_code == 1 and "no demo province" in refused.output
    assert runner.invoke(args=["demo", "--responses", "50"]).exit_code == 0
    made = runner.invoke(args=["demo-accounts"])
    assert made.exit_code == 0, made.output
    printed = dict(re.findall(r"(\S+@\S+)  password: (\S+)  \(shown once\)", made.output))
    assert set(printed) == {email for email, _, _ in DEMO_ACCOUNTS}
    landing = {"officer": "/reports/", "staff": "/staff/"}
    for email, role, _ in DEMO_ACCOUNTS:
        client = app.test_client()
        response = sign_in(client, email, printed[email])
        assert response.status_code == 302 and response.headers["Location"] == landing[role]
        assert client.get(landing[role]).status_code == 200
    # Again: nothing new, no password printed twice.
    again = runner.invoke(args=["demo-accounts"])
    assert again.exit_code == 0 and "password:" not in again.output and "made before" in again.output


def test_make_run_prints_the_address_and_the_accounts():
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "http://127.0.0.1:5000/" in run and "demo-accounts" in run
    assert run.index("demo-accounts") < run.index("gunicorn")
