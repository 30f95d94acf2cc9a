"""The store facade: open_store, safe_url and the Store's own methods."""

import multiprocessing
import os

from upgrade_tempest_plugin.store import api as store_api
from upgrade_tempest_plugin.store import engine as engine_mod
from upgrade_tempest_plugin.unit_tests import base
from upgrade_tempest_plugin.unit_tests.store import fakes


def _open_in_child(url, queue):
    try:
        store = store_api.open_store(url)
        store.ensure_run('shared-run', child=os.getpid())
        queue.put('ok')
    except Exception as exc:   # reported to the parent
        queue.put(repr(exc))


class ApiTests(object):

    def test_schema_is_at_head(self):
        self.assertEqual(engine_mod.head_revision(),
                         engine_mod.current_revision(self.store.engine))
        # Opening again is a no-op.
        store_api.open_store(self.url()).close()

    def test_open_from_several_processes(self):
        ctx = multiprocessing.get_context('spawn')
        queue = ctx.Queue()
        children = [ctx.Process(target=_open_in_child,
                                args=(self.url(), queue))
                    for _ in range(3)]
        for child in children:
            child.start()
        results = [queue.get(timeout=60) for _ in children]
        for child in children:
            child.join(30)
        self.assertEqual(['ok'] * 3, results)


class SQLiteApiTest(ApiTests, fakes.SQLiteCase):
    pass


class PostgreSQLApiTest(ApiTests, fakes.PostgreSQLCase):
    pass


class MySQLApiTest(ApiTests, fakes.MySQLCase):
    pass


class SafeUrlTest(base.TestCase):

    def test_url_hides_password(self):
        self.assertNotIn('s3cret', store_api.safe_url(
            'postgresql://u:s3cret@h/db'))

    def test_store_url_hides_password(self):
        store = store_api.Store(engine_mod.make_engine(
            'postgresql+psycopg2://u:s3cret@127.0.0.1:1/db'))
        self.addCleanup(store.close)
        self.assertEqual('postgresql+psycopg2://u:***@127.0.0.1:1/db',
                         store.url)
