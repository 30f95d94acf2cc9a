"""A run's store rows as JSON lines, and back into any store.

Export reads every table of the store's models that has a run column
(``runs`` by its id, the others by ``run_id``) for one run: one JSON file
per table, one row a line, in id order.  Import writes them into any
store (SQLite, PostgreSQL, MariaDB: the rows are plain JSON values, times
are floats), under the same or a new run id, in one transaction.

Row ids are kept when none of them is taken in the target table (a store
on another machine), so the imported run reads exactly like the original;
otherwise the database gives new ids and the references to
``observer_processes.id`` (``process_id`` of samples, gaps and honour
requests) follow them.
"""

import json
import os

import sqlalchemy as sa

from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin.store import models

#: Tables in insert order (a referenced table before those that refer).
TABLES = ('runs', 'events', 'observer_processes', 'samples', 'gaps',
          'honour_requests', 'ledger', 'test_results', 'campaigns',
          'campaign_items')
#: Tables with a run column that are live state, not the run's record: a
#: campaign's lock on its cloud means nothing on another machine.
NOT_EXPORTED = ('campaign_locks',)
#: Columns that hold an ``observer_processes.id``.
PROCESS_REFS = {'samples', 'gaps', 'honour_requests'}


def _table(name):
    return models.metadata.tables[name]


def _run_column(table):
    return table.c.id if table.name == 'runs' else table.c.run_id


def export(store, run_id, directory):
    """Write ``<table>.jsonl`` files for ``run_id``; {table: row count}."""
    if store.get_run(run_id) is None:
        raise exceptions.UserError('no run %s in the store %s'
                                   % (run_id, store.url))
    os.makedirs(directory, exist_ok=True)
    counts = {}
    with store.engine.connect() as conn:
        for name in TABLES:
            table = _table(name)
            query = sa.select(table).where(
                _run_column(table) == run_id).order_by(
                    *table.primary_key.columns)
            count = 0
            with open(os.path.join(directory, name + '.jsonl'), 'w') as f:
                for row in conn.execute(query):
                    f.write(json.dumps(dict(row._mapping), sort_keys=True))
                    f.write('\n')
                    count += 1
            counts[name] = count
    return counts


def read(directory):
    """{table: [row dicts]} of an exported run; a UserError if unreadable."""
    rows = {}
    for name in TABLES:
        path = os.path.join(directory, name + '.jsonl')
        rows[name] = []
        try:
            with open(path) as f:
                for number, line in enumerate(f, 1):
                    try:
                        row = json.loads(line)
                    except ValueError:
                        raise exceptions.UserError(
                            '%s.jsonl line %d is not JSON' % (name, number))
                    rows[name].append(_check_row(name, row, number))
        except FileNotFoundError:
            raise exceptions.UserError('the bundle has no %s.jsonl' % name)
    if len(rows['runs']) != 1:
        raise exceptions.UserError('the bundle holds %d runs, not one'
                                   % len(rows['runs']))
    return rows


def _check_row(name, row, number):
    columns = set(_table(name).c.keys())
    if not isinstance(row, dict) or not set(row) <= columns:
        raise exceptions.UserError(
            '%s.jsonl line %d has columns this store does not know: %s'
            % (name, number, ', '.join(sorted(set(row or ()) - columns))
               if isinstance(row, dict) else 'not an object'))
    return row


def run_id_of(rows):
    return rows['runs'][0]['id']


def load(store, rows, new_id=None):
    """Insert ``rows`` (from :func:`read`) under ``new_id`` or their own.

    A run id already in the store is a UserError; nothing is written then.
    Returns the run id the rows now have.
    """
    run_id = new_id or run_id_of(rows)
    if store.get_run(run_id) is not None:
        raise exceptions.UserError(
            'run %s is already in the store %s; give --as NEW_ID'
            % (run_id, store.url))
    with store.engine.begin() as conn:
        process_ids = {}
        for name in TABLES:
            table = _table(name)
            keep_ids = name == 'runs' or not _ids_taken(conn, table,
                                                        rows[name])
            for row in rows[name]:
                values = dict(row)
                if name == 'runs':
                    values['id'] = run_id
                else:
                    values['run_id'] = run_id
                    old = values.pop('id', None)
                    if keep_ids and 'id' in table.c:
                        values['id'] = old
                if name in PROCESS_REFS and values.get('process_id'):
                    values['process_id'] = process_ids.get(
                        values['process_id'], values['process_id'])
                result = conn.execute(table.insert().values(**values))
                if name == 'observer_processes':
                    process_ids[row['id']] = (
                        values['id'] if keep_ids
                        else result.inserted_primary_key[0])
            if keep_ids and 'id' in table.c and name != 'runs' and \
                    rows[name]:
                _advance_sequence(conn, table)
    return run_id


def _advance_sequence(conn, table):
    """After ids were given: PostgreSQL's sequence must pass them.

    SQLite and MariaDB continue after the largest id by themselves.
    """
    if conn.dialect.name == 'postgresql':
        conn.execute(sa.text(
            "SELECT setval(pg_get_serial_sequence(:t, 'id'), "
            "(SELECT max(id) FROM %s))" % table.name), {'t': table.name})


def _ids_taken(conn, table, rows):
    ids = [r['id'] for r in rows if r.get('id') is not None]
    if not ids:
        return False
    taken = conn.execute(sa.select(sa.func.count()).select_from(
        table).where(table.c.id.in_(ids))).scalar()
    return bool(taken)
