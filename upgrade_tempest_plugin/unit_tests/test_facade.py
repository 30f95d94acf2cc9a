"""The Python facade: what a consumer calls instead of the command line."""

import json
import os
import time
from unittest import mock

import fixtures

from upgrade_tempest_plugin.analysis import run_analysis
from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin import facade
from upgrade_tempest_plugin import run_context
from upgrade_tempest_plugin.store import api as store_api
from upgrade_tempest_plugin import tempest_results
from upgrade_tempest_plugin.unit_tests import base
from upgrade_tempest_plugin.unit_tests.observers import fakes


class RunValidatorsTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.ws = self.useFixture(fixtures.TempDir()).path
        os.makedirs(os.path.join(self.ws, 'etc'))
        open(os.path.join(self.ws, 'etc', 'tempest.conf'), 'w').close()
        self.run = self.useFixture(fixtures.MockPatchObject(
            tempest_results, 'run', autospec=True,
            return_value=tempest_results.Summary(1, 3, ['t.a'], 2,
                                                 ['t.a']))).mock

    def test_phase_selects_its_regex(self):
        result = facade.run_validators(self.ws, phase='post-upgrade',
                                       concurrency=2)
        self.run.assert_called_once_with(
            self.ws, facade.PHASES['post-upgrade'], 2, config_file=None,
            env=None)
        self.assertEqual({'ok': False, 'passed': 3, 'failed': ['t.a'],
                          'skipped': 2, 'returncode': 1,
                          'explanation': '3 passed, 1 failed, 2 skipped'},
                         result)

    def test_every_validator_by_default(self):
        self.run.return_value = tempest_results.Summary(0, 4, [], 0, [])
        result = facade.run_validators(self.ws)
        self.assertEqual(facade.ALL_VALIDATORS, self.run.call_args[0][1])
        self.assertTrue(result['ok'])

    def test_bad_input(self):
        for kwargs, text in (
                ({'phase': 'during'}, "unknown phase 'during'"),
                ({'phase': 'destroy', 'regex': 'x'}, 'not both'),
                ({'concurrency': 0}, 'at least 1')):
            e = self.assertRaises(exceptions.UserError,
                                  facade.run_validators, self.ws, **kwargs)
            self.assertIn(text, str(e))
        e = self.assertRaises(exceptions.UserError, facade.run_validators,
                              os.path.join(self.ws, 'etc'))
        self.assertIn('not a Tempest workspace', str(e))
        self.run.assert_not_called()


class ObserversTest(base.TestCase):
    """Start, stop and analyse a run against a fake cloud."""

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        # No tempest.conf: the settings file is all the observer needs.
        self.useFixture(fixtures.EnvironmentVariable('TEMPEST_CONFIG_DIR',
                                                     self.tmp))
        self.cloud = fakes.FakeCloud().start()
        self.addCleanup(self.cloud.stop)
        settings = fakes.make_settings(self.tmp, self.cloud)
        settings.pop('run_id')
        self.settings = os.path.join(self.tmp, 'settings.json')
        with open(self.settings, 'w') as f:
            json.dump(settings, f)
        self.run = {'run_id': 'facade-run', 'state_dir': self.tmp}
        self.addCleanup(facade.stop_observers, timeout=5, **self.run)

    def test_start_stop_analyse(self):
        status = facade.start_observers(settings_file=self.settings,
                                        **self.run)
        self.assertEqual((True, 'facade-run'),
                         (status['started'], status['run_id']))
        self.assertEqual('running',
                         facade.observer_status(**self.run)['state'])
        again = facade.start_observers(settings_file=self.settings,
                                       **self.run)
        self.assertEqual((False, status['pid']),
                         (again['started'], again['pid']))
        time.sleep(1.0)
        self.cloud.behaviour['compute'] = 500
        time.sleep(0.5)
        self.cloud.behaviour['compute'] = 'ok'
        time.sleep(0.5)
        stopped = facade.stop_observers(timeout=5, **self.run)
        self.assertEqual(('facade-run', status['pid'], 'SIGTERM'),
                         (stopped['run_id'], stopped['pid'],
                          stopped['how']))
        self.assertNotIn('honour', stopped)
        status = facade.observer_status(**self.run)
        self.assertEqual(('stopped', False, 1),
                         (status['state'], status['alive'],
                          status['processes']))
        result = facade.analyse_run(**self.run)
        run_analysis.validate(result)
        self.assertEqual('facade-run', result['run_id'])
        self.assertIsNone(result['verdicts'])
        self.assertAlmostEqual(
            0.5, result['services']['compute']['total_downtime'], delta=0.3)

    def test_start_needs_a_config_or_settings(self):
        e = self.assertRaises(exceptions.UserError, facade.start_observers,
                              **self.run)
        self.assertIn('no tempest.conf found', str(e))

    def test_reconcile_needs_the_config(self):
        with mock.patch('upgrade_tempest_plugin.observers.lifecycle.stop',
                        autospec=True) as stop:
            e = self.assertRaises(exceptions.UserError,
                                  facade.stop_observers, reconcile=True,
                                  **self.run)
        self.assertIn('--reconcile needs the tempest.conf', str(e))
        stop.assert_not_called()

    def test_analyse_unknown_run(self):
        e = self.assertRaises(exceptions.UserError, facade.analyse_run,
                              run_id='nope', state_dir=self.tmp)
        self.assertIn('run nope is not in the store', str(e))

    def test_analyse_unreadable_events_file(self):
        store = store_api.open_store(run_context.sqlite_url(self.tmp))
        self.addCleanup(store.close)
        store.ensure_run('facade-run')
        missing = os.path.join(self.tmp, 'nope.jsonl')
        e = self.assertRaises(exceptions.UserError, facade.analyse_run,
                              events_file=missing, **self.run)
        self.assertIn('cannot read %s' % missing, str(e))
        result = facade.analyse_run(**self.run)
        run_analysis.validate(result)
        self.assertEqual([], result['problems'])
