"""The store: runs, events, samples, heartbeats, the honour ledger,
workloads and test results.

:mod:`upgrade_tempest_plugin.store.api` is the only way to read and write
it; the tables are in :mod:`upgrade_tempest_plugin.store.models` and the
schema is created and upgraded by the alembic migrations shipped in
``store/migrations``.
"""
