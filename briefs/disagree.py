"""Figures and the disagreements between them: which values of one counted thing the articles set
against each other, read with their hedges as ranges.

A disagreement sets values of the same counted thing about the same subject and event from two
different articles (``mentions.opposed``: never two figures of one article). The subject test
(``same_subject``) is strict, because a false conflict is worse than none. Two figures of one counted
key are about one subject when their sentences were aligned as one claim; otherwise a measure or an
amount (miles, percent, money, "times") has no known subject and is never set against another (a tax
rate is not a market share). For counts: what is counted carries no clashing modifier ("big" /
"massive objects"), no other place or date is named in the clause ("in Philadelphia" / "in Los
Angeles", "on Monday" / "on Tuesday"), and then one of: the same stage of a whole ("the first wave of"
/ "the first cadre of"), a shared name (person, place, group) near the figures, a toll of the story's
event credited to a source ("killed", "displaced", ... "the governor said"), or sentences alike
(SAME_CONTEXT) once numbers and the counted words are set aside. Plans and forecasts are keyed apart
by briefs.figures ("|planned"), so a plan is never set against a delivery.

Kinds: `conflict` (the values cannot both hold), `evolving` (dated values that follow one another),
`range` (estimates whose hedged ranges overlap: "some 2,000" and "2,100", not a contradiction)."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date

from .align import tokens
from .mentions import STAGES, Mention, SameFn, group_figures, opposed
from .cardmodel import Disagreement, FigureLine, Location, Side, Statement
from .figures import range_low_value
from .prepare import Prepared, claim_of

__all__ = ["figures_and_disagreements", "value_range", "compatible", "same_value", "same_subject", "APPROX",
           "MAX_FIGURES"]

MAX_FIGURES = 25

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
    low = range_low_value(h) if h.endswith((" to", " and")) else None
    if low is not None and 0 < low <= value:
        while low * 1000 <= value:
            low *= 1000  # "$5 to $7 million": the multiplier is written once, for both ends
        return low, value  # "6 to 10 inches" -> (6, 10)
    if h:
        return value * (1 - APPROX), value * (1 + APPROX)
    return value, value


def compatible(a: Side, b: Side) -> bool:
    lo_a, hi_a = value_range(a.value, a.hedge)
    lo_b, hi_b = value_range(b.value, b.hedge)
    return lo_a <= hi_b * 1.0001 and lo_b <= hi_a * 1.0001


def same_value(a: float, b: float) -> bool:
    return abs(a - b) <= 0.02 * max(abs(a), abs(b), 1e-9)



_MEASURE_WORDS = frozenset("""
percent per cent % mile miles km kilometre kilometres kilometer kilometers metre metres meter meters feet foot inch
inches yard yards mph kph knots pound pounds kilogram kilograms kilo kilos kg ton tons tonne tonnes gallon gallons
litre litres liter liters barrel barrels degree degrees acre acres hectare hectares times dollars euros sterling
calories points
""".split())
_LOOSE = frozenset("more other new additional further another extra some total".split())
_WEEKDAY = re.compile(r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|tonight|"
                      r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b)", re.I)
_PLACE = re.compile(r"\b(?:in|at|near|outside|across)\s+((?:the\s+)?[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*)")
_EVENTS = frozenset({"killed", "injured", "missing", "displaced", "evacuated", "damaged", "detained"})
_SAID = frozenset(stem for stem, _ in tokens("said says say told tells according reported reports added"))
SAME_CONTEXT = 0.5  # sentences this alike (numbers and the counted words aside) tell of one subject
_WINDOW = 120  # characters either side of a figure read as its context


def _measure(m: Mention) -> bool:
    """A measure or an amount (miles, percent, money, "times"), not a count of things."""
    if re.search(r"[$£€%]", m.text) or re.search(r"\bper\s?cent\b", m.text, re.I):
        return True
    return any(w in _MEASURE_WORDS for w in (m.counted or "").lower().split())


def _window(m: Mention) -> str:
    at = max(0, m.sentence.find(m.text))
    return m.sentence[max(0, at - _WINDOW):at + len(m.text) + _WINDOW]


def _near(m: Mention) -> tuple[str, str]:
    """The clause of the figure, before and after it: what a place or a date named "around" it means."""
    at = max(0, m.sentence.find(m.text))
    before = re.split(r"[;,:]\s|\.\s", m.sentence[max(0, at - 60):at])[-1]
    after = re.split(r"[;,:]\s|\.\s|\s(?:and|but)\s", m.sentence[at:at + len(m.text) + 60])[0]
    return before, after


def _modifiers(m: Mention) -> frozenset[str]:
    """The words of what is counted beside its head: "Chinese" of "two Chinese ships"."""
    head = (m.counted_key.split("|")[0].split() or [""])[-1]
    words = set()
    for w in re.findall(r"[a-z][a-z'’-]*", (m.counted or "").lower()):
        w = w.replace("’", "'")
        if w in _LOOSE or w.rstrip("s") == head.rstrip("s") or w in ("killed", "injured", "missing", "displaced",
                                                                     "evacuated", "damaged", "detained", "of"):
            continue
        if w in ("soldiers", "troops", "forces", "special", "commandos", "operations", "infantry", "personnel",
                 "people", "dead", "bodies", "deaths") and head in ("troops", "people"):
            continue
        words.add(w.rstrip("s"))
    return frozenset(words)


def same_subject(prep: Prepared) -> SameFn:
    """Whether two mentions of one counted key are about the same subject and event (module docstring)."""
    claims = claim_of(prep)
    names = prep.vectorizer.names
    idf = prep.vectorizer.idf

    # keyed by id: a Mention's own hash reads its ten fields, and a big card asks ~10^6 times (the mentions
    # are prep.mentions, alive as long as this function)
    seen_names: dict[int, frozenset[str]] = {}
    seen_context: dict[int, dict[str, float]] = {}

    def named(m: Mention) -> frozenset[str]:
        if id(m) not in seen_names:
            seen_names[id(m)] = frozenset(stem for stem, _ in tokens(_window(m)) if stem in names)
        return seen_names[id(m)]

    seen_words: dict[int, frozenset[str]] = {}

    def words(m: Mention) -> frozenset[str]:
        """The content words near a figure, names, numbers, what is counted and attribution verbs aside."""
        if id(m) not in seen_words:
            drop = {stem for stem, _ in tokens(m.counted or "")} | _SAID
            seen_words[id(m)] = frozenset(stem for stem, _ in tokens(_window(m))
                                      if stem not in names and not stem[0].isdigit() and stem not in drop)
        return seen_words[id(m)]

    def context(m: Mention) -> dict[str, float]:
        """The sentence's words without its numbers and what is counted, weighted by rarity."""
        if id(m) not in seen_context:
            drop = {stem for stem, _ in tokens(m.counted or "")}
            vec: dict[str, float] = {}
            for stem, _ in tokens(m.sentence):
                if not stem[0].isdigit() and stem not in drop:
                    vec[stem] = vec.get(stem, 0.0) + idf.get(stem, 1.0)
            norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
            seen_context[id(m)] = {k: v / norm for k, v in vec.items()}
        return seen_context[id(m)]

    seen_clause: dict[int, tuple] = {}

    def clause(m: Mention) -> tuple:
        """What of one mention ``same`` reads every time it is asked (read once: a big card asks ~10^5 pairs)."""
        if id(m) not in seen_clause:
            before, after = _near(m)
            seen_clause[id(m)] = (_measure(m), _modifiers(m), set(_PLACE.findall(before + after)),
                              {d.lower() for d in _WEEKDAY.findall(after)})
        return seen_clause[id(m)]

    def same(a: Mention, b: Mention) -> bool:
        ca, cb = claims.get((a.article_id, a.sentence_index)), claims.get((b.article_id, b.sentence_index))
        if ca is not None and ca is cb:
            return True  # aligned: the two sentences report one claim
        measure_a, ma, pa, da = clause(a)
        measure_b, mb, pb, db = clause(b)
        if measure_a or measure_b:
            return False
        if ma and mb and not ma & mb:
            return False  # "two big objects" / "four massive objects"
        if pa and pb and not pa & pb:
            return False  # another place is another figure: 300 tents in Philadelphia, 400 in Los Angeles
        if da and db and not da & db:
            return False  # another date is another figure: "16 on Monday", "20 on Tuesday" (the date it held)
        if STAGES & set(a.counted_key.split("|")[1:]):
            return True  # the same stage of a whole: "the first wave of" / "the first cadre of"
        if named(a) & named(b) and words(a) & words(b):
            return True  # a name and a word of what is told around both figures: "Cruz ... lived"
        if _EVENTS & set(a.counted_key.split("|")[1:]) and (a.attributed_to or b.attributed_to):
            return True  # two sources' tolls of the story's event: "about 12,000 displaced, the governor said"
        ctx_a, ctx_b = context(a), context(b)
        return sum(w * ctx_b.get(k, 0.0) for k, w in ctx_a.items()) >= SAME_CONTEXT

    return same


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


def _side(mentions: list[Mention], published: Mapping[str, date | None], rank: Mapping[str, int]) -> Side:
    first = min(mentions, key=lambda m: (published.get(m.article_id) or date.max, rank[m.article_id],
                                         m.sentence_index))
    dates = [published[m.article_id] for m in mentions if published.get(m.article_id)]
    own: dict[str, Mention] = {}  # each article's own first statement of the value, never another's sentence
    for m in sorted(mentions, key=lambda m: (rank[m.article_id], m.sentence_index)):
        own.setdefault(m.article_id, m)
    statements = [Statement(m.article_id, m.paragraph, m.text, m.hedge, m.sentence, m.attributed_to)
                  for m in own.values()]
    return Side(first.value, first.hedge, first.sentence, first.text, _attribution(mentions),
                list(dict.fromkeys(Location(m.article_id, m.paragraph) for m in mentions)),
                min(dates) if dates else None, statements)


def _kind(sides: list[Side], mentions: list[list[Mention]], published: Mapping[str, date | None],
          same: SameFn | None = None) -> str:
    """`evolving` when the values follow one another in time without overlap; else `range` when every
    pair of values set against each other overlaps once hedges are read as ranges (estimates, not a
    contradiction); else `conflict`.

    Undated articles cannot place a value in time: only dated mentions are compared, and a value
    stated by undated articles only is left out of the judgement (two dated values are needed)."""
    pairs = opposed(mentions, same)
    overlap = bool(pairs) and all(compatible(_bare(a), _bare(b)) for _, _, a, b in pairs)
    spans = []
    for side in mentions:
        dates = [d for d in (published.get(m.article_id) for m in side) if d is not None]
        if dates:
            spans.append((min(dates), max(dates)))
    if len(spans) >= 2:
        spans.sort()
        if all(later[0] > earlier[1] for earlier, later in zip(spans, spans[1:])):
            return "evolving"
    return "range" if overlap else "conflict"


def _bare(m: Mention) -> Side:
    return Side(m.value, m.hedge, m.sentence, m.text, None, [], None)


def _about(cluster: list[list[Mention]]) -> str:
    """What the values count, with the qualifiers of its key: "North Korean soldiers (first group, planned)"."""
    counted = Counter(m.counted for side in cluster for m in side if m.counted)
    about = counted.most_common(1)[0][0] if counted else cluster[0][0].counted_key
    parts = cluster[0][0].counted_key.split("|")[1:]
    notes = [f"{p} group" for p in parts if p in STAGES] + ["planned or expected" for p in parts if p == "planned"]
    return f"{about} ({', '.join(notes)})" if notes else about


def figures_and_disagreements(prep: Prepared) -> tuple[list[FigureLine], list[Disagreement]]:
    """Every distinct figure (by independent support) and every cluster whose values differ."""
    published = {a.id: a.published for a in prep.articles}
    rank = prep.rank
    lines: list[tuple[tuple, FigureLine]] = []
    disagreements: list[Disagreement] = []
    same = same_subject(prep)
    for cluster in group_figures(prep.mentions, same):
        differs = None
        if len(cluster) > 1:
            sides = sorted((_side(side, published, rank) for side in cluster),
                           key=lambda s: (s.published or date.max, s.value))
            differs = _kind(sides, cluster, published, same)
            disagreements.append(Disagreement(_about(cluster), differs, sides))
        for side in cluster:
            s = _side(side, published, rank)
            # only a contradiction is "disputed": an estimate that grew over time or overlapping ranges are not
            line = FigureLine(s.value, s.hedge, _about([side]), s.text, s.figure, s.attributed_to, s.locations,
                              differs == "conflict", differs)
            support = prep.independent(m.article_id for m in side)
            lines.append(((differs is None, -support, min(m.sentence_index for m in side), s.value), line))
    lines.sort(key=lambda x: x[0])
    kept = [line for _, line in lines[:MAX_FIGURES]]
    kept.sort(key=lambda f: ((f.counted or "").lower(), f.value))
    disagreements.sort(key=lambda d: (("conflict", "evolving", "range").index(d.kind), -len(d.claims),
                                      d.about.lower()))
    return kept, disagreements
