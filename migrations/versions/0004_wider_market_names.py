"""wider market and outcome names: unknown markets are kept under the provider's own name

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

WIDENED = (("markets", "key", 24, 96), ("markets", "kind", 8, 64),
           ("current_prices", "outcome", 8, 64), ("odds_snapshots", "outcome", 8, 64))


def upgrade():
    for table, column, old, new in WIDENED:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(column, existing_type=sa.String(old), type_=sa.String(new))


def downgrade():
    for table, column, old, new in WIDENED:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(column, existing_type=sa.String(new), type_=sa.String(old))
