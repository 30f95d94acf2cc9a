"""queue: jobs of the test queue and the states they reported

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from alembic import op
import sqlalchemy as sa

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

# SQLite only auto-increments an INTEGER PRIMARY KEY.
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade():
    op.create_table(
        'queue_jobs',
        sa.Column('test_id', sa.String(length=64), nullable=False),
        sa.Column('handle', sa.String(length=255), nullable=True),
        sa.Column('cloud', sa.String(length=64), nullable=False),
        sa.Column('regex', sa.Text(), nullable=False),
        sa.Column('phase', sa.String(length=32), nullable=True),
        sa.Column('tempest_version', sa.String(length=16), nullable=False),
        sa.Column('plugin_version', sa.String(length=16), nullable=True),
        sa.Column('timeout', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('worker', sa.String(length=255), nullable=True),
        sa.Column('done', sa.Integer(), nullable=True),
        sa.Column('total', sa.Integer(), nullable=True),
        sa.Column('passed', sa.Integer(), nullable=True),
        sa.Column('failed', sa.Integer(), nullable=True),
        sa.Column('skipped', sa.Integer(), nullable=True),
        sa.Column('reason', sa.String(length=1024), nullable=True),
        sa.Column('submitted_at', sa.Double(), nullable=False),
        sa.Column('updated_at', sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint('test_id', name=op.f('pk_queue_jobs')))
    op.create_table(
        'queue_status',
        sa.Column('id', BIG_ID, autoincrement=True, nullable=False),
        sa.Column('test_id', sa.String(length=64), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('worker', sa.String(length=255), nullable=True),
        sa.Column('message', sa.String(length=1024), nullable=True),
        sa.Column('at', sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_queue_status')))
    with op.batch_alter_table('queue_status', schema=None) as batch_op:
        batch_op.create_index('ix_queue_status_job', ['test_id'],
                              unique=False)


def downgrade():
    op.drop_table('queue_status')
    op.drop_table('queue_jobs')
