"""What several command groups share."""

from __future__ import annotations

import sys
from datetime import date

import click


def fail(problems: list[str]) -> None:
    for problem in problems:
        click.echo(problem, err=True)
    click.echo("Nothing was changed.", err=True)
    sys.exit(1)


def parse_date(ctx, param, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date YYYY-MM-DD") from None
