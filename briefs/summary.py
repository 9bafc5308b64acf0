"""The bottom line: 1-3 sentences central to the articles, early in their article and corroborated."""

from __future__ import annotations

import math
from collections import defaultdict

from .align import THRESHOLD, Claim, similarity
from .cardmodel import Location, SummaryLine
from .prepare import Prepared, claim_of, dot, vector

__all__ = ["summary", "MAX_SUMMARY"]

MAX_SUMMARY = 3


def summary(prep: Prepared) -> list[SummaryLine]:
    """1-3 sentences central to the articles, early in their article and corroborated, not repeating each other."""
    centroid: dict[str, float] = defaultdict(float)
    for v in prep.vectorizer.vectors:
        for k, w in v.items():
            centroid[k] += w
    norm = math.sqrt(sum(w * w for w in centroid.values())) or 1.0
    claims_of = claim_of(prep)
    rank = prep.rank
    position = {(u.article_id, u.index): i for i, u in enumerate(prep.units)}
    features = prep.vectorizer.features
    scored = []
    for i, u in enumerate(prep.units):
        words = len(u.text.split())
        if not 8 <= words <= 50 or u.text.rstrip().endswith("?") or u.text.lstrip()[:1] in "\"“'‘":
            continue
        claim = claims_of.get((u.article_id, u.index))
        # corroborated by the sentences of its claim that report what this one does (not only a part of the claim)
        units = [x for x in claim.units if x is u or similarity(u, x, features[i], features[position[
            (x.article_id, x.index)]]) >= THRESHOLD] if claim else [u]
        central = dot(prep.vectorizer.vectors[i], centroid) / norm
        score = central + 0.25 / (1 + u.index) + 0.15 * min(prep.independent(x.article_id for x in units) - 1, 3)
        scored.append((-score, rank[u.article_id], u.index, u, claim, units))
    scored.sort(key=lambda s: s[:3])
    picked: list[SummaryLine] = []
    vectors: list[dict[str, float]] = []
    used: list[Claim] = []
    for _, _, _, u, claim, units in scored:
        if claim is not None and any(claim is c for c in used):
            continue  # one line per claim
        vec = vector(prep, u.text)
        if any(dot(vec, v) > 0.35 for v in vectors):
            continue
        picked.append(SummaryLine(u.text, [Location(x.article_id, x.paragraph) for x in units]))
        vectors.append(vec)
        if claim is not None:
            used.append(claim)
        if len(picked) == MAX_SUMMARY:
            break
    return picked
