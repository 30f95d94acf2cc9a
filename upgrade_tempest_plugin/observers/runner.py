"""The observer process: ``python -m upgrade_tempest_plugin.observers.runner``.

It registers itself in the store (a heartbeat row) and writes a pidfile,
gets a token for the observer account, probes every service of the catalog
(and the data-plane targets, and the honour requests when enabled) until
SIGTERM/SIGINT, then flushes what it holds and records why it stopped.
Started detached by :mod:`.lifecycle`; a probe failure of any class or a
store outage never makes it exit.
"""

import argparse
import json
import logging
import os
import signal
import socket
import sys
import threading
import time

from upgrade_tempest_plugin.common import procs
from upgrade_tempest_plugin.common import waits
from upgrade_tempest_plugin import events
from upgrade_tempest_plugin.observers import credentials
from upgrade_tempest_plugin.observers import dataplane
from upgrade_tempest_plugin.observers import keepalive
from upgrade_tempest_plugin.observers import probe
from upgrade_tempest_plugin.observers import scheduler
from upgrade_tempest_plugin.observers import service_probe
from upgrade_tempest_plugin.observers import settings as obs_settings
from upgrade_tempest_plugin.observers import sink as obs_sink
from upgrade_tempest_plugin.store import api as store_api

LOG = logging.getLogger('upgrade_tempest_plugin.observers.runner')

PIDFILE_TEMPLATE = 'observers-%s.pid'
LOGFILE_TEMPLATE = 'observers-%s.log'


def pidfile_path(state_dir, run_id):
    return os.path.join(state_dir, PIDFILE_TEMPLATE % run_id)


def logfile_path(state_dir, run_id):
    return os.path.join(state_dir, LOGFILE_TEMPLATE % run_id)


def open_store_retrying(url, stop, timeout=120.0):
    """Open the store, retrying while it is unavailable.

    Gives up (raising the last StoreUnavailable) after ``timeout`` seconds
    or as soon as ``stop`` is set.
    """
    errors = []

    def attempt():
        try:
            return store_api.open_store(url)
        except store_api.StoreUnavailable as exc:
            if stop.is_set():
                raise
            errors.append(exc)
            LOG.warning('store not available yet (%s); retrying',
                        type(exc).__name__)
            return None

    try:
        return waits.until(attempt, timeout, 1.0,
                           done=lambda store: store is not None,
                           sleep=stop.wait)
    except waits.TimedOut:
        raise errors[-1]


class Runner(object):
    """Runs the observers of one run until :meth:`request_stop`."""

    def __init__(self, settings, store, mode='detached', profiles=None,
                 honour_factory=None):
        self.settings = settings
        self.store = store
        self.run_id = settings['run_id']
        self.mode = mode
        self.stop_event = threading.Event()
        self.stop_reason = 'stopped'
        self.profiles = profiles
        self.honour_factory = honour_factory
        self.process_id = None
        self.sink = None
        self.tokens = None
        self.schedulers = []
        self.honour = None

    def request_stop(self, reason):
        self.stop_reason = reason
        self.stop_event.set()

    def _load_profiles(self):
        if self.profiles is None:
            from upgrade_tempest_plugin.services import registry
            self.profiles = registry.load_profiles()
        return self.profiles

    def _service_targets(self, profile, endpoint):
        """The targets of one service: new connections, and reused ones."""
        s = self.settings
        url = service_probe.probe_url(endpoint, profile)
        targets = [service_probe.ServiceTarget(
            profile, url, self.tokens, s['probe_timeout'], self.ssl_context)]
        if s['reused_connections']:
            pool = keepalive.KeepAlivePool(
                url, size=s['reused_pool_size'],
                idle_timeout=s['reused_idle_timeout'],
                context=self.ssl_context)
            targets.append(service_probe.ServiceTarget(
                profile, url, self.tokens, s['probe_timeout'],
                self.ssl_context, pool=pool))
        return targets

    def _wait_for_catalog(self):
        """The first token (retried every second until it comes)."""
        token = None
        while token is None and not self.stop_event.is_set():
            try:
                token = self.tokens.renew()
            except credentials.AuthFailed as exc:
                LOG.warning('no token yet (%s); retrying', exc)
                self.stop_event.wait(1.0)
        return token

    def setup(self):
        s = self.settings
        self.process_id = self.store.register_process(
            self.run_id, os.getpid(), socket.gethostname(), self.mode,
            attrs=obs_settings.public(s))
        self.sink = obs_sink.SampleSink(
            self.store, self.run_id, self.process_id,
            flush_interval=s['flush_interval'], buffer_size=s['buffer_size'])
        self.sink.start()
        # Tokens and honour requests: a few blocking calls at a time.
        # The probes themselves run on the schedulers' event loops.
        tls = {'insecure': bool(s.get('insecure')),
               'ca_certs': s.get('ca_certs') or None}
        self.http_pool = probe.new_pool_manager(8, s['probe_timeout'], **tls)
        self.ssl_context = probe.ssl_context(**tls)
        account = credentials.pick_account(
            s['accounts_file'], s['username'], s['project_name'],
            s['default_domain'])
        self.tokens = credentials.TokenManager(
            s['identity_uri'], account, self.http_pool,
            timeout=s['probe_timeout'],
            renew_margin=s['token_renew_margin'])
        LOG.info('run %s: observer process %s (pid %d) as %r',
                 self.run_id, self.process_id, os.getpid(), account)

    def start_observers(self):
        s = self.settings
        profiles = self._load_profiles()
        wanted = s['services'] or sorted(profiles)
        api_sched = scheduler.OpenLoopScheduler(
            self.sink, rate=s['rate'], max_in_flight=s['max_in_flight'],
            probe_timeout=s['probe_timeout'])
        self.schedulers.append(api_sched)
        # Identity is probed at the URI Tempest uses, from the first
        # token attempt on, so an identity outage at start is measured too
        # (no token: auth_failed) while the other services wait for the
        # catalog.
        try:
            token = self.tokens.renew()
        except credentials.AuthFailed as exc:
            LOG.warning('no token yet (%s); retrying', exc)
            token = None
        identity = service_probe.IDENTITY
        kinds = 2 if s['reused_connections'] else 1
        if identity in wanted and identity in profiles:
            for target in self._service_targets(profiles[identity],
                                                s['identity_uri']):
                api_sched.add(target)
        api_sched.start(expected_targets=len(wanted) * kinds)
        dp_targets = [dataplane.make_target(t, s['probe_timeout'])
                      for t in s['dataplane_targets'] if t.strip()]
        if dp_targets:
            dp_sched = scheduler.OpenLoopScheduler(
                self.sink, rate=s['dataplane_rate'],
                max_in_flight=s['max_in_flight'],
                probe_timeout=s['probe_timeout'])
            for target in dp_targets:
                dp_sched.add(target)
            dp_sched.start()
            self.schedulers.append(dp_sched)
        token = token or self._wait_for_catalog()
        if token is None:
            return
        self.tokens.start()
        endpoints = credentials.endpoints_from_catalog(
            token.catalog, s['interface'], s['region'])
        found, missing = service_probe.resolve_targets(
            profiles, endpoints,
            [n for n in wanted if n != service_probe.IDENTITY])
        for profile, url in found:
            for target in self._service_targets(profile, url):
                api_sched.add(target)
        if s['honour_enabled'] and self.honour_factory is not None:
            self.honour = self.honour_factory(self)
            self.honour.start()
        names = list(dict.fromkeys(t.name for t in api_sched.targets))
        detail = {'services': names,
                  'reused_connections': bool(s['reused_connections']),
                  'missing': missing if s['services'] else [],
                  'dataplane_targets': [t.name for t in dp_targets],
                  'honour': bool(self.honour),
                  'process_id': self.process_id, 'pid': os.getpid()}
        LOG.info('observing %s', detail)
        try:
            self.store.add_event(self.run_id, events.OBSERVER, 'start',
                                 result='ok', detail=detail)
        except store_api.StoreUnavailable:
            LOG.warning('could not record the start event')

    def wait(self):
        while not self.stop_event.wait(1.0):
            pass

    def shutdown(self):
        for sched in self.schedulers:
            sched.stop()
        if self.honour is not None:
            self.honour.stop()
        if self.tokens is not None:
            self.tokens.stop()
        if self.sink is not None:
            self.sink.stop()
        try:
            self.store.process_stopped(self.process_id, self.stop_reason)
            self.store.add_event(
                self.run_id, events.OBSERVER, 'stop', result=self.stop_reason,
                detail={'process_id': self.process_id,
                        'samples_written': self.sink.written,
                        'samples_dropped': self.sink.dropped})
        except store_api.StoreUnavailable:
            LOG.warning('could not record the stop in the store')
        LOG.info('stopped (%s): %d samples written, %d dropped',
                 self.stop_reason, self.sink.written, self.sink.dropped)


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog='python -m upgrade_tempest_plugin.observers.runner',
        description='Run the observers of one run until SIGTERM.')
    parser.add_argument('--config-file',
                        help='tempest.conf (default: as Tempest finds it)')
    parser.add_argument('--settings',
                        help='JSON file overriding settings')
    parser.add_argument('--no-tempest-conf', action='store_true',
                        help='do not read tempest.conf (settings only)')
    parser.add_argument('--run-id')
    parser.add_argument('--state-dir',
                        help='state directory (pidfile, default log)')
    parser.add_argument('--mode', default='detached',
                        choices=['detached', 'attached'])
    parser.add_argument('--log-file')
    return parser.parse_args(argv)


def setup_logging(log_file):
    handler = (logging.FileHandler(log_file) if log_file
               else logging.StreamHandler(sys.stderr))
    handler.setFormatter(logging.Formatter(
        '%(asctime)s.%(msecs)03d %(process)d %(levelname)s %(name)s '
        '%(message)s', '%Y-%m-%d %H:%M:%S'))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    # urllib3 would log every refused connection at WARNING.
    logging.getLogger('urllib3').setLevel(logging.ERROR)


def build_settings(args):
    conf = None
    if args.no_tempest_conf:
        settings = dict(obs_settings.DEFAULTS)
    else:
        conf = obs_settings.load_tempest_conf(args.config_file)
        settings = obs_settings.from_tempest_conf(conf)
    if args.settings:
        obs_settings.merge_json(settings, args.settings)
    if args.run_id:
        settings['run_id'] = args.run_id
    if args.state_dir:
        settings['state_dir'] = args.state_dir
    if not settings['run_id']:
        raise SystemExit('no run id')
    settings['state_dir'] = os.path.abspath(settings['state_dir'])
    os.makedirs(settings['state_dir'], exist_ok=True)
    return settings, obs_settings.store_url(settings, conf)


def honour_factory(runner):
    from upgrade_tempest_plugin.observers import honour
    return honour.HonourObserver.from_runner(runner)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    settings, url = build_settings(args)
    setup_logging(args.log_file or logfile_path(settings['state_dir'],
                                                settings['run_id']))
    runner_box = {}
    early_stop = threading.Event()

    def on_signal(signum, frame):
        name = signal.Signals(signum).name
        LOG.info('%s received', name)
        early_stop.set()
        if 'runner' in runner_box:
            runner_box['runner'].request_stop(name)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        store = open_store_retrying(url, early_stop)
    except Exception as exc:
        LOG.error('cannot open the store %s: %s',
                  store_api.safe_url(url), type(exc).__name__)
        return 3
    runner = Runner(settings, store, mode=args.mode,
                    honour_factory=honour_factory)
    runner_box['runner'] = runner
    if early_stop.is_set():
        return 0
    pidfile = pidfile_path(settings['state_dir'], settings['run_id'])
    try:
        runner.setup()
        procs.write_pidfile(pidfile, os.getpid(), {
            'process_id': runner.process_id,
            'run_id': settings['run_id'], 'started_at': time.time(),
            'mode': args.mode, 'store_url': store.url})
        runner.start_observers()
        runner.wait()
    except Exception as exc:
        LOG.exception('observer failed')
        runner.request_stop('error: %s' % type(exc).__name__)
        return_code = 1
    else:
        return_code = 0
    finally:
        if runner.sink is not None:
            runner.shutdown()
        try:
            with open(pidfile) as f:
                if json.load(f).get('pid') == os.getpid():
                    os.unlink(pidfile)
        except (OSError, ValueError):
            pass
    return return_code


if __name__ == '__main__':
    sys.exit(main())
