"""Upgrade campaigns: a plan validated offline, run step by step through a
deployment-tool driver, with checks between steps, a backup before and a
rollback in reverse order (doc/source/campaign.rst).

:mod:`.plan` loads and checks a plan, :mod:`.runner` runs it,
:mod:`.rollback` undoes it, :mod:`.drivers` talk to the deployment tools.
"""

#: Where a campaign keeps its files: ``<state_dir>/CAMPAIGNS_DIR/<run>/``.
CAMPAIGNS_DIR = 'campaigns'
