"""Errors a user sees; each message says what is wrong and what to do."""


class LibraryError(Exception):
    """Something is wrong with the library itself (missing, damaged, locked)."""


class IndexDamaged(LibraryError):
    """The library's Whoosh index (or a file of it) is missing, truncated or not what brief wrote."""


class LockTimeout(LibraryError):
    """Another writer held the library's lock for longer than we were willing to wait."""


class QueryError(ValueError):
    """A query the user must fix; the message explains what is wrong."""
