"""``flask --app survey_app ...`` commands, one module per command group (as warehouse/cli/).

Each command commits once, or not at all. ``questionnaires`` is registered through the
``flask.commands`` entry point instead (see questionnaires.py).
"""

from __future__ import annotations

from flask import Flask


def register_commands(app: Flask) -> None:
    from survey_app.cli.alerts import alerts_command
    from survey_app.cli.apikeys import apikeys_cli
    from survey_app.cli.audit import audit_cli
    from survey_app.cli.backup import backup_command, restore_command
    from survey_app.cli.demo import demo_accounts_command, demo_command
    from survey_app.cli.figures import figures_cli
    from survey_app.cli.jobs import jobs_cli
    from survey_app.cli.notifications import notifications_cli
    from survey_app.cli.outbox import outbox_cli
    from survey_app.cli.report import report_command
    from survey_app.cli.responses import responses_cli
    from survey_app.cli.scores import scores_command
    from survey_app.cli.units import units_cli
    from survey_app.cli.users import users_cli
    from survey_app.cli.volumes import volumes_cli

    for command in (users_cli, apikeys_cli, units_cli, responses_cli, scores_command, demo_command,
                    demo_accounts_command, report_command, volumes_cli, backup_command, restore_command, audit_cli, figures_cli):
        app.cli.add_command(command)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(alerts_command)
    app.cli.add_command(notifications_cli)
    app.cli.add_command(outbox_cli)
