"""The Zuul jobs, their playbooks and roles hold together (offline).

zuulcilint checks the schema of .zuul.yaml; it cannot know whether a
parent job exists, since parents may live in other repositories.  Every
parent is either defined here or in the list of external parent jobs of
the gates guide, which says where each comes from.
"""

import os
import re

import yaml

from upgrade_tempest_plugin.unit_tests import base

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
GUIDE = os.path.join(TOP, 'doc', 'source', 'gates', 'index.rst')
ROLE_FILES = ('defaults/main.yaml', 'tasks/main.yaml', 'README.rst')


def zuul_config():
    with open(os.path.join(TOP, '.zuul.yaml')) as f:
        return yaml.safe_load(f)


def jobs():
    return {item['job']['name']: item['job'] for item in zuul_config()
            if 'job' in item}


def documented_external_jobs():
    """The ``job`` names listed under the guide's external parent jobs."""
    with open(GUIDE) as f:
        text = f.read()
    section = text.split('External parent jobs\n', 1)[1]
    section = re.split(r'\n\S[^\n]*\n[-=~^]+\n', section, maxsplit=1)[0]
    return set(re.findall(r'^\* ``([\w.-]+)``', section, re.M))


def roles_of(playbook):
    """The roles a playbook applies (in ``roles:`` or ``include_role``)."""
    with open(os.path.join(TOP, playbook)) as f:
        plays = yaml.safe_load(f)
    found = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == 'roles' and isinstance(value, list):
                    found.extend(r if isinstance(r, str) else r['role']
                                 for r in value)
                elif key.endswith('include_role'):
                    found.append(value['name'])
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(plays)
    return found


class ZuulJobsTest(base.TestCase):

    def test_every_parent_is_here_or_documented(self):
        defined = jobs()
        parents = {job['parent'] for job in defined.values()
                   if 'parent' in job}
        external = documented_external_jobs()
        self.assertEqual({'grenade', 'grenade-skip-level-always', 'tox'},
                         external)
        self.assertEqual(set(), parents - set(defined) - external)
        # and the list names no job that is no longer a parent
        self.assertEqual(set(), external - parents)

    def test_template_runs_jobs_defined_here(self):
        templates = [item['project-template'] for item in zuul_config()
                     if 'project-template' in item]
        self.assertEqual(['upgrade-tempest-plugin-jobs'],
                         [t['name'] for t in templates])
        for pipeline in ('check', 'gate'):
            for entry in templates[0][pipeline]['jobs']:
                name = entry if isinstance(entry, str) else next(iter(entry))
                self.assertIn(name, jobs())

    def test_playbooks_exist_and_apply_roles_of_the_zuul_layout(self):
        applied = set()
        for job in jobs().values():
            for key in ('pre-run', 'run', 'post-run'):
                playbooks = job.get(key, [])
                if isinstance(playbooks, str):
                    playbooks = [playbooks]
                for playbook in playbooks:
                    self.assertTrue(os.path.isfile(os.path.join(
                        TOP, playbook)), playbook)
                    applied.update(roles_of(playbook))
        self.assertEqual({'upgrade-tempest-pre', 'upgrade-tempest-post',
                          'upgrade-tempest-artifacts'}, applied)
        for role in sorted(os.listdir(os.path.join(TOP, 'roles'))):
            for name in ROLE_FILES:
                self.assertTrue(os.path.isfile(os.path.join(
                    TOP, 'roles', role, name)), '%s/%s' % (role, name))
