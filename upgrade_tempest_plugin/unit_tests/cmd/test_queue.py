"""``queue submit``'s payload from its flags (no geard needed)."""

import argparse

import fixtures

from upgrade_tempest_plugin.cmd import queue
from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin.queue import payload
from upgrade_tempest_plugin.unit_tests import base
from upgrade_tempest_plugin.unit_tests.queue import fakes


class BuildPayloadTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir())
        self.accounts = self.tmp.join('accounts.yaml')
        with open(self.accounts, 'w') as accounts:
            accounts.write(fakes.ACCOUNTS_YAML)
        self.options = queue._queue_options(None)

    def args(self, **values):
        defaults = dict(payload=None, test_id='t1', cloud='c1',
                        tempest_conf=None, clouds_yaml=None,
                        accounts=self.accounts, regex=None, phase=None,
                        concurrency=None, tempest_version='47.0.0',
                        plugin_version=None, timeout=600, report_url=None)
        defaults.update(values)
        return argparse.Namespace(**defaults)

    def test_clouds_yaml_entry_and_phase(self):
        clouds = self.tmp.join('clouds.yaml')
        with open(clouds, 'w') as clouds_file:
            clouds_file.write('clouds:\n  c1:\n    auth:\n      auth_url: '
                              'http://k/identity\n      password: %s\n'
                              % fakes.SECRET)
        document = queue.build_payload(
            self.args(clouds_yaml=clouds, phase='pre-upgrade'), self.options)
        payload.check(document)
        self.assertEqual({'auth_url': 'http://k/identity',
                          'password': fakes.SECRET},
                         document['cloud']['clouds_yaml']['auth'])
        self.assertEqual('pre-upgrade', document['run']['phase'])
        self.assertIn('PreUpgrade', document['run']['regex'])
        self.assertEqual('http://127.0.0.1:8740/update-test-status/',
                         document['report']['url'])

    def test_missing_cloud(self):
        exc = self.assertRaises(exceptions.UserError, queue.build_payload,
                                self.args(regex='x'), self.options)
        self.assertEqual('give PAYLOAD, or --accounts with --tempest-conf '
                         'or --clouds-yaml', str(exc))

    def test_unknown_cloud_in_clouds_yaml(self):
        clouds = self.tmp.join('clouds.yaml')
        with open(clouds, 'w') as clouds_file:
            clouds_file.write('clouds: {}\n')
        exc = self.assertRaises(exceptions.UserError, queue.build_payload,
                                self.args(clouds_yaml=clouds, regex='x'),
                                self.options)
        self.assertEqual("--clouds-yaml %s: no cloud 'c1'" % clouds, str(exc))

    def test_unknown_phase(self):
        tempest_conf = self.tmp.join('tempest.conf')
        with open(tempest_conf, 'w') as conf:
            conf.write(fakes.TEMPEST_CONF)
        exc = self.assertRaises(exceptions.UserError, queue.build_payload,
                                self.args(tempest_conf=tempest_conf,
                                          phase='upgrade'), self.options)
        self.assertEqual('--phase: one of destroy, post-upgrade, '
                         'pre-upgrade', str(exc))
