"""Code the sandbox adds to a service venv to run it without hardware.

The modules here are never imported by the plugin: they import the service's
own libraries and are copied into that service's venv as top-level modules,
with a ``.dist-info`` that declares their entry points, so the service finds
them through stevedore like any installed driver.
"""

import os
import shutil

DIST_VERSION = '1.0'

# module file here -> (dist name, {entry point group: {name: target}})
PLUGINS = {
    'neutron': ('sandbox_neutron_binder.py', 'upgrade-tempest-sandbox-neutron',
                {'neutron.ml2.mechanism_drivers': {
                    'sandbox_binder':
                        'sandbox_neutron_binder:SandboxBinderDriver'}}),
    'cinder': ('sandbox_cinder_driver.py', 'upgrade-tempest-sandbox-cinder',
               {}),
}

# cinder.conf volume_driver, a class path (not an entry point).
CINDER_DRIVER = 'sandbox_cinder_driver.SandboxFakeDriver'


def install(service, site_packages):
    """Copy ``service``'s plugin into ``site_packages``; idempotent."""
    if service not in PLUGINS:
        return
    module, dist, entry_points = PLUGINS[service]
    here = os.path.dirname(os.path.abspath(__file__))
    shutil.copyfile(os.path.join(here, module),
                    os.path.join(site_packages, module))
    info = os.path.join(site_packages, '%s-%s.dist-info' % (
        dist.replace('-', '_'), DIST_VERSION))
    os.makedirs(info, exist_ok=True)
    with open(os.path.join(info, 'METADATA'), 'w') as f:
        f.write('Metadata-Version: 2.1\nName: %s\nVersion: %s\n'
                % (dist, DIST_VERSION))
    with open(os.path.join(info, 'entry_points.txt'), 'w') as f:
        for group, points in sorted(entry_points.items()):
            f.write('[%s]\n' % group)
            for name, target in sorted(points.items()):
                f.write('%s = %s\n' % (name, target))
    with open(os.path.join(info, 'RECORD'), 'w') as f:
        f.write('%s,,\n' % module)
        for name in ('METADATA', 'entry_points.txt', 'RECORD'):
            f.write('%s/%s,,\n' % (os.path.basename(info), name))
