"""Figures across articles: each figure as one article states it (a Mention), grouped by the counted
thing and magnitude into sides that agree; a group with two or more sides is a disagreement."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

__all__ = ["Mention", "group_figures", "AGREE", "MAGNITUDE_SPAN", "MAGNITUDE_SLACK"]

AGREE = 0.02  # values within 2 % of each other state the same figure ("nearly 1,500" and "1,500")
MAGNITUDE_SPAN = 1.6  # values about one counted thing further apart than this are different figures
MAGNITUDE_SLACK = 25  # ... unless they are small counts this close (a toll of 4, then 9, then 11)


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


def group_figures(mentions: Iterable[Mention]) -> list[list[list[Mention]]]:
    """Figures about one counted thing and of one magnitude, split into sides that agree.

    Mentions are grouped by counted_key, then into magnitude clusters (a cluster never spans more
    than MAGNITUDE_SPAN between its smallest and largest value, so 11,000, 12,000 and "ten thousand"
    troops are one cluster and a 1.2 million army another), then into sides of agreeing values.
    A cluster with two or more sides is a disagreement.
    """
    by_key: dict[str, dict[tuple, tuple[int, Mention]]] = defaultdict(dict)
    for n, m in enumerate(mentions):  # ties go to the order given (the card's reading order), never the id
        by_key[m.counted_key].setdefault((m.article_id, m.sentence_index, m.value), (n, m))
    clusters: list[list[list[Mention]]] = []
    for key in sorted(by_key):
        ordered = [m for _, m in sorted(by_key[key].values(), key=lambda x: (x[1].value, x[0]))]
        for cluster in _split(ordered, lambda lo, v: v > lo * MAGNITUDE_SPAN and v - lo > MAGNITUDE_SLACK):
            clusters.append(_split(cluster, lambda lo, v: v - lo > AGREE * max(abs(v), 1e-9)))
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
