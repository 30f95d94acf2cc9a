"""``upgrade-tempest report``, ``report trends`` and ``serve``.

``report`` writes the HTML report of a run (one self-contained file: open
it with no network), ``report trends`` the runs of the store side by side
grouped by trend key, ``serve`` a read-only web UI over the store with
both.  doc/source/report.rst explains what the pages show.
"""

import os

from upgrade_tempest_plugin.cmd import base
from upgrade_tempest_plugin import exceptions

#: The report's file name in the state directory, without ``-o``.
REPORT_FILE = 'report-%s.html'
TRENDS_FILE = 'trends.html'


def write(path, text):
    """Write ``text`` to ``path``; a UserError when it cannot be written."""
    path = os.path.abspath(path)
    try:
        with open(path, 'w', encoding='utf-8') as f:
            f.write(text)
    except OSError as exc:
        raise exceptions.UserError('cannot write %s: %s' % (
            path, exc.strerror or exc))
    return path


def budgets_of(ctx):
    return ctx.conf.upgrade_budgets if ctx.conf is not None else None


def store_context(parsed_args):
    return base.RunContext.of(parsed_args.config_file,
                              state_dir=parsed_args.state_dir)


class Report(base.Command):
    """Write the HTML report of a run and print its path."""

    def get_parser(self, prog_name):
        parser = base.add_run_arguments(super().get_parser(prog_name))
        parser.add_argument(
            '-o', '--output', metavar='FILE',
            help='HTML file to write (default: report-RUN.html in the '
                 'state directory)')
        parser.add_argument(
            '--import-events', metavar='JSONL',
            help='First add the upgrade steps of this JSON-lines event log '
                 '(as analyse --import-events).')
        return parser

    def take_action(self, parsed_args):
        from upgrade_tempest_plugin.report import pages
        ctx = base.RunContext(parsed_args)
        run_id = ctx.require_run()
        html = pages.run_page(ctx.store, run_id, conf=ctx.conf,
                              budgets=budgets_of(ctx),
                              events_file=parsed_args.import_events)
        path = write(parsed_args.output or os.path.join(
            ctx.state_dir, REPORT_FILE % run_id), html)
        self.app.stdout.write(path + '\n')


class Trends(base.Command):
    """Write the trends of the store's runs (HTML) and print its path."""

    def get_parser(self, prog_name):
        parser = base.add_store_arguments(super().get_parser(prog_name))
        parser.add_argument('--last', type=int, metavar='N',
                            help='only the N newest runs')
        parser.add_argument(
            '-o', '--output', metavar='FILE',
            help='HTML file to write (default: trends.html in the state '
                 'directory)')
        return parser

    def take_action(self, parsed_args):
        from upgrade_tempest_plugin.report import pages
        if parsed_args.last is not None and parsed_args.last < 1:
            raise exceptions.UserError('--last must be at least 1')
        ctx = store_context(parsed_args)
        html = pages.trends_page(ctx.store, parsed_args.last,
                                 budgets=budgets_of(ctx))
        path = write(parsed_args.output or os.path.join(
            ctx.state_dir, TRENDS_FILE), html)
        self.app.stdout.write(path + '\n')


def listen_address(text):
    """``HOST:PORT`` as (host, port); a UserError otherwise."""
    host, sep, port = text.rpartition(':')
    if not sep or not host or not port.isdigit() or not (
            0 < int(port) < 65536):
        raise exceptions.UserError('--listen %s: give HOST:PORT' % text)
    return host.strip('[]'), int(port)


class Serve(base.Command):
    """Serve a read-only web UI over the store: runs, reports, trends."""

    def get_parser(self, prog_name):
        parser = base.add_store_arguments(super().get_parser(prog_name))
        parser.add_argument(
            '--listen', default='127.0.0.1:8080', metavar='HOST:PORT',
            help='address to listen on (default: %(default)s, loopback '
                 'only; the UI has no authentication)')
        return parser

    def take_action(self, parsed_args):
        from werkzeug import serving

        from upgrade_tempest_plugin.report import web
        host, port = listen_address(parsed_args.listen)
        ctx = store_context(parsed_args)
        app = web.create_app(ctx.store, conf=ctx.conf,
                             budgets=budgets_of(ctx))
        self.app.stdout.write('serving %s on http://%s:%d/\n' % (
            ctx.store.url, host, port))
        self.app.stdout.flush()
        serving.run_simple(host, port, app, threaded=True)
