import os
import types

import fixtures

from upgrade_tempest_plugin import accounts
from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin.observers import credentials
from upgrade_tempest_plugin.unit_tests import base
from upgrade_tempest_plugin.workloads import account as workload_account

PASSWORD = 'pw-not-to-be-seen'
GROUP = 'upgrade_workloads'


def entry(username, project='p', **extra):
    return dict(username=username, password=PASSWORD, project_name=project,
                **extra)


class AdminDetectionTest(base.TestCase):

    def test_role_or_type_in_any_case(self):
        for marks in ({'roles': ['admin']}, {'types': ['admin']},
                      {'roles': ['member', 'Admin']}, {'types': ['ADMIN']}):
            self.assertTrue(accounts.is_admin(entry('a', **marks)), marks)

    def test_other_roles_are_not_admin(self):
        for marks in ({}, {'roles': None}, {'roles': ['member', 'reader']},
                      {'types': ['admin_like']}):
            self.assertFalse(accounts.is_admin(entry('a', **marks)), marks)


class PickTest(base.TestCase):

    def pick(self, entries, username='', project_name=''):
        return accounts.pick(entries, 'acc.yaml', GROUP, username,
                             project_name)

    def test_first_non_admin_without_a_name(self):
        entries = [entry('root', roles=['Admin']), entry('u1'), entry('u2')]
        self.assertEqual('u1', self.pick(entries)['username'])

    def test_only_admins(self):
        e = self.assertRaises(accounts.AccountError, self.pick,
                              [entry('root', types=['admin'])])
        self.assertEqual('no non-admin account in acc.yaml', str(e))

    def test_named_user(self):
        entries = [entry('u1'), entry('u2', 'q')]
        self.assertEqual('q', self.pick(entries, 'u2')['project_name'])
        e = self.assertRaises(accounts.AccountError, self.pick, entries,
                              'bob')
        self.assertEqual("no user 'bob' account in acc.yaml", str(e))

    def test_duplicates_are_rejected(self):
        entries = [entry('u', 'p1'), entry('u', 'p2')]
        e = self.assertRaises(accounts.AccountError, self.pick, entries, 'u')
        self.assertEqual("user 'u' appears 2 times in acc.yaml; set "
                         "[upgrade_workloads] project_name", str(e))
        # The project tells them apart, also under its old name.
        self.assertEqual('p2', self.pick(entries, 'u', 'p2')['project_name'])
        old = [dict(username='u', tenant_name='t1'),
               dict(username='u', tenant_name='t2')]
        self.assertIs(old[1], self.pick(old, 'u', 't2'))
        e = self.assertRaises(accounts.AccountError, self.pick, entries, 'u',
                              'p3')
        self.assertEqual("no user 'u' (project 'p3') account in acc.yaml",
                         str(e))

    def test_a_named_admin_is_refused(self):
        e = self.assertRaises(accounts.AccountError, self.pick,
                              [entry('boss', roles=['member', 'ADMIN'])],
                              'boss')
        self.assertEqual("user 'boss' in acc.yaml has an admin role; the "
                         "plugin acts only as non-admin users (R13)", str(e))

    def test_the_error_is_a_one_line_user_error(self):
        self.assertTrue(issubclass(accounts.AccountError,
                                   exceptions.UserError))


class LoadTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                                 'accounts.yaml')

    def write(self, text):
        with open(self.path, 'w') as f:
            f.write(text)

    def test_entries_without_a_username_are_left_out(self):
        self.write('- {username: u, password: %s}\n- plain\n- {password: x}\n'
                   % PASSWORD)
        self.assertEqual([{'username': 'u', 'password': PASSWORD}],
                         accounts.load(self.path, GROUP))

    def test_no_file_names_the_options_of_the_group(self):
        e = self.assertRaises(accounts.AccountError, accounts.load, '',
                              GROUP)
        self.assertEqual('no accounts file for the workloads: set '
                         '[upgrade_workloads] accounts_file or [auth] '
                         'test_accounts_file', str(e))

    def test_not_yaml(self):
        self.write('- [unclosed\n')
        e = self.assertRaises(accounts.AccountError, accounts.load,
                              self.path, GROUP)
        self.assertTrue(str(e).startswith(
            'cannot read the accounts file %s: ' % self.path), e)

    def test_path_of_prefers_the_group_file(self):
        conf = types.SimpleNamespace(
            auth=types.SimpleNamespace(test_accounts_file='tempest.yaml'),
            upgrade_workloads=types.SimpleNamespace(accounts_file=''),
            upgrade_observers=types.SimpleNamespace(accounts_file='obs.yaml'))
        self.assertEqual('tempest.yaml', accounts.path_of(conf, GROUP))
        self.assertEqual('obs.yaml',
                         accounts.path_of(conf, 'upgrade_observers'))


class UsersTest(base.TestCase):
    """The observers and the workloads pick under the same rules."""

    def setUp(self):
        super().setUp()
        self.path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                                 'accounts.yaml')
        with open(self.path, 'w') as f:
            f.write('- {username: u, password: %s, project_name: p1}\n'
                    '- {username: u, password: %s, project_name: p2}\n'
                    '- {username: boss, password: %s, project_name: p,\n'
                    '   roles: [Admin]}\n' % ((PASSWORD,) * 3))

    def conf(self, username, project_name=''):
        return types.SimpleNamespace(
            auth=types.SimpleNamespace(test_accounts_file=self.path),
            upgrade_workloads=types.SimpleNamespace(
                accounts_file='', username=username,
                project_name=project_name))

    def test_observers(self):
        account = credentials.pick_account(self.path, 'u', 'p2')
        self.assertEqual('<Account u/p2>', repr(account))
        for username in ('u', 'boss'):
            e = self.assertRaises(accounts.AccountError,
                                  credentials.pick_account, self.path,
                                  username)
            self.assertNotIn(PASSWORD, str(e))
        self.assertIn('[upgrade_observers] project_name', str(
            self.assertRaises(accounts.AccountError,
                              credentials.pick_account, self.path, 'u')))

    def test_workloads(self):
        self.assertEqual('p1', workload_account.workload_entry(
            self.conf('u', 'p1'))['project_name'])
        for username in ('u', 'boss'):
            e = self.assertRaises(accounts.AccountError,
                                  workload_account.workload_entry,
                                  self.conf(username))
            self.assertNotIn(PASSWORD, str(e))
        e = self.assertRaises(accounts.AccountError,
                              workload_account.workload_entry, self.conf(''))
        self.assertIn('set [upgrade_workloads] username', str(e))
