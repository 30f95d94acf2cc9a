"""What each service's public API reports, per release series.

The only release evidence a non-admin user can read is a service's version
document: the maximum microversion (Nova, Cinder, Placement), the highest
version id (Glance, Keystone).  This table maps that evidence to release
series.  Every number was read from the services' own published code, the
release wheels on PyPI (``pip download --no-deps <pkg>==<major>.*``, the
newest point release of each series), in the file named by ``source``:

- Nova: ``nova/api/openstack/api_version_request.py`` ``_MAX_API_VERSION``
  (its REST_API_VERSION_HISTORY docstring lists each step);
- Cinder: ``cinder/api/openstack/api_version_request.py``
  ``_MAX_API_VERSION``;
- Placement: ``placement/microversion.py`` ``VERSIONS`` (last entry);
- Glance: ``glance/api/versions.py`` (the ``CURRENT`` version object; from
  2023.1 to 2024.1 and again in 2026.2 it depends on ``image_cache_dir``,
  so a series may report one of two values);
- Keystone: ``keystone/version.py`` ``release_string()``;
- Swift: the ``/info`` document names the package version, and
  ``CHANGELOG`` names the series each minor version was released for.

The sandbox measured the same values on the running services (see
``doc/source/validators.rst``).  A package's major version maps to exactly
one series (``PACKAGE_MAJORS``), which is what decides a release when the
API cannot.
"""

import collections

#: Release series the table covers, oldest first.
SERIES = ('2023.1', '2023.2', '2024.1', '2024.2',
          '2025.1', '2025.2', '2026.1', '2026.2')

ServiceHistory = collections.namedtuple(
    'ServiceHistory',
    ['package', 'evidence', 'source', 'read_from', 'reports'])

# reports: {series: tuple of values the API may report in that series}.
HISTORY = {
    'compute': ServiceHistory(
        package='nova',
        evidence='max_microversion',
        source='nova/api/openstack/api_version_request.py _MAX_API_VERSION',
        read_from={'2023.1': '27.5.1', '2023.2': '28.3.1',
                   '2024.1': '29.4.0', '2024.2': '30.3.0',
                   '2025.1': '31.3.1', '2025.2': '32.2.1',
                   '2026.1': '33.0.2', '2026.2': '34.0.0'},
        reports={'2023.1': ('2.95',), '2023.2': ('2.95',),
                 '2024.1': ('2.96',), '2024.2': ('2.96',),
                 '2025.1': ('2.100',), '2025.2': ('2.100',),
                 '2026.1': ('2.103',), '2026.2': ('2.104',)}),
    'volume': ServiceHistory(
        package='cinder',
        evidence='max_microversion',
        source='cinder/api/openstack/api_version_request.py '
               '_MAX_API_VERSION',
        read_from={'2023.1': '22.3.0', '2023.2': '23.5.0',
                   '2024.1': '24.5.0', '2024.2': '25.3.1',
                   '2025.1': '26.3.0', '2025.2': '27.0.0',
                   '2026.1': '28.0.0', '2026.2': '29.0.0'},
        reports={'2023.1': ('3.70',), '2023.2': ('3.70',),
                 '2024.1': ('3.71',), '2024.2': ('3.71',),
                 '2025.1': ('3.71',), '2025.2': ('3.71',),
                 '2026.1': ('3.71',), '2026.2': ('3.71',)}),
    'placement': ServiceHistory(
        package='openstack-placement',
        evidence='max_microversion',
        source='placement/microversion.py VERSIONS',
        read_from={'2023.1': '9.0.0', '2023.2': '10.0.1',
                   '2024.1': '11.0.1', '2024.2': '12.0.2',
                   '2025.1': '13.0.1', '2025.2': '14.0.0',
                   '2026.1': '15.0.0', '2026.2': '16.0.0'},
        reports={s: ('1.39',) for s in SERIES}),
    'image': ServiceHistory(
        package='glance',
        evidence='max_version',
        source='glance/api/versions.py (CURRENT version object)',
        read_from={'2023.1': '26.1.0', '2023.2': '27.1.1',
                   '2024.1': '28.2.0', '2024.2': '29.2.1',
                   '2025.1': '30.2.0', '2025.2': '31.1.0',
                   '2026.1': '32.0.0', '2026.2': '33.0.0'},
        # (without image cache, with image cache) where they differ.
        reports={'2023.1': ('2.15', '2.16'), '2023.2': ('2.15', '2.16'),
                 '2024.1': ('2.15', '2.16'), '2024.2': ('2.17',),
                 '2025.1': ('2.17',), '2025.2': ('2.17',),
                 '2026.1': ('2.17',), '2026.2': ('2.17', '2.18')}),
    'object_storage': ServiceHistory(
        package='swift',
        evidence='max_version',
        source='swift/CHANGELOG (the "OpenStack <name>" release of each '
               'series); /info swift.version is the package version',
        read_from={'2023.1': '2.31.1', '2023.2': '2.32.0',
                   '2024.1': '2.33.1', '2024.2': '2.34.2',
                   '2025.1': '2.35.3', '2025.2': '2.36.2',
                   '2026.1': '2.37.2', '2026.2': '2.38.3'},
        reports={series: ('2.%d' % (31 + index),)
                 for index, series in enumerate(SERIES)}),
    'identity': ServiceHistory(
        package='keystone',
        evidence='max_version',
        source='keystone/version.py release_string()',
        read_from={'2023.1': '23.0.2', '2023.2': '24.1.0',
                   '2024.1': '25.0.0', '2024.2': '26.1.1',
                   '2025.1': '27.1.0', '2025.2': '28.1.0',
                   '2026.1': '29.1.0', '2026.2': '30.0.0'},
        reports={s: ('3.14',) for s in SERIES}),
}

#: Major version of each service's package in each series (one series per
#: major since 2023.1).  Decides a release when the API cannot.
PACKAGE_MAJORS = {
    'compute': ('nova', 27),
    'volume': ('cinder', 22),
    'placement': ('openstack-placement', 9),
    'image': ('glance', 26),
    'identity': ('keystone', 23),
    'network': ('neutron', 22),
}


#: Swift keeps major version 2 and releases one minor version per series.
PACKAGE_MINORS = {
    'object_storage': ('swift', (2, 31)),
}


def parse_version(text):
    """'2.104' / 'v2.104' -> (2, 104); None for anything else."""
    if not text:
        return None
    text = str(text).strip()
    if text[:1] in ('v', 'V'):
        text = text[1:]
    try:
        return tuple(int(p) for p in text.split('.'))
    except ValueError:
        return None


def candidates(service, value):
    """Series whose API may report ``value`` for ``service``, oldest first.

    Empty when the service is not in the table or no series reports the
    value.
    """
    history = HISTORY.get(service)
    wanted = parse_version(value)
    if history is None or wanted is None:
        return []
    return [series for series in SERIES
            if wanted in [parse_version(v) for v in history.reports[series]]]


def newest_known(service):
    """The highest value the table knows for ``service`` (or None)."""
    history = HISTORY.get(service)
    if history is None:
        return None
    values = [v for vals in history.reports.values() for v in vals]
    return max(values, key=parse_version)


def series_of_package(service, package_version):
    """Series of a package version by its major (or minor) version.

    None when the version belongs to no series of the table.
    """
    major = parse_version(package_version)
    if not major:
        return None
    if service in PACKAGE_MINORS:
        _, (first_major, first_minor) = PACKAGE_MINORS[service]
        if major[0] != first_major or len(major) < 2:
            return None
        index = major[1] - first_minor
        return SERIES[index] if 0 <= index < len(SERIES) else None
    if service not in PACKAGE_MAJORS:
        return None
    package, first_major = PACKAGE_MAJORS[service]
    index = major[0] - first_major
    if 0 <= index < len(SERIES):
        return SERIES[index]
    return None
