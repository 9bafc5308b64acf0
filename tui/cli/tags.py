"""`brief tag`, `brief tags`, `brief read`, `brief unread`: the user's own tags on articles and which ones
were read, kept in the library (index.userstate, ``userstate.json``); the source files are never touched.
The app shows and changes the same state. No Textual import."""

from __future__ import annotations

from .shared import EXIT_ERROR, EXIT_OK, EXIT_USAGE, Out, open_library, print_json, safe, say

TAG_EPILOG = """\
examples:
  brief tag 29ed0yn8                   the article's tags (yours; its own front-matter tags are not changed)
  brief tag 29ed +flood +levee         add two tags (a bare word adds too: brief tag 29ed flood)
  brief tag 29ed -r levee              remove one (or: brief tag 29ed -- -levee)
  brief tag 29ed --clear               remove every tag you gave it
  brief search 'tag:flood'             articles tagged flood, by you or by their front matter
tags: lowercase words of letters, digits, - and _; at most 40 characters, 50 per article
"""


def add_commands(sub, common) -> None:
    import argparse

    p = sub.add_parser("tag", parents=[common], help="show, add or remove your tags on an article",
                       description="Your tags on one article, kept in the library (userstate.json): +TAG (or "
                       "TAG) adds, -r TAG (or -TAG after --) removes; with none, prints the tags you gave it. `tag:TAG` in a search finds them.",
                       epilog=TAG_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("id", help="the article's id (a unique prefix is enough)")
    p.add_argument("changes", nargs="*", metavar="+TAG|-TAG", help="tags to add (+flood or flood) or, after --, remove (-flood)")
    p.add_argument("--remove", "-r", action="append", default=[], metavar="TAG",
                   help="remove this tag (as -TAG after --); may be given more than once")
    p.add_argument("--clear", action="store_true", help="remove every tag you gave the article")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_tag)

    p = sub.add_parser("tags", parents=[common], help="list your tags with how many articles have each",
                       description="Every tag you gave articles (in the app or with `brief tag`), with how many "
                       "articles carry it, most used first. Front-matter tags of the files are not listed.")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_tags)

    for name, marking in (("read", True), ("unread", False)):
        p = sub.add_parser(name, parents=[common], help=f"mark articles {name}",
                           description=f"Mark articles {name}, as the app does when you open one (read) or "
                           f"with its key (unread); `brief list --unread` lists those not read.")
        p.add_argument("ids", nargs="+", metavar="ID", help="article ids (a unique prefix is enough)")
        p.set_defaults(func=cmd_read, marking=marking)


def _resolve(lib, ids: list[str]) -> list[str]:
    lib.open_index()  # a damaged or foreign index is refused here as by show and list
    return [lib.resolve_id(i) for i in ids]


def _change(lib, change):
    """index.userstate.update with its problems said: (state, result), or None after saying why."""
    from index import userstate

    try:
        state, result = userstate.update(lib.root, change)
    except userstate.UserStateError as exc:
        say(f"brief: error: {exc}")
        return None
    except TimeoutError as exc:
        say(f"brief: {exc}")
        return None
    if state.problem:
        say(f"brief: {state.problem}")
    return state, result


def _load(lib):
    from index import userstate

    state = userstate.load(lib.root)
    if state.problem:
        say(f"brief: {state.problem}")
    return state


def _no_library(lib) -> bool:
    if lib.exists():
        return False
    say(f"brief: no library at {safe(str(lib.root))} yet: run `brief index PATH...` to add articles")
    return True


def cmd_tag(args) -> int:
    from index.userstate import UserStateError, clean_tags

    lib = open_library(args)
    if _no_library(lib):
        return EXIT_ERROR
    (article_id,) = _resolve(lib, [args.id])
    add, remove = [], list(args.remove)
    for word in args.changes:
        (remove if word.startswith("-") else add).append(word[1:] if word[:1] in "+-" else word)
    try:
        add, remove = clean_tags(add), clean_tags(remove)
    except UserStateError as exc:
        say(f"brief: error: {exc}")
        return EXIT_USAGE
    if add or remove or args.clear:
        def change(state):
            if args.clear:
                cleared = state.set_tags(article_id, [])
                return state.change_tags(article_id, add, remove) or cleared
            return state.change_tags(article_id, add, remove)

        done = _change(lib, change)
        if done is None:
            return EXIT_ERROR
        state = done[0]
    else:
        state = _load(lib)
    tags = state.tags_of(article_id)
    if args.json:
        print_json({"id": article_id, "tags": tags})
        return EXIT_OK
    Out().line(f"{article_id}  " + (" ".join(f"#{t}" for t in tags) if tags else "(no tags)"))
    return EXIT_OK


def cmd_tags(args) -> int:
    lib = open_library(args)
    state = _load(lib)
    counts = state.tag_counts()
    if args.json:
        print_json({"tags": [{"tag": t, "articles": n} for t, n in counts]})
        return EXIT_OK
    if not counts:
        say("No tags yet: `brief tag ID +TAG` or `t` in the app adds one.")
        return EXIT_OK
    out = Out()
    for tag, n in counts:
        out.line(f"{n:>5}  #{tag}")
    return EXIT_OK


def cmd_read(args) -> int:
    lib = open_library(args)
    if _no_library(lib):
        return EXIT_ERROR
    ids = _resolve(lib, args.ids)
    done = _change(lib, (lambda s: s.mark_read(ids)) if args.marking else (lambda s: s.mark_unread(ids)))
    if done is None:
        return EXIT_ERROR
    word = "read" if args.marking else "unread"
    changed = "" if done[1] else " (already so)"
    say(f"{len(ids)} article{'s' * (len(ids) != 1)} marked {word}{changed}")
    return EXIT_OK


def user_tags_for(args, query: str | None = None):
    """The user's tags {tag: ids} (index.search's ``user_tags``) for a query with a tag: term, else None:
    a cold `brief search` without one reads nothing more."""
    query = args.query if query is None else query
    if "tag" not in (query or "").lower():
        return None
    return _load(open_library(args)).ids_by_tag()


def unread_filter(lib):
    """For `brief list --unread`: a predicate on catalog rows, true for the articles not read."""
    read = _load(lib).read
    return lambda row: row["id"] not in read
