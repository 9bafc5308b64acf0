"""Independent sources: which articles of a card count as one source (one outlet; near-duplicate copies),
and how a count of them is said honestly when some outlets are unknown."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = ["UNKNOWN", "Support", "copy_groups", "independent_sources", "source_keys", "support", "support_label", "credibility"]

UNKNOWN = "unknown-outlet"  # the one source key of every article whose outlet is unknown (see source_keys)


def independent_sources(article_ids: Iterable[str], outlets: Mapping[str, str | None],
                        duplicates: Mapping[str, Iterable[str]]) -> int:
    """How many independent sources carry a set of articles.

    Articles of one outlet count once; near-duplicate (syndicated) copies count once, even across
    outlets; all the articles of unknown outlet together count as one source (beside the known outlets),
    never one each: brief cannot know that they are distinct outlets.
    """
    return len(set(source_keys(article_ids, outlets, duplicates).values()))


def outlet_key(outlet: str) -> str:
    """The key of an outlet name: case and spacing folded, a web address's www. and scheme dropped."""
    key = " ".join(outlet.casefold().split())
    for prefix in ("https://", "http://", "www."):
        if key.startswith(prefix):
            key = key[len(prefix):]
    return key.rstrip("/") or key


def source_keys(article_ids: Iterable[str], outlets: Mapping[str, str | None],
                duplicates: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """article id -> a key naming its independent source (see independent_sources): an outlet's key, the
    key of a group of copies that holds a known outlet, or UNKNOWN for every other article."""
    ids = list(dict.fromkeys(article_ids))
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def key(aid: str) -> str:
        outlet = outlets.get(aid)
        return f"outlet:{outlet_key(outlet)}" if outlet and outlet.strip() else f"article:{aid}"

    present = set(ids)
    for aid in ids:
        find(key(aid))
        for other in duplicates.get(aid, ()):
            if other in present:
                a, b = find(key(other)), find(key(aid))
                if a != b:  # an outlet's key names the group, so that it reads as known
                    if b.startswith("outlet:") and not a.startswith("outlet:"):
                        a, b = b, a
                    parent[b] = a
    roots = {aid: find(key(aid)) for aid in ids}
    return {aid: root if root.startswith("outlet:") else UNKNOWN for aid, root in roots.items()}


@dataclass(frozen=True, slots=True)
class Support:
    """Who carries a line: ``articles`` articles; ``outlets`` distinct known outlets (copies merged);
    ``unknown`` of the articles have no known outlet (and are no copy of a known outlet's article)."""

    articles: int
    outlets: int
    unknown: int

    @property
    def independent(self) -> int:
        """The independent sources a grade may rest on: the known outlets, and the unknown ones as one."""
        return self.outlets + (1 if self.unknown else 0)


def support(article_ids: Iterable[str], keys: Mapping[str, str]) -> Support:
    """The Support of these articles, from their source keys (source_keys)."""
    ids = list(dict.fromkeys(article_ids))
    known = {keys.get(a, UNKNOWN) for a in ids} - {UNKNOWN}
    unknown = sum(1 for a in ids if keys.get(a, UNKNOWN) == UNKNOWN)
    return Support(len(ids), len(known), unknown)


def support_label(independent: int, articles: int, unknown: int, noun: str = "source") -> str:
    """How many sources carry a line, honestly: "3 sources"; "5 articles, outlets unknown" (never "5
    sources"); "2 sources + 3 articles, outlets unknown". ``noun`` may be "independent source"."""
    if not unknown:
        return f"{independent} {noun}{'s' * (independent != 1)}"
    pasted = f"{unknown} article{'s' * (unknown != 1)}, outlet{'s' * (unknown != 1)} unknown"
    known = independent - 1
    if known <= 0:
        return pasted
    return f"{known} {noun}{'s' * (known != 1)} + {pasted}"


def credibility(independent: int, contradicted: bool) -> int:
    """The grade of a fact; see CREDIBILITY_RULE. ``independent`` counts the articles of unknown outlet
    as one source together (Support.independent)."""
    if contradicted:
        return 5
    if independent >= 3:
        return 1
    return 2 if independent == 2 else 3


def copy_groups(article_ids: Iterable[str], duplicates: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """article id -> the first id of its group of near-duplicate copies (syndicated or re-posted texts):
    how many different texts carry something, whatever their outlets."""
    order = {aid: n for n, aid in enumerate(dict.fromkeys(article_ids))}
    parent = {aid: aid for aid in order}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for aid in order:
        for other in duplicates.get(aid, ()):
            if other in parent:
                a, b = sorted((find(aid), find(other)), key=order.__getitem__)  # the earlier id names the group
                parent[b] = a
    return {aid: find(aid) for aid in order}
