"""Email: the outbox, confirmed addresses, the weekly summary, and reminders per habit.

Existing addresses start unconfirmed; reminders and summaries go to confirmed addresses only.

Revision ID: 0008_email
Revises: 0007_login_defences
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_email"
down_revision = "0007_login_defences"
branch_labels = None
depends_on = None

MYSQL = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_bin"}


def upgrade():
    op.create_table(
        "email_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("text_body", sa.Text(), nullable=False),
        sa.Column("html_body", sa.Text(), nullable=False),
        sa.Column("headers", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=7), server_default="pending", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'sent', 'failed')", name=op.f("ck_email_outbox_status")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_email_outbox_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_outbox")),
        **MYSQL,
    )
    op.create_index(
        op.f("ix_email_outbox_status_next_attempt_at"),
        "email_outbox",
        ["status", "next_attempt_at"],
    )
    op.create_index(
        op.f("ix_email_outbox_user_id_kind_created_at"),
        "email_outbox",
        ["user_id", "kind", "created_at"],
    )
    # Plain ADD COLUMNs: no table copy on SQLite.
    op.add_column(
        "user_account",
        sa.Column("email_verified", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column("user_account", sa.Column("pending_email", sa.String(254), nullable=True))
    op.add_column(
        "user_account",
        sa.Column("weekly_summary", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column("user_account", sa.Column("summary_sent_for", sa.Date(), nullable=True))
    with op.batch_alter_table("habit") as batch:
        batch.add_column(sa.Column("reminder_time", sa.Time(), nullable=True))
        batch.add_column(
            sa.Column("reminder_days", sa.Integer(), server_default="127", nullable=False)
        )
        batch.add_column(sa.Column("reminder_sent_on", sa.Date(), nullable=True))
        batch.create_check_constraint(
            op.f("ck_habit_reminder_days"), "reminder_days BETWEEN 0 AND 127"
        )


def downgrade():
    with op.batch_alter_table("habit") as batch:
        batch.drop_constraint(op.f("ck_habit_reminder_days"), type_="check")
        batch.drop_column("reminder_sent_on")
        batch.drop_column("reminder_days")
        batch.drop_column("reminder_time")
    for column in ("summary_sent_for", "weekly_summary", "pending_email", "email_verified"):
        op.drop_column("user_account", column)
    op.drop_table("email_outbox")
