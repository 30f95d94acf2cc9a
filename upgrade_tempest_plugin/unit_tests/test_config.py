import os
import tempfile

from oslo_config import cfg

from upgrade_tempest_plugin import config
from upgrade_tempest_plugin.unit_tests import base


class TestConfig(base.TestCase):

    def _conf_with(self, text):
        conf = cfg.ConfigOpts()
        for group_name, options in config.list_opts():
            conf.register_opts(options, group=group_name)
        with tempfile.NamedTemporaryFile('w', suffix='.conf',
                                         delete=False) as conf_file:
            conf_file.write(text)
        self.addCleanup(os.unlink, conf_file.name)
        conf(args=[], default_config_files=[conf_file.name])
        return conf

    def test_every_option_has_help(self):
        for _, options in config.list_opts():
            for option in options:
                self.assertTrue(option.help, option.name)

    def test_defaults(self):
        conf = self._conf_with('')
        self.assertIsNone(conf.upgrade.run_id)
        self.assertEqual('.upgrade-tempest', conf.upgrade.state_dir)
        self.assertEqual(10.0, conf.upgrade.request_timeout)

    def test_non_numeric_value_names_the_option(self):
        conf = self._conf_with('[upgrade]\nrequest_timeout = ten\n')
        exc = self.assertRaises(cfg.ConfigFileValueError,
                                getattr, conf.upgrade, 'request_timeout')
        self.assertIn('request_timeout', str(exc))

    def test_release_series_is_checked(self):
        conf = self._conf_with('[upgrade]\nexpected_release_after = zed\n')
        exc = self.assertRaises(cfg.ConfigFileValueError,
                                getattr, conf.upgrade,
                                'expected_release_after')
        self.assertIn('expected_release_after', str(exc))

    def test_release_series_accepted(self):
        conf = self._conf_with('[upgrade]\nexpected_release_after = 2026.2\n')
        self.assertEqual('2026.2', conf.upgrade.expected_release_after)
