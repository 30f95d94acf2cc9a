"""campaigns, campaign_items, campaign_locks: the campaign status table

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# SQLite only auto-increments an INTEGER PRIMARY KEY.
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade():
    op.create_table(
        'campaigns',
        sa.Column('run_id', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('cloud', sa.String(length=64), nullable=False),
        sa.Column('plan', sa.JSON(), nullable=False),
        sa.Column('state', sa.String(length=32), nullable=False),
        sa.Column('created_at', sa.Double(), nullable=False),
        sa.Column('updated_at', sa.Double(), nullable=False),
        sa.Column('detail', sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(['run_id'], ['runs.id'],
                                name=op.f('fk_campaigns_run_id_runs')),
        sa.PrimaryKeyConstraint('run_id', name=op.f('pk_campaigns')))
    op.create_table(
        'campaign_items',
        sa.Column('id', BIG_ID, autoincrement=True, nullable=False),
        sa.Column('run_id', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('item', sa.String(length=64), nullable=False),
        sa.Column('object', sa.String(length=128), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('started_at', sa.Double(), nullable=True),
        sa.Column('ended_at', sa.Double(), nullable=True),
        sa.Column('error_code', sa.String(length=64), nullable=True),
        sa.Column('detail', sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ['run_id'], ['campaigns.run_id'],
            name=op.f('fk_campaign_items_run_id_campaigns')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_items')),
        sa.UniqueConstraint('run_id', 'kind', 'item', 'object',
                            name='uq_campaign_items_run_kind_item_object'))
    op.create_table(
        'campaign_locks',
        sa.Column('cloud', sa.String(length=64), nullable=False),
        sa.Column('run_id', sa.String(length=64), nullable=False),
        sa.Column('acquired_at', sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint('cloud', name=op.f('pk_campaign_locks')))


def downgrade():
    op.drop_table('campaign_locks')
    op.drop_table('campaign_items')
    op.drop_table('campaigns')
