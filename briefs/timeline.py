"""The timeline: dated events of the articles, one entry per date and claim, and one sentence once, at the
earliest date it gives (the others listed with it: "2002 (also 2011)").

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

__all__ = ["timeline", "MAX_TIMELINE", "when_label", "entry_label", "entry_written"]

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
    entries = _one_per_claim(entries)
    ranked = sorted(entries.values(), key=lambda e: (-prep.independent(e.sources), _order(e)))[:MAX_TIMELINE]
    return sorted(ranked, key=_order)


def when_label(start, end=None) -> str:
    """2025-03-04; a whole year "1998"; a whole month "2024-08"; a range "2025-03-02 to 03-04"."""
    import calendar

    if end is None or end == start:
        return start.isoformat()
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return str(start.year)
    last = calendar.monthrange(end.year, end.month)[1]
    if start.day == 1 and end.day == last and (start.year, start.month) == (end.year, end.month):
        return f"{start.year}-{start.month:02d}"
    tail = end.isoformat()[5:] if end.year == start.year else end.isoformat()
    return f"{start.isoformat()} to {tail}"


def entry_label(e: TimelineEntry) -> str:
    """When an entry is, as the card shows it: "1998", "2025-03-04", or a partial date that says its year
    is not given ("18 Oct, year not given") — never a made-up year."""
    if e.date is None:
        return e.partial or "year not given"
    return when_label(e.date, e.end)


def entry_written(e: TimelineEntry) -> list[str]:
    """How the entry's dates were written, when that says more than its label: ["“March 4”", "year from
    “2025”", "also “2011”"]; [] for a "1998" shown as 1998."""
    out = []
    if e.when.strip().lower() != entry_label(e).lower():
        out.append(f"“{e.when}”")
    if e.year_from:
        out.append(f"year from “{e.year_from}”")
    if e.also:
        out.append("also " + ", ".join(f"“{w}”" for w in e.also))
    return out


def _one_per_claim(entries: dict[tuple, TimelineEntry]) -> dict[tuple, TimelineEntry]:
    """A sentence that gives several dates ("became an instructor in 2002 and resigned in 2011") is one entry,
    at its earliest date (one whose year is known first), with the others in ``also``: the timeline never
    shows one sentence twice. The sentences of one claim in other articles keep their own dates."""
    by_claim: dict = {}
    for key, entry in entries.items():
        by_claim.setdefault((key[-1], entry.text), []).append((key, entry))
    out: dict[tuple, TimelineEntry] = {}
    for group in by_claim.values():
        group.sort(key=lambda ke: _order(ke[1]))
        key, first = group[0]
        for _, other in group[1:]:
            if other.when != first.when and other.when not in first.also:
                first.also.append(other.when)
            first.locations.extend(loc for loc in other.locations if loc not in first.locations)
        out[key] = first
    return out


def _order(e: TimelineEntry) -> tuple:
    """Dated entries by date, then the partial ones by month and day (their year is not known)."""
    if e.date is not None:
        return (0, e.date.isoformat(), (e.end or e.date).isoformat(), e.text)
    return (1, e.month_day or "", "", e.text)
