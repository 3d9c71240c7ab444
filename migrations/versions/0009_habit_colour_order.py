"""Habit colours and a per-user order.

Existing habits keep the order they were listed in (by name) and get the palette's colours in
turn.

Revision ID: 0009_habit_colour_order
Revises: 0008_email
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_habit_colour_order"
down_revision = "0008_email"
branch_labels = None
depends_on = None

# The palette's keys as this revision knows them (the app's palette may grow later).
PALETTE = ("teal", "blue", "violet", "pink", "orange", "green", "red", "slate")


def upgrade():
    with op.batch_alter_table("habit") as batch:
        batch.add_column(
            sa.Column("colour", sa.String(length=8), server_default="teal", nullable=False)
        )
        batch.add_column(sa.Column("position", sa.Integer(), server_default="0", nullable=False))
    habit = sa.table(
        "habit",
        sa.column("id", sa.Integer),
        sa.column("user_id", sa.Integer),
        sa.column("name_key", sa.String),
        sa.column("colour", sa.String),
        sa.column("position", sa.Integer),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(habit.c.id, habit.c.user_id).order_by(habit.c.user_id, habit.c.name_key)
    ).all()
    place: dict[int, int] = {}
    for habit_id, user_id in rows:
        position = place.get(user_id, 0)
        place[user_id] = position + 1
        connection.execute(
            habit.update()
            .where(habit.c.id == habit_id)
            .values(position=position, colour=PALETTE[position % len(PALETTE)])
        )
    op.create_index(op.f("ix_habit_user_id_position"), "habit", ["user_id", "position"])


def downgrade():
    op.drop_index(op.f("ix_habit_user_id_position"), table_name="habit")
    with op.batch_alter_table("habit") as batch:
        batch.drop_column("position")
        batch.drop_column("colour")
