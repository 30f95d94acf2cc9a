"""Write the sandbox Swift's rings: one device, one replica per ring.

Run as ``<swift venv>/bin/python swift_rings.py < request.json`` with
``{"swift_dir": ..., "part_power": N, "device": NAME,
"rings": {"object": [ip, port], ...}}``.  A ring is written only when it
is missing or its device is not at the address asked for (a sandbox
imported with other ports), so a restart rewrites nothing.  One device
holds every partition, so a rebuilt ring places every object where the
old one did.  Prints the names of the rings written, as JSON.
"""

import json
import os
import sys

from swift.common.ring import builder as builder_mod
from swift.common.ring import ring as ring_mod


def current(path):
    """(ip, port, device) of each device of the ring at ``path``."""
    try:
        data = ring_mod.RingData.load(path)
    except (OSError, EOFError, ValueError):
        return None
    return [(d['ip'], d['port'], d['device']) for d in data.devs if d]


def write(path, part_power, ip, port, device):
    builder = builder_mod.RingBuilder(part_power, 1, 1)
    builder.add_dev({'region': 1, 'zone': 1, 'ip': ip, 'port': port,
                     'replication_ip': ip, 'replication_port': port,
                     'device': device, 'weight': 1.0})
    builder.rebalance()
    tmp = path + '.tmp'
    builder.get_ring().save(tmp)
    os.replace(tmp, path)


def main():
    req = json.load(sys.stdin)
    written = []
    for name, (ip, port) in sorted(req['rings'].items()):
        path = os.path.join(req['swift_dir'], '%s.ring.gz' % name)
        if current(path) != [(ip, port, req['device'])]:
            write(path, req['part_power'], ip, port, req['device'])
            written.append(name)
    json.dump(written, sys.stdout)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
