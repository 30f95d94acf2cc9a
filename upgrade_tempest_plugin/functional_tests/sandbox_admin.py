"""The sandbox's admin connection, for checks the tests make from outside.

Only the functional tests and benchmarks use it (counting what a run left,
lifting quotas); the validators themselves never act as admin.
"""


def connection(clouds_yaml, cloud='sandbox-admin'):
    """An openstacksdk connection as ``cloud`` of clouds_yaml.

    The sandbox's admin by default; the object-storage tests connect as
    one of its test accounts.
    """
    import openstack
    from openstack import config as os_config
    region = os_config.OpenStackConfig(
        config_files=[clouds_yaml]).get_one(cloud=cloud)
    return openstack.connection.Connection(config=region)
