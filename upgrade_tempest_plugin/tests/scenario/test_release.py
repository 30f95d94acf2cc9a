"""Release validators (R2): each service runs the expected release series.

The evidence is what a non-admin user can read: the version document of
every endpoint of the service (several reads each, to catch a load
balancer over a mixed cloud) and Neutron's extension list.  It is mapped to
release series with the table in ``upgrade_tempest_plugin.services
.releases``.  Where the API cannot tell the expected series from another
one the test is skipped with that explanation and the evidence that would
decide it -- never a silent pass.  Two endpoints (or two reads) reporting
different evidence fail the test as a mixed cloud.
"""

from tempest import config

from upgrade_tempest_plugin.services import evidence as evidence_mod
from upgrade_tempest_plugin.tests import base
from upgrade_tempest_plugin.tests import generated

CONF = config.CONF


class ReleaseValidatorMixin:
    #: 'before' or 'after': which [upgrade] expected_release_* applies.
    expected_when = None

    @classmethod
    def expected(cls):
        return getattr(CONF.upgrade, 'expected_release_' + cls.expected_when)

    def collect(self, profile):
        client = getattr(self.os_primary,
                         'upgrade_' + profile.name).VersionDocumentClient()
        urls = [None]
        if CONF.upgrade_release.all_endpoints:
            urls = base.catalog_urls(
                self.os_primary.auth_provider, profile, client.region,
                client.endpoint_type) or [None]
        extensions = None
        if profile.extensions_path:
            extensions = client.list_extension_aliases(
                profile.extensions_path)
        evidences = []
        for url in urls:
            for _ in range(CONF.upgrade_release.samples):
                document = client.show_version_document(
                    endpoint_url=url, path=profile.version_path)
                evidences.append(profile.parse_version_document(
                    dict(document), endpoint=url or client.endpoint_url(),
                    extensions=extensions))
        return evidences

    def check_release(self, service):
        profile = base.profiles()[service]
        self.skip_unless_usable(profile)
        package_version = CONF.upgrade_release.package_versions.get(service)
        verdict = profile.name_release(self.collect(profile),
                                       package_version=package_version)
        self.attach_json('release-verdict', verdict.as_dict())
        expected = self.expected()
        if not expected:
            outcome, message = 'unchecked', verdict.message
        else:
            outcome, message = verdict.check(expected)
        base.record_event(
            'release-' + self.expected_when, service=service,
            result=outcome, to_version=verdict.series,
            detail=dict(verdict.as_dict(), expected=expected))
        if not expected:
            raise self.skipException(
                '[upgrade] expected_release_%s is not set, nothing to '
                'check; %s: %s' % (self.expected_when, service, message))
        if outcome == evidence_mod.FAIL:
            self.fail(message)
        if outcome == evidence_mod.UNDECIDABLE:
            raise self.skipException('UNDECIDABLE from the API: ' + message)
        self.assertEqual(evidence_mod.PASS, outcome, message)


#: The ids today's services were written with; any other profile gets a
#: uuid5 id (``generated.test_id``).
PRE_UPGRADE_IDS = {
    'compute': 'a4ecf572-b3c4-478e-8a62-ab1f9696a6b4',
    'identity': '77610bca-4fd2-4891-997c-90b9a0201fad',
    'image': '54d4790a-5758-4f8e-8b49-d7594b2184db',
    'network': '24b71736-4a30-45a6-a076-7ecb38f42e0e',
    'object_storage': '49e393b2-eadc-4c5e-b587-3ef31d8f9120',
    'placement': '87fe3386-e6ef-4b87-9a01-ae345cd7458b',
    'volume': '1b6ad64c-3ae5-432e-a406-913527186e94',
}

POST_UPGRADE_IDS = {
    'compute': '456adf78-0a4b-492d-a31e-895530ea432b',
    'identity': '31c6f982-f0eb-4cb7-9033-e87a88d6b421',
    'image': 'b879f5de-9d5f-445f-9967-062b223cc259',
    'network': '461b6eb1-12d9-4ae2-b864-a164c38288eb',
    'object_storage': 'c8712276-457e-4615-b034-b42dcc7068ef',
    'placement': 'b2821b5f-1ede-45f5-991b-09753702f223',
    'volume': 'eba3ac77-a5c6-4669-9fa9-2b63b2742e09',
}


class ReleasePreUpgradeTest(ReleaseValidatorMixin, base.ValidatorTest):
    """Each service runs [upgrade] expected_release_before."""

    expected_when = 'before'


class ReleasePostUpgradeTest(ReleaseValidatorMixin, base.ValidatorTest):
    """Each service runs [upgrade] expected_release_after."""

    expected_when = 'after'


generated.add_profile_tests(
    ReleasePreUpgradeTest, 'release-before', 'test_{name}_release',
    ReleaseValidatorMixin.check_release, PRE_UPGRADE_IDS)
generated.add_profile_tests(
    ReleasePostUpgradeTest, 'release-after', 'test_{name}_release',
    ReleaseValidatorMixin.check_release, POST_UPGRADE_IDS)
