"""Analytics read habit_log from one index: (user_id, habit_id, date, minutes).

Per-habit, per-day sums and the streak islands then scan the index alone, already in
(habit, day) order. On PostgreSQL, extended statistics tell the planner that a habit belongs
to one user and how many (habit, day) groups an account holds, so it stops choosing hash
aggregates that spill to disk for large accounts.

Revision ID: 0003_habit_log_covering_index
Revises: 0002_sessions_and_login_failures
Create Date: 2026-11-27
"""

from alembic import op

revision = "0003_habit_log_covering_index"
down_revision = "0002_sessions_and_login_failures"
branch_labels = None
depends_on = None

INDEX = "ix_habit_log_user_id_habit_id_date_minutes"
STATISTICS = "st_habit_log_user_id_habit_id_date"


def upgrade():
    op.create_index(INDEX, "habit_log", ["user_id", "habit_id", "date", "minutes"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE STATISTICS {STATISTICS} (ndistinct, dependencies)"
            " ON user_id, habit_id, date FROM habit_log"
        )
        op.execute("ANALYZE habit_log")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP STATISTICS IF EXISTS {STATISTICS}")
    op.drop_index(INDEX, table_name="habit_log")
