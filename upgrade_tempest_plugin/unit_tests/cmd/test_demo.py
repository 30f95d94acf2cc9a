"""``upgrade-tempest demo``: bad input is one line and exit 2."""

from upgrade_tempest_plugin.unit_tests.cmd import fakes


class DemoCommandTest(fakes.SandboxCliTestCase):

    def test_demo_unsupported_skip(self):
        self.assertUserError('SLURP', 'demo', '--from', '2025.2',
                             '--to', '2026.2')

    def test_demo_wrong_direction(self):
        self.assertUserError('must be after', 'demo', '--from', '2026.2',
                             '--to', '2026.1')
