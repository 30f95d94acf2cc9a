"""Errors of the sandbox that are not the user's fault."""


class SandboxError(Exception):
    """Building, starting or upgrading the sandbox failed.

    The message names the log to read.
    """
