"""Glance's workload kind: a private image with known data."""

import hashlib
import io

from tempest.lib import exceptions as lib_exc

from upgrade_tempest_plugin.workloads.kinds import base

IMAGE_DATA_SIZE = 64 * 1024


def image_data(run_id):
    """Known, reproducible image data of a run."""
    seed = ('upgrade-tempest-plugin workload image of run %s\n' %
            run_id).encode()
    return (seed * (IMAGE_DATA_SIZE // len(seed) + 1))[:IMAGE_DATA_SIZE]


class ImageWithData(base.Kind):
    """A private image with known data."""
    name = 'image_with_data'
    service = 'image'
    needs = ('glance',)
    roles = (('image', 'image'),)

    def create_or_verify(self, ws):
        r = ws.resources
        data = image_data(ws.run_id)

        def create(name):
            return r.images.create_image(
                name=name, container_format='bare', disk_format='raw',
                visibility='private')

        def upload(image):
            if image.get('status') == 'queued':
                r.images.store_image_file(image['id'], io.BytesIO(data))
            return r.wait_for('image', image['id'], ('active',))

        ws.ensure(self.name, 'image', 'image', create, ready=upload,
                  attrs={'size': len(data),
                         'sha512': hashlib.sha512(data).hexdigest(),
                         'md5': hashlib.md5(data).hexdigest()})

    def verify(self, ws):
        entries, problems = self.check_recorded(ws)
        if problems:
            return problems
        entry, image = self.lookup(ws, 'image', 'image', entries, problems)
        if image:
            attrs = entry['attrs']
            problems += filter(None, [base.status_problem(
                'image', entry, image, ('active',))])
            if image.get('size') != attrs.get('size'):
                problems.append('image %s has size %s, expected %s' % (
                    entry['name'], image.get('size'), attrs.get('size')))
            if (image.get('os_hash_value') and
                    image['os_hash_value'] != attrs.get('sha512')):
                problems.append('image %s has hash %s, expected %s' % (
                    entry['name'], image['os_hash_value'],
                    attrs.get('sha512')))
            if image.get('checksum') and \
                    image['checksum'] != attrs.get('md5'):
                problems.append('image %s has checksum %s, expected %s' % (
                    entry['name'], image['checksum'], attrs.get('md5')))
        return problems

    def act(self, ws):
        entries, problems = self.check_recorded(ws)
        if problems:
            return problems
        entry = entries['image']
        try:
            body = ws.resources.images.show_image_file(entry['resource_id'])
            digest = hashlib.sha512(body.data).hexdigest()
            if digest != entry['attrs'].get('sha512'):
                problems.append('image %s (%s): downloaded data has sha512 '
                                '%s, expected %s' % (
                                    entry['name'], entry['resource_id'],
                                    digest, entry['attrs'].get('sha512')))
        except lib_exc.TempestException as exc:
            problems.append('image %s (%s) could not be downloaded: %s' % (
                entry['name'], entry['resource_id'], exc))
        return problems
