"""The worker's command line and its guard around geard packets."""

import argparse
import io

import fixtures

from upgrade_tempest_plugin.queue import worker
from upgrade_tempest_plugin.unit_tests import base


class WorkerTest(base.TestCase):

    def test_gearman_address(self):
        self.assertEqual(('gear.example', 4730),
                         worker.gearman_address('gear.example:4730'))
        self.assertEqual(('::1', 4730), worker.gearman_address('[::1]:4730'))
        for bad in ('gear.example', ':4730', 'h:0', 'h:70000', 'h:x'):
            self.assertRaises(argparse.ArgumentTypeError,
                              worker.gearman_address, bad)

    def test_read_token(self):
        path = self.useFixture(fixtures.TempDir()).join('token')
        with open(path, 'w') as token:
            token.write('abc\nignored\n')
        self.assertEqual('abc', worker.read_token(path))
        self.assertIsNone(worker.read_token(None))

    def test_a_lost_geard_is_logged_not_raised(self):
        logger = self.useFixture(fixtures.FakeLogger())

        def sendWorkStatus(numerator, denominator):
            raise AttributeError("'NoneType' object has no attribute 'send'")
        worker._send(sendWorkStatus, 1, 2)
        self.assertIn('geard did not get sendWorkStatus: AttributeError',
                      logger.output)

    def test_a_bug_is_raised(self):
        def sendWorkStatus(numerator, denominator):
            raise TypeError('bug')
        self.assertRaises(TypeError, worker._send, sendWorkStatus, 1, 2)

    def test_slots_must_be_positive(self):
        self.useFixture(fixtures.MonkeyPatch('sys.stderr', io.StringIO()))
        exc = self.assertRaises(SystemExit, worker.main,
                                ['--gearman', 'h:1', '--slots', '0'])
        self.assertEqual(2, exc.code)
