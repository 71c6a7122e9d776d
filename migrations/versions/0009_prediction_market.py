"""prediction market: the closing market's margin-free 1X2 and its scores beside each scored prediction

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 12:52:58.777061

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('predictions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('market_home', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('market_draw', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('market_away', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('market_rps', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('market_log_loss', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('market_brier', sa.Float(), nullable=True))



def downgrade():
    with op.batch_alter_table('predictions', schema=None) as batch_op:
        batch_op.drop_column('market_brier')
        batch_op.drop_column('market_log_loss')
        batch_op.drop_column('market_rps')
        batch_op.drop_column('market_away')
        batch_op.drop_column('market_draw')
        batch_op.drop_column('market_home')

