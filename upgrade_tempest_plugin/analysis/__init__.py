"""Analysis: samples in the store -> downtime windows, availability,
latency percentiles and verdicts against the budgets.

:func:`upgrade_tempest_plugin.analysis.run_analysis.build` is the one
pipeline (events imported, honour ledger reconciled, run analysed, budgets
judged) and returns the documented structure every view renders;
:func:`upgrade_tempest_plugin.analysis.downtime.analyse_run` computes the
figures of a run; :func:`upgrade_tempest_plugin.analysis.budgets.judge`
turns them into pass/fail verdicts with the windows in their messages.
"""
