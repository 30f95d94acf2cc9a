"""Only an operator starts, resumes, rolls back or continues a campaign.

The operator's Keystone credentials are a clouds.yaml entry named in the
plan (``operator.cloud``), separate from the non-admin accounts the
validators use.  They are checked once, when the command starts: a token
is issued and must carry the role the plan names (default ``admin``).
Never again during the campaign, so a campaign that upgrades Keystone
cannot lock itself out.
"""

from upgrade_tempest_plugin import exceptions

DEFAULT_ROLE = 'admin'


def roles_of(cloud):
    """The role names of a token issued for clouds.yaml entry ``cloud``."""
    # openstacksdk reads clouds.yaml the way every OpenStack client does
    # (OS_CLIENT_CONFIG_FILE, ./clouds.yaml, ~/.config/openstack, /etc).
    from keystoneauth1 import exceptions as ks_exc
    import openstack.config
    try:
        region = openstack.config.OpenStackConfig().get_one(cloud=cloud)
    except Exception as exc:   # noqa: openstack.config raises several
        raise exceptions.UserError('operator cloud %s: %s' % (cloud, exc))
    session = region.get_session()
    try:
        access = session.auth.get_access(session)
    except ks_exc.Unauthorized:
        raise exceptions.UserError('operator cloud %s: the credentials '
                                   'were refused' % cloud)
    except ks_exc.ClientException as exc:
        raise exceptions.Failure('operator cloud %s: cannot get a token: '
                                 '%s' % (cloud, type(exc).__name__))
    return list(access.role_names or ())


def check(plan, roles=roles_of):
    """Raise a UserError unless the plan's operator holds its role.

    Returns a line saying who was checked, or why nothing was: a plan
    without an ``operator`` section runs unchecked (a campaign that only
    drives a tool outside OpenStack).
    """
    operator = plan.get('operator')
    if not operator:
        return 'no operator check: the plan names no operator cloud'
    role = operator.get('role', DEFAULT_ROLE)
    held = roles(operator['cloud'])
    if role not in held:
        raise exceptions.UserError(
            'operator cloud %s does not hold the role %s (it holds: %s)'
            % (operator['cloud'], role, ', '.join(sorted(held)) or 'none'))
    return 'operator %s holds the role %s' % (operator['cloud'], role)
