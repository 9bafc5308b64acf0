"""Figures across articles: each figure as one article states it (a Mention), grouped by the counted
thing and magnitude into sides that agree; a group with two or more sides is a disagreement when two
different articles set its values against each other (see ``opposed``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

__all__ = ["Mention", "group_figures", "opposed", "SameFn", "STAGES", "AGREE", "MAGNITUDE_SPAN", "MAGNITUDE_SLACK"]

AGREE = 0.02  # values within 2 % of each other state the same figure ("nearly 1,500" and "1,500")
MAGNITUDE_SPAN = 1.6  # values about one counted thing further apart than this are different figures
MAGNITUDE_SLACK = 25  # ... unless they are small counts this close (a toll of 4, then 9, then 11)
STAGE_SPAN = 4.0  # one stage of a whole ("the first wave of about 1,000" / "the first cadre of 2,600") is one
#                   figure however far its values are apart: what is counted says so, not the magnitude
STAGES = frozenset({"first", "second", "third", "next", "last"})  # the stage qualifiers of briefs.figures keys


@dataclass(frozen=True, slots=True)
class Mention:
    """A figure as one article states it."""

    article_id: str
    paragraph: int
    sentence_index: int
    value: float
    hedge: str | None
    counted: str | None
    counted_key: str
    text: str  # the figure as written, e.g. "nearly 1,500"
    sentence: str
    attributed_to: str | None


SameFn = Callable[[Mention, Mention], bool]


def opposed(cluster: list[list[Mention]], same: SameFn | None = None) -> list[tuple[int, int, Mention, Mention]]:
    """The pairs of sides (i, j) that two different articles set against each other, with one such pair
    of mentions each: article A states side i's value and none of side j's, article B the reverse, and
    ``same(a, b)`` (when given) holds: the two figures are about the same subject and event.

    Two figures of one article are never set against each other: if A says 5 and 18 and B says 18,
    5 against 18 is A's own two figures (say five of 18 cases), not a disagreement with B."""
    articles = [{m.article_id for m in side} for side in cluster]
    out = []
    for i in range(len(cluster)):
        for j in range(i + 1, len(cluster)):
            pair = next(((a, b) for a in cluster[i] if a.article_id not in articles[j]
                         for b in cluster[j] if b.article_id not in articles[i]
                         and (same is None or same(a, b))), None)
            if pair:
                out.append((i, j, *pair))
    return out


def group_figures(mentions: Iterable[Mention], same: SameFn | None = None) -> list[list[list[Mention]]]:
    """Figures about one counted thing and of one magnitude, split into sides that agree.

    Mentions are grouped by counted_key, then into magnitude clusters (a cluster never spans more
    than MAGNITUDE_SPAN between its smallest and largest value, so 11,000, 12,000 and "ten thousand"
    troops are one cluster and a 1.2 million army another), then into sides of agreeing values.
    A cluster keeps two or more sides only when they are ``opposed`` (different articles, the same
    subject by ``same``); every other side is a cluster of its own: a figure nobody disputes.
    """
    by_key: dict[str, dict[tuple, tuple[int, Mention]]] = defaultdict(dict)
    for n, m in enumerate(mentions):  # ties go to the order given (the card's reading order), never the id
        by_key[m.counted_key].setdefault((m.article_id, m.sentence_index, m.value), (n, m))
    clusters: list[list[list[Mention]]] = []
    for key in sorted(by_key):
        ordered = [m for _, m in sorted(by_key[key].values(), key=lambda x: (x[1].value, x[0]))]
        span = STAGE_SPAN if STAGES & set(key.split("|")[1:]) else MAGNITUDE_SPAN
        for cluster in _split(ordered, lambda lo, v: v > lo * span and v - lo > MAGNITUDE_SLACK):
            sides = _split(cluster, lambda lo, v: v - lo > AGREE * max(abs(v), 1e-9))
            if len(sides) < 2:
                clusters.append(sides)
                continue
            kept = sorted({k for i, j, _, _ in opposed(sides, same) for k in (i, j)})
            if len(kept) >= 2:
                clusters.append([sides[k] for k in kept])
            clusters.extend([side] for k, side in enumerate(sides) if k not in kept)
    return clusters


def _split(ordered: list[Mention], starts_new: Callable[[float, float], bool]) -> list[list[Mention]]:
    """Cut a list sorted by value wherever ``starts_new(first value of the run, value)`` holds."""
    runs: list[list[Mention]] = []
    for m in ordered:
        if runs and not starts_new(runs[-1][0].value, m.value):
            runs[-1].append(m)
        else:
            runs.append([m])
    return runs
