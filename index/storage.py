"""Finding a library and opening its index read-only, with nothing heavier than ``os.path``.

A cold ``brief search`` (a fresh process, as over SSH) goes through here rather than through
index.library, whose ``pathlib`` import alone costs it several milliseconds.
"""

from __future__ import annotations

import os

from .errors import LibraryError

ARTICLES = "articles"  # the Whoosh index name


def library_root(explicit: str | os.PathLike | None = None) -> str:
    """``--library DIR``, else ``$BRIEF_LIBRARY``, else the platform's user data dir; absolute."""
    if explicit:
        return os.path.realpath(os.path.expanduser(os.fspath(explicit)))
    env = os.environ.get("BRIEF_LIBRARY")
    if env:
        return os.path.realpath(os.path.expanduser(env))
    return _xdg_data_dir("brief") or _platform_data_dir("brief")


def _platform_data_dir(app: str) -> str:
    import platformdirs  # ~15 ms: it imports pathlib, tempfile and shutil

    return platformdirs.user_data_dir(app, appauthor=False)


def _xdg_data_dir(app: str) -> str | None:
    """What platformdirs.user_data_dir(app) answers on Linux, worked out without importing it (a test
    holds the two equal): ``$XDG_DATA_HOME/app`` when that is an absolute path, else
    ``~/.local/share/app``. None wherever platformdirs has more to consider (other systems, Android,
    a HOME that is not an absolute path)."""
    import sys

    if not sys.platform.startswith("linux") or hasattr(sys, "getandroidapilevel") or os.environ.get("ANDROID_DATA"):
        return None
    xdg = os.environ.get("XDG_DATA_HOME", "")
    if os.path.isabs(xdg):
        return os.path.join(xdg, app)
    home = os.environ.get("HOME")
    if not home or not os.path.isabs(home):
        return None
    return os.path.join(os.path.expanduser("~/.local/share"), app)


def library_exists(root: str) -> bool:
    return os.path.isfile(os.path.join(root, "manifest.json")) and os.path.isdir(os.path.join(root, "index"))


def open_index(root: str, name: str = ARTICLES):
    """Open one of the library's Whoosh indexes read-only, without copying it into memory."""
    from .fastimport import import_whoosh

    import_whoosh()
    from whoosh.filedb.filestore import FileStorage
    from whoosh.index import EmptyIndexError

    if not library_exists(root):
        raise LibraryError(f"no library at {root} yet: run `brief index PATH...` to add articles")
    try:
        storage = FileStorage(os.path.join(root, "index"), supports_mmap=False)
        return storage.open_index(indexname=name)
    except EmptyIndexError:
        raise LibraryError(
            f"the index in {root} is missing or incomplete; run `brief index --rebuild` to rebuild it"
        ) from None
    except Exception as exc:  # Whoosh raises many kinds on a damaged index
        raise LibraryError(
            f"the index in {root} could not be read ({type(exc).__name__}: {exc}); "
            f"run `brief index --rebuild` to rebuild it"
        ) from None


def index_damage_message(root: str, exc: BaseException) -> str | None:
    """A one-line message when ``exc`` (raised while reading the index of the library at ``root``) says
    the index is damaged: a file missing, truncated or garbled. None for anything else (a bug)."""
    import struct
    import zlib

    damage = (EOFError, struct.error, zlib.error)
    name = getattr(exc, "filename", None)
    index_dir = os.path.join(root, "index")
    if isinstance(exc, FileNotFoundError) and name and os.path.abspath(os.fspath(name)).startswith(index_dir):
        what = f"{os.path.basename(os.fspath(name))} is missing"
    elif isinstance(exc, damage) or type(exc).__name__ == "UnpicklingError":
        what = f"{type(exc).__name__}: {exc}"
    else:
        return None
    return f"the index in {root} is damaged ({what}); run `brief index --rebuild` to rebuild it"
