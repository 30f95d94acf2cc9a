"""Waits fail fast on every error status; messages take any value."""

import time

from tempest.lib import exceptions as lib_exc

from upgrade_tempest_plugin.unit_tests import base
from upgrade_tempest_plugin.unit_tests.workloads import test_workloads
from upgrade_tempest_plugin.workloads import kinds
from upgrade_tempest_plugin.workloads.kinds import base as kinds_base
from upgrade_tempest_plugin.workloads import resources
from upgrade_tempest_plugin.workloads import waiters


class FakeTime(object):

    def __init__(self):
        self.now = 0.0
        self.sleeps = 0

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps += 1
        self.now += seconds


class Shows(object):
    """``show`` answering each of ``states`` in turn (the last repeats)."""

    def __init__(self, *states):
        self.states = list(states)
        self.calls = 0

    def __call__(self, resource_id):
        self.calls += 1
        state = self.states[min(self.calls, len(self.states)) - 1]
        if isinstance(state, Exception):
            raise state
        return dict(state)


class WaitForStatusTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.time = FakeTime()

    def wait(self, show, wanted, timeout=300, **kw):
        return waiters.wait_for_status(show, 'vol-1', wanted, timeout, 1,
                                       clock=self.time.clock,
                                       sleep=self.time.sleep, **kw)

    def test_every_error_status_fails_at_once(self):
        for status in ('error', 'ERROR', 'Error', 'error_extending',
                       'error_deleting', 'error_restoring',
                       'ERROR_MANAGING', 'error_backing-up'):
            show = Shows({'status': 'extending'}, {'status': status})
            e = self.assertRaises(waiters.ErrorStatus, self.wait, show,
                                  ('available',), what='volume v')
            self.assertEqual('volume v reached status %s while waiting '
                             'for available' % status, str(e))
            self.assertEqual(2, show.calls)
        self.assertEqual(8, self.time.sleeps)

    def test_error_while_waiting_for_a_size(self):
        # the extend of the post-upgrade verification: it waits for the
        # size, the volume goes to error_extending and keeps its size
        show = Shows({'status': 'extending', 'size': 1},
                     {'status': 'error_extending', 'size': 1})
        e = self.assertRaises(waiters.ErrorStatus, self.wait, show, (2,),
                              field='size', what='volume v')
        self.assertEqual('volume v reached status error_extending while '
                         'waiting for size 2 (it has 1)', str(e))
        self.assertEqual(1, self.time.sleeps)

    def test_a_wanted_error_status_is_no_failure(self):
        show = Shows({'status': 'in-use'}, {'status': 'error'})
        self.assertEqual({'status': 'error'},
                         self.wait(show, ('available', 'error')))

    def test_extra_error_statuses(self):
        show = Shows({'status': 'queued'}, {'status': 'killed'})
        self.assertRaises(waiters.ErrorStatus, self.wait, show, 'active',
                          error_statuses=('killed',))

    def test_timeout_message_with_any_value(self):
        show = Shows({'size': 1, 'status': 'extending'})
        e = self.assertRaises(waiters.WaitTimeout, self.wait, show, 2,
                              timeout=3, field='size', what='volume v')
        self.assertIn('volume v still has size 1 (status extending) after '
                      '3s, expected 2', str(e))
        self.assertEqual(3, self.time.sleeps)
        show = Shows({})
        e = self.assertRaises(waiters.WaitTimeout, self.wait, show,
                              (3, b'x', 'available'), timeout=1)
        self.assertIn("still has status None after 1s, expected "
                      "3/b'x'/available", str(e))

    def test_the_status_reached(self):
        show = Shows({'status': 'creating'}, {'status': 'available'})
        self.assertEqual({'status': 'available'},
                         self.wait(show, 'available'))


class WaitUntilGoneTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.time = FakeTime()

    def wait(self, show, timeout=300):
        return waiters.wait_until_gone(show, 'vol-1', timeout, 1,
                                       what='volume v',
                                       clock=self.time.clock,
                                       sleep=self.time.sleep)

    def test_a_failed_delete_fails_at_once(self):
        show = Shows({'status': 'deleting'}, {'status': 'error_deleting'})
        e = self.assertRaises(waiters.ErrorStatus, self.wait, show)
        self.assertEqual('volume v reached status error_deleting while '
                         'waiting for it to be gone', str(e))
        self.assertEqual(1, self.time.sleeps)

    def test_a_server_deleted_in_error_is_waited_for(self):
        # nova keeps a server that is deleted from ERROR in ERROR
        show = Shows({'status': 'ERROR'}, {'status': 'ERROR'},
                     lib_exc.NotFound())
        self.assertIsNone(self.wait(show))
        self.assertEqual(3, show.calls)

    def test_timeout_message(self):
        e = self.assertRaises(waiters.WaitTimeout, self.wait,
                              Shows({'status': 7}), 2)
        self.assertIn('volume v is still there after 2s (status 7)', str(e))


class KindsFailFastTest(test_workloads.WorkloadTestCase):

    def new_set(self, limit=3, timeout=300):
        res = resources.Resources(self.cloud.manager(), timeout=timeout,
                                  interval=0.01)
        return test_workloads.workload_set.WorkloadSet(
            self.store, 'run1', res, test_workloads.SETTINGS,
            max_failed_creates=limit)

    def failing_extend(self, ws, status='error_extending'):
        def extend(rid, new_size):
            self.cloud.calls.append('extend_volume')
            self.cloud.items['volume'][rid]['status'] = status
        ws.resources.clients.volumes_client_latest.extend_volume = extend

    def test_failed_extend_is_reported_at_once(self):
        self.create_all()
        ws = self.new_set()      # a 300 s timeout
        self.failing_extend(ws)
        begin = time.monotonic()
        problems = kinds.load()['volume_with_snapshot'].act(ws)
        self.assertLess(time.monotonic() - begin, 5)
        vol = ws.recorded('volume_with_snapshot', 'volume', 'volume')
        self.assertEqual(
            ['volume %s (%s) could not be extended to 2 GiB: volume %s '
             'reached status error_extending while waiting for size 2 '
             '(it has 1)' % (vol['name'], vol['resource_id'],
                             vol['name'])], problems)
        calls = self.cloud.calls
        self.assertEqual(1, calls[calls.index('extend_volume'):].count(
            'show_volume'))
        # the expectation stays: the volume was not extended
        self.assertEqual(1, vol['attrs']['size'])

    def test_extend_that_never_ends_has_a_safe_message(self):
        self.create_all()
        ws = self.new_set(timeout=0.05)
        self.failing_extend(ws, status='extending')
        problems = kinds.load()['volume_with_snapshot'].act(ws)
        self.assertEqual(1, len(problems))
        self.assertIn('still has size 1 (status extending) after 0.05s, '
                      'expected 2', problems[0])

    def test_restore_in_error_is_reported_at_once(self):
        self.create_all()
        ws = self.new_set()
        create = ws.resources.clients.volumes_client_latest.create_volume

        def create_in_error(**kw):
            body = create(**kw)
            if kw.get('snapshot_id'):
                self.cloud.items['volume'][body['volume']['id']][
                    'status'] = 'error_restoring'
            return body
        ws.resources.clients.volumes_client_latest.create_volume = (
            create_in_error)
        begin = time.monotonic()
        problems = kinds.load()['volume_with_snapshot'].act(ws)
        self.assertLess(time.monotonic() - begin, 5)
        self.assertEqual(1, len(problems), problems)
        self.assertIn('could not be restored to a new volume', problems[0])
        self.assertIn('reached status error_restoring', problems[0])
        # the restored volume is deleted all the same: the three volumes
        # of the workloads are left
        self.assertEqual(3, len(self.cloud.items['volume']))

    def test_status_problem_with_any_value(self):
        entry = {'name': 'v', 'resource_id': 'id-1', 'state': None}
        self.assertEqual(
            "volume v (id-1) has size 1, expected 2 or 3",
            kinds_base.status_problem('volume', entry, {'size': 1},
                                      (2, 3), field='size'))
        self.assertEqual(
            "volume v (id-1) has status 'creating', expected None or "
            "available",
            kinds_base.status_problem('volume', entry,
                                      {'status': 'creating'},
                                      (None, 'available')))
