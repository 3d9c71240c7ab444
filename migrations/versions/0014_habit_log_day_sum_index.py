"""A day's total reads one index: (user_id, date, minutes) replaces (user_id, date).

Every new log sums its day under the account's lock (habits/services.py). With the minutes in
the index the sum is an index-only scan of that day's entries. Without them, PostgreSQL's
generic plan for the prepared insert (psycopg prepares a statement after five runs on one
connection) preferred the covering analytics index (user_id, habit_id, date, minutes), where
the day is not a prefix: it read every entry of the account, so a write slowed down as its
history grew.

Revision ID: 0014_habit_log_day_sum_index
Revises: 0013_data_version
Create Date: 2026-11-29
"""

from alembic import op

revision = "0014_habit_log_day_sum_index"
down_revision = "0013_data_version"
branch_labels = None
depends_on = None

OLD = "ix_habit_log_user_id_date"
NEW = "ix_habit_log_user_id_date_minutes"


def upgrade():
    # The new index first: on MySQL the user_id foreign key always keeps an index to use.
    op.create_index(NEW, "habit_log", ["user_id", "date", "minutes"])
    op.drop_index(OLD, table_name="habit_log")


def downgrade():
    op.create_index(OLD, "habit_log", ["user_id", "date"])
    op.drop_index(NEW, table_name="habit_log")
