"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None

# SQLite only auto-increments an INTEGER PRIMARY KEY.
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade():
    op.create_table(
        'gaps',
        sa.Column('id', BIG_ID, autoincrement=True, nullable=False),
        sa.Column('run_id', sa.String(length=64), nullable=False),
        sa.Column('process_id', sa.BigInteger(), nullable=True),
        sa.Column('observer', sa.String(length=16), nullable=True),
        sa.Column('target', sa.String(length=255), nullable=True),
        sa.Column('starts_at', sa.Double(), nullable=False),
        sa.Column('ends_at', sa.Double(), nullable=False),
        sa.Column('reason', sa.String(length=32), nullable=False),
        sa.Column('lost_samples', sa.BigInteger(), nullable=False),
        sa.Column('detail', sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_gaps')))
    with op.batch_alter_table('gaps', schema=None) as batch_op:
        batch_op.create_index('ix_gaps_run', ['run_id'], unique=False)

    op.create_table(
        'honour_requests',
        sa.Column('id', BIG_ID, autoincrement=True, nullable=False),
        sa.Column('run_id', sa.String(length=64), nullable=False),
        sa.Column('process_id', sa.BigInteger(), nullable=True),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('service', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('requested_at', sa.Double(), nullable=False),
        sa.Column('accepted_at', sa.Double(), nullable=True),
        sa.Column('status', sa.Integer(), nullable=True),
        sa.Column('resource_id', sa.String(length=64), nullable=True),
        sa.Column('target_state', sa.String(length=32), nullable=True),
        sa.Column('reached_at', sa.Double(), nullable=True),
        sa.Column('final_state', sa.String(length=32), nullable=True),
        sa.Column('delete_requested_at', sa.Double(), nullable=True),
        sa.Column('delete_status', sa.Integer(), nullable=True),
        sa.Column('deleted_at', sa.Double(), nullable=True),
        sa.Column('outcome', sa.String(length=16), nullable=False),
        sa.Column('reason', sa.String(length=255), nullable=True),
        sa.Column('reconciled_at', sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_honour_requests')))
    with op.batch_alter_table('honour_requests', schema=None) as batch_op:
        batch_op.create_index('ix_honour_requests_run', ['run_id'],
                              unique=False)

    op.create_table(
        'runs',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.Double(), nullable=False),
        sa.Column('updated_at', sa.Double(), nullable=False),
        sa.Column('attrs', sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_runs')))
    op.create_table(
        'samples',
        sa.Column('id', BIG_ID, autoincrement=True, nullable=False),
        sa.Column('run_id', sa.String(length=64), nullable=False),
        sa.Column('observer', sa.String(length=16), nullable=False),
        sa.Column('target', sa.String(length=255), nullable=False),
        sa.Column('sent_at', sa.Double(), nullable=False),
        sa.Column('answered_at', sa.Double(), nullable=True),
        sa.Column('latency', sa.Double(), nullable=True),
        sa.Column('outcome', sa.String(length=16), nullable=False),
        sa.Column('status', sa.Integer(), nullable=True),
        sa.Column('process_id', sa.BigInteger(), nullable=True),
        sa.Column('detail', sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_samples')))
    with op.batch_alter_table('samples', schema=None) as batch_op:
        batch_op.create_index(
            'ix_samples_run_target_sent',
            ['run_id', 'observer', 'target', 'sent_at'], unique=False)

    op.create_table(
        'test_results',
        sa.Column('id', BIG_ID, autoincrement=True, nullable=False),
        sa.Column('run_id', sa.String(length=64), nullable=False),
        sa.Column('test_id', sa.String(length=1024), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('phase', sa.String(length=32), nullable=True),
        sa.Column('started_at', sa.Double(), nullable=True),
        sa.Column('duration', sa.Double(), nullable=True),
        sa.Column('detail', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_test_results')))
    with op.batch_alter_table('test_results', schema=None) as batch_op:
        batch_op.create_index('ix_test_results_run', ['run_id'], unique=False)

    op.create_table(
        'workloads',
        sa.Column('id', BIG_ID, autoincrement=True, nullable=False),
        sa.Column('run_id', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('resource_id', sa.String(length=255), nullable=True),
        sa.Column('service', sa.String(length=64), nullable=True),
        sa.Column('attrs', sa.JSON(), nullable=True),
        sa.Column('parent', sa.String(length=255), nullable=True),
        sa.Column('created_at', sa.Double(), nullable=False),
        sa.Column('deleted_at', sa.Double(), nullable=True),
        sa.Column('state', sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_workloads')),
        sa.UniqueConstraint('run_id', 'kind', 'name',
                            name='uq_workloads_run_kind_name'))
    op.create_table(
        'events',
        sa.Column('id', BIG_ID, autoincrement=True, nullable=False),
        sa.Column('run_id', sa.String(length=64), nullable=False),
        sa.Column('at', sa.Double(), nullable=False),
        sa.Column('source', sa.String(length=64), nullable=False),
        sa.Column('action', sa.String(length=64), nullable=False),
        sa.Column('service', sa.String(length=64), nullable=True),
        sa.Column('from_version', sa.String(length=64), nullable=True),
        sa.Column('to_version', sa.String(length=64), nullable=True),
        sa.Column('result', sa.String(length=32), nullable=True),
        sa.Column('detail', sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(['run_id'], ['runs.id'],
                                name=op.f('fk_events_run_id_runs')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_events')))
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index('ix_events_run_at', ['run_id', 'at'],
                              unique=False)

    op.create_table(
        'observer_processes',
        sa.Column('id', BIG_ID, autoincrement=True, nullable=False),
        sa.Column('run_id', sa.String(length=64), nullable=False),
        sa.Column('pid', sa.Integer(), nullable=False),
        sa.Column('host', sa.String(length=255), nullable=False),
        sa.Column('mode', sa.String(length=16), nullable=False),
        sa.Column('started_at', sa.Double(), nullable=False),
        sa.Column('heartbeat_at', sa.Double(), nullable=False),
        sa.Column('stopped_at', sa.Double(), nullable=True),
        sa.Column('stop_reason', sa.String(length=255), nullable=True),
        sa.Column('samples_written', sa.BigInteger(), nullable=False),
        sa.Column('samples_dropped', sa.BigInteger(), nullable=False),
        sa.Column('attrs', sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ['run_id'], ['runs.id'],
            name=op.f('fk_observer_processes_run_id_runs')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_observer_processes')))
    with op.batch_alter_table('observer_processes', schema=None) as batch_op:
        batch_op.create_index('ix_observer_processes_run', ['run_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('observer_processes', schema=None) as batch_op:
        batch_op.drop_index('ix_observer_processes_run')

    op.drop_table('observer_processes')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_run_at')

    op.drop_table('events')
    op.drop_table('workloads')
    with op.batch_alter_table('test_results', schema=None) as batch_op:
        batch_op.drop_index('ix_test_results_run')

    op.drop_table('test_results')
    with op.batch_alter_table('samples', schema=None) as batch_op:
        batch_op.drop_index('ix_samples_run_target_sent')

    op.drop_table('samples')
    op.drop_table('runs')
    with op.batch_alter_table('honour_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_honour_requests_run')

    op.drop_table('honour_requests')
    with op.batch_alter_table('gaps', schema=None) as batch_op:
        batch_op.drop_index('ix_gaps_run')

    op.drop_table('gaps')
