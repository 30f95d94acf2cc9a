"""The observers' account, its token and the service catalog.

The observer process reads its account straight from Tempest's accounts
file (``[upgrade_observers] username``, default the first non-admin entry)
instead of asking Tempest's credentials provider for one: the provider
locks an account with a file under ``lock_path`` for as long as it is held,
and a detached process that lives for hours (or is killed) would keep that
account away from ``tempest run``.  The observer only reads with it; share
an account with the tests or give the observer an entry of its own.

The password is only ever sent to Keystone; the token lives in memory.
Neither is logged, stored or printed.
"""

import datetime
import json
import logging
import threading
import time

from upgrade_tempest_plugin import accounts
from upgrade_tempest_plugin.observers import probe
from upgrade_tempest_plugin.store import models

LOG = logging.getLogger(__name__)

#: The option group that names the observers' account.
GROUP = 'upgrade_observers'


class Account(object):
    """One accounts.yaml entry; the password is hidden from repr()."""

    def __init__(self, username, password, project_name,
                 user_domain_name='Default', project_domain_name='Default'):
        self.username = username
        self._password = password
        self.project_name = project_name
        self.user_domain_name = user_domain_name or 'Default'
        self.project_domain_name = project_domain_name or 'Default'

    def __repr__(self):
        return '<Account %s/%s>' % (self.username, self.project_name)

    def auth_body(self):
        return {'auth': {
            'identity': {'methods': ['password'], 'password': {'user': {
                'name': self.username, 'password': self._password,
                'domain': {'name': self.user_domain_name}}}},
            'scope': {'project': {
                'name': self.project_name,
                'domain': {'name': self.project_domain_name}}}}}


def pick_account(accounts_file, username='', project_name='',
                 default_domain='Default'):
    """The :class:`Account` of ``accounts_file`` for ``username``.

    The entry is picked by :func:`upgrade_tempest_plugin.accounts.find`
    (default: the first non-admin entry); any problem is its one-line
    AccountError.
    """
    entry = accounts.find(accounts_file, GROUP, username, project_name)
    domain = entry.get('domain_name') or default_domain
    return Account(
        entry['username'], entry.get('password', ''),
        accounts.project_of(entry),
        entry.get('user_domain_name', domain),
        entry.get('project_domain_name', domain))


class AuthFailed(Exception):
    """Keystone could not give a token; ``outcome`` says how."""

    def __init__(self, message, outcome=models.OUTCOME_AUTH_FAILED):
        super().__init__(message)
        self.outcome = outcome


def _parse_expiry(text):
    if not text:
        return time.time() + 3600
    text = text.replace('Z', '+00:00')
    return datetime.datetime.fromisoformat(text).timestamp()


class Token(object):
    """A token, its expiry and catalog; repr() never shows the token."""

    def __init__(self, value, expires_at, catalog, issued_at):
        self.value = value
        self.expires_at = expires_at
        self.catalog = catalog
        self.issued_at = issued_at

    def __repr__(self):
        return '<Token expires_at=%s>' % self.expires_at


def endpoints_from_catalog(catalog, interface='public', region=None):
    """{catalog type: URL} of the catalog for one interface/region."""
    found = {}
    for entry in catalog or []:
        for ep in entry.get('endpoints', []):
            if ep.get('interface') != interface:
                continue
            ep_region = ep.get('region_id') or ep.get('region')
            if region and ep_region and ep_region != region:
                continue
            found.setdefault(entry.get('type'), ep.get('url'))
    return found


class TokenManager(object):
    """Gets a project-scoped token and renews it before it expires.

    ``current()`` never blocks on Keystone: it returns the valid token or
    None.  A background thread renews the token when it is due (expiry
    minus ``renew_margin``), when a service rejected it (:meth:`rejected`),
    or when there is none; failures are retried every ``retry_interval``.
    """

    def __init__(self, identity_uri, account, pool, timeout=5.0,
                 renew_margin=300.0, retry_interval=1.0, ca_certs=None):
        self.identity_uri = identity_uri.rstrip('/')
        self.account = account
        self.pool = pool
        self.timeout = timeout
        self.renew_margin = renew_margin
        self.retry_interval = retry_interval
        self._token = None
        self._renew_now = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.last_error = None
        self.last_outcome = None
        self.renewals = 0
        self._thread = None

    def fetch(self):
        """POST /auth/tokens; a Token or AuthFailed."""
        body = json.dumps(self.account.auth_body()).encode()
        try:
            resp = self.pool.request(
                'POST', self.identity_uri + '/auth/tokens', body=body,
                headers={'Content-Type': 'application/json',
                         'Accept': 'application/json',
                         'Connection': 'close',
                         'User-Agent': 'upgrade-tempest-observer'},
                retries=False, redirect=False, timeout=self.timeout)
        except Exception as exc:
            raise AuthFailed('identity unreachable: %s (%s)' % (
                probe.classify_exception(exc), type(exc).__name__))
        if resp.status != 201:
            raise AuthFailed('identity answered %d to the token request'
                             % resp.status)
        try:
            data = json.loads(resp.data)['token']
            value = resp.headers['X-Subject-Token']
        except (ValueError, KeyError) as exc:
            raise AuthFailed('bad token answer: %s' % type(exc).__name__)
        return Token(value, _parse_expiry(data.get('expires_at')),
                     data.get('catalog', []), time.time())

    def current(self):
        """The valid token, or None (then ``last_error`` says why)."""
        token = self._token
        if token is None or token.expires_at <= time.time():
            self._renew_now.set()
            return None
        if token.expires_at - self.renew_margin <= time.time():
            self._renew_now.set()
        return token

    def rejected(self, token):
        """A service answered 401 to ``token``: get a new one now."""
        with self._lock:
            if self._token is token:
                self._token = None
        self._renew_now.set()

    def renew(self):
        """Get a token now; returns it or raises AuthFailed."""
        try:
            token = self.fetch()
        except AuthFailed as exc:
            self.last_error = str(exc)
            raise
        with self._lock:
            self._token = token
        self.renewals += 1
        self.last_error = None
        return token

    def _due(self):
        token = self._token
        return (token is None or
                token.expires_at - self.renew_margin <= time.time())

    def _loop(self):
        while not self._stop.is_set():
            if self._due():
                try:
                    self.renew()
                    LOG.info('token renewed (renewal %d)', self.renewals)
                except AuthFailed as exc:
                    LOG.warning('token renewal failed: %s', exc)
                    self._stop.wait(self.retry_interval)
                    continue
            self._renew_now.clear()
            token = self._token
            wait = 30.0
            if token is not None:
                wait = max(0.5, min(
                    wait, token.expires_at - self.renew_margin - time.time()))
            self._renew_now.wait(wait)

    def start(self):
        self._thread = threading.Thread(target=self._loop,
                                        name='token-renewal', daemon=True)
        self._thread.start()

    def stop(self):
        self._stop.set()
        self._renew_now.set()
