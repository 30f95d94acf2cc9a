"""Exceptions shared by every part of the plugin."""


class UserError(Exception):
    """Bad input from the user.

    The command line prints it as one line and exits with code 2; nothing
    may be left half done when it is raised.
    """


class Failure(Exception):
    """Something failed that the user's input did not cause.

    A store that does not answer, say.  The command line prints it as one
    line and exits with code 1; the message must not hold a password.
    """
