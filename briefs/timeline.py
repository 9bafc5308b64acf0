"""The timeline: dated events of the articles, one entry per date and claim."""

from __future__ import annotations

from .cardmodel import Location, TimelineEntry
from .prepare import Prepared

__all__ = ["timeline", "MAX_TIMELINE"]

MAX_TIMELINE = 20


def timeline(prep: Prepared) -> list[TimelineEntry]:
    """Dated events, oldest first; one entry per date and claim, with every article that states it."""
    claim_of = {(u.article_id, u.text): n for n, c in enumerate(prep.claims) for u in c.own}
    entries: dict[tuple, TimelineEntry] = {}
    for a in prep.articles:
        ex = prep.extractions[a.id]
        where = {s.text: s.paragraph for s in reversed(ex.sentences)}
        for d in ex.dates:
            if d.start is None or d.sentence not in where:
                continue
            end = d.end if d.end and d.end != d.start else None
            group = claim_of.get((a.id, d.sentence), (a.id, d.sentence))
            key = (d.start, end, group)
            loc = Location(a.id, where[d.sentence])
            if key in entries:
                if loc not in entries[key].locations:
                    entries[key].locations.append(loc)
            else:
                entries[key] = TimelineEntry(d.start, end, d.sentence, d.text, [loc])
    ranked = sorted(entries.values(), key=lambda e: (-prep.independent(e.sources), e.date))[:MAX_TIMELINE]
    return sorted(ranked, key=lambda e: (e.date, e.end or e.date, e.text))
