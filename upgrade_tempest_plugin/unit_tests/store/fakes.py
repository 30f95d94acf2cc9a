"""The databases the store tests run against.

SQLite always; PostgreSQL and MariaDB when ``UPGRADE_TEMPEST_TEST_PG_URL``
/ ``UPGRADE_TEMPEST_TEST_MYSQL_URL`` name a database
(``tools/start-test-databases.sh`` starts throwaway ones).  A test module
writes its tests once in a mixin and runs them on each backend by adding
one of :class:`SQLiteCase`, :class:`PostgreSQLCase`, :class:`MySQLCase`.

The server databases are shared by every test (each test uses a run id of
its own), so a test that needs an empty database, such as a migration
test, asks :meth:`BackendCase.empty_url` for one: a new SQLite file, a new
PostgreSQL schema, a new MariaDB database.
"""

import os
import uuid

from alembic import autogenerate
from alembic.runtime import migration
import fixtures
import sqlalchemy as sa

from upgrade_tempest_plugin.store import api as store_api
from upgrade_tempest_plugin.store import models
from upgrade_tempest_plugin.unit_tests import base

PG_ENV = 'UPGRADE_TEMPEST_TEST_PG_URL'
MYSQL_ENV = 'UPGRADE_TEMPEST_TEST_MYSQL_URL'


def schema_drift(engine):
    """What alembic autogenerate would change to match models.py.

    Empty: the database's schema and the models agree.
    """
    with engine.connect() as conn:
        ctx = migration.MigrationContext.configure(
            conn, opts={'compare_type': True})
        return autogenerate.compare_metadata(ctx, models.metadata)


class BackendCase(base.TestCase):
    """A store at the head revision, and a run id no other test uses.

    ``self.store`` is the store at ``url()``, ``self.run_id`` the run id.
    """

    def url(self):
        raise NotImplementedError

    def empty_url(self):
        """The URL of an empty database, dropped when the test ends."""
        raise NotImplementedError

    def setUp(self):
        super().setUp()
        self.store = store_api.open_store(self.url())
        self.addCleanup(self.store.close)
        self.run_id = 'test-' + uuid.uuid4().hex[:12]

    def _server_url(self, env):
        url = os.environ.get(env)
        if not url:
            self.skipTest('%s is not set' % env)
        return url

    def _admin(self, statement):
        """Run one statement on the shared database, in autocommit.

        CREATE/DROP DATABASE cannot run inside a transaction everywhere.
        """
        engine = sa.create_engine(self.url(), isolation_level='AUTOCOMMIT')
        try:
            with engine.connect() as conn:
                conn.execute(sa.text(statement))
        finally:
            engine.dispose()


class SQLiteCase(BackendCase):

    def url(self):
        if not hasattr(self, '_dir'):
            self._dir = self.useFixture(fixtures.TempDir()).path
        return 'sqlite:///' + os.path.join(self._dir, 'sub', 'store.db')

    def empty_url(self):
        return 'sqlite:///' + os.path.join(
            self.useFixture(fixtures.TempDir()).path, 'empty.db')


class PostgreSQLCase(BackendCase):

    def url(self):
        return self._server_url(PG_ENV)

    def empty_url(self):
        schema = 'empty_' + uuid.uuid4().hex[:12]
        self._admin('CREATE SCHEMA %s' % schema)
        self.addCleanup(self._admin, 'DROP SCHEMA %s CASCADE' % schema)
        return sa.engine.make_url(self.url()).update_query_dict(
            {'options': '-csearch_path=%s' % schema}).render_as_string(
                hide_password=False)


class MySQLCase(BackendCase):

    def url(self):
        return self._server_url(MYSQL_ENV)

    def empty_url(self):
        url = sa.engine.make_url(self.url())
        database = '%s_empty_%s' % (url.database, uuid.uuid4().hex[:8])
        try:
            self._admin('CREATE DATABASE %s' % database)
        except sa.exc.DBAPIError as exc:
            self.skipTest('the test user cannot create a database: %s'
                          % exc.orig)
        self.addCleanup(self._admin, 'DROP DATABASE %s' % database)
        return url.set(database=database).render_as_string(
            hide_password=False)
