"""Import Whoosh without paying for modules it never uses on the search path.

``whoosh.compat`` does ``from urllib.request import urlretrieve`` at import time, which drags in
http.client, ssl and email (~45 ms, a third of a cold ``brief search``). Nothing on our path ever
downloads anything, so while Whoosh is imported a tiny stand-in module answers that import; the real
``urllib.request`` is loaded on first use, and the stand-in is removed again so that every later
``import urllib.request`` gets the real module.
"""

from __future__ import annotations

import importlib
import sys
import types


def _lazy_urlretrieve(*args, **kwargs):  # pragma: no cover - Whoosh never calls it for us
    return importlib.import_module("urllib.request").urlretrieve(*args, **kwargs)


def import_whoosh() -> None:
    """Import the Whoosh modules brief uses, cheaply. Safe to call many times."""
    if "whoosh.compat" in sys.modules:
        return
    stub = None
    if "urllib.request" not in sys.modules:
        stub = types.ModuleType("urllib.request")
        stub.urlretrieve = _lazy_urlretrieve  # type: ignore[attr-defined]
        sys.modules["urllib.request"] = stub
    try:
        import whoosh.compat  # noqa: F401
    finally:
        if stub is not None and sys.modules.get("urllib.request") is stub:
            del sys.modules["urllib.request"]
