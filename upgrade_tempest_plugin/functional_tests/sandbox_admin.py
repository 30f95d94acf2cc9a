"""The sandbox's admin connection, for checks the tests make from outside.

Only the functional tests and benchmarks use it (counting what a run left,
lifting quotas); the validators themselves never act as admin.
"""


def connection(clouds_yaml):
    """An openstacksdk connection as the ``sandbox-admin`` of clouds_yaml."""
    import openstack
    from openstack import config as os_config
    region = os_config.OpenStackConfig(
        config_files=[clouds_yaml]).get_one(cloud='sandbox-admin')
    return openstack.connection.Connection(config=region)
