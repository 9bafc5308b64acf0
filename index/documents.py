"""Turning one source file into index documents: what both writers (index.indexer, serially; index.parallel,
in its worker processes) do with each file they read.

``read_one`` reads, cleans and sketches one file within READ_TIMEOUT seconds and says why it gave no
articles (a Failure); ``article_doc`` is the Whoosh document of an article, ``catalog_row`` its row in the
manifest, ``repeated_id`` the problem line of an entry whose id is taken. The writers look these up here
at call time (``documents.read_one(...)``), so that a test can patch them for both.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import signal
import threading
from datetime import datetime

from .model import Article

READ_TIMEOUT = 20.0  # seconds one file may take to be read, cleaned and sketched before it is skipped

# Why a file gave no articles: (kind, reason, setup). kind "bad": it cannot be read (a problem line, and the
# manifest remembers it until it changes); "skip": deliberately not indexed (index.model.SkipFile: counted,
# remembered, no problem line); "setup": its reader cannot run here (index.model.ReaderUnavailable: ``setup``
# said once per run, the file left out of the manifest so that the next run tries it again).
Failure = tuple[str, str, "str | None"]


# ----------------------------------------------------------------------------------------------
# Reading one file (in the worker processes of index.parallel for big batches)


class _ReadTimeout(BaseException):
    """Raised by SIGALRM in a reader that took longer than READ_TIMEOUT (a BaseException, so that a
    library's ``except Exception`` does not swallow it)."""


@contextlib.contextmanager
def _time_limit(seconds: float | None):
    """Interrupt the block with _ReadTimeout after ``seconds`` (and again every second, should something
    swallow it). Signals only reach a process's main thread: in another thread (the app indexes from a
    worker thread) there is no limit. Nor is code interrupted that never returns to the interpreter (a C
    extension in a loop); index.parallel's watchdog stops such a worker."""
    if (not seconds or seconds <= 0 or not hasattr(signal, "setitimer")
            or threading.current_thread() is not threading.main_thread()):
        yield
        return
    armed = [True]

    def alarm(signum, frame):
        if armed[0]:
            raise _ReadTimeout

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds, 1.0)
    try:
        yield
    finally:
        armed[0] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)


def read_one(path: str):
    """(path, articles, failure, notes, {id: sketch}) for one file; never raises for bad input.

    ``failure`` is None or a Failure; ``notes`` are the reader's remarks ("read as Windows-1252").
    """
    from .dedup import sketch
    from .model import ReadError, ReaderUnavailable, SkipFile
    from .readers import read_file

    notes: list[str] = []
    try:
        with _time_limit(READ_TIMEOUT):
            articles = read_file(path, notes)
            if not articles:
                raise ReadError(path, "no article text found")
            sketches = {a.id: sketch(a.body) for a in articles}
    except _ReadTimeout:
        return path, [], ("bad", f"took longer than {READ_TIMEOUT:g} s to read; skipped", None), notes, {}
    except ReaderUnavailable as exc:
        return path, [], ("setup", exc.reason, exc.setup), notes, {}
    except SkipFile as exc:
        return path, [], ("skip", exc.reason, None), notes, {}
    except ReadError as exc:
        return path, [], ("bad", exc.reason, None), notes, {}
    except RecursionError:
        return path, [], ("bad", "could not be read (nested too deeply)", None), notes, {}
    except Exception as exc:  # a reader bug must not stop the run
        return path, [], ("bad", f"could not be read ({type(exc).__name__}: {clip(exc)})", None), notes, {}
    return path, articles, None, notes, sketches


def repeated_id(path: str, a: Article) -> str:
    return repeated_id_message(path, a.key or a.title)


def repeated_id_message(path: str, label: str) -> str:
    return f"{path}: entry {label!r} repeats an id already indexed; skipped"


# ----------------------------------------------------------------------------------------------
# Its documents: the Whoosh document and the catalog row of each article


# The user's overrides (index.overrides: id -> {"outlet", "published", "title"}) in force for this run: set by
# the writer (index.indexer) before it reads anything, so that index.parallel's forked workers have them too.
OVERRIDES: dict[str, dict[str, str]] = {}


def catalog_row(a: Article) -> dict:
    """The manifest's row of an article read from its file: the user's overrides applied, and the file's
    own values of the fields they change under "own"."""
    from .overrides import apply

    a, own = apply(a, OVERRIDES) if OVERRIDES else (a, {})
    row = {
        "id": a.id,
        "title": a.title,
        "outlet": a.outlet,
        "published": a.published.isoformat() if a.published else None,
        "hash": a.content_hash,
    }
    if own:
        row["own"] = own
    return row


_SURROGATE = re.compile("[\ud800-\udfff]")


def path_term(path: str) -> str:
    """The ``path`` term of a file in the index: the path itself, or, for a name with bytes that are not
    UTF-8 (Python keeps them as lone surrogates, which Whoosh cannot encode), a NUL and the path's bytes
    as Latin-1: encodable, and never another file's term (no real path holds a NUL). The stored ``path``
    stays the real one."""
    if path.isascii():
        return path
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return "\x00" + path.encode("utf-8", "surrogateescape").decode("latin-1")


def _indexable(text: str) -> str:
    """``text`` with any lone surrogate replaced (Whoosh encodes every term as UTF-8)."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text)


def article_doc(a: Article, path: str) -> dict:
    """The Whoosh document of an article (the user's overrides applied); ``path`` is the manifest's key for
    its file."""
    if OVERRIDES and a.id in OVERRIDES:
        from .overrides import apply

        a = apply(a, OVERRIDES)[0]
    doc = {
        "id": a.id,
        "path": path_term(path),
        "key": a.key,
        "title": a.title,
        "body": a.body,
        "outlet": a.outlet or "",
        "outlet_facet": _indexable((a.outlet or "").lower()),
        "author": a.author or "",
        "tags": ",".join(t.replace(",", " ") for t in a.tags),
        "url": a.url,
        "hash": a.content_hash,
    }
    if doc["path"] != path:
        doc["_stored_path"] = path
    for name in ("title", "body", "outlet", "author", "tags"):  # indexed: encodable; stored as they are
        text = _indexable(doc[name])
        if text is not doc[name]:
            doc[f"_stored_{name}"], doc[name] = doc[name], text
    if a.published:
        doc["published"] = datetime(a.published.year, a.published.month, a.published.day)
    return doc


# ----------------------------------------------------------------------------------------------
# Messages: both writers say what went wrong the same way


def clip(exc: BaseException, limit: int = 200) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def file_of(exc: BaseException) -> str | None:
    """The file an OSError happened on: its filename, else the open file the innermost frames of its
    traceback were writing (Whoosh's StructFile, or a Python file object)."""
    name = getattr(exc, "filename", None)
    if isinstance(name, (str, bytes)) and name:
        return os.fsdecode(name)
    frames = []
    tb = exc.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    for frame in reversed(frames):
        for value in list(frame.f_locals.values()):
            for obj in (value, getattr(value, "file", None) if type(value).__name__ == "StructFile" else None):
                if isinstance(obj, io.IOBase):
                    name = getattr(obj, "name", None)
                    if isinstance(name, str) and os.path.isabs(name):
                        return name
    return None
