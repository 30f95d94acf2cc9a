"""Release series -> package versions of every sandbox service.

The table is checked offline against recorded PyPI data by a unit test;
``tools/refresh_release_table.py`` refreshes that data and reports drift.
"""

from upgrade_tempest_plugin import exceptions

# The order operators upgrade in: identity first (everybody authenticates
# against it), then placement (nova-scheduler/compute report to it), then
# the services nova consumes (image, block storage, network), nova last.
SERVICES = ('keystone', 'placement', 'glance', 'cinder', 'neutron', 'nova')

PACKAGES = {
    'keystone': 'keystone',
    'placement': 'openstack-placement',
    'glance': 'glance',
    'cinder': 'cinder',
    'neutron': 'neutron',
    'nova': 'nova',
}

# Services a service cannot work without (besides keystone, which every
# service needs and which is always deployed).
REQUIRES = {
    'keystone': (),
    'placement': (),
    'glance': (),
    'cinder': ('glance',),
    'neutron': (),
    'nova': ('placement', 'glance', 'neutron'),
}

# Latest release of each series on PyPI (see the recorded data in
# unit_tests/sandbox/data/pypi_versions.json).
RELEASES = {
    '2025.1': {
        'keystone': '27.1.0',
        'placement': '13.0.1',
        'glance': '30.2.0',
        'cinder': '26.3.0',
        'neutron': '26.0.6',
        'nova': '31.3.1',
    },
    '2025.2': {
        'keystone': '28.1.0',
        'placement': '14.0.0',
        'glance': '31.1.0',
        'cinder': '27.0.0',
        'neutron': '27.0.4',
        'nova': '32.2.1',
    },
    '2026.1': {
        'keystone': '29.1.0',
        'placement': '15.0.0',
        'glance': '32.0.0',
        'cinder': '28.0.0',
        'neutron': '28.0.2',
        'nova': '33.0.2',
    },
    '2026.2': {
        'keystone': '30.0.0',
        'placement': '16.0.0',
        'glance': '33.0.0',
        'cinder': '29.0.0',
        'neutron': '29.0.0',
        'nova': '34.0.0',
    },
}

# pip constraints per series where the newest libraries break an older
# release (PyPI has no upper-constraints; these are the breaks met).
# 2026.2 came with oslo.policy 6 (no [oslo_policy] enforce_scope: placement
# 15 fails to boot) and neutron-lib 4/5 (no fip64: neutron 28 cannot load
# the router plugin).
PINS = {
    '2025.1': ('oslo.policy<6', 'neutron-lib<4'),
    '2025.2': ('oslo.policy<6', 'neutron-lib<4'),
    '2026.1': ('oslo.policy<6', 'neutron-lib<4'),
    '2026.2': (),
}

# Client side tools, one venv for every series: Tempest and the SDK talk to
# every release through versioned APIs.
TOOLS = {
    'tempest': '47.0.0',
    'python-openstackclient': '10.5.0',
    'openstacksdk': '4.22.0',
}


def series_list():
    """Known series, oldest first."""
    return sorted(RELEASES)


def check_series(series):
    """Return ``series`` or raise UserError naming the known ones."""
    if series not in RELEASES:
        raise exceptions.UserError(
            'unknown release %r (known: %s)' % (
                series, ', '.join(series_list())))
    return series


def check_services(names):
    """Return the services to deploy for ``names``, in upgrade order.

    Adds keystone and every required service; raises UserError for an
    unknown name.
    """
    unknown = [n for n in names if n not in SERVICES]
    if unknown:
        raise exceptions.UserError(
            'unknown service %s (known: %s)' % (
                ', '.join(unknown), ', '.join(SERVICES)))
    wanted = set()
    todo = ['keystone'] + (list(names) or list(SERVICES))
    while todo:
        name = todo.pop()
        if name not in wanted:
            wanted.add(name)
            todo.extend(REQUIRES[name])
    return [s for s in SERVICES if s in wanted]


def version(series, service):
    return RELEASES[check_series(series)][service]


def series_of(service, package_version):
    """The series whose table lists ``package_version`` of ``service``."""
    for series, versions in RELEASES.items():
        if versions[service] == package_version:
            return series
    return None
