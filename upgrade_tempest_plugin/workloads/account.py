"""The one stable, non-admin account that owns the workloads.

Tempest lends pre-provisioned accounts by lock, so the ``primary`` account
of the post-upgrade run may differ from the pre-upgrade one.  Workloads
are therefore created and verified as the account named by
``[upgrade_workloads] username`` (and ``project_name``), picked from the
accounts file by :mod:`upgrade_tempest_plugin.accounts`.  Its password is
used only to get a token; it is never written anywhere.
"""

from tempest.common import credentials_factory
from tempest import config

from upgrade_tempest_plugin import accounts

CONF = config.CONF

#: The option group that names the workload account.
GROUP = 'upgrade_workloads'

_CRED_KEYS = ('username', 'password', 'project_name', 'project_id',
              'user_id', 'domain_name', 'user_domain_name',
              'project_domain_name', 'user_domain_id', 'project_domain_id',
              'domain_id')


def credential_kwargs(entry):
    kwargs = {k: entry[k] for k in _CRED_KEYS if entry.get(k)}
    if 'tenant_name' in entry and 'project_name' not in kwargs:
        kwargs['project_name'] = entry['tenant_name']
    return kwargs


def workload_entry(conf=None):
    """The accounts file entry of the workload account.

    Unlike the observers, the workloads take no default account: a
    different entry before and after the upgrade would own different
    resources, so the name must be set (an AccountError says so).
    """
    conf = conf or CONF
    username = conf.upgrade_workloads.username
    if not username:
        raise accounts.AccountError(
            'no workload account: set [upgrade_workloads] username (and '
            'project_name) to a non-admin entry of the accounts file')
    return accounts.find(accounts.path_of(conf, GROUP), GROUP, username,
                         conf.upgrade_workloads.project_name)


def workload_credentials(conf=None):
    """Tempest credentials of the workload account (token fetched)."""
    return credentials_factory.get_credentials(
        fill_in=True, identity_version='v3',
        **credential_kwargs(workload_entry(conf)))


def workload_manager(conf=None):
    """A ``tempest.clients.Manager`` acting as the workload account."""
    from tempest import clients
    return clients.Manager(workload_credentials(conf))
