"""The sandbox: a real, small OpenStack cloud built from PyPI on one machine.

Each OpenStack service runs from its own virtualenv at the package versions of
one release series, on the sandbox's own MariaDB, RabbitMQ and memcached, all
bound to 127.0.0.1.  The cloud can be upgraded in place to a later series.
Nothing here is imported by the Tempest plugin itself.
"""
