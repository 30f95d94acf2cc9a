"""Cinder fake volume driver that also handles images, for the sandbox.

``FakeLoggingVolumeDriver`` (shipped in the cinder wheel) keeps volumes in
memory but inherits LVM's image copies, which need a device file.  Here a
copy from an image does nothing, and a copy to an image uploads a tiny image
made by ``qemu-img`` in the requested disk format (Glance rejects data that
does not match the format).  An extend does nothing either: cinder records
the new size.  Runs inside the cinder venv of the sandbox only.
"""

import os
import subprocess
import tempfile

from cinder.tests import fake_driver

QEMU_FORMATS = {'raw': 'raw', 'qcow2': 'qcow2', 'vmdk': 'vmdk',
                'vdi': 'vdi', 'vhd': 'vpc', 'vhdx': 'vhdx'}


class SandboxFakeDriver(fake_driver.FakeLoggingVolumeDriver):

    def copy_image_to_volume(self, context, volume, image_service, image_id,
                             disable_sparse=False):
        pass

    def copy_volume_to_image(self, context, volume, image_service,
                             image_meta):
        fmt = QEMU_FORMATS.get(image_meta.get('disk_format'), 'raw')
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, 'image')
            subprocess.run(['qemu-img', 'create', '-f', fmt, path, '1M'],
                           check=True, stdout=subprocess.DEVNULL)
            with open(path, 'rb') as data:
                image_service.update(context, image_meta['id'], {}, data)

    def extend_volume(self, volume, new_size):
        # The fake driver of cinder 26.x to 28.x (2025.1 to 2026.1) has
        # no extend_volume and inherits LVM's, which calls the fake volume
        # group's extend_volume, absent in every release: "AttributeError:
        # 'FakeBrickLVM' object has no attribute 'extend_volume'", and the
        # volume goes to error_extending.  Cinder 29's fake driver does
        # nothing, as here.
        pass
