"""The app's catalog: every article row {id, title, outlet, published, path}, newest first, cached.

Parsing the manifest of a big library takes a while (several MB of JSON at 20,000 articles), so a light
copy of the rows is kept in the user cache folder and used while the manifest in force is unchanged. No Textual
here: `brief index` refreshes the copy as it finishes, so that the first start of the app after
indexing does not pay for it.
"""

from __future__ import annotations

import hashlib
import marshal
import os
from pathlib import Path

CATALOG_FIELDS = ("id", "title", "outlet", "published", "path")
CATALOG_CACHE_VERSION = 3  # 3: titles A-Z within a day and among the undated (was Z-A)


def catalog_cache_path(root: Path) -> Path:
    import platformdirs

    digest = hashlib.sha1(str(root).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return Path(platformdirs.user_cache_dir("brief", appauthor=False)) / "catalogs" / f"{digest}.marshal"


def load_catalog(lib) -> list[dict]:
    """The library's catalog rows, from the cached copy when it matches the manifest in force (see
    Library.signature: manifest.json, or manifest.next.json after a killed `brief index`), else from the
    manifest (and the copy is written again). A damaged manifest raises LibraryError (the one-line reason)."""
    if not lib.exists():
        return []
    signature = lib.signature()
    if signature is None:
        return lib.catalog()
    key = [CATALOG_CACHE_VERSION, str(lib.root), *signature]
    cache = catalog_cache_path(lib.root)
    try:
        stored_key, rows = marshal.loads(cache.read_bytes())  # marshal.load(file) is 10x slower
        if stored_key == key and isinstance(rows, list):
            return rows
    except (OSError, EOFError, ValueError, TypeError):
        pass
    catalog = lib.catalog()
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
        tmp.write_bytes(marshal.dumps((key, [{k: r[k] for k in CATALOG_FIELDS} for r in catalog])))
        os.replace(tmp, cache)
    except (OSError, ValueError):
        pass  # a cache: the app works without it
    return catalog
