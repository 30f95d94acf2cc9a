"""samples: covering index for the analysis

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('samples', schema=None) as batch_op:
        batch_op.create_index(
            'ix_samples_series',
            ['run_id', 'observer', 'target', 'sent_at', 'outcome',
             'latency'], unique=False)
        batch_op.drop_index('ix_samples_run_target_sent')


def downgrade():
    with op.batch_alter_table('samples', schema=None) as batch_op:
        batch_op.create_index(
            'ix_samples_run_target_sent',
            ['run_id', 'observer', 'target', 'sent_at'], unique=False)
        batch_op.drop_index('ix_samples_series')
