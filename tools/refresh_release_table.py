#!/usr/bin/env python3
"""Check the sandbox's release table against PyPI; refresh recorded data.

    tools/refresh_release_table.py            # report drift, exit 1 if any
    tools/refresh_release_table.py --write    # also rewrite the recorded data

The recorded data (upgrade_tempest_plugin/unit_tests/sandbox/data/
pypi_versions.json) lets a unit test check the table offline.  A series'
version of a package must be the newest release of its major on PyPI.
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
import urllib.request

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, TOP)

from upgrade_tempest_plugin.sandbox import pins  # noqa: E402

DATA = os.path.join(TOP, 'upgrade_tempest_plugin', 'unit_tests', 'sandbox',
                    'data', 'pypi_versions.json')


def _key(version):
    return tuple(int(p) if p.isdigit() else -1 for p in version.split('.'))


def released_versions(package):
    """Final (non pre-release) versions of ``package`` on PyPI."""
    try:
        url = 'https://pypi.org/pypi/%s/json' % package
        with urllib.request.urlopen(url, timeout=30) as resp:
            data = json.load(resp)
        versions = [v for v, files in data['releases'].items()
                    if files and not any(f.get('yanked') for f in files)]
    except OSError:
        # no direct access to pypi.org: ask pip (it knows the mirrors)
        out = subprocess.run(
            [sys.executable, '-m', 'pip', 'index', 'versions', package],
            stdout=subprocess.PIPE, text=True, check=True).stdout
        line = [x for x in out.splitlines()
                if x.startswith('Available versions:')][0]
        versions = line.split(':', 1)[1].replace(' ', '').split(',')
    return sorted((v for v in versions
                   if all(p.isdigit() for p in v.split('.'))), key=_key)


def drift(table, recorded):
    """Problems of ``table`` against ``recorded`` {package: [versions]}."""
    problems = []
    for series in sorted(table):
        for service, version in sorted(table[series].items()):
            package = pins.PACKAGES[service]
            known = recorded.get(package, [])
            if version not in known:
                problems.append('%s %s: %s %s is not on PyPI'
                                % (series, service, package, version))
                continue
            series_key = pins.series_key(service, version)
            newest = [v for v in known
                      if pins.series_key(service, v) == series_key][-1]
            if newest != version:
                problems.append('%s %s: %s %s, newest of its series is %s'
                                % (series, service, package, version,
                                   newest))
    for package, version in sorted(pins.TOOLS.items()):
        if version not in recorded.get(package, []):
            problems.append('tool %s %s is not on PyPI' % (package, version))
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--write', action='store_true',
                        help='rewrite %s' % os.path.relpath(DATA, TOP))
    args = parser.parse_args()
    packages = sorted(set(pins.PACKAGES.values()) | set(pins.TOOLS))
    recorded = {p: released_versions(p) for p in packages}
    problems = drift(pins.RELEASES, recorded)
    for problem in problems:
        print(problem)
    newest = {pins.PACKAGES[s]: recorded[pins.PACKAGES[s]][-1]
              for s in pins.SERVICES}
    latest = pins.RELEASES[pins.series_list()[-1]]
    for service in pins.SERVICES:
        package = pins.PACKAGES[service]
        if newest[package] != latest[service]:
            print('newer than the newest series: %s %s'
                  % (package, newest[package]))
    if args.write:
        lines = ['{',
                 ' "recorded": %s,' % json.dumps(
                     datetime.date.today().isoformat()),
                 ' "source": "https://pypi.org/pypi/<package>/json",',
                 ' "versions": {']
        lines += ['  %s: %s%s' % (json.dumps(p), json.dumps(recorded[p]),
                                  ',' if i < len(packages) - 1 else '')
                  for i, p in enumerate(packages)]
        lines += [' }', '}']
        with open(DATA, 'w') as f:
            f.write('\n'.join(lines) + '\n')
        print('wrote %s' % DATA)
    if not problems:
        print('release table matches PyPI')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
