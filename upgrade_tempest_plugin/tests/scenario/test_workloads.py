"""Persistent workload validators (R4, R8, R12).

Three phases, one class each, one test per workload kind:

- ``WorkloadsPreUpgradeTest``: create-or-verify each workload as the
  configured workload account and record it in the run's ledger; running
  it twice creates nothing new;
- ``WorkloadsPostUpgradeTest``: verify each workload (it exists, its state,
  attachments and data are what they were; every resource type is listed
  once) and that it still accepts actions;
- ``WorkloadsDestroyTest``: delete each workload in reverse order of
  creation and confirm it is gone.

The tests are generated (``tests/generated.py``) from the names in the
``upgrade_tempest_plugin.workloads`` entry-point group, so a plugged-in kind
gets its three tests without an edit here.  A test is named
``test_<kind>``; a kind is named after the service that owns it, so
``test_volume_`` selects a service.  Today's kinds keep the test names and
ids they were written with (the tables below).

After ``[upgrade_workloads] max_consecutive_failed_creates`` failed create
requests in a row, creating stops, everything the run made is removed, and
the test fails with a report (cascade stop).
"""

from tempest import config

from upgrade_tempest_plugin.tests import base
from upgrade_tempest_plugin.tests import generated
from upgrade_tempest_plugin import workloads
from upgrade_tempest_plugin.workloads import kinds as kinds_mod

CONF = config.CONF


def short(exc):
    """One line about an exception (type and first line of its text)."""
    text = str(exc).strip().splitlines()
    return '%s: %s' % (type(exc).__name__, text[0][:300] if text else '')


class WorkloadTestBase(base.ValidatorTest):
    """Opens the run's workload set as the workload account."""

    phase = None

    @classmethod
    def skip_checks(cls):
        super().skip_checks()
        if not CONF.upgrade_workloads.username:
            raise cls.skipException(
                'no workload account: set [upgrade_workloads] username '
                '(and project_name) to a non-admin entry of the accounts '
                'file; see doc/source/validators.rst')

    @classmethod
    def resource_setup(cls):
        super().resource_setup()
        cls.workload_set = workloads.open_workload_set()
        cls.kinds = workloads.load_kinds()
        base.record_event('workloads-' + cls.phase, result='started',
                          detail={'account': CONF.upgrade_workloads.username,
                                  'run': cls.workload_set.run_id})

    def installed(self, name):
        """The kind ``name``; a kind that failed to load fails its test."""
        if name not in self.kinds:
            self.fail('workload kind %s is registered but could not be '
                      'loaded; the log says why' % name)
        return self.kinds[name]

    def kind(self, name):
        kind = self.installed(name)
        missing = [flag for flag in kind.needs
                   if not getattr(CONF.service_available, flag, False)]
        if missing:
            raise self.skipException(
                'workload %s needs %s ([service_available])' % (
                    name, ', '.join(missing)))
        profile = base.profiles().get(kind.service)
        if profile:
            self.skip_unless_usable(
                profile, self.workload_set.resources.clients.auth_provider)
        return kind

    def report(self, kind, problems, what):
        notes = self.workload_set.notes
        if notes:
            self.attach_json('workload-notes', notes)
            del notes[:]
        base.record_event('workloads-' + self.phase, service=kind.service,
                          result='fail' if problems else 'pass',
                          detail={'workload': kind.name,
                                  'problems': problems})
        if problems:
            self.fail('%s %s of run %s: %d problem(s):\n  %s' % (
                what, kind.name, self.workload_set.run_id, len(problems),
                '\n  '.join(problems)))

    def cascade_stop(self, stop):
        problems = self.workload_set.destroy()
        base.record_event('workloads-cascade-stop', result='stopped',
                          detail={'report': stop.report,
                                  'cleanup_problems': problems})
        self.fail('%s\ncleaned up the run\'s resources: %s' % (
            stop.report, '; '.join(problems) or 'all gone'))


class WorkloadsPreUpgradeTest(WorkloadTestBase):
    """Create-or-verify the workloads before the upgrade."""

    phase = 'pre-upgrade'

    def create_or_verify(self, name):
        kind = self.kind(name)
        ws = self.workload_set
        try:
            with ws.creating(kind.name, kind.service, kind.name):
                kind.create_or_verify(ws)
        except workloads.CascadeStop as stop:
            self.cascade_stop(stop)
        ws.inventory.forget()
        with ws.reading():
            problems = kind.verify(ws)
        self.report(kind, problems, 'workload')


class WorkloadsPostUpgradeTest(WorkloadTestBase):
    """Verify the workloads after the upgrade, then act on them."""

    phase = 'post-upgrade'

    def verify(self, name):
        kind = self.kind(name)
        ws = self.workload_set
        try:
            with ws.reading():
                problems = kind.verify(ws)
        except Exception as exc:   # the cloud did not answer: say so
            problems = ['could not read the resources of %s: %s' % (
                kind.name, short(exc))]
        if not problems and CONF.upgrade_workloads.verify_actions:
            try:
                problems = kind.act(ws)
            except workloads.CascadeStop as stop:
                self.cascade_stop(stop)
            except Exception as exc:
                problems = ['actions on %s failed: %s' % (kind.name,
                                                          short(exc))]
        self.report(kind, problems, 'workload')


class WorkloadsDestroyTest(WorkloadTestBase):
    """Delete the workloads in reverse order; confirm they are gone."""

    phase = 'destroy'

    def destroy(self, name):
        kind = self.installed(name)
        self.report(kind, self.workload_set.destroy(kind.name), 'destroy')


#: Today's kinds keep the test names and ids they were written with; any
#: other kind gets ``test_<kind>`` and uuid5 ids (``generated.test_id``).
TEST_METHODS = {
    'server_with_volume': 'test_compute_server_with_volume',
    'server_boot_from_volume': 'test_compute_server_boot_from_volume',
}

PRE_UPGRADE_IDS = {
    'server_with_volume': '4d7ab9e4-e4ad-4b0d-9a7b-d26effc7bb23',
    'server_boot_from_volume': '08277a4c-9108-4068-8404-382a66e27dcf',
    'volume_with_snapshot': 'b3096a70-32c2-4675-9c6c-ae36cf9a310e',
    'image_with_data': 'dd55900c-0964-4ffd-8d41-5fd9a8706168',
    'network_stack': '50404330-2155-437e-bbf8-9f24af94546a',
}

POST_UPGRADE_IDS = {
    'server_with_volume': 'f5fd86d6-f385-4b88-9ddf-27ab0cb26d3e',
    'server_boot_from_volume': '0bc0a68d-3d59-4968-9969-2843d076b55e',
    'volume_with_snapshot': '19903d57-8220-45ab-8180-44ffb8d65501',
    'image_with_data': '2c434bff-e9a1-4d89-9640-5c0999f7f631',
    'network_stack': '1664e5b1-776b-4cb9-8378-d98eb155e4ce',
}

DESTROY_IDS = {
    'server_with_volume': 'b935a143-263a-4c24-856b-abcadcdb0d03',
    'server_boot_from_volume': 'dbb3466c-5939-4256-8078-3cda995e1ace',
    'volume_with_snapshot': '8950b5c8-60ff-4e88-a833-137396998ef2',
    'image_with_data': '7a7c2d4c-fd52-49c7-b2ae-bf7b69ab87a1',
    'network_stack': '22187be6-6f96-43a8-bfde-fbbc829b091e',
}

_KIND_NAMES = generated.entry_point_names(kinds_mod.NAMESPACE)

generated.add_profile_tests(
    WorkloadsPreUpgradeTest, 'workload-pre-upgrade', 'test_{name}',
    WorkloadsPreUpgradeTest.create_or_verify, PRE_UPGRADE_IDS,
    names=_KIND_NAMES, known_methods=TEST_METHODS)
generated.add_profile_tests(
    WorkloadsPostUpgradeTest, 'workload-post-upgrade', 'test_{name}',
    WorkloadsPostUpgradeTest.verify, POST_UPGRADE_IDS,
    names=_KIND_NAMES, known_methods=TEST_METHODS)
generated.add_profile_tests(
    WorkloadsDestroyTest, 'workload-destroy', 'test_{name}',
    WorkloadsDestroyTest.destroy, DESTROY_IDS,
    names=_KIND_NAMES, known_methods=TEST_METHODS)
