"""Independent sources: which articles of a card count as one source (one outlet; near-duplicate copies)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

__all__ = ["independent_sources", "source_keys", "credibility"]


def independent_sources(article_ids: Iterable[str], outlets: Mapping[str, str | None],
                        duplicates: Mapping[str, Iterable[str]]) -> int:
    """How many independent sources carry a set of articles.

    Articles of one outlet count once; near-duplicate (syndicated) copies count once, even across
    outlets; an article of unknown outlet is a source of its own unless it is a copy of another.
    """
    return len(set(source_keys(article_ids, outlets, duplicates).values()))


def source_keys(article_ids: Iterable[str], outlets: Mapping[str, str | None],
                duplicates: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """article id -> a key naming its independent source (see independent_sources)."""
    ids = list(dict.fromkeys(article_ids))
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def key(aid: str) -> str:
        outlet = outlets.get(aid)
        return f"outlet:{' '.join(outlet.lower().split())}" if outlet else f"article:{aid}"

    present = set(ids)
    for aid in ids:
        find(key(aid))
        for other in duplicates.get(aid, ()):
            if other in present:
                parent[find(key(other))] = find(key(aid))
    return {aid: find(key(aid)) for aid in ids}


def credibility(independent: int, contradicted: bool) -> int:
    """The grade of a fact; see CREDIBILITY_RULE."""
    if contradicted:
        return 5
    if independent >= 3:
        return 1
    return 2 if independent == 2 else 3
