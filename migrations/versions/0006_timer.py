"""The running timer: one row per user while a time habit is being timed.

Revision ID: 0006_timer
Revises: 0005_habit_kinds_checks_skips
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_timer"
down_revision = "0005_habit_kinds_checks_skips"
branch_labels = None
depends_on = None

MYSQL = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_bin"}


def upgrade():
    op.create_table(
        "habit_timer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("habit_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["habit_id", "user_id"],
            ["habit.id", "habit.user_id"],
            name=op.f("fk_habit_timer_habit_id_user_id_habit"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_habit_timer_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_habit_timer")),
        sa.UniqueConstraint("user_id", name=op.f("uq_habit_timer_user_id")),
        **MYSQL,
    )


def downgrade():
    op.drop_table("habit_timer")
