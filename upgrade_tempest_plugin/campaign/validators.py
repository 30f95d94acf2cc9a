"""The validators a plan's checks may name: listed, not guessed.

``campaign validate`` checks that every ``validators`` regex of a plan
selects at least one test of the plugin, the way ``tempest run --regex``
will select them.  The tests are listed by importing the plugin's test
modules (what Tempest's discovery imports) with unittest's loader.
"""

import importlib
import pkgutil
import re
import unittest


def _ids(suite):
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            yield from _ids(item)
        else:
            yield item.id()


def list_ids():
    """Every validator id of the plugin, sorted."""
    from upgrade_tempest_plugin import tests
    loader = unittest.TestLoader()
    ids = set()
    for info in pkgutil.walk_packages(tests.__path__,
                                      tests.__name__ + '.'):
        module = importlib.import_module(info.name)
        ids.update(_ids(loader.loadTestsFromModule(module)))
    return sorted(ids)


def matching(regex, ids):
    """The ids ``regex`` selects (``re.search``, as stestr's filter)."""
    pattern = re.compile(regex)
    return [i for i in ids if pattern.search(i)]
