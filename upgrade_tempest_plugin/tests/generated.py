"""Validator tests generated per registered service profile (or kind).

A service profile plugged in through the ``upgrade_tempest_plugin.services``
entry-point group gets its release and budget validators without an edit to
the test modules, and a workload kind of the
``upgrade_tempest_plugin.workloads`` group its workload validators.
Discovery reads only the entry-point *names* (no profile or kind module is
imported, see ``test_discovery_imports``); whether the service is in the
cloud is decided when the test runs, by its ``skip_checks``.

Test ids stay stable: today's services keep the ids they were written with
(``known_ids``), and any other profile gets ``uuid5`` of its validator kind
and profile name, so the id of ``test_foo_release`` is the same on every
machine and in every release of the plugin.
"""

import importlib.metadata
import uuid

from tempest.lib import decorators

from upgrade_tempest_plugin.services import registry

#: Namespace of the uuid5 ids of generated validators.  Never change it:
#: every plugged-in service's test ids derive from it.
ID_NAMESPACE = uuid.UUID('6f1e3c0a-52a4-5d0e-9d55-0b7f5c1d2a8e')


def entry_point_names(group):
    """Sorted names of the entry points of ``group``, none imported."""
    return sorted({ep.name for ep in importlib.metadata.entry_points(
        group=group)})


def profile_names():
    """Sorted names of the installed service profiles, none imported."""
    return entry_point_names(registry.NAMESPACE)


def test_id(kind, name, known_ids=None):
    """The idempotent id of validator ``kind`` for profile ``name``."""
    if known_ids and name in known_ids:
        return known_ids[name]
    return str(uuid.uuid5(ID_NAMESPACE, '%s/%s' % (kind, name)))


def add_profile_tests(cls, kind, method_name, run, known_ids=None,
                      names=None, known_methods=None):
    """Add one test per service profile (or per one of ``names``) to ``cls``.

    ``method_name`` is a format with ``{name}`` (``'test_{name}_release'``);
    ``known_methods`` maps a name to the method name its test was written
    with when that is not ``method_name``'s; ``run(self, name)`` is the test
    body; ``kind`` names the validator in the uuid5 of a name without a
    known id.  A method the class already defines is left alone.
    """
    for name in names if names is not None else profile_names():
        attr = (known_methods or {}).get(name) or method_name.format(
            name=name)
        if attr in vars(cls):
            continue
        setattr(cls, attr, _make_test(attr, run, name,
                                      test_id(kind, name, known_ids)))
    return cls


def _make_test(attr, run, name, idempotent_id):
    def generated(self):
        return run(self, name)
    generated.__name__ = attr
    generated.__qualname__ = attr
    generated.__doc__ = '%s, generated for the %s entry point.' % (
        attr, name)
    return decorators.idempotent_id(idempotent_id)(generated)
