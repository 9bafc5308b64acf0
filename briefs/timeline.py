"""The timeline: dated events of the articles, one entry per date and claim.

An undated article's "October 18" is still part of the story: placed from an explicit date with a year joined
to it ("in June and July 2009"; ``dates.place_in_context``), else shown as a partial date ("18 Oct,
year not given"), after the dated entries and in month-day order. A weekday or "last week" with nothing to
anchor it is not placed: the card never makes up a date.
"""

from __future__ import annotations

import re

from .cardmodel import Location, TimelineEntry
from .dates import is_anchor, month_day, partial_label, place_in_context
from .prepare import Prepared

__all__ = ["timeline", "MAX_TIMELINE"]

MAX_TIMELINE = 20


_JOINED = re.compile(r"\s*,?\s*(?:and|or|to|through|until|till|[-–—])\s+(?:the\s+)?(?:(?:early|late|mid)-?\s*)?$", re.I)
_YEAR_AFTER = re.compile(r"\s*,?\s*\d{4}\b")


def _coordinated(d, following: list) -> list:
    """The dated mentions (with their year written) joined to ``d`` in its sentence: "in June and July 2009",
    "on March 3 and April 5, 2012". Only these give ``d`` their year: a year elsewhere in the sentence or
    paragraph is often another event's ("sentenced in June for the April 15, 2013, bombing" is June 2015)."""
    at = d.sentence.find(d.text)
    out = []
    for a in following:
        if a.sentence != d.sentence or not is_anchor(a):
            continue
        where = d.sentence.find(a.text, at + len(d.text))
        if at >= 0 and where >= 0 and _JOINED.fullmatch(d.sentence[at + len(d.text):where]):
            out.append(a)
    return out


def _year_written_after(d) -> bool:
    """"March 31, 1866": a year the date patterns do not read (before 1900) is still a year given."""
    at = d.sentence.find(d.text)
    return at >= 0 and bool(_YEAR_AFTER.match(d.sentence, at + len(d.text)))


def _placed(dates: list, paragraph_of: dict[str, int]) -> list[tuple]:
    """(mention, year_from) for each mention, a year-less one placed from a dated mention joined to it."""
    out = []
    for n, d in enumerate(dates):
        if d.start is not None or d.sentence not in paragraph_of:
            out.append((d, None))
            continue
        for anchor in _coordinated(d, dates[n + 1:n + 3]):
            placed = place_in_context(d, [anchor.start])
            if placed.start is not None:
                out.append((placed, anchor.text))
                break
        else:
            out.append((d, None))
    return out


def timeline(prep: Prepared) -> list[TimelineEntry]:
    """Dated events, oldest first, then the partial dates; one entry per date and claim, with every article
    that states it."""
    claim_of = {(u.article_id, u.text): n for n, c in enumerate(prep.claims) for u in c.own}
    entries: dict[tuple, TimelineEntry] = {}
    for a in prep.articles:
        ex = prep.extractions[a.id]
        where = {s.text: s.paragraph for s in reversed(ex.sentences)}
        for d, year_from in _placed(ex.dates, where):
            if d.sentence not in where:
                continue
            group = claim_of.get((a.id, d.sentence), (a.id, d.sentence))
            if d.start is not None:
                end = d.end if d.end and d.end != d.start else None
                key = (d.start, end, group)
                entry = TimelineEntry(d.start, end, d.sentence, d.text, [], year_from=year_from)
            else:
                parts = month_day(d.text)
                if parts is None or _year_written_after(d):
                    continue  # a weekday, "last week": relative to a date the article does not give
                first, last = parts
                iso = first.iso() + (f"/{last.iso()}" if last and last != first else "")
                key = (iso, group)
                entry = TimelineEntry(None, None, d.sentence, d.text, [], year_known=False, month_day=iso,
                                      partial=partial_label(first, last))
            loc = Location(a.id, where[d.sentence])
            entry = entries.setdefault(key, entry)
            if loc not in entry.locations:
                entry.locations.append(loc)
    ranked = sorted(entries.values(), key=lambda e: (-prep.independent(e.sources), _order(e)))[:MAX_TIMELINE]
    return sorted(ranked, key=_order)


def _order(e: TimelineEntry) -> tuple:
    """Dated entries by date, then the partial ones by month and day (their year is not known)."""
    if e.date is not None:
        return (0, e.date.isoformat(), (e.end or e.date).isoformat(), e.text)
    return (1, e.month_day or "", "", e.text)
