"""Cross-article alignment: sentences in different articles that report the same thing, grouped into claims.

Similarity is lexical (TF-IDF cosine over lightly stemmed content words, proper names weighted up)
plus a bonus for a shared figure. Candidate pairs come from an inverted index on informative tokens
(words that are neither stop words nor common to a large share of the sentences), never from all pairs.
Claims are built greedily from the best pairs down, with at most one sentence per article in a claim,
so one loose link cannot chain unrelated sentences together.
"""

from __future__ import annotations

import functools
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

__all__ = ["Unit", "Claim", "tokens", "align", "similarity", "Vectorizer", "independent_sources", "source_keys",
           "Mention", "group_figures"]

THRESHOLD = 0.36  # similarity from which two sentences report the same thing
FIGURE_BONUS = 0.12  # added when two sentences share a figure (values within 3 %)
FIGURE_MISMATCH = 0.12  # taken off when both state figures and none agree: they report different numbers
GROUP_COHESION = 0.8  # a sentence joins a claim only if its mean similarity to the members is this share of THRESHOLD
NAME_WEIGHT = 1.2  # weight of a capitalised (name-like) token relative to an ordinary word
MIN_SHARED = 2  # informative tokens two sentences must share to be compared

_STOP = frozenset("""
a about above across after again against all almost also although am among an and another any are aren around as
at be became because been before being below between both but by can cannot could did do does doing done down during
each either else even ever every few for from further had has have having he her here hers herself him himself his how
however i if in into is it its itself just least less let like made make many may me might more most much must my
myself near nearly neither no nor not now of off often on once one only onto or other others our ours ourselves out
over own per perhaps put quite rather really said same say says saying see seem seemed seems several shall she should
since so some still such than that the their theirs them themselves then there these they this those though through
thus to told too toward towards under until up upon us very via was we were what whatever when where whether which
while who whom whose why will with within without would yet you your yours yourself also according mr mrs ms
""".split())

_SYNONYMS = {"soldier": "troop", "personnel": "troop", "fighter": "troop"}
_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*[A-Za-z]|[A-Za-z]|\d[\d,.]*\d|\d")


@functools.lru_cache(maxsize=1 << 16)
def _stem(word: str) -> str:
    """A deliberately light English stemmer: plurals and the commonest verb endings."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    w = w.strip("'-")
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if len(w) > 5 and w.endswith("ing"):
        w = w[:-3]
    elif len(w) > 4 and w.endswith("ed"):
        w = w[:-2]
    return _SYNONYMS.get(w, w)


def tokens(text: str) -> list[tuple[str, bool]]:
    """Content tokens of ``text`` as (stem, is_name); numbers lose their separators."""
    out: list[tuple[str, bool]] = []
    for n, m in enumerate(_WORD.finditer(text)):
        word = m.group()
        if word[0].isdigit():
            out.append((word.replace(",", "").rstrip("."), False))
            continue
        lower = word.lower()
        if lower in _STOP or len(lower) < 2:
            continue
        is_name = word[0].isupper() and n > 0
        out.append((_stem(word), is_name))
    return out


@dataclass(frozen=True, slots=True)
class Unit:
    """One sentence of one article, as alignment sees it."""

    article_id: str
    index: int  # sentence number in its article
    paragraph: int  # paragraph index in its article
    text: str
    values: tuple[float, ...] = ()  # values of the figures in the sentence


@dataclass(slots=True)
class Claim:
    """Sentences from different articles that report the same thing (one sentence per article)."""

    units: list[Unit]
    cohesion: dict[int, float] = field(default_factory=dict)  # position in units -> summed similarity

    @property
    def article_ids(self) -> list[str]:
        return [u.article_id for u in self.units]

    def representative(self) -> Unit:
        """The sentence closest to all the others; ties go to the shorter, then the earlier one."""
        best = max(range(len(self.units)),
                   key=lambda i: (round(self.cohesion.get(i, 0.0), 6), -len(self.units[i].text), -self.units[i].index))
        return self.units[best]


class Vectorizer:
    """TF-IDF vectors of sentences, with IDF taken over the sentences being compared."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.token_lists = [tokens(t) for t in texts]
        df: dict[str, int] = defaultdict(int)
        for toks in self.token_lists:
            for stem in {s for s, _ in toks}:
                df[stem] += 1
        self.df = dict(df)
        n = len(self.token_lists)
        self.idf = {s: math.log((n + 1) / (c + 1)) + 1.0 for s, c in df.items()}
        self.vectors = [self._vector(toks) for toks in self.token_lists]

    def _vector(self, toks: list[tuple[str, bool]]) -> dict[str, float]:
        vec: dict[str, float] = defaultdict(float)
        for stem, is_name in toks:
            vec[stem] += self.idf[stem] * (NAME_WEIGHT if is_name else 1.0)
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {k: v / norm for k, v in vec.items()}


def _cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b[k] for k, w in a.items() if k in b)


def _share_value(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return any(x and abs(x - y) <= 0.03 * max(abs(x), abs(y)) for x in a for y in b)


def similarity(a: Unit, b: Unit, va: Mapping[str, float], vb: Mapping[str, float]) -> float:
    """How likely two sentences report the same thing, about 0 to 1.1."""
    score = _cosine(va, vb)
    if a.values and b.values:
        score += FIGURE_BONUS if _share_value(a.values, b.values) else -FIGURE_MISMATCH
    return score


def _candidate_pairs(units: list[Unit], vec: Vectorizer) -> dict[tuple[int, int], int]:
    """Pairs of sentences from different articles that share at least MIN_SHARED informative tokens."""
    n = len(units)
    max_df = max(8, int(n * 0.08))
    postings: dict[str, list[int]] = defaultdict(list)
    for i, toks in enumerate(vec.token_lists):
        for stem in {s for s, _ in toks}:
            if 1 < vec.df[stem] <= max_df:
                postings[stem].append(i)
    shared: dict[tuple[int, int], int] = defaultdict(int)
    for ids in postings.values():
        for x in range(len(ids)):
            i = ids[x]
            for j in ids[x + 1:]:
                if units[i].article_id != units[j].article_id:
                    shared[(i, j)] += 1
    return {p: c for p, c in shared.items() if c >= MIN_SHARED}


def align(units: list[Unit], *, threshold: float = THRESHOLD, vectorizer: Vectorizer | None = None) -> list[Claim]:
    """Group sentences reporting the same thing into claims (only claims of two or more articles).

    ``vectorizer`` must have been built from the units' texts, in order (pass it to reuse it).
    """
    if not units:
        return []
    vec = vectorizer or Vectorizer(u.text for u in units)
    edges = []
    for (i, j) in _candidate_pairs(units, vec):
        score = similarity(units[i], units[j], vec.vectors[i], vec.vectors[j])
        if score >= threshold:
            edges.append((score, i, j))
    edges.sort(key=lambda e: (-e[0], e[1], e[2]))

    def cohesive(left: list[int], right: list[int]) -> bool:
        """Average link: the two groups are, on the whole, about the same thing (no chaining via one pair)."""
        if len(left) == 1 and len(right) == 1:
            return True
        pairs = [similarity(units[x], units[y], vec.vectors[x], vec.vectors[y]) for x in left for y in right]
        return sum(pairs) / len(pairs) >= threshold * GROUP_COHESION

    return _group(units, edges, cohesive)


def _group(units: list[Unit], edges: list[tuple[float, int, int]],
           cohesive: Callable[[list[int], list[int]], bool] | None = None) -> list[Claim]:
    """Greedy merging from the strongest pair down; a claim never holds two sentences of one article."""
    group_of = list(range(len(units)))
    members: dict[int, list[int]] = {i: [i] for i in range(len(units))}
    articles: dict[int, set[str]] = {i: {u.article_id} for i, u in enumerate(units)}
    strength: dict[int, float] = defaultdict(float)
    for score, i, j in edges:
        gi, gj = group_of[i], group_of[j]
        if gi == gj:
            strength[i] += score
            strength[j] += score
            continue
        if articles[gi] & articles[gj]:
            continue
        if cohesive is not None and not cohesive(members[gi], members[gj]):
            continue
        if len(members[gi]) < len(members[gj]):
            gi, gj = gj, gi
        for k in members[gj]:
            group_of[k] = gi
        members[gi].extend(members.pop(gj))
        articles[gi] |= articles.pop(gj)
        strength[i] += score
        strength[j] += score
    claims = []
    for ids in members.values():
        if len(ids) < 2:
            continue
        ids.sort(key=lambda k: (units[k].article_id, units[k].index))
        claims.append(Claim([units[k] for k in ids], {n: strength[k] for n, k in enumerate(ids)}))
    claims.sort(key=lambda c: (-len(c.units), c.units[0].article_id, c.units[0].index))
    return claims


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


# ----------------------------------------------------------------------------------------------
# Figures across articles

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
    by_key: dict[str, dict[tuple, Mention]] = defaultdict(dict)
    for m in mentions:
        by_key[m.counted_key].setdefault((m.article_id, m.sentence_index, m.value), m)
    clusters: list[list[list[Mention]]] = []
    for key in sorted(by_key):
        ordered = sorted(by_key[key].values(), key=lambda m: (m.value, m.article_id, m.sentence_index))
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
