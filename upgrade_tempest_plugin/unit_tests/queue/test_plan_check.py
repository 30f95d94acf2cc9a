"""A payload's plan checked by the campaign's own validation on submit."""

from upgrade_tempest_plugin.queue import payload
from upgrade_tempest_plugin.queue import plan_check
from upgrade_tempest_plugin.unit_tests import base
from upgrade_tempest_plugin.unit_tests.queue import fakes


def _plan(**changes):
    document = fakes.plan()
    for step, key, value in changes.pop('step', ()):
        document['steps'][step][key] = value
    document.update(changes)
    return document


# (name, plan, the message its payload is refused with: the first problem
# the campaign package reports, located in the payload)
PLAN_CORPUS = [
    ('duplicate step id', _plan(step=[(1, 'id', 'one')]),
     "payload.run.plan.steps[1].id: duplicate id 'one' (also steps[0])"),
    ('not an upgrade', _plan(to_release='2025.1'),
     'payload.run.plan.to_release: 2026.1 -> 2025.1 is not an upgrade'),
    ('unknown driver', _plan(driver={'name': 'nope'}),
     "payload.run.plan.driver.name: unknown driver 'nope' (known: command, "
     "kolla-ansible, manual, openstack-ansible, sandbox)"),
    ('timeout below expected', _plan(step=[(0, 'timeout_seconds', 1)]),
     'payload.run.plan.steps[0].timeout_seconds: 1 is not above '
     'expected_seconds 5'),
    ('action the driver does not take',
     _plan(step=[(0, 'action', {'cmd': 'true'})]),
     "payload.run.plan.steps[0].action: unknown key(s) ('cmd' was "
     "unexpected)"),
    ('unknown plan key', _plan(colour='red'),
     "payload.run.plan: unknown key(s) ('colour' was unexpected)"),
]


class PlanCheckTest(base.TestCase):

    def test_a_valid_plan_passes(self):
        plan_check.check(fakes.plan_payload())

    def test_a_regex_payload_is_not_a_plan(self):
        plan_check.check(fakes.payload())

    def test_the_payload_is_checked_first(self):
        exc = self.assertRaises(payload.PayloadError, plan_check.check,
                                fakes.plan_payload(operator=False))
        self.assertEqual('payload.cloud: missing operator_clouds_yaml (the '
                         'plan names an operator)', str(exc))

    def test_each_bad_plan_is_refused_with_its_first_problem(self):
        for name, document, message in PLAN_CORPUS:
            exc = self.assertRaises(payload.PayloadError, plan_check.check,
                                    fakes.plan_payload(document,
                                                       operator=False))
            self.assertEqual(message, str(exc), name)
