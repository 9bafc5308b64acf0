"""People, organizations, places and quotes across the articles of a card."""

from __future__ import annotations

from collections import Counter, defaultdict

from .cardmodel import Actor, QuoteLine
from .prepare import Prepared

__all__ = ["actors", "quotes", "MAX_ACTORS", "MAX_QUOTES"]

MAX_ACTORS = 15
MAX_QUOTES = 10


def _name(x) -> str:
    return x if isinstance(x, str) else x.name


def _mention_count(item) -> int:
    mentions = getattr(item, "mentions", 1)
    return len(mentions) if isinstance(mentions, (list, tuple)) else int(mentions or 1)


def actors(prep: Prepared, kind: str) -> list[Actor]:
    """People, organizations or places across the articles, merged by name, most widely cited first."""
    merged: dict[str, Actor] = {}
    roles: dict[str, Counter] = defaultdict(Counter)
    for a in prep.articles:
        for item in getattr(prep.extractions[a.id].entities, kind):
            name = _name(item)
            key = " ".join(name.lower().split())
            actor = merged.setdefault(key, Actor(name, None, []))
            if a.id not in actor.sources:
                actor.sources.append(a.id)
            actor.mentions += _mention_count(item)
            if getattr(item, "role", None):
                roles[key][item.role] += 1
    for key, actor in merged.items():
        if roles[key]:
            actor.role = roles[key].most_common(1)[0][0]
    ranked = sorted(merged.values(), key=lambda x: (-prep.independent(x.sources), -x.mentions, x.name.lower()))
    return ranked[:MAX_ACTORS]


def quotes(prep: Prepared) -> list[QuoteLine]:
    """Attributed quotes first, each quote once (the earliest article that carries it)."""
    order = prep.rank  # oldest first (prepare.reading_order)
    lines: list[QuoteLine] = []
    seen: set[str] = set()
    for a in sorted(prep.articles, key=lambda a: order[a.id]):
        for q in prep.extractions[a.id].quotes:
            key = " ".join(q.text.lower().split())[:80]
            if key in seen:
                continue
            seen.add(key)
            lines.append(QuoteLine(q.speaker, q.role, q.text, a.id, q.paragraph_index, getattr(q, "via", None)))
    first_of_speaker: set[str] = set()
    rank = []
    for n, q in enumerate(lines):
        fresh = q.speaker is not None and q.speaker not in first_of_speaker
        if fresh:
            first_of_speaker.add(q.speaker)
        rank.append((not fresh, q.speaker is None, order[q.source], n))
    picked = [q for _, q in sorted(zip(rank, lines), key=lambda x: x[0])][:MAX_QUOTES]
    picked.sort(key=lambda q: (q.speaker is None, order[q.source], lines.index(q)))
    return picked
