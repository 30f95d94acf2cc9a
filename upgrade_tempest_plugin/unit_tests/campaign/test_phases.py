import configparser
import os

import fixtures

from upgrade_tempest_plugin.campaign import phases
from upgrade_tempest_plugin.unit_tests import base


class PhasesTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.workspace = os.path.join(self.dir, 'ws')
        os.makedirs(os.path.join(self.workspace, 'etc'))
        self.conf = os.path.join(self.workspace, 'etc', 'tempest.conf')
        with open(self.conf, 'w') as f:
            f.write('[auth]\nadmin_password = %(x)s\n'
                    '[upgrade_release]\npackage_versions = nova:33.0.2\n')
        self.calls = []
        self.useFixture(fixtures.MonkeyPatch(
            'upgrade_tempest_plugin.facade.run_validators',
            lambda **kw: self.calls.append(kw) or {
                'ok': True, 'explanation': '1 passed'}))

    def test_validators_run_with_the_plan_releases(self):
        p = phases.Phases({'workspace': self.workspace}, 'run-1',
                          self.dir, ('2026.1', '2026.2'), self.dir)
        self.assertEqual((True, '1 passed'), p.validators('Health'))
        path = self.calls[0]['config_file']
        self.assertEqual(os.path.join(self.dir, 'tempest.conf'), path)
        self.assertEqual(0o600, os.stat(path).st_mode & 0o777)
        conf = configparser.RawConfigParser()
        conf.read(path)
        self.assertEqual(('2026.1', '2026.2'), (
            conf.get('upgrade', 'expected_release_before'),
            conf.get('upgrade', 'expected_release_after')))
        # the rest kept as it was (no interpolation)
        self.assertEqual('%(x)s', conf.get('auth', 'admin_password'))
        self.assertEqual('nova:33.0.2',
                         conf.get('upgrade_release', 'package_versions'))
        with open(self.conf) as f:
            self.assertNotIn('expected_release', f.read())
        self.assertEqual(('Health', self.workspace),
                         (self.calls[0]['regex'],
                          self.calls[0]['workspace']))

    def test_validators_never_see_the_operator_credentials(self):
        self.useFixture(fixtures.EnvironmentVariable(
            'OS_CLIENT_CONFIG_FILE', '/op/clouds.yaml'))
        self.useFixture(fixtures.EnvironmentVariable('OS_CLOUD', 'op'))
        p = phases.Phases({'workspace': self.workspace}, 'run-1',
                          self.dir, ('2026.1', '2026.2'), self.dir)
        p.validators('Health')
        env = self.calls[0]['env']
        self.assertEqual([], [name for name in env
                              if name.startswith('OS_')])
        self.assertEqual(os.environ['PATH'], env['PATH'])

    def test_rewritten_before_every_run(self):
        p = phases.Phases({'workspace': self.workspace}, 'run-1',
                          self.dir, ('2026.1', '2026.2'), self.dir)
        p.validators('A')
        with open(self.conf, 'a') as f:
            f.write('[upgrade]\nstate_dir = /s\n')
        p.validators('B')
        conf = configparser.RawConfigParser()
        conf.read(self.calls[1]['config_file'])
        self.assertEqual('/s', conf.get('upgrade', 'state_dir'))
        self.assertEqual('2026.1',
                         conf.get('upgrade', 'expected_release_before'))

    def test_analyse_imports_the_tools_events_when_they_exist(self):
        seen = []
        self.useFixture(fixtures.MonkeyPatch(
            'upgrade_tempest_plugin.facade.analyse_run',
            lambda **kw: seen.append(kw['events_file']) or {}))
        p = phases.Phases({'workspace': self.workspace}, 'run-1', self.dir)
        events = os.path.join(self.dir, 'events.jsonl')
        p.analyse(events)
        with open(events, 'w'):
            pass
        p.analyse(events)
        p.analyse()
        self.assertEqual([None, events, None], seen)

    def test_preflight_regex_from_the_plan(self):
        p = phases.Phases({'workspace': 'w', 'health': 'IdentityHealth'},
                          None, None)
        self.assertEqual('IdentityHealth', p.regex('preflight'))
        self.assertEqual(phases.REGEXES['destroy'], p.regex('destroy'))
