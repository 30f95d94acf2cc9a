"""The store: runs, events, observer processes, samples and gaps, honour
requests, the ledger of the resources the workloads created, and test
results.

:mod:`upgrade_tempest_plugin.store.api` is the only way to read and write
it (its ``Store`` is a facade over one module per kind of record); the
tables are in :mod:`upgrade_tempest_plugin.store.models` and the schema is
created and upgraded by the alembic migrations shipped in
``store/migrations`` (run by :mod:`upgrade_tempest_plugin.store.engine`).
"""
