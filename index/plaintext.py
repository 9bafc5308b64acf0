"""Metadata heuristics for plain text.  (STUB: owned by the cleaning helper.)

parse_plain_text(text) -> PlainDoc: title (a first line that reads as a headline, else derived from the
lede), author (byline or "About the Author" bio), outlet (only when the text names it; never invented),
published (a dateline when present), and the cleaned paragraphs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .clean import clean_text


@dataclass(slots=True)
class PlainDoc:
    title: str
    paragraphs: list[str]
    author: str | None = None
    outlet: str | None = None
    published: date | None = None
    tags: list[str] = field(default_factory=list)


def derive_title(paragraphs: list[str], limit: int = 90) -> str:
    if not paragraphs:
        return "(untitled)"
    first = paragraphs[0]
    return first if len(first) <= limit else first[: limit - 1].rsplit(" ", 1)[0] + "…"


def parse_plain_text(text: str) -> PlainDoc:
    paragraphs = clean_text(text)
    return PlainDoc(title=derive_title(paragraphs), paragraphs=paragraphs)
