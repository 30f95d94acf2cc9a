"""Identity validators: the primary user authenticates, and the identity
API's version document is read and recorded with the test result."""

from oslo_serialization import jsonutils as json
from tempest import config
from tempest.lib import decorators
from testtools import content

from upgrade_tempest_plugin.tests import base

CONF = config.CONF


class IdentityVersionHealthTest(base.ValidatorTest):
    """Token issue and the version document, as the non-admin primary user.

    Any-time health (the class name carries "Health" so the phase regexes
    select it): safe in every phase, it creates nothing.
    """

    @classmethod
    def skip_checks(cls):
        super().skip_checks()
        if not CONF.identity_feature_enabled.api_v3:
            raise cls.skipException('Identity API v3 is not enabled')

    @classmethod
    def setup_clients(cls):
        super().setup_clients()
        cls.versions_client = (
            cls.os_primary.upgrade_identity.VersionDocumentClient())

    @decorators.attr(type='smoke')
    @decorators.idempotent_id('0f93096b-8d4d-432c-865e-54328b5b1c97')
    def test_primary_token_is_project_scoped_and_not_admin(self):
        auth_provider = self.os_primary.auth_provider
        token, auth_data = auth_provider.get_auth()
        self.assertTrue(token)
        creds = self.os_primary.credentials
        self.assertEqual(creds.project_id, auth_data['project']['id'])
        roles = sorted(role['name'] for role in auth_data.get('roles', []))
        self.assertNotIn(
            'admin', roles,
            'the primary account has the admin role; upgrade validators '
            'must run as a non-admin user (R13)')
        self.addDetail('identity-token-roles',
                       content.text_content(', '.join(roles)))

    @decorators.idempotent_id('4a4cfe90-f1c1-40d5-8e95-023ad0972a71')
    def test_version_document_lists_stable_v3(self):
        document = self.versions_client.show_version_document()
        values = document.get('versions', {}).get('values')
        if values is None:
            values = [document['version']] if 'version' in document else []
        v3 = [v for v in values if v.get('id', '').startswith('v3')]
        self.assertNotEmpty(
            v3, 'no v3 version in the identity version document: %s'
            % json.dumps(dict(document)))
        self.assertIn(v3[0].get('status'), ('stable', 'CURRENT'))
        self.addDetail(
            'identity-version-document',
            content.text_content(json.dumps(dict(document), sort_keys=True)))
