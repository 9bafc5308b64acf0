"""People, organizations, places and quotes across the articles of a card.

A card holds every actor and every quote the extractor found: nothing is cut here. MAX_ACTORS and
MAX_QUOTES are how many of them Markdown and the app show before saying how many more there are
(``more_quotes`` words it); JSON holds them all.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from .cardmodel import Actor, QuoteLine, quotes_by_speaker, speaker_names

if TYPE_CHECKING:  # the app's card screen imports the caps from here: keep it light
    from .prepare import Prepared

__all__ = ["actors", "quotes", "quotes_by_speaker", "more_quotes", "MAX_ACTORS", "MAX_QUOTES"]

MAX_ACTORS = 15  # people (and organisations, places) shown before "... and N more"; the card holds them all
MAX_QUOTES = 10  # quotes shown before "... and N more quotes from M speakers"; the card holds them all


def _name(x) -> str:
    return x if isinstance(x, str) else x.name


def _mention_count(item) -> int:
    mentions = getattr(item, "mentions", 1)
    return len(mentions) if isinstance(mentions, (list, tuple)) else int(mentions or 1)


def actors(prep: Prepared, kind: str) -> list[Actor]:
    """Every person, organization or place across the articles, merged by name, most widely cited first
    (then most mentioned); the first MAX_ACTORS are the ones shown."""
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
    return ranked


def quotes(prep: Prepared) -> list[QuoteLine]:
    """Every quote, each once (the earliest article that carries it). The first MAX_QUOTES are the ones
    shown (each speaker's first quote before anyone's second, attributed before unattributed), then the
    rest; each part attributed first, in reading order."""
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
    names = speaker_names(lines)  # "Mr. Musk" and "Mr Musk" are one speaker (never "Musk" and "Elon Musk")
    first_of_speaker: set[str] = set()
    rank = []
    for n, q in enumerate(lines):
        fresh = q.speaker is not None and names[q.speaker] not in first_of_speaker
        if fresh:
            first_of_speaker.add(names[q.speaker])
        rank.append((not fresh, q.speaker is None, order[q.source], n))
    ranked = [n for _, n in sorted(zip(rank, range(len(lines))))]
    shown, rest = sorted(ranked[:MAX_QUOTES]), ranked[MAX_QUOTES:]

    def display(n: int) -> tuple:
        return lines[n].speaker is None, order[lines[n].source], n

    return [lines[n] for n in sorted(shown, key=display) + sorted(rest, key=display)]


def more_quotes(lines: list[QuoteLine], shown: int = MAX_QUOTES) -> str:
    """"16 more quotes from 9 speakers" for the quotes after the first ``shown`` ("" when there are none)."""
    rest = lines[shown:]
    if not rest:
        return ""
    names = speaker_names(lines)
    speakers = len({names[q.speaker] for q in rest if q.speaker is not None})
    unattributed = sum(q.speaker is None for q in rest)
    text = f"{len(rest)} more quote{'s' * (len(rest) != 1)}"
    by = f"from {speakers} speaker{'s' * (speakers != 1)}"
    if not unattributed:
        return f"{text} {by}"
    if not speakers:
        return f"{text} with no stated speaker"
    return f"{text}: {len(rest) - unattributed} {by}, {unattributed} with no stated speaker"
