"""Each account's data version: moved in the transaction of every change to the account's rows,
so a page rendered for one version is known to be current while the version stands.

Revision ID: 0013_data_version
Revises: 0012_import_previews
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_data_version"
down_revision = "0012_import_previews"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(
            sa.Column("data_version", sa.BigInteger(), server_default="0", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("data_version")
