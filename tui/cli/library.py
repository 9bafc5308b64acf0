"""The library commands of `brief`: index, search, show, list, set, and the status `brief` prints with no
command (no Textual import).

`brief search` runs from here on a cold start (tui.cli.fast_search_args): like the entry module, this
one imports only os and sys at the top; argparse, json and pathlib are imported where they are needed.
"""

from __future__ import annotations

import os
import sys

from .shared import EPILOG, EXIT_ERROR, EXIT_OK, EXIT_USAGE, Out, demo_library, open_library, positive, print_json, \
    progress_reporter, safe, safe_path, say

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


SET_DESCRIPTION = """\
Set what brief cannot read from an article's file: its outlet, publication date or title. Kept in the
library (overrides.json; the source file is never modified), used at once by search (outlet:, date:),
the list, the app, cards and comparisons, and kept by every later `brief index`, --rebuild too.
An empty value ('') clears what you set and gives back what the file states. Cards count articles of
unknown outlet as one source together: setting their outlets lets each count as its own."""


def add_commands(sub, common) -> None:
    """Register `index`, `search`, `show`, `list` and `set` on the `brief` sub-command parser."""
    import argparse

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
    p.add_argument("--limit", "-n", type=positive, default=10, help="how many hits (default 10)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--exact", action="store_true",
                   help="count every hit of a phrase (by default a phrase with many candidates shows "
                   "'about N hits', estimated from a sample of them)")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("show", parents=[common], help="print one cleaned article",
                       description="Print a cleaned article by id (a unique prefix of the id is enough).")
    p.add_argument("id")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("list", parents=[common], help="list the articles in the library")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--unread", action="store_true", help="only the articles not marked read (see `brief read`)")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("set", parents=[common], help="set an article's outlet, date or title",
                       description=SET_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("id", help="the article's id (a unique prefix is enough)")
    p.add_argument("--outlet", metavar="NAME", help="its outlet ('' gives back the one its file states, if any)")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="its publication date ('' gives back the file's own)")
    p.add_argument("--title", metavar="TEXT", help="its title ('' gives back the file's own)")
    p.add_argument("--wait", type=float, default=30.0, metavar="SECONDS",
                   help="how long to wait for a `brief index` to finish (default 30)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_set)


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
    from index.indexer import update

    progress, finish = progress_reporter(args.quiet)
    before = _manifest_signature(lib)
    try:
        report = update(lib, args.paths, rebuild=args.rebuild, wait=args.wait, progress=progress, on_wait=say,
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


def cmd_search(args) -> int:
    from index.search import search

    user_tags = None
    if "tag" in args.query.lower():  # the user's own tags (tui.cli.tags): a cold search without tag: reads nothing more
        from .tags import user_tags_for

        user_tags = user_tags_for(args)
    if args.demo:
        ix = demo_library(quiet=True).open_index()
    else:
        from index.storage import library_root, open_index

        ix = open_index(library_root(args.library))
    with ix.searcher() as searcher:
        result = search(searcher, args.query, limit=args.limit, user_tags=user_tags,
                        exact=getattr(args, "exact", False))
        if args.json:
            print_json(result.to_json())
            return EXIT_OK
        out = Out()
        for n, hit in enumerate(result.hits, 1):
            _print_hit(out, n, hit)
    shown = len(result.hits)
    if result.notice:
        say(safe(result.notice))
    about = "" if result.total_exact else "about "  # an estimate (a phrase with many candidates; --exact counts)
    say(f"{shown} of {about}{result.total} hits" if result.total > shown
        else f"{about}{result.total} hit{'s' * (result.total != 1)}")
    return EXIT_OK


def _print_hit(out: Out, n: int, hit) -> None:
    meta = " · ".join(x for x in (safe(hit.outlet) or "unknown outlet",
                                  hit.published.isoformat() if hit.published else "undated", safe(hit.id)) if x)
    out.line(f"{n:>2}. {out.style(safe(hit.title), '1')}")
    out.line(f"    {out.style(meta, '2')}")
    snippet = "".join(out.style(_safe_segment(t), "1;33") if match else _safe_segment(t) for t, match in hit.snippet)
    out.line(f"    {snippet}")
    out.line()


def _safe_segment(text: str) -> str:
    """Like safe, but keeps a space at either edge: snippet segments are glued back together."""
    core = safe(text)
    if not core:
        return " " if text[:1].isspace() else ""
    return (" " if text[:1].isspace() else "") + core + (" " if text[-1:].isspace() else "")


def cmd_show(args) -> int:
    lib = open_library(args)
    article = lib.get(args.id)
    if args.json:
        print_json(article.to_json())
        return EXIT_OK
    out = Out()
    out.line(out.style(safe(article.title), "1"))
    mine = _set_by_user(args, article.id)
    meta = [
        ("Outlet", (article.outlet or "unknown") + (" (set by you)" if "outlet" in mine else "")),
        ("Author", article.author or "unknown"),
        ("Date", (article.published.isoformat() if article.published else "unknown")
         + (" (set by you)" if "published" in mine else "")),
        ("Id", article.id),
        ("Path", safe_path(article.path)),
    ]
    if article.url:
        meta.append(("URL", article.url))
    if article.tags:
        meta.append(("Tags", ", ".join(safe(t) for t in article.tags)))
    for label, value in meta:
        out.line(out.style(f"{label + ':':<8}", "2") + safe(value))
    out.line()
    width = min(100, max(40, _terminal_width() - 2))
    import textwrap

    for para in article.paragraphs:
        out.line(textwrap.fill(safe(para), width=width))
        out.line()
    return EXIT_OK


def _set_by_user(args, article_id: str) -> dict:
    """The fields of this article the user set (`brief set`), {} when none or unknown."""
    if getattr(args, "demo", False):
        return {}
    try:
        from index.library import default_library_dir
        from index.overrides import load

        return load(default_library_dir(args.library)).get(article_id, {})
    except Exception:  # noqa: BLE001 - only a remark on the output
        return {}


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
    if args.unread:  # (tui.cli.tags: the user state's read set)
        from .tags import unread_filter

        rows = list(filter(unread_filter(lib), rows))
    if args.json:
        print_json({"articles": [{k: r[k] for k in ("id", "title", "outlet", "published", "path")} for r in rows]})
        return EXIT_OK
    out = Out()
    for r in rows:
        date_s = safe(r["published"]) if r["published"] else "undated   "
        outlet = safe(r["outlet"]) or "—"
        out.line(f"{out.style(safe(r['id']), '2')}  {date_s}  {outlet[:20]:<20}  {safe(r['title'])}")
    say(f"{len(rows)} articles in {lib.root}")
    return EXIT_OK


def cmd_set(args) -> int:
    """`brief set ID --outlet NAME --date YYYY-MM-DD --title TEXT`: one article's metadata, stored in the
    library and applied to its index document under the write lock."""
    from index.library import Library, default_library_dir

    if args.demo:
        say("brief set writes to your own library; --demo is read-only")
        return EXIT_USAGE
    changes = {name: value for name, value in (("outlet", args.outlet), ("published", args.date),
                                               ("title", args.title)) if value is not None}
    if not changes:
        say("brief: error: say what to set: --outlet NAME, --date YYYY-MM-DD or --title TEXT ('' clears)")
        return EXIT_USAGE
    lib = Library(default_library_dir(args.library))
    if not lib.exists():
        from index.errors import LibraryError

        raise LibraryError(f"no library at {lib.root} yet: run `brief index PATH...` to add articles")
    from index.indexer import set_metadata

    try:
        row = set_metadata(lib, args.id, changes, wait=args.wait)
    except ValueError as exc:  # a bad date, an empty or too long value: nothing was written
        say(f"brief: error: {exc}")
        return EXIT_USAGE
    _refresh_app_catalog(lib)
    if args.json:
        print_json(row)
        return EXIT_OK
    out = Out()
    date_s = row["published"] or "undated"
    out.line(f"{out.style(safe(row['id']), '2')}  {safe(date_s)}  {safe(row['outlet']) or 'unknown outlet'}  "
             f"{safe(row['title'])}")
    mine = ", ".join(f'{"date" if k == "published" else k} "{safe(v)}"' for k, v in row["set"].items())
    say(f"Set for {row['id']}: {mine}." if mine else f"Nothing set for {row['id']}: it shows what its file states.")
    return EXIT_OK


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
