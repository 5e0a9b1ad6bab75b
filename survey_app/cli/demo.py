"""``flask --app survey_app demo``: a demo province to try the app with."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import with_appcontext

from survey_app.extensions import db
from survey_app.services import demo, units


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
    db.session.commit()
    click.echo(f"Demo province created: {made.units} units, {made.responses} responses, "
               f"{made.invitations} invitations ({made.answered} answered), {cases} citizens' requests.")


def _demo_cases(seed: int) -> int:
    from survey_app.messaging import contact_cipher
    from survey_app.services.cases import CaseRules
    from survey_app.services.demo_cases import create_demo_cases

    return create_demo_cases(db.session, seal=contact_cipher(current_app).encrypt, now=datetime.now(ZoneInfo("UTC")),
                             rules=CaseRules.from_config(current_app.config), seed=seed)
