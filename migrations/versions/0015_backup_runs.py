"""backup runs: each nightly backup, its file, size and sha256, and whether a restore of it matched the source

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 14:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import app.storage.columns


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'backup_runs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('started_at', app.storage.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column('finished_at', app.storage.columns.UTCDateTime(timezone=True), nullable=True),
        sa.Column('file', sa.String(length=500), nullable=True),
        sa.Column('size', sa.BigInteger(), nullable=True),
        sa.Column('sha256', sa.String(length=64), nullable=True),
        sa.Column('verified', sa.String(length=8), nullable=True),
        sa.Column('report', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade():
    op.drop_table('backup_runs')
