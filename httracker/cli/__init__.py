"""Operator commands for the `flask` CLI, registered by the app factory."""

from flask import Flask

from .accounts import users
from .data import demo_command, export_command, import_command
from .invites import invites
from .mail import mail_group, reminders_group
from .ops import check_deploy_command, transfer_command
from .stats import stats_command
from .tokens import tokens


def register(app: Flask) -> None:
    """Add every HT-Tracker command to `app.cli`."""
    for command in (
        users,
        invites,
        demo_command,
        export_command,
        import_command,
        transfer_command,
        check_deploy_command,
        mail_group,
        reminders_group,
        stats_command,
        tokens,
    ):
        app.cli.add_command(command)
