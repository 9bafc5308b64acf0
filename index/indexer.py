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
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .errors import LibraryError, LockTimeout
from .library import Library, empty_manifest
from .model import Article

PARALLEL_THRESHOLD = 300  # files in one run from which reading and writing use both cores


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
    to_read: list[tuple[str, os.stat_result]] = field(default_factory=list)
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
            if not roots:
                raise LibraryError("nothing to index: give one or more files or folders")
            manifest = empty_manifest() if rebuild else self.lib.read_manifest()
            report = IndexReport()
            plan = self._plan(manifest, roots, report)
            changed = rebuild or bool(plan.to_read or plan.to_remove) or not self.index_dir.is_dir()
            if changed:
                batch_ids, gone_ids, sketches = self._index(manifest, plan, report, rebuild, progress)
                self._update_duplicates(manifest, sketches, batch_ids, gone_ids)
            if changed or not set(roots) <= set(manifest["roots"]):
                manifest["roots"] = sorted(set(manifest["roots"]) | set(roots))
                _write_json_atomic(self.lib.manifest_path, manifest)
            report.total_articles = sum(len(e.get("articles", ())) for e in manifest["files"].values())
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
        """Sort the files under ``roots`` into to-read and to-remove, by their stat signature alone."""
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
                st = os.stat(key)
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
            plan.to_read.append((key, st))
        for key in files:
            if key not in seen and _under_any(key, roots) and not os.path.exists(key):
                plan.to_remove.append(key)
        return plan

    def _index(self, manifest, plan: _Plan, report: IndexReport, rebuild: bool, progress):
        """Read the planned files and write them, streaming, in one commit. Returns what changed."""
        from .schema import ARTICLES, article_schema
        from whoosh.filedb.filestore import FileStorage

        files = manifest["files"]
        target = self.index_dir
        if rebuild or not self.index_dir.is_dir():
            target = Path(tempfile.mkdtemp(prefix="index.new.", dir=self.root))
        storage = FileStorage(str(target), supports_mmap=False)
        try:
            if target != self.index_dir:
                storage.create_index(article_schema(), indexname=ARTICLES)
            ix = storage.open_index(indexname=ARTICLES)
        except Exception as exc:
            raise LibraryError(
                f"the index in {self.root} could not be read ({type(exc).__name__}: {exc}); "
                f"run `brief index --rebuild` to rebuild it"
            ) from None
        batch_ids: set[str] = set()
        gone_ids = {a["id"] for p in plan.to_remove for a in files[p].get("articles", ())}
        sketches: dict[str, list[int]] = {}
        total = len(plan.to_read)
        # Whoosh's procs=2 writer forks too: only from a single-threaded process (see _read_stream).
        big = total >= PARALLEL_THRESHOLD and (os.cpu_count() or 1) > 1 and threading.active_count() == 1
        results = _read_stream([p for p, _ in plan.to_read], parallel=big)
        writer = ix.writer(procs=2, limitmb=128, multisegment=True) if big else ix.writer(limitmb=128, timeout=30)
        try:
            for path in plan.to_remove:
                writer.delete_by_term("path", path)
                report.removed += 1
                report.articles_removed += len(files.pop(path).get("articles", ()))
            stats = dict(plan.to_read)
            for n, (path, articles, error, problems, article_sketches) in enumerate(results, 1):
                report.problems.extend(problems)
                st = stats[path]
                old = files.get(path)
                if error is not None:
                    self._failed(files, path, st, error, report)
                else:
                    if target == self.index_dir:
                        # Also for files the manifest does not know: a run killed between the index
                        # commit and the manifest write left their documents in the index.
                        writer.delete_by_term("path", path)
                    if old is not None:
                        gone_ids.update(a["id"] for a in old.get("articles", ()))
                    kept = self._unique(articles, batch_ids, path, report)
                    for article in kept:
                        writer.add_document(**_article_doc(article, path))
                        sketches[article.id] = article_sketches[article.id]
                    report.updated += old is not None and not old.get("error")
                    report.added += old is None or bool(old.get("error"))
                    report.articles_added += len(kept)
                    files[path] = {"mtime_ns": st.st_mtime_ns, "size": st.st_size,
                                   "articles": [_catalog_row(a) for a in kept]}
                if progress:
                    progress("index", n, total)
            if progress:
                progress("commit", 0, 0)
            writer.commit()
        except BaseException:
            writer.cancel()
            results.close()
            if target != self.index_dir:
                shutil.rmtree(target, ignore_errors=True)
            raise
        if target != self.index_dir:
            self._swap_in(target)
        return batch_ids, gone_ids - batch_ids, sketches

    @staticmethod
    def _unique(articles: list[Article], seen: set[str], path: str, report: IndexReport) -> list[Article]:
        kept = []
        for a in articles:
            if a.id in seen:
                report.problems.append(f"{path}: entry {a.key or a.title!r} repeats an id already indexed; skipped")
                continue
            seen.add(a.id)
            kept.append(a)
        return kept

    @staticmethod
    def _failed(files: dict, path: str, st: os.stat_result, reason: str, report: IndexReport) -> None:
        report.problems.append(f"{path}: {reason}")
        old = files.get(path)
        if old and old.get("articles"):
            # Keep what was indexed before: a bad edit must not lose the article.
            report.skip("unreadable (previous version kept)")
            return
        report.skip("unreadable")
        files[path] = {"mtime_ns": st.st_mtime_ns, "size": st.st_size, "articles": [], "error": reason}

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

    def _update_duplicates(self, manifest: dict, new: dict[str, list[int]], batch: set[str], gone: set[str]) -> None:
        """Re-link near-duplicates for the articles this run added, changed or removed."""
        from .dedup import find_pairs

        sketches = self._load_sketches() if manifest["files"] else {}
        for aid in gone:
            sketches.pop(aid, None)
        sketches.update(new)
        dups: dict[str, set[str]] = {k: set(v) for k, v in manifest.get("duplicates", {}).items()}
        touched = gone | batch
        for aid in list(dups):
            if aid in touched:
                del dups[aid]
            else:
                dups[aid] -= touched
                if not dups[aid]:
                    del dups[aid]
        for a, b in find_pairs(sketches, batch):
            dups.setdefault(a, set()).add(b)
            dups.setdefault(b, set()).add(a)
        manifest["duplicates"] = {k: sorted(v) for k, v in sorted(dups.items())}
        _write_json_atomic(self.lib.sketches_path, sketches)

    def _load_sketches(self) -> dict[str, list[int]]:
        try:
            data = json.loads(self.lib.sketches_path.read_text(encoding="utf-8"))
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}


# ----------------------------------------------------------------------------------------------
# Reading, in worker processes for big batches


def _read_one(path: str):
    """(path, articles, error, problems, {id: sketch}) for one file; never raises for bad input."""
    from .dedup import sketch
    from .model import ReadError
    from .readers import read_file

    problems: list[str] = []
    try:
        articles = read_file(path, problems)
        if not articles:
            raise ReadError(path, "no article text found")
    except ReadError as exc:
        return path, [], exc.reason, problems, {}
    except Exception as exc:  # a reader bug must not stop the run
        return path, [], f"could not be read ({type(exc).__name__}: {exc})", problems, {}
    return path, articles, None, problems, {a.id: sketch(a.body) for a in articles}


def _read_stream(paths: list[str], parallel: bool):
    """Results of _read_one in order; two worker processes read ahead when ``parallel``."""
    # Forking a process that runs other threads (the app indexes from a worker thread) can copy a
    # lock some thread holds into the child, which then hangs: the caller reads serially then.
    if not parallel:
        yield from map(_read_one, paths)
        return
    import multiprocessing

    pool = multiprocessing.get_context("fork").Pool(2)
    try:
        yield from pool.imap(_read_one, paths, chunksize=8)
    finally:
        pool.terminate()
        pool.join()


def _article_doc(a: Article, path: str) -> dict:
    """The Whoosh document of an article; ``path`` is the manifest's key for its file."""
    doc = {
        "id": a.id,
        "path": path,
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
    return doc


def _under_any(path: str, roots: list[str]) -> bool:
    return any(path == r or path.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


def _read_pid(fd: int) -> str:
    try:
        return os.pread(fd, 32, 0).decode().strip()
    except (OSError, UnicodeDecodeError):
        return ""
