"""Base class of the unit tests."""

import os

import fixtures
import testtools


class TestCase(testtools.TestCase):
    """Unit tests never touch the network or a real cloud."""

    def sqlite_store(self):
        """A new store in a SQLite file of a temporary directory.

        Imported here, when a test asks, so tests that need no store do
        not load SQLAlchemy.
        """
        from upgrade_tempest_plugin.store import api as store_api
        tmp = self.useFixture(fixtures.TempDir()).path
        store = store_api.open_store(
            'sqlite:///' + os.path.join(tmp, 'store.db'))
        self.addCleanup(store.close)
        return store
