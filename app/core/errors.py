"""Errors that the front ends show to a person as one sentence."""

import logging


class VoucherError(Exception):
    """A failure that a person can understand and act on; str() is the sentence to show."""


class NotFound(VoucherError):
    """A batch, template, voucher or member that does not exist (any more)."""


class InvalidInput(VoucherError):
    """Input that breaks a rule before anything is written (a name too long, a bad quantity, ...)."""


class AccountExists(InvalidInput):
    """An account with this email exists already (the answer offers to log in instead)."""


class Refused(VoucherError):
    """A change the store's state does not allow, because it would break what is already out (links
    on posters, say); nothing was changed."""


class FileProblem(VoucherError):
    """A file the user asked for cannot be written (a missing folder, no permission, a full disk)."""


class DatabaseProblem(VoucherError):
    """The database cannot be opened, read or written (missing, locked, read-only, corrupt, full)."""


class BackupNeeded(DatabaseProblem):
    """A server database needs a schema update that no backup was made for (pg_dump is missing or
    failed); nothing was changed. str() says what to do on the command line; the window offers
    `before` (what happened) and `how` (the pg_dump command to run) with buttons of its own."""

    def __init__(self, before: str, how: str, flag: str) -> None:
        super().__init__(f"{before} Make a backup ({how}), then run the same command again with {flag}.")
        self.before = before
        self.how = how


class GenerationCancelled(VoucherError):
    """Generation was stopped by the user; nothing was written."""


class ServerProblem(VoucherError):
    """The claim site's server cannot start (the port is busy, the address is not this PC's, ...)."""


def sentence(exc: BaseException, doing: str) -> str:
    """What to tell a person about a failure, in every front end: the core's own sentence, or a
    plain one for anything unexpected (a bug: its traceback goes to the log)."""
    if isinstance(exc, VoucherError):
        return str(exc)
    logging.getLogger("app").error("Could not %s", doing, exc_info=exc)
    if isinstance(exc, OSError) and exc.strerror:
        return f"Could not {doing}: {exc.strerror}."
    return f"Could not {doing}: {exc}"
