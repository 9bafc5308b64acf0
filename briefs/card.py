"""Briefing cards: what a set of articles says, extractively, with every line citing its articles.

A card holds a bottom line (1-3 sentences), key facts with how many independent sources carry them
and a credibility grade, figures and the disagreements between them, a timeline, people,
organisations, places and quotes. Nothing is generated: every text is a sentence, figure or quote
taken from an article, and every line names the article ids (and paragraph) it came from.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from index.model import Article

from .align import THRESHOLD, Claim, Mention, Unit, Vectorizer, align, group_figures, similarity, source_keys

__all__ = ["Card", "build_card", "credibility", "CREDIBILITY_RULE", "Location", "Fact", "FigureLine",
           "Disagreement", "Side", "TimelineEntry", "Actor", "QuoteLine", "SourceInfo", "SummaryLine",
           "prepare", "Prepared"]

SCHEMA = "brief.card/1"
MAX_FACTS = 12
MAX_FIGURES = 25
MAX_TIMELINE = 20
MAX_ACTORS = 15
MAX_QUOTES = 10
MAX_SUMMARY = 3

CREDIBILITY_RULE = """\
Each key fact gets a grade in the spirit of the Admiralty code's information scale:
1 (confirmed) when three or more independent sources carry it; 2 (probably true) when two do;
3 (possibly true) when a single source does; 5 (improbable) when it states a figure that a different
independent source contradicts (a `conflict` disagreement, not an estimate `evolving` over time) with
at least as many independent sources behind the other value, and the two cannot both hold once their
hedges are read as ranges ("up to 12,000" does not contradict "nearly 11,000"; "about 1,000" does
contradict "about 1,500"). A fact contradicted only by weaker support keeps its grade, and the
disagreement is listed. Independent sources are counted as distinct outlets: near-duplicate
(syndicated or re-posted) copies count once, and an article whose outlet is unknown counts as a
source of its own unless it is a copy of another. Grade 4 (doubtful) and 6 (cannot be judged) are not used."""

ProgressFn = Callable[[str, int, int], None]


# ----------------------------------------------------------------------------------------------
# The card


@dataclass(frozen=True, slots=True)
class Location:
    """Where a line came from: an article id and a paragraph index in it."""

    source: str
    paragraph: int


def _locations_json(locations: Iterable[Location]) -> list[dict]:
    return [{"source": loc.source, "paragraph": loc.paragraph} for loc in locations]


def _sources(locations: Iterable[Location]) -> list[str]:
    return list(dict.fromkeys(loc.source for loc in locations))


@dataclass(slots=True)
class SourceInfo:
    id: str
    title: str
    outlet: str | None
    author: str | None
    published: date | None
    path: str

    def to_json(self) -> dict:
        return {"id": self.id, "title": self.title, "outlet": self.outlet, "author": self.author,
                "published": self.published.isoformat() if self.published else None, "path": self.path}


@dataclass(slots=True)
class SummaryLine:
    text: str
    locations: list[Location]

    @property
    def sources(self) -> list[str]:
        return _sources(self.locations)

    def to_json(self) -> dict:
        return {"text": self.text, "sources": self.sources, "locations": _locations_json(self.locations)}


@dataclass(slots=True)
class Passage:
    source: str
    paragraph: int
    text: str


@dataclass(slots=True)
class Fact:
    text: str
    credibility: int
    independent: int  # independent sources carrying it
    passages: list[Passage]

    @property
    def sources(self) -> list[str]:
        return list(dict.fromkeys(p.source for p in self.passages))

    @property
    def single_source(self) -> bool:
        return self.independent == 1

    def to_json(self) -> dict:
        return {"text": self.text, "sources": self.sources, "credibility": self.credibility,
                "independent_sources": self.independent, "single_source": self.single_source,
                "passages": [{"source": p.source, "paragraph": p.paragraph, "text": p.text} for p in self.passages]}


@dataclass(slots=True)
class FigureLine:
    value: float
    hedge: str | None
    counted: str | None
    text: str  # the sentence stating it
    figure: str  # the figure as written
    attributed_to: str | None
    locations: list[Location]
    disputed: bool = False

    @property
    def sources(self) -> list[str]:
        return _sources(self.locations)

    def to_json(self) -> dict:
        return {"value": self.value, "hedge": self.hedge, "counted": self.counted, "text": self.text,
                "figure": self.figure, "sources": self.sources, "attributed_to": self.attributed_to,
                "disputed": self.disputed, "locations": _locations_json(self.locations)}


@dataclass(slots=True)
class Side:
    """One value in a disagreement, with everyone who states it."""

    value: float
    hedge: str | None
    text: str
    figure: str
    attributed_to: str | None
    locations: list[Location]
    published: date | None  # the earliest publication date among its articles

    @property
    def sources(self) -> list[str]:
        return _sources(self.locations)

    def to_json(self) -> dict:
        return {"value": self.value, "hedge": self.hedge, "text": self.text, "figure": self.figure,
                "sources": self.sources, "attributed_to": self.attributed_to,
                "published": self.published.isoformat() if self.published else None,
                "locations": _locations_json(self.locations)}


@dataclass(slots=True)
class Disagreement:
    about: str
    kind: str  # "conflict" or "evolving"
    claims: list[Side]

    def to_json(self) -> dict:
        return {"about": self.about, "kind": self.kind, "claims": [c.to_json() for c in self.claims]}


@dataclass(slots=True)
class TimelineEntry:
    date: date
    end: date | None
    text: str
    when: str  # the date as written
    locations: list[Location]

    @property
    def sources(self) -> list[str]:
        return _sources(self.locations)

    def to_json(self) -> dict:
        return {"date": self.date.isoformat(), "end": self.end.isoformat() if self.end else None,
                "text": self.text, "when": self.when, "sources": self.sources,
                "locations": _locations_json(self.locations)}


@dataclass(slots=True)
class Actor:
    name: str
    role: str | None
    sources: list[str]
    mentions: int = 0

    def to_json(self) -> dict:
        return {"name": self.name, "role": self.role, "sources": list(self.sources)}


@dataclass(slots=True)
class QuoteLine:
    speaker: str | None
    role: str | None
    text: str
    source: str
    paragraph: int

    def to_json(self) -> dict:
        return {"speaker": self.speaker, "role": self.role, "text": self.text, "source": self.source,
                "paragraph": self.paragraph}


@dataclass(slots=True)
class Card:
    query: str | None
    generated: datetime
    sources: list[SourceInfo]
    summary: list[SummaryLine] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    figures: list[FigureLine] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)
    people: list[Actor] = field(default_factory=list)
    organizations: list[Actor] = field(default_factory=list)
    places: list[Actor] = field(default_factory=list)
    quotes: list[QuoteLine] = field(default_factory=list)

    def to_json(self) -> dict:
        """The `brief card --format json` shape (briefs/card.schema.json)."""
        return {
            "schema": SCHEMA,
            "query": self.query,
            "generated": self.generated.isoformat(timespec="seconds"),
            "summary": [s.to_json() for s in self.summary],
            "sources": [s.to_json() for s in self.sources],
            "facts": [f.to_json() for f in self.facts],
            "figures": [f.to_json() for f in self.figures],
            "disagreements": [d.to_json() for d in self.disagreements],
            "timeline": [t.to_json() for t in self.timeline],
            "people": [a.to_json() for a in self.people],
            "organizations": [a.to_json() for a in self.organizations],
            "places": [a.to_json() for a in self.places],
            "quotes": [q.to_json() for q in self.quotes],
        }


# ----------------------------------------------------------------------------------------------
# Preparing articles: extraction, sentences as alignment units, figures as mentions


@dataclass(slots=True)
class Prepared:
    """The articles of a card or comparison with their extractions, aligned."""

    articles: list[Article]
    extractions: dict[str, object]
    units: list[Unit]
    vectorizer: Vectorizer
    claims: list[Claim]
    mentions: list[Mention]
    keys: dict[str, str]  # article id -> independent source key

    def independent(self, article_ids: Iterable[str]) -> int:
        return len({self.keys[a] for a in article_ids})


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


def _sentence_cap(n_articles: int) -> int:
    """Sentences per article used for alignment: all of them for a few articles, the first 15 for many."""
    return max(15, 3000 // max(1, n_articles))


def _units(article: Article, extraction, cap: int) -> list[Unit]:
    values: dict[str, list[float]] = defaultdict(list)
    counted: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for f in extraction.figures:
        values[f.sentence].append(float(f.value))
        if f.counted_key:
            counted[f.sentence].append((f.counted_key, float(f.value)))
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


def prepare(articles: list[Article], duplicates: Mapping[str, Iterable[str]], cache=None,
            progress: ProgressFn | None = None) -> Prepared:
    """Extract (through the cache), cut into units, align, and key every article to its source."""
    articles = list({a.id: a for a in articles}.values())
    extractions = _extract_all(articles, cache, progress)
    cap = _sentence_cap(len(articles))
    units = [u for a in articles for u in _units(a, extractions[a.id], cap)]
    if progress:
        progress("aligning", 0, 1)
    vec = Vectorizer(u.text for u in units)
    claims = align(units, vectorizer=vec)
    if progress:
        progress("aligning", 1, 1)
    mentions = [m for a in articles for m in _mentions(a, extractions[a.id])]
    keys = source_keys([a.id for a in articles], {a.id: a.outlet for a in articles}, duplicates)
    return Prepared(articles, extractions, units, vec, claims, mentions, keys)


# ----------------------------------------------------------------------------------------------
# Figures and disagreements


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


def _side(mentions: list[Mention], published: Mapping[str, date | None]) -> Side:
    first = min(mentions, key=lambda m: (published.get(m.article_id) or date.max, m.article_id, m.sentence_index))
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
    lines: list[tuple[tuple, FigureLine]] = []
    disagreements: list[Disagreement] = []
    for cluster in group_figures(prep.mentions):
        disputed = len(cluster) > 1
        for side in cluster:
            s = _side(side, published)
            line = FigureLine(s.value, s.hedge, _about([side]), s.text, s.figure, s.attributed_to, s.locations,
                              disputed)
            support = prep.independent(m.article_id for m in side)
            lines.append(((not disputed, -support, min(m.sentence_index for m in side), s.value), line))
        if disputed:
            sides = sorted((_side(side, published) for side in cluster),
                           key=lambda s: (s.published or date.max, s.value))
            disagreements.append(Disagreement(_about(cluster), _kind(sides, cluster, published), sides))
    lines.sort(key=lambda x: x[0])
    kept = [line for _, line in lines[:MAX_FIGURES]]
    kept.sort(key=lambda f: ((f.counted or "").lower(), f.value))
    disagreements.sort(key=lambda d: (d.kind != "conflict", -len(d.claims), d.about.lower()))
    return kept, disagreements


# ----------------------------------------------------------------------------------------------
# Facts and credibility


def credibility(independent: int, contradicted: bool) -> int:
    """The grade of a fact; see CREDIBILITY_RULE."""
    if contradicted:
        return 5
    if independent >= 3:
        return 1
    return 2 if independent == 2 else 3


def _contradicted(units: Iterable[Unit], disagreements: list[Disagreement], prep: Prepared) -> bool:
    """Whether a sentence of these units states a value that another independent source contradicts,
    with at least as much independent support and a range that cannot overlap (see CREDIBILITY_RULE)."""
    units = list(units)
    for d in disagreements:
        if d.kind != "conflict":
            continue
        for side in d.claims:
            sources = set(side.sources)
            on_side = [u for u in units if u.article_id in sources and any(_same_value(side.value, v)
                                                                            for v in u.values)]
            if not on_side:
                continue
            own = {prep.keys[s] for s in side.sources}
            for other in d.claims:
                if other is side or _compatible(side, other):
                    continue
                theirs = {prep.keys[s] for s in other.sources} - own
                if theirs and len(theirs) >= len(own):
                    return True
    return False


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


def _compatible(a: Side, b: Side) -> bool:
    lo_a, hi_a = value_range(a.value, a.hedge)
    lo_b, hi_b = value_range(b.value, b.hedge)
    return lo_a <= hi_b * 1.0001 and lo_b <= hi_a * 1.0001


def _same_value(a: float, b: float) -> bool:
    return abs(a - b) <= 0.02 * max(abs(a), abs(b), 1e-9)


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
        vec = _vector(prep, rep.text)
        if any(_dot(vec, other) > 0.8 for other in seen):
            continue  # (nearly) the text of a fact already kept
        seen.append(vec)
        grade = credibility(-neg_support, _contradicted(units, disagreements, prep))
        facts.append(Fact(rep.text, grade, -neg_support, [Passage(u.article_id, u.paragraph, u.text) for u in units]))
        if len(facts) == MAX_FACTS:
            break
    return facts


def _vector(prep: Prepared, text: str) -> dict[str, float]:
    from .align import tokens

    counts: dict[str, float] = defaultdict(float)
    for stem, _ in tokens(text):
        counts[stem] += prep.vectorizer.idf.get(stem, 1.0)
    norm = math.sqrt(sum(v * v for v in counts.values())) or 1.0
    return {k: v / norm for k, v in counts.items()}


def _dot(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    return sum(w * b.get(k, 0.0) for k, w in a.items())


# ----------------------------------------------------------------------------------------------
# Summary (bottom line up front)


def summary(prep: Prepared) -> list[SummaryLine]:
    """1-3 sentences central to the articles, early in their article and corroborated, not repeating each other."""
    centroid: dict[str, float] = defaultdict(float)
    for v in prep.vectorizer.vectors:
        for k, w in v.items():
            centroid[k] += w
    norm = math.sqrt(sum(w * w for w in centroid.values())) or 1.0
    claim_of = _claim_of(prep)
    position = {(u.article_id, u.index): i for i, u in enumerate(prep.units)}
    features = prep.vectorizer.features
    scored = []
    for i, u in enumerate(prep.units):
        words = len(u.text.split())
        if not 8 <= words <= 50 or u.text.rstrip().endswith("?") or u.text.lstrip()[:1] in "\"“'‘":
            continue
        claim = claim_of.get((u.article_id, u.index))
        # corroborated by the sentences of its claim that report what this one does (not only a part of the claim)
        units = [x for x in claim.units if x is u or similarity(u, x, features[i], features[position[
            (x.article_id, x.index)]]) >= THRESHOLD] if claim else [u]
        central = _dot(prep.vectorizer.vectors[i], centroid) / norm
        score = central + 0.25 / (1 + u.index) + 0.15 * min(prep.independent(x.article_id for x in units) - 1, 3)
        scored.append((-score, u.article_id, u.index, u, claim, units))
    scored.sort(key=lambda s: s[:3])
    picked: list[SummaryLine] = []
    vectors: list[dict[str, float]] = []
    used: list[Claim] = []
    for _, _, _, u, claim, units in scored:
        if claim is not None and any(claim is c for c in used):
            continue  # one line per claim
        vec = _vector(prep, u.text)
        if any(_dot(vec, v) > 0.35 for v in vectors):
            continue
        picked.append(SummaryLine(u.text, [Location(x.article_id, x.paragraph) for x in units]))
        vectors.append(vec)
        if claim is not None:
            used.append(claim)
        if len(picked) == MAX_SUMMARY:
            break
    return picked


def _claim_of(prep: Prepared) -> dict[tuple[str, int], Claim]:
    """(article id, sentence index) -> the claim whose group holds the sentence (not one it only supports)."""
    return {(u.article_id, u.index): c for c in prep.claims for u in c.own}


# ----------------------------------------------------------------------------------------------
# Timeline, actors, quotes


def timeline(prep: Prepared) -> list[TimelineEntry]:
    """Dated events, oldest first; one entry per date and claim, with every article that states it."""
    claim_of = {(u.article_id, u.text): n for n, c in enumerate(prep.claims) for u in c.own}
    entries: dict[tuple, TimelineEntry] = {}
    for a in prep.articles:
        ex = prep.extractions[a.id]
        where = {s.text: s.paragraph for s in reversed(ex.sentences)}
        for d in ex.dates:
            if d.start is None or d.sentence not in where:
                continue
            end = d.end if d.end and d.end != d.start else None
            group = claim_of.get((a.id, d.sentence), (a.id, d.sentence))
            key = (d.start, end, group)
            loc = Location(a.id, where[d.sentence])
            if key in entries:
                if loc not in entries[key].locations:
                    entries[key].locations.append(loc)
            else:
                entries[key] = TimelineEntry(d.start, end, d.sentence, d.text, [loc])
    ranked = sorted(entries.values(), key=lambda e: (-prep.independent(e.sources), e.date))[:MAX_TIMELINE]
    return sorted(ranked, key=lambda e: (e.date, e.end or e.date, e.text))


def _name(x) -> str:
    return x if isinstance(x, str) else x.name


def _mention_count(item) -> int:
    mentions = getattr(item, "mentions", 1)
    return len(mentions) if isinstance(mentions, (list, tuple)) else int(mentions or 1)


def actors(prep: Prepared, kind: str) -> list[Actor]:
    """People, organizations or places across the articles, merged by name, most widely cited first."""
    merged: dict[str, Actor] = {}
    roles: dict[str, Counter] = defaultdict(Counter)
    for a in prep.articles:
        for item in getattr(prep.extractions[a.id].entities, kind):
            name = _name(item)
            key = " ".join(name.lower().split())
            actor = merged.setdefault(key, Actor(name, None, []))
            if a.id not in actor.sources:
                actor.sources.append(a.id)
            actor.mentions += _mention_count(item)
            if getattr(item, "role", None):
                roles[key][item.role] += 1
    for key, actor in merged.items():
        if roles[key]:
            actor.role = roles[key].most_common(1)[0][0]
    ranked = sorted(merged.values(), key=lambda x: (-prep.independent(x.sources), -x.mentions, x.name.lower()))
    return ranked[:MAX_ACTORS]


def quotes(prep: Prepared) -> list[QuoteLine]:
    """Attributed quotes first, each quote once (the earliest article that carries it)."""
    order = {a.id: n for n, a in enumerate(sorted(prep.articles, key=lambda a: (a.published or date.max, a.id)))}
    lines: list[QuoteLine] = []
    seen: set[str] = set()
    for a in sorted(prep.articles, key=lambda a: order[a.id]):
        for q in prep.extractions[a.id].quotes:
            key = " ".join(q.text.lower().split())[:80]
            if key in seen:
                continue
            seen.add(key)
            lines.append(QuoteLine(q.speaker, q.role, q.text, a.id, q.paragraph_index))
    first_of_speaker: set[str] = set()
    rank = []
    for n, q in enumerate(lines):
        fresh = q.speaker is not None and q.speaker not in first_of_speaker
        if fresh:
            first_of_speaker.add(q.speaker)
        rank.append((not fresh, q.speaker is None, order[q.source], n))
    picked = [q for _, q in sorted(zip(rank, lines), key=lambda x: x[0])][:MAX_QUOTES]
    picked.sort(key=lambda q: (q.speaker is None, order[q.source], lines.index(q)))
    return picked


# ----------------------------------------------------------------------------------------------
# Building


def build_card(articles: list[Article], *, query: str | None, duplicates: Mapping[str, Iterable[str]],
               cache=None, progress: ProgressFn | None = None, now: datetime | None = None) -> Card:
    """A card over ``articles``. ``cache`` is an ExtractionCache (or None to extract afresh)."""
    prep = prepare(articles, duplicates, cache, progress)
    figures, disagreements = figures_and_disagreements(prep)
    card = Card(
        query=query,
        generated=now or datetime.now(timezone.utc).replace(microsecond=0),
        sources=[SourceInfo(a.id, a.title, a.outlet, a.author, a.published, a.path) for a in prep.articles],
        summary=summary(prep),
        facts=key_facts(prep, disagreements),
        figures=figures,
        disagreements=disagreements,
        timeline=timeline(prep),
        people=actors(prep, "people"),
        organizations=actors(prep, "organizations"),
        places=actors(prep, "places"),
        quotes=quotes(prep),
    )
    if progress:
        progress("card", 1, 1)
    return card
