"""Builds a :class:`WorkloadSet` from Tempest's configuration."""

import types

from tempest import config

from upgrade_tempest_plugin import run_context
from upgrade_tempest_plugin.workloads import account
from upgrade_tempest_plugin.workloads import kinds
from upgrade_tempest_plugin.workloads import resources as resources_mod
from upgrade_tempest_plugin.workloads import workload_set

CONF = config.CONF


def open_store(conf=None):
    from upgrade_tempest_plugin.store import api as store_api
    conf = conf or CONF
    return store_api.open_store(run_context.store_url(conf.upgrade))


def settings(conf, resources):
    """What the kinds need from the configuration (no secrets)."""
    network_id = None
    name = conf.compute.fixed_network_name
    if name and conf.service_available.neutron:
        found = resources.networks.list_networks(name=name)['networks']
        if found:
            network_id = found[0]['id']
    return types.SimpleNamespace(
        image_ref=conf.compute.image_ref,
        flavor_ref=conf.compute.flavor_ref,
        network_id=network_id,
        volume_size=conf.upgrade_workloads.volume_size,
        subnet_cidr=conf.upgrade_workloads.subnet_cidr,
        server_power_actions=conf.upgrade_workloads.server_power_actions)


def open_workload_set(conf=None, clients=None, store=None, run_id=None):
    """The workload set of the current run, as the workload account."""
    conf = conf or CONF
    clients = clients or account.workload_manager(conf)
    store = store or open_store(conf)
    run_id = run_id or run_context.run_id(conf.upgrade)
    store.ensure_run(run_id)
    opts = conf.upgrade_workloads
    resources = resources_mod.Resources(
        clients, timeout=opts.build_timeout, interval=opts.build_interval,
        types=kinds.resource_types(kinds.load()))
    return workload_set.WorkloadSet(
        store, run_id, resources, settings(conf, resources),
        max_failed_creates=opts.max_consecutive_failed_creates)
