"""Import Whoosh without paying for modules it never uses on the search path.

Two of Whoosh's imports cost more than half of a cold ``brief search``:

- ``whoosh.compat`` does ``from urllib.request import urlretrieve`` (http.client, ssl, email: ~45 ms).
  Nothing here downloads anything; a stand-in answers that import and loads the real module on use.
- ``whoosh.reading`` uses the ``cached_property`` package only as a plain decorator, and that package
  imports asyncio (~60 ms). The standard library's ``functools.cached_property`` does the same job.
- ``whoosh.query.terms`` imports ``whoosh.lang.morph_en`` (English word variations, ~40 ms of regex
  compiling) for the ``Variations`` query, which brief never builds; it is loaded on first use.

- ``tempfile`` and ``shutil`` (and with them bz2, lzma), ``hashlib`` (md5 for writing hash tables), ``html``
  (escaping for Whoosh's highlighter), ``random`` (temporary file names), ``calendar`` (date
  arithmetic) and ``queue`` (the multi-process writer) are imported on first use: a plain search
  never uses them. So are Whoosh's fuzzy-matching automata and Levenshtein distance, its
  double-metaphone filter and its date conversions.

Whoosh's FilterMatcher is also mended here, on the one path every import of Whoosh takes (see
_fix_filter_matcher), and every pickle Whoosh reads from an index goes through a restricted
unpickler from then on (index.safepickle.install: a crafted library file cannot run code).

The stand-ins live in ``sys.modules`` only while Whoosh is imported, so every later import of those
names in the process gets the real modules.
"""

from __future__ import annotations

import functools
import importlib
import sys
import types


def _lazy_urlretrieve(*args, **kwargs):  # pragma: no cover - Whoosh never calls it for us
    return importlib.import_module("urllib.request").urlretrieve(*args, **kwargs)


def _lazy_variations(*args, **kwargs):  # pragma: no cover - only the Variations query calls it
    return importlib.import_module("whoosh.lang.morph_en").variations(*args, **kwargs)


class _Deferred(types.ModuleType):
    """A module imported on its first attribute access (``whoosh.filedb.filestore`` imports tempfile, and
    with it shutil, bz2, lzma and random, only for temporary storage a search never makes)."""

    def __getattr__(self, attr: str):
        if attr.startswith("__"):
            # The import system asks every module for __path__, __spec__ and the like: answering
            # those must not load the real module (``import html`` loads html.entities, 1.6 ms).
            raise AttributeError(attr)
        name = self.__name__
        if sys.modules.get(name) is self:
            del sys.modules[name]
        real = importlib.import_module(name)
        self.__dict__.update(real.__dict__)
        return getattr(real, attr)


def _deferred_function(module: str, name: str):
    def call(*args, **kwargs):
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    return call


def _stand_ins() -> dict[str, types.ModuleType]:
    urllib_request = types.ModuleType("urllib.request")
    urllib_request.urlretrieve = _lazy_urlretrieve  # type: ignore[attr-defined]
    cached = types.ModuleType("cached_property")
    cached.cached_property = functools.cached_property  # type: ignore[attr-defined]
    morph_en = types.ModuleType("whoosh.lang.morph_en")
    morph_en.variations = _lazy_variations  # type: ignore[attr-defined]
    hashlib = _Deferred("hashlib")  # whoosh.filedb.filetables: `from hashlib import md5`, for writing only
    hashlib.md5 = _deferred_function("hashlib", "md5")  # type: ignore[attr-defined]
    html = _Deferred("html")  # whoosh.compat: `from html import escape`, for highlighting we do not use
    html.escape = _deferred_function("html", "escape")  # type: ignore[attr-defined]
    # Whoosh modules for what a plain search never does: fuzzy terms (automata, levenshtein), the
    # double-metaphone filter, date arithmetic (util.times; date: queries load it on first use).
    automata = types.ModuleType("whoosh.automata")
    automata.__path__ = []  # a package, as far as `from whoosh.automata import lev` is concerned
    automata.lev = _Deferred("whoosh.automata.lev")  # type: ignore[attr-defined]
    levenshtein = types.ModuleType("whoosh.support.levenshtein")
    levenshtein.distance = _deferred_function("whoosh.support.levenshtein", "distance")  # type: ignore[attr-defined]
    dmetaphone = types.ModuleType("whoosh.lang.dmetaphone")
    dmetaphone.double_metaphone = _deferred_function("whoosh.lang.dmetaphone", "double_metaphone")  # type: ignore[attr-defined]
    times = types.ModuleType("whoosh.util.times")
    for name in ("datetime_to_long", "long_to_datetime"):
        setattr(times, name, _deferred_function("whoosh.util.times", name))
    whoosh_parts = {"whoosh.automata": automata, "whoosh.support.levenshtein": levenshtein,
                    "whoosh.lang.dmetaphone": dmetaphone, "whoosh.util.times": times}
    shutil = _Deferred("shutil")  # whoosh.filedb.compound: `from shutil import copyfileobj`, for writing only
    shutil.copyfileobj = _deferred_function("shutil", "copyfileobj")  # type: ignore[attr-defined]
    deferred = {name: _Deferred(name) for name in ("tempfile", "random", "calendar", "queue")}
    return {"urllib.request": urllib_request, "cached_property": cached, "whoosh.lang.morph_en": morph_en,
            "hashlib": hashlib, "html": html, "shutil": shutil, **deferred, **whoosh_parts}


def _fix_filter_matcher() -> None:
    """Let ranking skip low-scoring blocks in segments that have deleted documents.

    Whoosh hides a segment's deleted documents behind a FilterMatcher, whose ``next()`` drops the
    "entered a new block" answer of the matcher it wraps. The ranking loop only checks block quality
    when told it entered a block, so in such a segment it scored every match: after re-indexing a few
    files, a top-10 search for a common word took three times as long. Its ``skip_to_quality()`` could
    also stop on a deleted document. Both are fixed here, for whoosh-reloaded 2.7.5 (pinned); tests
    hold the ranking equal to scoring every match.
    """
    from whoosh.matching.wrappers import FilterMatcher

    if getattr(FilterMatcher, "_brief_fixed", False):
        return

    def next(self):  # noqa: A001 - the Matcher method's name
        entered = self.child.next()
        return self._find_next() or entered

    def skip_to_quality(self, minquality):
        skipped = self.child.skip_to_quality(minquality / self.boost)
        self._find_next()
        return skipped

    FilterMatcher.next = next
    FilterMatcher.skip_to_quality = skip_to_quality
    FilterMatcher._brief_fixed = True


def import_whoosh() -> None:
    """Import the Whoosh modules brief uses, cheaply. Safe to call many times."""
    if "whoosh.reading" in sys.modules:
        _fix_filter_matcher()
        from . import safepickle

        safepickle.install()
        return
    installed = {}
    for name, module in _stand_ins().items():
        if name not in sys.modules:
            sys.modules[name] = installed[name] = module
    try:
        import whoosh.compat  # noqa: F401
        import whoosh.query  # noqa: F401
        import whoosh.reading  # noqa: F401
        import whoosh.codec.whoosh3  # noqa: F401  (opening any index loads it)
        import whoosh.searching  # noqa: F401
    finally:
        for name, module in installed.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]
    _fix_filter_matcher()
    from . import safepickle

    safepickle.install()
