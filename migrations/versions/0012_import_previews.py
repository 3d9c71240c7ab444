"""Import previews: an uploaded file waits here between its preview and its confirmation.

Revision ID: 0012_import_previews
Revises: 0011_api_tokens
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0012_import_previews"
down_revision = "0011_api_tokens"
branch_labels = None
depends_on = None

MYSQL = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_bin"}
# MEDIUMBLOB (16 MiB) on MySQL, whose plain BLOB holds 64 KiB; bytea and BLOB elsewhere.
CONTENT = sa.LargeBinary().with_variant(mysql.MEDIUMBLOB(), "mysql", "mariadb")


def upgrade():
    op.create_table(
        "import_preview",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("mapping", sa.String(length=20), server_default="", nullable=False),
        sa.Column("content", CONTENT, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_import_preview_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_preview")),
        **MYSQL,
    )
    op.create_index(
        op.f("ix_import_preview_user_id_expires_at"), "import_preview", ["user_id", "expires_at"]
    )


def downgrade():
    # With its index: MySQL refuses to drop an index its foreign key uses on its own.
    op.drop_table("import_preview")
