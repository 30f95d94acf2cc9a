"""Ten queue jobs against the sandbox cloud on two workers.

Needs a running sandbox (``upgrade-tempest sandbox up``) whose directory
is ``UPGRADE_TEMPEST_SANDBOX_DIR`` (or the default); without one the test
is skipped.  Each job installs Tempest and this plugin (a wheel built from
this checkout) into its venv and runs the identity validators.
"""

import configparser
import importlib.metadata
import json
import os
import socket
import urllib.parse

import fixtures
import testtools
import yaml

from upgrade_tempest_plugin.functional_tests.queue import pool as pool_mod
from upgrade_tempest_plugin.queue import reporter
from upgrade_tempest_plugin.sandbox import layout

REGEX = r'^upgrade_tempest_plugin\.tests\.scenario\.test_identity\.'
JOBS = 10


def _read(path):
    with open(path) as source:
        return source.read()


def _answers(conf_path):
    """True when the identity endpoint of a tempest.conf takes a connection."""
    conf = configparser.RawConfigParser()
    conf.read(conf_path)
    url = urllib.parse.urlsplit(conf.get('identity', 'uri_v3', fallback=''))
    try:
        socket.create_connection((url.hostname, url.port or 80), 5).close()
    except (OSError, TypeError):
        return False
    return True


class SandboxQueueTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        etc = os.path.join(layout.Layout().workspace, 'etc')
        self.conf = os.path.join(etc, 'tempest.conf')
        self.accounts = os.path.join(etc, 'accounts.yaml')
        if not (os.path.isfile(self.conf) and os.path.isfile(self.accounts)):
            self.skipTest('no sandbox Tempest workspace at %s' % etc)
        if not _answers(self.conf):
            self.skipTest('the sandbox of %s is not running' % etc)
        self.pool = self.useFixture(pool_mod.Pool())
        self.wheel = pool_mod.plugin_wheel(
            self.useFixture(fixtures.TempDir()).path)

    def test_ten_jobs_on_two_workers(self):
        self.pool.add_worker('w1', plugin_wheel=self.wheel)
        self.pool.add_worker('w2', plugin_wheel=self.wheel)
        test_ids = ['sb-%d' % n for n in range(1, JOBS + 1)]
        for test_id in test_ids:
            self.pool.submit({
                'version': 1, 'test_id': test_id,
                'cloud': {'name': 'sandbox',
                          'tempest_conf': _read(self.conf),
                          'accounts_yaml': _read(self.accounts)},
                'run': {'regex': REGEX},
                'tempest_version': importlib.metadata.version('tempest'),
                'report': {'url': 'http://placeholder/update-test-status/'},
                'timeout': 1800})
        self.pool.wait_final(test_ids, 3600)
        workers = set()
        for test_id in test_ids:
            job = self.pool.job(test_id)
            self.assertEqual(
                [reporter.QUEUED, reporter.ACCEPTED, reporter.INSTALLING,
                 reporter.RUNNING, reporter.PASSED],
                self.pool.states(test_id), '%s: %s' % (test_id,
                                                       job['reason']))
            results = self.pool.store.list_test_results(test_id)
            self.assertEqual(['success', 'success'],
                             [r['status'] for r in results], test_id)
            workers.add(job['worker'])
        self.assertEqual({'w1', 'w2'}, workers)
        stored = json.dumps([self.pool.job(t) for t in test_ids]
                            + [self.pool.store.list_test_results(t)
                               for t in test_ids], default=str)
        logs = ''.join(self.pool.worker_log(n) for n in ('w1', 'w2'))
        for account in yaml.safe_load(_read(self.accounts)):
            self.assertNotIn(account['password'], stored)
            self.assertNotIn(account['password'], logs)
