"""Reading Whoosh's pickles without letting a library's files run code.

Whoosh keeps much of an index as pickles: the table of contents (``_articles_N.toc``: the schema and
the segment list), each compound segment file's directory, the term tables' extras, every posting
block's info and data, column headers, term positions. A pickle can name any function to call with
any arguments, so a crafted file in a library folder (from a colleague, a shared drive) could run
anything on ``brief search``.

Every one of those reads goes through ``loads``/``load`` here instead (see ``install``): the
unpickler resolves only the globals in ``ALLOWED``, the exact names Whoosh's own files for brief's
schema hold (found by recording every name asked for while building, opening, searching and
updating real indexes: the demo library, parallel-built indexes, indexes with deletions, with and
without dates; tests/hostile/test_index_files.py holds the list to what those indexes need). Any
other name is refused with ``RefusedGlobal`` before anything is imported or called.

What the allowed names let a crafted pickle do, looked at one by one: build objects of the allowed
classes and set their attributes (or those of the classes themselves) to values made of the same
names and plain data. Their constructors and ``__setstate__`` only store values (NumericField's makes
a ``struct.Struct`` of its type code; StemFilter's picks a stemmer from a fixed table of languages).
The functions a pickle calls with arguments of its choosing are stand-ins that check them
(``re._compile``: a pattern and integer flags; ``collections.defaultdict``: ``int`` as the default)
or harmless (``_codecs.encode`` is answered by ``str.encode``, which knows only text encodings).
Whoosh's CompressedBytesColumn, which imports a module named by its state, is not allowed (the
stored-fields column is Whoosh's own constant, never read from a file). None of them runs a command,
opens a file or imports a module a file names. The TOC is checked too (``_check_tocs``): segment ids
and the index name make the names of the files Whoosh opens, so only ids Whoosh makes are accepted.

``install`` rebinds the names Whoosh's modules read pickles with (``loads``, ``load_pickle``, and the
``pickle`` module that whoosh.index reaches ``loads`` through); the ``pickle`` module itself is left
alone (multiprocessing and others use it). Written for whoosh-reloaded 2.7.5, which is pinned.
"""

from __future__ import annotations

import importlib
import io
import os
import pickle
import sys
import types

from .errors import IndexDamaged

# The globals Whoosh's own files for brief's schema ask for, exactly as a pickle names them: protocol 2
# pickles (the schema, stored fields, posting data) use Python 2 names such as ``__builtin__``.
# Found by recording every name asked for while building, opening, searching and updating real
# indexes (the demo library, parallel-built indexes, re-indexed ones with deletions, dated and
# undated articles); a test holds this list to what such indexes ask for.
ALLOWED_NAMES = (
    # the TOC's schema (whoosh.index.TOC.read: pickle.loads of the schema, protocol 2)
    ("whoosh.fields", "Schema"),
    ("whoosh.fields", "ID"),
    ("whoosh.fields", "STORED"),
    ("whoosh.fields", "TEXT"),
    ("whoosh.fields", "KEYWORD"),
    ("whoosh.fields", "DATETIME"),
    ("whoosh.formats", "Existence"),
    ("whoosh.formats", "Frequency"),
    ("whoosh.formats", "Positions"),
    ("whoosh.columns", "VarBytesColumn"),
    ("whoosh.columns", "NumericColumn"),
    ("whoosh.analysis.analyzers", "CompositeAnalyzer"),
    ("whoosh.analysis.tokenizers", "IDTokenizer"),
    ("whoosh.analysis.tokenizers", "RegexTokenizer"),
    ("whoosh.analysis.filters", "LowercaseFilter"),
    ("whoosh.analysis.filters", "StopFilter"),
    ("whoosh.analysis.filters", "StripFilter"),
    ("whoosh.analysis.morph", "StemFilter"),
    ("whoosh.lang.porter", "stem"),  # StemFilter's stemming function
    ("re", "_compile"),  # a compiled pattern (RegexTokenizer): checked, see _compile
    ("__builtin__", "frozenset"),  # StopFilter's stop list
    ("__builtin__", "long"),  # NumericField's number type (int)
    # the TOC's segment list (StructFile.read_pickle, highest protocol)
    ("whoosh.codec.whoosh3", "W3Segment"),
    ("whoosh.codec.whoosh3", "W3Codec"),
    ("collections", "defaultdict"),  # a segment's field lengths: checked, see _defaultdict
    ("builtins", "int"),  # ... their default
    # stored fields (a pickled dict per document) and posting data (tuples holding bytes values)
    ("datetime", "datetime"),
    ("_codecs", "encode"),  # how protocol 2 pickles bytes: answered by str.encode, see _resolve
)


def _compile(pattern, flags=0):
    """``re._compile`` for a pickled pattern: text (or bytes) and integer flags only."""
    import re

    if not isinstance(pattern, (str, bytes)) or type(flags) is not int:
        raise pickle.UnpicklingError("a pickled regular expression that is not one")
    return re._compile(pattern, flags)


def _defaultdict(factory=None, *args):
    """``collections.defaultdict`` for a pickled segment: only ``int`` makes its missing values."""
    import collections

    if factory not in (None, int) or args:
        raise pickle.UnpicklingError("a pickled defaultdict with a default brief never uses")
    return collections.defaultdict(factory)


def _resolve(module: str, name: str):
    """The object a pickle gets for an allowed (module, name): the real one, or a checked stand-in
    for the functions a pickle calls with arguments of its choosing."""
    if (module, name) == ("re", "_compile"):
        return _compile
    if (module, name) == ("collections", "defaultdict"):
        return _defaultdict
    if (module, name) == ("_codecs", "encode"):
        # Protocol 2 writes bytes as _codecs.encode(text, "latin1"). str.encode gives the same bytes,
        # at C speed (posting blocks hold many), and knows only text encodings: a pickle cannot reach
        # the bytes-to-bytes codecs (zlib, bz2, base64, ...) through it.
        return str.encode
    if module == "__builtin__":
        import builtins

        return {"long": int}.get(name) or getattr(builtins, name)
    mod = sys.modules.get(module) or importlib.import_module(module)
    return getattr(mod, name)


ALLOWED: frozenset[tuple[str, str]] = frozenset(ALLOWED_NAMES)
_resolved: dict[tuple[str, str], object] = {}


def foreign_message(path: str | None, what: str, root: str | None = None) -> str:
    """The one-line message for an index file holding what brief never writes there: ``path`` of the
    file when it is known (the library is the folder above the index's), else the library ``root``."""
    from .sanitize import display_path

    if path:
        root = os.path.dirname(os.path.dirname(os.path.abspath(path)))
        what = f"{display_path(os.path.basename(path))} {what}"
    else:
        what = f"a file of it {what}"
    where = f"the index in {display_path(root)}" if root else "the library's index"
    return (f"{where} holds data brief did not write ({what}): refusing to read it; "
            f"run `brief index --rebuild` to rebuild it from your files")


class ForeignData(IndexDamaged):
    """An index file holds what brief's own index never holds there (a crafted or foreign file)."""

    def __init__(self, what: str, path: str | None = None) -> None:
        self.what, self.path = what, path
        super().__init__(what)

    def __str__(self) -> str:
        return foreign_message(self.path, self.what)


class RefusedGlobal(ForeignData, pickle.UnpicklingError):
    """A pickle asked for a global brief's index never holds (``wanted``); ``path`` of the file read
    when it could be told."""

    def __init__(self, module: str, name: str, path: str | None = None) -> None:
        self.wanted = f"{_printable(module)}.{_printable(name)}"
        super().__init__(f"asks for {self.wanted}", path)


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        key = (module, name)
        try:
            return _resolved[key]
        except KeyError:
            pass
        if key not in ALLOWED:
            raise RefusedGlobal(module, name, culprit(_stack()))
        found = _resolved[key] = _resolve(module, name)
        return found


def _printable(text: str, limit: int = 80) -> str:
    """A name from a hostile file, safe to put in a one-line message."""
    text = "".join(ch if ch.isprintable() else "?" for ch in str(text))
    return text if len(text) <= limit else text[:limit] + "…"


def loads(data, /, *, fix_imports=True, encoding="ASCII", errors="strict", buffers=None):
    """``pickle.loads`` resolving only the globals in ``ALLOWED``.

    The bytes are handed over through a BufferedReader: the unpickler then takes them from its buffer
    (peek) instead of calling read() for every opcode, which made a posting block's data three times
    as slow to load as with pickle.loads (47 against 16 us; 17 us this way).
    """
    return _Unpickler(io.BufferedReader(io.BytesIO(data)), fix_imports=fix_imports, encoding=encoding,
                      errors=errors, buffers=buffers).load()


def load(file, *, fix_imports=True, encoding="ASCII", errors="strict", buffers=None):
    """``pickle.load`` resolving only the globals in ``ALLOWED``."""
    return _Unpickler(file, fix_imports=fix_imports, encoding=encoding, errors=errors, buffers=buffers).load()


# ----------------------------------------------------------------------------------------------
# Which file was being read: told from the frames of the call stack (or of a traceback) when
# something goes wrong, so that reading costs nothing more when nothing does.


def _stack():
    frame = sys._getframe(1)
    while frame is not None:
        yield frame
        frame = frame.f_back


def traceback_frames(exc: BaseException) -> list:
    """The frames an exception passed through, innermost first."""
    frames = []
    tb = exc.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    return frames[::-1]


def _whoosh_object(obj) -> bool:
    return type(obj).__module__.startswith("whoosh.") and hasattr(obj, "__dict__")


def _real_path(obj) -> str | None:
    """The path of the file on disk a Whoosh file object (StructFile, a compound file's SubFile, a
    CompoundStorage) reads from, if ``obj`` is one."""
    for _ in range(4):
        if isinstance(obj, io.IOBase):
            name = getattr(obj, "name", None)
            return name if isinstance(name, str) and os.path.isabs(name) else None
        if not _whoosh_object(obj):
            return None
        attrs = vars(obj)
        obj = attrs.get("file", attrs.get("_file"))
    return None


def culprit(frames) -> str | None:
    """The path of the index file being read in the innermost of ``frames`` that reads one."""
    for frame in frames:
        try:
            values = list(frame.f_locals.values())
        except Exception:  # pragma: no cover - a frame being torn down
            continue
        this = frame.f_locals.get("self")
        if _whoosh_object(this):
            inner = list(vars(this).values())
            values += inner + [v for o in inner if _whoosh_object(o) for v in vars(o).values()]
        for value in values:
            path = _real_path(value)
            if path:
                return path
    return None


class _PickleProxy(types.ModuleType):
    """What ``whoosh.index`` (and whoosh.compat's ``pickle``) see as the pickle module: the real one,
    except that loading goes through the restricted unpickler."""

    def __init__(self) -> None:
        super().__init__("pickle")
        self.loads, self.load, self.Unpickler = loads, load, _Unpickler

    def __getattr__(self, attr: str):
        return getattr(pickle, attr)


# Whoosh's module globals that read pickles (module, global name); every one of them is rebound.
SITES = (
    ("whoosh.compat", "load"),
    ("whoosh.compat", "loads"),
    ("whoosh.compat", "pickle"),
    ("whoosh.filedb.structfile", "load_pickle"),  # StructFile.read_pickle: TOC segments, compound
    ("whoosh.codec.whoosh3", "loads"),  # posting block data, inlined postings
    ("whoosh.columns", "loads"),  # PickleColumn
    ("whoosh.formats", "loads"),  # term positions and characters
    ("whoosh.index", "pickle"),  # the TOC's schema: pickle.loads(...)
)


_installed = False


def install() -> None:
    """Route every pickle Whoosh reads through the restricted unpickler (call after importing Whoosh).
    Safe to call many times."""
    global _installed
    if _installed:
        return
    proxy = _PickleProxy()
    for module, name in SITES:
        mod = sys.modules.get(module) or __import__(module, fromlist=["_"])
        current = getattr(mod, name, None)
        if current is None:
            raise RuntimeError(f"{module}.{name} is gone: this is not the Whoosh brief was written for")
        if name == "pickle":
            setattr(mod, name, proxy)
        elif current is not loads and current is not load:
            setattr(mod, name, load if current is pickle.load else loads)
    # Old TOC formats are read with whoosh.util.loading.RenamingUnpickler (any class): brief never
    # wrote one, so an index claiming such a format is refused as unreadable (IndexVersionError).
    sys.modules["whoosh.legacy"].toc_loaders.clear()
    _check_tocs(sys.modules["whoosh.index"].TOC)
    _installed = True


# ----------------------------------------------------------------------------------------------
# The table of contents: only what brief writes. Segment ids and the index name make the names of
# the files a reader opens, so a crafted one could point outside the index folder.


def _check_tocs(toc_class) -> None:
    """Have every TOC read (every open of an index, to search or to write) checked by ``toc_problem``."""
    if getattr(toc_class, "_brief_checked", False):
        return
    read = toc_class.read.__func__

    def checked_read(cls, storage, indexname, gen=None, schema=None):
        toc = read(cls, storage, indexname, gen, schema)
        problem = toc_problem(toc, indexname)
        if problem:
            folder = getattr(storage, "folder", None)
            path = os.path.join(folder, cls._filename(indexname, toc.generation)) if folder else None
            raise ForeignData(problem, path)
        return toc

    toc_class.read = classmethod(checked_read)
    toc_class._brief_checked = True


def _segment_id_ok(text) -> bool:
    return type(text) is str and 0 < len(text) <= 64 and text.isascii() and text.isalnum()


def toc_problem(toc, indexname: str) -> str | None:
    """What in a TOC that reads is not what brief writes (None when all is): a Schema, and a list of
    Whoosh 3 segments of this index with ids Whoosh makes (letters and digits)."""
    from whoosh.codec.whoosh3 import W3Codec, W3Segment
    from whoosh.fields import Schema

    if type(toc.schema) is not Schema:
        return "holds a schema that is not one"
    segments = toc.segments
    if type(segments) is not list:
        return "holds a segment list that is not one"
    for seg in segments:
        if type(seg) is not W3Segment:
            return "lists a segment that is not one"
        attrs = vars(seg)
        if attrs.get("indexname") != indexname or not _segment_id_ok(attrs.get("segid")) or "name" in attrs:
            return f"names a segment file brief never makes ({_printable(repr(attrs.get('segid')), 40)})"
        if type(attrs.get("_codec")) is not W3Codec or type(attrs.get("_doccount")) is not int:
            return "lists a segment that is not one"
        if type(attrs.get("_deleted")) not in (set, type(None)):
            return "lists a segment that is not one"
    return None


