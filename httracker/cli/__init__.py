"""Operator commands for the `flask` CLI, registered by the app factory."""

from flask import Flask

from .accounts import users
from .data import demo_command, export_command, import_command
from .ops import check_deploy_command, transfer_command
from .tokens import tokens


def register(app: Flask) -> None:
    """Add every HT-Tracker command to `app.cli`."""
    for command in (
        users,
        demo_command,
        export_command,
        import_command,
        transfer_command,
        check_deploy_command,
        tokens,
    ):
        app.cli.add_command(command)
