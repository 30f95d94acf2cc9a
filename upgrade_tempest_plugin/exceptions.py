"""Exceptions shared by every part of the plugin."""


class UserError(Exception):
    """Bad input from the user.

    The command line prints it as one line and exits with code 2; nothing
    may be left half done when it is raised.
    """
