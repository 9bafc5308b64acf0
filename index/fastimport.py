"""Import Whoosh without paying for modules it never uses on the search path.

Two of Whoosh's imports cost more than half of a cold ``brief search``:

- ``whoosh.compat`` does ``from urllib.request import urlretrieve`` (http.client, ssl, email: ~45 ms).
  Nothing here downloads anything; a stand-in answers that import and loads the real module on use.
- ``whoosh.reading`` uses the ``cached_property`` package only as a plain decorator, and that package
  imports asyncio (~60 ms). The standard library's ``functools.cached_property`` does the same job.
- ``whoosh.query.terms`` imports ``whoosh.lang.morph_en`` (English word variations, ~40 ms of regex
  compiling) for the ``Variations`` query, which brief never builds; it is loaded on first use.

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


def _stand_ins() -> dict[str, types.ModuleType]:
    urllib_request = types.ModuleType("urllib.request")
    urllib_request.urlretrieve = _lazy_urlretrieve  # type: ignore[attr-defined]
    cached = types.ModuleType("cached_property")
    cached.cached_property = functools.cached_property  # type: ignore[attr-defined]
    morph_en = types.ModuleType("whoosh.lang.morph_en")
    morph_en.variations = _lazy_variations  # type: ignore[attr-defined]
    return {"urllib.request": urllib_request, "cached_property": cached, "whoosh.lang.morph_en": morph_en}


def import_whoosh() -> None:
    """Import the Whoosh modules brief uses, cheaply. Safe to call many times."""
    if "whoosh.reading" in sys.modules:
        return
    installed = {}
    for name, module in _stand_ins().items():
        if name not in sys.modules:
            sys.modules[name] = installed[name] = module
    try:
        import whoosh.compat  # noqa: F401
        import whoosh.query  # noqa: F401
        import whoosh.reading  # noqa: F401
    finally:
        for name, module in installed.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]
