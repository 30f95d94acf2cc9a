"""Observers: background probes whose samples survive the test process.

- :mod:`.api` probes each service's read-only call (one loop per service),
- :mod:`.dataplane` connects to workload addresses over TCP,
- :mod:`.honour` issues real write requests and reconciles them later,
- :mod:`.sink` writes samples and heartbeats to the store,
- :mod:`.runner` is the detached process, :mod:`.lifecycle` starts,
  checks and stops it, :mod:`.fixture` does the same from a test.
"""
