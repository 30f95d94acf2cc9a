"""The engine: SQLite's journal mode, and migrations that build exactly
what models.py declares."""

import sqlalchemy as sa

from upgrade_tempest_plugin.unit_tests.store import fakes


class EngineTests(object):

    def test_fresh_schema_matches_models(self):
        self.assertEqual([], fakes.schema_drift(self.store.engine))


class SQLiteEngineTest(EngineTests, fakes.SQLiteCase):

    def test_wal_mode(self):
        with self.store.engine.connect() as conn:
            mode = conn.execute(sa.text('PRAGMA journal_mode')).scalar()
        self.assertEqual('wal', mode)


class PostgreSQLEngineTest(EngineTests, fakes.PostgreSQLCase):
    pass


class MySQLEngineTest(EngineTests, fakes.MySQLCase):
    pass
