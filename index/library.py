"""The library: a folder holding the Whoosh indexes, a manifest of the indexed files and a lock.

Sources stay where they are and are never written to. Layout of a library folder::

    index/          Whoosh storage of the "articles" index (paragraphs kept, see index.search.best_passages)
    manifest.json   every indexed file: stat signature, its articles (catalog rows), read errors
    sketches.json   MinHash sketches for near-duplicate detection
    brief.lock      held (flock) by the one `brief index` run allowed at a time
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from .errors import LibraryError, LockTimeout
from .model import Article

MANIFEST_VERSION = 1
BATCH_PROCS_THRESHOLD = 400  # articles in one run from which the writer uses both cores


def default_library_dir(explicit: str | os.PathLike | None = None) -> Path:
    """``--library DIR``, else ``$BRIEF_LIBRARY``, else the platform's user data dir."""
    if explicit:
        return Path(explicit).expanduser().resolve()
    env = os.environ.get("BRIEF_LIBRARY")
    if env:
        return Path(env).expanduser().resolve()
    import platformdirs

    return Path(platformdirs.user_data_dir("brief", appauthor=False))


# ----------------------------------------------------------------------------------------------
# Manifest


def _empty_manifest() -> dict:
    return {"version": MANIFEST_VERSION, "roots": [], "files": {}, "duplicates": {}}


def _write_json_atomic(path: Path, data) -> None:
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, separators=(",", ":"))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _catalog_row(a: Article) -> dict:
    return {
        "id": a.id,
        "title": a.title,
        "outlet": a.outlet,
        "published": a.published.isoformat() if a.published else None,
        "hash": a.content_hash,
    }


@dataclass
class IndexReport:
    """What one `brief index` run did. Counts are of files, except ``articles_*``."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    articles_added: int = 0
    articles_removed: int = 0
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> files
    problems: list[str] = field(default_factory=list)  # "path: reason"
    total_articles: int = 0
    seconds: float = 0.0

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1

    def summary(self) -> str:
        parts = [
            f"{self.added} added",
            f"{self.updated} updated",
            f"{self.removed} removed",
        ]
        skipped = self.unchanged + sum(self.skipped.values())
        reasons = ([f"{self.unchanged} unchanged"] if self.unchanged else []) + [
            f"{n} {reason}" for reason, n in sorted(self.skipped.items())
        ]
        parts.append(f"{skipped} skipped" + (f" ({', '.join(reasons)})" if reasons else ""))
        return (
            f"Indexed: {', '.join(parts)}. {self.total_articles} articles in the library"
            f" ({self.seconds:.1f}s)."
        )


ProgressFn = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass
class _Plan:
    to_read: list[tuple[Path, os.stat_result, bool]] = field(default_factory=list)  # (path, stat, is_update)
    to_remove: list[str] = field(default_factory=list)


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
            self._manifest = self._load_manifest()
        return self._manifest

    def _load_manifest(self) -> dict:
        if not self.manifest_path.exists():
            return _empty_manifest()
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
        from .schema import import_whoosh  # noqa: F401  (cheap Whoosh import)
        from whoosh.filedb.filestore import FileStorage
        from whoosh.index import EmptyIndexError

        if not self.exists():
            raise LibraryError(
                f"no library at {self.root} yet: run `brief index PATH...` to add articles"
            )
        try:
            storage = FileStorage(str(self.index_dir), supports_mmap=False)
            return storage.open_index(indexname=name)
        except EmptyIndexError:
            raise LibraryError(
                f"the index in {self.root} is missing or incomplete; "
                f"run `brief index --rebuild` to rebuild it"
            ) from None
        except Exception as exc:  # Whoosh raises many kinds on a damaged index
            raise LibraryError(
                f"the index in {self.root} could not be read ({type(exc).__name__}: {exc}); "
                f"run `brief index --rebuild` to rebuild it"
            ) from None

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

    # -- writing --------------------------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self, wait: float = 30.0, on_wait: Callable[[str], None] | None = None):
        """Hold the library's write lock; wait up to ``wait`` seconds for another writer."""
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                holder = _read_pid(fd)
                if on_wait:
                    who = f" (pid {holder})" if holder else ""
                    on_wait(f"Another `brief index`{who} is writing to {self.root}; waiting up to {wait:.0f}s…")
                deadline = time.monotonic() + wait
                while True:
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except OSError:
                        if time.monotonic() >= deadline:
                            raise LockTimeout(
                                f"another `brief index` is still writing to {self.root} after {wait:.0f}s; "
                                f"try again when it has finished"
                            ) from None
                        time.sleep(0.1)
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode(), 0)
            yield
        finally:
            os.close(fd)  # closing releases the flock

    def update(
        self,
        paths: Iterable[str | os.PathLike] = (),
        *,
        rebuild: bool = False,
        wait: float = 30.0,
        progress: ProgressFn | None = None,
        on_wait: Callable[[str], None] | None = None,
    ) -> IndexReport:
        """Bring the index up to date with ``paths`` (default: the roots indexed before).

        New and changed files are read and (re)indexed, deleted ones removed, unchanged ones
        skipped without being read. Nothing is visible until the final commit, so an interrupted
        run leaves the previous index complete and usable.
        """
        started = time.monotonic()
        with self.lock(wait=wait, on_wait=on_wait):
            self._manifest = None
            roots = [str(Path(p).expanduser().resolve()) for p in paths] or self._known_roots(rebuild)
            manifest = _empty_manifest() if rebuild else self._load_manifest()
            if not roots:
                raise LibraryError("nothing to index: give one or more files or folders")
            report = IndexReport()
            plan = self._plan(manifest, roots, report)
            new_articles, failed = self._read_all(plan, report, progress)
            self._apply(manifest, plan, new_articles, failed, report, rebuild, progress)
            manifest["roots"] = sorted(set(manifest["roots"]) | set(roots))
            _write_json_atomic(self.manifest_path, manifest)
            self._manifest = manifest
            report.total_articles = self.article_count()
            report.seconds = time.monotonic() - started
            return report

    def _known_roots(self, rebuild: bool) -> list[str]:
        """The roots indexed before (a damaged manifest only matters when not rebuilding)."""
        try:
            return list(self._load_manifest().get("roots", []))
        except LibraryError:
            if rebuild:
                return []
            raise

    def _plan(self, manifest: dict, roots: list[str], report: IndexReport) -> _Plan:
        from .readers import iter_source_files

        plan = _Plan()
        files = manifest["files"]
        seen: set[str] = set()
        for path, reason in iter_source_files(roots):
            key = str(path)
            if reason is not None:
                if key in files:  # was indexed, now gone
                    continue
                report.skip(reason)
                if reason.startswith("no such file"):
                    report.problems.append(f"{path}: {reason}")
                continue
            seen.add(key)
            try:
                st = path.stat()
            except OSError as exc:
                report.skip("unreadable")
                report.problems.append(f"{path}: {exc.strerror or exc}")
                continue
            old = files.get(key)
            if old and old.get("mtime_ns") == st.st_mtime_ns and old.get("size") == st.st_size:
                if old.get("error"):
                    report.skip("unreadable (unchanged since last run)")
                    report.problems.append(f"{key}: {old['error']}")
                else:
                    report.unchanged += 1
                continue
            plan.to_read.append((path, st, old is not None and not old.get("error")))
        for key in files:
            if key not in seen and _under_any(key, roots) and not os.path.exists(key):
                plan.to_remove.append(key)
        return plan

    def _read_all(self, plan: _Plan, report: IndexReport, progress: ProgressFn | None):
        from .model import ReadError
        from .readers import read_file

        articles: dict[str, list[Article]] = {}
        failed: dict[str, tuple[str, os.stat_result]] = {}
        total = len(plan.to_read)
        for n, (path, st, _is_update) in enumerate(plan.to_read, 1):
            problems: list[str] = []
            try:
                arts = read_file(path, problems)
                if not arts:
                    raise ReadError(str(path), "no article text found")
                articles[str(path)] = arts
            except ReadError as exc:
                failed[str(path)] = (exc.reason, st)
            except Exception as exc:  # a reader bug must not stop the run
                failed[str(path)] = (f"could not be read ({type(exc).__name__}: {exc})", st)
            report.problems.extend(problems)
            if progress:
                progress("read", n, total)
        return articles, failed

    def _apply(self, manifest, plan, new_articles, failed, report, rebuild, progress) -> None:
        files = manifest["files"]
        stats = {str(p): (st, is_update) for p, st, is_update in plan.to_read}
        replaced_paths = [p for p in new_articles if p in files]
        gone_ids = {a["id"] for p in replaced_paths + plan.to_remove for a in files[p].get("articles", ())}
        batch: list[Article] = []
        seen_ids: set[str] = set()
        for path, arts in new_articles.items():
            kept = []
            for a in arts:
                if a.id in seen_ids:
                    report.problems.append(f"{path}: entry {a.key or a.title!r} repeats an id already indexed; skipped")
                    continue
                seen_ids.add(a.id)
                kept.append(a)
            new_articles[path] = kept
            batch.extend(kept)
        self._write_indexes(batch, replaced_paths + plan.to_remove, rebuild, progress)
        self._update_duplicates(manifest, batch, gone_ids - {a.id for a in batch})
        for path in plan.to_remove:
            report.removed += 1
            report.articles_removed += len(files.pop(path).get("articles", ()))
        for path, arts in new_articles.items():
            st, is_update = stats[path]
            if is_update:
                report.updated += 1
            else:
                report.added += 1
            report.articles_added += len(arts)
            files[path] = {"mtime_ns": st.st_mtime_ns, "size": st.st_size,
                           "articles": [_catalog_row(a) for a in arts]}
        for path, (reason, st) in failed.items():
            report.problems.append(f"{path}: {reason}")
            old = files.get(path)
            if old and old.get("articles"):
                # Keep what was indexed before: a bad edit must not lose the article.
                report.skip("unreadable (previous version kept)")
                continue
            report.skip("unreadable")
            files[path] = {"mtime_ns": st.st_mtime_ns, "size": st.st_size, "articles": [], "error": reason}

    def _write_indexes(self, batch: list[Article], delete_paths: list[str], rebuild: bool, progress) -> None:
        from .schema import ARTICLES, article_schema
        from whoosh.filedb.filestore import FileStorage

        if not batch and not delete_paths and self.index_dir.is_dir() and not rebuild:
            return
        target = self.index_dir
        if rebuild or not self.index_dir.is_dir():
            target = Path(tempfile.mkdtemp(prefix="index.new.", dir=self.root))
        storage = FileStorage(str(target), supports_mmap=False)
        if target != self.index_dir:
            storage.create_index(article_schema(), indexname=ARTICLES)
        elif not storage.index_exists(ARTICLES):
            raise LibraryError(f"the index in {self.root} is incomplete; run `brief index --rebuild`")
        try:
            self._write_one(storage, ARTICLES, batch, delete_paths, _article_docs, progress)
        except BaseException:
            if target != self.index_dir:
                shutil.rmtree(target, ignore_errors=True)
            raise
        if target != self.index_dir:
            self._swap_in(target)

    def _write_one(self, storage, name, batch, delete_paths, make_docs, progress) -> None:
        try:
            ix = storage.open_index(indexname=name)
        except Exception as exc:
            raise LibraryError(
                f"the index in {self.root} could not be read ({type(exc).__name__}: {exc}); "
                f"run `brief index --rebuild` to rebuild it"
            ) from None
        big = len(batch) >= BATCH_PROCS_THRESHOLD and (os.cpu_count() or 1) > 1
        writer = ix.writer(procs=2, limitmb=128, multisegment=True) if big else ix.writer(limitmb=128, timeout=30)
        try:
            for p in delete_paths:
                writer.delete_by_term("path", p)
            total = len(batch)
            for n, article in enumerate(batch, 1):
                for doc in make_docs(article):
                    writer.add_document(**doc)
                if progress and (n % 50 == 0 or n == total):
                    progress("index", n, total)
            if progress:
                progress("commit", 0, 0)
            writer.commit()
        except BaseException:
            writer.cancel()
            raise

    def _swap_in(self, new_dir: Path) -> None:
        old = None
        if self.index_dir.exists():
            old = self.root / f"index.old.{os.getpid()}"
            os.replace(self.index_dir, old)
        os.replace(new_dir, self.index_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        for stale in self.root.glob("index.*.*"):  # leftovers of interrupted rebuilds
            shutil.rmtree(stale, ignore_errors=True)

    def _update_duplicates(self, manifest: dict, batch: list[Article], gone: set[str]) -> None:
        from .dedup import find_pairs, sketch

        sketches = self._load_sketches()
        for aid in gone:
            sketches.pop(aid, None)
        for a in batch:
            sketches[a.id] = sketch(a.body)
        dups: dict[str, set[str]] = {k: set(v) for k, v in manifest.get("duplicates", {}).items()}
        touched = gone | {a.id for a in batch}
        for aid in list(dups):
            if aid in touched:
                del dups[aid]
            else:
                dups[aid] -= touched
                if not dups[aid]:
                    del dups[aid]
        if batch:
            for a, b in find_pairs(sketches, [a.id for a in batch]):
                dups.setdefault(a, set()).add(b)
                dups.setdefault(b, set()).add(a)
        manifest["duplicates"] = {k: sorted(v) for k, v in sorted(dups.items())}
        _write_json_atomic(self.sketches_path, sketches)

    def _load_sketches(self) -> dict[str, list[int]]:
        try:
            data = json.loads(self.sketches_path.read_text(encoding="utf-8"))
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}


# ----------------------------------------------------------------------------------------------
# Documents


def _article_docs(a: Article):
    doc = {
        "id": a.id,
        "path": a.path,
        "key": a.key,
        "title": a.title,
        "body": a.body,
        "outlet": a.outlet or "",
        "outlet_facet": (a.outlet or "").lower(),
        "author": a.author or "",
        "tags": ",".join(t.replace(",", " ") for t in a.tags),
        "url": a.url,
        "hash": a.content_hash,
    }
    if a.published:
        doc["published"] = datetime(a.published.year, a.published.month, a.published.day)
    yield doc


def article_from_fields(fields: dict) -> Article:
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


def _under_any(path: str, roots: list[str]) -> bool:
    return any(path == r or path.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


def _read_pid(fd: int) -> str:
    try:
        return os.pread(fd, 32, 0).decode().strip()
    except (OSError, UnicodeDecodeError):
        return ""
