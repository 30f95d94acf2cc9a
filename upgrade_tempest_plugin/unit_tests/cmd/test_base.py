"""cmd/base.py: the shared run arguments, RunContext, the read commands.

Every command that takes ``--config-file``, ``--run`` or ``--state-dir``
takes them with the same default and help; every read command speaks
cliff's ``-f json``.
"""

import argparse
import json
import os
import types

from cliff import display
import fixtures

from upgrade_tempest_plugin.cmd import base as cmd_base
from upgrade_tempest_plugin.cmd import main
from upgrade_tempest_plugin.cmd import observe
from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin.observers import settings as obs_settings
from upgrade_tempest_plugin import run_context
from upgrade_tempest_plugin.unit_tests import base
from upgrade_tempest_plugin.unit_tests.cmd import fakes as cmd_fakes

RUN_ARGUMENTS = ('--config-file', '--run', '--state-dir')
#: discover's --config-file is the file it writes its settings into (none:
#: print them), not the tempest.conf it reads.
OWN_CONFIG_FILE = {'discover'}
#: Commands over every run of the store: --config-file and --state-dir
#: (cmd_base.add_store_arguments), no --run.
STORE_COMMANDS = {'report trends', 'serve'}


def commands():
    """{name: parser} of every command of the application."""
    app = main.UpgradeTempestApp()
    parsers = {}
    for name, entry_point in app.command_manager:
        if name in ('help', 'complete'):
            continue
        command = entry_point.load()(app, None, cmd_name=name)
        parsers[name] = (command, command.get_parser(name))
    return parsers


def options(parser):
    return {action.option_strings[0]: action for action in parser._actions
            if action.option_strings}


class SharedArgumentsTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.reference = options(cmd_base.add_run_arguments(
            argparse.ArgumentParser()))
        self.commands = commands()

    def test_same_default_and_help_everywhere(self):
        checked = set()
        for name, (_, parser) in self.commands.items():
            declared = options(parser)
            for option in RUN_ARGUMENTS:
                if option not in declared:
                    continue
                if option == '--config-file' and name in OWN_CONFIG_FILE:
                    continue
                checked.add(name)
                mine, ref = declared[option], self.reference[option]
                self.assertEqual(
                    (ref.dest, ref.default, ref.help, ref.metavar),
                    (mine.dest, mine.default, mine.help, mine.metavar),
                    '%s %s' % (name, option))
        self.assertTrue({'analyse', 'check-config', 'cleanup',
                         'observe start', 'observe status', 'observe stop',
                         'validate'} <= checked, checked)

    def test_a_run_command_takes_all_three(self):
        for name, (_, parser) in self.commands.items():
            declared = options(parser)
            if '--run' in declared or '--state-dir' in declared:
                wanted = set(RUN_ARGUMENTS)
                if name in STORE_COMMANDS:
                    wanted.remove('--run')
                self.assertEqual(
                    wanted, set(RUN_ARGUMENTS) & set(declared), name)


class RunContextTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.useFixture(fixtures.EnvironmentVariable('TEMPEST_CONFIG_DIR',
                                                     self.dir))

    def test_missing_config_file_given(self):
        e = self.assertRaises(exceptions.UserError, cmd_base.RunContext.of,
                              os.path.join(self.dir, 'nope.conf'))
        self.assertIn('no such file', str(e))

    def test_missing_default_config_when_required(self):
        e = self.assertRaises(exceptions.UserError, cmd_base.RunContext.of,
                              state_dir=self.dir, config_required=True)
        self.assertIn('no tempest.conf found', str(e))

    def test_config_file_sets_the_state_dir_arguments_win(self):
        conf = os.path.join(self.dir, 'tempest.conf')
        open(conf, 'w').close()
        # Tempest's CONF is loaded once per process: not in a unit test.
        upgrade = run_context.upgrade_conf(
            state_dir=os.path.join(self.dir, 'from-conf'), run_id='conf-run')
        load = self.useFixture(fixtures.MockPatchObject(
            obs_settings, 'load_tempest_conf', autospec=True,
            return_value=types.SimpleNamespace(upgrade=upgrade))).mock
        ctx = cmd_base.RunContext.of()
        load.assert_called_once_with(conf)
        self.assertEqual(conf, ctx.config_file)
        self.assertEqual(os.path.join(self.dir, 'from-conf'), ctx.state_dir)
        self.assertEqual('conf-run', ctx.run_id)
        self.assertEqual('conf-run', ctx.require_run())
        ctx = cmd_base.RunContext.of(
            run_id='arg-run', state_dir=os.path.join(self.dir, 'arg'))
        self.assertEqual(os.path.join(self.dir, 'arg'), ctx.state_dir)
        self.assertEqual('arg-run', ctx.run_id)

    def test_require_run(self):
        ctx = cmd_base.RunContext.of(state_dir=self.dir)
        e = self.assertRaises(exceptions.UserError, ctx.require_run)
        self.assertIn('give --run', str(e))


class ContextRunIdTest(base.TestCase):
    """The run id and state dir come from run_context."""

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        # No tempest.conf here.
        self.useFixture(fixtures.EnvironmentVariable('TEMPEST_CONFIG_DIR',
                                                     self.dir))
        self.state = os.path.join(self.dir, 'state')

    def context(self, run_id=None, create_run=False):
        args = argparse.Namespace(config_file=None, run_id=run_id,
                                  state_dir=self.state)
        return cmd_base.RunContext(args, create_run=create_run)

    def test_no_run_recorded(self):
        ctx = self.context()
        self.assertIsNone(ctx.run_id)
        self.assertIsNone(run_context.recorded_run_id(
            run_context.upgrade_conf(state_dir=self.state)))

    def test_start_creates_the_run_status_finds_it(self):
        created = self.context(create_run=True).run_id
        self.assertTrue(created)
        self.assertEqual(created, self.context().run_id)

    def test_run_argument_wins(self):
        self.context(create_run=True)
        self.assertEqual('r-1', self.context(run_id='r-1').run_id)

    def test_store_url_is_run_contexts(self):
        ctx = self.context()
        self.assertEqual(run_context.sqlite_url(self.state), ctx.store_url)
        self.assertEqual('--state-dir', ctx.store_option)


class ReadCommandsTest(base.TestCase):
    """Every read command prints ``-f json``; --json is its old name."""

    #: Read commands and the test of their -f json (a command the
    #: application gains must be added here).
    TESTED = {
        'analyse': 'unit_tests/cmd/test_observe.py',
        'campaign list': 'unit_tests/campaign/test_cmd.py',
        'campaign status': 'unit_tests/campaign/test_cmd.py',
        'check-config': 'test_check_config_json',
        'cleanup': 'unit_tests/cmd/test_cleanup.py',
        'config set': 'unit_tests/cmd/test_config_set.py',
        'results import': 'unit_tests/cmd/test_results.py',
        'observe status': 'test_observe_status_json_and_alias',
        'queue cancel': 'functional_tests/queue/test_queue.py',
        'queue list': 'functional_tests/queue/test_queue.py',
        'queue status': 'functional_tests/queue/test_queue.py',
        'queue submit': 'functional_tests/queue/test_queue.py',
        'queue workers': 'functional_tests/queue/test_queue.py',
        'sandbox releases': 'test_sandbox_releases_json',
        'sandbox status': 'unit_tests/cmd/test_sandbox.py',
        'snapshot export': 'unit_tests/snapshot/test_run_part.py',
        'snapshot import': 'unit_tests/snapshot/test_run_part.py',
        'snapshot list': 'unit_tests/snapshot/test_storage.py',
        'snapshot prune': 'unit_tests/snapshot/test_storage.py',
        'snapshot pull': 'unit_tests/snapshot/test_storage.py',
        'snapshot push': 'unit_tests/snapshot/test_storage.py',
        'snapshot show': 'unit_tests/snapshot/test_run_part.py',
        'version': 'test_version_json',
    }

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.useFixture(fixtures.EnvironmentVariable('TEMPEST_CONFIG_DIR',
                                                     self.tmp))

    def cli(self, *argv):
        return cmd_fakes.capture_cli(*argv)

    def test_every_read_command_is_tested(self):
        readers = {name for name, (command, _) in commands().items()
                   if isinstance(command, display.DisplayCommandBase)}
        self.assertEqual(set(self.TESTED), readers)

    def test_version_json(self):
        rc, out, err = self.cli('version', '-f', 'json')
        self.assertEqual(0, rc, err)
        data = json.loads(out)
        self.assertEqual('upgrade-tempest-plugin', data['name'])
        self.assertTrue(data['version'])

    def test_check_config_json(self):
        conf = os.path.join(self.tmp, 'tempest.conf')
        with open(conf, 'w') as f:
            f.write('[upgrade]\nrequest_timeout = 5\n')
        rc, out, err = self.cli('check-config', '-f', 'json')
        self.assertEqual(0, rc, err)
        self.assertEqual({'config_file': conf, 'plugin_options': 'valid'},
                         json.loads(out))

    def test_sandbox_releases_json(self):
        rc, out, err = self.cli('sandbox', 'releases', '-f', 'json')
        self.assertEqual(0, rc, err)
        rows = json.loads(out)
        self.assertIn('2026.1', [row['series'] for row in rows])
        self.assertIn('keystone', rows[0])

    def test_observe_status_json_and_alias(self):
        state = os.path.join(self.tmp, 'state')
        args = ('observe', 'status', '--run', 'r1', '--state-dir', state)
        rc, out, err = self.cli(*args + ('-f', 'json'))
        self.assertEqual(3, rc, err)
        self.assertNotIn('deprecated', err)
        data = json.loads(out)
        self.assertEqual({'run_id': 'r1', 'state': 'never'},
                         {k: data[k] for k in ('run_id', 'state')})
        self.assertEqual(set(observe.STATUS_FIELDS), set(data))
        rc, alias_out, err = self.cli(*args + ('--json',))
        self.assertEqual(3, rc)
        self.assertEqual(data, json.loads(alias_out))
        self.assertEqual(['upgrade-tempest: warning: --json is deprecated, '
                          'use -f json'], err.splitlines())
        rc, out, err = self.cli(*args)
        self.assertEqual(3, rc)
        self.assertIn('| state', out)
