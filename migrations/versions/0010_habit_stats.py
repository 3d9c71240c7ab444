"""Derived analytics state: each habit's checkpoint and its month snapshots.

Starts empty: every habit's state is computed on its first read (or by `flask stats rebuild`).

Revision ID: 0010_habit_stats
Revises: 0009_habit_colour_order
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_habit_stats"
down_revision = "0009_habit_colour_order"
branch_labels = None
depends_on = None

MYSQL = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_bin"}


def habit_key(name: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["habit_id", "user_id"],
        ["habit.id", "habit.user_id"],
        name=op.f(f"fk_{name}_habit_id_user_id_habit"),
        ondelete="CASCADE",
    )


def upgrade():
    op.create_table(
        "habit_stats",
        sa.Column("habit_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("checkpoint", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="0", nullable=False),
        habit_key("habit_stats"),
        sa.PrimaryKeyConstraint("habit_id", "user_id", name=op.f("pk_habit_stats")),
        **MYSQL,
    )
    op.create_table(
        "habit_month_total",
        sa.Column("habit_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("days_logged", sa.Integer(), nullable=False),
        sa.Column("checks", sa.Integer(), nullable=False),
        sa.Column("done_days", sa.Integer(), nullable=False),
        sa.Column("skipped_days", sa.Integer(), nullable=False),
        sa.Column("weeks_counted", sa.Integer(), nullable=False),
        sa.Column("weeks_met", sa.Integer(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=True),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("week_run", sa.Integer(), nullable=False),
        sa.Column("runs", sa.String(length=200), nullable=False),
        habit_key("habit_month_total"),
        sa.PrimaryKeyConstraint("habit_id", "user_id", "month", name=op.f("pk_habit_month_total")),
        **MYSQL,
    )


def downgrade():
    op.drop_table("habit_month_total")
    op.drop_table("habit_stats")
