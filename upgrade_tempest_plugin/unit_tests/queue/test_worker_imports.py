"""The stand-alone worker imports only what a worker needs."""

import json
import subprocess
import sys

from upgrade_tempest_plugin.unit_tests import base

#: Top-level packages the worker may import besides the standard library.
ALLOWED = {'upgrade_tempest_plugin', 'gear', 'six', 'jsonschema',
           'jsonschema_specifications', 'referencing', 'rpds', 'attr',
           'attrs', 'typing_extensions',
           # jsonschema's format checkers use these when they are installed.
           'idna', 'jsonpointer', 'rfc3987', 'uri_template', 'webcolors',
           'isoduration', 'fqdn', 'rfc3339_validator'}
#: Plugin modules the worker may import.
PLUGIN_MODULES = {'upgrade_tempest_plugin', 'upgrade_tempest_plugin.queue',
                  'upgrade_tempest_plugin.queue.campaign_job',
                  'upgrade_tempest_plugin.queue.children',
                  'upgrade_tempest_plugin.queue.gearsock',
                  'upgrade_tempest_plugin.queue.job',
                  'upgrade_tempest_plugin.queue.payload',
                  'upgrade_tempest_plugin.queue.reporter',
                  'upgrade_tempest_plugin.queue.venvs',
                  'upgrade_tempest_plugin.queue.worker',
                  'upgrade_tempest_plugin.validator_phases'}

PROBE = """
import json, sys
before = set(sys.modules)
import upgrade_tempest_plugin.queue.worker
print(json.dumps(sorted(set(sys.modules) - before)))
"""


class WorkerImportsTest(base.TestCase):

    def _imported(self):
        out = subprocess.run([sys.executable, '-c', PROBE], check=True,
                             stdout=subprocess.PIPE).stdout
        return json.loads(out)

    def test_only_worker_dependencies_are_imported(self):
        stdlib = sys.stdlib_module_names
        foreign = sorted({name.split('.')[0] for name in self._imported()}
                         - ALLOWED - set(stdlib) - {'_distutils_hack'})
        self.assertEqual([], foreign)

    def test_no_other_plugin_module_is_imported(self):
        plugin = {name for name in self._imported()
                  if name.startswith('upgrade_tempest_plugin')}
        self.assertEqual(set(), plugin - PLUGIN_MODULES)
        self.assertNotIn('upgrade_tempest_plugin.queue.subunit_events',
                         plugin)
