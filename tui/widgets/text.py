"""Rich Text from untrusted article text: built with Text.append, never parsed as markup.

Everything that comes from an article (titles, outlets, snippets, paragraphs) goes through these
helpers, which also drop terminal escapes and control characters (index.sanitize).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from rich.style import Style
from rich.table import Table
from rich.text import Text

from index.sanitize import safe_inline, sanitize

MARK = "●"  # a marked article (shape, not colour)
UNMARKED = "·"
MATCH = Style(bold=True, underline=True)
CURRENT = Style(bold=True, reverse=True)
TITLE = Style(bold=True)
DIM = Style(dim=True)


def safe(text: str | None) -> str:
    return safe_inline(text or "")


def plain(text: str | None, style: Style | str = "") -> Text:
    return Text(safe(text), style=style, end="")


def date_label(published) -> str:
    if isinstance(published, date):
        return published.isoformat()
    return published or "undated"


def meta_line(outlet: str | None, published, article_id: str, extra: str = "") -> Text:
    t = Text(end="")
    t.append(safe(outlet) or "unknown outlet", style="italic")
    t.append(f" · {date_label(published)} · {article_id}", style=DIM)
    if extra:
        t.append(f" · {extra}", style=DIM)
    return t


def snippet_text(segments: Iterable[tuple[str, bool]], limit: int = 200) -> Text:
    """(text, is_match) segments, matches bold and underlined, cut near ``limit`` characters."""
    t = Text(end="")
    used = 0
    for raw, match in segments:
        seg = sanitize(raw).replace("\n", " ")
        if used + len(seg) > limit:
            room = max(0, limit - used)
            cut = seg[:room].rsplit(" ", 1)[0] if not match else ""
            if cut:
                t.append(cut)
            t.append(" …", style=DIM)
            break
        t.append(seg, style=MATCH if match else "")
        used += len(seg)
    return t


def result_prompt(*, marked: bool, title: str, outlet: str | None, published, article_id: str,
                  snippet: Iterable[tuple[str, bool]] | None = None, limit: int = 200) -> Table:
    """One result: a mark column, then the title, the outlet/date/id line and the snippet (wrapped under
    the title, not under the mark)."""
    t = Text(end="")
    t.append(safe(title) or "(untitled)", style=TITLE)
    t.append("\n")
    t.append_text(meta_line(outlet, published, article_id, "marked" if marked else ""))
    if snippet is not None:
        t.append("\n")
        t.append_text(snippet_text(snippet, limit))
    grid = Table.grid(expand=True)
    grid.add_column(width=2, no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_row(Text(MARK if marked else " ", style=TITLE), t)
    return grid


def paragraph_text(paragraph: str, matches: list[tuple[int, int]], current: int | None = None) -> Text:
    """A paragraph with its matches (start, end) styled; ``current`` is the index of the current match."""
    text = sanitize(paragraph)
    t = Text(end="")
    pos = 0
    for n, (s, e) in enumerate(matches):
        if s < pos:
            continue
        t.append(text[pos:s])
        t.append(text[s:e], style=CURRENT if n == current else MATCH)
        pos = e
    t.append(text[pos:])
    return t
