"""Pre-upgrade validator that starts the observers in the background.

Run it before the upgrade; the observer process it starts outlives this
``tempest run`` and keeps probing every service while the cloud is
upgraded.  ``BudgetsPostUpgradeTest`` (test_budgets.py) stops it after the
upgrade and judges what it saw.  Starting is check-or-start: running this
again leaves a running observer alone (a dead one is restarted and
continues the same run).
"""

import time

from tempest import config
from tempest.lib import decorators

from upgrade_tempest_plugin import events
from upgrade_tempest_plugin.tests import base

CONF = config.CONF

#: Seconds to wait for the first samples of every observed service.
FIRST_SAMPLES_TIMEOUT = 60


class ObserversPreUpgradeTest(base.ValidatorTest):
    """Start the detached observers of the run (pre-upgrade phase)."""

    @decorators.idempotent_id('3ad4c62a-33a8-4a68-bb7f-5b98fd3e2346')
    def test_start_observers(self):
        # Imported when the test runs, not at discovery: the observers
        # import the store (SQLAlchemy, alembic), waits tenacity.
        from upgrade_tempest_plugin.common import waits
        from upgrade_tempest_plugin.observers import fixture as obs_fixture

        fixture = self.useFixture(obs_fixture.ObserverFixture(
            mode=obs_fixture.DETACHED))
        self.assertTrue(fixture.status['alive'], fixture.status)
        process_id = fixture.status['process']['id']
        store = fixture.store
        deadline = time.monotonic() + FIRST_SAMPLES_TIMEOUT

        def started_events():
            found = [e for e in store.list_events(fixture.run_id)
                     if e['source'] == events.OBSERVER and
                     e['action'] == 'start' and
                     (e['detail'] or {}).get('process_id') == process_id]
            if not found:
                self.assertTrue(fixture.current_status()['alive'],
                                'the observer process died; see its log '
                                'in %s' % fixture.state_dir)
            return found

        try:
            started = waits.until(started_events, FIRST_SAMPLES_TIMEOUT, 0.5)
        except waits.TimedOut:
            started = []
        if not started and not fixture.started:
            # An observer started by an earlier run of this test.
            started = [e for e in store.list_events(fixture.run_id)
                       if e['source'] == events.OBSERVER and
                       e['action'] == 'start']
        self.assertTrue(started, 'the observer did not start probing '
                        'within %d s' % FIRST_SAMPLES_TIMEOUT)
        detail = started[-1]['detail'] or {}
        services = detail.get('services') or []
        self.assertTrue(services, 'no service of the catalog to observe: '
                        '%s' % detail)

        def unsampled():
            seen = {t[1] for t in store.sample_targets(fixture.run_id)}
            return set(services) - seen

        try:
            missing = waits.until(unsampled, deadline - time.monotonic(),
                                  0.5, done=lambda left: not left)
        except waits.TimedOut as exc:
            missing = exc.last
        self.attach_json('observer', {
            'run_id': fixture.run_id, 'pid': fixture.status['pid'],
            'started_now': fixture.started, 'services': services,
            'not_in_catalog': detail.get('missing'),
            'dataplane_targets': detail.get('dataplane_targets'),
            'honour': detail.get('honour')})
        self.assertFalse(missing, 'no samples yet for %s' % sorted(missing))
