"""Samples, gaps and the series the analysis reads."""

import time

from upgrade_tempest_plugin.store import models
from upgrade_tempest_plugin.unit_tests.store import fakes


class SampleTests(object):

    def test_samples_processes_gaps(self):
        pid = self.store.register_process(self.run_id, 123, 'host', 'detached',
                                          attrs={'services': ['compute']})
        now = time.time()
        samples = [dict(run_id=self.run_id, observer=models.API,
                        target='compute', sent_at=now + i * 0.1,
                        answered_at=now + i * 0.1 + 0.01, latency=0.01,
                        outcome='ok', status=200, process_id=pid)
                   for i in range(50)]
        self.store.add_samples(samples, heartbeat={
            'process_id': pid, 'at': now + 5, 'samples_written': 50})
        stored = self.store.list_samples(self.run_id, target='compute')
        self.assertEqual(50, len(stored))
        self.assertAlmostEqual(now + 0.1, stored[1]['sent_at'], places=5)
        process = self.store.get_process(pid)
        self.assertEqual(now + 5, process['heartbeat_at'])
        self.assertEqual(50, process['samples_written'])
        self.store.add_gap(self.run_id, now, now + 3,
                           models.GAP_STORE_UNAVAILABLE, lost_samples=0)
        self.assertEqual(3.0, round(self.store.list_gaps(
            self.run_id)[0]['ends_at'] - now, 6))
        targets = self.store.sample_targets(self.run_id)
        self.assertEqual([('api', 'compute', 50)],
                         [t[:3] for t in targets])

    def test_list_samples_filters(self):
        self.store.add_samples([
            dict(run_id=self.run_id, observer=observer, target=target,
                 sent_at=at, outcome=models.OUTCOME_OK)
            for observer, target, at in (
                (models.API, 'compute', 1.0), (models.API, 'compute', 2.0),
                (models.API, 'image', 1.5),
                (models.DATAPLANE, 'compute', 1.0))])
        self.assertEqual([2.0], [s['sent_at'] for s in self.store.list_samples(
            self.run_id, observer=models.API, target='compute', start=1.5,
            end=3.0)])
        self.assertEqual(
            [(models.API, 'compute', 2, 1.0, 2.0),
             (models.API, 'image', 1, 1.5, 1.5)],
            sorted(self.store.sample_targets(self.run_id,
                                             observer=models.API)))

    def test_sample_spans_as_sample_targets_without_counts(self):
        self.store.add_samples([
            dict(run_id=run_id, observer=observer, target=target,
                 sent_at=at, outcome=outcome)
            for run_id, observer, target, at, outcome in (
                (self.run_id, models.API, 'image', 4.0, 'refused'),
                (self.run_id, models.API, 'compute', 2.0, models.OUTCOME_OK),
                (self.run_id, models.API, 'image', 1.5, models.OUTCOME_OK),
                (self.run_id, models.API, 'compute', 1.0, models.OUTCOME_OK),
                (self.run_id, models.DATAPLANE, '10.0.0.5:22', 3.0,
                 models.OUTCOME_OK),
                ('other-run', models.API, 'compute', 0.5,
                 models.OUTCOME_OK),
                ('other-run', models.API, 'zzz', 9.0, models.OUTCOME_OK))])
        self.assertEqual(
            [(models.API, 'compute', 1.0, 2.0),
             (models.API, 'image', 1.5, 4.0),
             (models.DATAPLANE, '10.0.0.5:22', 3.0, 3.0)],
            self.store.sample_spans(self.run_id))
        self.assertEqual(
            sorted((o, t, first, last) for o, t, _n, first, last
                   in self.store.sample_targets(self.run_id)),
            self.store.sample_spans(self.run_id))
        self.assertEqual([], self.store.sample_spans('no-such-run'))

    def test_target_series(self):
        self.store.add_samples([
            dict(run_id=self.run_id, observer=models.API, target='compute',
                 sent_at=at, latency=latency, outcome=outcome)
            for at, latency, outcome in (
                (3.0, 0.3, models.OUTCOME_OK),
                (1.0, 0.1, models.OUTCOME_OK),
                (2.0, None, models.OUTCOME_REFUSED),
                (4.0, None, models.OUTCOME_TIMEOUT))])
        self.assertEqual({'ok_sent': [1.0, 3.0], 'ok_latency': [0.1, 0.3],
                          'fail_sent': [2.0, 4.0],
                          'fail_outcome': [models.OUTCOME_REFUSED,
                                           models.OUTCOME_TIMEOUT]},
                         self.store.target_series(self.run_id, models.API,
                                                  'compute'))


class SQLiteSampleTest(SampleTests, fakes.SQLiteCase):
    pass


class PostgreSQLSampleTest(SampleTests, fakes.PostgreSQLCase):
    pass


class MySQLSampleTest(SampleTests, fakes.MySQLCase):
    pass
