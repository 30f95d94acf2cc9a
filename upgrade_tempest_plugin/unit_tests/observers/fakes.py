"""Tiny local servers on 127.0.0.1 for the observer unit tests."""

import http.server
import json
import os
import socket
import ssl
import struct
import subprocess
import threading
import time
import uuid

from upgrade_tempest_plugin.observers import settings as obs_settings

TOKEN = 'fake-token-0123456789abcdef'
PASSWORD = 'observer-secret-password'


class FakeCloud(object):
    """Keystone v3 (token + catalog) and one JSON answer per service path.

    ``behaviour[service]`` is 'ok', a status code (int), or 'keystone-down'
    (503 with keystonemiddleware's text).  ``token_ttl`` sets expires_at.
    """

    def __init__(self, services=('compute', 'image'), token_ttl=3600):
        self.services = services
        self.behaviour = {s: 'ok' for s in services}
        self.behaviour['identity'] = 'ok'
        self.token_ttl = token_ttl
        self.token_requests = 0
        self.requests = []
        self.valid_tokens = set()
        self.networks = {}
        cloud = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def log_message(self, *args):
                pass

            def _send(self, status, body, headers=None):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(data)))
                self.send_header('Connection', 'close')
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                length = int(self.headers.get('Content-Length', 0))
                body = json.loads(self.rfile.read(length))
                if self.path.startswith('/network/v2.0/networks'):
                    if self.headers.get('X-Auth-Token') not in \
                            cloud.valid_tokens:
                        return self._send(401, {'error': 'token'})
                    rid = str(uuid.uuid4())
                    net = {'id': rid, 'status': 'ACTIVE',
                           'name': body['network']['name']}
                    cloud.networks[rid] = net
                    return self._send(201, {'network': net})
                cloud.token_requests += 1
                if cloud.behaviour['identity'] != 'ok':
                    return self._send(503, {'error': 'down'})
                pw = body['auth']['identity']['password']['user']['password']
                if pw != PASSWORD:
                    return self._send(401, {'error': 'bad'})
                token = '%s-%d' % (TOKEN, cloud.token_requests)
                cloud.valid_tokens.add(token)
                expires = time.strftime(
                    '%Y-%m-%dT%H:%M:%S.000000Z',
                    time.gmtime(time.time() + cloud.token_ttl))
                catalog = [{'type': 'identity', 'endpoints': [{
                    'interface': 'public', 'region_id': 'RegionOne',
                    'url': cloud.url + '/identity/v3'}]}]
                for s in cloud.services:
                    catalog.append({'type': s, 'endpoints': [{
                        'interface': 'public', 'region_id': 'RegionOne',
                        'url': cloud.url + '/' + s}]})
                self._send(201, {'token': {'expires_at': expires,
                                           'catalog': catalog}},
                           {'X-Subject-Token': token})

            def do_DELETE(self):
                rid = self.path.rsplit('/', 1)[-1]
                if cloud.networks.pop(rid, None) is None:
                    return self._send(404, {})
                self._send(204, {})

            def do_GET(self):
                if self.path.startswith('/network/v2.0/networks'):
                    rest = self.path[len('/network/v2.0/networks'):]
                    if rest.startswith('?name='):
                        name = rest[len('?name='):]
                        return self._send(200, {'networks': [
                            n for n in cloud.networks.values()
                            if n['name'] == name]})
                    net = cloud.networks.get(rest.strip('/'))
                    if net is None:
                        return self._send(404, {})
                    return self._send(200, {'network': net})
                service = self.path.strip('/').split('/')[0]
                cloud.requests.append((service, self.headers.get(
                    'X-Auth-Token')))
                what = cloud.behaviour.get(service, 'ok')
                if what == 'keystone-down':
                    return self._send(503, {'message': (
                        'The server is currently unavailable. The Keystone '
                        'service is temporarily unavailable.')})
                if what != 'ok':
                    return self._send(int(what), {'error': what})
                token = self.headers.get('X-Auth-Token')
                if token not in cloud.valid_tokens:
                    return self._send(401, {'error': 'token'})
                self._send(200, {'ok': True})

        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0),
                                                      Handler)
        self.server.daemon_threads = True
        self.url = 'http://127.0.0.1:%d' % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       daemon=True)

    def use_tls(self, cert, key):
        """Serve HTTPS with ``cert``/``key`` (call before :meth:`start`)."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.server.socket = context.wrap_socket(self.server.socket,
                                                 server_side=True)
        self.url = self.url.replace('http://', 'https://')
        return self

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class RawServer(object):
    """Accepts TCP connections and then 'hang's or 'reset's them."""

    def __init__(self, behaviour):
        self.behaviour = behaviour
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.url = 'http://127.0.0.1:%d/' % self.port
        self._held = []
        self._stop = False
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self):
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            if self.behaviour == 'reset':
                try:
                    conn.recv(1024)
                except OSError:
                    pass
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                struct.pack('ii', 1, 0))
                conn.close()
            else:
                self._held.append(conn)

    def stop(self):
        self._stop = True
        self.sock.close()
        for conn in self._held:
            conn.close()


def self_signed_certificate(directory):
    """(cert, key) paths of a certificate for 127.0.0.1, made by openssl."""
    cert = os.path.join(directory, 'cert.pem')
    key = os.path.join(directory, 'key.pem')
    subprocess.run(
        ['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes',
         '-keyout', key, '-out', cert, '-days', '1', '-subj',
         '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
        check=True, capture_output=True)
    return cert, key


def closed_port():
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def write_accounts(path, extra=()):
    entries = [{'username': 'admin', 'project_name': 'admin',
                'password': 'adminpw', 'types': ['admin']},
               {'username': 'demo', 'project_name': 'demo',
                'password': PASSWORD, 'roles': ['member']}]
    entries.extend(extra)
    import yaml
    with open(path, 'w') as f:
        yaml.safe_dump(entries, f)


def make_settings(tmp, cloud, **overrides):
    """Observer settings for a runner against ``cloud`` in ``tmp``.

    The fake cloud answers from a thread of the test's own process in
    microseconds; the 2 s probe timeout only keeps a loaded CI machine
    from turning a late answer into a timeout (no test here expects one).
    """
    accounts = os.path.join(tmp, 'accounts.yaml')
    write_accounts(accounts)
    settings = dict(obs_settings.DEFAULTS)
    settings.update(run_id='run-1', state_dir=tmp,
                    identity_uri=cloud.url + '/identity/v3',
                    accounts_file=accounts, rate=20.0, probe_timeout=2.0,
                    flush_interval=0.2,
                    services=['identity', 'compute', 'image'])
    settings.update(overrides)
    return settings


def write_settings_file(tmp, cloud):
    """Path of ``tmp/settings.json``: ``make_settings`` without a run id."""
    settings = make_settings(tmp, cloud)
    settings.pop('run_id')
    path = os.path.join(tmp, 'settings.json')
    with open(path, 'w') as f:
        json.dump(settings, f)
    return path


class KeepAliveServer(object):
    """HTTP/1.1 that keeps connections open; :meth:`drop` resets them.

    Answers every GET 200 (``close_after_answer``: with ``Connection:
    close``); ``connections`` counts the connections it accepted.
    :meth:`drop` closes every open connection from the server's side, as
    a restarted API does to its clients' pooled connections.
    """

    def __init__(self, close_after_answer=False):
        server = self
        self.connections = 0
        self.open = []
        self.lock = threading.Lock()

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def log_message(self, *args):
                pass

            def setup(self):
                super().setup()
                with server.lock:
                    server.connections += 1
                    server.open.append(self.connection)

            def do_GET(self):
                data = b'{"ok": true}'
                self.send_response(200)
                self.send_header('Content-Length', str(len(data)))
                if close_after_answer:
                    self.send_header('Connection', 'close')
                self.end_headers()
                self.wfile.write(data)

        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0),
                                                      Handler)
        self.server.daemon_threads = True
        self.url = 'http://127.0.0.1:%d/' % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever,
                         daemon=True).start()

    def drop(self):
        with self.lock:
            dropped, self.open = self.open, []
        for conn in dropped:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def stop(self):
        self.drop()
        self.server.shutdown()
        self.server.server_close()
