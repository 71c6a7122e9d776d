"""prediction best prices: the best closing 1X2 price of each outcome beside each scored prediction, so the
record can say what staking the model's value bets returned

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 22:15:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('predictions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('best_home', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('best_draw', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('best_away', sa.Float(), nullable=True))


def downgrade():
    with op.batch_alter_table('predictions', schema=None) as batch_op:
        batch_op.drop_column('best_away')
        batch_op.drop_column('best_draw')
        batch_op.drop_column('best_home')
