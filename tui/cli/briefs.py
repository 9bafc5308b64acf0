"""`brief briefs` and `brief pins`: the library's briefs (what the app pins, kept in briefs.json) on the
command line: list them, show one, export one like a card, list the pins. No Textual import."""

from __future__ import annotations

import argparse
import sys

from .shared import EXIT_ERROR, EXIT_OK, EXIT_USAGE, Out, open_library, positive, print_json, safe, say, write_output

BRIEFS_EPILOG = """\
examples:
  brief briefs                                 every brief: pins, articles, last change (▶ the current one)
  brief briefs show                            the current brief, its pins numbered, with their sources
  brief briefs show 'Dam inquiry' --json
  brief briefs export -o brief.md              Markdown like a card, citations included
  brief briefs export 'Dam inquiry' --format json -o dam.json
  brief pins --all --json                      every pin of every brief
  brief card --brief 'Dam inquiry'             a card from the brief's articles

Briefs are made in the app: p pins a card line or a reader paragraph, a an article, P shows the brief.
"""


def add_commands(sub, common: argparse.ArgumentParser) -> None:
    """Register `briefs` (list, show, export) and `pins` on the `brief` sub-command parser."""
    p = sub.add_parser("briefs", parents=[common], help="list, show and export the library's briefs (pins)",
                       description="The library's briefs: named, ordered lists of pins made in the app (kept in "
                       "<library>/briefs.json). With no action, list them.",
                       epilog=BRIEFS_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_briefs, action=None, name=None)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    a = actions.add_parser("list", parents=[common], help="every brief: pins, articles, last change (default)")
    a.add_argument("--json", action="store_true", help="print JSON")
    a = actions.add_parser("show", parents=[common], help="a brief's pins, numbered, with their sources")
    a.add_argument("name", nargs="?", metavar="NAME", help="the brief (default: the current one)")
    a.add_argument("--json", action="store_true", help="print the brief as JSON (as `export --format json`)")
    a = actions.add_parser("export", parents=[common], help="a brief as Markdown or JSON, like a card",
                           description="Export a brief like a card: each pin with its citations, kind, origin and "
                           "note, then the sources (title, outlet, date, id, path; an article no longer in the "
                           "library is marked). Markdown on stdout unless -o.")
    a.add_argument("name", nargs="?", metavar="NAME", help="the brief (default: the current one)")
    a.add_argument("--format", choices=("markdown", "json"), default="markdown",
                   help="output format (default markdown)")
    a.add_argument("-o", "--output", metavar="FILE", help="write the brief to FILE instead of stdout")
    a.add_argument("--force", action="store_true", help="overwrite FILE if it exists")

    p = sub.add_parser("pins", parents=[common], help="list the pins of a brief (or of every brief); add, remove",
                       description="List the pins of the current brief, of --brief NAME, or of --all briefs: "
                       "id, kind, text, articles, note. `add` pins an article or one of its paragraphs, "
                       "`remove` takes a pin out (safe while the app is open: it sees the change).",
                       epilog="examples:\n  brief pins add 3kq8z1ab --paragraph 4 --note 'check the toll'\n"
                       "  brief pins add 3kq8z1ab --brief 'Dam inquiry'     the whole article, into that brief "
                       "(made if new)\n  brief pins remove k3v9q2a",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--brief", metavar="NAME", help="the brief (default: the current one)")
    p.add_argument("--all", action="store_true", help="the pins of every brief")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_pins, action=None)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    a = actions.add_parser("add", parents=[common], help="pin an article, or one paragraph of it")
    a.add_argument("id", metavar="ID", help="the article (an id or a unique prefix)")
    a.add_argument("--paragraph", "-p", type=positive, metavar="N",
                   help="pin its paragraph N (1 is the first paragraph `brief show` prints) instead of the article")
    a.add_argument("--brief", metavar="NAME", help="into this brief (made when new; default: the current one)")
    a.add_argument("--note", metavar="TEXT", help="a note on the pin")
    a.add_argument("--json", action="store_true", help="print the pin as JSON")
    a = actions.add_parser("remove", parents=[common], help="take a pin out of its brief")
    a.add_argument("pin", metavar="PIN_ID", help="the pin's id (see `brief pins`)")


def _load(lib):
    from index.pins import load

    state = load(lib.root)
    if state.problem:
        say(f"brief: {state.problem}")
    return state


def _choose(state, name: str | None):
    """The brief named (the current one by default); LookupError (exit 1) naming the briefs there are."""
    if name is None:
        brief = state.current_brief()
        if brief is None:
            raise LookupError("there are no briefs yet: pin lines in the app (p on a card line or in the reader, "
                              "a on an article)" if not state.briefs else
                              f"the current brief {state.current!r} has no pins yet")
        return brief
    brief = state.get(name)
    if brief is None:
        names = ", ".join(repr(n) for n in state.names())
        raise LookupError(f"there is no brief named {name!r}" + (f"; the briefs are: {names}" if names else
                                                                 "; there are no briefs yet"))
    return brief


def _when(iso: str) -> str:
    from datetime import datetime

    try:
        return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return "—"


def cmd_briefs(args) -> int:
    if args.action == "show":
        return _show(args)
    if args.action == "export":
        return _export(args)
    lib = open_library(args)
    state = _load(lib)
    if args.json:
        print_json({"current": state.current, "briefs": [
            {"name": b.name, "current": b.name == state.current, "pins": len(b.pins), "sources": len(b.sources),
             "created": b.created or None, "updated": b.updated or None} for b in state.briefs]})
        return EXIT_OK
    out = Out()
    if not state.briefs:
        say("No briefs yet: in the app, p pins a card line or a reader paragraph, a an article; P shows the brief.")
        return EXIT_OK
    width = max(len(safe(b.name)) for b in state.briefs)
    for b in state.briefs:
        mark = "▶" if b.name == state.current else " "
        meta = (f"{len(b.pins)} pin{'s' * (len(b.pins) != 1)} · {len(b.sources)} article{'s' * (len(b.sources) != 1)}"
                f" · updated {_when(b.updated)}")
        out.line(f"{mark} {out.style(safe(b.name).ljust(width), '1')}  {out.style(meta, '2')}")
    return EXIT_OK


def _document(lib, brief):
    from briefs.brief import brief_document, library_sources

    return brief_document(brief, library_sources(lib, brief.sources))


def _show(args) -> int:
    from briefs.brief import KIND_LABELS, brief_to_json, origin_label

    lib = open_library(args)
    state = _load(lib)
    brief = _choose(state, args.name)
    doc = _document(lib, brief)
    if args.json:
        sys.stdout.write(brief_to_json(doc))
        return EXIT_OK
    out = Out()
    labels = {sid: f"[{n}]" for n, sid in enumerate(brief.sources, 1)}
    current = " (current)" if brief.name == state.current else ""
    out.line(out.style(f"Brief: {safe(brief.name)}{current}", "1") + out.style(
        f"  {len(brief.pins)} pin{'s' * (len(brief.pins) != 1)} · {len(brief.sources)} article"
        f"{'s' * (len(brief.sources) != 1)}", "2"))
    out.line()
    width = len(f"{len(brief.pins)}.")
    for n, pin in enumerate(brief.pins, 1):
        cites = "".join(labels[s] for s in pin.sources)
        out.line(f"{f'{n}.'.rjust(width)} {safe(pin.text)} {cites}".rstrip())
        about = " · ".join(x for x in (KIND_LABELS.get(pin.kind, pin.kind), safe(origin_label(pin.origin)),
                                       _when(pin.added) if pin.added else "", f"id {pin.id}") if x)
        out.line(" " * (width + 1) + out.style(about, "2"))
        if pin.note:
            out.line(" " * (width + 1) + "note: " + safe(pin.note))
    if not brief.pins:
        out.line("  no pins yet")
    out.line()
    held = {s.id: s for s in doc.sources}
    for sid in brief.sources:
        s = held.get(sid)
        if s is None:
            out.line(f"{labels[sid]} {safe(sid)}: no longer in the library")
        else:
            meta = " · ".join((safe(s.outlet) or "unknown outlet", s.published.isoformat() if s.published else "undated",
                               safe(s.id)))
            out.line(f"{labels[sid]} {out.style(safe(s.title) or 'untitled', '1')}  {out.style(meta, '2')}")
    return EXIT_OK


def _export(args) -> int:
    from briefs.brief import brief_to_json, brief_to_markdown

    lib = open_library(args)
    brief = _choose(_load(lib), args.name)
    doc = _document(lib, brief)
    text = brief_to_json(doc) if args.format == "json" else brief_to_markdown(doc)
    path = write_output(args, text)
    if path is False:
        return EXIT_ERROR
    if path is not None:
        say(f"Brief {safe(brief.name)!r} ({len(brief.pins)} pin{'s' * (len(brief.pins) != 1)}) written to {path}")
    return EXIT_OK


def _add(args) -> int:
    from index import pins

    lib = open_library(args)
    article = lib.get(args.id)  # LookupError (exit 1) for an unknown id
    if args.paragraph is not None:
        if args.paragraph > len(article.paragraphs):
            n = len(article.paragraphs)
            say(f"brief pins add: the article {article.id} has {n} paragraph{'s' * (n != 1)} "
                f"(got --paragraph {args.paragraph})")
            return EXIT_USAGE
        pin = pins.make_pin(article.paragraphs[args.paragraph - 1], [article.id], "paragraph",
                            {"article": article.id, "paragraph": args.paragraph - 1}, args.note)
    else:
        pin = pins.make_pin(" ".join(article.title.split()) or f"Article {article.id}", [article.id], "article",
                            {"article": article.id}, args.note)
    try:
        state, added = pins.update(lib.root, lambda b: b.add_pin(pin, args.brief))
    except pins.BriefsError as exc:
        say(f"brief: {exc}")
        return EXIT_ERROR
    if state.problem:
        say(f"brief: {state.problem}")
    name = args.brief if args.brief is not None else state.current
    brief = state.get(name)
    if not added:
        say(f"Already pinned in the brief {brief.name!r}; nothing changed.")
        return EXIT_OK
    if args.json:
        print_json(dict(pin.to_json(), brief=brief.name))
    else:
        say(f"Pinned {'paragraph ' + str(args.paragraph) if args.paragraph else 'the article'} of {article.id} "
            f"into {brief.name!r} ({len(brief.pins)} pin{'s' * (len(brief.pins) != 1)}): pin {pin.id}")
    return EXIT_OK


def _remove(args) -> int:
    from index import pins

    lib = open_library(args)
    wanted = args.pin.strip()
    if wanted not in _load(lib).pin_ids():
        raise LookupError(f"no pin with id {args.pin!r} (see `brief pins --all`)")
    state, gone = pins.update(lib.root, lambda b: b.remove_pin(wanted))
    if gone is None:  # removed meanwhile by another brief
        raise LookupError(f"no pin with id {args.pin!r} (see `brief pins --all`)")
    say(f"Removed pin {gone.id}: {safe(gone.text)[:80]}")
    return EXIT_OK


def cmd_pins(args) -> int:
    from briefs.brief import KIND_LABELS

    if args.action == "add":
        return _add(args)
    if args.action == "remove":
        return _remove(args)
    lib = open_library(args)
    state = _load(lib)
    if args.all and args.brief:
        say("brief pins: give --brief NAME or --all, not both")
        return EXIT_USAGE
    chosen = state.briefs if args.all else ([_choose(state, args.brief)] if (args.brief or state.briefs) else [])
    if args.brief is None and not args.all and state.current_brief() is None:
        chosen = []
    rows = [(b, p) for b in chosen for p in b.pins]
    if args.json:
        print_json({"pins": [dict(p.to_json(), brief=b.name) for b, p in rows]})
        return EXIT_OK
    if not rows:
        say("No pins" + (f" in the brief {chosen[0].name!r}" if len(chosen) == 1 else "") + ".")
        return EXIT_OK
    out = Out()
    for b, p in rows:
        text = safe(p.text)
        text = text if len(text) <= 100 else text[:99] + "…"
        where = f"{safe(b.name)} · " if args.all else ""
        out.line(f"{out.style(p.id, '1')}  {out.style(where + KIND_LABELS.get(p.kind, p.kind), '2')}  {text}  "
                 + out.style(", ".join(p.sources), "2") + (f"  note: {safe(p.note)}" if p.note else ""))
    return EXIT_OK
