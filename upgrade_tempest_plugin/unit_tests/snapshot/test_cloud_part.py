"""The cloud part's pure pieces: dump splitting, SQL fix-ups, the target.

Dumping and rebuilding a real sandbox is the functional test's
(functional_tests/snapshot/test_snapshot.py).
"""

import json
import os
import shutil
import sqlite3

import fixtures

from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin.sandbox import ports
from upgrade_tempest_plugin.snapshot import cloud_part
from upgrade_tempest_plugin.unit_tests import base

DUMP = """/*M!999999\\- enable the sandbox mode */
-- MariaDB dump 10.19
/*!40101 SET NAMES utf8mb4 */;
/*!40103 SET @OLD_TIME_ZONE=@@TIME_ZONE */;

--
-- Current Database: `keystone`
--

CREATE DATABASE /*!32312 IF NOT EXISTS*/ `keystone`;
USE `keystone`;
INSERT INTO `endpoint` VALUES ('http://127.0.0.1:15400/v3');

--
-- Current Database: `nova_api`
--

CREATE DATABASE /*!32312 IF NOT EXISTS*/ `nova_api`;
USE `nova_api`;
/*!40103 SET TIME_ZONE=@OLD_TIME_ZONE */;

/*!40101 SET SQL_MODE=@OLD_SQL_MODE */;

-- Dump completed
"""


class TestSplitDump(base.TestCase):

    def test_split_and_rejoin(self):
        out = self.useFixture(fixtures.TempDir()).path
        names = cloud_part.split_dump(DUMP, out)
        self.assertEqual([cloud_part.POSTAMBLE, cloud_part.PREAMBLE,
                          'keystone.sql', 'nova_api.sql'], names)
        parts = {}
        for name in names:
            with open(os.path.join(out, name)) as f:
                parts[name] = f.read()
        self.assertTrue(parts['keystone.sql'].startswith(
            '--\n-- Current Database: `keystone`'))
        self.assertIn("USE `keystone`", parts['keystone.sql'])
        self.assertNotIn('nova_api', parts['keystone.sql'])
        self.assertTrue(parts[cloud_part.POSTAMBLE].startswith(
            '/*!40103 SET TIME_ZONE=@OLD_TIME_ZONE */;'))
        # preamble + databases + postamble is the dump again
        self.assertEqual(DUMP, ''.join(
            parts[n] for n in (cloud_part.PREAMBLE, 'keystone.sql',
                               'nova_api.sql', cloud_part.POSTAMBLE)))

    def test_no_database(self):
        out = self.useFixture(fixtures.TempDir()).path
        self.assertRaises(exceptions.Failure, cloud_part.split_dump,
                          '-- nothing\n', out)


class TestFixups(base.TestCase):

    def setUp(self):
        super().setUp()
        self.addCleanup(ports.use_offset, 0)
        ports.use_offset(600)

    def test_statements(self):
        secrets = {'db': 'NEWDB', 'rabbit': 'NEWMQ'}
        sql = cloud_part.fixups(400, '/root/old', '/root/new', secrets,
                                ['keystone', 'glance', 'nova_api'])
        self.assertEqual(4, len(sql))
        self.assertIn("'127.0.0.1:15400', '127.0.0.1:15600'", sql[0])
        self.assertIn("'127.0.0.1:19174', '127.0.0.1:19374'", sql[0])
        self.assertIn("os:NEWDB@127.0.0.1:13906/nova_cell0", sql[1])
        self.assertIn("WHERE name = 'cell0'", sql[1])
        self.assertIn('rabbit://openstack:NEWMQ@127.0.0.1:17272/', sql[2])
        self.assertIn("REPLACE(value, 'file:///root/old/', "
                      "'file:///root/new/')", sql[3])

    def test_swift_endpoint_gets_the_new_proxy_port(self):
        sql = cloud_part.fixups(400, '/a', '/b', {}, ['keystone'])
        self.assertIn("'127.0.0.1:18480', '127.0.0.1:18680'", sql[0])

    def test_only_the_databases_present(self):
        self.assertEqual([], cloud_part.fixups(0, '/a', '/b', {}, ['cinder']))

    def test_quote(self):
        self.assertEqual("'a\\'b\\\\c'", cloud_part._sql_quote("a'b\\c"))


class TestSwiftData(base.TestCase):

    def test_databases_copied_consistently_the_rest_as_is(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        src = os.path.join(tmp, 'src', 'devices', 'd1', 'containers', '1')
        os.makedirs(src)
        db = sqlite3.connect(os.path.join(src, 'c.db'))
        db.execute('CREATE TABLE object (name TEXT)')
        db.execute("INSERT INTO object VALUES ('o1')")
        db.commit()
        db.close()
        with open(os.path.join(src, 'c.db.pending'), 'w') as f:
            f.write(':pending')
        os.makedirs(os.path.join(tmp, 'src', 'devices', 'd1', 'tmp'))
        dst = os.path.join(tmp, 'dst')
        copyfile = self.useFixture(fixtures.MockPatch(
            'shutil.copyfile', side_effect=shutil.copyfile)).mock
        cloud_part._copy_tree(os.path.join(tmp, 'src'), dst,
                              cloud_part.SKIP_DATA_DIRS, sqlite=True)
        # the database through SQLite's backup, not as a file
        self.assertEqual(['c.db.pending'], [
            os.path.basename(c[0][0]) for c in copyfile.call_args_list])
        copied = os.path.join(dst, 'devices', 'd1', 'containers', '1')
        copy = sqlite3.connect(os.path.join(copied, 'c.db'))
        self.addCleanup(copy.close)
        self.assertEqual([('o1',)],
                         copy.execute('SELECT name FROM object').fetchall())
        with open(os.path.join(copied, 'c.db.pending')) as f:
            self.assertEqual(':pending', f.read())

    def object_file(self, root, value):
        path = os.path.join(root, 'devices', 'd1', 'objects', '7', 'abc',
                            'h1', '1.data')
        os.makedirs(os.path.dirname(path))
        with open(path, 'w') as f:
            f.write('object body')
        if value is not None:
            os.setxattr(path, 'user.swift.metadata', value)
            os.setxattr(path, 'user.other', b'not carried')
        return path

    def test_object_metadata_travels_beside_the_files(self):
        """Swift's metadata is in xattrs, which copies and tars drop."""
        tmp = self.useFixture(fixtures.TempDir()).path
        metadata = bytes(range(256))
        self.object_file(os.path.join(tmp, 'src'), metadata)
        saved = os.path.join(tmp, cloud_part.XATTRS_FILE)
        cloud_part.save_xattrs(os.path.join(tmp, 'src'), saved)
        restored = self.object_file(os.path.join(tmp, 'dst'), None)
        self.assertEqual([], os.listxattr(restored))
        cloud_part.restore_xattrs(saved, os.path.join(tmp, 'dst'))
        self.assertEqual(['user.swift.metadata'], os.listxattr(restored))
        self.assertEqual(metadata,
                         os.getxattr(restored, 'user.swift.metadata'))

    def test_attributes_for_a_path_outside_are_refused(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        outside = os.path.join(tmp, 'outside')
        with open(outside, 'w') as f:
            f.write('x')
        saved = os.path.join(tmp, cloud_part.XATTRS_FILE)
        for rel, attrs in [('../outside', {'user.swift.metadata': 'eA=='}),
                           ('nothing-here', {'user.swift.metadata': 'eA=='}),
                           ('f', {'trusted.x': 'eA=='})]:
            dst = os.path.join(tmp, 'dst')
            os.makedirs(dst, exist_ok=True)
            with open(os.path.join(dst, 'f'), 'w') as f:
                f.write('x')
            with open(saved, 'w') as f:
                json.dump({rel: attrs}, f)
            self.assertRaises(exceptions.UserError,
                              cloud_part.restore_xattrs, saved, dst)
            self.assertEqual([], os.listxattr(outside))
            self.assertEqual([], os.listxattr(os.path.join(dst, 'f')))


class TestTarget(base.TestCase):

    def setUp(self):
        super().setUp()
        self.addCleanup(ports.use_offset, 0)
        self.free = self.useFixture(fixtures.MockPatchObject(
            ports, 'in_use', return_value=False)).mock

    def test_new_or_empty_only(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        cloud_part.check_target(os.path.join(tmp, 'new'), 700)
        cloud_part.check_target(tmp, 700)
        open(os.path.join(tmp, 'x'), 'w').close()
        exc = self.assertRaises(exceptions.UserError,
                                cloud_part.check_target, tmp, 700)
        self.assertIn('is not empty', str(exc))

    def test_ports_of_the_new_offset_must_be_free(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        self.free.side_effect = lambda port: port == 13306 + 700
        exc = self.assertRaises(exceptions.UserError,
                                cloud_part.check_target, tmp, 700)
        self.assertIn('port 14006 (mariadb)', str(exc))
        exc = self.assertRaises(exceptions.UserError,
                                cloud_part.check_target, tmp, 750)
        self.assertIn('port offset 750', str(exc))
