"""`brief` with no command on a terminal: the Textual app (imported only here, when it opens)."""

from __future__ import annotations

import os

from .shared import open_demo


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
