"""Habit kinds (time or check), "at most" limits, checks, skipped days and breaks.

Existing habits become time habits with an "at least" target, which is what they meant.

Revision ID: 0005_habit_kinds_checks_skips
Revises: 0004_demo_accounts
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_habit_kinds_checks_skips"
down_revision = "0004_demo_accounts"
branch_labels = None
depends_on = None

MYSQL = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_bin"}

KIND = "kind IN ('time', 'check')"
DIRECTION = "target_direction IN ('at_least', 'at_most')"
TIMES = (
    "(kind = 'time' AND target_times IS NULL)"
    " OR (kind = 'check' AND target_minutes IS NULL AND target_direction = 'at_least'"
    " AND ((target_period = 'day' AND target_times = 1)"
    " OR (target_period = 'week' AND target_times BETWEEN 1 AND 7)))"
)
LIMIT = "target_direction = 'at_least' OR target_minutes IS NOT NULL"


def day_table(name: str) -> None:
    """A table of one entry per habit per day (checks and skips share the shape)."""
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("habit_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["habit_id", "user_id"],
            ["habit.id", "habit.user_id"],
            name=op.f(f"fk_{name}_habit_id_user_id_habit"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f(f"fk_{name}_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
        sa.UniqueConstraint("habit_id", "date", name=op.f(f"uq_{name}_habit_id_date")),
        **MYSQL,
    )
    op.create_index(op.f(f"ix_{name}_user_id_date"), name, ["user_id", "date"])


def upgrade():
    with op.batch_alter_table("habit") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(length=5), server_default="time", nullable=False)
        )
        batch.add_column(
            sa.Column(
                "target_direction", sa.String(length=8), server_default="at_least", nullable=False
            )
        )
        batch.add_column(sa.Column("target_times", sa.Integer(), nullable=True))
        batch.create_check_constraint(op.f("ck_habit_kind"), KIND)
        batch.create_check_constraint(op.f("ck_habit_target_direction"), DIRECTION)
        batch.create_check_constraint(op.f("ck_habit_target_times"), TIMES)
        batch.create_check_constraint(op.f("ck_habit_limit"), LIMIT)
    day_table("habit_check")
    day_table("habit_skip")
    op.create_table(
        "habit_break",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("all_habits", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("end_date >= start_date", name=op.f("ck_habit_break_dates")),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_habit_break_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_habit_break")),
        sa.UniqueConstraint("id", "user_id", name=op.f("uq_habit_break_id_user_id")),
        **MYSQL,
    )
    op.create_index(
        op.f("ix_habit_break_user_id_start_date"), "habit_break", ["user_id", "start_date"]
    )
    op.create_table(
        "habit_break_habit",
        sa.Column("break_id", sa.Integer(), nullable=False),
        sa.Column("habit_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        # Both sides must belong to the same user.
        sa.ForeignKeyConstraint(
            ["break_id", "user_id"],
            ["habit_break.id", "habit_break.user_id"],
            name=op.f("fk_habit_break_habit_break_id_user_id_habit_break"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["habit_id", "user_id"],
            ["habit.id", "habit.user_id"],
            name=op.f("fk_habit_break_habit_habit_id_user_id_habit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("break_id", "habit_id", name=op.f("pk_habit_break_habit")),
        **MYSQL,
    )


def downgrade():
    op.drop_table("habit_break_habit")
    op.drop_table("habit_break")
    op.drop_table("habit_skip")
    op.drop_table("habit_check")
    with op.batch_alter_table("habit") as batch:
        batch.drop_constraint(op.f("ck_habit_limit"), type_="check")
        batch.drop_constraint(op.f("ck_habit_target_times"), type_="check")
        batch.drop_constraint(op.f("ck_habit_target_direction"), type_="check")
        batch.drop_constraint(op.f("ck_habit_kind"), type_="check")
        batch.drop_column("target_times")
        batch.drop_column("target_direction")
        batch.drop_column("kind")
