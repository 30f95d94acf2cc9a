"""The one stable, non-admin account that owns the workloads.

Tempest lends pre-provisioned accounts by lock, so the ``primary`` account
of the post-upgrade run may differ from the pre-upgrade one.  Workloads
are therefore created and verified as the account named by
``[upgrade_workloads] username`` (and ``project_name``), read from the
accounts file.  Its password is used only to get a token; it is never
written anywhere.
"""

from tempest.common import credentials_factory
from tempest import config
from tempest.lib.common import preprov_creds
from tempest.lib import exceptions as lib_exc

CONF = config.CONF

_CRED_KEYS = ('username', 'password', 'project_name', 'project_id',
              'user_id', 'domain_name', 'user_domain_name',
              'project_domain_name', 'user_domain_id', 'project_domain_id',
              'domain_id')
ADMIN_MARKERS = ('admin',)


class NotConfigured(Exception):
    """No workload account is configured."""


def accounts_file(conf=None):
    conf = conf or CONF
    return (conf.upgrade_workloads.accounts_file or
            conf.auth.test_accounts_file)


def find_account(accounts, username, project_name=None):
    """The one entry for ``username`` (and project) in ``accounts``."""
    matches = []
    for entry in accounts or []:
        project = entry.get('project_name', entry.get('tenant_name'))
        if entry.get('username') != username:
            continue
        if project_name and project != project_name:
            continue
        matches.append(entry)
    if not matches:
        raise lib_exc.InvalidConfiguration(
            'the workload account %s%s is not in the accounts file' % (
                username, ' (project %s)' % project_name
                if project_name else ''))
    if len(matches) > 1:
        raise lib_exc.InvalidConfiguration(
            'the workload account %s appears %d times in the accounts '
            'file; set [upgrade_workloads] project_name' % (
                username, len(matches)))
    entry = matches[0]
    roles = [r.lower() for r in entry.get('roles', []) or []]
    types = [t.lower() for t in entry.get('types', []) or []]
    if set(ADMIN_MARKERS) & (set(roles) | set(types)):
        raise lib_exc.InvalidConfiguration(
            'the workload account %s has an admin role; workloads must be '
            'owned by a non-admin user (R13)' % username)
    return entry


def credential_kwargs(entry):
    kwargs = {k: entry[k] for k in _CRED_KEYS if entry.get(k)}
    if 'tenant_name' in entry and 'project_name' not in kwargs:
        kwargs['project_name'] = entry['tenant_name']
    return kwargs


def workload_credentials(conf=None):
    """Tempest credentials of the workload account (token fetched)."""
    conf = conf or CONF
    username = conf.upgrade_workloads.username
    if not username:
        raise NotConfigured(
            'no workload account: set [upgrade_workloads] username (and '
            'project_name) to a non-admin entry of the accounts file')
    path = accounts_file(conf)
    if not path:
        raise NotConfigured('no accounts file: set [auth] '
                            'test_accounts_file or [upgrade_workloads] '
                            'accounts_file')
    entry = find_account(preprov_creds.read_accounts_yaml(path), username,
                         conf.upgrade_workloads.project_name or None)
    return credentials_factory.get_credentials(
        fill_in=True, identity_version='v3', **credential_kwargs(entry))


def workload_manager(conf=None):
    """A ``tempest.clients.Manager`` acting as the workload account."""
    from tempest import clients
    return clients.Manager(workload_credentials(conf))
