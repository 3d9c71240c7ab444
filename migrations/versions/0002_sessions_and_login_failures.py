"""Device sessions that can be revoked, and failed logins counted for the account lockout.

Revision ID: 0002_sessions_and_login_failures
Revises: 0001_baseline
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_sessions_and_login_failures"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None

MYSQL = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_bin"}


def upgrade():
    op.create_table(
        "user_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("remember", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_agent", sa.String(length=255), server_default="", nullable=False),
        sa.Column("ip", sa.String(length=45), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_user_session_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_session_token_hash")),
        **MYSQL,
    )
    op.create_index(
        op.f("ix_user_session_user_id_last_seen_at"), "user_session", ["user_id", "last_seen_at"]
    )
    op.create_table(
        "login_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_login_failure_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failure")),
        **MYSQL,
    )
    op.create_index(
        op.f("ix_login_failure_user_id_created_at"), "login_failure", ["user_id", "created_at"]
    )


def downgrade():
    op.drop_table("login_failure")
    op.drop_table("user_session")
