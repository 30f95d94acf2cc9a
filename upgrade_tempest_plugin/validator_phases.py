"""The validators of each phase of an upgrade, as ``tempest run`` regexes.

Standard library only: the queue's stand-alone worker reads it to run a
payload that names a phase.
"""

#: ``tempest run --regex`` of the validators of each phase.
PHASES = {
    'pre-upgrade': r'^upgrade_tempest_plugin\..*(PreUpgrade|Health)',
    'post-upgrade': r'^upgrade_tempest_plugin\..*(PostUpgrade|Health)',
    'destroy': r'^upgrade_tempest_plugin\..*Destroy',
}
