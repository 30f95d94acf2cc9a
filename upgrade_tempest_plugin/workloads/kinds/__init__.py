"""The workload kinds, one module per service, found by entry point.

Every kind is registered in the ``upgrade_tempest_plugin.workloads``
entry-point group under its name, so a third-party service profile ships
its own kinds the way it ships its profile::

    [entry_points]
    upgrade_tempest_plugin.workloads =
        dns_zone = my_package.dns_workloads:DnsZone

The workload validators get one test per registered name in each phase
(``tests/scenario/test_workloads.py``).  Importing this package imports no
kind: :func:`load` does, when a test or a command needs them.
"""

import logging

from stevedore import extension

LOG = logging.getLogger(__name__)

NAMESPACE = 'upgrade_tempest_plugin.workloads'


def load():
    """{name: kind instance} of every installed workload kind, by name.

    A kind that fails to load, or whose ``name`` is not its entry-point
    name (ledger names derive from it), is left out with a warning rather
    than breaking the other kinds.
    """
    manager = extension.ExtensionManager(
        namespace=NAMESPACE, invoke_on_load=True,
        on_load_failure_callback=None)
    kinds = {}
    for ext in sorted(manager, key=lambda e: e.name):
        if ext.obj.name != ext.name:
            LOG.warning('workload kind %s is registered as %s; left out',
                        ext.obj.name, ext.name)
            continue
        kinds[ext.name] = ext.obj
    return kinds


def resource_types(loaded):
    """{name: ResourceType} the ``loaded`` kinds bring (see Kind)."""
    found = {}
    for kind in loaded.values():
        found.update(kind.resource_types)
    return found
