"""The configuration the report shows: no secret in it."""

import types

from upgrade_tempest_plugin import config
from upgrade_tempest_plugin.report import config_view
from upgrade_tempest_plugin.unit_tests import base


def conf(**upgrade):
    """An object with every option group of the plugin at its defaults."""
    groups = {}
    for group, opts in config.list_opts():
        values = {opt.dest: opt.default for opt in opts}
        if group == 'upgrade':
            values.update(upgrade)
        groups[group] = types.SimpleNamespace(**values)
    return types.SimpleNamespace(**groups)


class ConfigViewTest(base.TestCase):

    def test_secret_options_are_masked(self):
        view = config_view.build({'processes': []}, conf(
            store_url='postgresql://u:hunter2@db/upgrade'))
        self.assertEqual('***', view['[upgrade]']['store_url'])
        self.assertNotIn('hunter2', repr(view))

    def test_every_group_of_the_plugin_is_shown(self):
        view = config_view.build({'processes': []}, conf())
        self.assertEqual(['[%s]' % g for g, _ in config.list_opts()],
                         list(view))

    def test_observer_settings_with_secret_keys_masked(self):
        view = config_view.build({'processes': [{
            'pid': 7, 'host': 'h', 'attrs': {
                'rate': 2.0, 'password': 'hunter2',
                'nested': {'auth_token': 'abc', 'region': 'R'},
                'urls': ['mysql+pymysql://u:hunter2@db/x']}}]})
        section = view['observer process 1 (pid 7 on h)']
        self.assertEqual({'rate': 2.0, 'password': '***',
                          'nested': {'auth_token': '***', 'region': 'R'},
                          'urls': ['mysql+pymysql://u:***@db/x']}, section)

    def test_no_configuration(self):
        self.assertEqual({}, config_view.build({'processes': []}))
