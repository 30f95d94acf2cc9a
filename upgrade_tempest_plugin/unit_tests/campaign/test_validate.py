import copy
import io

import fixtures

from upgrade_tempest_plugin.campaign import plan as plan_mod
from upgrade_tempest_plugin.campaign import validate
from upgrade_tempest_plugin.cmd import main
from upgrade_tempest_plugin.unit_tests import base
from upgrade_tempest_plugin.unit_tests.campaign import fakes


def problems(document):
    return validate.problems(document,
                             list_validators=lambda: fakes.VALIDATORS,
                             service_names=fakes.SERVICES)


def ten_mistakes():
    """The good plan with ten different mistakes, and where each is."""
    doc = copy.deepcopy(fakes.GOOD)
    doc['colour'] = 'blue'                                    # 1
    doc['to_release'] = '2026.2'                              # 2
    doc['steps'][1]['id'] = 'keystone'                        # 3
    doc['steps'][2]['services'] = ['glance']                  # 4
    doc['steps'][0]['checks'].append(
        {'validators': 'NoSuchValidator'})                    # 5
    doc['steps'][0]['checks'][0]['budget']['service'] = 'dns'  # 6
    del doc['steps'][1]['rollback']                           # 7
    doc['steps'][1]['timeout_seconds'] = 2                    # 8
    doc['steps'][2]['action'] = {'command': 'x $nowhere'}     # 9
    doc['steps'][0]['on_failure'] = 'pray'                    # 10
    doc['tempest'] = {'workspace': '/w'}
    return doc, [
        '', 'to_release', 'steps[1].id', 'steps[2].services',
        'steps[0].checks[1]', 'steps[0].checks[0].budget.service',
        'steps[1]', 'steps[1].timeout_seconds',
        'steps[2].action.command', 'steps[0].on_failure']


class ValidateTest(base.TestCase):

    def test_the_good_plan_has_no_problem(self):
        self.assertEqual([], problems(fakes.plan()))

    def test_ten_mistakes_ten_located_problems(self):
        doc, paths = ten_mistakes()
        found = problems(doc)
        self.assertEqual(sorted(paths), sorted(p.path for p in found),
                         '\n'.join(map(plan_mod.format_problem, found)))
        self.assertEqual(10, len({p.message for p in found}))

    def test_each_problem_says_what_is_wrong(self):
        doc, _ = ten_mistakes()
        text = '\n'.join(map(plan_mod.format_problem, problems(doc)))
        for expected in (
                "(plan): unknown key(s) ('colour' was unexpected)",
                'to_release: 2025.1 -> 2026.2 is neither one release nor a '
                'SLURP skip-level upgrade',
                "steps[1].id: duplicate id 'keystone' (also steps[0])",
                'steps[2].services: glance is also touched by steps[1] of '
                'parallel group 2',
                "steps[0].checks[1]: no validator matches "
                "'NoSuchValidator'",
                "steps[0].checks[0].budget.service: unknown service 'dns'",
                'steps[1]: no rollback action, and steps[2] (on_failure: '
                'rollback) would undo it',
                'steps[1].timeout_seconds: 2 is not above '
                'expected_seconds 5',
                'steps[2].action.command: unknown template name $nowhere',
                "steps[0].on_failure: 'pray' is not one of"):
            self.assertIn(expected, text)

    def test_skip_level_between_slurp_releases_is_supported(self):
        self.assertEqual([], problems(fakes.plan(from_release='2024.1',
                                                 to_release='2025.1')))

    def test_a_downgrade_is_no_upgrade(self):
        found = problems(fakes.plan(from_release='2025.2',
                                    to_release='2025.1'))
        self.assertEqual(['to_release'], [p.path for p in found])

    def test_validators_need_a_workspace(self):
        doc = fakes.plan()
        del doc['tempest']
        doc['steps'][0]['checks'] = [{'validators': 'Health'}]
        self.assertEqual(['tempest'], [p.path for p in problems(doc)])
        doc['tempest'] = {'workspace': '/w'}
        self.assertEqual([], problems(doc))

    def test_budgets_need_the_observers(self):
        doc = fakes.plan(budgets=[{'service': 'compute',
                                   'max_downtime_seconds': 1}])
        self.assertEqual([], problems(doc))
        doc['tempest']['observers'] = False
        self.assertEqual(['budgets[0]', 'steps[0].checks[0].budget'],
                         [p.path for p in problems(doc)])
        del doc['tempest']
        self.assertIn('needs the observers', problems(doc)[0].message)

    def test_a_bad_regex_is_located(self):
        doc = fakes.plan(tempest={'workspace': '/w'})
        doc['steps'][0]['checks'] = [{'validators': '(Health'}]
        found = problems(doc)
        self.assertEqual(['steps[0].checks[0]'], [p.path for p in found])
        self.assertIn('not a regular expression', found[0].message)

    def test_unknown_driver(self):
        found = problems(fakes.plan(driver={'name': 'puppet'}))
        self.assertEqual(['driver.name'], [p.path for p in found])
        self.assertIn('known: ', found[0].message)
        self.assertIn('kolla-ansible', found[0].message)

    def test_driver_config_schema(self):
        found = problems(fakes.plan(driver={
            'name': 'kolla-ansible', 'config': {'inventroy': 'x'}}))
        self.assertIn('driver.config', [p.path for p in found])

    def test_interleaved_groups(self):
        doc = fakes.plan()
        doc['steps'][2]['group'] = 1
        doc['steps'].append(dict(doc['steps'][1], id='nova', group=2,
                                 services=['nova']))
        found = problems(doc)
        self.assertEqual(['steps[2].group', 'steps[3].group'],
                         [p.path for p in found])

    def test_status_check_needs_a_driver_that_reports_status(self):
        doc = fakes.plan()
        doc['steps'][0]['checks'] = [{'status': {}}]
        found = problems(doc)
        self.assertEqual(['steps[0].checks[0]'], [p.path for p in found])
        self.assertIn('reports no status', found[0].message)

    def test_not_a_mapping(self):
        self.assertEqual(['(plan)'], [plan_mod.format_problem(p).split(':')[0]
                                      for p in problems(['a'])])

    def test_no_rollback_needed_without_rollback_policy(self):
        doc = fakes.plan()
        for step in doc['steps']:
            step.pop('rollback')
            step.pop('on_failure', None)
        self.assertEqual([], problems(doc))


class ValidateCommandTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.stdout = self.useFixture(fixtures.MonkeyPatch(
            'sys.stdout', io.StringIO())).new_value
        self.stderr = self.useFixture(fixtures.MonkeyPatch(
            'sys.stderr', io.StringIO())).new_value
        self.useFixture(fixtures.MonkeyPatch(
            'upgrade_tempest_plugin.campaign.validators.list_ids',
            lambda: fakes.VALIDATORS))

    def test_ten_mistakes_exit_2_with_ten_lines(self):
        doc, paths = ten_mistakes()
        path = fakes.write(self.dir, doc)
        self.assertEqual(2, main.main(['campaign', 'validate', path]))
        lines = self.stdout.getvalue().splitlines()
        self.assertEqual(sorted(p or '(plan)' for p in paths),
                         sorted(line.split(': ')[0] for line in lines))
        self.assertEqual('upgrade-tempest: error: %s: 10 problems' % path,
                         self.stderr.getvalue().strip())

    def test_a_good_plan(self):
        path = fakes.write(self.dir, fakes.plan())
        self.assertEqual(0, main.main(['campaign', 'validate', path]))
        self.assertIn('valid (3 steps in 2 groups, driver command)',
                      self.stdout.getvalue())

    def test_not_yaml(self):
        path = fakes.write(self.dir, None)
        with open(path, 'w') as f:
            f.write('steps: [\n')
        self.assertEqual(2, main.main(['campaign', 'validate', path]))
        self.assertIn('is not YAML', self.stderr.getvalue())

    def test_missing_file(self):
        self.assertEqual(2, main.main(['campaign', 'validate',
                                       self.dir + '/none.yaml']))
        self.assertIn('cannot read the plan', self.stderr.getvalue())


class DocumentedPlansTest(base.TestCase):
    """The example plans of doc/source/campaign.rst pass validation."""

    def test_examples_are_valid(self):
        import os
        import re

        import yaml

        import upgrade_tempest_plugin
        guide = os.path.join(os.path.dirname(os.path.dirname(
            os.path.abspath(upgrade_tempest_plugin.__file__))),
            'doc', 'source', 'campaign.rst')
        if not os.path.exists(guide):
            self.skipTest('no documentation beside the package')
        with open(guide) as f:
            text = f.read()

        def blocks(language):
            return ['\n'.join(line[4:] for line in block.split('\n'))
                    for block in re.findall(
                        r'\.\. code-block:: %s\n\n((?:    .*\n|\n)+)'
                        % language, text)]

        plans = [yaml.safe_load(block) for block in blocks('yaml')]
        self.assertEqual(['sandbox-2026.2', 'prod-2025.2'],
                         [p['name'] for p in plans])
        # The Kolla-Ansible plan's files, where the guide says they are.
        [inventory] = blocks('ini')
        config = plans[1]['driver']['config']
        self.assertEqual('# %s\n' % config['inventory'],
                         inventory.splitlines(True)[0])
        tmp = self.useFixture(fixtures.TempDir()).path
        config.update(inventory=os.path.join(tmp, 'multinode'),
                      configdir=tmp)
        with open(config['inventory'], 'w') as f:
            f.write(inventory)
        for plan in plans:
            self.assertEqual([], validate.problems(plan), plan['name'])
        from upgrade_tempest_plugin.campaign.drivers import kolla
        driver = kolla.KollaAnsibleDriver(dict(
            config, ansible_inventory=fakes.ansible_tool(
                'ansible-inventory')), None)
        control = ['control01', 'control02']
        self.assertEqual(
            {'pull': [], 'prechecks': [], 'keystone': control,
             'nova': ['compute01', 'compute02'] + control},
            {step['id']: driver.resolve(step)
             for step in plans[1]['steps']})
