"""``upgrade-tempest discover``: configure Tempest from the catalog (R15).

Authenticates as a non-admin user, reads the service catalog of the token
and sets, in a tempest.conf, the ``[service_available]`` flag of every
service profile (``swift`` from the object-storage profile), the catalog
type Cinder is published under, and this plugin's options given on the
command line.  Only those options are added or changed: every other line
of the file -- comments included -- stays as it was.
"""

import argparse
import collections
import os
import re

from oslo_serialization import jsonutils as json

from upgrade_tempest_plugin.cmd import base
from upgrade_tempest_plugin import exceptions
from upgrade_tempest_plugin.services import registry

_SECTION = re.compile(r'^\s*\[([^\]]+)\]\s*$')
_OPTION = re.compile(r'^\s*([A-Za-z0-9_.-]+)\s*[=:]')


def set_options(text, settings):
    """``text`` of an ini file with ``settings`` ({section: {k: v}}) set.

    Existing options are replaced in place, missing ones are appended to
    their section (created at the end when missing).  Nothing else moves.
    """
    lines = text.splitlines()
    todo = collections.OrderedDict(
        (section, collections.OrderedDict(options))
        for section, options in settings.items())
    out = []
    section = None

    def flush(section_name):
        # Append what is still to set in the section that just ended.
        pending = todo.pop(section_name, None) if section_name else None
        if pending:
            while out and not out[-1].strip():
                out.pop()
            out.extend('%s = %s' % (k, v) for k, v in pending.items())
            out.append('')

    for line in lines:
        match = _SECTION.match(line)
        if match:
            flush(section)
            section = match.group(1).strip()
            out.append(line)
            continue
        option = _OPTION.match(line)
        if (option and section in todo and
                option.group(1) in todo[section] and
                not line.lstrip().startswith(('#', ';'))):
            key = option.group(1)
            out.append('%s = %s' % (key, todo[section].pop(key)))
            continue
        out.append(line)
    flush(section)
    for section_name, options in todo.items():
        if not options:
            continue
        if out and out[-1].strip():
            out.append('')
        out.append('[%s]' % section_name)
        out.extend('%s = %s' % (k, v) for k, v in options.items())
    return '\n'.join(out).rstrip('\n') + '\n'


def catalog_types(catalog):
    return {entry.get('type') for entry in catalog or []}


def flags_from_catalog(catalog, profiles):
    """{section: {option: value}} Tempest needs for this catalog."""
    types = catalog_types(catalog)
    available = {}
    volume = {}
    for profile in profiles.values():
        found = [t for t in profile.catalog_types if t in types]
        if profile.service_available_flag:
            available[profile.service_available_flag] = bool(found)
        if profile.name == 'volume' and found:
            volume['catalog_type'] = found[0]
    settings = collections.OrderedDict()
    settings['service_available'] = collections.OrderedDict(
        (k, str(v).lower()) for k, v in sorted(available.items()))
    if volume:
        settings['volume'] = volume
    return settings


def _session_from_cloud(cloud):
    try:
        import openstack.config
    except ImportError:
        raise exceptions.UserError('--os-cloud needs openstacksdk')
    try:
        region = openstack.config.OpenStackConfig().get_one(cloud=cloud)
    except Exception as exc:
        raise exceptions.UserError('cloud %s: %s' % (cloud, exc))
    return region.get_session()


def _session_from_account(auth_url, username, password, project_name,
                          domain_name):
    from keystoneauth1.identity import v3
    from keystoneauth1 import session
    auth = v3.Password(auth_url=auth_url, username=username,
                       password=password, project_name=project_name,
                       user_domain_name=domain_name,
                       project_domain_name=domain_name)
    return session.Session(auth=auth)


def read_catalog(session):
    """(catalog, role names) of the session's token."""
    from keystoneauth1 import exceptions as ks_exc
    try:
        access = session.auth.get_access(session)
    except ks_exc.ClientException as exc:
        raise exceptions.UserError('could not authenticate: %s' % exc)
    return access.service_catalog.catalog, list(access.role_names or [])


class Discover(base.Command):
    """Set [service_available] and plugin options from the catalog."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        who = parser.add_argument_group('the non-admin user (one of)')
        who.add_argument('--os-cloud', metavar='NAME',
                         help='an entry of clouds.yaml')
        who.add_argument('--auth-url', metavar='URL',
                         help='Keystone v3 URL (with --username ...)')
        who.add_argument('--username')
        who.add_argument('--password',
                         default=os.environ.get('OS_PASSWORD'),
                         help='default: $OS_PASSWORD')
        who.add_argument('--project-name')
        who.add_argument('--domain-name', default='Default')
        parser.add_argument('--config-file', metavar='TEMPEST_CONF',
                            help='tempest.conf to update in place; without '
                                 'it the settings are printed')
        parser.add_argument('--expected-release-before', metavar='SERIES')
        parser.add_argument('--expected-release-after', metavar='SERIES')
        parser.add_argument('--workload-username', metavar='USER',
                            help='[upgrade_workloads] username')
        parser.add_argument('--workload-project', metavar='PROJECT',
                            help='[upgrade_workloads] project_name')
        parser.add_argument('--catalog-json', metavar='FILE',
                            help=argparse.SUPPRESS)
        return parser

    def session(self, args):
        if args.os_cloud:
            return _session_from_cloud(args.os_cloud)
        if args.auth_url and args.username:
            if not args.password:
                raise exceptions.UserError('--password or $OS_PASSWORD '
                                           'is needed')
            return _session_from_account(args.auth_url, args.username,
                                         args.password, args.project_name,
                                         args.domain_name)
        raise exceptions.UserError('give --os-cloud, or --auth-url and '
                                   '--username')

    def take_action(self, args):
        if args.catalog_json:
            with open(args.catalog_json, 'rb') as f:
                catalog, roles = json.load(f), []
        else:
            catalog, roles = read_catalog(self.session(args))
        if 'admin' in [r.lower() for r in roles]:
            self.app.stderr.write(
                'upgrade-tempest: warning: the discovering user has the '
                'admin role; the validators must run as a non-admin '
                'user (R13)\n')
        settings = flags_from_catalog(catalog, registry.load_profiles())
        upgrade = collections.OrderedDict()
        if args.expected_release_before:
            upgrade['expected_release_before'] = args.expected_release_before
        if args.expected_release_after:
            upgrade['expected_release_after'] = args.expected_release_after
        if upgrade:
            settings['upgrade'] = upgrade
        workloads = collections.OrderedDict()
        if args.workload_username:
            workloads['username'] = args.workload_username
        if args.workload_project:
            workloads['project_name'] = args.workload_project
        if workloads:
            settings['upgrade_workloads'] = workloads
        if args.config_file:
            try:
                with open(args.config_file) as f:
                    text = f.read()
            except FileNotFoundError:
                text = ''
            new = set_options(text, settings)
            tmp = args.config_file + '.tmp'
            with open(tmp, 'w') as f:
                f.write(new)
            os.replace(tmp, args.config_file)
            self.app.stdout.write('updated %s\n' % args.config_file)
        self.app.stdout.write(set_options('', settings))
        return 0
