"""Alembic environment of the store.

The store's API runs the migrations itself (see
:func:`upgrade_tempest_plugin.store.engine.upgrade_schema`) on a connection it
passes in ``config.attributes['connection']``; no alembic.ini is needed.
"""

from alembic import context
import sqlalchemy as sa

from upgrade_tempest_plugin.store import models

config = context.config


def run_migrations_online():
    connection = config.attributes.get('connection')
    if connection is None:
        engine = sa.create_engine(config.get_main_option('sqlalchemy.url'))
        with engine.begin() as connection:
            _run(connection)
        engine.dispose()
    else:
        _run(connection)


def _run(connection):
    context.configure(connection=connection,
                      target_metadata=models.metadata,
                      render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError('the store migrations run online only')
run_migrations_online()
