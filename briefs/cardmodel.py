"""What a card holds: its lines, each citing the articles (and paragraphs) it came from, and their JSON."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

__all__ = ["SCHEMA", "CREDIBILITY_RULE", "CREDIBILITY_LEGEND", "Location", "SourceInfo", "SummaryLine", "Passage", "Fact", "FigureLine",
           "Statement", "Side", "Disagreement", "TimelineEntry", "Actor", "QuoteLine", "quotes_by_speaker",
           "speaker_names", "Card", "Attribution", "CHOSEN_BY", "reduced_note"]

SCHEMA = "brief.card/2"

CREDIBILITY_RULE = """\
Each key fact gets a grade in the spirit of the Admiralty code's information scale:
1 (confirmed) when three or more independent sources carry it; 2 (probably true) when two do;
3 (possibly true) when a single source does; 5 (improbable) when it states a figure that a different
independent source contradicts (a `conflict` disagreement, not an estimate `evolving` over time) with
at least as many independent sources behind the other value, and the two cannot both hold once their
hedges are read as ranges ("up to 12,000" does not contradict "nearly 11,000"; "about 1,000" does
contradict "about 1,500"). A fact contradicted only by weaker support keeps its grade, and the
disagreement is listed. Independent sources are counted as distinct outlets: near-duplicate
(syndicated or re-posted) copies count once, even across outlets. Articles whose outlet is unknown
(pasted text, say) are counted as articles, never as outlets: all of them together weigh as one source
beside the known outlets (a copy of a known outlet's article counts with that outlet), so five articles
of unknown outlet grade 3, not 1, until their outlets are set (`brief set ID --outlet NAME`).
Grade 4 (doubtful) and 6 (cannot be judged) are not used."""

# What the Markdown card says under its key facts: the rule in one line (README gives it whole).
CREDIBILITY_LEGEND = ("Credibility: 1 confirmed (three or more independent sources), 2 probably true (two), "
                      "3 possibly true (one), 5 contradicted by at least as many independent sources. Copies of "
                      "one text count once; articles of unknown outlet count as one source together.")


CHOSEN_BY = {"relevance": "most relevant", "recency": "newest"}  # Card.chosen_by -> how the note says it


def reduced_note(reduced: dict[str, int], articles: int) -> str | None:
    """What a big card did to stay fast (Card.reduced), in one sentence; None when it did nothing."""
    if not reduced:
        return None
    parts = []
    if "sentences_per_article" in reduced:
        k = reduced["sentences_per_article"]
        parts.append(f"key facts, the bottom line and the summary come from the first {k} sentence{'s' * (k != 1)} "
                     f"of each of the {articles} articles")
    if "candidate_df" in reduced:
        parts.append(f"sentences are compared only when they share words found in at most "
                     f"{reduced['candidate_df']} of them")
    if not parts:
        return None
    text = "; ".join(parts)
    return f"A card over this many articles is reduced to stay fast: {text}. Figures, the timeline, people, " \
           "places and quotes read every sentence."


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
class Attribution:
    """One way the sources of a fact credit it: to whom, and which articles say so."""

    who: str
    sources: list[str]

    def to_json(self) -> dict:
        return {"who": self.who, "sources": list(self.sources)}


@dataclass(slots=True)
class Fact:
    text: str
    credibility: int
    independent: int  # independent sources carrying it (the unknown-outlet articles count as one together)
    passages: list[Passage]
    unknown_outlet_articles: int = 0  # of its articles, those whose outlet is unknown
    said_by: str | None = None  # who the shown wording credits it to ("Lt Gen Kyrylo Budanov")
    via: str | None = None  # the outlet that relayed it ("told The War Zone")
    attributions: list[Attribution] = field(default_factory=list)  # set when its sources credit different people

    @property
    def attribution_disputed(self) -> bool:
        return len(self.attributions) > 1

    @property
    def sources(self) -> list[str]:
        return list(dict.fromkeys(p.source for p in self.passages))

    @property
    def articles(self) -> int:
        """Articles carrying it (not sources: one outlet's articles and copies are one source)."""
        return len(self.sources)

    @property
    def single_source(self) -> bool:
        return self.independent == 1

    def to_json(self) -> dict:
        return {"text": self.text, "sources": self.sources, "credibility": self.credibility,
                "independent_sources": self.independent, "single_source": self.single_source,
                "articles": self.articles, "unknown_outlet_articles": self.unknown_outlet_articles,
                "passages": [{"source": p.source, "paragraph": p.paragraph, "text": p.text} for p in self.passages],
                "said_by": self.said_by, "via": self.via, "attributions": [a.to_json() for a in self.attributions]}


@dataclass(slots=True)
class FigureLine:
    value: float
    hedge: str | None
    counted: str | None
    text: str  # the sentence stating it
    figure: str  # the figure as written
    attributed_to: str | None
    locations: list[Location]
    disputed: bool = False  # the sources contradict each other on it (a "conflict" disagreement)
    differs: str | None = None  # the kind of the disagreement it is part of: conflict, evolving or range

    @property
    def sources(self) -> list[str]:
        return _sources(self.locations)

    def to_json(self) -> dict:
        return {"value": self.value, "hedge": self.hedge, "counted": self.counted, "text": self.text,
                "figure": self.figure, "sources": self.sources, "attributed_to": self.attributed_to,
                "disputed": self.disputed, "differs": self.differs, "locations": _locations_json(self.locations)}


@dataclass(frozen=True, slots=True)
class Statement:
    """How one article states a side's value: its own figure (hedge included), sentence and attribution."""

    source: str
    paragraph: int
    figure: str
    hedge: str | None
    text: str
    attributed_to: str | None = None

    def to_json(self) -> dict:
        return {"source": self.source, "paragraph": self.paragraph, "figure": self.figure, "hedge": self.hedge,
                "text": self.text, "attributed_to": self.attributed_to}


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
    statements: list[Statement] = field(default_factory=list)  # one per article, in the card's reading order

    @property
    def sources(self) -> list[str]:
        return _sources(self.locations)

    def to_json(self) -> dict:
        return {"value": self.value, "hedge": self.hedge, "text": self.text, "figure": self.figure,
                "sources": self.sources, "attributed_to": self.attributed_to,
                "published": self.published.isoformat() if self.published else None,
                "locations": _locations_json(self.locations), "statements": [s.to_json() for s in self.statements]}


@dataclass(slots=True)
class Disagreement:
    about: str
    kind: str  # "conflict", "evolving" or "range" (estimates whose hedged ranges overlap)
    claims: list[Side]

    def to_json(self) -> dict:
        return {"about": self.about, "kind": self.kind, "claims": [c.to_json() for c in self.claims]}


@dataclass(slots=True)
class TimelineEntry:
    date: date | None  # None only when the year is not known (see partial)
    end: date | None
    text: str
    when: str  # the date as written
    locations: list[Location]
    year_known: bool = True  # False: a day or month written without a year the card cannot place
    month_day: str | None = None  # then ISO 8601's year-less form: "--10-18", a range "--10-08/--10-13"
    partial: str | None = None  # and how it reads: "18 Oct, year not given"
    year_from: str | None = None  # the year was taken from this date of the same paragraph ("December 30, 2023")
    also: list[str] = field(default_factory=list)  # the other dates the same claim gives, as written ("2011")

    @property
    def sources(self) -> list[str]:
        return _sources(self.locations)

    def to_json(self) -> dict:
        return {"date": self.date.isoformat() if self.date else None,
                "end": self.end.isoformat() if self.end else None,
                "text": self.text, "when": self.when, "sources": self.sources,
                "locations": _locations_json(self.locations), "year_known": self.year_known,
                "month_day": self.month_day, "partial": self.partial, "year_from": self.year_from,
                "also": list(self.also)}


@dataclass(slots=True)
class Actor:
    name: str
    role: str | None
    sources: list[str]
    mentions: int = 0

    def to_json(self) -> dict:
        return {"name": self.name, "role": self.role, "sources": list(self.sources), "mentions": self.mentions}


@dataclass(slots=True)
class QuoteLine:
    speaker: str | None
    role: str | None
    text: str
    source: str
    paragraph: int
    via: str | None = None  # the outlet the speaker said it to ("told The War Zone")

    def to_json(self) -> dict:
        return {"speaker": self.speaker, "role": self.role, "text": self.text, "source": self.source,
                "paragraph": self.paragraph, "via": self.via}


def speaker_names(lines: Iterable[QuoteLine]) -> dict[str, str]:
    """Each speaker as written -> the name its group goes by: forms that differ only in case, spacing or dots
    ("Mr. Musk", "Mr Musk") are one speaker, shown as first written. Nothing else is merged: "Musk", "Mr Musk"
    and "Elon Musk" stay apart, since the articles did not say they are one person (a bare "Clinton" may be
    either Clinton): a quote is never grouped under someone it was not credited to."""
    shown: dict[str, str] = {}
    out = {}
    for q in lines:
        if q.speaker and q.speaker not in out:
            out[q.speaker] = shown.setdefault(" ".join(q.speaker.replace(".", " ").lower().split()), q.speaker)
    return out


def quotes_by_speaker(lines: list[QuoteLine]) -> list[tuple[str | None, str | None, list[QuoteLine]]]:
    """``lines`` grouped by speaker (speaker_names: "Mr. Musk" with "Mr Musk"): (speaker, role, quotes),
    speakers in the order they first appear, quotes with no stated speaker last (speaker None); a group's
    role is its most stated one. Each quote keeps its speaker as written."""
    names = speaker_names(lines)
    groups: dict[str | None, list[QuoteLine]] = {}
    for q in lines:
        groups.setdefault(names.get(q.speaker) if q.speaker else None, []).append(q)
    out = []
    for speaker, qs in sorted(groups.items(), key=lambda g: g[0] is None):
        roles = Counter(q.role for q in qs if q.role)
        out.append((speaker, roles.most_common(1)[0][0] if speaker is not None and roles else None, qs))
    return out


@dataclass(slots=True)
class Card:
    query: str | None
    generated: datetime
    sources: list[SourceInfo]
    bottom_line: list[SummaryLine] = field(default_factory=list)  # 1-3 sentences, always
    summary: list[SummaryLine] = field(default_factory=list)  # about N words, when asked for (--summary-words)
    facts: list[Fact] = field(default_factory=list)
    figures: list[FigureLine] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)
    people: list[Actor] = field(default_factory=list)
    organizations: list[Actor] = field(default_factory=list)
    places: list[Actor] = field(default_factory=list)
    quotes: list[QuoteLine] = field(default_factory=list)  # every quote; the shown ones first (actors.quotes)
    # sections cut at their cap -> the cap (the card kept that many; more were found or may have been)
    capped: dict[str, int] = field(default_factory=dict)
    # how many articles the card's selection matched (None: every article it was given; see selection_note)
    articles_matching: int | None = None
    chosen_by: str | None = None  # how the used ones were chosen when fewer than matched: "relevance"
    # what a big card did to stay fast (briefs.card.reduce_for_size): {"sentences_per_article": 4, ...}
    reduced: dict[str, int] = field(default_factory=dict)

    @property
    def articles_used(self) -> int:
        return len(self.sources)

    def selection_note(self) -> str | None:
        """"Built from the 50 most relevant of 241 matching articles." when the card uses fewer articles than
        match, else None."""
        matching = self.articles_matching
        used = len(self.sources)
        if matching is None or matching <= used:
            return None
        how = CHOSEN_BY.get(self.chosen_by or "", "first")
        return f"Built from the {used} {how} of {matching} matching articles."

    def reduced_note(self) -> str | None:
        """What a big card did to stay fast, in one sentence (None: nothing)."""
        return reduced_note(self.reduced, len(self.sources))

    def to_json(self) -> dict:
        """The `brief card --format json` shape (briefs/card.schema.json)."""
        return {
            "schema": SCHEMA,
            "query": self.query,
            "generated": self.generated.isoformat(timespec="seconds"),
            "bottom_line": [s.to_json() for s in self.bottom_line],
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
            "quotes_by_speaker": [{"speaker": speaker, "role": role, "quotes": [q.to_json() for q in qs]}
                                  for speaker, role, qs in quotes_by_speaker(self.quotes)],
            "capped": dict(self.capped),
            "articles_used": len(self.sources),
            "articles_matching": self.articles_matching if self.articles_matching is not None else len(self.sources),
            "chosen_by": self.chosen_by if self.selection_note() else None,
            "reduced": dict(self.reduced),
        }
