"""Base class of the unit tests."""

import testtools


class TestCase(testtools.TestCase):
    """Unit tests never touch the network or a real cloud."""
