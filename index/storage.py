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
    """Open one of the library's Whoosh indexes read-only, without copying it into memory.

    Every segment is opened here (its compound file's directory, term table and per-document
    files), so that a missing, empty, truncated or foreign file is told now, in one line naming it
    (IndexDamaged), rather than as a traceback halfway through a search. The readers opened are
    the ones the first searcher uses: checking costs nothing more.
    """
    from .fastimport import import_whoosh

    import_whoosh()
    from whoosh.filedb.filestore import FileStorage
    from whoosh.index import EmptyIndexError

    from .errors import IndexDamaged

    if not library_exists(root):
        manifest = os.path.join(root, "manifest.json")
        if os.path.isdir(os.path.join(root, "index")) and not os.path.exists(os.path.join(root, "manifest.next.json")):
            # As `brief list` and `brief show` say it (index.library): one library, one story.
            raise LibraryError(f"the library manifest {_shown(manifest)} is missing although the index is there; "
                               f"run `brief index` to rebuild it from the index")
        raise LibraryError(f"no library at {_shown(root)} yet: run `brief index PATH...` to add articles")
    try:
        storage = FileStorage(os.path.join(root, "index"), supports_mmap=False)
        ix = _index_class()(storage, indexname=name)
        ix._prepare()
        return ix
    except EmptyIndexError:
        raise IndexDamaged(
            f"the index in {_shown(root)} has no table of contents (no _{name}_*.toc file); "
            f"{REBUILD}"
        ) from None
    except IndexDamaged:
        raise
    except Exception as exc:  # Whoosh raises many kinds on a damaged index
        message = index_damage_message(root, exc)
        if message:
            raise IndexDamaged(message) from None
        if isinstance(exc, OSError):
            what = exc.strerror or type(exc).__name__
            where = f": {_shown(os.path.basename(os.fspath(exc.filename)))}" if exc.filename else ""
            raise LibraryError(f"the index in {_shown(root)} could not be read ({what}{where}); "
                               f"check the permissions of {_shown(os.path.join(root, 'index'))}") from None
        raise IndexDamaged(
            f"the index in {_shown(root)} could not be read ({_brief(exc)}); {REBUILD}"
        ) from None


REBUILD = "run `brief index --rebuild` to rebuild it from your files"

_INDEX_CLASS = None


def _index_class():
    """Whoosh's FileIndex, opening its segments once at open time (see open_index); made on first use
    so that importing this module does not import Whoosh."""
    global _INDEX_CLASS
    if _INDEX_CLASS is not None:
        return _INDEX_CLASS
    from whoosh.index import FileIndex, TOC

    class CheckedIndex(FileIndex):
        _opened = None  # the reader _prepare opened, for the first reader() call

        def _prepare(self) -> None:
            for attempt in range(5):
                toc = TOC.read(self.storage, self.indexname)
                try:
                    reader = self._reader(self.storage, toc.schema, toc.segments, toc.generation)
                except FileNotFoundError:
                    # A writer may have committed and removed old segments between the two reads:
                    # then the table of contents has moved on, and reading it again is enough.
                    if attempt < 4 and self.latest_generation() != toc.generation:
                        continue
                    raise
                break
            try:
                _check_compound_files(reader)
            except BaseException:
                reader.close()
                raise
            self._opened = reader

        def reader(self, reuse=None):
            opened, self._opened = self._opened, None
            if opened is not None:
                if reuse is None and not getattr(opened, "is_closed", False) \
                        and opened.generation() == self.latest_generation():
                    return opened
                opened.close()
            return super().reader(reuse=reuse)

    _INDEX_CLASS = CheckedIndex
    return CheckedIndex


def _check_compound_files(reader) -> None:
    """Each segment's compound file holds every part its directory lists (a truncated file has lost
    its directory, which opening it already told; this catches a file cut short below it)."""
    import struct

    for leaf, _offset in reader.leaf_readers():
        files = getattr(getattr(leaf, "_storage", None), "a", None)  # OverlayStorage(CompoundStorage, ...)
        directory = getattr(files, "_dir", None)
        dbfile = getattr(files, "_file", None)
        if not directory or dbfile is None or not getattr(dbfile, "is_real", False):
            continue
        size = os.fstat(dbfile.fileno()).st_size
        for part, info in directory.items():
            if info["offset"] + info["length"] > size:
                raise struct.error(f"{part} ends past the end of the file (cut short)")


def _shown(path: str) -> str:
    from .sanitize import display_path

    return display_path(os.fspath(path))


def _brief(exc: BaseException, limit: int = 160) -> str:
    """``Type: message`` of an exception, on one line, safe to print, at most ``limit`` characters."""
    from .sanitize import safe_inline

    kind = type(exc).__name__
    if kind == "error":  # struct.error, zlib.error
        kind = f"{type(exc).__module__}.error"
    text = safe_inline(f"{kind}: {exc}" if str(exc) else kind)
    return text if len(text) <= limit else text[:limit - 1] + "…"


# Where Whoosh reads the bytes of its files (paths inside the whoosh package): an exception raised
# from here while reading a file of the index means the file does not hold what Whoosh wrote (a
# short read, a bad offset, garbage).
_READING_CODE = ("filedb/", "codec/", "columns.py", "formats.py", "util/numlists.py", "util/varints.py",
                 "idsets.py", "index.py")


def index_damage_message(root: str, exc: BaseException) -> str | None:
    """A one-line message when ``exc`` (raised while reading the index of the library at ``root``) says
    the index is damaged: a file missing, truncated, garbled or not what brief wrote. None for anything
    else (a bug).

    The message names the file when it can be told: from the exception, else from the Whoosh file
    objects in the frames the exception passed through (looked at only now, when something failed).
    """
    import pickle
    import struct
    import zlib

    from . import safepickle

    if isinstance(exc, safepickle.ForeignData):
        return safepickle.foreign_message(exc.path, exc.what, root)
    import errno

    if isinstance(exc, PermissionError) or errno.errorcode.get(getattr(exc, "errno", None)) in _NOT_DAMAGE:
        return None  # permissions, a full disk, a read-only or failing disk: not what a rebuild mends
    index_dir = os.path.join(os.path.abspath(root), "index")
    frames = safepickle.traceback_frames(exc)
    path = safepickle.culprit(frames)
    name = getattr(exc, "filename", None)
    if isinstance(exc, FileNotFoundError) and name:
        name = os.path.abspath(os.fspath(name))
        if not _inside(name, index_dir):
            return None
        what = f"{_shown(os.path.basename(name))} is missing"
    else:
        if isinstance(exc, (EOFError, struct.error, zlib.error, pickle.UnpicklingError)):
            pass
        elif not (isinstance(exc, Exception) and path and _inside(os.path.abspath(path), index_dir)
                  and (_raised_reading(frames) or isinstance(exc, UnicodeDecodeError))):
            # Anything else counts as damage only when it was raised reading a file of this index:
            # by Whoosh's file-reading code, or decoding a term's bytes read from the file.
            return None
        what = _brief(exc)
        if path and _inside(os.path.abspath(path), index_dir):
            what = f"{_shown(os.path.basename(path))}: {what}"
    return f"the index in {_shown(root)} is damaged ({what}); {REBUILD}"


_NOT_DAMAGE = ("EACCES", "EPERM", "ENOSPC", "EROFS", "EDQUOT", "EIO")  # errno names


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _raised_reading(frames) -> bool:
    """Whether the innermost Whoosh frame an exception left is in Whoosh's file-reading code."""
    import sys

    whoosh = sys.modules.get("whoosh")
    if whoosh is None or not getattr(whoosh, "__file__", None):
        return False
    package = os.path.dirname(os.path.abspath(whoosh.__file__)) + os.sep
    for frame in frames:
        filename = frame.f_code.co_filename
        if filename.startswith(package):
            return filename[len(package):].replace(os.sep, "/").startswith(_READING_CODE)
    return False
