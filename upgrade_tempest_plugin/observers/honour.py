"""The honour observer (R16): was every request the cloud accepted carried out?

While the upgrade runs it issues, at a low rate, real write requests as
the observer account (create a network, a port, a volume, an image, a
server; each one named ``upgrade-honour-<run id>-<kind>-<n>``).  Every
request is written to the ledger *before* it is sent, and its answer
(status, resource id) right after, so a killed observer leaves nothing
unknown behind.  Each accepted
request then moves through: reached its target state -> delete requested
-> delete carried out (the resource is gone).  That is *honoured*.  A
resource that goes to ERROR, vanishes before reaching its target state,
or is still not there (or not gone) after ``honour_timeout`` is *not
honoured*, with the reason.

:func:`reconcile` runs the same steps from any later process (the
post-upgrade validator, ``observe stop``) until every request is decided,
and deletes whatever the run created (also what a killed observer left,
found by name when its id was never seen).
"""

import itertools
import json
import logging
import threading
import time

from upgrade_tempest_plugin import events
from upgrade_tempest_plugin.observers import credentials
from upgrade_tempest_plugin.observers import probe
from upgrade_tempest_plugin.services import registry
from upgrade_tempest_plugin.store import models

LOG = logging.getLogger(__name__)

REJECTED = 'rejected'


class WriteKind(object):
    """How to create, read and delete one resource kind."""

    name = None
    #: The service profile that owns the kind; its catalog types find the
    #: endpoint (see :class:`Client`).
    service = None
    collection = None       # path of the collection, from the endpoint
    wrapper = None          # JSON key around the resource, or None
    target_states = ()
    error_states = ()
    #: Context keys (see :meth:`HonourObserver.context`) the create needs.
    needs = ()

    def create_body(self, name, context):
        raise NotImplementedError

    def state_of(self, body):
        data = body.get(self.wrapper, {}) if self.wrapper else body
        return (data.get('status') or '').lower()

    def is_error(self, state):
        """Is ``state`` an error: "error..." or one of the kind's own?

        Any state starting with "error" (error_extending, error_deleting,
        ...) and the kind's ``error_states`` (an image's 'killed').
        """
        return bool(state) and (state.startswith('error') or
                                state in self.error_states)

    def id_of(self, body):
        data = body.get(self.wrapper, {}) if self.wrapper else body
        return data.get('id')

    def list_query(self, name):
        return '%s?name=%s' % (self.collection, name)

    def listed(self, body):
        key = self.collection.rsplit('/', 1)[-1]
        return body.get(key, [])


class NetworkWrite(WriteKind):
    name = 'network'
    service = 'network'
    collection = 'v2.0/networks'
    wrapper = 'network'
    target_states = ('active',)
    error_states = ('error',)

    def create_body(self, name, context):
        return {'network': {'name': name}}


class PortWrite(WriteKind):
    name = 'port'
    service = 'network'
    collection = 'v2.0/ports'
    wrapper = 'port'
    # Nothing binds the port, so it stays DOWN: existing is its target.
    target_states = ('down', 'active', 'build')
    error_states = ('error',)
    needs = ('network_id',)

    def create_body(self, name, context):
        return {'port': {'name': name, 'network_id': context['network_id']}}


class ServerWrite(WriteKind):
    name = 'server'
    service = 'compute'
    collection = 'servers'
    wrapper = 'server'
    target_states = ('active',)
    error_states = ('error',)
    needs = ('image_ref', 'flavor_ref')

    def create_body(self, name, context):
        server = {'name': name, 'imageRef': context['image_ref'],
                  'flavorRef': context['flavor_ref']}
        if context.get('network_id'):
            server['networks'] = [{'uuid': context['network_id']}]
        return {'server': server}


class VolumeWrite(WriteKind):
    name = 'volume'
    service = 'volume'
    collection = 'volumes'
    wrapper = 'volume'
    target_states = ('available',)
    error_states = ('error', 'error_deleting', 'error_managing')

    def create_body(self, name, context):
        return {'volume': {'name': name, 'size': 1}}


class ImageWrite(WriteKind):
    name = 'image'
    service = 'image'
    collection = 'v2/images'
    wrapper = None
    # No data is uploaded: a registered image stays queued.
    target_states = ('queued', 'active')
    error_states = ('killed',)

    def create_body(self, name, context):
        return {'name': name, 'disk_format': 'raw',
                'container_format': 'bare', 'visibility': 'private'}


WRITE_KINDS = {k.name: k for k in (NetworkWrite(), PortWrite(), VolumeWrite(),
                                   ImageWrite(), ServerWrite())}


def profile_catalog_types():
    """{service: catalog types, in order} of the installed profiles."""
    return {name: profile.catalog_types
            for name, profile in registry.load_profiles().items()}


class Client(object):
    """Authenticated JSON calls with the observer's token manager.

    A kind's endpoint is the first of its service's catalog types (from
    the service profiles unless ``catalog_types`` is given) that
    ``endpoints`` has.
    """

    def __init__(self, tokens, endpoints, pool, timeout=10.0,
                 catalog_types=None):
        self.tokens = tokens
        self.endpoints = endpoints
        self.pool = pool
        self.timeout = timeout
        self.catalog_types = (profile_catalog_types() if catalog_types is None
                              else catalog_types)

    def endpoint(self, kind):
        for catalog_type in self.catalog_types.get(kind.service, ()):
            if self.endpoints.get(catalog_type):
                return self.endpoints[catalog_type].rstrip('/')
        return None

    def call(self, method, kind, path, body=None):
        """(status or None, parsed body or {}, error text or None)."""
        token = self.tokens.current()
        if token is None:
            try:
                token = self.tokens.renew()
            except credentials.AuthFailed as exc:
                return None, {}, 'no token: %s' % exc
        base = self.endpoint(kind)
        if base is None:
            return None, {}, 'no %s endpoint in the catalog' % kind.service
        headers = {'X-Auth-Token': token.value, 'Accept': 'application/json',
                   'Connection': 'close',
                   'User-Agent': 'upgrade-tempest-honour'}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers['Content-Type'] = 'application/json'
        try:
            resp = self.pool.request(
                method, base + '/' + path.lstrip('/'), body=data,
                headers=headers, retries=False, redirect=False,
                timeout=self.timeout)
        except Exception as exc:
            return None, {}, '%s (%s)' % (probe.classify_exception(exc),
                                          type(exc).__name__)
        if resp.status == 401:
            self.tokens.rejected(token)
        try:
            parsed = json.loads(resp.data) if resp.data else {}
        except ValueError:
            parsed = {}
        return resp.status, parsed, None


def resource_name(run_id, kind, number):
    return 'upgrade-honour-%s-%s-%d' % (run_id, kind, number)


def step(store, client, row, timeout, now=None):
    """Move one accepted request on; returns True once it is decided."""
    now = time.time() if now is None else now
    kind = WRITE_KINDS.get(row['kind'])
    if kind is None or row['outcome'] != models.HONOUR_PENDING:
        return True
    update = {}
    expired = now - (row['accepted_at'] or row['requested_at']) > timeout

    def decide(outcome, reason, **values):
        values.update(outcome=outcome, reason=reason, reconciled_at=now)
        store.update_honour_request(row['id'], **values)
        row.update(values)
        return True

    if row['resource_id'] is None:
        return decide(models.HONOUR_NOT_HONOURED,
                      'accepted without a resource id')
    path = '%s/%s' % (kind.collection, row['resource_id'])
    if row['delete_requested_at'] is None:
        status, body, error = client.call('GET', kind, path)
        if status == 404:
            return decide(models.HONOUR_NOT_HONOURED,
                          'vanished before reaching %s'
                          % '/'.join(kind.target_states),
                          final_state='gone')
        if status != 200:
            if expired:
                return decide(models.HONOUR_NOT_HONOURED,
                              'could not read it: %s' % (error or status),
                              final_state=row.get('final_state'))
            return False
        state = kind.state_of(body)
        update['final_state'] = state
        if kind.is_error(state):
            return decide(models.HONOUR_NOT_HONOURED,
                          'went to %s' % state, final_state=state)
        if state not in kind.target_states:
            store.update_honour_request(row['id'], **update)
            row.update(update)
            if expired:
                return decide(models.HONOUR_NOT_HONOURED,
                              'stuck in %s after %.0f s' % (state, timeout),
                              final_state=state)
            return False
        update['reached_at'] = now
        status, body, error = client.call('DELETE', kind, path)
        update['delete_requested_at'] = now
        update['delete_status'] = status
        store.update_honour_request(row['id'], **update)
        row.update(update)
        if status == 404:
            return decide(models.HONOUR_NOT_HONOURED,
                          'vanished before its delete', final_state='gone')
        if status is None or status >= 300:
            # Not accepted: ask again next time.
            row['delete_requested_at'] = None
            store.update_honour_request(row['id'],
                                        delete_requested_at=None)
            return False
        return False
    status, body, error = client.call('GET', kind, path)
    if status == 404:
        return decide(models.HONOUR_HONOURED, None, deleted_at=now,
                      final_state='deleted')
    state = kind.state_of(body) if status == 200 else None
    if kind.is_error(state):
        return decide(models.HONOUR_NOT_HONOURED,
                      'delete accepted but it went to %s' % state,
                      final_state=state)
    if now - row['delete_requested_at'] > timeout:
        return decide(models.HONOUR_NOT_HONOURED,
                      'delete accepted but still there after %.0f s (%s)'
                      % (timeout, state or error or status),
                      final_state=state)
    return False


def _find_by_name(client, kind, name):
    status, body, error = client.call('GET', kind, kind.list_query(name))
    if status != 200:
        return None, False
    for found in kind.listed(body):
        if found.get('name') == name and found.get('id'):
            return found['id'], True
    return None, True


def sweep_unknown(store, client, run_id):
    """Settle the requests whose answer was never recorded.

    A killed observer may have sent a create and died before writing the
    answer, and a create that timed out may still have been carried out:
    such resources are looked up by their name.  One that exists was
    accepted (it then goes through the normal steps); a rejected request
    that left a resource behind has it deleted.
    """
    settled = 0
    for row in store.list_honour_requests(run_id):
        kind = WRITE_KINDS.get(row['kind'])
        if kind is None or row['resource_id']:
            continue
        unknown = (row['outcome'] == models.HONOUR_PENDING and
                   row['accepted_at'] is None)
        if not unknown and row['outcome'] != REJECTED:
            continue
        found, looked = _find_by_name(client, kind, row['name'])
        if not looked:
            continue
        settled += 1
        if unknown and found:
            store.update_honour_request(
                row['id'], resource_id=found,
                accepted_at=row['requested_at'],
                target_state='/'.join(kind.target_states),
                reason='answer not recorded; found by name')
        elif unknown:
            store.update_honour_request(
                row['id'], outcome=REJECTED,
                reason='answer not recorded; nothing of that name exists')
        elif found:
            client.call('DELETE', kind, '%s/%s' % (kind.collection, found))
            store.update_honour_request(
                row['id'], resource_id=found,
                reason=('%s; yet created: found by name and deleted'
                        % row['reason'])[:255])
    return settled


def reconcile(store, client, run_id, timeout, poll=2.0, deadline=None):
    """Decide every pending request of the run; returns the summary."""
    deadline = deadline or (time.time() + timeout + 60)
    sweep_unknown(store, client, run_id)
    while True:
        pending = store.list_honour_requests(run_id,
                                             outcome=models.HONOUR_PENDING)
        if not pending:
            break
        for row in pending:
            try:
                step(store, client, row, timeout)
            except Exception:   # keep reconciling the others
                LOG.exception('reconciling request %s failed', row['id'])
        if time.time() > deadline:
            for row in store.list_honour_requests(
                    run_id, outcome=models.HONOUR_PENDING):
                store.update_honour_request(
                    row['id'], outcome=models.HONOUR_NOT_HONOURED,
                    reason='not decided when reconciliation ended',
                    reconciled_at=time.time())
            break
        time.sleep(poll)
    return store.list_honour_requests(run_id)


class HonourObserver(object):
    """Issues a write request of each kind every ``interval`` seconds."""

    def __init__(self, store, run_id, process_id, client, kinds, interval,
                 timeout, image_ref=None, flavor_ref=None, network=None):
        self.store = store
        self.run_id = run_id
        self.process_id = process_id
        self.client = client
        self.kinds = [WRITE_KINDS[k] for k in kinds]
        self.interval = interval
        self.timeout = timeout
        self.image_ref = image_ref
        self.flavor_ref = flavor_ref
        self.network = network
        self._context = None
        self._skipped = set()
        self._stop = threading.Event()
        self._thread = None
        self._counter = itertools.count(1)
        self.rows = []

    @classmethod
    def from_runner(cls, runner):
        token = runner.tokens.current() or runner.tokens.renew()
        settings = runner.settings
        endpoints = credentials.endpoints_from_catalog(
            token.catalog, settings['interface'], settings['region'])
        client = Client(runner.tokens, endpoints, runner.http_pool)
        return cls(runner.store, runner.run_id, runner.process_id, client,
                   settings['honour_kinds'], settings['honour_interval'],
                   settings['honour_timeout'],
                   image_ref=settings['honour_image_ref'],
                   flavor_ref=settings['honour_flavor_ref'],
                   network=settings['honour_network'])

    def context(self):
        """What the port and server creates need, resolved once.

        ``network_id`` is the id of the network named ``network`` (the
        ``[compute] fixed_network_name``), or ``network`` itself when no
        network has that name (it may be an id).
        """
        if self._context is None:
            context = {'image_ref': self.image_ref,
                       'flavor_ref': self.flavor_ref, 'network_id': None}
            if self.network:
                status, body, error = self.client.call(
                    'GET', WRITE_KINDS['network'],
                    WRITE_KINDS['network'].list_query(self.network))
                if status != 200:
                    return dict(context, error=error or 'HTTP %s' % status)
                found = [n['id'] for n in body.get('networks', [])]
                context['network_id'] = found[0] if found else self.network
            self._context = context
        return self._context

    def _missing(self, kind, context):
        missing = [need for need in kind.needs if not context.get(need)]
        if missing:
            return 'cannot create a %s: no %s%s' % (
                kind.name, ', '.join(missing),
                ' (%s)' % context['error'] if context.get('error') else '')
        return None

    def request(self, kind):
        """Send one create request and record it.

        Returns the ledger row, or None when the kind cannot be created
        here (no image, flavor or network to create it with).
        """
        name = resource_name(self.run_id, kind.name,
                             int(time.time() * 1000) % 10 ** 10 +
                             next(self._counter))
        context = self.context() if kind.needs else {}
        missing = self._missing(kind, context)
        if missing:
            # Nothing is sent, so nothing enters the ledger; said once.
            if kind.name not in self._skipped:
                self._skipped.add(kind.name)
                LOG.warning('honour observer: %s', missing)
                self.store.add_event(self.run_id, events.OBSERVER,
                                     'honour-skip', service=kind.service,
                                     result='skipped', detail=missing)
            return None
        sent = time.time()
        row_id = self.store.add_honour_request(
            self.run_id, kind.name, kind.service, name, requested_at=sent,
            process_id=self.process_id)
        status, body, error = self.client.call(
            'POST', kind, kind.collection, kind.create_body(name, context))
        values = {'status': status}
        if status is not None and 200 <= status < 300:
            values.update(accepted_at=time.time(),
                          resource_id=kind.id_of(body),
                          target_state='/'.join(kind.target_states))
        else:
            values.update(outcome=REJECTED,
                          reason=(error or 'HTTP %s' % status)[:255])
        self.store.update_honour_request(row_id, **values)
        row = dict(id=row_id, kind=kind.name, name=name, requested_at=sent,
                   outcome=values.get('outcome', models.HONOUR_PENDING),
                   delete_requested_at=None, final_state=None,
                   accepted_at=values.get('accepted_at'),
                   resource_id=values.get('resource_id'))
        if row['outcome'] == models.HONOUR_PENDING:
            self.rows.append(row)
        return row

    def _loop(self):
        while not self._stop.is_set():
            for kind in self.kinds:
                if self._stop.is_set():
                    break
                try:
                    self.request(kind)
                except Exception:   # the store or a bug: keep observing
                    LOG.exception('honour request of %s failed', kind.name)
            for row in list(self.rows):
                try:
                    if step(self.store, self.client, row, self.timeout):
                        self.rows.remove(row)
                except Exception:
                    LOG.exception('honour step failed')
            self._stop.wait(self.interval)

    def start(self):
        self._thread = threading.Thread(target=self._loop, name='honour',
                                        daemon=True)
        self._thread.start()

    def stop(self, timeout=15.0):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)


def client_from_settings(settings):
    """A :class:`Client` for another process (validator, command line)."""
    pool = probe.new_pool_manager(
        8, settings['probe_timeout'], insecure=bool(settings.get('insecure')),
        ca_certs=settings.get('ca_certs') or None)
    account = credentials.pick_account(
        settings['accounts_file'], settings['username'],
        settings['project_name'], settings['default_domain'])
    tokens = credentials.TokenManager(
        settings['identity_uri'], account, pool, timeout=10.0,
        renew_margin=settings['token_renew_margin'])
    token = tokens.renew()
    endpoints = credentials.endpoints_from_catalog(
        token.catalog, settings['interface'], settings['region'])
    return Client(tokens, endpoints, pool)


def reconcile_run(store, settings, run_id, timeout=None):
    """Reconcile the run's ledger if it has pending or unknown requests."""
    rows = store.list_honour_requests(run_id)
    if not any(r['outcome'] == models.HONOUR_PENDING or
               (r['outcome'] == REJECTED and not r['resource_id'])
               for r in rows):
        return rows
    client = client_from_settings(settings)
    return reconcile(store, client, run_id,
                     settings['honour_timeout'] if timeout is None
                     else timeout)
