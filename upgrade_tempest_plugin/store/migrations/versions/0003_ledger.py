"""workloads -> ledger, with columns that say what they hold

The ``workloads`` table held resources: its ``kind`` was the resource type
and its ``parent`` the workload that owns the resource.  They become
``ledger.rtype`` and ``ledger.workload``.  The rows are copied with their
ids (the listing order is creation time, then id), then the old table is
dropped.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from alembic import op
import sqlalchemy as sa

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

# SQLite only auto-increments an INTEGER PRIMARY KEY.
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')

#: Columns kept under their name in both tables.
SAME = ('id', 'run_id', 'name', 'resource_id', 'service', 'state', 'attrs',
        'created_at', 'deleted_at')
#: workloads column -> ledger column.
RENAMED = {'kind': 'rtype', 'parent': 'workload'}


def _workloads_table():
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


def _ledger_table():
    op.create_table(
        'ledger',
        sa.Column('id', BIG_ID, autoincrement=True, nullable=False),
        sa.Column('run_id', sa.String(length=64), nullable=False),
        sa.Column('rtype', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('workload', sa.String(length=255), nullable=True),
        sa.Column('resource_id', sa.String(length=255), nullable=True),
        sa.Column('service', sa.String(length=64), nullable=True),
        sa.Column('state', sa.String(length=64), nullable=True),
        sa.Column('attrs', sa.JSON(), nullable=True),
        sa.Column('created_at', sa.Double(), nullable=False),
        sa.Column('deleted_at', sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger')),
        sa.UniqueConstraint('run_id', 'rtype', 'name',
                            name='uq_ledger_run_rtype_name'))


def _copy(source, target, renamed):
    """INSERT INTO target (...) SELECT ... FROM source, ids included."""
    source_columns = SAME + tuple(renamed)
    target_columns = SAME + tuple(renamed.values())
    source_table = sa.table(source, *map(sa.column, source_columns))
    target_table = sa.table(target, *map(sa.column, target_columns))
    op.execute(target_table.insert().from_select(
        list(target_columns), sa.select(
            *[source_table.c[c] for c in source_columns])))
    if op.get_bind().dialect.name == 'postgresql':
        # Ids inserted explicitly do not advance a serial's sequence;
        # without this the next insert would collide with a copied row.
        # (SQLite and MariaDB/MySQL continue after the largest id.)
        op.execute(
            "SELECT setval(pg_get_serial_sequence('%(t)s', 'id'), "
            "COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM %(t)s"
            % {'t': target})


def upgrade():
    _ledger_table()
    _copy('workloads', 'ledger', RENAMED)
    op.drop_table('workloads')


def downgrade():
    _workloads_table()
    _copy('ledger', 'workloads', {v: k for k, v in RENAMED.items()})
    op.drop_table('ledger')
