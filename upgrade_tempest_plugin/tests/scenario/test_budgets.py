"""Post-upgrade validators: stop the observers and judge what they saw.

The class stops the run's detached observer (started by
``ObserversPreUpgradeTest`` before the upgrade), reconciles the honour
ledger, analyses the samples in the store, and has one test per service
and budget (``[upgrade_budgets]``).  A failure message carries the
measured figure, the budget and the downtime windows with the upgrade step
each happened in.  Select one service with e.g. ``--regex
'BudgetsPostUpgradeTest.*compute'``.
"""

from tempest import config
from tempest.lib import decorators

from upgrade_tempest_plugin.analysis import budgets
from upgrade_tempest_plugin import run_context
from upgrade_tempest_plugin.tests import base

CONF = config.CONF


class BudgetsPostUpgradeTest(base.ValidatorTest):
    """Downtime, availability, latency, data plane and honoured requests."""

    @classmethod
    def resource_setup(cls):
        # The observers, the store (SQLAlchemy, alembic) and the analysis
        # are imported here, when the class runs, not when ``tempest run``
        # discovers the module: discovery must stay cheap for every run.
        from upgrade_tempest_plugin.analysis import downtime
        from upgrade_tempest_plugin.observers import fixture as obs_fixture
        from upgrade_tempest_plugin.observers import honour
        from upgrade_tempest_plugin.observers import settings as obs_settings
        from upgrade_tempest_plugin.store import api as store_api

        super().resource_setup()
        cls.run_id = run_context.run_id(CONF.upgrade)
        fixture = obs_fixture.ObserverFixture(mode=obs_fixture.DETACHED)
        cls.stop_result = fixture.stop()
        cls.store = store_api.open_store(run_context.store_url(CONF.upgrade))
        cls.addClassResourceCleanup(cls.store.close)
        cls.events_error = None
        events_file = CONF.upgrade_budgets.events_file
        if events_file:
            processes = cls.store.list_processes(cls.run_id)
            try:
                cls.store.import_events_jsonl(
                    cls.run_id, events_file,
                    since=min([p['started_at'] for p in processes] or
                              [None]))
            except OSError as exc:
                cls.events_error = '%s: %s' % (events_file, exc)
        cls.honour_error = None
        try:
            honour.reconcile_run(cls.store,
                                 obs_settings.from_tempest_conf(CONF),
                                 cls.run_id)
        except Exception as exc:
            cls.honour_error = '%s: %s' % (type(exc).__name__, exc)
        cls.analysis = downtime.analyse_run(
            cls.store, cls.run_id,
            baseline_seconds=CONF.upgrade_budgets.baseline_seconds)

    def _figures(self, service):
        profile = base.profiles().get(service)
        if profile is None:
            raise self.skipException('no %s service profile' % service)
        wanted = CONF.upgrade_observers.services
        if wanted and service not in wanted:
            raise self.skipException(
                '%s is not in [upgrade_observers] services' % service)
        self.skip_unless_usable(profile)
        figures = self.analysis['services'].get(service)
        if figures is None:
            self.fail('run %s has no %s samples: start the observers '
                      'before the upgrade (ObserversPreUpgradeTest or '
                      '"upgrade-tempest observe start")'
                      % (self.run_id, service))
        return figures

    def _judge(self, verdict, figures=None):
        data = verdict.as_dict()
        data['run_id'] = self.run_id
        data['observer_stop'] = self.stop_result
        if self.events_error:
            data['events_error'] = self.events_error
        if figures is not None:
            data['figures'] = {k: v for k, v in figures.items()
                               if k not in ('steps',)}
            data['steps'] = figures.get('steps')
        self.attach_json('verdict', data)
        self.assertTrue(verdict.passed, verdict.message)

    def _downtime(self, service):
        figures = self._figures(service)
        self._judge(budgets.check_downtime(
            figures, budgets.downtime_limit(CONF.upgrade_budgets, service)),
            figures)

    def _availability(self, service):
        figures = self._figures(service)
        self._judge(budgets.check_availability(
            figures, CONF.upgrade_budgets.min_availability), figures)

    def _latency(self, service):
        figures = self._figures(service)
        self._judge(budgets.check_latency(
            figures, CONF.upgrade_budgets.max_latency_p95_ratio), figures)

    # identity

    @decorators.idempotent_id('c047b59c-ff4b-4422-ae7c-c6dee4b26f5e')
    def test_identity_downtime(self):
        self._downtime('identity')

    @decorators.idempotent_id('8d6deec4-8c94-4bf9-bf1b-40dc93e75f48')
    def test_identity_availability(self):
        self._availability('identity')

    @decorators.idempotent_id('cdce7318-4f8c-46e5-81c9-760bccba653a')
    def test_identity_latency(self):
        self._latency('identity')

    # compute

    @decorators.idempotent_id('c707168d-a4fe-4d0e-a751-55fe43a3f3d1')
    def test_compute_downtime(self):
        self._downtime('compute')

    @decorators.idempotent_id('6eb585f4-70ab-4de7-97a3-0deba8d26cf4')
    def test_compute_availability(self):
        self._availability('compute')

    @decorators.idempotent_id('58df090e-bfad-4349-b47a-076211b78bd6')
    def test_compute_latency(self):
        self._latency('compute')

    # image

    @decorators.idempotent_id('3ac1cdae-adbd-47da-bffa-2cf781050134')
    def test_image_downtime(self):
        self._downtime('image')

    @decorators.idempotent_id('ecb06709-f9df-4b31-82b0-713c70591c7c')
    def test_image_availability(self):
        self._availability('image')

    @decorators.idempotent_id('07304344-6f83-4574-b023-610b9dcde593')
    def test_image_latency(self):
        self._latency('image')

    # network

    @decorators.idempotent_id('2a8c7ec5-42c4-4169-820c-6842bc39ef8e')
    def test_network_downtime(self):
        self._downtime('network')

    @decorators.idempotent_id('e021771e-faf7-4178-9b30-2389c013bf6e')
    def test_network_availability(self):
        self._availability('network')

    @decorators.idempotent_id('888c2ebe-8258-44f5-9f38-478586a7d3ba')
    def test_network_latency(self):
        self._latency('network')

    # volume

    @decorators.idempotent_id('dfafab54-1601-4152-94d0-76847ed9944d')
    def test_volume_downtime(self):
        self._downtime('volume')

    @decorators.idempotent_id('d40acd64-22c8-4a15-b16a-bc84f987ca72')
    def test_volume_availability(self):
        self._availability('volume')

    @decorators.idempotent_id('cb934a1b-348f-442d-94e4-a9c8d4f75c11')
    def test_volume_latency(self):
        self._latency('volume')

    # placement

    @decorators.idempotent_id('3a3a390c-cf7d-464d-9e76-6f6c7c9c9528')
    def test_placement_downtime(self):
        self._downtime('placement')

    @decorators.idempotent_id('3c3ee2bb-7010-49c0-a519-f56f6c1c99cd')
    def test_placement_availability(self):
        self._availability('placement')

    @decorators.idempotent_id('b2135acc-382a-4f57-bd2d-b3a417692c75')
    def test_placement_latency(self):
        self._latency('placement')

    # whole run

    @decorators.idempotent_id('d225043b-fe78-49ba-8c75-52badac19257')
    def test_dataplane_loss(self):
        if not self.analysis['dataplane']:
            raise self.skipException('no data-plane target was observed')
        verdicts = [budgets.check_dataplane(
            f, CONF.upgrade_budgets.max_dataplane_loss)
            for _, f in sorted(self.analysis['dataplane'].items())]
        self.attach_json('verdicts', [v.as_dict() for v in verdicts])
        failed = [v.message for v in verdicts if not v.passed]
        self.assertFalse(failed, '; '.join(failed))

    @decorators.idempotent_id('6491d315-e954-4417-96ba-9dc247bbe115')
    def test_requests_honoured(self):
        summary = self.analysis['honour']
        if not summary['requests']:
            if CONF.upgrade_observers.honour_enabled:
                self.fail('honour_enabled is set but run %s has no honour '
                          'request' % self.run_id)
            raise self.skipException('the honour observer was not enabled')
        if self.honour_error:
            self.fail('could not reconcile the honour ledger: %s'
                      % self.honour_error)
        self._judge(budgets.check_unhonoured(
            summary, CONF.upgrade_budgets.max_unhonoured))

    @decorators.idempotent_id('2d10a2da-09f7-481e-bb42-79048a8ad170')
    def test_observation_complete(self):
        if not self.analysis['services']:
            self.fail('run %s has no API samples at all: start the '
                      'observers before the upgrade' % self.run_id)
        self._judge(budgets.check_unobserved(
            self.analysis, CONF.upgrade_budgets.max_unobserved))
