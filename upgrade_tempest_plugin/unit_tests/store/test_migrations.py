"""Migrations of a store written by an older release of the plugin.

Each test builds an empty database at an old revision, writes rows the way
that release wrote them (plain SQL), then opens it with today's code.
"""

import json

from alembic import command as alembic_command
import sqlalchemy as sa

from upgrade_tempest_plugin.store import api as store_api
from upgrade_tempest_plugin.store import engine as engine_mod
from upgrade_tempest_plugin.unit_tests.store import fakes

#: Rows of the ``workloads`` table as revision 0002 stored them: a
#: workload's own entry, its resources (one deleted, two created in the
#: same instant), and a resource of another run.
WORKLOAD_ROWS = [
    dict(run_id='run-a', kind='workload', name='server_with_volume',
         resource_id=None, service='compute',
         attrs={'kind': 'server_with_volume'}, parent=None,
         created_at=100.0, deleted_at=None, state=None),
    dict(run_id='run-a', kind='server', name='upgrade-run-a-vm',
         resource_id='3f0e6c1a', service='compute',
         attrs={'flavor': 'm1.tiny', 'ip': '10.0.0.3'},
         parent='server_with_volume', created_at=101.25, deleted_at=None,
         state='ACTIVE'),
    dict(run_id='run-a', kind='volume', name='upgrade-run-a-data',
         resource_id='9b1d', service='volume', attrs={},
         parent='server_with_volume', created_at=102.5, deleted_at=None,
         state=None),
    dict(run_id='run-a', kind='volume_attachment', name='upgrade-run-a-att',
         resource_id='9b1d', service='volume', attrs=None,
         parent='server_with_volume', created_at=102.5, deleted_at=None,
         state=None),
    dict(run_id='run-a', kind='keypair', name='upgrade-run-a-key',
         resource_id='upgrade-run-a-key', service='compute', attrs={},
         parent='server_with_volume', created_at=103.0, deleted_at=110.5,
         state=None),
    dict(run_id='run-b', kind='network', name='upgrade-run-b-net',
         resource_id='77aa', service='network', attrs={'mtu': 1450},
         parent='network_stack', created_at=99.0, deleted_at=None,
         state=None),
]
COLUMNS = tuple(WORKLOAD_ROWS[0])


def as_listed(row):
    """The dict the store's workload methods return for a 0002 row."""
    return dict(row, attrs=row['attrs'] or {})


class MigrationTests(object):

    def at_revision(self, revision):
        """An engine on an empty database migrated to ``revision``."""
        engine = engine_mod.make_engine(self.empty_url())
        self.addCleanup(engine.dispose)
        self.migrate(engine, 'upgrade', revision)
        return engine

    def migrate(self, engine, direction, revision):
        cfg = engine_mod.migrations_config()
        with engine.begin() as conn:
            cfg.attributes['connection'] = conn
            getattr(alembic_command, direction)(cfg, revision)

    def write_0002_rows(self, engine):
        with engine.begin() as conn:
            for run_id in ('run-a', 'run-b'):
                conn.execute(sa.text(
                    'INSERT INTO runs (id, created_at, updated_at, attrs) '
                    'VALUES (:id, 1.0, 1.0, :attrs)'),
                    {'id': run_id, 'attrs': '{}'})
            for row in WORKLOAD_ROWS:
                conn.execute(sa.text(
                    'INSERT INTO workloads (%s) VALUES (%s)' % (
                        ', '.join(COLUMNS),
                        ', '.join(':' + c for c in COLUMNS))),
                    dict(row, attrs=json.dumps(row['attrs'])))

    def workloads_table(self, engine):
        with engine.connect() as conn:
            rows = conn.execute(sa.text(
                'SELECT id, %s FROM workloads ORDER BY id'
                % ', '.join(COLUMNS))).all()
        return [dict(r._mapping, attrs=json.loads(r.attrs)
                     if isinstance(r.attrs, str) else r.attrs)
                for r in rows]

    def test_0002_store_upgrades_with_its_ledger(self):
        engine = self.at_revision('0002')
        self.write_0002_rows(engine)
        store = store_api.open_store(engine.url)
        self.addCleanup(store.close)
        self.assertEqual(engine_mod.head_revision(),
                         engine_mod.current_revision(store.engine))
        self.assertFalse(sa.inspect(store.engine).has_table('workloads'))
        self.assertEqual([], fakes.schema_drift(store.engine))

        run_a = [as_listed(r) for r in WORKLOAD_ROWS
                 if r['run_id'] == 'run-a']
        self.assertEqual(run_a, store.list_workloads('run-a',
                                                     include_deleted=True))
        self.assertEqual([r for r in run_a if r['deleted_at'] is None],
                         store.list_workloads('run-a'))
        for row in WORKLOAD_ROWS:
            self.assertEqual(as_listed(row), store.get_workload(
                row['run_id'], row['kind'], row['name']))

        # New entries follow the copied ones (ids continue after them).
        new = store.record_workload('run-a', 'port', 'upgrade-run-a-port',
                                    'p1', 'network', parent='network_stack')
        self.assertEqual(new, store.list_workloads('run-a')[-1])
        # And the copied ones are still updated in place.
        store.record_workload('run-a', 'server', 'upgrade-run-a-vm',
                              '3f0e6c1a', 'compute', attrs={'ip': '10.0.0.4'},
                              parent='server_with_volume')
        self.assertEqual(
            {'flavor': 'm1.tiny', 'ip': '10.0.0.4'},
            store.get_workload('run-a', 'server', 'upgrade-run-a-vm')['attrs'])
        self.assertEqual(len(run_a), len(store.list_workloads(
            'run-a', include_deleted=True)) - 1)

    def test_downgrade_gives_the_rows_back(self):
        engine = self.at_revision('0002')
        self.write_0002_rows(engine)
        before = self.workloads_table(engine)
        self.migrate(engine, 'upgrade', 'head')
        self.migrate(engine, 'downgrade', '0002')
        self.assertEqual(before, self.workloads_table(engine))
        self.assertFalse(sa.inspect(engine).has_table('ledger'))


class SQLiteMigrationTest(MigrationTests, fakes.SQLiteCase):
    pass


class PostgreSQLMigrationTest(MigrationTests, fakes.PostgreSQLCase):
    pass


class MySQLMigrationTest(MigrationTests, fakes.MySQLCase):
    pass
