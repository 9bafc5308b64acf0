"""Keeping the library up to date while files come, change, move and go: the engine of `brief watch` and of
the app's watching (no Textual here).

A ``Watcher`` watches folders (by default the library's roots, the folders indexed before) recursively with
watchfiles (inotify on Linux, through Rust's ``notify``), and brings the index up to date after each burst
of changes with ``index.indexer.update`` — the very run `brief index` makes, with its guarantees: one
writer at a time (the library's lock; a watcher that finds it held waits and tries again, saying so once),
and an interrupted batch (Ctrl-C, kill, a crash) leaves the index whole, the previous one or the new one.

- What is looked at: files of a type ``index.readers`` reads, and folders (a folder moved in arrives as one
  event). The library folder itself, hidden files and folders, and editor or download leftovers (``.swp``,
  ``~``, ``.part``, ``.tmp``, ``.#name``, ``#name#``...) are passed over; so are other file types.
- Batches: watchfiles groups the changes of a burst (it yields once nothing new has come for
  ``step_ms``, or after ``debounce_ms`` at the latest), and changes that come while a batch is being
  indexed make the next batch: a copy of 500 files is one or a few runs, not 500.
- Each batch re-scans the roots the changes are under. A re-scan reads only new and changed files (the
  others are compared by their stat signature, ~0.5 s for 20,000 files); files gone (removed, or moved
  away) leave the index, a file moved inside a root is one gone and one new (ids come from the path).
- A catch-up run at start: what changed while nobody watched is indexed first.
- A root that is not there when the watch starts is not watched (and its articles are kept; `brief index`
  removes them). When the library gains roots (a `brief index PATH` elsewhere), a watch of the default
  roots watches them too.
- A file that cannot be read is said once, in the usual "path: reason" line, and the watch goes on;
  an error of the library (disk full, damaged index) is said and the next batch tries again.

``Watcher(lib, paths, on_batch=..., on_message=...)``: ``prepare()`` says what will be watched (or raises
LibraryError), ``run()`` watches until ``stop()`` (any thread) or KeyboardInterrupt. Callbacks run in the
watching thread.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .errors import LibraryError, LockTimeout
from .library import Library

STEP_MS = 300  # a batch is yielded once nothing new came for this long...
DEBOUNCE_MS = 1600  # ...or after this long at the latest
LOCK_WAIT = 1.0  # seconds one attempt waits for the write lock before trying again (stop is checked between)
ROOTS_CHECK_MS = 2000  # how often a watch of the library's roots looks whether it gained some

# Names that are never an article: editors' swap, backup and lock files, half-done downloads and copies.
TEMP_SUFFIXES = (
    "~", ".swp", ".swo", ".swx", ".swn", ".tmp", ".temp", ".part", ".partial", ".crdownload", ".download",
    ".kate-swp", ".bak", ".orig", ".rej",
)


@dataclass
class Batch:
    """What one batch (or the catch-up at start) did. Counts are of files, as `brief index` counts them."""

    new: int = 0
    changed: int = 0
    removed: int = 0
    problems: list[str] = field(default_factory=list)  # "path: reason", each said once
    notes: list[str] = field(default_factory=list)  # "path: remark" (read all the same)
    setup: list[str] = field(default_factory=list)  # a reader that cannot run here
    total: int = 0  # articles in the library after it
    seconds: float = 0.0
    events: int = 0  # file events it answered (0 for the catch-up)
    catch_up: bool = False
    finished: float = field(default_factory=time.time)

    @property
    def empty(self) -> bool:
        return not (self.new or self.changed or self.removed or self.problems or self.notes or self.setup)

    def summary(self) -> str:
        """"12:04:31 +2 new, 1 changed, 1 removed · 1,234 articles" (the catch-up: "… up to date")."""
        stamp = time.strftime("%H:%M:%S", time.localtime(self.finished))
        articles = f"{self.total:,} article{'s' * (self.total != 1)}"
        if not (self.new or self.changed or self.removed):
            what = "up to date" if self.catch_up else "nothing to index"
            if self.problems:
                what += f", {len(self.problems)} file{'s' * (len(self.problems) != 1)} skipped"
            return f"{stamp} {what} · {articles}"
        parts = [f"+{self.new} new", f"{self.changed} changed", f"{self.removed} removed"]
        if self.problems:
            parts.append(f"{len(self.problems)} skipped")
        return f"{stamp} {', '.join(parts)} · {articles} ({self.seconds:.1f}s)"


BatchFn = Callable[[Batch], None]
MessageFn = Callable[[str, str], None]  # (text, "information" | "warning" | "error")


class Watcher:
    """See the module docstring."""

    def __init__(self, lib: Library, paths: Iterable[str | os.PathLike] = (), *, on_batch: BatchFn | None = None,
                 on_message: MessageFn | None = None, step_ms: int = STEP_MS, debounce_ms: int = DEBOUNCE_MS,
                 lock_wait: float = LOCK_WAIT, catch_up: bool = True, repeat_waits: bool = True) -> None:
        self.lib = lib
        self.given = [os.path.realpath(os.path.expanduser(os.fspath(p))) for p in paths]
        self.on_batch = on_batch or (lambda batch: None)
        self.on_message = on_message or (lambda text, severity: None)
        self.step_ms, self.debounce_ms, self.lock_wait, self.catch_up = step_ms, debounce_ms, lock_wait, catch_up
        self.repeat_waits = repeat_waits  # False: a wait for another writer is said the first time only
        self._waited = False
        self.stop_event = threading.Event()
        self.roots: list[str] = []  # watched now
        self.missing: list[str] = []  # roots that are not there (not watched)
        self.busy = False  # inside an indexing run
        self.waiting_for: int | None = None  # pid of the other writer waited for, while waiting
        self._said: set[str] = set()
        self._signature = None
        self._lib_root = str(lib.root)

    # -- what is watched -----------------------------------------------------------------------

    def prepare(self) -> tuple[list[str], list[str]]:
        """(the roots to watch, the roots that are not there). LibraryError when there is nothing to watch."""
        if self.given:
            wanted = list(dict.fromkeys(self.given))
        else:
            self.lib.forget()
            self._signature = self.lib.signature()
            wanted = self.lib.roots()  # LibraryError when the manifest is damaged
        if not wanted:
            raise LibraryError(f"nothing to watch: the library {self.lib.root} has no folders yet; give some "
                               f"(`brief watch PATH...`) or index one first (`brief index PATH`)")
        self.roots = [r for r in wanted if os.path.exists(r)]
        self.missing = [r for r in wanted if not os.path.exists(r)]
        if not self.roots:
            raise LibraryError("nothing to watch: " + ", ".join(f"{r}: no such file or folder" for r in self.missing))
        return list(self.roots), list(self.missing)

    def stop(self) -> None:
        """End ``run`` soon (from any thread): at once when waiting for changes, else after the batch."""
        self.stop_event.set()

    @property
    def stopped(self) -> bool:
        return self.stop_event.is_set()

    # -- the watch -----------------------------------------------------------------------------

    def run(self) -> None:
        """Catch up, then watch until stopped. KeyboardInterrupt (Ctrl-C) goes through to the caller."""
        try:
            from watchfiles import watch
        except ImportError as exc:
            raise LibraryError(f"watching needs the watchfiles package, which cannot be imported here ({exc}); "
                               f"install brief's dependencies: pip install -c requirements.lock -e .") from None

        if not self.roots:
            self.prepare()
        if self.catch_up:
            self._index(self.roots, [], catch_up=True)
        failures = 0
        while not self.stopped:
            roots = list(self.roots)
            try:
                for changes in watch(*roots, watch_filter=self._relevant, debounce=self.debounce_ms,
                                     step=self.step_ms, stop_event=self.stop_event, rust_timeout=ROOTS_CHECK_MS,
                                     yield_on_timeout=True, raise_interrupt=True, ignore_permission_denied=True):
                    if self.stopped:
                        return
                    if not changes:  # a quiet while: has the library gained (or lost) roots?
                        if self._roots_changed():
                            break
                        continue
                    failures = 0
                    paths = sorted({p for _change, p in changes})
                    affected = [r for r in roots if any(_under(p, r) for p in paths)] or roots
                    self._index(affected, paths)
                    if self._roots_changed():
                        break
            except (OSError, RuntimeError) as exc:  # a root went away under the watch, inotify limits...
                if self.stopped:
                    return
                failures += 1
                if failures >= 3:  # not a passing hitch: inotify's limits (fs.inotify.max_user_watches)...
                    raise LibraryError(f"cannot watch {', '.join(roots)} ({type(exc).__name__}: {exc})") from None
                self.on_message(f"watching stopped for a moment ({type(exc).__name__}: {exc}); starting again",
                                "warning")
                if self.stop_event.wait(1.0):
                    return
                self._refresh_roots()
                if not self.roots:
                    self.on_message("nothing left to watch: " + ", ".join(self.missing), "error")
                    return

    def _roots_changed(self) -> bool:
        """Only when watching the library's roots: whether they changed since (a `brief index PATH`)."""
        if self.given:
            return False
        try:
            signature = self.lib.signature()
        except Exception:  # noqa: BLE001 - a manifest being replaced: look again later
            return False
        if signature == self._signature:
            return False
        self._signature = signature
        before = (list(self.roots), list(self.missing))
        self._refresh_roots()
        return (self.roots, self.missing) != before

    def _refresh_roots(self) -> None:
        try:
            self.lib.forget()
            wanted = list(dict.fromkeys(self.given)) if self.given else self.lib.roots()
        except LibraryError:
            return
        self.roots = [r for r in wanted if os.path.exists(r)]
        self.missing = [r for r in wanted if not os.path.exists(r)]

    def _relevant(self, change, path: str) -> bool:
        """Whether a file event may change the library (watchfiles' filter; runs for every event)."""
        from .readers import SUPPORTED

        if _under(path, self._lib_root):
            return False
        root = next((r for r in self.roots if _under(path, r)), None)
        rest = path[len(root):] if root else os.path.basename(path)
        if any(part.startswith(".") for part in rest.split(os.sep) if part):
            return False  # hidden, also .#name (emacs locks) and vim's .name.swp
        name = os.path.basename(path)
        lowered = name.lower()
        if lowered.endswith(TEMP_SUFFIXES) or (name.startswith("#") and name.endswith("#")):
            return False
        if os.path.splitext(lowered)[1] in SUPPORTED:
            return True
        if int(change) == 3:  # Change.deleted: it may have been a folder (which no stat can tell now)
            return True
        return os.path.isdir(path)  # a folder created or moved in: its files come with it, unannounced

    # -- one batch -----------------------------------------------------------------------------

    def _index(self, roots: list[str], paths: list[str], catch_up: bool = False) -> None:
        """Bring the index up to date with ``roots`` (under the write lock, waiting for another writer as
        long as it takes, stop permitting); report the batch."""
        from .indexer import update

        started = time.monotonic()
        said_wait = False
        while True:
            if self.stopped:
                return
            self.busy = True  # stays True when KeyboardInterrupt ends the run: the caller can say so
            try:
                report = update(self.lib, roots, wait=self.lock_wait, on_wait=lambda _message: None)
            except LockTimeout:
                self.busy = False
                if not said_wait and (self.repeat_waits or not self._waited):
                    said_wait = self._waited = True
                    self.waiting_for = self._holder()
                    who = f"pid {self.waiting_for}" if self.waiting_for else "another process"
                    self.on_message(f"another brief ({who}) is writing to {self.lib.root}; waiting for it, then "
                                    f"indexing what changed", "warning")
                continue
            except LibraryError as exc:
                self.busy = False
                self.on_message(str(exc), "error")
                return
            self.busy = False
            break
        if said_wait:
            self.waiting_for = None
            self.on_message("the other writer has finished; indexing what changed", "information")
        batch = Batch(new=report.added, changed=report.updated, removed=report.removed, total=report.total_articles,
                      seconds=time.monotonic() - started, events=len(paths), catch_up=catch_up,
                      setup=list(dict.fromkeys(report.setup)))
        batch.problems = self._fresh(report.problems, paths)
        batch.notes = self._fresh(report.notes, paths)
        batch.setup = self._fresh(batch.setup, [])
        if catch_up or not batch.empty:
            self.on_batch(batch)

    def _fresh(self, lines: list[str], paths: list[str]) -> list[str]:
        """The lines not said before, and those about a file of this batch (edited again, still bad)."""
        out = []
        for line in lines:
            if line in self._said and not any(line.startswith(p + ":") for p in paths):
                continue
            self._said.add(line)
            out.append(line)
        return out

    def _holder(self) -> int | None:
        from .health import lock_state

        try:
            return lock_state(str(self.lib.lock_path)).get("pid")
        except Exception:  # noqa: BLE001 - only for the message
            return None


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)
