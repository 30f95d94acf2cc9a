"""Persistent workloads: created before the upgrade, verified after it.

Public facade:

- :func:`load_kinds`: the installed workload kinds (one module per service
  under :mod:`upgrade_tempest_plugin.workloads.kinds`, found through the
  ``upgrade_tempest_plugin.workloads`` entry points);
- :func:`open_workload_set`: the current run's workloads as the
  configured workload account;
- :class:`CascadeStop`, :class:`WorkloadSet` (what a kind is given: its
  ``ensure_*`` methods create the resources kinds share).
"""

from upgrade_tempest_plugin.workloads.guard import CascadeStop  # noqa
from upgrade_tempest_plugin.workloads.kinds import load as load_kinds  # noqa
from upgrade_tempest_plugin.workloads.runtime import open_workload_set  # noqa
from upgrade_tempest_plugin.workloads.workload_set import WorkloadSet  # noqa
