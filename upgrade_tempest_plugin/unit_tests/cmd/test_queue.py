"""``queue submit``'s payload from its flags (no geard needed)."""

import argparse
import json

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
                        plan=None, operator_clouds_yaml=None,
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
        self.assertEqual({'phase': 'pre-upgrade'}, document['run'])
        self.assertIn('PreUpgrade', payload.summary(document)['regex'])
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

    def _tempest_conf(self):
        path = self.tmp.join('tempest.conf')
        with open(path, 'w') as conf:
            conf.write(fakes.TEMPEST_CONF)
        return path

    def test_exactly_one_thing_to_run(self):
        for run in ({}, {'regex': 'x', 'phase': 'destroy'},
                    {'regex': 'x', 'plan': 'p.yaml'}):
            exc = self.assertRaises(
                exceptions.UserError, queue.build_payload,
                self.args(tempest_conf=self._tempest_conf(), **run),
                self.options)
            self.assertEqual('give exactly one of --regex, --phase, --plan',
                             str(exc), run)

    def _plan_file(self, plan):
        path = self.tmp.join('plan.yaml')
        with open(path, 'w') as plan_file:
            json.dump(plan, plan_file)
        return path

    def test_a_plan_and_its_operator(self):
        clouds = self.tmp.join('operator.yaml')
        with open(clouds, 'w') as clouds_file:
            json.dump({'clouds': {'op': fakes.OPERATOR_ENTRY}}, clouds_file)
        plan = fakes.plan(operator={'cloud': 'op'})
        document = queue.build_payload(self.args(
            tempest_conf=self._tempest_conf(), plan=self._plan_file(plan),
            operator_clouds_yaml=clouds), self.options)
        payload.check(document)
        self.assertEqual({'plan': plan}, document['run'])
        self.assertEqual(fakes.OPERATOR_ENTRY,
                         document['cloud']['operator_clouds_yaml'])

    def test_a_plan_operator_needs_its_clouds_yaml(self):
        exc = self.assertRaises(
            exceptions.UserError, queue.build_payload, self.args(
                tempest_conf=self._tempest_conf(),
                plan=self._plan_file(fakes.plan(operator={'cloud': 'op'}))),
            self.options)
        self.assertEqual('--operator-clouds-yaml: needed, the plan names '
                         'the operator cloud op', str(exc))

    def test_operator_credentials_without_an_operator(self):
        exc = self.assertRaises(
            exceptions.UserError, queue.build_payload, self.args(
                tempest_conf=self._tempest_conf(),
                plan=self._plan_file(fakes.plan()),
                operator_clouds_yaml=self.accounts), self.options)
        self.assertEqual('--operator-clouds-yaml: the plan names no '
                         'operator', str(exc))
