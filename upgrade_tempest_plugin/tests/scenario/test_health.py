"""Health validators (R3): every service works for a normal user.

Each test exercises one service's API for real as the non-admin primary
user and removes what it made (the cleanup is registered right after each
create).  They are safe in any phase, also while an upgrade runs, and are
selected with the ``Health`` regex (see doc/source/validators.rst).
"""

import hashlib
import io
import ipaddress

from tempest import config
from tempest.lib.common.utils import data_utils
from tempest.lib.common.utils import test_utils
from tempest.lib import decorators
from tempest.lib import exceptions as lib_exc

from upgrade_tempest_plugin.tests import base
from upgrade_tempest_plugin.workloads import waiters

CONF = config.CONF


class HealthTest(base.ValidatorTest):
    """Base of the per-service health validators."""

    service = None

    @classmethod
    def skip_checks(cls):
        super().skip_checks()
        if cls.service is None:
            raise cls.skipException('base class')
        profile = base.profiles().get(cls.service)
        if profile is None:
            raise cls.skipException('no service profile %s' % cls.service)
        reason = base.unavailable_reason(profile)
        if reason:
            raise cls.skipException(reason)

    @classmethod
    def resource_setup(cls):
        super().resource_setup()
        profile = base.profiles()[cls.service]
        reason = base.not_in_catalog_reason(profile,
                                            cls.os_primary.auth_provider)
        if reason:
            raise cls.skipException(reason)

    def name(self, what):
        return data_utils.rand_name(
            name='upgrade-health-' + what,
            prefix=CONF.resource_name_prefix)

    def wait(self, show, resource_id, wanted):
        return waiters.wait_for_status(
            show, resource_id, wanted, CONF.upgrade_workloads.build_timeout,
            CONF.upgrade_workloads.build_interval)

    def wait_gone(self, show, resource_id):
        waiters.wait_until_gone(
            show, resource_id, CONF.upgrade_workloads.build_timeout,
            CONF.upgrade_workloads.build_interval)

    def delete_and_wait(self, delete, show, resource_id):
        test_utils.call_and_ignore_notfound_exc(delete, resource_id)
        self.wait_gone(show, resource_id)


class IdentityHealthTest(HealthTest):
    """Token issue and validation as the primary user."""

    service = 'identity'

    @decorators.idempotent_id('a262c26d-8f01-4881-82d6-1dd359fef110')
    def test_identity_token_issue_and_validate(self):
        creds = self.os_primary.credentials
        token_client = self.os_primary.token_v3_client
        token, body = token_client.get_token(
            username=creds.username, password=creds.password,
            user_domain_name=creds.user_domain_name,
            project_name=creds.project_name,
            project_domain_name=creds.project_domain_name,
            auth_data=True)
        self.assertTrue(token)
        self.assertEqual(creds.project_id, body['project']['id'])
        # A user may validate its own token (policy "token_subject").
        shown = self.os_primary.identity_v3_client.show_token(token)
        self.assertEqual(creds.user_id, shown['token']['user']['id'])


class ComputeHealthTest(HealthTest):
    """A server is created, shown and deleted."""

    service = 'compute'

    @decorators.idempotent_id('27b6144f-b2c9-47d8-80ea-2f86df33ad23')
    def test_compute_server_create_show_delete(self):
        servers = self.os_primary.servers_client
        kwargs = dict(name=self.name('server'),
                      imageRef=CONF.compute.image_ref,
                      flavorRef=CONF.compute.flavor_ref)
        network = CONF.compute.fixed_network_name
        if network and CONF.service_available.neutron:
            found = self.os_primary.networks_client.list_networks(
                name=network)['networks']
            if found:
                kwargs['networks'] = [{'uuid': found[0]['id']}]
        server = servers.create_server(**kwargs)['server']
        show = (lambda i: servers.show_server(i)['server'])
        self.addCleanup(self.delete_and_wait, servers.delete_server, show,
                        server['id'])
        shown = self.wait(show, server['id'], ('ACTIVE',))
        self.assertEqual(kwargs['name'], shown['name'])
        listed = [s['id'] for s in servers.list_servers()['servers']]
        self.assertIn(server['id'], listed)
        servers.delete_server(server['id'])
        self.wait_gone(show, server['id'])


class VolumeHealthTest(HealthTest):
    """A volume is created and deleted."""

    service = 'volume'

    @decorators.idempotent_id('d2c1e8e8-caef-4df8-b895-1898bf701c73')
    def test_volume_create_delete(self):
        volumes = self.os_primary.volumes_client_latest
        volume = volumes.create_volume(
            name=self.name('volume'),
            size=CONF.volume.volume_size)['volume']
        show = (lambda i: volumes.show_volume(i)['volume'])
        self.addCleanup(self.delete_and_wait, volumes.delete_volume, show,
                        volume['id'])
        shown = self.wait(show, volume['id'], ('available',))
        self.assertEqual(CONF.volume.volume_size, shown['size'])
        volumes.delete_volume(volume['id'])
        self.wait_gone(show, volume['id'])


class ImageHealthTest(HealthTest):
    """An image is uploaded and downloaded; the checksum matches."""

    service = 'image'

    @decorators.idempotent_id('16af669c-2736-46d0-a538-1d14d05a30c0')
    def test_image_upload_download(self):
        images = self.os_primary.image_client_v2
        data = data_utils.random_bytes(4096)
        image = images.create_image(
            name=self.name('image'), container_format='bare',
            disk_format='raw', visibility='private')
        self.addCleanup(test_utils.call_and_ignore_notfound_exc,
                        images.delete_image, image['id'])
        images.store_image_file(image['id'], io.BytesIO(data))
        shown = self.wait(images.show_image, image['id'], ('active',))
        self.assertEqual(len(data), shown['size'])
        if shown.get('os_hash_algo') == 'sha512':
            self.assertEqual(hashlib.sha512(data).hexdigest(),
                             shown['os_hash_value'])
        body = images.show_image_file(image['id'])
        self.assertEqual(hashlib.sha512(data).hexdigest(),
                         hashlib.sha512(body.data).hexdigest(),
                         'downloaded image data differs from the upload')


class NetworkHealthTest(HealthTest):
    """A network, a subnet and a port are created and deleted."""

    service = 'network'

    @decorators.idempotent_id('3e1d2592-adf7-45fc-a01d-b3561fec1edb')
    def test_network_subnet_port_create_delete(self):
        mgr = self.os_primary
        net = mgr.networks_client.create_network(
            name=self.name('net'))['network']
        self.addCleanup(test_utils.call_and_ignore_notfound_exc,
                        mgr.networks_client.delete_network, net['id'])
        cidr = str(next(ipaddress.ip_network(
            CONF.network.project_network_cidr).subnets(
                new_prefix=CONF.network.project_network_mask_bits)))
        subnet = mgr.subnets_client.create_subnet(
            name=self.name('subnet'), network_id=net['id'], cidr=cidr,
            ip_version=4)['subnet']
        self.addCleanup(test_utils.call_and_ignore_notfound_exc,
                        mgr.subnets_client.delete_subnet, subnet['id'])
        port = mgr.ports_client.create_port(
            name=self.name('port'), network_id=net['id'])['port']
        self.addCleanup(test_utils.call_and_ignore_notfound_exc,
                        mgr.ports_client.delete_port, port['id'])
        self.assertEqual(subnet['id'], port['fixed_ips'][0]['subnet_id'])
        mgr.ports_client.delete_port(port['id'])
        self.assertRaises(lib_exc.NotFound, mgr.ports_client.show_port,
                          port['id'])


class PlacementHealthTest(HealthTest):
    """Placement answers the reads a member may make."""

    service = 'placement'

    @decorators.idempotent_id('72880561-51cb-4917-b388-7009a5ae760c')
    def test_placement_reads(self):
        client = self.os_primary.upgrade_placement.VersionDocumentClient()
        document = dict(client.show_version_document())
        evidence = base.profiles()['placement'].parse_version_document(
            document)
        self.assertTrue(evidence.max_microversion,
                        'placement root document has no max_version: %s'
                        % document)
        self.attach_json('placement-root', document)


class ObjectStorageHealthTest(HealthTest):
    """A container and an object are created, read back and deleted."""

    service = 'object_storage'

    @decorators.idempotent_id('66a8c8df-d206-42fe-9c1a-5547678f3d4c')
    def test_object_storage_container_object(self):
        containers = self.os_primary.container_client
        objects = self.os_primary.object_client
        container = self.name('container')
        containers.update_container(container)
        self.addCleanup(test_utils.call_and_ignore_notfound_exc,
                        containers.delete_container, container)
        data = data_utils.random_bytes(4096)
        obj = self.name('object')
        resp, _ = objects.create_object(container, obj, data)
        self.addCleanup(test_utils.call_and_ignore_notfound_exc,
                        objects.delete_object, container, obj)
        self.assertEqual(hashlib.md5(data).hexdigest(),
                         resp['etag'].strip('"'))
        _, body = objects.get_object(container, obj)
        self.assertEqual(hashlib.sha512(data).hexdigest(),
                         hashlib.sha512(body).hexdigest(),
                         'downloaded object data differs from the upload')
        objects.delete_object(container, obj)
        self.assertRaises(lib_exc.NotFound, objects.get_object, container,
                          obj)
        containers.delete_container(container)
