"""Personal access tokens for the API, and the responses kept for retried writes.

Revision ID: 0011_api_tokens
Revises: 0010_habit_stats
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_api_tokens"
down_revision = "0010_habit_stats"
branch_labels = None
depends_on = None

MYSQL = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_bin"}


def upgrade():
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("scope", sa.String(length=5), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("scope IN ('read', 'write')", name=op.f("ck_api_token_scope")),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_api_token_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("id", "user_id", name=op.f("uq_api_token_id_user_id")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
        **MYSQL,
    )
    op.create_index(op.f("ix_api_token_user_id_created_at"), "api_token", ["user_id", "created_at"])
    op.create_table(
        "api_idempotency_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("location", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        # The key's token must belong to the key's user.
        sa.ForeignKeyConstraint(
            ["token_id", "user_id"],
            ["api_token.id", "api_token.user_id"],
            name=op.f("fk_api_idempotency_key_token_id_user_id_api_token"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_api_idempotency_key_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_idempotency_key")),
        sa.UniqueConstraint("token_id", "key", name=op.f("uq_api_idempotency_key_token_id_key")),
        **MYSQL,
    )
    op.create_index(
        op.f("ix_api_idempotency_key_token_id_created_at"),
        "api_idempotency_key",
        ["token_id", "created_at"],
    )


def downgrade():
    op.drop_table("api_idempotency_key")
    op.drop_table("api_token")
