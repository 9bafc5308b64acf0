"""Writing the library: incremental indexing under the write lock.

`brief index` reads new and changed files, removes deleted ones and skips unchanged ones without
reading them. Everything becomes visible at once in the final commit. Killed at any point, a run leaves
one consistent library, which the next run brings up to date:

- before the commit, the new manifest and the change of the sketches are written (atomically) to
  manifest.next.json and sketches.next.json, the manifest stamped with the commit it belongs to (the index
  folder's id, index/brief.id, and the TOC generation); after the commit the change is applied to
  sketches.db (one SQLite transaction, idempotent) and the manifest renamed over manifest.json. Readers
  (index.library) take manifest.next.json exactly when its stamp names the index's current commit; the
  next writer promotes or drops it (``Indexer._settle``) before anything else;
- a rebuild writes a new index folder and swaps it in with one rename (renameat2 RENAME_EXCHANGE on
  Linux; elsewhere two renames, which the next writer completes or undoes after a kill between them).

A write that fails (disk full, no permission, anything unexpected) ends the run with a one-line
LibraryError and leaves the previous index as it was. No single file can stall a run: each file has
index.documents.READ_TIMEOUT seconds to be read (SIGALRM; in the main thread and in index.parallel's workers).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import secrets
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from . import documents
from .errors import IndexDamaged, LibraryError, LockTimeout
from .library import INDEX_ID, Library, empty_manifest, index_state, read_manifest_file, row_problem
from .model import Article
from .sanitize import display_path

PARALLEL_THRESHOLD = 300  # files in one run from which reading and writing use both cores
WRITER_MB = 128  # memory for the postings of each Whoosh writer before it spills a sorted run

SPACE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
DENIED_ERRNOS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})

_held_lock_fds: set[int] = set()  # lock fds this process holds: a forked worker closes its copies
_JSON_CHUNK = 1 << 20


def _write_json_atomic(path: Path, data) -> None:
    """``data`` as JSON in ``path``, atomically: a temporary file, written, fsynced, renamed over it.

    ASCII JSON (``ensure_ascii``), so that file names with undecodable bytes (kept as lone surrogates)
    round-trip as ``\\udcff`` escapes; written with os.write, whose failure (disk full) names ``path``.
    """
    payload = json.dumps(data, ensure_ascii=True, separators=(",", ":")).encode("ascii")
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        try:
            os.fchmod(fd, 0o644)
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view[:_JSON_CHUNK]):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and exc.filename is None:
            exc.filename = str(path)
        raise


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

    def add_setup(self, message: str) -> None:
        if message not in self.setup:
            self.setup.append(message)

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
            f"Indexed: {', '.join(parts)}. {self.total_articles} article{'s' * (self.total_articles != 1)} in the library"
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
    before_commit: Callable[[], None] = lambda: None  # stages the manifest; called right before the commit
    carry: Callable[[_Run, str], None] | None = None  # a rebuild: keep a file's articles from the old index

    def file_done(self, path: str, st: os.stat_result, failure: documents.Failure | None, rows: list[dict]) -> None:
        """Record one read file: its articles (already written) replace what the index held for it."""
        files, report = self.files, self.report
        old = files.get(path)
        if failure is not None:
            kind, reason, setup = failure
            if kind == "setup":  # not the file's fault: keep what was indexed, try again when it changes
                report.add_setup(setup or reason)
                report.skip(reason)
                if self.carry is not None:
                    self.carry(self, path)
                return
            if kind == "bad":
                Indexer._failed(files, path, st, reason, report)
                return
            report.skip(reason)  # "skip": deliberately not indexed; what it held before goes
            rows = []
        if self.live:
            # Also for files the manifest does not know: documents of a run whose manifest was lost.
            self.writer.delete_by_term("path", documents.path_term(path))
        had = bool(old and old.get("articles"))
        if old is not None:
            self.gone_ids.update(a["id"] for a in old.get("articles", ()))
        if failure is not None:
            if had:
                report.removed += 1
                report.articles_removed += len(old["articles"])
            files[path] = {"mtime_ns": st.st_mtime_ns, "size": st.st_size, "articles": [], "skip": failure[1]}
            return
        known = old is not None and not old.get("error") and not old.get("skip")
        report.updated += known
        report.added += not known
        report.articles_added += len(rows)
        files[path] = {"mtime_ns": st.st_mtime_ns, "size": st.st_size, "articles": rows}


class _CarryOver:
    """A rebuild whose reader for some file cannot run here keeps that file's articles: they are copied,
    stored fields and sketch, from the index being replaced (ReaderUnavailable: "any earlier version kept")."""

    def __init__(self, index_dir: Path, stored_sketches: Callable[[list[str]], dict], previous: dict) -> None:
        self.index_dir, self.stored_sketches, self.previous = index_dir, stored_sketches, previous
        self._searcher = None
        self._sketches: dict | None = None

    def into(self, run: _Run, path: str) -> None:
        from .library import article_from_fields

        old = self.previous.get(path)
        if not old or not old.get("articles"):
            return
        try:
            if self._searcher is None:
                from whoosh.filedb.filestore import FileStorage

                from .schema import ARTICLES

                ix = FileStorage(str(self.index_dir), supports_mmap=False).open_index(indexname=ARTICLES)
                self._searcher = ix.searcher()
            self._sketches = self.stored_sketches([row["id"] for row in old["articles"]])
            docs = [(row, self._searcher.document(id=row["id"])) for row in old["articles"]]
        except Exception:  # noqa: BLE001 - the old index cannot be read: nothing to carry over
            return
        rows = []
        for row, fields in docs:
            if fields is None or row["id"] in run.batch_ids:
                continue
            run.writer.add_document(**documents.article_doc(article_from_fields(fields), path))
            run.batch_ids.add(row["id"])
            sketch = self._sketches.get(row["id"]) if isinstance(self._sketches, dict) else None
            if isinstance(sketch, list):
                run.sketches[row["id"]] = sketch
            rows.append(row)
        run.files[path] = {**old, "articles": rows}
        run.report.articles_added += len(rows)

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None


@contextlib.contextmanager
def hold_lock(lib: Library, wait: float = 30.0, on_wait: Callable[[str], None] | None = None):
    """Hold the library's write lock; wait up to ``wait`` seconds for another writer.

    A lock file that may not be written (a library shared read-only) is locked read-only: flock needs
    no write access. The fd is never inherited by index.parallel's workers (they close it).
    """
    lib.root.mkdir(parents=True, exist_ok=True)
    writable = True
    try:
        fd = os.open(lib.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        if exc.errno not in DENIED_ERRNOS:
            raise
        try:
            fd = os.open(lib.lock_path, os.O_RDONLY)
        except OSError:
            raise exc from None
        writable = False
    _held_lock_fds.add(fd)
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
        if writable:
            with contextlib.suppress(OSError):  # the pid only serves the "waiting" message (disk full: none)
                os.ftruncate(fd, 0)
                os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        _held_lock_fds.discard(fd)
        os.close(fd)  # closing releases the flock


def update(
    lib: Library,
    paths: Iterable[str | os.PathLike] = (),
    *,
    rebuild: bool = False,
    wait: float = 30.0,
    progress: ProgressFn | None = None,
    on_wait: Callable[[str], None] | None = None,
    follow_links: bool = False,
) -> IndexReport:
    """Bring the library's index up to date with ``paths`` (default: the roots indexed before): what
    `brief index` does.

    New and changed files are read and (re)indexed, deleted ones removed, unchanged ones skipped without
    being read. Nothing is visible until the final commit, so an interrupted run leaves the previous index
    complete and usable. Links leading outside ``paths`` are skipped unless ``follow_links``. A missing or
    damaged manifest is rebuilt from the index first (said in the report's notes). Failures (disk full, no
    permission, anything unexpected) raise LibraryError with the reason; the previous index is then intact.
    """
    indexer = Indexer(lib)
    try:
        report = indexer.update(paths, rebuild=rebuild, wait=wait, progress=progress, on_wait=on_wait,
                                follow_links=follow_links)
    finally:
        lib.forget()
    if indexer.in_force is not None:  # what the run wrote (or found): `brief index`'s catalog refresh reads no file
        lib._manifest = indexer.in_force
    return report


class Indexer:
    """One `brief index` run over a Library."""

    def __init__(self, lib: Library) -> None:
        self.lib = lib
        self.root = lib.root
        self.index_dir = lib.index_dir
        self._no_roots = "nothing to index: give one or more files or folders (`brief index PATH...`)"
        self.in_force: dict | None = None  # after a run: the manifest in force, as written (or read)

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
        """See ``update``. Any failure is a LibraryError saying what happened and the way out."""
        started = time.monotonic()
        try:
            given = [str(Path(p).expanduser().resolve()) for p in paths]
            with hold_lock(self.lib, wait=wait, on_wait=on_wait):
                report = self._update(given, rebuild, progress, follow_links)
        except LibraryError:
            raise
        except Exception as exc:
            from .storage import index_damage_message

            damage = index_damage_message(str(self.root), exc)
            if damage and not (isinstance(exc, OSError) and exc.errno in SPACE_ERRNOS | DENIED_ERRNOS):
                raise IndexDamaged(damage) from None
            if isinstance(exc, OSError):
                raise self._os_error(exc) from None
            raise LibraryError(f"`brief index` stopped on an unexpected error ({type(exc).__name__}: "
                               f"{documents.clip(exc)}); the previous index is intact") from exc
        report.seconds = time.monotonic() - started
        return report

    def _update(self, given: list[str], rebuild: bool, progress, follow_links: bool) -> IndexReport:
        self._check_writable()
        self._settle()
        report = IndexReport()
        try:
            loaded = self._overrides(report)
            documents.OVERRIDES = loaded or {}
            return self._update_with(given, rebuild, progress, follow_links, report, loaded is not None)
        finally:
            documents.OVERRIDES = {}

    def _overrides(self, report: IndexReport) -> dict | None:
        """The user's overrides (index.overrides); a damaged file is said in the report and not applied
        (None)."""
        from .overrides import OverridesProblem, load

        try:
            return load(self.root)
        except OverridesProblem as exc:
            report.notes.append(f"{exc}; outlets, dates and titles you set are not applied in this run")
            return None

    def _update_with(self, given: list[str], rebuild: bool, progress, follow_links: bool,
                     report: IndexReport, sync: bool = True) -> IndexReport:
        if not rebuild and sync and not documents.OVERRIDES and self._nothing_to_do(given, follow_links, report):
            return report
        manifest, index_ok = self._starting_manifest(report, rebuild)
        if index_ok and not rebuild and sync:
            stale = _stale_rows(manifest, documents.OVERRIDES)
            if stale:  # overrides not yet applied (a `brief set` killed before its commit, a file edited)
                self._rewrite(manifest, stale, strict=False)
        known = list(manifest["roots"])
        if rebuild:
            roots = given or known
        elif not index_ok:  # the index is gone: everything the library held is read again, and ``given``
            roots = sorted(set(known) | set(given))
        else:
            roots = given or known
        if not roots:
            raise LibraryError(self._no_roots)
        rebuilding = rebuild or not index_ok
        previous = manifest["files"] if index_ok else {}  # what a rebuild may carry over (a reader unavailable)
        if rebuilding:
            manifest = empty_manifest()
        plan = self._plan(manifest, roots, report, follow_links, given)
        kept_roots = [r for r in roots if r not in report.missing]  # a PATH given that does not exist: not a root
        if rebuilding or plan.to_read or plan.to_remove:
            self._index(manifest, plan, report, rebuilding, progress, kept_roots, previous)
        elif not set(kept_roots) <= set(manifest["roots"]):
            manifest["roots"] = sorted(set(manifest["roots"]) | set(kept_roots))
            _write_json_atomic(self.lib.manifest_path, manifest)
        report.total_articles = sum(len(e.get("articles", ())) for e in manifest["files"].values())
        self.in_force = manifest
        self._write_stats(manifest, report.total_articles)
        return report

    # -- the stat signatures alone: a no-op run without parsing the manifest ---------------------------

    def _nothing_to_do(self, given: list[str], follow_links: bool, report: IndexReport) -> bool:
        """Whether this run has nothing to read, remove or write, decided from manifest.stats.json (the stat
        signatures of the files the manifest in force lists, written with it, keyed on manifest.json's own
        stat and the index commit) instead of the manifest: a no-op run at 100,000 articles then parses
        ~1 MB of paths and numbers, not ~26 MB of catalog. When so, ``report`` is what the full path would
        make of it. Any doubt (no such file, another key, a row showing an override, a staged manifest):
        False, and the run takes the full path."""
        light = self._light_manifest()
        if light is None:
            return False
        roots = given or light["roots"]
        if not roots:
            return False
        scratch = IndexReport()
        plan = self._plan(light, roots, scratch, follow_links, given)
        kept_roots = [r for r in roots if r not in scratch.missing]
        if plan.to_read or plan.to_remove or not set(kept_roots) <= set(light["roots"]):
            return False
        for name in ("unchanged", "skipped", "problems", "notes", "missing"):
            setattr(report, name, getattr(scratch, name))
        report.total_articles = light["articles"]
        return True

    def _own_manifest(self) -> dict | None:
        """manifest.json parsed without checking each row again, when manifest.stats.json says it is the
        file a run of brief wrote (its stat unchanged since: brief checked what it wrote); else None (it is
        then read and checked by index.library.read_manifest_file)."""
        lib = self.lib
        try:
            with open(lib.stats_path, "rb") as f:
                key = json.loads(f.read()).get("key")
            with open(lib.manifest_path, "rb") as f:
                st = os.fstat(f.fileno())
                if key != [st.st_mtime_ns, st.st_size, st.st_ino]:
                    return None
                data = json.loads(f.read())
        except (OSError, ValueError, RecursionError, AttributeError):
            return None
        if type(data) is not dict or data.get("version") != 1 or type(data.get("files")) is not dict:
            return None
        return data

    def _light_manifest(self) -> dict | None:
        """{"roots", "files": path -> {mtime_ns, size, skip?, error?}, "articles": count} from
        manifest.stats.json when it describes the manifest in force; else None."""
        lib = self.lib
        if lib.next_manifest_path.exists():
            return None
        try:
            with open(lib.stats_path, "rb") as f:
                data = json.loads(f.read())
            st = os.stat(lib.manifest_path)
        except (OSError, ValueError, RecursionError):
            return None
        if not isinstance(data, dict) or data.get("version") != 1 or data.get("own"):
            return None
        if data.get("key") != [st.st_mtime_ns, st.st_size, st.st_ino] or data.get("stamp") != lib.index_state():
            return None
        paths, mtimes, sizes, flags = data.get("paths"), data.get("mtimes"), data.get("sizes"), data.get("flags")
        roots, articles = data.get("roots"), data.get("articles")
        if not (type(paths) is list and type(mtimes) is list and type(sizes) is list and type(flags) is dict
                and len(paths) == len(mtimes) == len(sizes) and type(roots) is list and type(articles) is int
                and all(type(p) is str for p in paths) and all(type(r) is str for r in roots)
                and all(type(n) is int for n in mtimes) and all(type(n) is int for n in sizes)):
            return None
        files = {p: {"mtime_ns": m, "size": z, "articles": ()} for p, m, z in zip(paths, mtimes, sizes)}
        for path, (skip, error) in flags.items() if all(type(v) is list and len(v) == 2 for v in flags.values()) else ():
            if path not in files or not (skip is None or type(skip) is str) or not (error is None or type(error) is str):
                return None
            if skip is not None:
                files[path]["skip"] = skip
            if error is not None:
                files[path]["error"] = error
        return {"roots": roots, "files": files, "articles": articles}

    def _write_stats(self, manifest: dict, articles: int) -> None:
        """manifest.stats.json for the manifest in force (see ``_nothing_to_do``); a cache: written without
        fsync (a torn or lost one only means a full run), removed when it cannot be made right."""
        lib = self.lib
        try:
            if lib.next_manifest_path.exists():
                raise OSError("a staged manifest is in force")
            st = os.stat(lib.manifest_path)
            key = [st.st_mtime_ns, st.st_size, st.st_ino]
            try:
                with open(lib.stats_path, "rb") as f:
                    if json.loads(f.read()).get("key") == key:
                        return  # the manifest was not written: the stats describe it already
            except (OSError, ValueError, RecursionError, AttributeError):
                pass
            files = manifest["files"]
            own = any(type(r.get("own")) is dict and r["own"] for e in files.values() for r in e["articles"])
            flags = {p: [e.get("skip"), e.get("error")] for p, e in files.items() if e.get("skip") or e.get("error")}
            data = {"version": 1, "key": key, "stamp": manifest.get("stamp"), "roots": manifest["roots"],
                    "articles": articles, "own": own, "paths": list(files),
                    "mtimes": [e["mtime_ns"] for e in files.values()], "sizes": [e["size"] for e in files.values()],
                    "flags": flags}
            tmp = lib.stats_path.with_name(f"{lib.stats_path.name}.{os.getpid()}.tmp")
            tmp.write_bytes(json.dumps(data, ensure_ascii=True, separators=(",", ":")).encode("ascii"))
            os.replace(tmp, lib.stats_path)
        except (OSError, ValueError, TypeError, KeyError):
            with contextlib.suppress(OSError):
                os.unlink(lib.stats_path)

    # -- the user's overrides ---------------------------------------------------------------------

    def set_metadata(self, article_id: str, changes: dict[str, str | None], wait: float = 30.0) -> dict:
        """See ``set_metadata``."""
        from .overrides import check_value, load, overrides_path, to_json

        checked = {name: (check_value(name, value) if value not in (None, "") else None)
                   for name, value in changes.items()}  # ValueError before anything is written
        try:
            with hold_lock(self.lib, wait=wait):
                self._check_writable()
                self._settle()
                self.lib.forget()
                manifest = self.lib.read_manifest()
                if self.lib.index_state() is None:
                    raise LibraryError(f"no library at {self.root} yet: run `brief index PATH...` to add articles")
                aid = self.lib.resolve_id(article_id)
                current = load(self.root)
                entry = dict(current.get(aid, {}))
                for name, value in checked.items():
                    if value is None:
                        entry.pop(name, None)
                    else:
                        entry[name] = value
                if entry:
                    current[aid] = entry
                else:
                    current.pop(aid, None)
                _write_json_atomic(overrides_path(self.root), to_json(current))
                documents.OVERRIDES = current
                try:
                    path, row = self._rewrite(manifest, [aid])[aid]
                finally:
                    documents.OVERRIDES = {}
        except (LibraryError, LookupError, ValueError):
            raise
        except OSError as exc:
            raise self._os_error(exc) from None
        finally:
            self.lib.forget()
        out = {k: row.get(k) for k in ("id", "title", "outlet", "published")}
        out["path"] = path
        out["set"] = dict(sorted(entry.items()))
        return out

    def _rewrite(self, manifest: dict, ids: list[str], strict: bool = True) -> dict[str, tuple[str, dict]]:
        """Write the documents and catalog rows of ``ids`` again, from the index's stored fields with the
        file's own values put back and documents.OVERRIDES applied, in one commit (the manifest staged
        before it, promoted after it, as in ``_index``). Returns id -> (path, new row). Not ``strict``: an
        article the index lacks is left to the run's own reading (its file is read again when it changed)."""
        from whoosh.filedb.filestore import FileStorage

        from .library import article_from_fields
        from .overrides import own_values
        from .schema import ARTICLES

        where = {row["id"]: (path, n) for path, entry in manifest["files"].items()
                 for n, row in enumerate(entry["articles"]) if row["id"] in set(ids)}
        ix = FileStorage(str(self.index_dir), supports_mmap=False).open_index(indexname=ARTICLES)
        writer = ix.writer(timeout=30)
        done: dict[str, tuple[str, dict]] = {}
        try:
            with ix.searcher() as searcher:
                for aid in ids:
                    if aid not in where:
                        continue
                    path, n = where[aid]
                    fields = searcher.document(id=aid)
                    if fields is None and not strict:
                        continue
                    if fields is None:
                        raise LookupError(f"article {aid} is in the manifest but not in the index; "
                                          f"run `brief index --rebuild`")
                    row = manifest["files"][path]["articles"][n]
                    article = own_values(article_from_fields(fields), row.get("own"))
                    writer.delete_by_term("id", aid)
                    writer.add_document(**documents.article_doc(article, path))
                    new = documents.catalog_row(article)
                    manifest["files"][path]["articles"][n] = new
                    done[aid] = (path, new)
            if not done:
                writer.cancel()
                return done
            manifest["stamp"] = {"index": _index_id(self.index_dir), "generation": writer.generation}
            _write_json_atomic(self.lib.next_manifest_path, manifest)
            writer.commit()
        except BaseException:
            with contextlib.suppress(Exception):
                if not writer.is_closed:
                    writer.cancel()
            with contextlib.suppress(Exception):
                if self.lib.staged_manifest() is not None:
                    self._promote()
                else:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(self.lib.next_manifest_path)
            raise
        self._promote()
        return done

    # -- what an interrupted run left, and a lost manifest ------------------------------------------

    def _check_writable(self) -> None:
        """Fail before reading anything when the library cannot be written (permissions, read-only disk)."""
        for folder in (self.root, self.index_dir):
            if folder == self.index_dir and not folder.is_dir():
                continue
            try:
                fd, probe = tempfile.mkstemp(prefix=".brief-probe.", dir=folder)
            except OSError as exc:
                if exc.filename is None:
                    exc.filename = str(folder)
                raise
            os.close(fd)
            os.unlink(probe)

    def _settle(self) -> None:
        """Finish or undo what an interrupted run left, before anything else (under the lock): a swap of
        index folders half done, a staged manifest (promoted when its commit happened, else dropped),
        temporary files."""
        lib = self.lib
        if not self.index_dir.exists():
            self._finish_swap()
        staged, _problem, _raw = read_manifest_file(lib.next_manifest_path)
        if staged is not None and staged.get("stamp") is not None and staged["stamp"] == lib.index_state():
            self._promote_sketches()
            os.replace(lib.next_manifest_path, lib.manifest_path)
        else:
            for path in (lib.next_manifest_path, lib.next_sketches_path):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)
        self._remove_leftovers()
        if lib.sketches_path.exists():  # an old library: its sketches.json moves into sketches.db
            self._sketch_store().close()

    def _finish_swap(self) -> None:
        """index/ is missing: a swap by two renames (not Linux) was killed between them. Put back the
        folder the staged manifest belongs to if its commit happened, else the old one."""
        staged, _problem, _raw = read_manifest_file(self.lib.next_manifest_path)
        stamp = staged.get("stamp") if staged else None
        for new in sorted(self.root.glob("index.new.*")):
            if stamp is not None and index_state(new) == stamp:
                os.rename(new, self.index_dir)
                return
        olds = [p for p in self.root.glob("index.old.*") if index_state(p) is not None]
        if olds:
            os.rename(max(olds, key=lambda p: p.stat().st_mtime_ns), self.index_dir)

    def _remove_leftovers(self) -> None:
        for stale in self.root.glob("index.*.*"):  # half-built or swapped-out index folders
            if stale.is_dir() and not stale.is_symlink():
                shutil.rmtree(stale, ignore_errors=True)
        for pattern in ("*.json.*.tmp", "sketches.db.*.tmp", "sketches.db.*.tmp-journal"):
            for tmp in self.root.glob(pattern):  # of _write_json_atomic, index.dedup.write_store
                with contextlib.suppress(OSError):
                    tmp.unlink()
        if not self.index_dir.is_dir():
            return
        for name in os.listdir(self.index_dir):
            path = self.index_dir / name
            if name.startswith("_articles_") and ".toc." in name:  # Whoosh's temporary TOC of a failed commit
                with contextlib.suppress(OSError):
                    path.unlink()
            elif name.endswith(".tmp") and path.is_dir() and not path.is_symlink():  # Whoosh's temp storage
                shutil.rmtree(path, ignore_errors=True)
        if index_state(self.index_dir) is not None:
            from whoosh.filedb.filestore import FileStorage

            _remove_orphan_segments(FileStorage(str(self.index_dir), supports_mmap=False))

    def _starting_manifest(self, report: IndexReport, rebuild: bool) -> tuple[dict, bool]:
        """(the manifest to start from, whether the index is there). A missing or damaged manifest is
        rebuilt from the index's stored fields (and written at once, so that readers see one library)."""
        lib = self.lib
        state = lib.index_state()
        data = self._own_manifest()
        problem = raw = None
        if data is None:
            data, problem, raw = read_manifest_file(lib.manifest_path)
        where = display_path(str(lib.manifest_path))
        if data is not None:
            if state is None and data["files"]:
                report.notes.append(f"{self.index_dir}: the index is missing; every file is read again")
            return data, state is not None
        salvaged = _salvage_roots(raw)
        what = "was missing" if problem is None else f"was damaged ({problem})"
        if state is None:
            if problem is not None:
                report.notes.append(f"{where}: {what} and there is no index"
                                    + ("; indexing again the folders it names" if salvaged else ""))
                self._no_roots = (f"the library manifest {where} {what} and names no folder: run "
                                  f"`brief index --rebuild PATH...` with the folders to index")
            manifest = empty_manifest()
            manifest["roots"] = salvaged
            return manifest, False
        try:
            recovered = self._manifest_from_index(salvaged)
        except LibraryError:
            raise
        except Exception as exc:
            if isinstance(exc, OSError) and exc.errno in SPACE_ERRNOS | DENIED_ERRNOS:
                raise
            self._no_roots = (f"the library manifest {where} {what} and the index cannot be read either: run "
                              f"`brief index --rebuild PATH...` with the folders to index")
            if not rebuild:
                how = ("`brief index --rebuild`" if salvaged
                       else "`brief index --rebuild PATH...` with the folders to index")
                raise IndexDamaged(f"the library manifest {where} {what} and the index cannot be read "
                                   f"({type(exc).__name__}: {documents.clip(exc)}); run {how}") from None
            manifest = empty_manifest()
            manifest["roots"] = salvaged
            return manifest, False
        _write_json_atomic(lib.manifest_path, recovered)
        count = sum(len(e["articles"]) for e in recovered["files"].values())
        report.notes.append(f"{where}: {what}; rebuilt it from the index ({count} articles from "
                            f"{len(recovered['files'])} files under {', '.join(recovered['roots']) or 'no folder'}); "
                            f"every file is read again")
        return recovered, True

    def _manifest_from_index(self, roots: list[str]) -> dict:
        """A manifest made from the index's stored fields (ids, paths, titles, outlets, dates, hashes).
        File stats are unknown (-1), so the run reads every file again. Roots: ``roots`` (salvaged from
        a damaged manifest), else the folders holding the indexed files (never wider than what was indexed)."""
        from whoosh.filedb.filestore import FileStorage

        from .schema import ARTICLES

        ix = FileStorage(str(self.index_dir), supports_mmap=False).open_index(indexname=ARTICLES)
        files: dict[str, dict] = {}
        with ix.searcher() as searcher:
            for fields in searcher.all_stored_fields():
                path, aid = fields.get("path"), fields.get("id")
                if type(path) is not str or not os.path.isabs(path) or type(aid) is not str:
                    continue
                published = fields.get("published")
                title, outlet, digest = fields.get("title"), fields.get("outlet"), fields.get("hash")
                row = {
                    "id": aid,
                    "title": title if type(title) is str else "",
                    "outlet": outlet if type(outlet) is str and outlet else None,
                    "published": published.date().isoformat() if isinstance(published, datetime) else None,
                    "hash": digest if type(digest) is str else "",
                }
                entry = files.setdefault(path, {"mtime_ns": -1, "size": -1, "articles": []})
                entry["articles"].append(row)
        for entry in files.values():  # rows a crafted index holds (ids that are not brief's, say): left out
            entry["articles"] = [r for r in entry["articles"] if row_problem(r) is None]
        return {"version": empty_manifest()["version"], "roots": roots or _folders_holding(files),
                "files": files, "duplicates": {}, "stamp": self.lib.index_state()}

    # -- planning ------------------------------------------------------------------------------

    def _plan(self, manifest: dict, roots: list[str], report: IndexReport, follow_links: bool = False,
              given: Iterable[str] = ()) -> _Plan:
        """Sort the files under ``roots`` into to-read and to-remove, by their stat signature alone.

        Only walking the roots decides what is read: a file is never read because the manifest lists it,
        and a file the walk now passes over (a link leading outside the roots, say) leaves the library.
        """
        from .readers import iter_source_files

        plan = _Plan()
        files = manifest["files"]
        seen: set[str] = set()
        given, root_set = set(given), set(roots)
        for path, reason in iter_source_files(roots, follow_links=follow_links):
            key = str(path)
            if reason is not None:
                if key in root_set and reason.startswith("no such file"):
                    if key in given:
                        report.missing.append(key)
                    elif any(_under_any(p, [key]) for p in files):
                        report.notes.append(f"{key}: indexed before, no longer there; its articles are removed")
                    continue
                if key in files and not reason.startswith("no such file"):
                    plan.to_remove.append(key)
                    seen.add(key)
                report.skip(reason)
                continue
            seen.add(key)
            try:
                st = os.stat(key)
            except OSError as exc:
                report.skip("unreadable")
                report.problems.append(f"{key}: {exc.strerror or exc}")
                continue
            old = files.get(key)
            if old and old.get("mtime_ns") == st.st_mtime_ns and old.get("size") == st.st_size:
                if old.get("skip"):
                    report.skip(old["skip"])
                elif old.get("error"):
                    report.skip("unreadable (unchanged since last run)")
                    report.problems.append(f"{key}: {old['error']}")
                else:
                    report.unchanged += 1
                continue
            plan.to_read.append((key, st))
        exact, under = set(roots), tuple(r.rstrip(os.sep) + os.sep for r in roots)  # _under_any, once for all
        for key in files:
            if key not in seen and (key in exact or key.startswith(under)) and not os.path.exists(key):
                plan.to_remove.append(key)
        return plan

    # -- writing -------------------------------------------------------------------------------

    def _index(self, manifest, plan: _Plan, report: IndexReport, rebuilding: bool, progress, roots: list[str],
               previous: dict | None = None):
        """Read the planned files and write them, streaming, in one commit; stage the manifest before it
        and promote it after it. ``previous``: the files of the index in use, for a rebuild to carry over
        the articles of a file whose reader cannot run here."""
        from whoosh.filedb.filestore import FileStorage
        from whoosh.index import LockError

        from .schema import ARTICLES, article_schema

        files = manifest["files"]
        fresh = rebuilding or self.lib.index_state() is None
        target = Path(tempfile.mkdtemp(prefix="index.new.", dir=self.root)) if fresh else self.index_dir
        storage = FileStorage(str(target), supports_mmap=False)
        writer = None
        cleanup = contextlib.ExitStack()
        try:
            token = _index_id(target)
            try:
                if fresh:
                    storage.create_index(article_schema(), indexname=ARTICLES)
                ix = storage.open_index(indexname=ARTICLES)
            except IndexDamaged:
                raise  # already one line naming the file (index.safepickle, index.storage)
            except Exception as exc:
                if isinstance(exc, OSError) and exc.errno in SPACE_ERRNOS | DENIED_ERRNOS:
                    raise
                raise IndexDamaged(
                    f"the index in {self.root} could not be read ({type(exc).__name__}: {documents.clip(exc)}); "
                    f"run `brief index --rebuild` to rebuild it"
                ) from None
            total = len(plan.to_read)
            # Forking a process that runs other threads (the app indexes from a worker thread) can copy a
            # lock some thread holds into the child, which then hangs: such a caller indexes serially.
            # The workers are forked before the first progress call (a progress bar may start a thread).
            big = total >= PARALLEL_THRESHOLD and (os.cpu_count() or 1) > 1 and threading.active_count() == 1
            try:
                writer = ix.writer(limitmb=WRITER_MB, timeout=30)
            except LockError:
                raise LibraryError(f"the index in {self.root} is locked by another process (an indexing worker "
                                   f"still running?); try again in a moment") from None
            gone_ids = {a["id"] for p in plan.to_remove for a in files[p].get("articles", ())}
            run = _Run(files, report, writer, live=not fresh, gone_ids=gone_ids)
            if fresh and previous:
                carry = _CarryOver(self.index_dir, self._stored_sketches, previous)
                run.carry = carry.into
                cleanup.callback(carry.close)
            generation = writer.generation
            run.before_commit = lambda: self._stage(manifest, run, rebuilding, roots, token, generation, fresh)
            for path in plan.to_remove:
                writer.delete_by_term("path", documents.path_term(path))
                report.removed += 1
                report.articles_removed += len(files.pop(path).get("articles", ()))
            if big:
                self._write_parallel(run, plan, str(target), progress)
            else:
                self._write_serial(run, plan, progress)
            cleanup.close()  # before the swap: the old index is no longer read
            if fresh:
                self._swap_in(target)
        except BaseException:
            cleanup.close()
            self._undo(storage, writer, target, fresh)
            raise
        self._promote()

    def _stage(self, manifest: dict, run: _Run, rebuilding: bool, roots: list[str], token: str, generation: int,
               fresh: bool) -> None:
        """Right before the commit: the new sketches and manifest, staged (see the module docstring)."""
        lib = self.lib
        delta = self._update_duplicates(manifest, run.sketches, run.batch_ids, run.gone_ids - run.batch_ids,
                                        rebuilding)
        manifest["roots"] = sorted(set(manifest["roots"]) | set(roots))
        manifest["stamp"] = {"index": token, "generation": generation}
        if fresh and not lib.manifest_path.exists():
            # A first index: `brief search` wants a manifest.json once index/ is there (and readers then
            # take the staged one); until then this empty one says "no library yet" as before.
            _write_json_atomic(lib.manifest_path, empty_manifest())
        if delta["rebuild"] or delta["add"] or delta["remove"]:
            _write_json_atomic(lib.next_sketches_path, delta)  # a few KB for a few files (the store takes it after)
        else:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(lib.next_sketches_path)
        _write_json_atomic(lib.next_manifest_path, manifest)

    def _promote(self) -> None:
        """After the commit: the staged files become the library's. A failure leaves them staged, and in
        force all the same (their stamp names the commit): the next run promotes them."""
        import sqlite3

        lib = self.lib
        with contextlib.suppress(OSError, sqlite3.Error):
            self._promote_sketches()
            os.replace(lib.next_manifest_path, lib.manifest_path)

    def _undo(self, storage, writer, target: Path, fresh: bool) -> None:
        """After a failure: keep the previous index as it was and remove what this run wrote. Should the
        commit have happened all the same, its staged manifest is in force: it is promoted instead."""
        if writer is not None and not writer.is_closed:
            with contextlib.suppress(Exception):
                writer.cancel()
        lib = self.lib
        with contextlib.suppress(Exception):
            if lib.staged_manifest() is not None:
                self._promote()
            else:
                for path in (lib.next_manifest_path, lib.next_sketches_path):
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(path)
        with contextlib.suppress(Exception):
            if target != self.index_dir:
                shutil.rmtree(target, ignore_errors=True)
            self._remove_leftovers()

    def _write_serial(self, run: _Run, plan: _Plan, progress) -> None:
        """Read and write the planned files one after the other, in this process; then commit."""
        writer, report, total = run.writer, run.report, len(plan.to_read)
        for n, (path, st) in enumerate(plan.to_read, 1):
            path, articles, failure, notes, article_sketches = documents.read_one(path)
            report.notes.extend(notes)
            kept = []
            if failure is None:
                kept = self._unique(articles, run.batch_ids, path, report)
                for article in kept:
                    writer.add_document(**documents.article_doc(article, path))
                    run.sketches[article.id] = article_sketches[article.id]
            run.file_done(path, st, failure, [documents.catalog_row(a) for a in kept])
            if progress:
                progress("index", n, total)
        if progress:
            progress("commit", 0, 0)
        run.before_commit()
        writer.commit()

    def _write_parallel(self, run: _Run, plan: _Plan, folder: str, progress) -> None:
        """Have worker processes read and write the planned files (index.parallel); then commit their
        segments with this process's deletions."""
        from . import dedup, readers  # noqa: F401  (imported once, before the fork)
        from .parallel import Workers
        from .schema import ARTICLES

        report, total = run.report, len(plan.to_read)
        inherited = set(_held_lock_fds)  # the workers close their copies: only this process holds the locks
        whoosh_lock = getattr(getattr(run.writer, "writelock", None), "fd", None)
        if isinstance(whoosh_lock, int):
            inherited.add(whoosh_lock)
        with Workers(folder, ARTICLES, [p for p, _ in plan.to_read], WRITER_MB, close_fds=sorted(inherited)) as workers:
            # Each file is recorded in the order of the plan, as on the serial path (the manifest's order, and
            # which of two articles with one id is kept, do not depend on which worker was faster), as soon as
            # it and every file before it have come: the workers take the plan in order, so only a few wait
            # here, and the bookkeeping runs while the workers still index instead of after them.
            dropped: list[list[int]] = [[] for _ in range(workers.count)]

            def record(path, st, worker, failure, notes, problems, entries) -> None:
                report.notes.extend(notes)
                report.problems.extend(problems)
                kept = []
                for row, docnum, sketch, label in entries:
                    if row["id"] in run.batch_ids:  # also in the other worker's share
                        report.problems.append(documents.repeated_id_message(path, label))
                        dropped[worker].append(docnum)
                        continue
                    run.batch_ids.add(row["id"])
                    run.sketches[row["id"]] = sketch
                    kept.append(row)
                run.file_done(path, st, failure, kept)

            waiting: dict[str, tuple] = {}
            received = done = 0
            for worker, results in workers.results():
                for path, *result in results:
                    waiting[path] = (worker, *result)
                received += len(results)
                while done < total and plan.to_read[done][0] in waiting:
                    path, st = plan.to_read[done]
                    record(path, st, *waiting.pop(path))
                    done += 1
                if progress:
                    progress("index", received, total)
            if waiting or done != total:  # every path is reported once (Workers.results)
                raise LibraryError(f"indexing workers reported {received} of {total} files; nothing was changed")
            if progress:
                progress("commit", 0, 0)
            run.before_commit()
            _commit_with(run.writer, workers, dropped)

    @staticmethod
    def _unique(articles: list[Article], seen: set[str], path: str, report: IndexReport) -> list[Article]:
        kept = []
        for a in articles:
            if a.id in seen:
                report.problems.append(documents.repeated_id(path, a))
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
        """Put the new index folder in the place of index/ in one step: renameat2(RENAME_EXCHANGE) on Linux.
        Elsewhere (or on a file system without it) two renames; killed between them, the library has no
        index/ until the next `brief index` (``_finish_swap``) puts the right folder back."""
        if not self.index_dir.exists():
            os.rename(new_dir, self.index_dir)
        elif _exchange(new_dir, self.index_dir):
            shutil.rmtree(new_dir, ignore_errors=True)  # the old index, under the new folder's name now
        else:
            old = self.root / f"index.old.{os.getpid()}"
            os.replace(self.index_dir, old)
            try:
                os.replace(new_dir, self.index_dir)
            except BaseException:
                os.replace(old, self.index_dir)
                raise
            shutil.rmtree(old, ignore_errors=True)
        for stale in self.root.glob("index.*.*"):  # leftovers of interrupted rebuilds
            shutil.rmtree(stale, ignore_errors=True)

    def _update_duplicates(self, manifest: dict, new: dict[str, list[int]], batch: set[str], gone: set[str],
                           rebuild: bool = False) -> dict:
        """Re-link near-duplicates for the articles this run added, changed or removed; returns the change
        of the stored sketches (index.dedup.SketchStore) to stage: {"__format__": "delta", "rebuild": whether
        the store is replaced, "add": id -> sketch, "remove": ids}. Linking costs what this run's articles
        cost: their candidates come from the store's postings (index.dedup.find_pairs_stored)."""
        from .dedup import find_pairs, find_pairs_stored

        # A rebuild starts over: the sketches stored are of articles that may be gone now.
        if manifest["files"] and not rebuild:
            store = self._sketch_store()
            try:
                pairs = find_pairs_stored(store, new, gone, batch=batch)
            finally:
                store.close()
        else:
            pairs = find_pairs(dict(new), batch)
        dups: dict[str, set[str]] = {k: set(v) for k, v in manifest.get("duplicates", {}).items()}
        touched = gone | batch
        for aid in list(dups):
            if aid in touched:
                del dups[aid]
            else:
                dups[aid] -= touched
                if not dups[aid]:
                    del dups[aid]
        for a, b in pairs:
            dups.setdefault(a, set()).add(b)
            dups.setdefault(b, set()).add(a)
        manifest["duplicates"] = {k: sorted(v) for k, v in sorted(dups.items())}
        return {"__format__": "delta", "rebuild": bool(rebuild or not manifest["files"]), "add": dict(new),
                "remove": sorted(gone - set(new))}

    def _sketch_store(self):
        """The library's sketch store (sketches.db), open; made from an old library's sketches.json first
        (which is then removed: the store holds all it held). A damaged store is started over, as a damaged
        sketches.json was: near-duplicates are then linked among the articles indexed from then on."""
        import sqlite3

        from .dedup import SketchStore, write_store

        db = self.lib.sketch_db_path
        if not db.exists() and self.lib.sketches_path.exists():
            _sqlite_to_oserror(lambda: write_store(db, self._load_sketches()), db)
        with contextlib.suppress(FileNotFoundError):
            if db.exists():
                os.unlink(self.lib.sketches_path)
        try:
            store = SketchStore(db)
            try:
                store.conn.execute("SELECT n FROM sketch LIMIT 1").fetchall()
                return store
            except BaseException:
                store.close()
                raise
        except sqlite3.DatabaseError as exc:
            if "disk is full" in str(exc) or "readonly" in str(exc):
                raise OSError(errno.ENOSPC if "full" in str(exc) else errno.EACCES, str(exc), str(db)) from None
            for path in (db, Path(f"{db}-journal")):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)
            return SketchStore(db)

    def _promote_sketches(self) -> None:
        """The staged change of the sketches (sketches.next.json) applied to sketches.db, then removed.
        Applying it twice (killed before the removal) does what applying it once does. An old library's
        staged sketches (all of them, no "__format__") replace the store."""
        lib = self.lib
        try:
            data = json.loads(lib.next_sketches_path.read_bytes())
        except FileNotFoundError:
            return
        except (OSError, ValueError, RecursionError):
            data = None
        if isinstance(data, dict) and data.get("__format__") == "delta":
            add = {k: v for k, v in (data.get("add") or {}).items() if _is_sketch(v)}
            remove = [k for k in data.get("remove") or () if isinstance(k, str)]
            if data.get("rebuild"):
                self._write_store(add)
            else:
                store = self._sketch_store()
                try:
                    _sqlite_to_oserror(lambda: store.apply(add, remove), lib.sketch_db_path)
                finally:
                    store.close()
        elif isinstance(data, dict):
            self._write_store({k: v for k, v in data.items() if _is_sketch(v)})
        os.unlink(lib.next_sketches_path)

    def _write_store(self, sketches: dict) -> None:
        from .dedup import write_store

        _sqlite_to_oserror(lambda: write_store(self.lib.sketch_db_path, sketches), self.lib.sketch_db_path)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.lib.sketches_path)

    def _stored_sketches(self, ids: list[str]) -> dict[str, list[int]]:
        """The stored sketches of ``ids`` (those it has), for a rebuild's carry-over; {} when none can be read."""
        try:
            store = self._sketch_store()
            try:
                return store.get_many(ids)
            finally:
                store.close()
        except Exception:  # noqa: BLE001 - no sketch: the article is carried over all the same, unlinked
            return {}

    def _load_sketches(self) -> dict[str, list[int]]:
        """The sketches of an old library's sketches.json (to migrate them into sketches.db)."""
        try:
            data = json.loads(self.lib.sketches_path.read_bytes())
        except (OSError, ValueError, RecursionError):
            return {}
        if not isinstance(data, dict):
            return {}
        return {k: v for k, v in data.items() if _is_sketch(v)}

    # -- messages ------------------------------------------------------------------------------

    def _os_error(self, exc: OSError) -> LibraryError:
        """The one line for an OSError that stopped the run (writing, almost always)."""
        root = display_path(str(self.root))
        target = display_path(documents.file_of(exc) or str(self.root))
        if exc.errno in SPACE_ERRNOS:
            why = {errno.EDQUOT: " (disk quota exceeded)", errno.EFBIG: " (file too large)"}.get(exc.errno, "")
            return LibraryError(f"no space left on the device holding {root}{why} while writing {target}: "
                                f"free some space and run `brief index` again; the previous index is intact")
        if exc.errno in DENIED_ERRNOS:
            why = "read-only file system" if exc.errno == errno.EROFS else "permission denied"
            return LibraryError(f"cannot write to the library {root} ({why}): {target} cannot be written; fix its "
                                f"permissions, or index into another library with --library DIR; the previous "
                                f"index is intact")
        intact = "; the previous index is intact" if self.index_dir.is_dir() else ""
        return LibraryError(f"{target}: {exc.strerror or exc}{intact}")


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


def set_metadata(lib: Library, article_id: str, changes: dict[str, str | None], *, wait: float = 30.0) -> dict:
    """Set (or, with None or "", clear) the outlet, date ("published", YYYY-MM-DD) or title of one article:
    stored in the library's overrides.json (index.overrides; the source file is never touched), applied to
    its index document and catalog row under the write lock in one commit, so that search (``outlet:``),
    the catalog and every card see it at once, and kept by every later `brief index` (``--rebuild`` too).
    Returns the article's row {id, title, outlet, published, path, set: the overrides now in force}.
    LookupError for an unknown id, ValueError for a bad value (a bad date), LibraryError otherwise."""
    return Indexer(lib).set_metadata(article_id, changes, wait=wait)


def _is_sketch(value) -> bool:
    return isinstance(value, list) and all(type(h) is int and 0 <= h <= 0xFFFFFFFF for h in value)


def _sqlite_to_oserror(fn, path):
    """``fn()``; SQLite's "disk is full" / "readonly database" as the OSError the run's messages know."""
    import sqlite3

    try:
        return fn()
    except sqlite3.OperationalError as exc:
        text = str(exc)
        if "full" in text:
            raise OSError(errno.ENOSPC, "No space left on device", str(path)) from None
        if "readonly" in text or "read-only" in text:
            raise OSError(errno.EROFS if "read-only" in text else errno.EACCES, text, str(path)) from None
        raise


def _stale_rows(manifest: dict, overrides: dict) -> list[str]:
    """Ids of catalog rows that do not show the overrides in force (or show one no longer in force)."""
    if not overrides:  # the usual case: only rows that still show an override since cleared
        return [row["id"] for entry in manifest["files"].values() for row in entry["articles"]
                if type(row.get("own")) is dict and row["own"]]
    stale = []
    for entry in manifest["files"].values():
        for row in entry["articles"]:
            wanted = overrides.get(row["id"], {})
            own = row.get("own") if type(row.get("own")) is dict else {}
            if any(row.get(name) != value for name, value in wanted.items()) or set(own) - set(wanted):
                stale.append(row["id"])
    return stale


def _remove_orphan_segments(storage) -> None:
    """Delete the segment files no TOC lists (of a failed or killed run, or a worker's).

    Whoosh would remove them at the next commit anyway; this keeps a failed run from leaving
    megabytes behind until then (on a full disk, it gives the space back).
    """
    from whoosh.index import clean_files

    from .schema import ARTICLES

    with contextlib.suppress(Exception):
        toc = storage.open_index(indexname=ARTICLES)._read_toc()
        clean_files(storage, ARTICLES, toc.generation, toc.segments)


def _index_id(folder: Path) -> str:
    """The id of the index in ``folder`` (index/brief.id), made when it has none: what a staged manifest's
    stamp names, with the TOC generation, to tell this index from any other (a rebuild's new folder)."""
    path = folder / INDEX_ID
    with contextlib.suppress(OSError, UnicodeDecodeError):
        token = path.read_bytes()[:200].decode("ascii").strip()
        if token:
            return token
    token = secrets.token_hex(8)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, token.encode() + b"\n")
        os.fsync(fd)
    except OSError as exc:
        if exc.filename is None:
            exc.filename = str(path)
        raise
    finally:
        os.close(fd)
    return token


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_SYS_RENAMEAT2 = {"x86_64": 316, "aarch64": 276}


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically (Linux renameat2 RENAME_EXCHANGE); False where that is not possible."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes
        import platform

        libc = ctypes.CDLL(None, use_errno=True)
        args = (_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
        if hasattr(libc, "renameat2"):
            fn = libc.renameat2
            fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
            result = fn(*args)
        elif platform.machine() in _SYS_RENAMEAT2:
            result = libc.syscall(ctypes.c_long(_SYS_RENAMEAT2[platform.machine()]), ctypes.c_int(args[0]),
                                  ctypes.c_char_p(args[1]), ctypes.c_int(args[2]), ctypes.c_char_p(args[3]),
                                  ctypes.c_uint(args[4]))
        else:
            return False
    except Exception:  # noqa: BLE001 - no ctypes, no libc: do it the portable way
        return False
    if result == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EPERM):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _salvage_roots(raw) -> list[str]:
    """The roots a damaged manifest still names (absolute paths only)."""
    roots = raw.get("roots") if isinstance(raw, dict) else None
    if not isinstance(roots, list):
        return []
    return sorted({r for r in roots if isinstance(r, str) and os.path.isabs(r) and "\x00" not in r})


def _folders_holding(files: Iterable[str]) -> list[str]:
    """The folders holding ``files``, none inside another: a walk of them reads what was indexed and what
    was added next to it, never a folder above."""
    kept: list[str] = []
    for folder in sorted({os.path.dirname(p) for p in files}):
        if not _under_any(folder, kept):
            kept.append(folder)
    return kept


def _under_any(path: str, roots: list[str]) -> bool:
    return any(path == r or path.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


def _read_pid(fd: int) -> str:
    try:
        return os.pread(fd, 32, 0).decode().strip()
    except (OSError, UnicodeDecodeError):
        return ""
