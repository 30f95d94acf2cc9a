"""The API observer: one open-loop probe per service found in the catalog.

Each service's probe is the cheap read-only call of its service profile
(``probe_path``, ``probe_headers``, ``probe_needs_token``), made as the
non-admin observer account.  When no valid token can be had the probe is
not sent and the sample says ``auth_failed``: an identity outage is
identity's downtime, not the probed service's.

Each service is probed over a new connection per request (observer
``api``) and, when ``reused_connections`` is on, over a small pool of
reused keep-alive connections too (observer ``api_reused``, see
:mod:`.keepalive`): the same service, its own series.
"""

import logging
import time

from upgrade_tempest_plugin.observers import keepalive
from upgrade_tempest_plugin.observers import probe
from upgrade_tempest_plugin.observers import scheduler
from upgrade_tempest_plugin.store import models

LOG = logging.getLogger(__name__)

IDENTITY = 'identity'


def probe_url(endpoint, profile):
    path = profile.probe_path or ''
    if not path:
        return endpoint
    if path.startswith('?'):     # a query on the endpoint itself (Swift)
        return endpoint + path
    return endpoint.rstrip('/') + '/' + path.lstrip('/')


class ServiceTarget(scheduler.Target):
    observer = models.API

    def __init__(self, profile, url, tokens, timeout, context=None,
                 pool=None):
        """A service's probe, over new connections or ``pool``'s.

        ``pool``: a :class:`.keepalive.KeepAlivePool` to probe over reused
        connections (observer ``api_reused``); None: a new connection per
        probe.
        """
        self.profile = profile
        self.name = profile.name
        self.url = url
        self.tokens = tokens
        self.timeout = timeout
        self.context = context
        self.pool = pool
        if pool is not None:
            self.observer = models.API_REUSED

    async def probe(self):
        headers = dict(self.profile.probe_headers or {})
        token = None
        if self.profile.probe_needs_token:
            token = self.tokens.current()
            if token is None:
                now = time.time()
                return {'sent_at': now, 'answered_at': None,
                        'latency': 0.0,
                        'outcome': models.OUTCOME_AUTH_FAILED,
                        'status': None,
                        'detail': (self.tokens.last_error or
                                   'no valid token')[:200]}
            headers['X-Auth-Token'] = token.value
        if self.pool is None:
            sample = await probe.http_probe(self.url, headers, self.timeout,
                                            self.context)
        else:
            sample = await keepalive.reused_probe(self.pool, headers,
                                                  self.timeout)
        if sample['outcome'] == models.OUTCOME_TOKEN_REJECTED:
            self.tokens.rejected(token)
        return sample


def resolve_targets(profiles, endpoints, wanted=None):
    """[(profile, endpoint URL)] of the wanted services in the catalog.

    ``endpoints``: {catalog type: URL}; ``wanted``: profile names (empty:
    every profile with an endpoint).  Returns (found, missing names).
    """
    found, missing = [], []
    names = wanted or sorted(profiles)
    for name in names:
        profile = profiles.get(name)
        if profile is None:
            missing.append(name)
            continue
        url = None
        for catalog_type in profile.catalog_types:
            if endpoints.get(catalog_type):
                url = endpoints[catalog_type]
                break
        if url is None:
            missing.append(name)
            continue
        found.append((profile, url))
    return found, missing
