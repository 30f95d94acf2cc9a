"""Analysis: samples in the store -> downtime windows, availability,
latency percentiles and verdicts against the budgets.

:func:`upgrade_tempest_plugin.analysis.downtime.analyse_run` computes the
figures of a run; :func:`upgrade_tempest_plugin.analysis.budgets.judge`
turns them into pass/fail verdicts with the windows in their messages.
"""
