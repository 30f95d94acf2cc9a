"""``sandbox up`` without ``--release`` restarts at the recorded releases."""

import io
import os

import fixtures

from upgrade_tempest_plugin.cmd import main
from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin.sandbox import cloud
from upgrade_tempest_plugin.sandbox import errors
from upgrade_tempest_plugin.sandbox import layout
from upgrade_tempest_plugin.sandbox import ports
from upgrade_tempest_plugin.sandbox import state
from upgrade_tempest_plugin.unit_tests import base


class UpWithoutReleaseTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.addCleanup(ports.use_offset, 0)
        self.root = self.useFixture(fixtures.TempDir()).path
        self.dir = os.path.join(self.root, 'sandbox')
        self.useFixture(fixtures.EnvironmentVariable(
            layout.CACHE_ENV, os.path.join(self.root, 'cache')))
        self.stderr = self.useFixture(fixtures.MonkeyPatch(
            'sys.stderr', io.StringIO())).new_value
        self.useFixture(fixtures.MonkeyPatch('sys.stdout', io.StringIO()))
        self.useFixture(fixtures.MockPatchObject(ports, 'in_use',
                                                 return_value=False))
        self.useFixture(fixtures.MockPatchObject(cloud, 'DISK_BUILD', 0))

    def record(self):
        """A sandbox built at 2026.1 whose keystone went to 2026.2."""
        lay = layout.Layout(self.dir)
        lay.make_dirs()
        st = state.new('2026.1', ['keystone', 'glance'])
        st['services'] = {
            'keystone': {'series': '2026.2', 'version': '30.0.0'},
            'glance': {'series': '2026.1', 'version': '32.0.0'}}
        state.save(lay, st)
        return lay

    def test_no_sandbox_is_one_line_exit_2(self):
        self.assertEqual(2, main.main(['sandbox', 'up', '--dir', self.dir]))
        self.assertEqual(['upgrade-tempest: error: no sandbox in %s; give '
                          '--release' % self.dir],
                         self.stderr.getvalue().splitlines())
        self.assertFalse(os.path.exists(self.dir))
        self.assertFalse(os.path.exists(os.path.join(self.root, 'cache')))

    def test_plan_is_the_recorded_releases(self):
        sandbox = cloud.Sandbox(self.record(), io.StringIO())
        self.assertEqual({'keystone': '2026.2', 'glance': '2026.1'},
                         sandbox.plan_up(None, []))
        self.assertEqual({'keystone': '2026.2', 'glance': '2026.1'},
                         sandbox.plan_up(None, ['glance']))
        e = self.assertRaises(exceptions.UserError, sandbox.plan_up, None,
                              ['nova'])
        self.assertIn('destroy it', str(e))

    def test_service_never_deployed_gets_the_sandbox_release(self):
        lay = self.record()
        st = state.load(lay)
        st['services']['glance'] = None
        state.save(lay, st)
        self.assertEqual({'keystone': '2026.2', 'glance': '2026.1'},
                         cloud.Sandbox(lay, io.StringIO()).plan_up(None, []))

    def test_command_restarts_at_the_recorded_releases(self):
        self.record()
        plans = []
        plan_up = cloud.Sandbox.plan_up

        def record_plan(sandbox, series, services):
            plans.append(plan_up(sandbox, series, services))
            return plans[-1]
        self.useFixture(fixtures.MockPatchObject(
            cloud.Sandbox, 'plan_up', record_plan))
        # The first step after the plan: stop there.
        self.useFixture(fixtures.MockPatchObject(
            cloud.debs, 'ensure',
            side_effect=errors.SandboxError('stopped after the plan')))
        self.assertEqual(1, main.main(['sandbox', 'up', '--dir', self.dir]))
        self.assertEqual([{'keystone': '2026.2', 'glance': '2026.1'}],
                         plans)
        self.assertIn('stopped after the plan', self.stderr.getvalue())
