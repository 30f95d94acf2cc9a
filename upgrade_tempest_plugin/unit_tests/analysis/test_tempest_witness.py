"""The observers' windows held against Tempest's log and results."""

import datetime
import io

import subunit

from upgrade_tempest_plugin.analysis import tempest_witness
from upgrade_tempest_plugin.unit_tests import base


def local(epoch):
    """``epoch`` as oslo.log writes it (local time, milliseconds)."""
    return datetime.datetime.fromtimestamp(epoch).strftime(
        '%Y-%m-%d %H:%M:%S.%f')[:-3]


T0 = 1795000000.0
LOG = [
    '%s 7747 INFO tempest.lib.common.rest_client [req-1 ] Request '
    '(NetworksTest:test_list): 200 GET http://127.0.0.1:19696/v2.0/networks'
    ' 0.057s' % local(T0 + 10.057),
    '%s 7747 INFO tempest.lib.common.rest_client [req-2 ] Request '
    '(NetworksTest:test_create): 201 POST http://127.0.0.1:19696/v2.0/'
    'networks 4.500s' % local(T0 + 24.5),
    '%s 7747 INFO tempest.lib.common.rest_client [req-3 ] Request '
    '(ImagesTest:test_list): 503 GET http://127.0.0.1:19292/v2/images '
    '0.010s' % local(T0 + 30.01),
    '%s 7747 DEBUG tempest.lib.common.rest_client [req-3 ] Request - '
    'Headers: {}' % local(T0 + 30.02),
]
PORTS = {19696: 'network', 19292: 'image', 18774: 'compute'}


def stream(tests):
    out = io.BytesIO()
    writer = subunit.StreamResultToBytes(out)
    for test_id, status, start, stop, text in tests:
        writer.status(test_id=test_id, test_status='inprogress',
                      timestamp=datetime.datetime.fromtimestamp(
                          start, datetime.timezone.utc))
        writer.status(test_id=test_id, test_status=status,
                      file_name='traceback', file_bytes=text.encode(),
                      mime_type='text/plain; charset=utf8', eof=True,
                      timestamp=datetime.datetime.fromtimestamp(
                          stop, datetime.timezone.utc))
    return out.getvalue()


class TempestWitnessTest(base.TestCase):

    def test_parse_log(self):
        requests = tempest_witness.parse_log(LOG)
        self.assertEqual(3, len(requests))
        first = requests[0]
        self.assertAlmostEqual(T0 + 10.0, first['sent'], places=3)
        self.assertEqual((200, 'GET', 19696), (first['status'],
                                               first['method'],
                                               first['port']))
        self.assertEqual('NetworksTest:test_list', first['test'])
        self.assertEqual(2, len(tempest_witness.parse_log(LOG,
                                                          since=T0 + 20)))

    def test_connection_failures_only(self):
        data = stream([
            ('t.refused', 'fail', T0 + 5, T0 + 6,
             "urllib3.exceptions.MaxRetryError: HTTPConnectionPool("
             "host='127.0.0.1', port=18774): Max retries exceeded "
             "(Caused by NewConnectionError(...ConnectionRefusedError))"),
            ('t.assertion', 'fail', T0 + 5, T0 + 6,
             'AssertionError: 3 != 4'),
            ('t.passed', 'success', T0 + 5, T0 + 6, ''),
        ])
        [failure] = tempest_witness.connection_failures(data)
        self.assertEqual('t.refused', failure['test'])
        self.assertEqual([18774], failure['ports'])
        self.assertEqual('ConnectionRefusedError', failure['error'])
        self.assertAlmostEqual(T0 + 5, failure['start'])

    def test_contradictions_both_ways(self):
        requests = tempest_witness.parse_log(LOG)
        windows = {
            # Tempest's quick 200 at T0+10 lies inside: a false window.
            'network': [{'start': T0 + 9, 'end': T0 + 11}],
            # Tempest's 503 inside a window is consistent.
            'image': [{'start': T0 + 29, 'end': T0 + 31}],
        }
        failures = tempest_witness.connection_failures(stream([
            ('t.compute', 'fail', T0 + 5, T0 + 6,
             "NewConnectionError ConnectionRefusedError port=18774"),
            ('t.image', 'fail', T0 + 30, T0 + 30.5,
             "ProtocolError RemoteDisconnected http://127.0.0.1:19292/v2"),
        ]))
        served, missed = tempest_witness.contradictions(
            windows, requests, failures, PORTS)
        self.assertEqual(['NetworksTest:test_list'],
                         [r['test'] for r in served])
        # The slow (4.5 s) create overlapping nothing is not evidence.
        self.assertEqual([('t.compute', 'compute')],
                         [(m['test'], m['service']) for m in missed])

    def test_consistent_run_has_no_contradiction(self):
        requests = tempest_witness.parse_log(LOG)
        windows = {'network': [{'start': T0 + 11, 'end': T0 + 19}]}
        self.assertEqual(([], []), tempest_witness.contradictions(
            windows, requests, [], PORTS))
