"""Small HTML fragments (feed entries, raw HTML inside Markdown) turned into plain paragraphs.

Block elements and ``<br>`` end a paragraph, entities are decoded, scripts and styles are
dropped. Whole web pages go through trafilatura instead (see ``index.readers``).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["html_to_paragraphs"]

_LONE_LT = re.compile(r"<(?![A-Za-z/!?])")  # a "<" that cannot start a tag, a comment or a declaration

_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p",
    "pre", "section", "table", "tr", "ul",
})
_CELL_TAGS = frozenset({"td", "th"})
_SKIPPED_TAGS = frozenset({"script", "style", "template", "noscript", "svg", "iframe", "object", "head"})


class _ParagraphCollector(HTMLParser):
    """Collects text runs, cutting a new paragraph at every block boundary."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self._parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping += 1
        elif tag in _BLOCK_TAGS:
            self.flush()
        elif tag in _CELL_TAGS:
            self._parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.flush()

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self._parts.append(data)

    def flush(self) -> None:
        text = " ".join("".join(self._parts).split())
        if text:
            self.paragraphs.append(text)
        self._parts = []


def _defuse(html: str) -> str:
    """``html`` with the "<" that html.parser would read as text written as ``&lt;``: the same text comes
    out, without the parser's per-character loop over a run of "<", nor its rescan of the rest of the input
    for every "<" after the last ">" (a construct that never ends: quadratic in Python 3.11's html.parser)."""
    last = html.rfind(">")
    head, tail = html[: last + 1], html[last + 1:]
    if "<" in tail:
        tail = tail.replace("<", "&lt;")
    return (_LONE_LT.sub("&lt;", head) if "<" in head else head) + tail


def html_to_paragraphs(html: str) -> list[str]:
    """The visible text of an HTML fragment, one string per paragraph (whitespace collapsed).

    Linear in the size of ``html``, whatever it holds (a megabyte of "<", tags that never close)."""
    collector = _ParagraphCollector()
    collector.feed(_defuse(html))
    collector.close()
    collector.flush()
    return collector.paragraphs
