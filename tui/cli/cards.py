"""`brief card` and `brief compare`: the briefing commands of the command line (no Textual import)."""

from __future__ import annotations

import argparse

from .shared import EXIT_ERROR, EXIT_OK, EXIT_USAGE, Out, open_library, positive, print_json, progress_reporter, safe, \
    say, write_output

CARD_EPILOG = """\
examples:
  brief card 'north korean troops'             Markdown card on stdout
  brief card 'outlet:meridian dam' --format json -o dam.json
  brief card --all                             every article in the library
  brief card --ids 3kq8z1ab,7hd2m0xc           exactly those articles
  brief card --all --summary-words 250         with a summary of about 250 words
  brief card 'kavra dam' --since 2026-11-30    what changed since the card built that day
  brief card --brief 'Dam inquiry'             the articles the pins of that brief cite
"""


def add_commands(sub, common: argparse.ArgumentParser) -> None:
    """Register `card` and `compare` on the `brief` sub-command parser."""
    p = sub.add_parser("card", parents=[common], help="build a briefing card from matching articles",
                       description="Build a briefing card (bottom line, key facts with independent sources and "
                       "credibility, figures and disagreements, timeline, actors, quotes) from the articles "
                       "matching QUERY (same syntax as `brief search`), from --all articles, or from --ids. "
                       "Every line is taken from, and cites, the articles.",
                       epilog=CARD_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("query", nargs="?", help="search query choosing the articles")
    p.add_argument("--all", action="store_true", help="use every article in the library")
    p.add_argument("--ids", metavar="ID,ID,...", help="use exactly these articles (ids or unique prefixes)")
    p.add_argument("--brief", metavar="NAME", help="use the articles the pins of this brief cite (see `brief briefs`)")
    p.add_argument("--format", choices=("markdown", "json"), default="markdown", help="output format (default markdown)")
    p.add_argument("-o", "--output", metavar="FILE", help="write the card to FILE instead of stdout")
    p.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    p.add_argument("--limit", "-n", type=positive, default=50, metavar="N", help="at most N matching articles, the most relevant "
                   "first (default 50); when more match, the card and a line on stderr say how many it used")
    p.add_argument("--summary-words", metavar="N", help="also a summary of about N words (whole sentences, in "
                   "reading order), besides the 1-3 sentence bottom line")
    p.add_argument("--since", metavar="last|DATE",
                   help="compare with an earlier card of the same query from the library's card history: "
                   "last (the previous one, the default) or DATE (the latest built on or before it, "
                   "YYYY-MM-DD or an ISO time in UTC)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_card)

    p = sub.add_parser("compare", parents=[common], help="compare two or more articles",
                       description="Show what two or more articles report alike (each one's wording), the "
                       "figures they differ on, and what each says that the others do not.")
    p.add_argument("ids", nargs="+", metavar="ID", help="two or more article ids (unique prefixes are enough)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_compare)


def _cache(lib):
    from briefs.extract import ExtractionCache

    return ExtractionCache(lib.root / "cache" / "extract")


def _select(args, lib) -> list | None:
    """The articles a card is about; None (after saying why) when the selection is a usage error."""
    chosen = [bool(args.query), args.all, bool(args.ids), args.brief is not None]
    if sum(chosen) != 1:
        say("brief card: give exactly one of QUERY, --all, --ids ID,ID,... or --brief NAME")
        return None
    if args.all:
        return list(lib.articles())
    if args.brief is not None:  # an unknown brief: LookupError, exit 1, naming the briefs there are
        from index.pins import load

        state = load(lib.root)
        if state.problem:
            say(f"brief: {state.problem}")
        brief = state.get(args.brief)
        if brief is None:
            names = ", ".join(repr(n) for n in state.names())
            raise LookupError(f"there is no brief named {args.brief!r}" + (f"; the briefs are: {names}" if names
                                                                         else "; there are no briefs yet"))
        args.brief = brief.name  # its name as stored: the card history's key
        held = {r["id"] for r in lib.catalog()}
        gone = [i for i in brief.sources if i not in held]
        if gone:
            say(f"{len(gone)} of the brief's {len(brief.sources)} articles are no longer in the library")
        return list(lib.articles([i for i in brief.sources if i in held]))
    if args.ids:
        ids = [i for i in (x.strip() for x in args.ids.split(",")) if i]
        return list(lib.articles(ids))
    from index.search import search

    from .tags import user_tags_for

    with lib.open_index().searcher() as searcher:
        result = search(searcher, args.query, limit=args.limit, snippets=False, user_tags=user_tags_for(args))
    args.matching = result.total  # more than the card uses when --limit cut them: the card says so
    return list(lib.articles(h.id for h in result.hits))


def cmd_card(args) -> int:
    from briefs.card import build_card
    from briefs.export import card_to_json, card_to_markdown

    words = _summary_words(args.summary_words)
    if words is False:
        return EXIT_USAGE
    if args.since is not None and args.since.strip() != "last":
        from index.cardhistory import parse_since

        try:
            parse_since(args.since)
        except ValueError:
            say(f"brief card: --since takes last or a date YYYY-MM-DD (got {safe(args.since)!r})")
            return EXIT_USAGE
    lib = open_library(args)
    articles = _select(args, lib)
    if articles is None:
        return EXIT_USAGE
    if not articles:
        say("No articles match; no card was made.")
        return EXIT_OK
    matching = getattr(args, "matching", None)
    progress, finish = progress_reporter(args.quiet)
    try:
        card = build_card(articles, query=args.query, duplicates=lib.near_duplicates(), cache=_cache(lib),
                          progress=progress, summary_words=words, matching=matching, chosen_by="relevance")
    finally:
        finish()
    note = card.selection_note()
    if note:  # never quietly: the card uses fewer articles than match
        say(f"brief card: {note[0].lower()}{note[1:-1]} (search ranking; --limit N to use more).")
    if card.reduced_note():
        say(f"brief card: {card.reduced_note()}")
    changes = _changes(args, lib, articles, card)
    if changes is False:
        return EXIT_ERROR
    text = card_to_json(card, changes) if args.format == "json" else card_to_markdown(card, changes)
    path = write_output(args, text)
    if path is False:
        return EXIT_ERROR
    if path is not None:
        say(f"Card over {len(card.sources)} articles written to {path}")
    return EXIT_OK


def _changes(args, lib, articles, card) -> dict | None | bool:
    """The card's changes since an earlier card of its key (None: none kept yet; False, after saying why:
    --since names none), after keeping the card in the library's card history."""
    from briefs.changes import NoEarlierCard, keep_and_compare
    from index import cardhistory

    since = (args.since or "last").strip()
    key = cardhistory.card_key(args.query) if args.query else ("all" if args.all else cardhistory.card_key(
        brief=args.brief) if getattr(args, "brief", None) is not None else
        cardhistory.card_key(ids=[a.id for a in articles]))
    try:
        changes, problem, _ = keep_and_compare(lib.root, key, card.to_json(), since, required=args.since is not None)
    except NoEarlierCard:
        say("brief card: no earlier card for this query in the card history" +
            (f" built on or before {safe(since)}" if since != "last" else "") + " (brief card without --since "
            "keeps one)")
        return False
    if problem:
        say(f"brief: {problem}")
    return changes


def _summary_words(text: str | None) -> int | None | bool:
    """--summary-words N as a number of words: None when not given, False (after saying why) when not valid."""
    if text is None:
        return None
    try:
        value = int(text.strip())
    except ValueError:
        value = 0
    if value < 1:
        say(f"brief card: --summary-words needs a whole number of words, 1 or more (got {safe(text)!r})")
        return False
    return value


def cmd_compare(args) -> int:
    from briefs.compare import compare

    lib = open_library(args)
    articles = list(lib.articles(args.ids))
    if len({a.id for a in articles}) < 2:
        say("brief compare: give at least two different article ids")
        return EXIT_USAGE
    result = compare(articles, lib.near_duplicates(), _cache(lib))
    if args.json:
        print_json(result.to_json())
        return EXIT_OK
    _print_comparison(Out(), result)
    return EXIT_OK


def _print_comparison(out: Out, result) -> None:
    from briefs.export import format_value

    label = {}
    for n, s in enumerate(result.sources, 1):
        label[s.id] = f"[{n}]"
        meta = " · ".join((safe(s.outlet) or "unknown outlet", s.published.isoformat() if s.published else "undated",
                           safe(s.id)))
        out.line(f"{label[s.id]} {out.style(safe(s.title), '1')}  {out.style(meta, '2')}")
    out.line()
    out.line(out.style(f"Reported alike ({len(result.aligned)})", "1"))
    for claim in result.aligned:
        for n, side in enumerate(claim.sides):
            out.line(f"  {'•' if n == 0 else ' '} {label[side.source]} {safe(side.text)}")
        out.line()
    if not result.aligned:
        out.line("  nothing")
        out.line()
    out.line(out.style(f"Figures that differ ({len(result.differences)})", "1"))
    for d in result.differences:
        out.line(f"  {safe(d.about)} ({d.kind})")
        for side in d.claims:  # each article with its own figure (hedge included) and its own sentence
            said = [(st.source, st.hedge, st.attributed_to, st.text) for st in side.statements] or \
                [(sid, side.hedge, side.attributed_to, side.text) for sid in side.sources]
            for sid, hedge, who, text in said:
                value = f"{hedge} {format_value(side.value)}" if hedge else format_value(side.value)
                who = f" — {safe(who)}" if who else ""
                out.line(f"    {out.style(safe(value), '1;33')} {label[sid]}{who}: {safe(text)}")
    out.line()
    for aid, passages in result.unique.items():
        out.line(out.style(f"Only in {label[aid]}", "1"))
        for p in passages:
            out.line(f"  • {safe(p.text)}")
        if not passages:
            out.line("  nothing of note")
        more = result.more_unique(aid)
        if more:
            out.line(f"  … and {more} more sentence{'s' * (more != 1)} only {label[aid]} says (--json: the count)")
        out.line()
