"""What every package of the plugin shares: process supervision, waits.

The sandbox, the observers, and the coming queue worker and campaign runner
start, recognise and stop their detached processes with :mod:`.procs`, and
wait for a condition with :mod:`.waits`; none has its own copy.
"""
