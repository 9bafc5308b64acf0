"""The library: a folder holding the Whoosh index, a manifest of the indexed files and a lock.

Sources stay where they are and are never written to. Layout of a library folder::

    index/              Whoosh storage of the "articles" index (paragraphs kept, see index.search.best_passages);
                        index/brief.id names this index folder (a new one for every rebuild)
    manifest.json       every indexed file: stat signature, its articles (catalog rows), read errors, skips;
                        its "stamp" says which index commit it describes
    sketches.db         MinHash sketches for near-duplicate detection, and their postings (SQLite; index.dedup):
                        only `brief index` reads it. An older library's sketches.json is moved into it by the
                        next `brief index`
    manifest.stats.json the stat signatures of the files manifest.json lists, keyed on its own stat: what a
                        no-op `brief index` plans from without parsing the manifest (a cache; only it reads it)
    overrides.json      the outlet, date and title a user set for some articles (index.overrides; `brief set`),
                        applied by the writers: catalog rows hold the values in force (the file's own under "own")
    manifest.next.json  only between a `brief index` commit and the end of that run (or after a run killed
    sketches.next.json  there): the manifest of the commit named by its "stamp", and the change of the
                        sketches that commit makes (applied to sketches.db with the manifest's promotion)
    brief.lock          held (flock) by the one `brief index` run allowed at a time

One consistent library after any kill: `brief index` writes manifest.next.json, stamped with the index
commit it belongs to (the index folder's id and the TOC generation), *before* that commit, and renames it
over manifest.json after it. Readers take manifest.next.json instead of manifest.json exactly when its
stamp names the index's current commit (the commit happened), so the catalog (`list`, `show`, the app)
always describes the index that `search` reads; the next `brief index` promotes or drops it under the lock.

This module is the read side, kept light because a cold `brief search` imports it. Writing lives in
index.indexer (``update(lib, paths)``, ``hold_lock(lib)``), which imports this module; this module never
imports it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path

from .errors import LibraryError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (a cold search pays for every import)

if TYPE_CHECKING:
    from .model import Article

MANIFEST_VERSION = 1
INDEX_ID = "brief.id"  # in the index folder: a random name of that folder's index, new at every rebuild
_TOC_PREFIX, _TOC_SUFFIX = "_articles_", ".toc"  # Whoosh's table of contents: _articles_<generation>.toc
_DIGITS = frozenset("0123456789")


def default_library_dir(explicit: str | os.PathLike | None = None) -> Path:
    """``--library DIR``, else ``$BRIEF_LIBRARY``, else the platform's user data dir."""
    from .storage import library_root

    return Path(library_root(explicit))


def empty_manifest() -> dict:
    return {"version": MANIFEST_VERSION, "roots": [], "files": {}, "duplicates": {}}


class ManifestProblem(LibraryError):
    """The manifest is missing (while an index is there) or damaged. ``raw`` is what could be parsed of it
    (None when nothing), for `brief index` to salvage the roots from."""

    def __init__(self, message: str, raw=None) -> None:
        super().__init__(message)
        self.raw = raw


def index_state(folder: str | os.PathLike) -> dict | None:
    """The commit an index folder is at: {"index": its id (brief.id, None when it has none), "generation":
    its latest TOC generation}; None when the folder holds no index. A few system calls, no parsing."""
    try:
        names = os.listdir(folder)
    except OSError:
        return None
    generation = -1
    for name in names:
        if name.startswith(_TOC_PREFIX) and name.endswith(_TOC_SUFFIX):
            middle = name[len(_TOC_PREFIX):-len(_TOC_SUFFIX)]
            if middle and set(middle) <= _DIGITS:
                generation = max(generation, int(middle))
    if generation < 0:
        return None
    try:
        with open(os.path.join(folder, INDEX_ID), "rb") as f:
            token = f.read(200).decode("ascii").strip() or None
    except (OSError, UnicodeDecodeError):
        token = None
    return {"index": token, "generation": generation}


def _short(text: str, limit: int = 80) -> str:
    from .sanitize import display_path

    text = display_path(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


_DATES_SEEN: set[str] = set()  # valid dates met so far (a library has a few thousand distinct ones)


def _is_date(value) -> bool:
    if value is None or value in _DATES_SEEN:
        return True
    if type(value) is not str or len(value) != 10 or value[4] != "-" or value[7] != "-" or not value.isascii():
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    if len(_DATES_SEEN) < 100_000:
        _DATES_SEEN.add(value)
    return True


def row_problem(row) -> str | None:
    """What is wrong with one catalog row of the manifest (None when nothing)."""
    if type(row) is not dict:
        return "an article is not an object"
    aid = row.get("id")
    # brief's ids: lower-case ASCII letters and digits (an escape in one would reach the terminal)
    if type(aid) is not str or not 0 < len(aid) <= 64 or not (aid.isascii() and aid.isalnum()) or aid.lower() != aid:
        return "an article has no valid id"
    if type(row.get("title")) is not str or type(row.get("hash", "")) is not str:
        return f"the article {aid} has no title"
    outlet = row.get("outlet")
    if outlet is not None and type(outlet) is not str:
        return f"the outlet of article {aid} is not text"
    if not _is_date(row.get("published")):
        return f"the date of article {aid} is not a date"
    return None


def manifest_problem(data) -> str | None:
    """What is wrong with a parsed manifest (None when it is what brief writes): its shape and every
    field's type, so that no reader meets a KeyError or TypeError (or prints an escape from an id)."""
    if type(data) is not dict:
        return f"a JSON {type(data).__name__} instead of an object" if data is not None else "null"
    version = data.get("version")
    if version != MANIFEST_VERSION or type(version) is not int:
        return "an unknown manifest version"
    roots = data.get("roots")
    if type(roots) is not list:
        return '"roots" is not a list'
    if not all(type(r) is str and r for r in roots):
        return '"roots" holds something that is not a path'
    files = data.get("files")
    if type(files) is not dict:
        return '"files" is not an object'
    for path, entry in files.items():
        if type(entry) is not dict:
            return f"the entry of {_short(path)} is not an object"
        if type(entry.get("mtime_ns")) is not int or type(entry.get("size")) is not int:
            return f"the entry of {_short(path)} has no stat signature (mtime_ns, size)"
        articles = entry.get("articles")
        if type(articles) is not list:
            return f"the entry of {_short(path)} has no list of articles"
        for key in ("error", "skip"):
            if key in entry and type(entry[key]) is not str:
                return f'the "{key}" of {_short(path)} is not text'
        for row in articles:
            problem = row_problem(row)
            if problem:
                return f"{problem} (in the entry of {_short(path)})"
    duplicates = data.get("duplicates", {})
    if type(duplicates) is not dict:
        return '"duplicates" is not an object'
    for aid, others in duplicates.items():
        if type(others) is not list or not all(type(o) is str for o in others):
            return f"the duplicates of {_short(aid)} are not a list of ids"
    stamp = data.get("stamp")
    if stamp is not None and type(stamp) is not dict:
        return '"stamp" is not an object'
    return None


def read_manifest_file(path: Path) -> tuple[dict | None, str | None, object]:
    """(manifest, None) when the file is a valid manifest; (None, None) when there is no such file;
    (None, what is wrong) otherwise. The third item is whatever JSON could be parsed (for salvage)."""
    try:
        with open(path, "rb") as f:
            text = f.read()
    except FileNotFoundError:
        return None, None, None
    except OSError as exc:
        return None, f"cannot be read ({exc.strerror or exc})", None
    try:
        data = json.loads(text)
    except RecursionError:
        return None, "not JSON (nested too deeply)", None
    except ValueError as exc:  # also UnicodeDecodeError, and integers of more than 4,300 digits
        return None, f"not JSON ({str(exc)[:100]})", None
    problem = manifest_problem(data)
    return (None if problem else data), problem, data


class Library:
    """A library folder. Reading (search, show, list) needs no lock; writing (index.indexer.update) takes it."""

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root).expanduser().resolve()
        self.index_dir = self.root / "index"
        self.manifest_path = self.root / "manifest.json"
        self.sketches_path = self.root / "sketches.json"  # an old library's: migrated to sketch_db_path
        self.sketch_db_path = self.root / "sketches.db"
        self.stats_path = self.root / "manifest.stats.json"  # the stat signatures alone (index.indexer)
        self.next_manifest_path = self.root / "manifest.next.json"
        self.next_sketches_path = self.root / "sketches.next.json"
        self.lock_path = self.root / "brief.lock"
        self._manifest: dict | None = None
        self._ids: tuple | None = None  # (the manifest they were read from, its ids as a set, sorted)

    # -- state ----------------------------------------------------------------------------------

    def exists(self) -> bool:
        """Whether there is a library here (perhaps a damaged one: reading it then says what is wrong)."""
        if self.index_dir.is_dir():
            return True
        if not (self.manifest_path.exists() or self.next_manifest_path.exists()):
            return False
        try:  # no index folder: a library only if its manifest lists files (the index is then missing)
            return bool(self._in_force()[0]["files"])
        except LibraryError:
            return True

    def index_state(self) -> dict | None:
        """The commit the index is at now (see ``index_state``); None without an index."""
        return index_state(self.index_dir)

    def staged_manifest(self) -> dict | None:
        """manifest.next.json when it is in force: valid and stamped with the index's current commit."""
        data, _problem, _raw = read_manifest_file(self.next_manifest_path)
        if data is None or data.get("stamp") is None:
            return None
        return data if data["stamp"] == self.index_state() else None

    def _in_force(self) -> tuple[dict, Path]:
        """(the manifest in force, the file it was read from); raises ManifestProblem."""
        if self.next_manifest_path.exists():
            staged = self.staged_manifest()
            if staged is not None:
                return staged, self.next_manifest_path
        data, problem, raw = read_manifest_file(self.manifest_path)
        if data is not None:
            return data, self.manifest_path
        where = _short(str(self.manifest_path), 200)
        has_index = self.index_state() is not None
        if problem is None:  # no manifest.json
            if not has_index:
                return empty_manifest(), self.manifest_path
            raise ManifestProblem(f"the library manifest {where} is missing although the index is there; "
                                  f"run `brief index` to rebuild it from the index")
        if has_index:
            raise ManifestProblem(f"the library manifest {where} is damaged ({problem}); "
                                  f"run `brief index` to rebuild it from the index", raw)
        raise ManifestProblem(f"the library manifest {where} is damaged ({problem}) and there is no index; "
                              f"run `brief index --rebuild PATH...` to index your folders again", raw)

    def signature(self) -> list[int] | None:
        """[mtime_ns, size] of the manifest file in force (None when there is none): what a cache of the
        catalog is keyed on. A stat, and only after a killed run a parse of manifest.next.json."""
        path = self.manifest_path
        if self.next_manifest_path.exists() and self.staged_manifest() is not None:
            path = self.next_manifest_path
        try:
            st = path.stat()
        except OSError:
            return None
        return [st.st_mtime_ns, st.st_size]

    def manifest(self) -> dict:
        """The manifest in force, checked against the index; cached (see ``read_manifest``)."""
        if self._manifest is None:
            self._manifest = self.read_manifest()
        return self._manifest

    def forget(self) -> None:
        """Drop what was read of the manifest: the next call reads it again (index.indexer.update calls it)."""
        self._manifest = None

    def read_manifest(self) -> dict:
        """The manifest in force as it is on disk now (empty for a new library), validated. Raises
        LibraryError, saying what is wrong and the command that fixes it, when the manifest is missing
        or damaged, or when it lists articles but the index is gone."""
        data, _path = self._in_force()
        if data["files"] and self.index_state() is None:
            if any(self.root.glob("index.*.*")):
                raise LibraryError(f"an interrupted `brief index` left the index of {_short(str(self.root), 200)} "
                                   f"half replaced; run `brief index` to finish it")
            raise LibraryError(f"the index folder {_short(str(self.index_dir), 200)} is missing or empty; "
                               f"run `brief index` to rebuild it from your folders")
        return data

    def catalog(self) -> list[dict]:
        """Every article row {id, title, outlet, published, path}, newest first."""
        rows = []
        for path, entry in self.manifest()["files"].items():
            for art in entry["articles"]:
                rows.append({"id": art["id"], "title": art["title"], "outlet": art.get("outlet"),
                             "published": art.get("published"), "path": path})
        # Newest first, undated articles last; titles A-Z within a day and among the undated (each sort is
        # stable: the title order stays under the date order; a reversed sort keeps equal keys in order, and
        # puts the undated ("") last).
        rows.sort(key=lambda r: (r["title"].lower(), r["id"]))
        rows.sort(key=lambda r: r["published"] or "", reverse=True)
        return rows

    def article_count(self) -> int:
        return sum(len(e["articles"]) for e in self.manifest()["files"].values())

    def roots(self) -> list[str]:
        return list(self.manifest()["roots"])

    def near_duplicates(self) -> dict[str, list[str]]:
        """id -> ids of its near-duplicate copies (syndicated or re-posted)."""
        return {k: list(v) for k, v in self.manifest().get("duplicates", {}).items()}

    def _id_index(self) -> tuple[set[str], list[str]]:
        """Every article id as a set and sorted, read once per manifest (not the whole catalog, sorted, for
        each id resolved: a card over 50 articles of a 100k library resolved 50 ids in ~25 s that way)."""
        manifest = self.manifest()
        if self._ids is None or self._ids[0] is not manifest:
            ids = {a["id"] for entry in manifest["files"].values() for a in entry["articles"]}
            self._ids = (manifest, ids, sorted(ids))
        return self._ids[1], self._ids[2]

    def resolve_id(self, prefix: str) -> str:
        """The full id for an id or a unique prefix of one; LookupError explains otherwise."""
        import bisect

        prefix = prefix.strip().lower()
        ids, ordered = self._id_index()
        if prefix in ids:
            return prefix
        matches = []
        if prefix:
            at = bisect.bisect_left(ordered, prefix)
            while at < len(ordered) and ordered[at].startswith(prefix) and len(matches) <= 8:
                matches.append(ordered[at])
                at += 1
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise LookupError(f"no article with id {prefix!r} (see `brief list`)")
        raise LookupError(f"id prefix {prefix!r} is ambiguous: {', '.join(matches[:8])}")

    # -- reading the index ----------------------------------------------------------------------

    def open_index(self, name: str = "articles"):
        """Open one of the Whoosh indexes read-only, without copying it into memory. The manifest in force
        is checked first, so that a missing or damaged one is said as such (not as "no library")."""
        from .storage import open_index

        if self.exists():
            self.manifest()
        return open_index(str(self.root), name)

    def get(self, article_id: str, searcher=None) -> Article:
        """The stored, cleaned article with this id (or unique id prefix). A full id is looked up in the
        index's id terms first (a few reads, whatever the library's size); only a prefix, or an id the
        index does not hold, reads the manifest (``resolve_id``)."""
        if searcher is not None:
            return self._fetch(searcher, article_id)
        with self._open_for_ids().searcher() as s:
            return self._fetch(s, article_id)

    def _fetch(self, searcher, article_id: str) -> Article:
        fields = self._by_full_id(searcher, article_id)
        if fields is None:
            full = self.resolve_id(article_id)
            fields = searcher.document(id=full)
            if fields is None:
                raise LookupError(f"article {full} is in the manifest but not in the index; "
                                  f"run `brief index --rebuild`")
        return article_from_fields(fields)

    @staticmethod
    def _by_full_id(searcher, article_id: str):
        key = article_id.strip().lower() if isinstance(article_id, str) else ""
        if not key or len(key) > 64 or not (key.isascii() and key.isalnum()):
            return None
        return searcher.document(id=key)

    def _open_for_ids(self):
        """The index, opened for lookups by id: without parsing the manifest while one is there (a missing
        one is said, as a cold search says it); with no manifest file at all, as ``open_index`` does."""
        from .storage import open_index

        if self.manifest_path.exists() or self._manifest is not None:
            return open_index(str(self.root), "articles")
        return self.open_index()

    def articles(self, ids: Iterable[str] | None = None) -> Iterator[Article]:
        """Stored articles, all of them (in catalog order) or those ids (in their order). Ids are looked up
        as ``get`` does: full ids in the index alone, O(1) each; prefixes through the manifest. An unknown id
        raises LookupError before any article is yielded."""
        if ids is None:
            wanted = [r["id"] for r in self.catalog()]
            with self.open_index().searcher() as s:
                for aid in wanted:
                    fields = s.document(id=aid)
                    if fields is not None:
                        yield article_from_fields(fields)
            return
        with self._open_for_ids().searcher() as s:
            found = []
            for given in ids:
                fields = self._by_full_id(s, given)
                if fields is None:
                    fields = s.document(id=self.resolve_id(given))  # a prefix; LookupError when unknown
                if fields is not None:
                    found.append(fields)
            for fields in found:
                yield article_from_fields(fields)


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
