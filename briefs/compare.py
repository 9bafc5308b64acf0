"""Comparing two or more articles: what they report alike, the figures they differ on, what only one says."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from index.model import Article

from .align import Unit
from .cardmodel import Disagreement, Passage, SourceInfo
from .disagree import figures_and_disagreements
from .prepare import ProgressFn, prepare

__all__ = ["Comparison", "AlignedClaim", "compare", "MAX_UNIQUE"]

SCHEMA = "brief.compare/1"
MAX_UNIQUE = 8  # sentences shown per article under "only here"


@dataclass(slots=True)
class AlignedClaim:
    """One thing several of the articles report, with each one's wording."""

    sides: list[Passage]
    independent: int  # the articles of unknown outlet count as one source together (briefs.sources)
    unknown_outlet_articles: int = 0

    @property
    def sources(self) -> list[str]:
        return list(dict.fromkeys(p.source for p in self.sides))

    def to_json(self) -> dict:
        return {"sources": self.sources, "independent_sources": self.independent, "articles": len(self.sources),
                "unknown_outlet_articles": self.unknown_outlet_articles,
                "sides": [{"source": p.source, "paragraph": p.paragraph, "text": p.text} for p in self.sides]}


@dataclass(slots=True)
class Comparison:
    sources: list[SourceInfo]
    aligned: list[AlignedClaim]
    differences: list[Disagreement]
    unique: dict[str, list[Passage]]  # article id -> what only it says, in article order (at most MAX_UNIQUE)
    unique_total: dict[str, int] = field(default_factory=dict)  # article id -> how many such sentences it has

    def more_unique(self, article_id: str) -> int:
        """How many sentences only this article says that ``unique`` leaves out (MAX_UNIQUE are shown)."""
        return max(0, self.unique_total.get(article_id, 0) - len(self.unique.get(article_id, ())))

    def to_json(self) -> dict:
        """The `brief compare --json` shape."""
        return {
            "schema": SCHEMA,
            "sources": [s.to_json() for s in self.sources],
            "aligned": [c.to_json() for c in self.aligned],
            "differences": [d.to_json() for d in self.differences],
            "unique": [{"source": aid, "sentences": [{"paragraph": p.paragraph, "text": p.text} for p in passages],
                        "total": self.unique_total.get(aid, len(passages))}
                       for aid, passages in self.unique.items()],
        }


def _distinctive(units: list[Unit]) -> tuple[list[Unit], int]:
    """The sentences most worth showing as said only here (figures first, then early ones; article order),
    and how many there are in all."""
    candidates = [u for u in units if len(u.text.split()) >= 6 and not u.text.rstrip().endswith("?")]
    ranked = sorted(candidates, key=lambda u: (not u.values, u.index))[:MAX_UNIQUE]
    return sorted(ranked, key=lambda u: u.index), len(candidates)


def compare(articles: list[Article], duplicates: Mapping[str, Iterable[str]], cache=None,
            progress: ProgressFn | None = None) -> Comparison:
    """Align two or more articles sentence by sentence; ValueError for fewer than two distinct articles."""
    if len({a.id for a in articles}) < 2:
        raise ValueError("compare needs at least two different articles")
    prep = prepare(articles, duplicates, cache, progress)
    aligned = [AlignedClaim([Passage(u.article_id, u.paragraph, u.text) for u in c.units],
                            prep.independent(c.article_ids), prep.unknown_outlet_articles(c.article_ids))
               for c in prep.claims]
    aligned.sort(key=lambda c: (-len(c.sides), min(p.paragraph for p in c.sides)))
    _, disagreements = figures_and_disagreements(prep)
    differences = [d for d in disagreements if len({s for side in d.claims for s in side.sources}) > 1]
    claimed = {(u.article_id, u.index) for c in prep.claims for u in c.units}
    unique, totals = {}, {}
    for a in prep.articles:
        own = [u for u in prep.units if u.article_id == a.id and (u.article_id, u.index) not in claimed]
        shown, totals[a.id] = _distinctive(own)
        unique[a.id] = [Passage(u.article_id, u.paragraph, u.text) for u in shown]
    sources = [SourceInfo(a.id, a.title, a.outlet, a.author, a.published, a.path) for a in prep.articles]
    return Comparison(sources, aligned, differences, unique, totals)
