"""Rich Text from untrusted article text: built with Text.append, never parsed as markup.

Everything that comes from an article (titles, outlets, snippets, paragraphs) goes through these
helpers, which also drop terminal escapes and control characters (index.sanitize).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from rich.style import Style
from rich.text import Text

from index.sanitize import safe_inline, sanitize

MARK = "●"  # a marked article (shape, not colour)
UNMARKED = "·"
MATCH = Style(bold=True, underline=True)
CURRENT = Style(bold=True, reverse=True)
TITLE = Style(bold=True)
DIM = Style(dim=True)


def safe(text: str | None) -> str:
    """Untrusted article text on one line, without control characters or terminal escapes."""
    return safe_inline(text or "")


def plain(text: str | None, style: Style | str = "") -> Text:
    return Text(safe(text), style=style, end="")


def format_value(value: float) -> str:
    """A figure's value as the card and compare screens show it (briefs.export.format_value)."""
    from briefs.export import format_value as fmt

    return fmt(value)


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


def _wrap_segments(segments: Iterable[tuple[str, bool]], width: int, lines: int) -> list[list[tuple[str, bool]]]:
    """Word-wrap (text, is_match) segments into at most ``lines`` lines of ``width`` cells, the last one
    ending in "…" when text is left over. Plain Python: far cheaper than Rich layout for every result."""
    words: list[tuple[str, bool]] = []
    for raw, match in segments:
        for n, w in enumerate(sanitize(raw).replace("\n", " ").split(" ")):
            if n:
                words.append((" ", False))
            if w:
                words.append((w, match))
    out: list[list[tuple[str, bool]]] = [[]]
    used = 0
    for n, (w, match) in enumerate(words):
        if w == " ":
            if used and used < width:
                out[-1].append((" ", False))
                used += 1
            continue
        room = width - 2 if len(out) == lines else width  # the last line keeps room for " …"
        if used + len(w) > room and used:
            if len(out) == lines:
                while out[-1] and out[-1][-1][0] == " ":
                    out[-1].pop()
                out[-1].append((" …", False))
                return out
            out.append([])
            used = 0
        out[-1].append((w[:width], match))
        used += min(len(w), width)
    return out


def snippet_text(segments: Iterable[tuple[str, bool]], limit: int = 200) -> Text:
    """(text, is_match) segments on one line, matches bold and underlined, cut near ``limit`` characters."""
    t = Text(end="")
    for line in _wrap_segments(segments, limit, 1):
        for w, match in line:
            t.append(w, style=MATCH if match else "")
    return t


ITALIC = Style(italic=True)


def result_lines(*, marked: bool, title: str, outlet: str | None, published, article_id: str,
                 snippet: Iterable[tuple[str, bool]] | None = None, width: int = 78,
                 lines: int = 2) -> list[list[tuple[str, Style | None]]]:
    """One result as lines of (text, style) pieces (for tui.widgets.results.ResultList): a mark column,
    then the title, the outlet/date/id line and the snippet wrapped into ``lines`` lines under the title
    (not under the mark). Plain Python: no Rich layout, so a page of results costs next to nothing."""
    title_s = safe(title) or "(untitled)"
    if len(title_s) > width - 2:
        title_s = title_s[: max(1, width - 3)].rstrip() + "…"
    out: list[list[tuple[str, Style | None]]] = [[(f"{MARK if marked else ' '} ", TITLE), (title_s, TITLE)]]
    meta = f" · {date_label(published)} · {article_id}" + (" · marked" if marked else "")
    out.append([("  ", None), (safe(outlet) or "unknown outlet", ITALIC), (meta, DIM)])
    if snippet is not None:
        for line in _wrap_segments(snippet, max(20, width - 2), lines):
            out.append([("  ", None)] + [(w, MATCH if match else None) for w, match in line])
    return out


def lines_text(lines: list[list[tuple[str, Style | None]]]) -> Text:
    """Lines from result_lines as one Text (for tests and plain output)."""
    t = Text(end="")
    for n, line in enumerate(lines):
        if n:
            t.append("\n")
        for w, style in line:
            t.append(w, style=style or "")
    return t
