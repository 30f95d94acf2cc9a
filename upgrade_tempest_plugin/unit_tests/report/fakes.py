"""Subunit streams and stores the report tests share."""

import datetime
import io

import fixtures
import subunit

from upgrade_tempest_plugin.store import api as store_api

T0 = 1_800_000_000.0


def at(seconds):
    """``T0 + seconds`` as the aware datetime subunit carries."""
    return datetime.datetime.fromtimestamp(T0 + seconds,
                                           datetime.timezone.utc)


def subunit_stream(tests):
    """A subunit v2 stream of ``[(test_id, status, start, stop, detail)]``.

    ``start``/``stop`` are seconds after :data:`T0`; ``detail`` becomes the
    ``traceback`` (or, for a skip, the ``reason``) attachment.
    """
    out = io.BytesIO()
    result = subunit.StreamResultToBytes(out)
    for test_id, status, start, stop, detail in tests:
        result.status(test_id=test_id, test_status='inprogress',
                      timestamp=at(start))
        if detail:
            name = 'reason' if status == 'skip' else 'traceback'
            result.status(test_id=test_id, file_name=name,
                          file_bytes=detail.encode(), eof=True,
                          mime_type='text/plain; charset=utf8',
                          timestamp=at(stop))
        result.status(test_id=test_id, test_status=status,
                      timestamp=at(stop))
    return out.getvalue()


def memory_store(test):
    """A store in a SQLite file of ``test``'s temporary directory."""
    path = test.useFixture(fixtures.TempDir()).path
    store = store_api.open_store('sqlite:///%s/store.db' % path)
    test.addCleanup(store.close)
    return store
