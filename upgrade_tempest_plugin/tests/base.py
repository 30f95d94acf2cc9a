"""Helpers shared by the validators (not a test module)."""

import logging

from oslo_serialization import jsonutils as json
from tempest import config
from tempest import test
from testtools import content

from upgrade_tempest_plugin import events
from upgrade_tempest_plugin import run_context
from upgrade_tempest_plugin.services import registry

CONF = config.CONF
LOG = logging.getLogger(__name__)

_PROFILES = None


def profiles():
    global _PROFILES
    if _PROFILES is None:
        _PROFILES = registry.load_profiles()
    return _PROFILES


def unavailable_reason(profile):
    """Why ``profile``'s service cannot be tested per CONF, or None."""
    flag = profile.service_available_flag
    if flag and not getattr(CONF.service_available, flag, False):
        return ('%s is not available ([service_available] %s = False)' % (
            profile.name, flag))
    return None


def catalog_types(auth_provider):
    """Service types in the catalog of the token (non-admin view)."""
    try:
        _, auth_data = auth_provider.get_auth()
    except Exception:   # no token: the first API call will say why
        return None
    return {entry.get('type') for entry in auth_data.get('catalog', [])}


def not_in_catalog_reason(profile, auth_provider):
    types = catalog_types(auth_provider)
    if types is not None and not set(profile.catalog_types) & types:
        return ('%s is not in the service catalog (looked for %s)' % (
            profile.name, ', '.join(profile.catalog_types)))
    return None


def catalog_urls(auth_provider, profile, region, interface):
    """Every URL of ``profile``'s service for the region and interface."""
    _, auth_data = auth_provider.get_auth()
    interface = (interface or 'public').replace('URL', '')
    urls = []
    for entry in auth_data.get('catalog', []):
        if entry.get('type') not in profile.catalog_types:
            continue
        for endpoint in entry.get('endpoints', []):
            if region and endpoint.get('region') not in (region, None):
                continue
            if endpoint.get('interface') != interface:
                continue
            if endpoint.get('url') not in urls:
                urls.append(endpoint['url'])
        if urls:
            break
    return urls


def record_event(action, service=None, result=None, detail=None,
                 to_version=None):
    """Best effort: an event of this run in the store (never secrets)."""
    try:
        from upgrade_tempest_plugin.store import api as store_api
        store = store_api.open_store(run_context.store_url(CONF.upgrade))
        try:
            store.add_event(run_context.run_id(CONF.upgrade),
                            events.VALIDATORS, action, service=service,
                            result=result,
                            to_version=to_version,
                            detail=json.dumps(detail, sort_keys=True)
                            if not isinstance(detail, str) else detail)
        finally:
            store.close()
    except Exception:
        LOG.warning('could not record %s for %s in the store', action,
                    service, exc_info=True)


class ValidatorTest(test.BaseTestCase):
    """Non-admin validator base: primary credentials, no network setup."""

    credentials = ['primary']

    @classmethod
    def setup_credentials(cls):
        cls.set_network_resources()
        super().setup_credentials()

    def attach_json(self, name, data):
        self.addDetail(name, content.text_content(
            json.dumps(data, sort_keys=True, indent=1)))

    def skip_unless_usable(self, profile, auth_provider=None):
        reason = unavailable_reason(profile) or not_in_catalog_reason(
            profile, auth_provider or self.os_primary.auth_provider)
        if reason:
            raise self.skipException(reason)
