"""Demo accounts are marked, so `flask demo` can refuse to overwrite any other account.

Accounts made by `flask demo` before this revision are not marked; the command refuses them
too, and the operator decides (`flask users delete`, then `flask demo` again).

Revision ID: 0004_demo_accounts
Revises: 0003_habit_log_covering_index
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_demo_accounts"
down_revision = "0003_habit_log_covering_index"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "user_account",
        sa.Column("is_demo", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade():
    # A plain DROP COLUMN (SQLite 3.35+): a batch rebuild would drop and recreate user_account,
    # and with foreign keys on that would cascade to every habit and log.
    op.drop_column("user_account", "is_demo")
