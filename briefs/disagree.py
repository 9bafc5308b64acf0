"""Figures and the disagreements between them: which values of one counted thing the articles set
against each other, read with their hedges as ranges."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date

from .mentions import Mention, group_figures
from .cardmodel import Disagreement, FigureLine, Location, Side
from .prepare import Prepared

__all__ = ["figures_and_disagreements", "value_range", "compatible", "same_value", "APPROX", "MAX_FIGURES"]

MAX_FIGURES = 25

_AT_MOST = frozenset({"up to", "as many as", "as much as", "at most", "no more than", "less than", "fewer than",
                      "under", "just under", "barely"})
_AT_LEAST = frozenset({"at least", "more than", "over", "well over", "just over", "upwards of", "in excess of",
                       "no fewer than", "no less than", "at least another"})
_NEAR_BELOW = frozenset({"nearly", "almost", "close to"})
APPROX = 0.1  # "about 1,500" reads as 1,350 to 1,650


def value_range(value: float, hedge: str | None) -> tuple[float, float]:
    """The values a hedged figure allows: "up to 12,000" -> (0, 12000), "nearly 11,000" -> (9900, 11000)."""
    h = (hedge or "").lower()
    if h in _AT_MOST:
        return 0.0, value
    if h in _AT_LEAST:
        return value, math.inf
    if h in _NEAR_BELOW:
        return value * (1 - APPROX), value
    if h:
        return value * (1 - APPROX), value * (1 + APPROX)
    return value, value


def compatible(a: Side, b: Side) -> bool:
    lo_a, hi_a = value_range(a.value, a.hedge)
    lo_b, hi_b = value_range(b.value, b.hedge)
    return lo_a <= hi_b * 1.0001 and lo_b <= hi_a * 1.0001


def same_value(a: float, b: float) -> bool:
    return abs(a - b) <= 0.02 * max(abs(a), abs(b), 1e-9)



def _attribution(mentions: Iterable[Mention]) -> str | None:
    """Who the articles credit for a value; "unattributed in N" when some of them credit nobody."""
    mentions = list(mentions)
    names: dict[str, str] = {}
    for m in mentions:
        if m.attributed_to:
            names.setdefault(" ".join(m.attributed_to.replace("’", "'").lower().split()), m.attributed_to)
    if not names:
        return None
    bare = {m.article_id for m in mentions} - {m.article_id for m in mentions if m.attributed_to}
    text = "; ".join(names.values())
    if bare:
        text += f"; unattributed in {len(bare)} article{'s' if len(bare) > 1 else ''}"
    return text


def _side(mentions: list[Mention], published: Mapping[str, date | None], rank: Mapping[str, int]) -> Side:
    first = min(mentions, key=lambda m: (published.get(m.article_id) or date.max, rank[m.article_id],
                                         m.sentence_index))
    dates = [published[m.article_id] for m in mentions if published.get(m.article_id)]
    return Side(first.value, first.hedge, first.sentence, first.text, _attribution(mentions),
                list(dict.fromkeys(Location(m.article_id, m.paragraph) for m in mentions)),
                min(dates) if dates else None)


def _kind(sides: list[Side], mentions: list[list[Mention]], published: Mapping[str, date | None]) -> str:
    """`evolving` when the values follow one another in time without overlap; else `conflict`.

    Undated articles cannot place a value in time: only dated mentions are compared, and a value
    stated by undated articles only is left out of the judgement (two dated values are needed)."""
    spans = []
    for side in mentions:
        dates = [d for d in (published.get(m.article_id) for m in side) if d is not None]
        if dates:
            spans.append((min(dates), max(dates)))
    if len(spans) < 2:
        return "conflict"
    spans.sort()
    if all(later[0] > earlier[1] for earlier, later in zip(spans, spans[1:])):
        return "evolving"
    return "conflict"


def _about(cluster: list[list[Mention]]) -> str:
    counted = Counter(m.counted for side in cluster for m in side if m.counted)
    if counted:
        return counted.most_common(1)[0][0]
    return cluster[0][0].counted_key


def figures_and_disagreements(prep: Prepared) -> tuple[list[FigureLine], list[Disagreement]]:
    """Every distinct figure (by independent support) and every cluster whose values differ."""
    published = {a.id: a.published for a in prep.articles}
    rank = prep.rank
    lines: list[tuple[tuple, FigureLine]] = []
    disagreements: list[Disagreement] = []
    for cluster in group_figures(prep.mentions):
        disputed = len(cluster) > 1
        for side in cluster:
            s = _side(side, published, rank)
            line = FigureLine(s.value, s.hedge, _about([side]), s.text, s.figure, s.attributed_to, s.locations,
                              disputed)
            support = prep.independent(m.article_id for m in side)
            lines.append(((not disputed, -support, min(m.sentence_index for m in side), s.value), line))
        if disputed:
            sides = sorted((_side(side, published, rank) for side in cluster),
                           key=lambda s: (s.published or date.max, s.value))
            disagreements.append(Disagreement(_about(cluster), _kind(sides, cluster, published), sides))
    lines.sort(key=lambda x: x[0])
    kept = [line for _, line in lines[:MAX_FIGURES]]
    kept.sort(key=lambda f: ((f.counted or "").lower(), f.value))
    disagreements.sort(key=lambda d: (d.kind != "conflict", -len(d.claims), d.about.lower()))
    return kept, disagreements
