"""Post-upgrade validators: stop the observers and judge what they saw.

The class stops the run's detached observer (started by
``ObserversPreUpgradeTest`` before the upgrade) and builds the run's
analysis once (:func:`upgrade_tempest_plugin.analysis.run_analysis.build`:
events file imported, honour ledger reconciled, samples analysed, budgets
of ``[upgrade_budgets]`` judged); each test renders one of its verdicts.
There is one test per registered service profile and budget
(``test_<service>_downtime``, ``_availability``, ``_latency``, generated
by :mod:`upgrade_tempest_plugin.tests.generated`).  A failure message
carries the measured figure, the budget and the downtime windows with the
upgrade step each happened in.  Select one service with e.g. ``--regex
'BudgetsPostUpgradeTest.*compute'``.
"""

from tempest import config
from tempest.lib import decorators

# budgets names the checks; it imports nothing heavy.
from upgrade_tempest_plugin.analysis import budgets
from upgrade_tempest_plugin import run_context
from upgrade_tempest_plugin.tests import base
from upgrade_tempest_plugin.tests import generated

CONF = config.CONF


class BudgetsPostUpgradeTest(base.ValidatorTest):
    """Downtime, availability, latency, data plane and honoured requests."""

    @classmethod
    def resource_setup(cls):
        # The observers, the store (SQLAlchemy, alembic) and the analysis
        # are imported here, when the class runs, not when ``tempest run``
        # discovers the module: discovery must stay cheap for every run.
        from upgrade_tempest_plugin.analysis import run_analysis
        from upgrade_tempest_plugin.observers import fixture as obs_fixture
        from upgrade_tempest_plugin.observers import settings as obs_settings
        from upgrade_tempest_plugin.store import api as store_api

        super().resource_setup()
        cls.run_id = run_context.run_id(CONF.upgrade)
        fixture = obs_fixture.ObserverFixture(mode=obs_fixture.DETACHED)
        cls.stop_result = fixture.stop()
        store = store_api.open_store(run_context.store_url(CONF.upgrade))
        cls.addClassResourceCleanup(store.close)
        cls.analysis = run_analysis.build(
            store, cls.run_id,
            events_file=CONF.upgrade_budgets.events_file,
            honour_settings=lambda: obs_settings.from_tempest_conf(CONF),
            budgets=CONF.upgrade_budgets)
        cls.events_error = '; '.join(run_analysis.problems_of(
            cls.analysis, run_analysis.EVENTS_FILE))
        cls.honour_error = '; '.join(run_analysis.problems_of(
            cls.analysis, run_analysis.HONOUR_RECONCILE))
        cls.verdicts = run_analysis.verdicts_by_check(cls.analysis)

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
        data = dict(verdict)
        data['run_id'] = self.run_id
        data['observer_stop'] = self.stop_result
        if self.events_error:
            data['events_error'] = self.events_error
        if figures is not None:
            data['figures'] = {k: v for k, v in figures.items()
                               if k not in ('steps',)}
            data['steps'] = figures.get('steps')
        self.attach_json('verdict', data)
        self.assertTrue(verdict['passed'], verdict['message'])

    def _service_budget(self, check, service):
        figures = self._figures(service)
        self._judge(self.verdicts[(check, service)], figures)

    def _downtime(self, service):
        self._service_budget(budgets.DOWNTIME, service)

    def _availability(self, service):
        self._service_budget(budgets.AVAILABILITY, service)

    def _latency(self, service):
        self._service_budget(budgets.LATENCY, service)

    @decorators.idempotent_id('d225043b-fe78-49ba-8c75-52badac19257')
    def test_dataplane_loss(self):
        if not self.analysis['dataplane']:
            raise self.skipException('no data-plane target was observed')
        verdicts = [self.verdicts[(budgets.DATAPLANE_LOSS, target)]
                    for target in sorted(self.analysis['dataplane'])]
        self.attach_json('verdicts', verdicts)
        failed = [v['message'] for v in verdicts if not v['passed']]
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
        self._judge(self.verdicts[(budgets.UNHONOURED, 'honour')])

    @decorators.idempotent_id('2d10a2da-09f7-481e-bb42-79048a8ad170')
    def test_observation_complete(self):
        if not self.analysis['services']:
            self.fail('run %s has no API samples at all: start the '
                      'observers before the upgrade' % self.run_id)
        self._judge(self.verdicts[(budgets.UNOBSERVED, 'observers')])


#: The ids today's services were written with, per budget; any other
#: profile gets a uuid5 id (``generated.test_id``).
DOWNTIME_IDS = {
    'identity': 'c047b59c-ff4b-4422-ae7c-c6dee4b26f5e',
    'compute': 'c707168d-a4fe-4d0e-a751-55fe43a3f3d1',
    'image': '3ac1cdae-adbd-47da-bffa-2cf781050134',
    'network': '2a8c7ec5-42c4-4169-820c-6842bc39ef8e',
    'volume': 'dfafab54-1601-4152-94d0-76847ed9944d',
    'placement': '3a3a390c-cf7d-464d-9e76-6f6c7c9c9528',
}

AVAILABILITY_IDS = {
    'identity': '8d6deec4-8c94-4bf9-bf1b-40dc93e75f48',
    'compute': '6eb585f4-70ab-4de7-97a3-0deba8d26cf4',
    'image': 'ecb06709-f9df-4b31-82b0-713c70591c7c',
    'network': 'e021771e-faf7-4178-9b30-2389c013bf6e',
    'volume': 'd40acd64-22c8-4a15-b16a-bc84f987ca72',
    'placement': '3c3ee2bb-7010-49c0-a519-f56f6c1c99cd',
}

LATENCY_IDS = {
    'identity': 'cdce7318-4f8c-46e5-81c9-760bccba653a',
    'compute': '58df090e-bfad-4349-b47a-076211b78bd6',
    'image': '07304344-6f83-4574-b023-610b9dcde593',
    'network': '888c2ebe-8258-44f5-9f38-478586a7d3ba',
    'volume': 'cb934a1b-348f-442d-94e4-a9c8d4f75c11',
    'placement': 'b2135acc-382a-4f57-bd2d-b3a417692c75',
}

generated.add_profile_tests(
    BudgetsPostUpgradeTest, 'budget-downtime', 'test_{name}_downtime',
    BudgetsPostUpgradeTest._downtime, DOWNTIME_IDS)
generated.add_profile_tests(
    BudgetsPostUpgradeTest, 'budget-availability',
    'test_{name}_availability', BudgetsPostUpgradeTest._availability,
    AVAILABILITY_IDS)
generated.add_profile_tests(
    BudgetsPostUpgradeTest, 'budget-latency', 'test_{name}_latency',
    BudgetsPostUpgradeTest._latency, LATENCY_IDS)
