"""``flask --app survey_app demo``: a demo province to try the app with."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import with_appcontext

from survey_app.cli.common import record_audit
from survey_app.domain.audit import AuditAction
from survey_app.extensions import db
from survey_app.services import accounts, demo, units


@click.command("demo")
@with_appcontext
@click.option("--responses", default=12000, show_default=True, help="How many responses to make.")
@click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) when units exist already.")
@click.option("--seed", default=2017, show_default=True, help="Same seed, same data.")
def demo_command(responses: int, if_empty: bool, seed: int) -> None:
    """Create a demo province with units, invitations and synthetic responses over the last eight quarters."""
    if units.all_units(db.session):
        if if_empty:
            click.echo("The database has units already; no demo data added.")
            return
        raise click.ClickException("the database is not empty; demo data goes into an empty one")
    made = demo.create_demo(db.session, current_app.extensions["survey_catalog"], responses=responses,
                            seed=seed, now=datetime.now(ZoneInfo(current_app.config["TIMEZONE"])),
                            invitations=True,
                            valid_for=timedelta(days=current_app.config["INVITATION_VALID_DAYS"]))
    cases = _demo_cases(seed)
    _keep_alerts()
    db.session.commit()
    click.echo(f"Demo province created: {made.units} units, {made.responses} responses, "
               f"{made.invitations} invitations ({made.answered} answered), {cases} citizens' requests.")


def _demo_cases(seed: int) -> int:
    from survey_app.messaging import contact_cipher
    from survey_app.services.cases import CaseRules
    from survey_app.services.demo_cases import create_demo_cases

    return create_demo_cases(db.session, seal=contact_cipher(current_app).encrypt, now=datetime.now(ZoneInfo("UTC")),
                             rules=CaseRules.from_config(current_app.config), seed=seed)


def _keep_alerts() -> None:
    """The early warning of the last full week, kept as ``alerts keep`` does every night: the
    demo's pages show their signals at once, without computing them on every view."""
    from survey_app.domain.early_warning import ChartRule
    from survey_app.services.alerts import unit_alerts

    tz = ZoneInfo(current_app.config["TIMEZONE"])
    unit_alerts(db.session, current_app.extensions["survey_catalog"].default, datetime.now(tz).date(), tz,
                ChartRule.from_settings(current_app.config), keep=True)


# The demo's own accounts: an officer of the whole demo province and staff of its Sở Tư pháp.
DEMO_ACCOUNTS = (("officer@demo.anphu.gov.vn", "officer", "DEMO"), ("staff@demo.anphu.gov.vn", "staff", "STP"))


@click.command("demo-accounts")
@with_appcontext
def demo_accounts_command() -> None:
    """Make the demo province's officer and staff accounts, each with a password printed once."""
    if units.unit_by_code(db.session, "DEMO") is None:
        raise click.ClickException("no demo province here (flask --app survey_app demo makes one)")
    now = datetime.now(ZoneInfo("UTC"))
    for email, role, unit_code in DEMO_ACCOUNTS:
        if accounts.user_by_email(db.session, email) is not None:
            click.echo(f"  {role:<8} {email} (made before; its password was printed then)")
            continue
        # Random, printed here and stored only as a hash: nobody else knows it.
        password = secrets.token_urlsafe(12)
        unit = units.unit_by_code(db.session, unit_code)
        accounts.create_user(db.session, email=email, password=password, role=role, unit=unit, now=now)
        record_audit(AuditAction.USER_CREATE, unit, email=email, role=role)
        click.echo(f"  {role:<8} {email}  password: {password}  (shown once)")
    db.session.commit()
    click.echo("  Another account: flask --app survey_app users create --email YOU@EXAMPLE.VN "
               "--role officer|staff|admin --unit DEMO")
