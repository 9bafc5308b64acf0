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
WRITER_MB = 128  # memory for the postings of each Whoosh writer before it spills a sorted run


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
    problems: list[str] = field(default_factory=list)  # "path: reason" of a file (or entry) skipped
    notes: list[str] = field(default_factory=list)  # "path: remark" of a file read all the same
    setup: list[str] = field(default_factory=list)  # a reader that cannot run here (once each, not per file)
    missing: list[str] = field(default_factory=list)  # PATHs given that do not exist
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


@dataclass
class _Run:
    """The bookkeeping of one indexing run, shared by the serial and the parallel path."""

    files: dict  # the manifest's files, updated in place
    report: IndexReport
    writer: object  # the index's own Whoosh writer: deletions (and, serially, the documents)
    live: bool  # writing into the index in use (not a new one that is swapped in)
    gone_ids: set[str]  # ids of articles no longer in the index
    batch_ids: set[str] = field(default_factory=set)  # ids written in this run
    sketches: dict[str, list[int]] = field(default_factory=dict)  # their near-duplicate sketches

    def file_done(self, path: str, st: os.stat_result, error: str | None, rows: list[dict]) -> None:
        """Record one read file: its articles (already written) replace what the index held for it."""
        files, report = self.files, self.report
        old = files.get(path)
        if error is not None:
            Indexer._failed(files, path, st, error, report)
            return
        if self.live:
            # Also for files the manifest does not know: a run killed between the index
            # commit and the manifest write left their documents in the index.
            self.writer.delete_by_term("path", path)
        if old is not None:
            self.gone_ids.update(a["id"] for a in old.get("articles", ()))
        report.updated += old is not None and not old.get("error")
        report.added += old is None or bool(old.get("error"))
        report.articles_added += len(rows)
        files[path] = {"mtime_ns": st.st_mtime_ns, "size": st.st_size, "articles": rows}


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
        follow_links: bool = False,
    ) -> IndexReport:
        """See Library.update."""
        started = time.monotonic()
        with hold_lock(self.lib, wait=wait, on_wait=on_wait):
            roots = [str(Path(p).expanduser().resolve()) for p in paths] or self._known_roots(rebuild)
            if not roots:
                raise LibraryError("nothing to index: give one or more files or folders")
            manifest = empty_manifest() if rebuild else self.lib.read_manifest()
            report = IndexReport()
            plan = self._plan(manifest, roots, report, follow_links)
            changed = rebuild or bool(plan.to_read or plan.to_remove) or not self.index_dir.is_dir()
            if changed:
                batch_ids, gone_ids, sketches = self._index(manifest, plan, report, rebuild, progress)
                self._update_duplicates(manifest, sketches, batch_ids, gone_ids, rebuild)
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

    def _plan(self, manifest: dict, roots: list[str], report: IndexReport, follow_links: bool = False) -> _Plan:
        """Sort the files under ``roots`` into to-read and to-remove, by their stat signature alone."""
        from .readers import iter_source_files

        plan = _Plan()
        files = manifest["files"]
        seen: set[str] = set()
        for path, reason in iter_source_files(roots, follow_links=follow_links):
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
        total = len(plan.to_read)
        # Forking a process that runs other threads (the app indexes from a worker thread) can copy a
        # lock some thread holds into the child, which then hangs: such a caller indexes serially.
        # The workers are forked before the first progress call (a progress bar may start a thread).
        big = total >= PARALLEL_THRESHOLD and (os.cpu_count() or 1) > 1 and threading.active_count() == 1
        writer = ix.writer(limitmb=WRITER_MB, timeout=30)
        gone_ids = {a["id"] for p in plan.to_remove for a in files[p].get("articles", ())}
        run = _Run(files, report, writer, live=target == self.index_dir, gone_ids=gone_ids)
        try:
            for path in plan.to_remove:
                writer.delete_by_term("path", path)
                report.removed += 1
                report.articles_removed += len(files.pop(path).get("articles", ()))
            if big:
                self._write_parallel(run, plan, str(target), progress)
            else:
                self._write_serial(run, plan, progress)
        except BaseException:
            if not writer.is_closed:
                writer.cancel()
            if target != self.index_dir:
                shutil.rmtree(target, ignore_errors=True)
            elif big:
                _remove_orphan_segments(storage)
            raise
        if target != self.index_dir:
            self._swap_in(target)
        return run.batch_ids, run.gone_ids - run.batch_ids, run.sketches

    def _write_serial(self, run: _Run, plan: _Plan, progress) -> None:
        """Read and write the planned files one after the other, in this process; then commit."""
        writer, report, total = run.writer, run.report, len(plan.to_read)
        for n, (path, st) in enumerate(plan.to_read, 1):
            path, articles, error, problems, article_sketches = _read_one(path)
            report.problems.extend(problems)
            kept = []
            if error is None:
                kept = self._unique(articles, run.batch_ids, path, report)
                for article in kept:
                    writer.add_document(**_article_doc(article, path))
                    run.sketches[article.id] = article_sketches[article.id]
            run.file_done(path, st, error, [_catalog_row(a) for a in kept])
            if progress:
                progress("index", n, total)
        if progress:
            progress("commit", 0, 0)
        writer.commit()

    def _write_parallel(self, run: _Run, plan: _Plan, folder: str, progress) -> None:
        """Have worker processes read and write the planned files (index.parallel); then commit their
        segments with this process's deletions."""
        from . import dedup, readers  # noqa: F401  (imported once, before the fork)
        from .parallel import Workers
        from .schema import ARTICLES

        report, total = run.report, len(plan.to_read)
        with Workers(folder, ARTICLES, [p for p, _ in plan.to_read], WRITER_MB) as workers:
            by_path: dict[str, tuple] = {}
            for worker, results in workers.results():
                for path, *result in results:
                    by_path[path] = (worker, *result)
                if progress:
                    progress("index", len(by_path), total)
            if progress:
                progress("commit", 0, 0)
            # In the order of the plan, as on the serial path: the manifest's order, and which of two
            # articles with one id is kept, do not depend on which worker was faster.
            dropped: list[list[int]] = [[] for _ in range(workers.count)]
            for path, st in plan.to_read:
                worker, error, problems, entries = by_path.pop(path)
                report.problems.extend(problems)
                kept = []
                for row, docnum, sketch, label in entries:
                    if row["id"] in run.batch_ids:  # also in the other worker's share
                        report.problems.append(_repeated_id_message(path, label))
                        dropped[worker].append(docnum)
                        continue
                    run.batch_ids.add(row["id"])
                    run.sketches[row["id"]] = sketch
                    kept.append(row)
                run.file_done(path, st, error, kept)
            _commit_with(run.writer, workers, dropped)

    @staticmethod
    def _unique(articles: list[Article], seen: set[str], path: str, report: IndexReport) -> list[Article]:
        kept = []
        for a in articles:
            if a.id in seen:
                report.problems.append(_repeated_id(path, a))
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

    def _update_duplicates(self, manifest: dict, new: dict[str, list[int]], batch: set[str], gone: set[str],
                           rebuild: bool = False) -> None:
        """Re-link near-duplicates for the articles this run added, changed or removed."""
        from .dedup import find_pairs

        # A rebuild starts over: the sketches on disk are of articles that may be gone now.
        sketches = self._load_sketches() if manifest["files"] and not rebuild else {}
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
# Reading one file (in the worker processes of index.parallel for big batches)


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


def _repeated_id(path: str, a: Article) -> str:
    return _repeated_id_message(path, a.key or a.title)


def _repeated_id_message(path: str, label: str) -> str:
    return f"{path}: entry {label!r} repeats an id already indexed; skipped"


def _commit_with(writer, workers, dropped: list[list[int]]) -> None:
    """Commit ``writer`` (its deletions, any merge) together with the ``workers``' new segments.

    The steps of ``whoosh.multiproc.MpWriter._commit`` with ``multisegment=True``: these private
    SegmentWriter methods are used the way Whoosh's own multiprocessing writer uses them, and
    Whoosh is pinned (whoosh-reloaded==2.7.5). ``dropped[n]`` are documents of segment ``n`` to
    leave out (an id already given to an article in another worker's share).
    """
    finalsegments = writer._merge_segments(None, None, None)  # the usual small-segment merge...
    for segment, docnums in zip(workers.segments(), dropped):  # ...while the workers finish theirs
        if segment is None:
            continue
        for docnum in docnums:
            segment.delete_document(docnum)
        finalsegments.append(segment)
    if writer._added:  # the merge wrote documents into this writer's own segment
        finalsegments.append(writer._finalize_segment())
    else:
        writer._close_segment()
    writer._commit_toc(finalsegments)  # the one moment the new documents become visible
    writer._finish()  # releases Whoosh's lock, removes the temp folder the workers shared


def _remove_orphan_segments(storage) -> None:
    """After a failed parallel run into the live index: delete the segment files no TOC lists.

    Whoosh would remove them at the next commit anyway; this keeps a failed run from leaving
    megabytes behind until then.
    """
    from whoosh.index import clean_files

    from .schema import ARTICLES

    with contextlib.suppress(Exception):
        toc = storage.open_index(indexname=ARTICLES)._read_toc()
        clean_files(storage, ARTICLES, toc.generation, toc.segments)


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
