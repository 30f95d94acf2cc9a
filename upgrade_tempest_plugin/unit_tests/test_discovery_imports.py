"""Tempest's discovery of the validators stays cheap.

Every ``tempest run`` imports the plugin and every module under
``upgrade_tempest_plugin/tests``.  Those imports must not pull in the
store (SQLAlchemy, alembic), the observers, the analysis or tenacity (and
with it asyncio): the test modules import them when a test runs
(benchmarks/discovery_bench.py).
"""

import json
import os
import subprocess
import sys

import upgrade_tempest_plugin
from upgrade_tempest_plugin.unit_tests import base

HEAVY = ('sqlalchemy', 'alembic', 'tenacity')

CHILD = r'''
import importlib, json, pkgutil, sys
import upgrade_tempest_plugin.plugin  # noqa
import upgrade_tempest_plugin.tests as tests
names = [tests.__name__]
for info in pkgutil.walk_packages(tests.__path__, tests.__name__ + '.'):
    names.append(info.name)
for name in names:
    importlib.import_module(name)
print(json.dumps({'modules': names,
                  'heavy': sorted(m for m in sys.argv[1:]
                                  if m in sys.modules)}))
'''


class DiscoveryImportsTest(base.TestCase):

    def test_test_modules_do_not_import_the_store(self):
        top = os.path.dirname(os.path.dirname(
            os.path.abspath(upgrade_tempest_plugin.__file__)))
        env = dict(os.environ)
        env['PYTHONPATH'] = os.pathsep.join(
            [top] + [p for p in [env.get('PYTHONPATH')] if p])
        proc = subprocess.run(
            [sys.executable, '-c', CHILD] + list(HEAVY),
            capture_output=True, text=True, env=env, cwd=top, timeout=120)
        self.assertEqual(0, proc.returncode, proc.stderr)
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        self.assertIn('upgrade_tempest_plugin.tests.scenario.test_budgets',
                      result['modules'])
        self.assertEqual([], result['heavy'],
                         'importing the plugin and its test modules (what '
                         'tempest discovery does) imported %s'
                         % ', '.join(result['heavy']))
