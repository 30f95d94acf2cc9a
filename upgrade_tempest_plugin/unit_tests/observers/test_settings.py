"""Observer settings: one set of defaults and bounds, the oslo options'."""

import json
import os

import fixtures

from upgrade_tempest_plugin import config
from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin.observers import fixture as obs_fixture
from upgrade_tempest_plugin.observers import lifecycle
from upgrade_tempest_plugin.observers import settings as obs_settings
from upgrade_tempest_plugin import run_context
from upgrade_tempest_plugin.unit_tests import base


class DefaultsTest(base.TestCase):

    def test_option_defaults_are_the_settings_defaults(self):
        # Fails when someone writes a second table of defaults.
        for opt in config.UpgradeObserversGroup:
            if opt.dest in obs_settings.NOT_SETTINGS:
                self.assertNotIn(opt.dest, obs_settings.DEFAULTS)
                continue
            self.assertEqual(opt.default, obs_settings.DEFAULTS[opt.dest],
                             opt.dest)
            self.assertEqual(opt.default, obs_settings.defaults()[opt.dest],
                             opt.dest)

    def test_only_other_groups_add_settings(self):
        observers = {opt.dest for opt in config.UpgradeObserversGroup}
        extra = set(obs_settings.DEFAULTS) - observers
        self.assertEqual(set(obs_settings.OTHER_DEFAULTS), extra)
        self.assertEqual(observers - set(obs_settings.NOT_SETTINGS),
                         set(obs_settings.DEFAULTS) - extra)
        self.assertFalse(observers & set(obs_settings.OTHER_DEFAULTS))

    def test_state_dir_default_is_the_option_default(self):
        opt = [o for o in config.UpgradeGroup if o.dest == 'state_dir'][0]
        self.assertEqual(run_context.DEFAULT_STATE_DIR, opt.default)
        self.assertEqual(opt.default, obs_settings.DEFAULTS['state_dir'])

    def test_defaults_are_fresh_copies(self):
        first = obs_settings.defaults()
        first['honour_kinds'].append('flavour')
        self.assertEqual(['network', 'volume', 'image'],
                         obs_settings.defaults()['honour_kinds'])

    def test_timeouts_default_to_the_options(self):
        self.assertEqual(
            obs_settings.OPTIONS['heartbeat_timeout'].default,
            obs_settings.option_default('heartbeat_timeout'))
        self.assertIsNone(lifecycle.status.__defaults__[0])
        fix = obs_fixture.ObserverFixture(
            run_id='r', state_dir='/nonexistent', store_url='sqlite://',
            use_tempest_conf=False)
        self.assertEqual(obs_settings.option_default('stop_timeout'),
                         fix.stop_timeout)
        self.assertEqual(obs_settings.option_default('heartbeat_timeout'),
                         fix.heartbeat_timeout)

    def test_store_url_default_is_run_contexts(self):
        self.useFixture(fixtures.EnvironmentVariable(
            obs_settings.STORE_URL_ENV))
        settings = dict(obs_settings.DEFAULTS, state_dir='/srv/state')
        self.assertEqual(run_context.sqlite_url('/srv/state'),
                         obs_settings.store_url(settings))
        self.assertEqual('sqlite:////srv/state/store.db',
                         obs_settings.store_url(settings))


class MergeJsonTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path

    def merge(self, overrides):
        path = os.path.join(self.dir, 'settings.json')
        with open(path, 'w') as f:
            json.dump(overrides, f)
        return path, obs_settings.merge_json(obs_settings.defaults(), path)

    def refused(self, overrides):
        path = os.path.join(self.dir, 'settings.json')
        with open(path, 'w') as f:
            json.dump(overrides, f)
        exc = self.assertRaises(exceptions.UserError,
                                obs_settings.merge_json,
                                obs_settings.defaults(), path)
        self.assertNotIn('\n', str(exc))
        return path, str(exc)

    def test_good_values_are_taken(self):
        _, settings = self.merge({'rate': 5, 'services': ['compute'],
                                  'interface': 'internal',
                                  'honour_enabled': True,
                                  'accounts_file': None})
        self.assertEqual(5.0, settings['rate'])
        self.assertEqual(['compute'], settings['services'])
        self.assertEqual('internal', settings['interface'])
        self.assertTrue(settings['honour_enabled'])
        self.assertIsNone(settings['accounts_file'])

    def test_above_max_is_refused_with_its_bound(self):
        path, msg = self.refused({'rate': 500})
        self.assertEqual('%s: rate: Should be less than or equal to 100'
                         % path, msg)

    def test_below_min_is_refused(self):
        path, msg = self.refused({'flush_interval': 0.01})
        self.assertEqual('%s: flush_interval: Should be greater than or '
                         'equal to 0.05' % path, msg)

    def test_choices_are_checked(self):
        path, msg = self.refused({'interface': 'private'})
        self.assertIn('%s: interface: ' % path, msg)
        self.assertIn('public, internal, admin', msg)

    def test_wrong_type_is_refused(self):
        path, msg = self.refused({'max_in_flight': 'many'})
        self.assertTrue(msg.startswith('%s: max_in_flight: ' % path), msg)
        path, msg = self.refused({'rate': True})
        self.assertTrue(msg.startswith('%s: rate: ' % path), msg)

    def test_unknown_setting_still_refused(self):
        _, msg = self.refused({'speed': 1})
        self.assertEqual('unknown observer settings: speed', msg)
        _, msg = self.refused({'stop_timeout': 5})
        self.assertEqual('unknown observer settings: stop_timeout', msg)
