"""Writing the library: incremental indexing under the write lock.

`brief index` reads new and changed files, removes deleted ones and skips unchanged ones without
reading them. Everything becomes visible at once in the final commit; the manifest is written
(atomically) after it, so a run killed at any point leaves a complete index that the next run
brings up to date.
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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .errors import LibraryError, LockTimeout
from .library import Library, empty_manifest
from .model import Article

BATCH_PROCS_THRESHOLD = 400  # articles in one run from which the writer uses both cores


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


@contextlib.contextmanager
def hold_lock(lib: Library, wait: float = 30.0, on_wait: Callable[[str], None] | None = None):
    """Hold the library's write lock; wait up to ``wait`` seconds for another writer."""
    lib.root.mkdir(parents=True, exist_ok=True)
    fd = os.open(lib.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            holder = _read_pid(fd)
            if on_wait:
                who = f" (pid {holder})" if holder else ""
                on_wait(f"Another `brief index`{who} is writing to {lib.root}; waiting up to {wait:.0f}s…")
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError:
                    if time.monotonic() >= deadline:
                        raise LockTimeout(
                            f"another `brief index` is still writing to {lib.root} after {wait:.0f}s; "
                            f"try again when it has finished"
                        ) from None
                    time.sleep(0.1)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the flock


class Indexer:
    """One `brief index` run over a Library."""

    def __init__(self, lib: Library) -> None:
        self.lib = lib
        self.root = lib.root
        self.index_dir = lib.index_dir
        self.manifest_path = lib.manifest_path
        self.sketches_path = lib.sketches_path

    def article_count(self, manifest: dict) -> int:
        return sum(len(e.get("articles", ())) for e in manifest["files"].values())

    def update(
        self,
        paths: Iterable[str | os.PathLike] = (),
        *,
        rebuild: bool = False,
        wait: float = 30.0,
        progress: ProgressFn | None = None,
        on_wait: Callable[[str], None] | None = None,
    ) -> IndexReport:
        """See Library.update."""
        started = time.monotonic()
        with hold_lock(self.lib, wait=wait, on_wait=on_wait):
            roots = [str(Path(p).expanduser().resolve()) for p in paths] or self._known_roots(rebuild)
            manifest = empty_manifest() if rebuild else self.lib.read_manifest()
            if not roots:
                raise LibraryError("nothing to index: give one or more files or folders")
            report = IndexReport()
            plan = self._plan(manifest, roots, report)
            new_articles, failed = self._read_all(plan, report, progress)
            self._apply(manifest, plan, new_articles, failed, report, rebuild, progress)
            manifest["roots"] = sorted(set(manifest["roots"]) | set(roots))
            _write_json_atomic(self.manifest_path, manifest)
            report.total_articles = self.article_count(manifest)
            report.seconds = time.monotonic() - started
            return report

    def _known_roots(self, rebuild: bool) -> list[str]:
        """The roots indexed before (a damaged manifest only matters when not rebuilding)."""
        try:
            return list(self.lib.read_manifest().get("roots", []))
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


def _under_any(path: str, roots: list[str]) -> bool:
    return any(path == r or path.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


def _read_pid(fd: int) -> str:
    try:
        return os.pread(fd, 32, 0).decode().strip()
    except (OSError, UnicodeDecodeError):
        return ""
