"""Persistent workloads: created before the upgrade, verified after it.

Public facade:

- :data:`KINDS` / :data:`BY_NAME`: the workload kinds;
- :func:`open_workload_set`: the current run's workloads as the
  configured workload account;
- :class:`CascadeStop`, :class:`WorkloadSet`.
"""

from upgrade_tempest_plugin.workloads.guard import CascadeStop  # noqa
from upgrade_tempest_plugin.workloads.kinds import BY_NAME  # noqa
from upgrade_tempest_plugin.workloads.kinds import KINDS  # noqa
from upgrade_tempest_plugin.workloads.runtime import open_workload_set  # noqa
from upgrade_tempest_plugin.workloads.workload_set import WorkloadSet  # noqa
