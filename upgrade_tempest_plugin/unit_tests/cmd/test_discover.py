import io
import os

import fixtures
from oslo_serialization import jsonutils as json

from upgrade_tempest_plugin.cmd import discover
from upgrade_tempest_plugin.cmd import main
from upgrade_tempest_plugin.services import registry
from upgrade_tempest_plugin.unit_tests import base

CATALOG = [
    {'type': 'identity', 'endpoints': []},
    {'type': 'compute', 'endpoints': []},
    {'type': 'volumev3', 'endpoints': []},
    {'type': 'image', 'endpoints': []},
    {'type': 'placement', 'endpoints': []},
]

CONF = """# my tempest.conf
[DEFAULT]
log_file = tempest.log

[service_available]
# keep this comment
nova = false
horizon = true

[compute]
image_ref = abc
"""


class TestSetOptions(base.TestCase):

    def test_replaces_in_place_and_appends(self):
        new = discover.set_options(CONF, {
            'service_available': {'nova': 'true', 'neutron': 'false'},
            'upgrade': {'expected_release_before': '2026.1'}})
        self.assertIn('# keep this comment\nnova = true\nhorizon = true\n'
                      'neutron = false\n', new)
        self.assertIn('[compute]\nimage_ref = abc\n', new)
        self.assertIn('# my tempest.conf\n[DEFAULT]\nlog_file = tempest.log',
                      new)
        self.assertTrue(new.endswith(
            '[upgrade]\nexpected_release_before = 2026.1\n'))

    def test_idempotent(self):
        settings = {'service_available': {'nova': 'true'}}
        once = discover.set_options(CONF, settings)
        self.assertEqual(once, discover.set_options(once, settings))

    def test_commented_option_is_not_replaced(self):
        new = discover.set_options('[a]\n# x = 1\n', {'a': {'x': '2'}})
        self.assertEqual('[a]\n# x = 1\nx = 2\n', new)

    def test_empty_file(self):
        self.assertEqual('[a]\nx = 1\n',
                         discover.set_options('', {'a': {'x': 1}}))


class TestFlags(base.TestCase):

    def test_flags_from_catalog(self):
        settings = discover.flags_from_catalog(CATALOG,
                                               registry.load_profiles())
        self.assertEqual({'nova': 'true', 'cinder': 'true',
                          'glance': 'true', 'neutron': 'false',
                          'swift': 'false'},
                         dict(settings['service_available']))
        self.assertEqual({'catalog_type': 'volumev3'},
                         dict(settings['volume']))


class TestDiscoverCommand(base.TestCase):

    def test_writes_tempest_conf(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        catalog = os.path.join(tmp, 'catalog.json')
        with open(catalog, 'w') as f:
            json.dump(CATALOG, f)
        conf = os.path.join(tmp, 'tempest.conf')
        with open(conf, 'w') as f:
            f.write(CONF)
        app = main.UpgradeTempestApp()
        app.stdout = io.StringIO()
        rc = app.run(['discover', '--catalog-json', catalog,
                      '--config-file', conf, '--workload-username', 'demo4',
                      '--expected-release-after', '2026.2'])
        self.assertEqual(0, rc)
        with open(conf) as f:
            text = f.read()
        self.assertIn('nova = true', text)
        self.assertIn('[upgrade_workloads]\nusername = demo4', text)
        self.assertIn('expected_release_after = 2026.2', text)
        self.assertIn('# keep this comment', text)

    def test_needs_a_user(self):
        app = main.UpgradeTempestApp()
        app.stdout, app.stderr = io.StringIO(), io.StringIO()
        self.assertEqual(2, app.run(['discover']))
        self.assertIn('--os-cloud', app.stderr.getvalue())
