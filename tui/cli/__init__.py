"""The `brief` command line. Plain commands never import Textual: they must start fast over SSH.

Exit codes: 0 ok (also for zero hits); 2 a usage error, a bad query, or a PATH given to `brief index`
that does not exist; 1 any other error: no library, a damaged index (with the way out, `brief index
--rebuild`), an unknown id, a lock held too long, a file that cannot be read or written (named, with the
reason), a reader that cannot run here (`brief index` says which package and how to fix it), and any
internal error ("brief: internal error (...)"; BRIEF_DEBUG=1 shows its traceback). 130 after Ctrl-C.
Data goes to stdout, messages to stderr, one line each; no traceback reaches the user. Untrusted text
(titles, outlets, paths, quotes...) is printed without control characters or terminal escapes, and
output never fails on encoding (a non-UTF-8 terminal gets backslash escapes).

The package: this entry module (the parser, `main`, the fast path of a cold `brief search`), the shared
plumbing every command module imports (tui.cli.shared: exit codes, output, the library chosen, failures),
and one module per command family: tui.cli.library (index, search, show, list, the status), tui.cli.cards
(card, compare), tui.cli.history (the card history), tui.cli.briefs (briefs, pins), tui.cli.doctor,
tui.cli.watch (watch), tui.cli.launch (the app). A new command goes in the module of its family
(or a new one), registered in build_parser; no module here imports this one, nor shared a command module.
"""

from __future__ import annotations

import os
import sys

# argparse, json and pathlib are imported where they are needed: a cold `brief search` (see
# fast_search_args) needs none of them, and together they cost it ~15 ms.

from .library import cmd_search, cmd_status
from .shared import EPILOG, EXIT_ERROR, EXIT_OK, EXIT_USAGE, failure, say

DESCRIPTION = """\
brief: a keyboard-driven terminal briefing reader.
Drop articles (.txt, .md, .html, RSS/Atom, .jsonl) in a folder, index them, then search, read,
compare outlets and build briefing cards, offline.
With no command on a terminal, brief opens the app (the demo library when you have none yet)."""

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

# ----------------------------------------------------------------------------------------------
# Parser


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

    from . import briefs, cards, doctor, history, library, tags, watch

    library.add_commands(sub, common)
    cards.add_commands(sub, common)
    history.add_command(sub, common)
    briefs.add_commands(sub, common)
    doctor.add_command(sub, common)
    watch.add_command(sub, common)
    tags.add_commands(sub, common)
    return parser


def fast_search_args(argv: list[str]):
    """The arguments of a plain ``brief [--library DIR] [--demo] search QUERY [-n N] [--json] [--exact]``, read
    without argparse: importing it and building every command's parser costs a cold search ~15 ms.

    Gives exactly what argparse would (tests compare the two), or None for anything else (help, an
    unknown or abbreviated option, a bad number, a query that starts with '-'): argparse then reads
    it and explains any mistake.
    """
    from types import SimpleNamespace

    values = {"library": None, "demo": False, "theme": None, "command": None, "query": None, "limit": 10,
              "json": False, "exact": False, "func": cmd_search}
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
        elif arg in ("--json", "--exact") and values["command"]:
            values[arg[2:]] = True
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
                from .launch import cmd_app

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
    except Exception as exc:  # noqa: BLE001 - every failure becomes one line (see shared.failure)
        if os.environ.get("BRIEF_DEBUG", "") not in ("", "0"):
            raise
        try:
            return failure(exc, args)
        except Exception:  # noqa: BLE001 - the last resort: the message itself failed
            sys.stderr.write(f"brief: internal error ({type(exc).__name__}); run with BRIEF_DEBUG=1 to see "
                             f"the traceback, and please report it\n")
            return EXIT_ERROR
