"""Preparing articles for a card or a comparison: extraction (cached), sentences as alignment units,
figures as mentions, claims aligned across articles, and each article keyed to its independent source."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from index.model import Article

from .align import BIG_SAMPLE, Claim, Unit, Vectorizer, align
from .figures import BARE_AMOUNTS
from .mentions import Mention
from .sources import Support, copy_groups, source_keys, support

__all__ = ["Prepared", "prepare", "reading_order", "ProgressFn", "vector", "dot", "claim_of"]

ProgressFn = Callable[[str, int, int], None]


@dataclass(slots=True)
class Prepared:
    """The articles of a card or comparison with their extractions, aligned."""

    articles: list[Article]
    extractions: dict[str, object]
    units: list[Unit]
    vectorizer: Vectorizer
    claims: list[Claim]
    mentions: list[Mention]
    keys: dict[str, str]  # article id -> independent source key (sources.UNKNOWN for every unknown outlet)
    copies: dict[str, str] = field(default_factory=dict)  # article id -> its group of near-duplicate copies
    reduced: dict[str, int] = field(default_factory=dict)  # what a big card bounded (see BIG_CARD), for the card to say

    @property
    def rank(self) -> dict[str, int]:
        """article id -> its place in reading_order (what ties are broken by, never the id)."""
        return {a.id: n for n, a in enumerate(self.articles)}

    def independent(self, article_ids: Iterable[str]) -> int:
        """Independent sources among these articles: known outlets, and the unknown-outlet articles as one."""
        return len({self.keys[a] for a in article_ids})

    def texts(self, article_ids: Iterable[str]) -> int:
        """Different texts among these articles (near-duplicate copies count once), whatever their outlets:
        what ranks a claim four pasted articles carry above one of them, though both weigh as one source."""
        return len({self.copies.get(a, a) for a in article_ids})

    def support(self, article_ids: Iterable[str]) -> Support:
        """Articles, known outlets and unknown-outlet articles among these (sources.Support)."""
        return support(article_ids, self.keys)

    def unknown_outlet_articles(self, article_ids: Iterable[str]) -> int:
        return self.support(article_ids).unknown


def _extract_all(articles: list[Article], cache, progress: ProgressFn | None) -> dict[str, object]:
    if cache is None:
        from .extract import ExtractionCache

        cache = ExtractionCache(None)
    if hasattr(cache, "get_many"):
        return cache.get_many(articles, progress)
    out = {}
    for n, article in enumerate(articles, 1):
        out[article.id] = cache.get(article)
        if progress:
            progress("extracting", n, len(articles))
    return out


# From BIG_CARD articles a card bounds the work of comparing sentences, and says so (Card.reduced): it
# aligns about BIG_UNITS sentences (the first of each article, at least BIG_MIN_SENTENCES each), and two
# sentences are compared only when they share words found in at most CANDIDATE_DF of them. Below it,
# nothing is bounded beyond the first 15 sentences of each article (every sentence of a few articles).
BIG_CARD = 200
BIG_UNITS = 3000
BIG_MIN_SENTENCES = 3
CANDIDATE_DF = 100


def _sentence_cap(n_articles: int) -> int:
    """Sentences per article used for alignment: all of them for a few articles, the first 15 for many,
    fewer from BIG_CARD articles on (about BIG_UNITS in all, at least BIG_MIN_SENTENCES each)."""
    if n_articles >= BIG_CARD:
        return max(BIG_MIN_SENTENCES, min(15, BIG_UNITS // n_articles))
    return max(15, 3000 // max(1, n_articles))


def _units(article: Article, extraction, cap: int) -> list[Unit]:
    values: dict[str, list[float]] = defaultdict(list)
    counted: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for f in extraction.figures:
        values[f.sentence].append(float(f.value))
        if f.counted_key and f.counted not in BARE_AMOUNTS:  # "$200,000" alone says nothing of what it is for:
            counted[f.sentence].append((f.counted_key, float(f.value)))  # no sign that two sentences report one thing
    units = []
    for n, s in enumerate(extraction.sentences[:cap]):
        units.append(Unit(article.id, n, s.paragraph, s.text, tuple(values.get(s.text, ())),
                          tuple(counted.get(s.text, ()))))
    return units


def _mentions(article: Article, extraction) -> list[Mention]:
    where = {s.text: (n, s.paragraph) for n, s in reversed(list(enumerate(extraction.sentences)))}
    out = []
    for f in extraction.figures:
        if not f.counted_key or f.sentence not in where:
            continue
        n, para = where[f.sentence]
        out.append(Mention(article.id, para, n, float(f.value), f.hedge, f.counted, f.counted_key, f.text,
                           f.sentence, f.attributed_to))
    return out


def reading_order(article: Article) -> tuple:
    """The order of a card's articles, from their content and metadata only: oldest first, undated last,
    then by outlet, title and content. Never the id, the path or the order the files were read: a card
    over the same articles is the same card whatever their files are called."""
    return (article.published is None, article.published or date.min, (article.outlet or "").casefold(),
            article.title.casefold(), article.content_hash)


def prepare(articles: list[Article], duplicates: Mapping[str, Iterable[str]], cache=None,
            progress: ProgressFn | None = None) -> Prepared:
    """Extract (through the cache), cut into units, align, and key every article to its source."""
    articles = sorted({a.id: a for a in articles}.values(), key=reading_order)
    extractions = _extract_all(articles, cache, progress)
    cap = _sentence_cap(len(articles))
    units = [u for a in articles for u in _units(a, extractions[a.id], cap)]
    if progress:
        progress("aligning", 0, 1)
    vec = Vectorizer(u.text for u in units)
    reduced: dict[str, int] = {}
    if len(articles) >= BIG_CARD:
        longest = max((len(extractions[a.id].sentences) for a in articles), default=0)
        if cap < min(15, longest):
            reduced["sentences_per_article"] = cap
        reduced["candidate_df"] = CANDIDATE_DF
        claims = align(units, vectorizer=vec, max_df=CANDIDATE_DF, sample=BIG_SAMPLE)
    else:
        claims = align(units, vectorizer=vec)
    if progress:
        progress("aligning", 1, 1)
    mentions = [m for a in articles for m in _mentions(a, extractions[a.id])]
    keys = source_keys([a.id for a in articles], {a.id: a.outlet for a in articles}, duplicates)
    copies = copy_groups([a.id for a in articles], duplicates)
    return Prepared(articles, extractions, units, vec, claims, mentions, keys, copies, reduced)


def vector(prep: Prepared, text: str) -> dict[str, float]:
    from .align import tokens

    counts: dict[str, float] = defaultdict(float)
    for stem, _ in tokens(text):
        counts[stem] += prep.vectorizer.idf.get(stem, 1.0)
    norm = math.sqrt(sum(v * v for v in counts.values())) or 1.0
    return {k: v / norm for k, v in counts.items()}


def dot(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    return sum(w * b.get(k, 0.0) for k, w in a.items())


def claim_of(prep: Prepared) -> dict[tuple[str, int], Claim]:
    """(article id, sentence index) -> the claim whose group holds the sentence (not one it only supports)."""
    return {(u.article_id, u.index): c for c in prep.claims for u in c.own}
