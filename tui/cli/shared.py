"""What every module of the `brief` command line shares: exit codes, messages (`say`), data output
(`Out`, untrusted text made safe to print, JSON), the progress bar, the library a command works on
(the bundled demo included), and how a failure is said in one line.

It imports no command module: the command modules and the entry module (tui.cli) import it. Like them it
is on the path of a cold `brief search`: its imports at the top stay os and sys.
"""

from __future__ import annotations

import os
import sys

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2

# The query syntax, the library options and examples: the end of `brief --help` and of `brief search --help`.
EPILOG = """\
query syntax:
  words are ANDed; OR, NOT, ( ) group; "exact phrase"; wildcards tro*; fuzzy tropps~2
  fields: title: outlet: author: tag: id:  date:2024-10-01..2024-10-31  date:2024-10  date:..2024-10-31

library:
  --library DIR, else $BRIEF_LIBRARY, else the platform's user data folder.
  --demo uses the bundled demo library instead.

examples:
  brief index ~/articles            index a folder (again later: only changes are read)
  brief search 'outlet:meridian "water level" date:2025-03'
  brief show 3kq8z1ab
"""

# ----------------------------------------------------------------------------------------------
# Output helpers


class Out:
    """Writes data to stdout, with colour only on a TTY and never under NO_COLOR."""

    def __init__(self, color: bool | None = None) -> None:
        if color is None:
            color = sys.stdout.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"
        self.color = color

    def style(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color and text else text

    def line(self, text: str = "") -> None:
        sys.stdout.write(text + "\n")


def say(message: str) -> None:
    """A message for the user, on stderr, on one line: any path or text in it is made safe to print."""
    body = message.lstrip(" ")
    sys.stderr.write(" " * (len(message) - len(body)) + safe_path(body) + "\n")


def safe(text: str | None) -> str:
    from index.sanitize import safe_inline

    if not isinstance(text, str):  # a manifest edited by hand may hold anything
        text = "" if text is None else str(text)
    return safe_inline(text)


def safe_path(path) -> str:
    """A file path (or a message naming one) made safe to print on one line: undecodable bytes as
    ``\\xff`` escapes (index.sanitize.display_path), no control characters or escapes."""
    from index.sanitize import display_path, unsurrogate

    text = os.fsdecode(path) if isinstance(path, (bytes, os.PathLike)) else str(path or "")
    return display_path(unsurrogate(text))


def print_json(data) -> None:
    import json

    text = json.dumps(data, ensure_ascii=False, indent=2)
    if _json_needs_cleaning(text):  # rare: the stored text was clean when it was indexed
        text = json.dumps(json_safe(data), ensure_ascii=False, indent=2)
    sys.stdout.write(text + "\n")


_JSON_TROUBLE: tuple | None = None


def _json_needs_cleaning(text: str) -> bool:
    """Whether JSON text holds anything json_safe would change: a control character (raw, as C1, or
    escaped as \\u001b, \\t...), an invisible or odd space, a lone surrogate. (Two searches: one
    pattern for both is four times slower over a big listing.)"""
    global _JSON_TROUBLE
    if _JSON_TROUBLE is None:
        import re

        _JSON_TROUBLE = (
            re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u00a0\u00ad\u061c\u1680\u180e\u2000-\u200f\u2028-\u202f"
                       r"\u205f-\u206f\u3000\ufeff\ufff9-\ufffb\ud800-\udfff]"),
            re.compile(r"\\(?:[bfnrt]|u00[01]|u007f)"),
        )
    return any(pattern.search(text) for pattern in _JSON_TROUBLE)


def json_safe(data):
    """``data`` with every string made safe to print and valid UTF-8: control characters and terminal
    escapes removed (line breaks kept), paths (a ``path`` key) in their display form."""
    from index.sanitize import safe_inline, sanitize, unsurrogate

    def clean(value, key=None):
        if isinstance(value, str):
            value = unsurrogate(value)
            return safe_inline(value) if key == "path" else sanitize(value)
        if isinstance(value, dict):
            return {(clean(k) if isinstance(k, str) else k): clean(v, k) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [clean(v, key) for v in value]
        return value

    return clean(data)


# ----------------------------------------------------------------------------------------------
# Library selection


def open_library(args):
    from index.library import Library, default_library_dir

    if getattr(args, "demo", False):
        return demo_library(quiet=True)
    return Library(default_library_dir(args.library))


def _cache_dir() -> str:
    import platformdirs

    return platformdirs.user_cache_dir("brief", appauthor=False)


def demo_library(quiet: bool = False):
    """The bundled demo library, indexed on first use into the user cache folder. When some demo files
    cannot be read here (a reader's package missing or broken), says so on stderr: never a silently
    smaller demo."""
    return open_demo(quiet)[0]


def open_demo(quiet: bool = False):
    """(the demo library, None or what is wrong with it in one sentence): see demo_library."""
    from pathlib import Path

    from index.indexer import update
    from index.library import Library

    sources = Path(__file__).resolve().parents[2] / "index" / "demo"
    lib = Library(Path(_cache_dir()) / "demo-library")
    if not lib.exists():
        if not quiet:
            say("Indexing the bundled demo library (first run only)…")
        report = update(lib, [sources], rebuild=True)
    else:
        # A no-op unless the package brought new demo files, or some could not be read last time (a
        # bundled file is not bad: what kept it out, a broken install, may have been fixed since).
        report = update(lib, [sources], rebuild=_demo_had_errors(lib))
    trouble = _demo_trouble(lib, sources, report)
    if trouble:
        say(f"brief: {trouble}")
    return lib, trouble


def _demo_had_errors(lib) -> bool:
    try:
        return any(entry.get("error") for entry in lib.read_manifest().get("files", {}).values())
    except Exception:  # noqa: BLE001 - a damaged demo manifest: start it over
        return True


def _demo_trouble(lib, sources, report) -> str | None:
    """What keeps the demo library from holding every bundled article, or None."""
    setup = list(dict.fromkeys(report.setup))
    if not setup and not report.problems:
        return None
    from index.readers import iter_source_files

    wanted = {str(p) for p, reason in iter_source_files([sources]) if reason is None}
    files = lib.read_manifest().get("files", {})
    read = {p for p, entry in files.items() if entry.get("articles") and not entry.get("error")}
    unread = len(wanted - read)
    why = setup[0] if setup else report.problems[0]
    return (f"the demo library is incomplete: {unread} of its {len(wanted)} files could not be read here "
            f"({why})")


# ----------------------------------------------------------------------------------------------
# Progress


def progress_reporter(quiet: bool):
    """A rich progress bar on a TTY; nothing otherwise."""
    if quiet or not sys.stderr.isatty():
        return None, lambda: None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(TextColumn("{task.description:<18}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                   console=Console(stderr=True), transient=True)
    tasks: dict[str, int] = {}
    state = {"started": False}

    def progress(stage: str, done: int, total: int) -> None:
        if not state["started"]:
            bar.start()
            state["started"] = True
        if stage not in tasks:
            tasks[stage] = bar.add_task(stage, total=total or None)
        bar.update(tasks[stage], completed=done, total=total or None)

    def finish() -> None:
        if state["started"]:
            bar.stop()
            state["started"] = False

    return progress, finish


# ----------------------------------------------------------------------------------------------
# Argument types


def write_output(args, text: str):
    """A document to stdout, or to ``args.output`` (refused if it exists unless ``args.force``): None when
    written to stdout, the path written, or False after saying in one line why it could not be."""
    if not args.output:
        sys.stdout.write(text)
        return None
    from briefs.export import write_file

    try:
        return write_file(args.output, text, force=args.force)
    except FileExistsError as exc:
        say(f"brief: {exc}")
    except OSError as exc:
        say(f"brief: could not write {args.output}: {exc.strerror or exc}" + _write_fix(exc))
    return False


def _write_fix(exc: OSError) -> str:
    import errno

    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "; free some space and try again (no partial file was left)"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "; choose a folder you can write to"
    return ""


def positive(text: str) -> int:
    import argparse

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


# ----------------------------------------------------------------------------------------------
# Failures


# Ways out of an OSError, by errno name (errno is imported only when one happens).
_OS_FIXES = {
    "ENOSPC": "free some space and try again",
    "EDQUOT": "free some space (you are over your disk quota) and try again",
    "EACCES": "check the permissions of that file or folder",
    "EPERM": "check the permissions of that file or folder",
    "EROFS": "it is on a read-only file system",
    "EMFILE": "too many open files: close some programs or raise `ulimit -n`",
    "ENAMETOOLONG": "use a shorter path",
}


def failure(exc: BaseException, args) -> int:
    """Say in one line why a command failed, and return its exit code. Nothing here is imported
    before an error happens: the fast path of a cold `brief search` pays nothing for it."""
    from index.errors import LibraryError, QueryError

    if isinstance(exc, QueryError):
        say(f"brief: bad query: {exc}")
        return EXIT_USAGE
    if type(exc) is LookupError:  # "no article with id ..." (an IndexError or a KeyError is a bug)
        say(f"brief: {exc.args[0] if exc.args else exc}")
        return EXIT_ERROR
    if isinstance(exc, LibraryError):
        say(f"brief: {exc}")
        return EXIT_ERROR
    damage = _damage_message(exc, args)
    if damage:
        say(f"brief: {damage}")
        return EXIT_ERROR
    if isinstance(exc, OSError):
        say(_os_error_line(exc))
        return EXIT_ERROR
    query = getattr(args, "query", None)
    from index.sanitize import unsurrogate

    if isinstance(exc, UnicodeError) and isinstance(query, str) and unsurrogate(query) != query:
        say(f"brief: bad query: '{_clip(query)}' holds bytes that are not text in your terminal's encoding; "
            f"type it again in UTF-8")
        return EXIT_USAGE
    if isinstance(exc, RecursionError):
        if query:
            say(f"brief: bad query: '{_clip(query)}' is nested too deeply to be read; simplify it")
            return EXIT_USAGE
        say("brief: the input is nested too deeply to be read (RecursionError); run with BRIEF_DEBUG=1 to "
            "see where, and please report it")
        return EXIT_ERROR
    if isinstance(exc, MemoryError):
        what = f"`brief {args.command}`" if getattr(args, "command", None) else "brief"
        say(f"brief: out of memory while running {what}; close other programs or try a smaller input")
        return EXIT_ERROR
    say(f"brief: internal error ({type(exc).__name__}: {_clip(str(exc), 200)}); run with BRIEF_DEBUG=1 to see "
        f"the traceback, and please report it")
    return EXIT_ERROR


def _clip(text: str, limit: int = 60) -> str:
    """Untrusted text (a query, an error message) shortened and made safe for a message."""
    text = safe_path(text)
    return text if len(text) <= limit else text[:limit] + "…"


def _damage_message(exc: BaseException, args) -> str | None:
    """The one-line message when ``exc`` means the library's index is damaged (index.storage)."""
    if args is None:
        return None
    try:
        from index.storage import index_damage_message, library_root

        if getattr(args, "demo", False):
            root = os.path.join(_cache_dir(), "demo-library")
        else:
            root = library_root(getattr(args, "library", None))
        return index_damage_message(root, exc)
    except Exception:  # noqa: BLE001 - no root, no damage to report
        return None


def _os_error_line(exc: OSError) -> str:
    """"brief: FILE: reason; the way out" for a failed read or write."""
    import errno

    name = exc.filename
    where = f"{safe_path(name)}: " if name not in (None, "") else ""
    if exc.filename2 not in (None, ""):
        where = f"{safe_path(name)} -> {safe_path(exc.filename2)}: "
    reason = exc.strerror or str(exc) or type(exc).__name__
    fix = _OS_FIXES.get(errno.errorcode.get(exc.errno or 0, ""))
    return f"brief: {where}{reason}" + (f"; {fix}" if fix else "")
