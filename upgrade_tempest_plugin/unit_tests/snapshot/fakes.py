"""A recorded run to export: store rows, a workspace, a state directory."""

import os

from upgrade_tempest_plugin.store import api as store_api
from upgrade_tempest_plugin.store import models

RUN = 'run-abc'
#: Passwords the fake run's files hold (long enough to be blanked).
ADMIN_PASSWORD = 'Adm1nPassw0rd-xyz'
DEMO_PASSWORD = 'Dem0Passw0rd-abcd'


def fill_run(store, run_id=RUN, base=1000.0):
    """Rows of every kind for ``run_id``; returns the process id."""
    store.ensure_run(run_id, started=base)
    store.add_event(run_id, 'sandbox', 'stop', service='keystone',
                    from_version='29.1.0', to_version='30.0.0', result='ok',
                    detail={'seconds': 1.5}, at=base + 1)
    process_id = store.register_process(run_id, 4242, 'host', 'detached',
                                        attrs={'services': ['identity']},
                                        at=base)
    store.add_samples([
        {'run_id': run_id, 'observer': models.API, 'target': 'identity',
         'sent_at': base + i / 10.0, 'answered_at': base + i / 10.0 + 0.01,
         'latency': 0.01, 'outcome': models.OUTCOME_OK, 'status': 200,
         'process_id': process_id} for i in range(20)])
    store.add_gap(run_id, base + 2, base + 3, models.GAP_BUFFER_OVERFLOW,
                  observer=models.API, target='identity',
                  process_id=process_id, lost_samples=3)
    store.add_honour_request(run_id, 'server', 'compute', 'h-1', base + 4,
                             process_id=process_id, status=202)
    store.record_workload(run_id, 'server', 'wl-server', 'uuid-1', 'compute',
                          attrs={'flavor': 'm1.tiny'})
    store.add_test_results(run_id, [
        {'test_id': 'tempest.api.x.test_y', 'status': 'fail',
         'started_at': base + 5, 'duration': 1.25, 'detail': None}],
        phase='post-upgrade')
    store.create_campaign(run_id, 'plan-1', 'cloud-1', {'steps': []})
    store.set_item(run_id, 'step', 'upgrade-glance', 'done')
    return process_id


def workspace(root, state_dir):
    """A Tempest workspace whose files hold the fake passwords."""
    etc = os.path.join(root, 'etc')
    os.makedirs(etc)
    os.makedirs(os.path.join(root, 'logs'))
    accounts = os.path.join(etc, 'accounts.yaml')
    conf = os.path.join(etc, 'tempest.conf')
    with open(conf, 'w') as f:
        f.write('[DEFAULT]\nlog_dir = %s\nlog_file = tempest.log\n\n'
                '[auth]\nadmin_password = %s\ntest_accounts_file = %s\n'
                'use_dynamic_credentials = False\n\n'
                '[upgrade]\nstate_dir = %s\nexpected_release_before = '
                '2026.1\nexpected_release_after = 2026.2\n'
                % (os.path.join(root, 'logs'), ADMIN_PASSWORD, accounts,
                   state_dir))
    with open(accounts, 'w') as f:
        f.write('- username: "demo"\n  project_name: "demo"\n'
                '  password: "%s"\n  roles: ["member"]\n' % DEMO_PASSWORD)
    with open(os.path.join(root, 'logs', 'tempest.log'), 'w') as f:
        f.write('request body {"password": "%s"}\n'
                'url http://demo:%s@127.0.0.1:5000/v3\n'
                % (DEMO_PASSWORD, 'short'))
    stestr = os.path.join(root, '.stestr')
    os.makedirs(stestr)
    for name, data in (('format', b'1\n'), ('next-stream', b'1\n'),
                       ('0', b'\xb3subunit bytes')):
        with open(os.path.join(stestr, name), 'wb') as f:
            f.write(data)
    return conf


def open_store(state_dir):
    from upgrade_tempest_plugin import run_context
    return store_api.open_store(run_context.sqlite_url(state_dir))
