"""Every error of a command is one line on stderr, whatever the logging.

A tempest.conf that sets ``log_file`` makes oslo.log (set up when Tempest
reads the file) replace cliff's stderr handler with that file; the errors
must reach the terminal all the same.  The commands that read a
tempest.conf run in a child process: Tempest's CONF is loaded once per
process.
"""

import glob
import io
import json
import os

import fixtures
from oslo_config import cfg

from upgrade_tempest_plugin.cmd import base as cmd_base
from upgrade_tempest_plugin.cmd import main
from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin.observers import credentials
from upgrade_tempest_plugin.observers import settings as obs_settings
from upgrade_tempest_plugin import run_context
from upgrade_tempest_plugin.unit_tests import base
from upgrade_tempest_plugin.unit_tests.cmd import fakes as cmd_fakes

PASSWORD = 'secretpw'
ADMIN_ONLY = ('- username: admin\n  password: %s\n  project_name: admin\n'
              '  types: [admin]\n' % PASSWORD)
USER = '- username: u\n  password: %s\n  project_name: p\n' % PASSWORD


class ChildProcessTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.log_file = os.path.join(self.tmp, 'tempest.log')
        self.state_dir = os.path.join(self.tmp, 'state')
        self.conf = os.path.join(self.tmp, 'tempest.conf')

    def write_conf(self, text, log_file=True, accounts=True):
        with open(self.conf, 'w') as f:
            if log_file:
                f.write('[DEFAULT]\nlog_file = %s\n' % self.log_file)
            if accounts:
                # What observe start needs to get to the error at hand.
                path = os.path.join(self.tmp, 'accounts.yaml')
                with open(path, 'w') as accounts_file:
                    accounts_file.write(USER)
                f.write('[auth]\ntest_accounts_file = %s\n' % path)
            f.write('[upgrade]\nstate_dir = %s\n' % self.state_dir)
            f.write(text)

    def cli(self, *args):
        return cmd_fakes.cli_subprocess(
            self.tmp, *(list(args) + ['--config-file', self.conf]))

    def assertOneLine(self, code, texts, *args):
        """Run the command; exit ``code``, one line on stderr with texts."""
        rc, out, err = self.cli(*args)
        lines = err.splitlines()
        self.assertEqual(1, len(lines), err)
        self.assertEqual(code, rc, err)
        self.assertTrue(lines[0].startswith('upgrade-tempest: error: '),
                        lines[0])
        for text in texts:
            self.assertIn(text, lines[0])
        self.assertNotIn('Traceback', err)
        self.assertNotIn(PASSWORD, out + err)
        return lines[0]

    def assertNoObserverSpawned(self):
        self.assertEqual([], glob.glob(os.path.join(self.state_dir,
                                                    'observers-*')))


class BadOptionValueTest(ChildProcessTest):

    def test_negative_rate(self):
        self.write_conf('[upgrade_observers]\nrate = -1\n')
        for command in (['observe', 'start'], ['analyse']):
            self.assertOneLine(2, ['[upgrade_observers] rate: ',
                                   'greater than or equal to 0.1'],
                               *command)
        self.assertNoObserverSpawned()
        # The case at hand: oslo.log wrote to the file, not to stderr.
        self.assertTrue(os.path.isfile(self.log_file))

    def test_non_numeric_values_on_one_line(self):
        self.write_conf('[upgrade_observers]\nrate = often\n'
                        '[compute]\nbuild_timeout = long\n')
        self.assertOneLine(2, ['[upgrade_observers] rate: ', "'often'",
                               '[compute] build_timeout: ', "'long'"],
                           'observe', 'start')

    def test_without_log_file_stdout_stays_clean(self):
        self.write_conf('[upgrade_observers]\nrate = -1\n', log_file=False)
        rc, out, err = self.cli('analyse', '--json')
        self.assertEqual(2, rc, err)
        # Tempest's log lines go to stderr, never into the output.
        self.assertEqual('', out)
        self.assertIn('[upgrade_observers] rate: ',
                      err.splitlines()[-1])


class BadConfigFileTest(ChildProcessTest):

    def test_not_text(self):
        with open(self.conf, 'wb') as f:
            f.write(b'[DEFAULT]\nlog_file = x.log\n\x89PNG\r\n\x1a\n')
        line = self.assertOneLine(2, [self.conf, 'not a text file',
                                      'byte 0x89 at offset 27'],
                                  'observe', 'start')
        self.assertNotIn('codec', line)

    def test_not_ini(self):
        with open(self.conf, 'w') as f:
            f.write('[DEFAULT]\nlog_file = x.log\nthis is not INI\n')
        self.assertOneLine(2, [self.conf, 'not an INI file: line 3'],
                           'analyse')


class StoreTest(ChildProcessTest):

    def test_not_a_url(self):
        self.write_conf('store_url = not a url\n')
        self.assertOneLine(2, ['[upgrade] store_url is not'],
                           'observe', 'start')
        self.assertNoObserverSpawned()

    def test_unknown_database_kind(self):
        self.write_conf('store_url = nosuchdb://u:%s@h/db\n' % PASSWORD)
        self.assertOneLine(2, ['[upgrade] store_url nosuchdb://u:***@h/db'],
                           'analyse', '--run', 'r1')

    def test_postgresql_that_does_not_answer(self):
        try:
            import psycopg2  # noqa: F401
        except ImportError:
            self.skipTest('psycopg2 is not installed')
        self.write_conf('store_url = postgresql+psycopg2://u:%s@127.0.0.1:1'
                        '/db\n' % PASSWORD)
        self.assertOneLine(1, ['cannot open the store postgresql+psycopg2'
                               '://u:***@127.0.0.1:1/db: '],
                           'observe', 'start')
        self.assertNoObserverSpawned()

    def test_mysql_that_does_not_answer(self):
        try:
            import pymysql  # noqa: F401
        except ImportError:
            self.skipTest('PyMySQL is not installed')
        self.write_conf('store_url = mysql+pymysql://u:%s@127.0.0.1:1/db\n'
                        % PASSWORD)
        self.assertOneLine(1, ['cannot open the store mysql+pymysql'
                               '://u:***@127.0.0.1:1/db: '],
                           'analyse', '--run', 'r1')

    def test_sqlite_under_a_file(self):
        open(os.path.join(self.tmp, 'file'), 'w').close()
        self.write_conf('store_url = sqlite:///%s/file/store.db\n'
                        % self.tmp)
        self.assertOneLine(2, ['[upgrade] store_url sqlite:',
                               'Not a directory'], 'analyse', '--run', 'r1')


class StateDirTest(ChildProcessTest):

    def test_state_dir_under_a_file(self):
        open(os.path.join(self.tmp, 'file'), 'w').close()
        self.state_dir = os.path.join(self.tmp, 'file', 'state')
        self.write_conf('')
        self.assertOneLine(2, ['[upgrade] state_dir: cannot create ',
                               'Not a directory'], 'observe', 'start')

    def test_state_dir_option_under_a_file(self):
        open(os.path.join(self.tmp, 'file'), 'w').close()
        self.write_conf('')
        self.assertOneLine(2, ['--state-dir: cannot create '], 'analyse',
                           '--state-dir', os.path.join(self.tmp, 'file'))


class DataplaneTargetsTest(ChildProcessTest):

    def test_bad_target_in_tempest_conf(self):
        self.write_conf('[upgrade_observers]\ndataplane_targets = '
                        '127.0.0.1:22, host:notaport\n')
        self.assertOneLine(2, ['[upgrade_observers] dataplane_targets: ',
                               "'host:notaport' is not host:port"],
                           'observe', 'start')
        self.assertNoObserverSpawned()


class CleanupConfigTest(ChildProcessTest):
    """cleanup reads tempest.conf as observe and analyse do."""

    def test_bad_value_names_its_group(self):
        self.write_conf('[upgrade_observers]\nrate = -1\n')
        self.assertOneLine(2, ['%s: [upgrade_observers] rate: ' % self.conf,
                               'greater than or equal to 0.1'],
                           'cleanup', '--run', 'r1')

    def test_not_ini(self):
        with open(self.conf, 'w') as f:
            f.write('[DEFAULT]\nlog_file = x.log\nthis is not INI\n')
        self.assertOneLine(2, [self.conf, 'not an INI file: line 3'],
                           'cleanup', '--run', 'r1')

    def test_not_text(self):
        with open(self.conf, 'wb') as f:
            f.write(b'[DEFAULT]\nlog_file = x.log\n\x89PNG\r\n\x1a\n')
        line = self.assertOneLine(2, [self.conf, 'not a text file',
                                      'byte 0x89 at offset 27'],
                                  'cleanup', '--run', 'r1')
        self.assertNotIn('codec', line)

    def test_store_url_not_a_url(self):
        self.write_conf('[upgrade]\nstore_url = not a url\n')
        self.assertOneLine(2, ['[upgrade] store_url is not an SQLAlchemy '
                               'database URL'], 'cleanup', '--run', 'r1')


class AccountsFileTest(ChildProcessTest):
    """observe start refuses an account the observer could not read."""

    def test_no_accounts_file(self):
        self.write_conf('', accounts=False)
        self.assertOneLine(2, ['no accounts file for the observers: set '
                               '[upgrade_observers] accounts_file or '
                               '[auth] test_accounts_file in %s' % self.conf],
                           'observe', 'start')
        self.assertNoObserverSpawned()

    def test_accounts_file_that_does_not_exist(self):
        missing = os.path.join(self.tmp, 'nope.yaml')
        self.write_conf('[auth]\ntest_accounts_file = %s\n' % missing,
                        accounts=False)
        self.assertOneLine(2, ['%s: [auth] test_accounts_file: cannot read '
                               'the accounts file %s: No such file or '
                               'directory' % (self.conf, missing)],
                           'observe', 'start')
        self.assertNoObserverSpawned()

    def test_no_non_admin_account(self):
        accounts = os.path.join(self.tmp, 'accounts.yaml')
        with open(accounts, 'w') as f:
            f.write(ADMIN_ONLY)
        # [upgrade_observers] accounts_file wins over [auth].
        self.write_conf('[auth]\ntest_accounts_file = /nonexistent\n'
                        '[upgrade_observers]\naccounts_file = %s\n'
                        % accounts, accounts=False)
        self.assertOneLine(2, ['%s: [upgrade_observers] accounts_file: no '
                               'non-admin account in %s' % (self.conf,
                                                            accounts)],
                           'observe', 'start')
        self.assertNoObserverSpawned()


class InProcessTest(base.TestCase):
    """Commands that read no tempest.conf run in this process."""

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        # No tempest.conf to be found.
        self.useFixture(fixtures.EnvironmentVariable('TEMPEST_CONFIG_DIR',
                                                     self.tmp))

    def cli(self, *argv):
        return cmd_fakes.capture_cli(*argv)

    def test_bad_dataplane_targets_in_settings(self):
        path = os.path.join(self.tmp, 'settings.json')
        for target, text in (
                ('nohost', "data-plane target 'nohost' is not host:port"),
                ('host:notaport',
                 "data-plane target 'host:notaport' is not host:port"),
                ('icmp:', "data-plane target 'icmp:' names no host"),
                ('host:70000', "bad port in 'host:70000'")):
            with open(path, 'w') as f:
                json.dump({'dataplane_targets': ['127.0.0.1:22', target]},
                          f)
            rc, out, err = self.cli('observe', 'start', '--state-dir',
                                    self.tmp, '--settings', path)
            self.assertEqual(2, rc, err)
            self.assertEqual(['upgrade-tempest: error: %s: '
                              'dataplane_targets: %s' % (path, text)],
                             err.splitlines())
            self.assertEqual([], glob.glob(os.path.join(self.tmp,
                                                        'observers-*')))

    def test_unreadable_settings(self):
        path = os.path.join(self.tmp, 'settings.json')
        for content, text in ((None, 'cannot read %s: No such file' % path),
                              ('[1', '%s is not JSON: ' % path),
                              ('[1]', '%s: observer settings must be a '
                               'JSON object' % path)):
            if content is not None:
                with open(path, 'w') as f:
                    f.write(content)
            rc, out, err = self.cli('observe', 'start', '--state-dir',
                                    self.tmp, '--settings', path)
            self.assertEqual(2, rc, err)
            self.assertEqual(1, len(err.splitlines()), err)
            self.assertIn(text, err)

    def test_accounts_file_of_settings(self):
        path = os.path.join(self.tmp, 'settings.json')
        missing = os.path.join(self.tmp, 'nope.yaml')
        for settings, text in (
                ({'rate': 5}, 'no accounts file for the observers: set '
                 'accounts_file in %s' % path),
                ({'accounts_file': missing}, '%s: accounts_file: cannot read '
                 'the accounts file %s: No such file or directory'
                 % (path, missing))):
            with open(path, 'w') as f:
                json.dump(settings, f)
            rc, out, err = self.cli('observe', 'start', '--state-dir',
                                    self.tmp, '--settings', path)
            self.assertEqual(2, rc, err)
            self.assertEqual(['upgrade-tempest: error: %s' % text],
                             err.splitlines())
            self.assertEqual([], glob.glob(os.path.join(self.tmp,
                                                        'observers-*')))

    def test_check_config_of_a_file_that_is_not_ini_text(self):
        path = os.path.join(self.tmp, 'tempest.conf')
        for content, text in ((b'[DEFAULT]\n\xd0\xff', 'is not a text '
                               'file (byte 0xd0 at offset 10 is not'),
                              (b'[DEFAULT\n', 'is not an INI file: line 1: '
                               'Invalid section')):
            with open(path, 'wb') as f:
                f.write(content)
            rc, out, err = self.cli('check-config', '--config-file', path)
            self.assertEqual(2, rc, err)
            self.assertEqual(1, len(err.splitlines()), err)
            self.assertIn('upgrade-tempest: error: %s %s' % (path, text),
                          err)
            self.assertNotIn('codec', err)


class CheckTest(base.TestCase):
    """The checks themselves, in this process."""

    def test_targets(self):
        settings = dict(obs_settings.DEFAULTS,
                        dataplane_targets=['', ' h:1 ', '[::1]:22'])
        self.assertIs(settings, obs_settings.check(settings))
        settings['dataplane_targets'] = ['h:1', 'h:']
        e = self.assertRaises(exceptions.UserError, obs_settings.check,
                              settings, '[g] ')
        self.assertEqual("[g] dataplane_targets: data-plane target 'h:' "
                         "is not host:port", str(e))

    def test_pick_account_without_a_file(self):
        for path in (None, ''):
            e = self.assertRaises(exceptions.UserError,
                                  credentials.pick_account, path)
            self.assertEqual('no accounts file for the observers: set '
                             '[upgrade_observers] accounts_file or [auth] '
                             'test_accounts_file', str(e))

    def test_pick_account_of_a_bad_file(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        path = os.path.join(tmp, 'accounts.yaml')
        for content, text in (
                (None, 'cannot read the accounts file %s: No such file or '
                 'directory' % path),
                (b'\x89PNG\r\n', 'the accounts file %s is not a text file'
                 % path),
                (b'3\n', 'the accounts file %s is not a list of accounts'
                 % path),
                (b'- {password: x}\n- plain\n',
                 'no non-admin account in %s' % path),
                (ADMIN_ONLY.encode(), 'no non-admin account in %s' % path)):
            if content is not None:
                with open(path, 'wb') as f:
                    f.write(content)
            e = self.assertRaises(exceptions.UserError,
                                  credentials.pick_account, path)
            self.assertEqual(text, str(e))
            self.assertNotIn(PASSWORD, str(e))
        e = self.assertRaises(exceptions.UserError,
                              credentials.pick_account, path, 'bob')
        self.assertEqual("no user 'bob' account in %s" % path, str(e))

    def test_check_account(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        path = os.path.join(tmp, 'accounts.yaml')
        with open(path, 'w') as f:
            f.write(ADMIN_ONLY + USER)
        settings = dict(obs_settings.DEFAULTS, accounts_file=path)
        self.assertIs(settings, obs_settings.check_account(
            settings, '[auth] test_accounts_file', '/w/tempest.conf'))
        settings['username'] = 'bob'
        e = self.assertRaises(exceptions.UserError,
                              obs_settings.check_account, settings,
                              '[auth] test_accounts_file', '/w/tempest.conf')
        self.assertEqual("/w/tempest.conf: [auth] test_accounts_file: no "
                         "user 'bob' account in %s" % path, str(e))
        settings['accounts_file'] = None
        e = self.assertRaises(exceptions.UserError,
                              obs_settings.check_account, settings,
                              'accounts_file', '/w/s.json')
        self.assertEqual('no accounts file for the observers: set '
                         'accounts_file in /w/s.json', str(e))

    def test_accounts_option(self):
        def conf(observers, auth):
            return type('Conf', (), {
                'upgrade_observers': type('O', (), {
                    'accounts_file': observers}),
                'auth': type('A', (), {'test_accounts_file': auth})})
        self.assertEqual('[upgrade_observers] accounts_file',
                         obs_settings.accounts_option(conf('a', 'b')))
        self.assertEqual('[auth] test_accounts_file',
                         obs_settings.accounts_option(conf('', 'b')))
        self.assertEqual('[upgrade_observers] accounts_file or [auth] '
                         'test_accounts_file',
                         obs_settings.accounts_option(conf('', None)))

    def test_state_dir_that_cannot_be_made(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        open(os.path.join(tmp, 'f'), 'w').close()
        conf = type('Conf', (), {'state_dir': os.path.join(tmp, 'f')})
        e = self.assertRaises(exceptions.UserError, run_context.state_dir,
                              conf)
        self.assertEqual('[upgrade] state_dir: cannot create %s/f: Not a '
                         'directory' % tmp, str(e))


class Boom(cmd_base.Command):
    """Fails the way a bug would."""

    def take_action(self, parsed_args):
        raise RuntimeError('lost mysql+pymysql://u:%s@h/db\nsecond line'
                           % PASSWORD)


class Bad(cmd_base.Command):
    """Fails the way bad input would."""

    def take_action(self, parsed_args):
        raise exceptions.UserError('bad')


class UnexpectedErrorTest(base.TestCase):
    """Any exception is one line, also when logging goes to a file."""

    def run_app(self, *argv):
        stdout = self.useFixture(
            fixtures.MonkeyPatch('sys.stdout', io.StringIO())).new_value
        stderr = self.useFixture(
            fixtures.MonkeyPatch('sys.stderr', io.StringIO())).new_value
        app = main.UpgradeTempestApp()
        app.command_manager.add_command('boom', Boom)
        app.command_manager.add_command('bad', Bad)

        # What oslo.log does when tempest.conf sets log_file: cliff's
        # stderr handler is gone.
        def configure_logging():
            import logging
            logger = logging.getLogger()
            self.addCleanup(setattr, logger, 'handlers',
                            list(logger.handlers))
            logger.handlers = [logging.NullHandler()]
        self.useFixture(fixtures.MockPatchObject(
            app, 'configure_logging', configure_logging))
        rc = app.run(list(argv))
        return rc, stdout.getvalue(), stderr.getvalue()

    def test_failure_is_one_line_exit_1(self):
        rc, out, err = self.run_app('boom')
        self.assertEqual(1, rc)
        self.assertEqual(
            ['upgrade-tempest: error: RuntimeError: lost '
             'mysql+pymysql://u:***@h/db second line (--debug shows the '
             'traceback)'], err.splitlines())

    def test_debug_adds_the_traceback(self):
        rc, out, err = self.run_app('--debug', 'boom')
        self.assertEqual(1, rc)
        self.assertIn('Traceback', err)
        self.assertNotIn(PASSWORD, err)
        self.assertTrue(err.splitlines()[-1].startswith(
            'upgrade-tempest: error: RuntimeError: lost '))

    def test_user_error_is_exit_2(self):
        rc, out, err = self.run_app('bad')
        self.assertEqual(2, rc)
        self.assertEqual('upgrade-tempest: error: bad\n', err)

    def test_describe(self):
        self.assertEqual(('gone', 1), cmd_base.describe(
            exceptions.Failure('gone')))
        self.assertEqual(('bad', 2), cmd_base.describe(
            exceptions.UserError('bad')))
        self.assertEqual(
            ('/w/t.conf: option rate: Should be greater than or equal to '
             '0.1', 2),
            cmd_base.describe(cfg.ConfigFileValueError(
                "Value for option rate from LocationInfo(location=<Locati"
                "ons.user: (4, True)>, detail='/w/t.conf') is not valid: "
                "Should be greater than or equal to 0.1")))
