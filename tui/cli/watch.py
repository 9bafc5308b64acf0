"""`brief watch [PATH...]`: keep the library up to date while files are added, changed, moved or removed
(index.watch does the watching; no Textual import).

One line on stdout per batch ("12:04:31 +2 new, 1 changed, 1 removed · 1,234 articles (0.4s)"; counts are
files, as `brief index` counts them), messages on stderr. Ctrl-C (or kill) ends it: "Stopped watching.",
exit 130, the index whole even when a batch was being indexed.
"""

from __future__ import annotations

import os
import sys

from .shared import EXIT_USAGE, safe_path, say

WATCH_DESCRIPTION = """\
Watch folders and keep the library up to date: files added, changed, moved or removed are indexed
within a second or two of the last change, a burst of them (a copy of 500 files) in one or a few
runs. With no PATH, watch the folders indexed before; a PATH not indexed yet is added to the library,
as `brief index PATH` would. What changed while nothing watched is indexed first. Each run is a `brief index` of the folders the changes are in, with the same safety: one
writer at a time (a watch waits for a `brief index` running elsewhere, and says so), and stopping
at any moment leaves the index whole. Hidden files, editor and download leftovers (.swp, ~, .part,
.tmp) and other file types are passed over; a file that cannot be read is named once, and the watch
goes on. A running app (`brief`) shows the new articles as they come."""

WATCH_EPILOG = """\
output:
  one line on stdout for each batch: "12:04:31 +2 new, 1 changed, 1 removed · 1,234 articles (0.4s)"
  (counts are files; a file moved is one removed and one new); messages and skipped files on stderr

exit codes:
  130  stopped with Ctrl-C (or kill): "Stopped watching."; the index is whole
  2    a PATH given does not exist (nothing is watched)
  1    nothing to watch (no PATH and no folder indexed before), or the library cannot be used
"""


def add_command(sub, common) -> None:
    """Register `brief watch` on the `brief` sub-command parser."""
    import argparse

    p = sub.add_parser("watch", parents=[common], help="keep the library up to date as files change",
                       description=WATCH_DESCRIPTION, epilog=WATCH_EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="files or folders to watch, recursively (default: the folders indexed before)")
    p.add_argument("--quiet", "-q", action="store_true",
                   help="no line per batch and no start line (skipped files and errors are still said)")
    p.set_defaults(func=cmd_watch)


def cmd_watch(args) -> int:
    from index.library import Library, default_library_dir
    from index.watch import Watcher

    if args.demo:
        say("brief watch writes to your own library; --demo is read-only")
        return EXIT_USAGE
    given = [os.path.realpath(os.path.expanduser(p)) for p in args.paths]
    absent = [p for p in dict.fromkeys(given) if not os.path.exists(p)]
    if absent:
        for path in absent:
            say(f"brief: {path}: no such file or folder")
        return EXIT_USAGE
    lib = Library(default_library_dir(args.library))
    quiet = args.quiet

    def on_batch(batch) -> None:
        for problem in batch.problems:
            say(f"  skipped {problem}")
        for note in batch.notes:
            say(f"  {note}")
        for line in batch.setup:
            say(f"brief: {line}")
        if not quiet:
            sys.stdout.write(safe_path(batch.summary()) + "\n")
            sys.stdout.flush()
        if batch.new or batch.changed or batch.removed:
            _refresh_app_catalog(lib)

    def on_message(text: str, severity: str) -> None:
        say(("brief: " if severity == "error" else "  ") + text)

    watcher = Watcher(lib, given, on_batch=on_batch, on_message=on_message)
    roots, missing = watcher.prepare()
    for path in missing:
        say(f"  {path}: not there; not watched (its articles stay in the library; `brief index` removes them)")
    if not quiet:
        what = (f"{len(roots)} folders" if len(roots) > 1 and all(os.path.isdir(r) for r in roots)
                else "1 folder" if len(roots) == 1 and os.path.isdir(roots[0]) else f"{len(roots)} paths")
        say(f"Watching {what} for changes into {lib.root} (Ctrl-C stops): {', '.join(roots)}")
    previous = _terminate_as_interrupt()
    try:
        watcher.run()
    except KeyboardInterrupt:
        watcher.stop()
        if watcher.busy:
            say("Stopped watching in the middle of a batch; the index is whole (the next `brief watch` or "
                "`brief index` reads what that batch left).")
        else:
            say("Stopped watching.")
        return 130
    finally:
        _restore(previous)
    return 0


def _refresh_app_catalog(lib) -> None:
    """The app's cached catalog, rebuilt now (as `brief index` does), so that an app started later is quick."""
    try:
        from tui.catalog import load_catalog

        load_catalog(lib)
    except Exception:  # noqa: BLE001 - only a cache: the app rebuilds it when it must
        pass


def _terminate_as_interrupt():
    """A `kill` (SIGTERM) ends the watch as Ctrl-C does: said, and with the index whole."""
    import signal

    main = os.getpid()

    def interrupt(_signum, _frame):
        if os.getpid() != main:  # (a worker forked before its at-fork reset ran)
            os._exit(128 + signal.SIGTERM)
        raise KeyboardInterrupt

    if not getattr(_terminate_as_interrupt, "registered", False):  # forked workers: the default (they die)
        os.register_at_fork(after_in_child=lambda: signal.signal(signal.SIGTERM, signal.SIG_DFL))
        _terminate_as_interrupt.registered = True
    try:
        return signal.signal(signal.SIGTERM, interrupt)
    except (ValueError, OSError):  # not the main thread (a test calling main() from a thread)
        return None


def _restore(previous) -> None:
    if previous is None:
        return
    import signal

    try:
        signal.signal(signal.SIGTERM, previous)
    except (ValueError, OSError):
        pass
