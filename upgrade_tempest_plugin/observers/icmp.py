"""ICMP echo ("ping") for the data-plane observer.

Linux lets a process ping through an unprivileged ICMP datagram socket
when its group is in ``net.ipv4.ping_group_range``, and through a raw
socket with root or CAP_NET_RAW.  :func:`open_socket` tries both, in that
order; when neither is permitted the observer is told at start, instead of
recording every probe as a failure.
"""

import asyncio
import itertools
import os
import socket
import struct
import time

from upgrade_tempest_plugin.observers import probe
from upgrade_tempest_plugin.store import models

ECHO_REQUEST = 8
ECHO_REPLY = 0
DEST_UNREACHABLE = 3
_sequence = itertools.count(1)


class NotPermitted(Exception):
    """Neither kind of ICMP socket may be opened by this process."""


def checksum(data):
    """The Internet checksum (RFC 1071) of ``data``."""
    if len(data) % 2:
        data += b'\0'
    total = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    total = (total >> 16) + (total & 0xffff)
    total += total >> 16
    return ~total & 0xffff


def echo_request(identifier, sequence, payload):
    header = struct.pack('!BBHHH', ECHO_REQUEST, 0, 0, identifier, sequence)
    csum = checksum(header + payload)
    return struct.pack('!BBHHH', ECHO_REQUEST, 0, csum, identifier,
                       sequence) + payload


def open_socket():
    """(socket, raw) for ICMP echo; NotPermitted when none may be opened."""
    errors = []
    for kind, raw in ((socket.SOCK_DGRAM, False), (socket.SOCK_RAW, True)):
        try:
            return socket.socket(socket.AF_INET, kind,
                                 socket.IPPROTO_ICMP), raw
        except PermissionError as exc:
            errors.append(str(exc))
    raise NotPermitted('ICMP sockets not permitted: %s' % '; '.join(errors))


def _icmp_of(packet, raw):
    """The ICMP part of a received packet (raw sockets include IPv4)."""
    if raw:
        header_len = (packet[0] & 0x0f) * 4
        return packet[header_len:]
    return packet


def _matches(icmp, identifier, sequence, raw):
    """Whether ``icmp`` answers our request (reply or unreachable)."""
    if len(icmp) < 8:
        return None
    kind = icmp[0]
    if kind == ECHO_REPLY:
        ident, seq = struct.unpack('!HH', icmp[4:8])
        # The kernel rewrites the id of datagram ICMP sockets.
        if seq == sequence and (ident == identifier or not raw):
            return kind
    elif kind == DEST_UNREACHABLE and len(icmp) >= 36:
        # The quoted original datagram: IPv4 header then our ICMP header.
        inner = icmp[8:]
        inner = inner[(inner[0] & 0x0f) * 4:]
        if len(inner) >= 8:
            ident, seq = struct.unpack('!HH', inner[4:8])
            if seq == sequence and (ident == identifier or not raw):
                return kind
    return None


async def ping(host, timeout):
    """One echo request to ``host``; a sample dict, never raises."""
    loop = asyncio.get_running_loop()
    sent = time.time()
    sequence = next(_sequence) & 0xffff
    identifier = os.getpid() & 0xffff
    try:
        sock, raw = open_socket()
    except NotPermitted as exc:
        return probe.unanswered(sent, models.OUTCOME_ERROR, str(exc))
    try:
        sock.setblocking(False)
        sock.sendto(echo_request(identifier, sequence, b'upgrade-tempest'),
                    (host, 0))
        deadline = loop.time() + timeout
        while True:
            try:
                packet = await asyncio.wait_for(
                    loop.sock_recv(sock, 2048),
                    max(0.0, deadline - loop.time()))
            except asyncio.TimeoutError:
                return probe.unanswered(sent, models.OUTCOME_TIMEOUT,
                                        'no echo reply')
            kind = _matches(_icmp_of(packet, raw), identifier, sequence, raw)
            if kind is None:
                continue
            if kind == ECHO_REPLY:
                return probe.answered(sent)
            return probe.unanswered(sent, models.OUTCOME_REFUSED,
                                    'destination unreachable')
    except OSError as exc:
        return probe.unanswered(sent, models.OUTCOME_ERROR, str(exc))
    finally:
        sock.close()
