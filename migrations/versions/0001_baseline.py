"""Baseline schema: users, habits and their time logs.

Revision ID: 0001_baseline
Revises:
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None

# Binary collation on MySQL/MariaDB, so text compares as on PostgreSQL and SQLite.
MYSQL = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_bin"}


def upgrade():
    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=32), nullable=False),
        sa.Column("username_key", sa.String(length=32), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("timezone", sa.String(length=64), server_default="UTC", nullable=False),
        sa.Column("week_start", sa.String(length=6), server_default="monday", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "week_start IN ('monday', 'sunday')", name=op.f("ck_user_account_week_start")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("email", name=op.f("uq_user_account_email")),
        sa.UniqueConstraint("username_key", name=op.f("uq_user_account_username_key")),
        **MYSQL,
    )
    op.create_table(
        "habit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("name_key", sa.String(length=80), nullable=False),
        sa.Column("category", sa.String(length=40), server_default="", nullable=False),
        sa.Column("target_minutes", sa.Integer(), nullable=True),
        sa.Column("target_period", sa.String(length=4), server_default="day", nullable=False),
        sa.Column("archived", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "target_minutes IS NULL"
            " OR (target_period = 'day' AND target_minutes BETWEEN 1 AND 1440)"
            " OR (target_period = 'week' AND target_minutes BETWEEN 1 AND 10080)",
            name=op.f("ck_habit_target_minutes"),
        ),
        sa.CheckConstraint("target_period IN ('day', 'week')", name=op.f("ck_habit_target_period")),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_habit_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_habit")),
        sa.UniqueConstraint("id", "user_id", name=op.f("uq_habit_id_user_id")),
        sa.UniqueConstraint("user_id", "name_key", name=op.f("uq_habit_user_id_name_key")),
        **MYSQL,
    )
    op.create_table(
        "habit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("habit_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("minutes BETWEEN 1 AND 1440", name=op.f("ck_habit_log_minutes")),
        # A log's (habit, user) must be a real habit of that same user.
        sa.ForeignKeyConstraint(
            ["habit_id", "user_id"],
            ["habit.id", "habit.user_id"],
            name=op.f("fk_habit_log_habit_id_user_id_habit"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_habit_log_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_habit_log")),
        **MYSQL,
    )
    op.create_index(op.f("ix_habit_log_habit_id_date"), "habit_log", ["habit_id", "date"])
    op.create_index(op.f("ix_habit_log_user_id_date"), "habit_log", ["user_id", "date"])


def downgrade():
    op.drop_table("habit_log")
    op.drop_table("habit")
    op.drop_table("user_account")
