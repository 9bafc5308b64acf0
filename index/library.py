"""The library: a folder holding the Whoosh index, a manifest of the indexed files and a lock.

Sources stay where they are and are never written to. Layout of a library folder::

    index/          Whoosh storage of the "articles" index (paragraphs kept, see index.search.best_passages)
    manifest.json   every indexed file: stat signature, its articles (catalog rows), read errors
    sketches.json   MinHash sketches for near-duplicate detection
    brief.lock      held (flock) by the one `brief index` run allowed at a time

This module is the read side, kept light because a cold `brief search` imports it; writing lives in
index.indexer and is imported only by `Library.update`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from pathlib import Path

from .errors import LibraryError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (a cold search pays for every import)

if TYPE_CHECKING:
    from .indexer import IndexReport, ProgressFn
    from .model import Article

MANIFEST_VERSION = 1


def default_library_dir(explicit: str | os.PathLike | None = None) -> Path:
    """``--library DIR``, else ``$BRIEF_LIBRARY``, else the platform's user data dir."""
    from .storage import library_root

    return Path(library_root(explicit))


def empty_manifest() -> dict:
    return {"version": MANIFEST_VERSION, "roots": [], "files": {}, "duplicates": {}}


class Library:
    """A library folder. Reading (search, show, list) needs no lock; `update` takes it."""

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root).expanduser().resolve()
        self.index_dir = self.root / "index"
        self.manifest_path = self.root / "manifest.json"
        self.sketches_path = self.root / "sketches.json"
        self.lock_path = self.root / "brief.lock"
        self._manifest: dict | None = None

    # -- state ----------------------------------------------------------------------------------

    def exists(self) -> bool:
        return self.manifest_path.is_file() and self.index_dir.is_dir()

    def manifest(self) -> dict:
        if self._manifest is None:
            self._manifest = self.read_manifest()
        return self._manifest

    def read_manifest(self) -> dict:
        """The manifest as it is on disk now (empty for a new library)."""
        if not self.manifest_path.exists():
            return empty_manifest()
        try:
            data = json.loads(self.manifest_path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION:
                raise ValueError("unknown manifest version")
            return data
        except (OSError, ValueError) as exc:
            raise LibraryError(
                f"the library manifest {self.manifest_path} could not be read ({exc}); "
                f"run `brief index --rebuild PATH...` to start over"
            ) from None

    def catalog(self) -> list[dict]:
        """Every article as a row {id, title, outlet, published, path}, newest first."""
        rows = []
        for path, entry in self.manifest()["files"].items():
            for art in entry.get("articles", ()):
                rows.append({"id": art["id"], "title": art["title"], "outlet": art["outlet"],
                             "published": art["published"], "path": path})
        rows.sort(key=lambda r: (r["published"] or "", r["title"].lower()), reverse=True)
        # Newest first, but undated articles last and titles A-Z within a day.
        rows.sort(key=lambda r: r["published"] is None)
        return rows

    def article_count(self) -> int:
        return sum(len(e.get("articles", ())) for e in self.manifest()["files"].values())

    def roots(self) -> list[str]:
        return list(self.manifest().get("roots", []))

    def near_duplicates(self) -> dict[str, list[str]]:
        """id -> ids of its near-duplicate copies (syndicated or re-posted)."""
        return {k: list(v) for k, v in self.manifest().get("duplicates", {}).items()}

    def resolve_id(self, prefix: str) -> str:
        """The full id for an id or a unique prefix of one; LookupError explains otherwise."""
        prefix = prefix.strip().lower()
        ids = [r["id"] for r in self.catalog()]
        if prefix in ids:
            return prefix
        matches = [i for i in ids if i.startswith(prefix)] if prefix else []
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise LookupError(f"no article with id {prefix!r} (see `brief list`)")
        raise LookupError(f"id prefix {prefix!r} is ambiguous: {', '.join(sorted(matches)[:8])}")

    # -- reading the index ----------------------------------------------------------------------

    def open_index(self, name: str = "articles"):
        """Open one of the Whoosh indexes read-only, without copying it into memory."""
        from .storage import open_index

        return open_index(str(self.root), name)

    def get(self, article_id: str, searcher=None) -> Article:
        """The stored, cleaned article with this id (or unique id prefix)."""
        full = self.resolve_id(article_id)
        if searcher is not None:
            fields = searcher.document(id=full)
        else:
            ix = self.open_index()
            with ix.searcher() as s:
                fields = s.document(id=full)
        if fields is None:
            raise LookupError(f"article {full} is in the manifest but not in the index; "
                              f"run `brief index --rebuild`")
        return article_from_fields(fields)

    def articles(self, ids: Iterable[str] | None = None) -> Iterator[Article]:
        """Stored articles, all of them or those ids, in catalog order."""
        wanted = [r["id"] for r in self.catalog()] if ids is None else [self.resolve_id(i) for i in ids]
        ix = self.open_index()
        with ix.searcher() as s:
            for aid in wanted:
                fields = s.document(id=aid)
                if fields is not None:
                    yield article_from_fields(fields)

    # -- writing (index.indexer) ---------------------------------------------------------------

    def lock(self, wait: float = 30.0, on_wait: Callable[[str], None] | None = None):
        """Hold the library's write lock; wait up to ``wait`` seconds for another writer."""
        from .indexer import hold_lock

        return hold_lock(self, wait=wait, on_wait=on_wait)

    def update(
        self,
        paths: Iterable[str | os.PathLike] = (),
        *,
        rebuild: bool = False,
        wait: float = 30.0,
        progress: ProgressFn | None = None,
        on_wait: Callable[[str], None] | None = None,
        follow_links: bool = False,
    ) -> IndexReport:
        """Bring the index up to date with ``paths`` (default: the roots indexed before).

        New and changed files are read and (re)indexed, deleted ones removed, unchanged ones
        skipped without being read. Nothing is visible until the final commit, so an interrupted
        run leaves the previous index complete and usable. Links leading outside ``paths`` are skipped
        unless ``follow_links``.
        """
        from .indexer import Indexer

        report = Indexer(self).update(paths, rebuild=rebuild, wait=wait, progress=progress, on_wait=on_wait,
                                      follow_links=follow_links)
        self._manifest = None
        return report


def article_from_fields(fields: dict) -> Article:
    from .model import Article

    published = fields.get("published")
    if isinstance(published, datetime):
        published = published.date()
    elif not isinstance(published, date):
        published = None
    tags = [t for t in (fields.get("tags") or "").split(",") if t]
    return Article(
        id=fields["id"],
        path=fields["path"],
        title=fields.get("title") or "",
        paragraphs=[p for p in (fields.get("body") or "").split("\n\n") if p],
        outlet=fields.get("outlet") or None,
        author=fields.get("author") or None,
        published=published,
        url=fields.get("url"),
        tags=tags,
        key=fields.get("key") or "",
        content_hash=fields.get("hash") or "",
    )
