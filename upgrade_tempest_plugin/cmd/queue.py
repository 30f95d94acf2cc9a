"""``upgrade-tempest queue submit|status|list|cancel|workers|api``.

The test queue's client (see doc/source/queue.rst).  The geard servers
come from ``--gearman`` or ``[upgrade_queue] gearman_servers``, the store
from ``[upgrade]`` of the tempest.conf (``--config-file``) or the state
directory.  Submitting records the job in the store, hands it to geard as
a background job and returns its id at once.  ``list`` and ``status``
first mark ``lost`` the unfinished jobs geard no longer has.  Nothing here
prints or stores the payload's cloud configuration.
"""

import argparse
import importlib.metadata
import json
import logging
import time
import types
import uuid

import yaml

from upgrade_tempest_plugin.cmd import base
from upgrade_tempest_plugin import config
from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin.queue import client as gear_client
from upgrade_tempest_plugin.queue import payload as payload_mod
from upgrade_tempest_plugin.queue import records
from upgrade_tempest_plugin.queue import reporter
from upgrade_tempest_plugin.queue import worker as worker_mod
from upgrade_tempest_plugin import validator_phases

NO_GEARD_WARNING = ('upgrade-tempest: warning: %s; states as last '
                    'reported\n')
JOB_COLUMNS = ('test_id', 'cloud', 'state', 'worker', 'progress', 'passed',
               'failed', 'skipped', 'tempest', 'reason')


def _queue_options(conf):
    """``[upgrade_queue]`` of the loaded tempest.conf, else the defaults."""
    if conf is not None:
        return conf.upgrade_queue
    return types.SimpleNamespace(**{option.dest: option.default
                                    for option in config.UpgradeQueueGroup})


def _context(args):
    """(queue options, run context whose ``store`` opens on first use)."""
    context = base.RunContext.of(config_file=args.config_file)
    return _queue_options(context.conf), context


def _servers(args, options):
    if args.gearman:
        return args.gearman
    try:
        return [worker_mod.gearman_address(text)
                for text in options.gearman_servers]
    except argparse.ArgumentTypeError as exc:
        raise exceptions.UserError('[upgrade_queue] gearman_servers: %s'
                                   % exc)


def _connect(args, options):
    # gear logs every packet at INFO.
    logging.getLogger('gear').setLevel(logging.WARNING)
    ssl = {name: getattr(options, name)
           for name in ('ssl_key', 'ssl_cert', 'ssl_ca')
           if getattr(options, name)}
    try:
        return gear_client.connect(_servers(args, options), ssl=ssl)
    except gear_client.QueueError as exc:
        raise exceptions.Failure(str(exc))


def _when(at):
    return time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime(at))


def _job_row(job):
    return (job['test_id'], job['cloud'], job['state'], job['worker'] or '-',
            records.progress(job), job['passed'], job['failed'],
            job['skipped'], job['tempest_version'], job['reason'] or '')


def _reconcile_if_possible(args, options, store, stderr):
    """Mark lost what geard forgot; without geard, warn and go on.

    The store's view is still worth showing when geard does not answer.
    """
    try:
        client = _connect(args, options)
    except exceptions.Failure as exc:
        stderr.write(NO_GEARD_WARNING % exc)
        return
    try:
        _reconcile(client, store)
    finally:
        client.shutdown()


def _reconcile(client, store):
    def known(location):
        try:
            return gear_client.job_status(client, location)['known']
        except gear_client.QueueError:
            # Asked of a geard this command is not connected to: unknown
            # is not lost.
            return True
    return records.reconcile(store, known)


class _QueueCommand(base.Lister):

    def get_parser(self, prog_name):
        parser = base.add_config_argument(super().get_parser(prog_name))
        parser.add_argument('--gearman', action='append', metavar='HOST:PORT',
                            type=worker_mod.gearman_address,
                            help='geard (repeat for more; default: '
                                 '[upgrade_queue] gearman_servers)')
        return parser


def _read(path, what):
    try:
        with open(path) as source:
            return source.read()
    except OSError as exc:
        raise exceptions.UserError('%s %s: %s' % (what, path,
                                                  exc.strerror or exc))


def _clouds_entry(path, name, flag='--clouds-yaml'):
    try:
        document = yaml.safe_load(_read(path, flag))
    except yaml.YAMLError:
        raise exceptions.UserError('%s %s: not YAML' % (flag, path))
    try:
        return document['clouds'][name]
    except (KeyError, TypeError):
        raise exceptions.UserError('%s %s: no cloud %r' % (flag, path,
                                                           name))


def _run(args):
    """The payload's ``run``: exactly one of --regex, --phase, --plan."""
    given = [flag for flag, value in (('--regex', args.regex),
                                      ('--phase', args.phase),
                                      ('--plan', args.plan)) if value]
    if len(given) != 1:
        raise exceptions.UserError('give exactly one of --regex, --phase, '
                                   '--plan')
    if args.phase and args.phase not in validator_phases.PHASES:
        raise exceptions.UserError('--phase: one of %s' % ', '.join(
            sorted(validator_phases.PHASES)))
    if args.regex:
        run = {'regex': args.regex}
    elif args.phase:
        run = {'phase': args.phase}
    else:
        from upgrade_tempest_plugin.campaign import plan as plan_mod
        run = {'plan': plan_mod.read(args.plan)}
    if args.concurrency:
        run['concurrency'] = args.concurrency
    return run


def _operator_entry(args, plan):
    """The plan operator's clouds.yaml entry (--operator-clouds-yaml)."""
    operator = plan.get('operator') if isinstance(plan, dict) else None
    if not isinstance(operator, dict) or 'cloud' not in operator:
        if args.operator_clouds_yaml:
            raise exceptions.UserError('--operator-clouds-yaml: the plan '
                                       'names no operator')
        return None
    if not args.operator_clouds_yaml:
        raise exceptions.UserError('--operator-clouds-yaml: needed, the plan '
                                   'names the operator cloud %s'
                                   % operator['cloud'])
    return _clouds_entry(args.operator_clouds_yaml, operator['cloud'],
                         '--operator-clouds-yaml')


def build_payload(args, options):
    """The payload of ``queue submit``'s arguments (not yet checked)."""
    if args.payload:
        try:
            document = json.loads(_read(args.payload, 'PAYLOAD'))
        except ValueError:
            raise exceptions.UserError('PAYLOAD %s: not JSON' % args.payload)
        if isinstance(document, dict):
            document.setdefault('report', {'url': options.status_api_url})
        return document
    if not args.accounts or not (args.tempest_conf or args.clouds_yaml):
        raise exceptions.UserError(
            'give PAYLOAD, or --accounts with --tempest-conf or '
            '--clouds-yaml')
    run = _run(args)
    cloud = {'name': args.cloud,
             'accounts_yaml': _read(args.accounts, '--accounts')}
    if args.clouds_yaml:
        cloud['clouds_yaml'] = _clouds_entry(args.clouds_yaml, args.cloud)
    if args.tempest_conf:
        cloud['tempest_conf'] = _read(args.tempest_conf, '--tempest-conf')
    if 'plan' in run:
        operator = _operator_entry(args, run['plan'])
        if operator is not None:
            cloud['operator_clouds_yaml'] = operator
    document = {
        'version': payload_mod.VERSION,
        'test_id': args.test_id or uuid.uuid4().hex[:12],
        'cloud': cloud, 'run': run,
        'tempest_version': (args.tempest_version
                            or importlib.metadata.version('tempest')),
        'report': {'url': args.report_url or options.status_api_url},
        'timeout': args.timeout,
    }
    if args.plugin_version:
        document['plugin_version'] = args.plugin_version
    return document


def submit(store, client, document):
    """Record and submit a checked payload; (its summary, its location).

    A test id the store has already is a UserError; a geard that does
    not take the job leaves it recorded as ``error`` and raises
    QueueError.
    """
    summary = payload_mod.summary(document)
    if records.get_job(store, summary['test_id']):
        raise exceptions.UserError('payload.test_id: job %s exists '
                                   'already' % summary['test_id'])
    records.add_job(store, summary)
    try:
        location = gear_client.submit(client, document)
    except gear_client.QueueError as exc:
        records.record(store, summary['test_id'], {
            'state': reporter.ERROR, 'reason': str(exc)})
        raise
    records.set_handle(store, summary['test_id'], location)
    return summary, location


class Submit(_QueueCommand):
    """Queue a validator or campaign job; prints its id at once."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('payload', nargs='?', metavar='PAYLOAD',
                            help='a payload JSON file (then no other job '
                                 'option)')
        parser.add_argument('--test-id', help='job id (default: random)')
        parser.add_argument('--cloud', default='cloud', metavar='NAME',
                            help='cloud label; with --clouds-yaml, its '
                                 'entry')
        parser.add_argument('--tempest-conf', metavar='FILE')
        parser.add_argument('--clouds-yaml', metavar='FILE')
        parser.add_argument('--accounts', metavar='FILE',
                            help='Tempest accounts.yaml for the cloud')
        parser.add_argument('--regex')
        parser.add_argument('--phase', help='pre-upgrade, post-upgrade or '
                                            'destroy')
        parser.add_argument('--plan', metavar='FILE',
                            help='a campaign plan (YAML) to run')
        parser.add_argument('--operator-clouds-yaml', metavar='FILE',
                            help="a clouds.yaml holding the plan's "
                                 'operator cloud (never given to the '
                                 'tests)')
        parser.add_argument('--concurrency', type=int)
        parser.add_argument('--tempest-version',
                            help='default: the installed Tempest')
        parser.add_argument('--plugin-version')
        parser.add_argument('--timeout', type=int,
                            default=payload_mod.DEFAULT_TIMEOUT,
                            help='seconds (default %(default)s)')
        parser.add_argument('--report-url',
                            help='default: [upgrade_queue] status_api_url')
        return parser

    def take_action(self, args):
        options, context = _context(args)
        store = context.store
        document = build_payload(args, options)
        from upgrade_tempest_plugin.queue import plan_check
        try:
            plan_check.check(document)
        except payload_mod.PayloadError as exc:
            raise exceptions.UserError(str(exc))
        client = _connect(args, options)
        try:
            summary, location = submit(store, client, document)
        except gear_client.QueueError as exc:
            raise exceptions.Failure(str(exc))
        finally:
            client.shutdown()
        return ('test_id', 'state', 'geard job'), [
            (summary['test_id'], reporter.QUEUED, location)]


class List(_QueueCommand):
    """The jobs in the store, oldest first."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--state', action='append',
                            choices=reporter.STATES,
                            help='only jobs in this state (repeatable)')
        return parser

    def take_action(self, args):
        options, context = _context(args)
        store = context.store
        _reconcile_if_possible(args, options, store, self.app.stderr)
        return JOB_COLUMNS, [_job_row(job) for job in
                             records.list_jobs(store, args.state)]


class Status(_QueueCommand):
    """Every state a job reported; without JOB, geard's queues."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('job', nargs='?', metavar='JOB',
                            help='test id of the job')
        return parser

    def take_action(self, args):
        options, context = _context(args)
        if not args.job:
            client = _connect(args, options)
            try:
                return (('geard', 'function', 'jobs', 'running', 'workers'),
                        gear_client.functions(client))
            finally:
                client.shutdown()
        store = context.store
        if records.get_job(store, args.job) is None:
            raise exceptions.UserError('no job %s' % args.job)
        try:
            client = _connect(args, options)
        except exceptions.Failure as exc:
            self.app.stderr.write(NO_GEARD_WARNING % exc)
            client = None
        try:
            if client:
                _reconcile(client, store)
            return ('at', 'state', 'worker', 'message'), self._rows(
                client, records.get_job(store, args.job), store)
        finally:
            if client:
                client.shutdown()

    @staticmethod
    def _rows(client, job, store):
        rows = [(_when(s['at']), s['state'], s['worker'] or '-',
                 s['message'] or '')
                for s in records.list_status(store, job['test_id'])]
        if client and job['handle'] and job['state'] not in \
                reporter.FINAL_STATES:
            live = gear_client.job_status(client, job['handle'])
            if live['known'] and live['running']:
                rows.append(('now', 'running', job['worker'] or '-',
                             '%s/%s tests' % (live['numerator'] or 0,
                                              live['denominator'] or '?')))
            elif live['known']:
                rows.append(('now', 'queued', '-', 'waiting in geard'))
        return rows


class Cancel(_QueueCommand):
    """Remove a job that is still queued."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('job', metavar='JOB', help='test id of the job')
        return parser

    def take_action(self, args):
        options, context = _context(args)
        store = context.store
        job = records.get_job(store, args.job)
        if job is None:
            raise exceptions.UserError('no job %s' % args.job)
        if job['state'] != reporter.QUEUED or not job['handle']:
            raise exceptions.UserError('job %s is %s: only a queued job can '
                                       'be cancelled' % (args.job,
                                                         job['state']))
        client = _connect(args, options)
        try:
            gear_client.cancel(client, job['handle'])
        except gear_client.QueueError as exc:
            raise exceptions.UserError(str(exc))
        finally:
            client.shutdown()
        state = records.record(store, args.job, {
            'state': reporter.CANCELLED, 'reason': 'cancelled by the user'})
        return ('test_id', 'state'), [(args.job, state)]


class Workers(_QueueCommand):
    """The workers connected to geard (its admin ``workers`` view)."""

    def take_action(self, args):
        options, _ = _context(args)
        client = _connect(args, options)
        try:
            rows = gear_client.workers(client)
        finally:
            client.shutdown()
        return ('geard', 'fd', 'address', 'worker', 'functions'), rows


class Api(base.Command):
    """Serve the status API (POST /update-test-status/) until stopped."""

    def get_parser(self, prog_name):
        parser = base.add_config_argument(super().get_parser(prog_name))
        parser.add_argument('--listen', default='127.0.0.1:8740',
                            type=worker_mod.gearman_address,
                            metavar='HOST:PORT',
                            help='address to serve on (default '
                                 '%(default)s)')
        return parser

    def take_action(self, args):
        from werkzeug import serving

        from upgrade_tempest_plugin.queue import status_api
        options, context = _context(args)
        tokens = {}
        if options.status_api_tokens_file:
            try:
                tokens = status_api.read_tokens(
                    options.status_api_tokens_file)
            except (OSError, ValueError) as exc:
                raise exceptions.UserError(
                    '[upgrade_queue] status_api_tokens_file: %s' % exc)
        try:
            app = status_api.create_app(
                context.store, options.status_api_known_hosts, tokens,
                options.status_api_max_body)
        except ValueError as exc:
            raise exceptions.UserError(
                '[upgrade_queue] status_api_known_hosts: %s' % exc)
        host, port = args.listen
        server = serving.make_server(host, port, app, threaded=True)
        self.app.stdout.write('status API on http://%s:%d%s (%d worker '
                              'token(s))\n' % (host, server.server_port,
                                               status_api.PATH, len(tokens)))
        self.app.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        return 0
