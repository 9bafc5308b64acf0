"""Key facts: aligned claims and informative single-source sentences, each with how many independent
sources carry it and a credibility grade (cardmodel.CREDIBILITY_RULE)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .align import Unit
from .cardmodel import Disagreement, Fact, Passage
from .disagree import compatible, same_value
from .prepare import Prepared, dot, vector
from .sources import credibility

__all__ = ["key_facts", "credibility", "MAX_FACTS"]

MAX_FACTS = 12


def _contradicted(units: Iterable[Unit], disagreements: list[Disagreement], prep: Prepared) -> bool:
    """Whether a sentence of these units states a value that another independent source contradicts,
    with at least as much independent support and a range that cannot overlap (see CREDIBILITY_RULE)."""
    units = list(units)
    for d in disagreements:
        if d.kind != "conflict":
            continue
        for side in d.claims:
            sources = set(side.sources)
            on_side = [u for u in units if u.article_id in sources and any(same_value(side.value, v)
                                                                            for v in u.values)]
            if not on_side:
                continue
            own = {prep.keys[s] for s in side.sources}
            for other in d.claims:
                if other is side or compatible(side, other):
                    continue
                theirs = {prep.keys[s] for s in other.sources} - own
                if theirs and len(theirs) >= len(own):
                    return True
    return False


def _informative(unit: Unit) -> bool:
    """A single-source sentence worth a key fact: it states a figure, or it leads its article."""
    words = len(unit.text.split())
    text = unit.text.strip()
    if text[:1] in "\"“" and text[-1:] in "\"”" and not re.search(r"[\"”][^\"”“]*\w", text[1:-1]):
        return False  # a quote alone: its speaker is elsewhere (the quotes section shows it with the speaker)
    return 6 <= words <= 60 and not text.endswith("?") and (bool(unit.values) or unit.index < 2)


def key_facts(prep: Prepared, disagreements: list[Disagreement]) -> list[Fact]:
    """Aligned claims first (most independent sources first), then informative single-source sentences."""
    candidates: list[tuple[tuple, Unit, list[Unit]]] = []
    claimed: set[tuple[str, int]] = set()
    for claim in prep.claims:
        claimed.update((u.article_id, u.index) for u in claim.units)
        order = (-prep.independent(claim.article_ids), sum(u.index for u in claim.units) / len(claim.units))
        candidates.append((order, claim.representative(), claim.units))
    for u in prep.units:
        if (u.article_id, u.index) not in claimed and _informative(u):
            candidates.append(((-1, u.index + 0.5), u, [u]))
    candidates.sort(key=lambda c: c[0])
    facts: list[Fact] = []
    seen: list[dict[str, float]] = []
    for (neg_support, _), rep, units in candidates:
        vec = vector(prep, rep.text)
        if any(dot(vec, other) > 0.8 for other in seen):
            continue  # (nearly) the text of a fact already kept
        seen.append(vec)
        grade = credibility(-neg_support, _contradicted(units, disagreements, prep))
        facts.append(Fact(rep.text, grade, -neg_support, [Passage(u.article_id, u.paragraph, u.text) for u in units],
                          prep.unknown_outlet_articles(u.article_id for u in units)))
        if len(facts) == MAX_FACTS:
            break
    return facts
