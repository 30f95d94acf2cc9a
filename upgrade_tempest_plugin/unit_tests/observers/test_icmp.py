"""ICMP echo of the data-plane observer, on loopback only."""

import asyncio
import struct

from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin.observers import dataplane
from upgrade_tempest_plugin.observers import icmp
from upgrade_tempest_plugin.store import models
from upgrade_tempest_plugin.unit_tests import base


def _reply(identifier, sequence, kind=icmp.ECHO_REPLY):
    return struct.pack('!BBHHH', kind, 0, 0, identifier, sequence)


def _ipv4(payload):
    return bytes([0x45]) + bytes(19) + payload


class TestPacket(base.TestCase):

    def test_checksum_of_a_valid_packet_is_zero(self):
        packet = icmp.echo_request(0x1234, 7, b'abc')
        self.assertEqual(0, icmp.checksum(packet))
        self.assertEqual((icmp.ECHO_REQUEST, 0, 0x1234, 7),
                         struct.unpack('!BBxxHH', packet[:8]))

    def test_reply_matching(self):
        self.assertEqual(icmp.ECHO_REPLY,
                         icmp._matches(_reply(5, 9), 5, 9, raw=True))
        self.assertIsNone(icmp._matches(_reply(6, 9), 5, 9, raw=True))
        self.assertIsNone(icmp._matches(_reply(5, 8), 5, 9, raw=True))
        # Our own request looped back is not a reply.
        self.assertIsNone(icmp._matches(
            _reply(5, 9, icmp.ECHO_REQUEST), 5, 9, raw=True))
        # Datagram sockets: the kernel chose the id.
        self.assertEqual(icmp.ECHO_REPLY,
                         icmp._matches(_reply(77, 9), 5, 9, raw=False))

    def test_unreachable_quoting_our_request(self):
        quoted = _ipv4(icmp.echo_request(5, 9, b''))
        unreachable = struct.pack('!BBHI', icmp.DEST_UNREACHABLE, 1, 0,
                                  0) + quoted
        self.assertEqual(icmp.DEST_UNREACHABLE,
                         icmp._matches(unreachable, 5, 9, raw=True))

    def test_raw_packets_carry_the_ip_header(self):
        packet = _ipv4(_reply(1, 2))
        self.assertEqual(_reply(1, 2), icmp._icmp_of(packet, raw=True))


class TestPing(base.TestCase):

    def setUp(self):
        super().setUp()
        try:
            icmp.open_socket()[0].close()
        except icmp.NotPermitted as exc:
            self.skipTest(str(exc))

    def test_loopback_answers(self):
        sample = asyncio.run(icmp.ping('127.0.0.1', 2.0))
        self.assertEqual(models.OUTCOME_OK, sample['outcome'], sample)
        self.assertGreaterEqual(sample['answered_at'], sample['sent_at'])

    def test_target_from_config_entry(self):
        target = dataplane.make_target('icmp:127.0.0.1', 2.0)
        self.assertIsInstance(target, dataplane.IcmpTarget)
        self.assertEqual('icmp:127.0.0.1', target.name)
        self.assertEqual(models.OUTCOME_OK,
                         asyncio.run(target.probe())['outcome'])
        self.assertIsInstance(dataplane.make_target('127.0.0.1:22', 1.0),
                              dataplane.TcpTarget)
        self.assertRaises(exceptions.UserError, dataplane.make_target,
                          'icmp:', 1.0)
