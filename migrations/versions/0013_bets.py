"""bets: the bet tracker's singles, settled once when the result is final, and each user's bet settings

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('bets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('match_id', sa.Integer(), nullable=False),
    sa.Column('market_kind', sa.String(length=8), nullable=False),
    sa.Column('line', sa.Float(), nullable=True),
    sa.Column('selection', sa.String(length=8), nullable=False),
    sa.Column('bookmaker_id', sa.Integer(), nullable=True),
    sa.Column('bookmaker_name', sa.String(length=80), nullable=False),
    sa.Column('price', sa.Float(), nullable=False),
    sa.Column('stake_cents', sa.BigInteger(), nullable=False),
    sa.Column('placed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kickoff_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('result', sa.String(length=10), nullable=True),
    sa.Column('profit_cents', sa.BigInteger(), nullable=True),
    sa.Column('settled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closing_price', sa.Float(), nullable=True),
    sa.Column('fair_closing_price', sa.Float(), nullable=True),
    sa.Column('clv', sa.Float(), nullable=True),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['bookmaker_id'], ['bookmakers.id'], name=op.f('fk_bets_bookmaker_id_bookmakers')),
    sa.ForeignKeyConstraint(['match_id'], ['matches.id'], name=op.f('fk_bets_match_id_matches')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_bets_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bets'))
    )
    with op.batch_alter_table('bets', schema=None) as batch_op:
        batch_op.create_index('ix_bets_match_settled', ['match_id', 'settled_at'], unique=False)
        batch_op.create_index('ix_bets_user_placed', ['user_id', 'placed_at'], unique=False)

    op.create_table('bet_settings',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('default_stake_cents', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_bet_settings_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_bet_settings'))
    )


def downgrade():
    op.drop_table('bet_settings')
    with op.batch_alter_table('bets', schema=None) as batch_op:
        batch_op.drop_index('ix_bets_user_placed')
        batch_op.drop_index('ix_bets_match_settled')

    op.drop_table('bets')
