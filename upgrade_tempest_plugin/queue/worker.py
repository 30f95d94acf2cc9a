"""``upgrade-tempest-worker``: take queue jobs from geard and run them.

``upgrade-tempest-worker --gearman HOST:PORT [--slots N]``.  Each slot is
its own Gearman connection that takes one job at a time, so geard spreads
jobs over every slot of every worker.  A job's payload is checked again
here (any Gearman client may submit one); a bad payload fails the job with
the located message.  Progress goes to geard as WORK_STATUS
(tests done / tests selected) and states go to the status API named in the
payload.  gear reconnects to a geard that went away; a job whose worker
dies is failed by geard (WORK_FAIL) and shown as ``lost`` by the client.

Imports only the standard library, jsonschema, gear and six: one ``pip
install --no-deps`` of those and the plugin installs a worker (see
doc/source/queue.rst).
"""

import argparse
import json
import logging
import os
import signal
import socket
import sys
import tempfile
import threading

import gear

from upgrade_tempest_plugin.queue import gearsock
from upgrade_tempest_plugin.queue import job as job_mod
from upgrade_tempest_plugin.queue import payload as payload_mod
from upgrade_tempest_plugin.queue import reporter
from upgrade_tempest_plugin.queue import venvs

LOG = logging.getLogger('upgrade-tempest-worker')

#: The Gearman function every job is submitted to.
FUNCTION = 'upgrade_tempest_run'


def gearman_address(text):
    """``HOST:PORT`` as (host, port); argparse type."""
    host, _, port = text.rpartition(':')
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError('%r is not HOST:PORT' % text)
    return host.strip('[]'), int(port)


def read_token(path):
    """The worker's status API token (first line of ``path``), or None."""
    if not path:
        return None
    with open(path) as token_file:
        return token_file.readline().strip() or None


class Slot:
    """One Gearman connection running one job at a time."""

    def __init__(self, worker_name, name, servers, cache, work_dir, token,
                 ssl=None):
        self.worker_name = worker_name
        self.name = name
        self.cache = cache
        self.work_dir = work_dir
        self.token = token
        self.worker = gearsock.Worker(name)
        for host, port in servers:
            self.worker.addServer(host, port, **(ssl or {}))
        self.worker.registerFunction(FUNCTION)
        self.stopping = False

    def serve(self):
        while not self.stopping:
            try:
                gear_job = self.worker.getJob()
            except gear.InterruptedError:
                break
            self.handle(gear_job)
        self.worker.shutdown()

    def stop(self):
        self.stopping = True
        self.worker.stopWaitingForJobs()

    def handle(self, gear_job):
        """Run one Gearman job; any problem fails the job, not the slot."""
        try:
            payload = payload_mod.parse(gear_job.arguments)
        except payload_mod.PayloadError as exc:
            LOG.warning('%s: refused job %s: %s', self.name,
                        gear_job.handle, exc)
            _send(gear_job.sendWorkException, str(exc).encode('utf-8'))
            return
        test_id = payload['test_id']
        LOG.info('%s: job %s (%s) started', self.name, test_id,
                 gear_job.handle)
        report = reporter.Reporter(payload['report']['url'], test_id,
                                   self.worker_name, self.token)
        report.post(reporter.ACCEPTED, worker=self.name,
                    **payload_mod.summary(payload))
        outcome = job_mod.Job(
            payload, self.cache, self.work_dir, report,
            progress=lambda n, d: _send(gear_job.sendWorkStatus, n, d)).run()
        LOG.info('%s: job %s ended %s: %s', self.name, test_id,
                 outcome.state, outcome.reason or '-')
        done = json.dumps({'test_id': test_id, 'state': outcome.state,
                           'reason': outcome.reason,
                           'passed': outcome.passed,
                           'failed': outcome.failed,
                           'skipped': outcome.skipped}).encode('utf-8')
        if outcome.state == reporter.PASSED:
            _send(gear_job.sendWorkComplete, done)
        else:
            _send(gear_job.sendWorkData, done)
            _send(gear_job.sendWorkFail)


def _send(method, *args):
    """Send a packet about a job; a lost geard is logged, not raised.

    The job goes on (its states reach the status API); gear reconnects
    the slot for the next job.  A restarted geard has forgotten the job.
    """
    try:
        method(*args)
    except (OSError, gear.GearmanError, gear.ConnectionError,
            AttributeError) as exc:
        # AttributeError: gear drops the socket of a lost connection.
        LOG.warning('geard did not get %s: %s', method.__name__,
                    type(exc).__name__)


def parser():
    parser = argparse.ArgumentParser(
        prog='upgrade-tempest-worker',
        description='Run upgrade-tempest queue jobs taken from geard.')
    parser.add_argument('--gearman', type=gearman_address, action='append',
                        required=True, metavar='HOST:PORT',
                        help='geard to take jobs from (repeat for more)')
    parser.add_argument('--slots', type=int, default=1,
                        help='jobs run at the same time (default 1)')
    parser.add_argument('--name', default=socket.gethostname(),
                        help='worker name shown by queue workers and sent '
                             'to the status API (default: host name)')
    parser.add_argument('--token-file', metavar='PATH',
                        help='file whose first line is this worker\'s '
                             'status API token')
    parser.add_argument('--cache-dir', metavar='DIR',
                        default=os.path.expanduser(
                            '~/.cache/upgrade-tempest-worker'),
                        help='wheel cache and template venvs')
    parser.add_argument('--work-dir', metavar='DIR',
                        help='this worker\'s own directory for job '
                             'workspaces; what a killed worker left there '
                             'is removed at start (default: '
                             'upgrade-tempest-worker-NAME in the system '
                             'temporary directory)')
    parser.add_argument('--plugin-wheel', metavar='PATH',
                        help='wheel of upgrade-tempest-plugin to install '
                             'when a payload names no plugin version')
    parser.add_argument('--ssl-key', metavar='PATH')
    parser.add_argument('--ssl-cert', metavar='PATH')
    parser.add_argument('--ssl-ca', metavar='PATH')
    return parser


def main(argv=None):
    args = parser().parse_args(argv)
    if args.slots < 1:
        parser().error('--slots must be at least 1')
    logging.basicConfig(level=logging.INFO,
                        format='%(asctime)s %(name)s %(message)s')
    # gear logs every packet at INFO; its handles are fine but noisy.
    logging.getLogger('gear').setLevel(logging.WARNING)
    cache = venvs.Cache(args.cache_dir, plugin_wheel=args.plugin_wheel)
    token = read_token(args.token_file)
    ssl = {k: getattr(args, k) for k in ('ssl_key', 'ssl_cert', 'ssl_ca')
           if getattr(args, k)}
    work_dir = args.work_dir or os.path.join(
        tempfile.gettempdir(), 'upgrade-tempest-worker-%s' % args.name)
    os.makedirs(work_dir, exist_ok=True)
    job_mod.sweep(work_dir)
    slots = [Slot(args.name, '%s-%d' % (args.name, number), args.gearman,
                  cache, work_dir, token, ssl)
             for number in range(1, args.slots + 1)]
    threads = [threading.Thread(target=slot.serve, name=slot.name)
               for slot in slots]

    def stop(signum, frame):
        LOG.info('signal %d: stopping after the running jobs', signum)
        for slot in slots:
            slot.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for thread in threads:
        thread.start()
    LOG.info('%d slot(s) waiting for jobs', len(slots))
    while any(thread.is_alive() for thread in threads):
        for thread in threads:
            thread.join(1)
    return 0


if __name__ == '__main__':
    sys.exit(main())
