"""`brief history`: the library's card history (the cards `brief card` and the app built, kept to say what
changed since): list what is kept, one query's cards, and forget them. No Textual import."""

from __future__ import annotations

import argparse

from .shared import EXIT_ERROR, EXIT_OK, EXIT_USAGE, Out, open_library, print_json, safe, say

HISTORY_EPILOG = """\
examples:
  brief history                              every query (id set, brief) with cards kept
  brief history 'kavra dam'                  the cards kept for that query, and what each one changed
  brief history 'kavra dam' --clear          forget them (the next card starts a new history)
  brief history --clear --everything         forget every card kept
"""


def add_command(sub, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("history", parents=[common], help="list or clear the card history",
                       description="Every card `brief card` (or the app) builds is kept in the library's card "
                       "history, the last 20 per query, so that the next card for the same query can say what "
                       "changed since. With no selection: every query (or set of ids, or brief) with cards "
                       "kept. With QUERY, --all, --ids or --brief: the cards kept for it, newest last, with "
                       "what each changed since the one before.",
                       epilog=HISTORY_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("query", nargs="?", help="the query of the cards (as given to `brief card`)")
    p.add_argument("--all", action="store_true", help="the cards built over every article (brief card --all)")
    p.add_argument("--ids", metavar="ID,ID,...", help="the cards built from exactly these articles")
    p.add_argument("--brief", metavar="NAME", help="the cards built from a named brief")
    p.add_argument("--clear", action="store_true", help="forget the cards of the selection (with --everything: "
                   "of every query)")
    p.add_argument("--everything", action="store_true", help="with --clear: forget every card kept")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_history)


def _key(args, lib) -> str | None | bool:
    """The history key chosen (None: no selection; False, after saying why: a usage error)."""
    from index import cardhistory

    chosen = [x for x in (args.query, args.all or None, args.ids, args.brief) if x]
    if len(chosen) > 1:
        say("brief history: give at most one of QUERY, --all, --ids ID,ID,... or --brief NAME")
        return False
    if args.all:
        return "all"
    if args.brief is not None:
        return cardhistory.card_key(brief=args.brief)
    if args.ids:
        ids = [lib.resolve_id(i) for i in (x.strip() for x in args.ids.split(",")) if i]
        return cardhistory.card_key(ids=ids)
    if args.query is not None:
        if not args.query.strip():
            say("brief history: the query is empty")
            return False
        return cardhistory.card_key(args.query)
    return None


def cmd_history(args) -> int:
    from index import cardhistory

    if args.everything and not args.clear:
        say("brief history: --everything goes with --clear")
        return EXIT_USAGE
    lib = open_library(args)
    key = _key(args, lib)
    if key is False:
        return EXIT_USAGE
    if args.clear:
        if key is None and not args.everything:
            say("brief history --clear: say which cards to forget (QUERY, --all, --ids, --brief) or --everything")
            return EXIT_USAGE
        if key is not None and args.everything:
            say("brief history --clear: give a selection or --everything, not both")
            return EXIT_USAGE
        try:
            n = cardhistory.clear(lib.root, key)
        except OSError as exc:
            say(f"brief: could not clear the card history in {lib.root / 'cards'}: {exc.strerror or exc}")
            return EXIT_ERROR
        what = "every query" if key is None else cardhistory.describe(key)
        say(f"Forgot {n} card{'s' * (n != 1)} of {what}." if n else f"No card was kept for {what}.")
        return EXIT_OK
    if key is None:
        return _list_keys(args, lib)
    return _list_cards(args, lib, key)


def _list_keys(args, lib) -> int:
    from index import cardhistory

    entries = cardhistory.keys(lib.root)
    if args.json:
        print_json([{k: e[k] for k in ("key", "cards", "first", "last", "articles")} for e in entries])
        return EXIT_OK
    if not entries:
        say("No card kept yet: `brief card QUERY` builds one and keeps it.")
        return EXIT_OK
    out = Out()
    for e in entries:
        n = e["cards"]
        meta = f"{_n(n, 'card')} · last {_when(e['last'])} · {_n(e['articles'], 'article')}"
        out.line(f"{out.style(safe(cardhistory.describe(e['key'])), '1')}  {out.style(meta, '2')}")
    return EXIT_OK


def _list_cards(args, lib, key: str) -> int:
    from briefs.changes import card_changes
    from index import cardhistory

    cards = cardhistory.load(lib.root, key)
    rows = []
    for n, card in enumerate(cards):
        change = card_changes(cards[n - 1], card) if n else None
        rows.append({"generated": card["generated"], "articles": len(card.get("sources") or []),
                     "facts": len(card.get("facts") or []), "figures": len(card.get("figures") or []),
                     "disagreements": len(card.get("disagreements") or []),
                     "changes": None if change is None else _counts(change)})
    if args.json:
        print_json({"key": key, "cards": rows})
        return EXIT_OK
    if not rows:
        say(f"No card kept for {safe(cardhistory.describe(key))}.")
        return EXIT_OK
    out = Out()
    for r in rows:
        line = f"{_when(r['generated'])}  " + " · ".join(
            _n(r[k], word) for k, word in (("articles", "article"), ("facts", "fact"), ("figures", "figure"),
                                           ("disagreements", "disagreement")))
        changed = _said(r["changes"])
        out.line(line + (f"  {out.style(changed, '2')}" if changed else ""))
    return EXIT_OK


def _counts(change: dict) -> dict:
    gone = change.get("gone") or []
    return {"new_sources": len(change["new_sources"]), "new_facts": len(change["new_facts"]),
            "new_figures": len(change["new_figures"]), "changed_figures": len(change["changed_figures"]),
            "credibility_changed": len(change["credibility_changed"]),
            "new_disagreements": len(change["new_disagreements"]),
            "gone_sources": sum(1 for g in gone if g.get("kind") == "source"), "gone": len(gone)}


def _said(counts: dict | None) -> str:
    if counts is None:
        return "first card"
    words = [("new_sources", "new source"), ("new_facts", "new fact"), ("new_figures", "new figure"),
             ("changed_figures", "figure changed"), ("credibility_changed", "credibility changed"),
             ("new_disagreements", "new disagreement"), ("gone", "gone")]
    parts = []
    for field, word in words:
        n = counts.get(field) or 0
        if n:
            plural = word if n == 1 or word in ("gone", "credibility changed") else \
                word.replace("figure changed", "figures changed") if "changed" in word else word + "s"
            parts.append(f"{n} {plural}")
    return ", ".join(parts) or "no change"


def _n(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


def _when(text: str) -> str:
    return safe(text[:16].replace("T", " ")) if isinstance(text, str) else "?"
