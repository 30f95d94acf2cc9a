"""The run part: rows out and back in, files without secrets, the CLI."""

import io
import json
import os
import tarfile
import types

import fixtures

from upgrade_tempest_plugin.analysis import run_analysis
from upgrade_tempest_plugin.cmd import base as cmd_base
from upgrade_tempest_plugin.cmd import main
from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin.observers import settings as obs_settings
from upgrade_tempest_plugin import run_context
from upgrade_tempest_plugin.sandbox import errors as sandbox_errors
from upgrade_tempest_plugin.snapshot import bundle
from upgrade_tempest_plugin.snapshot import cloud_part
from upgrade_tempest_plugin.snapshot import exporter
from upgrade_tempest_plugin.snapshot import run_rows
from upgrade_tempest_plugin.store import models
from upgrade_tempest_plugin.unit_tests import base
from upgrade_tempest_plugin.unit_tests.snapshot import fakes


def _rows_without_ids(store, run_id):
    rows = {}
    with store.engine.connect() as conn:
        for name in run_rows.TABLES:
            table = run_rows._table(name)
            col = run_rows._run_column(table)
            rows[name] = [
                {k: v for k, v in r._mapping.items()
                 if k not in ('id', 'run_id', 'process_id')}
                for r in conn.execute(table.select().where(
                    col == run_id).order_by(*table.primary_key.columns))]
    return rows


def fake_conf(test, state_dir):
    """Tempest's CONF is loaded once per process: not in a unit test.

    The commands get the ``[upgrade]`` values of the fake tempest.conf;
    the run part reads the file itself (redaction, accounts, logs).
    """
    test.useFixture(fixtures.MockPatchObject(
        obs_settings, 'load_tempest_conf', autospec=True,
        return_value=types.SimpleNamespace(
            upgrade=run_context.upgrade_conf(state_dir=state_dir))))


class TestRunRows(base.TestCase):

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.src = fakes.open_store(os.path.join(self.tmp, 'src'))
        self.addCleanup(self.src.close)
        self.process_id = fakes.fill_run(self.src)

    def _export(self):
        out = os.path.join(self.tmp, 'rows')
        counts = run_rows.export(self.src, fakes.RUN, out)
        self.assertEqual({'runs': 1, 'events': 1, 'observer_processes': 1,
                          'samples': 20, 'gaps': 1, 'honour_requests': 1,
                          'ledger': 1, 'test_results': 1, 'campaigns': 1,
                          'campaign_items': 1}, counts)
        return run_rows.read(out)

    def test_round_trip_into_empty_store_keeps_ids(self):
        rows = self._export()
        dst = fakes.open_store(os.path.join(self.tmp, 'dst'))
        self.addCleanup(dst.close)
        self.assertEqual(fakes.RUN, run_rows.load(dst, rows))
        self.assertEqual(_rows_without_ids(self.src, fakes.RUN),
                         _rows_without_ids(dst, fakes.RUN))
        self.assertEqual(self.src.list_processes(fakes.RUN),
                         dst.list_processes(fakes.RUN))
        self.assertEqual(self.src.list_samples(fakes.RUN),
                         dst.list_samples(fakes.RUN))
        # the analysis reads the same from both
        original = run_analysis.build(self.src, fakes.RUN)
        imported = run_analysis.build(dst, fakes.RUN)
        for result in (original, imported):
            result.pop('seconds')
        self.assertEqual(original, imported)

    def test_existing_run_refused_then_new_id(self):
        rows = self._export()
        exc = self.assertRaises(exceptions.UserError, run_rows.load,
                                self.src, rows)
        self.assertIn('give --as NEW_ID', str(exc))
        run_rows.load(self.src, rows, 'copy')
        # ids were taken, so new ones; references follow the process
        procs = self.src.list_processes('copy')
        self.assertNotEqual(self.process_id, procs[0]['id'])
        samples = self.src.list_samples('copy')
        self.assertEqual({procs[0]['id']},
                         {s['process_id'] for s in samples})
        self.assertEqual(_rows_without_ids(self.src, fakes.RUN),
                         _rows_without_ids(self.src, 'copy'))
        # and new rows after the import still get fresh ids
        self.src.register_process('copy', 1, 'h', 'detached')

    def test_every_run_table_is_exported(self):
        # a table the store gains with a run column must be added
        with_run = {t.name for t in models.metadata.sorted_tables
                    if 'run_id' in t.c or t.name == 'runs'}
        self.assertEqual(with_run - set(run_rows.NOT_EXPORTED),
                         set(run_rows.TABLES))

    def test_unknown_column_refused(self):
        out = os.path.join(self.tmp, 'rows')
        run_rows.export(self.src, fakes.RUN, out)
        with open(os.path.join(out, 'gaps.jsonl'), 'a') as f:
            f.write(json.dumps({'id': 9, 'evil': 1}) + '\n')
        exc = self.assertRaises(exceptions.UserError, run_rows.read, out)
        self.assertIn('gaps.jsonl line 2 has columns this store does not '
                      'know: evil', str(exc))


class RunCase(base.TestCase):
    """A recorded run, its workspace and state dir; the CLI in-process."""

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.state = os.path.join(self.tmp, 'state')
        store = fakes.open_store(self.state)
        fakes.fill_run(store)
        store.close()
        with open(os.path.join(self.state, 'observers-%s.log' % fakes.RUN),
                  'w') as f:
            f.write('observer started\n')
        self.conf = fakes.workspace(os.path.join(self.tmp, 'ws'),
                                    self.state)
        fake_conf(self, self.state)
        self.useFixture(fixtures.EnvironmentVariable(
            exporter.LOCAL_DIR_ENV, os.path.join(self.tmp, 'local')))
        self.stdout = self.useFixture(fixtures.MonkeyPatch(
            'sys.stdout', io.StringIO())).new_value
        self.stderr = self.useFixture(fixtures.MonkeyPatch(
            'sys.stderr', io.StringIO())).new_value

    def cli(self, *args):
        return main.main(list(args))

    def export(self):
        out = os.path.join(self.tmp, 'b.tar.gz')
        rc = self.cli('snapshot', 'export', '--config-file', self.conf,
                      '--run', fakes.RUN, '-o', out, '-f', 'json')
        self.assertEqual(0, rc, self.stderr.getvalue())
        shown = json.loads(self.stdout.getvalue())
        self.stdout.seek(0)
        self.stdout.truncate()
        self.assertEqual(out, shown['path'])
        self.assertEqual('2026.1 -> 2026.2', shown['releases'])
        return out


class TestExportImport(RunCase):

    def test_bundle_holds_the_run_without_secrets(self):
        out = self.export()
        manifest = bundle.verify(out)
        paths = [f['path'] for f in manifest['files']]
        for expected in ('run/store/samples.jsonl', 'run/etc/tempest.conf',
                         'run/etc/accounts.yaml', 'run/logs/tempest.log',
                         'run/stestr/0/0', 'run/stestr/0/format',
                         'run/state/observers-%s.log' % fakes.RUN):
            self.assertIn(expected, paths)
        # every byte of every member, scanned for the passwords
        with tarfile.open(out) as tar:
            members = tar.getmembers()
            self.assertEqual(len(paths) + 1, len(members))
            for member in members:
                data = tar.extractfile(member).read()
                for secret in (fakes.ADMIN_PASSWORD, fakes.DEMO_PASSWORD,
                               'short'):
                    self.assertNotIn(secret.encode(), data, member.name)
            conf = tar.extractfile('run/etc/tempest.conf').read().decode()
        self.assertIn('admin_password = <redacted>', conf)
        self.assertIn('use_dynamic_credentials = False', conf)

    def test_secret_left_refuses_the_export(self):
        # a secret the scrubber cannot blank (it is split by the copy)
        # must stop the export: simulate by a scan that finds one
        self.useFixture(fixtures.MockPatch(
            'upgrade_tempest_plugin.snapshot.scrub.scan',
            return_value=[('run/logs/tempest.log', 0)]))
        out = os.path.join(self.tmp, 'b.tar.gz')
        rc = self.cli('snapshot', 'export', '--config-file', self.conf,
                      '--run', fakes.RUN, '-o', out)
        self.assertEqual(1, rc)
        self.assertIn('a secret is still in run/logs/tempest.log',
                      self.stderr.getvalue())
        self.assertFalse(os.path.exists(out))
        self.assertEqual([], [n for n in os.listdir(self.tmp)
                              if n.startswith('.b.tar.gz')])

    def test_import_elsewhere_and_as_new_id(self):
        out = self.export()
        other = os.path.join(self.tmp, 'other')
        rc = self.cli('snapshot', 'import', out, '--state-dir', other,
                      '-f', 'json')
        self.assertEqual(0, rc, self.stderr.getvalue())
        shown = json.loads(self.stdout.getvalue())
        self.assertEqual(fakes.RUN, shown['run'])
        self.assertTrue(os.path.isfile(os.path.join(
            other, 'imported', fakes.RUN, 'stestr', '0', '0')))
        src = fakes.open_store(self.state)
        dst = fakes.open_store(other)
        self.addCleanup(src.close)
        self.addCleanup(dst.close)
        original = run_analysis.build(src, fakes.RUN)
        imported = run_analysis.build(dst, fakes.RUN)
        original.pop('seconds')
        imported.pop('seconds')
        self.assertEqual(original, imported)
        # again: refused, one line, exit 2; with --as it goes in
        self.stderr.seek(0)
        self.stderr.truncate()
        self.assertEqual(2, self.cli('snapshot', 'import', out,
                                     '--state-dir', other))
        self.assertIn('already in the store', self.stderr.getvalue())
        self.assertEqual(1, len(self.stderr.getvalue().splitlines()))
        self.assertEqual(0, self.cli('snapshot', 'import', out,
                                     '--state-dir', other, '--as', 'r2'))
        self.assertEqual(20, len(dst.list_samples('r2')))

    def test_broken_bundle_refused_nothing_written(self):
        out = self.export()
        with open(out, 'rb') as f:
            data = f.read()
        with open(out, 'wb') as f:
            f.write(data[:-200])
        other = os.path.join(self.tmp, 'other')
        self.assertEqual(2, self.cli('snapshot', 'import', out,
                                     '--state-dir', other))
        self.assertIn('truncated', self.stderr.getvalue())
        self.assertFalse(os.path.exists(other))

    def test_show_and_bad_input(self):
        out = self.export()
        self.assertEqual(0, self.cli('snapshot', 'show', out, '-f', 'json'))
        self.assertEqual(fakes.RUN,
                         json.loads(self.stdout.getvalue())['run'])
        for args, text in (
                (('snapshot', 'show', os.path.join(self.tmp, 'nope')),
                 'no such file'),
                (('snapshot', 'export', '--config-file', self.conf,
                  '--run', 'missing', '-o', out), 'no run missing'),
                (('snapshot', 'export', '--config-file', self.conf,
                  '--sandbox-dir', self.tmp), '--sandbox-dir needs'),
                (('snapshot', 'export', '--config-file', self.conf,
                  '--run', fakes.RUN, '-o', os.path.join(self.tmp, 'no',
                                                         'b.tar.gz')),
                 'no such directory'),
                (('snapshot', 'export', '--config-file', self.conf,
                  '--with-cloud', '--sandbox-dir', self.tmp),
                 'no sandbox in')):
            self.stderr.seek(0)
            self.stderr.truncate()
            self.assertEqual(2, self.cli(*args), args)
            lines = self.stderr.getvalue().splitlines()
            self.assertEqual(1, len(lines), lines)
            self.assertIn(text, lines[0])

    def test_export_to_default_dir(self):
        ctx = cmd_base.RunContext.of(config_file=self.conf,
                                     run_id=fakes.RUN)
        path, size, manifest = exporter.export(ctx, clock=lambda: 0.0)
        self.assertEqual(os.path.join(
            self.tmp, 'local', '%s-19700101T000000Z.tar.gz' % fakes.RUN),
            path)
        self.assertEqual(os.path.getsize(path), size)
        self.assertEqual(['run'], manifest['parts'])


class TestImportWithCloud(RunCase):
    """What import passes to the cloud part, and a failed rebuild."""

    def cloud_bundle(self):
        run_only = self.export()
        staging = os.path.join(self.tmp, 'staging')
        bundle.extract(run_only, staging)
        os.makedirs(os.path.join(staging, 'cloud'))
        with open(os.path.join(staging, 'cloud', 'state.json'), 'w') as f:
            f.write('{}')
        manifest = bundle.build_manifest(
            staging, run_id=fakes.RUN, created_at=1.0, parts=['run', 'cloud'],
            releases={'before': '2026.1', 'after': '2026.2'},
            cloud={'root': '/old'})
        path = os.path.join(self.tmp, 'cloud.tar.gz')
        bundle.write(path, staging, manifest)
        self.useFixture(fixtures.MockPatchObject(cloud_part, 'check_target'))
        return path

    def test_rebuilt_sandbox_names_the_imported_run(self):
        path = self.cloud_bundle()
        restore = self.useFixture(fixtures.MockPatchObject(
            cloud_part, 'restore', return_value='/new')).mock
        other = os.path.join(self.tmp, 'other')
        self.assertEqual(0, self.cli('snapshot', 'import', path, '--dir',
                                     '/new', '--state-dir', other,
                                     '--as', 'r9', '-f', 'json'))
        self.assertEqual('/new', json.loads(self.stdout.getvalue())[
            'sandbox'])
        extra = restore.call_args[0][5]
        self.assertEqual({'upgrade': {
            'state_dir': other, 'run_id': 'r9',
            'expected_release_before': '2026.1',
            'expected_release_after': '2026.2'}}, extra)

    def test_failed_rebuild_is_one_line_with_the_way_out(self):
        path = self.cloud_bundle()
        self.useFixture(fixtures.MockPatchObject(
            cloud_part, 'restore',
            side_effect=sandbox_errors.SandboxError('mariadb did not start')))
        self.stderr.seek(0)
        self.stderr.truncate()
        rc = self.cli('snapshot', 'import', path, '--dir', '/new',
                      '--state-dir', os.path.join(self.tmp, 'other'))
        self.assertEqual(1, rc)
        # (a new store logs its creation first)
        lines = [line for line in self.stderr.getvalue().splitlines()
                 if 'upgrading the store schema' not in line]
        self.assertEqual(1, len(lines), lines)
        self.assertIn('the run was imported as %s, but rebuilding the cloud '
                      'failed: mariadb did not start' % fakes.RUN, lines[0])
        self.assertIn('sandbox destroy --dir /new', lines[0])
