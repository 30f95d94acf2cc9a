#!/usr/bin/env python3
"""What the plugin adds to Tempest's test discovery (prints figures).

Every ``tempest run`` (``--list-tests`` included, whatever the regex)
loads the installed plugins and imports every test module of their test
directories.  This script measures what upgrade-tempest-plugin adds to
that, in fresh child processes, ``--runs`` times (default 7):

* baseline: the child imports what Tempest's discovery imports anyway
  (``tempest.test_discover.plugins``, ``tempest.test``, ``tempest.config``,
  ``tempest.lib.decorators``) and reports its peak RSS;
* plugin: the same, then does what Tempest does with the plugin: imports
  ``upgrade_tempest_plugin.plugin``, calls ``load_tests()`` and
  ``register_opts()`` and discovers the returned test directory with
  ``unittest``'s loader (which imports every test module), timing that
  part, and reports its peak RSS.

It prints the median seconds the plugin part took, the median peak-RSS
difference in MiB, the number of tests found and whether SQLAlchemy or
alembic or tenacity were imported.  Target: under 0.1 s and 10 MiB.

Usage::

    python benchmarks/discovery_bench.py [--runs 7]
"""

import argparse
import json
import statistics
import subprocess
import sys

CHILD = r'''
import json, resource, sys, time
import tempest.config  # noqa
import tempest.lib.decorators  # noqa
import tempest.test  # noqa
import tempest.test_discover.plugins  # noqa
result = {}
if sys.argv[1] == 'plugin':
    start = time.perf_counter()
    import unittest
    from oslo_config import cfg
    from upgrade_tempest_plugin import plugin
    p = plugin.UpgradeTempestPlugin()
    test_dir, top = p.load_tests()
    p.register_opts(cfg.ConfigOpts())
    suite = unittest.TestLoader().discover(test_dir, top_level_dir=top)
    result['seconds'] = time.perf_counter() - start
    result['tests'] = suite.countTestCases()
result['maxrss_kib'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
result['heavy'] = sorted(m for m in ('sqlalchemy', 'alembic', 'tenacity')
                         if m in sys.modules)
print(json.dumps(result))
'''


def child(mode):
    out = subprocess.run([sys.executable, '-c', CHILD, mode],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--runs', type=int, default=7)
    args = parser.parse_args()
    seconds, rss, tests, heavy = [], [], set(), set()
    for _ in range(args.runs):
        base = child('base')
        plug = child('plugin')
        seconds.append(plug['seconds'])
        rss.append((plug['maxrss_kib'] - base['maxrss_kib']) / 1024.0)
        tests.add(plug['tests'])
        heavy.update(plug['heavy'])
    print('runs: %d' % args.runs)
    print('tests discovered: %s' % ', '.join(str(t) for t in sorted(tests)))
    print('plugin discovery time: median %.3f s (min %.3f, max %.3f)'
          % (statistics.median(seconds), min(seconds), max(seconds)))
    print('peak RSS over plain Tempest: median %.1f MiB (min %.1f, '
          'max %.1f)' % (statistics.median(rss), min(rss), max(rss)))
    print('heavy modules imported at discovery: %s'
          % (', '.join(sorted(heavy)) or 'none'))


if __name__ == '__main__':
    main()
