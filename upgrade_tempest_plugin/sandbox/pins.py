"""Release series -> package versions of every sandbox service.

The table is checked offline against recorded PyPI data by a unit test;
``tools/refresh_release_table.py`` refreshes that data and reports drift.
"""

from upgrade_tempest_plugin import exceptions

# The order operators upgrade in: identity first (everybody authenticates
# against it), then placement (nova-scheduler/compute report to it), then
# the services nova consumes (image, block storage, network), nova, and
# Swift (object storage) last: it needs only identity and nothing in the
# sandbox needs it.
SERVICES = ('keystone', 'placement', 'glance', 'cinder', 'neutron', 'nova',
            'swift')

PACKAGES = {
    'keystone': 'keystone',
    'placement': 'openstack-placement',
    'glance': 'glance',
    'cinder': 'cinder',
    'neutron': 'neutron',
    'nova': 'nova',
    'swift': 'swift',
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
    'swift': (),
}

# Latest release of each series on PyPI (see the recorded data in
# unit_tests/sandbox/data/pypi_versions.json).  Swift names a series by its
# minor version (2.37 is 2026.1, see services/releases.py).
RELEASES = {
    '2025.1': {
        'keystone': '27.1.0',
        'placement': '13.0.1',
        'glance': '30.2.0',
        'cinder': '26.3.0',
        'neutron': '26.0.6',
        'nova': '31.3.1',
        'swift': '2.35.5',
    },
    '2025.2': {
        'keystone': '28.1.0',
        'placement': '14.0.0',
        'glance': '31.1.0',
        'cinder': '27.0.0',
        'neutron': '27.0.4',
        'nova': '32.2.1',
        'swift': '2.36.4',
    },
    '2026.1': {
        'keystone': '29.1.0',
        'placement': '15.0.0',
        'glance': '32.0.0',
        'cinder': '28.0.0',
        'neutron': '28.0.2',
        'nova': '33.0.2',
        'swift': '2.37.4',
    },
    '2026.2': {
        'keystone': '30.0.0',
        'placement': '16.0.0',
        'glance': '33.0.0',
        'cinder': '29.0.0',
        'neutron': '29.0.0',
        'nova': '34.0.0',
        'swift': '2.38.3',
    },
}
#: How many leading parts of a service's version name its series: the
#: major for most services, major.minor for Swift (always 2.x).
SERIES_PARTS = {'swift': 2}


def series_key(service, version):
    """The part of ``service``'s ``version`` that names its series."""
    return tuple(int(p) for p in version.split('.')[
        :SERIES_PARTS.get(service, 1)])


# pip constraints per series: PyPI has no upper-constraints, and the newest
# libraries break older services.  Measured breaks: 2026.2 came with
# oslo.policy 6 (no [oslo_policy] enforce_scope: placement 15 fails) and
# neutron-lib 4/5 (no fip64: neutron 28 cannot load its router plugin);
# 2025.x services also need the oslo.db that still has EngineFacade (glance
# 30), the oslo.utils that still has secretutils.md5 (cinder 26) and the
# neutron-lib that still has ACCESS_READONLY (neutron 26).  The 2025.x bounds
# follow the libraries' releases of those cycles.
_PINS_2026_1 = ('oslo.policy<6', 'neutron-lib<4')
_PINS_2025_2 = ('oslo.policy<4.7', 'neutron-lib<3.22', 'oslo.db<17.5',
                'SQLAlchemy<2.1', 'oslo.utils<9.2', 'oslo.messaging<17.2',
                'oslo.service<4.4', 'oslo.log<7.3', 'oslo.config<10.1',
                'oslo.concurrency<7.3', 'eventlet<0.41')
_PINS_2025_1 = ('oslo.policy<4.6', 'neutron-lib<3.19', 'oslo.db<17.3',
                'SQLAlchemy<2.1', 'oslo.utils<9', 'oslo.messaging<17',
                'oslo.service<4.2', 'oslo.log<7.2', 'oslo.config<9.8',
                'oslo.concurrency<7.2', 'eventlet<0.40')
PINS = {
    '2025.1': _PINS_2025_1,
    '2025.2': _PINS_2025_2,
    '2026.1': _PINS_2026_1,
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


def upgrade_supported(old, new):
    """Is ``old`` -> ``new`` an upgrade path the services support?

    One series at a time, or a skip-level upgrade between SLURP releases
    (YYYY.1 -> YYYY+1.1).  nova enforces it: nova 34 (2026.2) refuses to
    start while a 2025.2 compute service is recorded.
    """
    known = series_list()
    if known.index(new) - known.index(old) <= 1:
        return True
    year, part = old.split('.')
    return part == '1' and new == '%d.1' % (int(year) + 1)


def version(series, service):
    return RELEASES[check_series(series)][service]
