"""Sentence splitting for news paragraphs, rule-based.

A boundary is terminal punctuation (``.``, ``!``, ``?``, ``…``), then any closing quotes or brackets,
then a sentence start: whitespace and a capital, digit or opening quote, or an opening quote glued
straight on (``"Q1.""Q2."``). It is not a boundary after a title (``Mr.``, ``Lt.``, ``Gen.``, ``No. 5``),
and after other abbreviations (``U.S.``, ``Jan.``, ``Jr.``, ``e.g.``) or an initial (``Joseph S. Bermudez``)
only when the next word is a common sentence opener (``U.S. The ...``). Decimals never split: a
boundary needs whitespace or a glued quote after the punctuation, or (text whose paragraph breaks were lost,
as in scraped pages: ``declared emergencies.If Irene follows``) a period glued between a word of two or more
lowercase letters or a number and a capitalised word (``on.Up``, ``2008.Facing``), or between a name and a
common opener (``Virginia.The``), never after an abbreviation or inside a dotted name (``U.S.Army``,
``Washington.Post``).
"""

from __future__ import annotations

import functools

import re

__all__ = ["split_sentences", "sentence_spans"]

# Titles stand before a name: a period after them never ends a sentence.
_TITLES = frozenset("""
mr mrs ms dr prof st lt gen col capt cpt sgt maj adm cmdr rep sen gov pres rev hon fr brig
""".split())
# Abbreviations that may end a sentence: split after them only before a common sentence opener.
_ABBREVIATIONS = frozenset("""
jr sr inc ltd co corp bros etc vs jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur
thurs fri sat sun approx est dept univ ave blvd mt ft
""".split())
# Words that usually open a sentence; after an abbreviation they still mark a boundary.
_OPENERS = frozenset("""
the a an this that these those it its he she they we i you his her their our there here but and so yet
however meanwhile later earlier still also then now in on at for after before when while if as since despite
although though many some most others other what why how who where one both each such no not
""".split())

_OPENING_QUOTES = "\"“‘"
_CANDIDATE = re.compile(r"(?:[.!?]+|…)[”’)\]']*\"?[”’)\]']*")  # at most one straight quote: '.""' is close + open
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")
_GLUED_BEFORE = re.compile(r"(?:^|[\s(\"“‘])([a-z]*[a-z]{2}|[0-9]{2,}|[A-Z][a-z]+)$")  # "emergencies", "2008"; not "U.S"
_GLUED_AFTER = re.compile(r"[A-Z][a-z]")  # "If", "Up", "Facing"


def sentence_spans(paragraph: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of ``paragraph``, surrounding whitespace excluded."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _CANDIDATE.finditer(paragraph):
        end = match.end()
        if _is_boundary(paragraph, match.start(), end):
            _add_span(paragraph, start, end, spans)
            start = end
    _add_span(paragraph, start, len(paragraph), spans)
    return spans


def split_sentences(paragraph: str) -> list[str]:
    """The sentences of ``paragraph`` in order."""
    return list(_split(paragraph))  # a list of the caller's own: the cached tuple is shared


@functools.lru_cache(maxsize=1024)  # extraction splits each paragraph twice (its sentences, then its names)
def _split(paragraph: str) -> tuple[str, ...]:
    return tuple(paragraph[a:b] for a, b in sentence_spans(paragraph))


def _add_span(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    """Append text[start:end] stripped of whitespace, when anything is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        spans.append((start, end))


def _is_boundary(text: str, punct_start: int, end: int) -> bool:
    """Whether the punctuation run text[punct_start:end] ends a sentence."""
    rest = text[end:]
    closed_quote = end > punct_start + 1 and text[end - 1] in "\"”"
    if closed_quote and rest[:1] and (rest[0] in _OPENING_QUOTES or rest[0].isupper()):
        return True  # glued: '"Q1.""Q2."' or '"Q2."Speaker Name'
    stripped = rest.lstrip()
    if not stripped:
        return False  # the paragraph end closes the last sentence anyway
    if len(stripped) == len(rest):  # no whitespace: a decimal, "U.S", a glued word...
        return _glued_boundary(text, punct_start, end)  # ...or a lost paragraph break
    next_word = _next_word(stripped)
    if not _starts_sentence(stripped):
        return False
    if text[punct_start] != ".":
        return True
    return not _is_abbreviation(text[:punct_start + 1], next_word)


def _glued_boundary(text: str, punct_start: int, end: int) -> bool:
    """"emergencies.If Irene": a period (only) between a lowercase word or a number and a capitalised word."""
    if text[punct_start:end] != "." or not _GLUED_AFTER.match(text, end):
        return False
    match = _GLUED_BEFORE.search(text, 0, punct_start)
    if not match:
        return False
    word = match.group(1).lower()
    if word in _TITLES or word in _ABBREVIATIONS or word == "no":
        return False
    # After a capitalised word only before a common opener: "in Virginia.The", not "Washington.Post".
    return not match.group(1)[0].isupper() or _next_word(text[end:]).lower() in _OPENERS


def _starts_sentence(rest: str) -> bool:
    """Whether text starting at ``rest`` can open a sentence."""
    first = rest.lstrip(_OPENING_QUOTES + "([")
    return bool(first) and (first[0].isupper() or first[0].isdigit())


def _next_word(rest: str) -> str:
    match = re.match(r"[\"“‘(\[]*([^\W_]+)", rest)
    return match.group(1) if match else ""


def _is_abbreviation(before: str, next_word: str) -> bool:
    """Whether the period ending ``before`` belongs to an abbreviation rather than ending a sentence."""
    match = _WORD_BEFORE.search(before)
    if not match:
        return False
    word = match.group(1)
    key = word.lower().rstrip(".")
    if key in _TITLES:
        return True
    if key == "no":
        return next_word[:1].isdigit()
    dotted = "." in word  # U.S., e.g., a.m.
    initial = len(word) == 1 and word.isupper()
    if key in _ABBREVIATIONS or dotted or initial:
        return next_word.lower() not in _OPENERS
    return False
