"""crests: each club's crest and each league's badge, the provider's URL, the stored key and failed fetches

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 03:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

TABLES = ('teams', 'competitions')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('crest_url', sa.String(length=300), nullable=True))
            batch_op.add_column(sa.Column('crest_key', sa.String(length=80), nullable=True))
            batch_op.add_column(sa.Column('crest_failures', sa.Integer(), server_default='0', nullable=False))
            batch_op.add_column(sa.Column('crest_error', sa.String(length=200), nullable=True))
            batch_op.add_column(sa.Column('crest_tried_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('crest_tried_at')
            batch_op.drop_column('crest_error')
            batch_op.drop_column('crest_failures')
            batch_op.drop_column('crest_key')
            batch_op.drop_column('crest_url')
