"""The `brief` command line. Plain commands never import Textual: they must start fast over SSH.

Exit codes: 0 ok (also for zero hits); 2 a usage error, a bad query, or a PATH given to `brief index`
that does not exist; 1 any other error: no library, a damaged index (with the way out, `brief index
--rebuild`), an unknown id, a lock held too long, a file that cannot be read or written (named, with the
reason), a reader that cannot run here (`brief index` says which package and how to fix it), and any
internal error ("brief: internal error (...)"; BRIEF_DEBUG=1 shows its traceback). 130 after Ctrl-C.
Data goes to stdout, messages to stderr, one line each; no traceback reaches the user. Untrusted text
(titles, outlets, paths, quotes...) is printed without control characters or terminal escapes, and
output never fails on encoding (a non-UTF-8 terminal gets backslash escapes).
"""

from __future__ import annotations

import os
import sys

# argparse, json and pathlib are imported where they are needed: a cold `brief search` (see
# fast_search_args) needs none of them, and together they cost it ~15 ms.

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2

DESCRIPTION = """\
brief: a keyboard-driven terminal briefing reader.
Drop articles (.txt, .md, .html, RSS/Atom, .jsonl) in a folder, index them, then search, read,
compare outlets and build briefing cards, offline.
With no command on a terminal, brief opens the app (the demo library when you have none yet)."""

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

EXIT_HELP = """
exit codes:
  0  ok (also for zero hits)
  2  usage error, bad query, or a PATH given to `brief index` that does not exist
  1  any other error, said in one line on stderr with the way out when there is one (no library,
     damaged index: `brief index --rebuild`, unknown id, disk full, permissions, a reader that cannot
     run here); an internal error says so (BRIEF_DEBUG=1 shows its traceback: please report it;
     the app writes it to crash.log in the user cache folder, ~/.cache/brief on Linux)
  data goes to stdout, messages to stderr
"""

INDEX_DESCRIPTION = """\
Index files and folders (recursively). Incremental: new and changed files are read, deleted ones
removed, unchanged ones skipped. With no PATH, re-scan the folders indexed before. Source files are
never modified. A file that cannot be read is named with the reason, and the run goes on."""

INDEX_EPILOG = """\
exit codes:
  0  indexed (files that cannot be read are listed as "skipped PATH: reason")
  2  a PATH given does not exist (the others are indexed all the same)
  1  a reader cannot run here (a package is missing or broken: the library is smaller than the folder;
     the message says how to fix it), a folder indexed before is gone, or any other error
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
    sys.stderr.write(" " * (len(message) - len(body)) + _path(body) + "\n")


def _safe(text: str | None) -> str:
    from index.sanitize import safe_inline

    if not isinstance(text, str):  # a manifest edited by hand may hold anything
        text = "" if text is None else str(text)
    return safe_inline(text)


def _path(path) -> str:
    """A file path (or a message naming one) made safe to print on one line: undecodable bytes as
    ``\\xff`` escapes (index.sanitize.display_path), no control characters or escapes."""
    from index.sanitize import display_path, unsurrogate

    text = os.fsdecode(path) if isinstance(path, (bytes, os.PathLike)) else str(path or "")
    return display_path(unsurrogate(text))


def _safe_segment(text: str) -> str:
    """Like _safe, but keeps a space at either edge: snippet segments are glued back together."""
    core = _safe(text)
    if not core:
        return " " if text[:1].isspace() else ""
    return (" " if text[:1].isspace() else "") + core + (" " if text[-1:].isspace() else "")


def _print_json(data) -> None:
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

    from index.library import Library

    sources = Path(__file__).resolve().parent.parent / "index" / "demo"
    lib = Library(Path(_cache_dir()) / "demo-library")
    if not lib.exists():
        if not quiet:
            say("Indexing the bundled demo library (first run only)…")
        report = lib.update([sources], rebuild=True)
    else:
        # A no-op unless the package brought new demo files, or some could not be read last time (a
        # bundled file is not bad: what kept it out, a broken install, may have been fixed since).
        report = lib.update([sources], rebuild=_demo_had_errors(lib))
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
# Commands


def cmd_index(args) -> int:
    from index.library import Library, default_library_dir

    if args.demo:
        say("brief index writes to your own library; --demo is read-only")
        return EXIT_USAGE
    lib = Library(default_library_dir(args.library))
    given = [os.path.realpath(os.path.expanduser(p)) for p in args.paths]
    absent = [p for p in given if not os.path.exists(p)]
    if given and len(absent) == len(given):  # nothing to index: leave the library as it is
        for path in dict.fromkeys(absent):
            say(f"brief: {path}: no such file or folder")
        return EXIT_USAGE
    progress, finish = _progress_reporter(args.quiet)
    before = _manifest_signature(lib)
    try:
        report = lib.update(args.paths, rebuild=args.rebuild, wait=args.wait, progress=progress, on_wait=say,
                            follow_links=args.follow_links)
    except KeyboardInterrupt:
        finish()
        say("Interrupted: nothing was changed; the previous index is intact.")
        return 130
    finally:
        finish()
    if _manifest_signature(lib) != before:
        _refresh_app_catalog(lib)
    return _print_index_report(report, lib, absent, args.max_problems)


def _print_index_report(report, lib, absent: list[str], limit: int = 50) -> int:
    """Say what `brief index` did, and return its exit code: 2 when a PATH given does not exist, 1 when a
    reader cannot run here (the library is smaller than the folder) or a folder indexed before is gone."""
    missing = dict.fromkeys(absent)
    for path in report.missing:
        missing.setdefault(os.path.realpath(os.fspath(path)), None)
    gone = {f"{path}: no such file or folder" for path in missing}
    problems = [p for p in report.problems if p not in gone]
    for problem in problems[:limit]:
        say(f"  skipped {problem}")
    if len(problems) > limit:
        say(f"  … and {len(problems) - limit} more files skipped")
    notes = list(report.notes)
    for note in notes[:limit]:
        say(f"  {note}")
    if len(notes) > limit:
        say(f"  … and {len(notes) - limit} more remarks")
    say(report.summary() + f" Library: {lib.root}")
    setup = list(dict.fromkeys(report.setup))
    for line in setup:
        say(f"brief: {line}")
    for path in missing:
        say(f"brief: {path}: no such file or folder")
    if absent:
        return EXIT_USAGE
    return EXIT_ERROR if setup or missing else EXIT_OK


def _manifest_signature(lib):
    """What the app's catalog cache is keyed on: the manifest in force (see Library.signature)."""
    try:
        return lib.signature()
    except Exception:  # noqa: BLE001 - only decides whether to refresh a cache
        return None


def _refresh_app_catalog(lib) -> None:
    """Rebuild the app's cached catalog now (~0.3 s at 20,000 articles), not at the app's next start."""
    try:
        from tui.catalog import load_catalog

        load_catalog(lib)
    except Exception:  # noqa: BLE001 - only a cache: the app rebuilds it when it must
        pass


def _progress_reporter(quiet: bool):
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


def cmd_search(args) -> int:
    from index.search import search

    if args.demo:
        ix = demo_library(quiet=True).open_index()
    else:
        from index.storage import library_root, open_index

        ix = open_index(library_root(args.library))
    with ix.searcher() as searcher:
        result = search(searcher, args.query, limit=args.limit)
        if args.json:
            _print_json(result.to_json())
            return EXIT_OK
        out = Out()
        for n, hit in enumerate(result.hits, 1):
            _print_hit(out, n, hit)
    shown = len(result.hits)
    say(f"{shown} of {result.total} hits" if result.total > shown else f"{result.total} hit{'s' * (result.total != 1)}")
    return EXIT_OK


def _print_hit(out: Out, n: int, hit) -> None:
    meta = " · ".join(x for x in (_safe(hit.outlet) or "unknown outlet",
                                  hit.published.isoformat() if hit.published else "undated", _safe(hit.id)) if x)
    out.line(f"{n:>2}. {out.style(_safe(hit.title), '1')}")
    out.line(f"    {out.style(meta, '2')}")
    snippet = "".join(out.style(_safe_segment(t), "1;33") if match else _safe_segment(t) for t, match in hit.snippet)
    out.line(f"    {snippet}")
    out.line()


def cmd_show(args) -> int:
    lib = open_library(args)
    article = lib.get(args.id)
    if args.json:
        _print_json(article.to_json())
        return EXIT_OK
    out = Out()
    out.line(out.style(_safe(article.title), "1"))
    meta = [
        ("Outlet", article.outlet or "unknown"),
        ("Author", article.author or "unknown"),
        ("Date", article.published.isoformat() if article.published else "unknown"),
        ("Id", article.id),
        ("Path", _path(article.path)),
    ]
    if article.url:
        meta.append(("URL", article.url))
    if article.tags:
        meta.append(("Tags", ", ".join(_safe(t) for t in article.tags)))
    for label, value in meta:
        out.line(out.style(f"{label + ':':<8}", "2") + _safe(value))
    out.line()
    width = min(100, max(40, _terminal_width() - 2))
    import textwrap

    for para in article.paragraphs:
        out.line(textwrap.fill(_safe(para), width=width))
        out.line()
    return EXIT_OK


def _terminal_width() -> int:
    try:
        return os.get_terminal_size(sys.stdout.fileno()).columns
    except OSError:
        return 80


def cmd_list(args) -> int:
    lib = open_library(args)
    if not lib.exists():
        from index.errors import LibraryError

        raise LibraryError(f"no library at {lib.root} yet: run `brief index PATH...` to add articles")
    rows = lib.catalog()
    lib.open_index()  # a few ms: a damaged or foreign index is refused here as by search and show
    if args.json:
        _print_json({"articles": [{k: r[k] for k in ("id", "title", "outlet", "published", "path")} for r in rows]})
        return EXIT_OK
    out = Out()
    for r in rows:
        date_s = _safe(r["published"]) if r["published"] else "undated   "
        outlet = _safe(r["outlet"]) or "—"
        out.line(f"{out.style(_safe(r['id']), '2')}  {date_s}  {outlet[:20]:<20}  {_safe(r['title'])}")
    say(f"{len(rows)} articles in {lib.root}")
    return EXIT_OK


def cmd_app(args) -> int:
    """`brief` on a terminal: the Textual app over the library (the demo library when there is none yet)."""
    from index.library import Library, default_library_dir

    hint = trouble = None
    if args.demo:
        lib, trouble = open_demo()
        hint = "Demo library. For your own articles: brief index ~/articles, then brief"
    else:
        lib = Library(default_library_dir(args.library))
        explicit = args.library or os.environ.get("BRIEF_LIBRARY")
        if not explicit and (not lib.exists() or not _has_articles(lib)):
            lib, trouble = open_demo()
            hint = "The demo (no library yet). Add yours: brief index ~/articles, then brief"
    if trouble:
        hint = f"{trouble[:1].upper()}{trouble[1:]}. {hint}"
    from tui.app import run

    return run(lib, hint=hint, theme=args.theme)


def _has_articles(lib) -> bool:
    """Whether the library holds an article, without parsing a big manifest (megabytes at 20k articles)
    before the app can paint: a manifest that large lists articles."""
    try:
        if lib.manifest_path.stat().st_size > 256 * 1024:
            return True
    except OSError:
        return False
    return bool(lib.article_count())


def cmd_status(args, parser) -> int:
    """`brief` with no command: where the library is, what it holds, and how to start."""
    from index.errors import LibraryError
    from index.library import Library, default_library_dir

    lib = Library(default_library_dir(args.library))
    try:
        count = lib.article_count() if lib.exists() else 0
    except LibraryError as exc:
        say(f"brief: {exc}")
        count = 0
    if count:
        say(f"Library {lib.root}: {count} articles from {len(lib.manifest()['files'])} files.")
        say("Roots: " + ", ".join(lib.roots()))
    else:
        say(f"No library at {lib.root} yet. Index a folder with `brief index PATH`, "
            f"or try the bundled demo: `brief --demo list`.")
    say("")
    parser.print_help(sys.stderr)
    return EXIT_OK


# ----------------------------------------------------------------------------------------------
# Parser


def _positive(text: str) -> int:
    import argparse

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _common_options(default):
    """--library/--demo, accepted before or after the command (the sub-level copy must not
    overwrite a value given at the top level, hence ``default``)."""
    import argparse

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--library", metavar="DIR", default=default,
                        help="library folder (default: $BRIEF_LIBRARY or the user data dir)")
    common.add_argument("--demo", action="store_true", default=default if default is argparse.SUPPRESS else False,
                        help="use the bundled demo library")
    return common


def _parser_class():
    import argparse

    class _Parser(argparse.ArgumentParser):
        def error(self, message: str):  # usage errors exit 2 with a clear line
            self.print_usage(sys.stderr)
            say(f"brief: error: {message}")
            raise SystemExit(EXIT_USAGE)

    return _Parser


def build_parser():
    """The full argparse parser of every command (see fast_search_args for the one it is not built for)."""
    import argparse

    _Parser = _parser_class()
    common = _common_options(argparse.SUPPRESS)
    parser = _Parser(prog="brief", description=DESCRIPTION, epilog=EPILOG + EXIT_HELP, parents=[_common_options(None)],
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--theme", metavar="NAME", default=None,
                        help="app colours: ansi (your terminal's palette), dark, light, or a Textual theme")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("index", parents=[common], help="add or update files and folders in the library",
                       description=INDEX_DESCRIPTION, epilog=INDEX_EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("paths", nargs="*", metavar="PATH")
    p.add_argument("--rebuild", action="store_true", help="start the index over from the sources")
    p.add_argument("--wait", type=float, default=30.0, metavar="SECONDS",
                   help="how long to wait for another `brief index` to finish (default 30)")
    p.add_argument("--follow-links", action="store_true",
                   help="also read files that symbolic links lead to outside the indexed folders (by default "
                   "such links are skipped and counted, as rg and find do)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.add_argument("--max-problems", type=int, default=50, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("search", parents=[common], help="search the library",
                       description="Ranked hits with title, outlet, date, id and a highlighted snippet.",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("query", help="query (see syntax below)")
    p.add_argument("--limit", "-n", type=_positive, default=10, help="how many hits (default 10)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("show", parents=[common], help="print one cleaned article",
                       description="Print a cleaned article by id (a unique prefix of the id is enough).")
    p.add_argument("id")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("list", parents=[common], help="list the articles in the library")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_list)
    from tui import cli_briefs
    cli_briefs.add_commands(sub, common)
    from tui import doctor; doctor.add_command(sub, common)  # noqa: E702 - the one line doctor owns here
    return parser


def fast_search_args(argv: list[str]):
    """The arguments of a plain ``brief [--library DIR] [--demo] search QUERY [-n N] [--json]``, read
    without argparse: importing it and building every command's parser costs a cold search ~15 ms.

    Gives exactly what argparse would (tests compare the two), or None for anything else (help, an
    unknown or abbreviated option, a bad number, a query that starts with '-'): argparse then reads
    it and explains any mistake.
    """
    from types import SimpleNamespace

    values = {"library": None, "demo": False, "theme": None, "command": None, "query": None, "limit": 10,
              "json": False, "func": cmd_search}
    args = iter(argv)
    for arg in args:
        name, eq, inline = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if name in ("--library", "--limit", "-n") or (arg.startswith("-n") and arg[2:].isdigit()):
            if arg.startswith("-n") and len(arg) > 2:
                name, value = "-n", arg[2:]
            else:
                value = inline if eq else next(args, None)
            if value is None or value.startswith("-") or (name == "--library" and not value):
                return None
            if name == "--library":
                values["library"] = value
                continue
            if values["command"] is None or not (value.isascii() and value.isdigit()) or int(value) < 1:
                return None
            values["limit"] = int(value)
        elif arg == "--demo":
            values["demo"] = True
        elif arg == "--json" and values["command"]:
            values["json"] = True
        elif arg.startswith("-") or values["query"] is not None:
            return None
        elif values["command"] is None:
            if arg != "search":
                return None
            values["command"] = arg
        else:
            values["query"] = arg
    if values["query"] is None:
        return None
    return SimpleNamespace(**values)


READ_ONLY = ("search", "show", "list")  # commands that only read the library and print


def main(argv: list[str] | None = None) -> int:
    """Run `brief`. Called with no ``argv`` (as the installed command and ``python -m tui`` are), a
    read-only command ends the process itself once its output is flushed: tearing down the
    interpreter's modules and objects took ~20 ms of a cold search, more than the search."""
    quick_exit = argv is None
    if argv is None:
        argv = sys.argv[1:]
    _tolerant_streams()
    ran: list[str | None] = []
    code = _main(argv, ran)
    if quick_exit and ran and ran[0] in READ_ONLY:
        _exit_now(code)
    return code


def _tolerant_streams() -> None:
    """Never fail on output: text a terminal's encoding cannot show (a non-UTF-8 locale,
    PYTHONIOENCODING=ascii, the lone surrogates of an undecodable file name) is written as backslash
    escapes, not raised as UnicodeEncodeError. Python's default for stderr already; stdout says
    "strict" (or "surrogateescape", which would write the raw, invalid bytes)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream.errors != "backslashreplace":
                stream.reconfigure(errors="backslashreplace")
        except (AttributeError, ValueError, OSError):  # not a TextIOWrapper (a test's capture, None)
            pass


def _exit_now(code: int) -> None:
    try:
        sys.stdout.flush()
    except (BrokenPipeError, OSError):  # `brief search x | head`: the reader went away
        pass
    try:
        sys.stderr.flush()
    except (BrokenPipeError, OSError):
        pass
    os._exit(code)


def _main(argv: list[str], ran: list) -> int:
    args = None
    try:
        args = fast_search_args(argv)
        parser = None
        if args is None:
            parser = build_parser()
            args = parser.parse_args(argv)
        ran.append(args.command)
        if not args.command:
            if sys.stdin.isatty() and sys.stdout.isatty():
                return cmd_app(args)
            return cmd_status(args, parser or build_parser())
        return args.func(args)
    except BrokenPipeError:
        # `brief list | head`: the reader went away; that is not an error.
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return EXIT_OK
    except KeyboardInterrupt:
        say("Interrupted.")
        return 130
    except Exception as exc:  # noqa: BLE001 - every failure becomes one line (see _failure)
        if os.environ.get("BRIEF_DEBUG", "") not in ("", "0"):
            raise
        try:
            return _failure(exc, args)
        except Exception:  # noqa: BLE001 - the last resort: the message itself failed
            sys.stderr.write(f"brief: internal error ({type(exc).__name__}); run with BRIEF_DEBUG=1 to see "
                             f"the traceback, and please report it\n")
            return EXIT_ERROR


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


def _failure(exc: BaseException, args) -> int:
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
    text = _path(text)
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
    where = f"{_path(name)}: " if name not in (None, "") else ""
    if exc.filename2 not in (None, ""):
        where = f"{_path(name)} -> {_path(exc.filename2)}: "
    reason = exc.strerror or str(exc) or type(exc).__name__
    fix = _OS_FIXES.get(errno.errorcode.get(exc.errno or 0, ""))
    return f"brief: {where}{reason}" + (f"; {fix}" if fix else "")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
