"""Cross-article alignment: sentences in different articles that report the same thing, grouped into claims.

Similarity is lexical: TF-IDF cosine over lightly stemmed content words (a few words news reports use
for one another count as one: "apprehended" / "arrested", "grave" / "significant" threat), plus a small
share of the cosine over names, plus a lift for a pair short of the threshold that shares phrases of two
rare words ("security threat", "quarterly increments"), plus a bonus for a shared figure (more when it counts the same thing, "11 people
killed") and a penalty when both sentences state figures and none agree. Names (stems written
capitalised inside sentences) never suffice: two sentences report the same thing only when they share
content words that are not common to the whole set, or the same counted figure, or the same figure next
to a shared name or place. In a sentence that is mostly a quote, the quoted words are the content: a
quote aligns only with the same quote or a paraphrase of it, never with another thing its speaker said.
Questions align with nothing.

Candidate pairs come from an inverted index on informative tokens (words that are neither stop words
nor common to a large share of the sentences) and counted figures, never from all pairs. Groups are
built greedily from the best pairs down, with at most one sentence per article and average-link
cohesion, so one loose link cannot chain unrelated sentences together. A sentence that reports two
things sits in one group and also supports the other claim when it is similar to that claim's
representative (see _claim).
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

__all__ = ["Unit", "Claim", "tokens", "align", "similarity", "Vectorizer", "Features", "quoted_spans", "quote_led",
           "standalone"]

THRESHOLD = 0.40  # similarity from which two sentences report the same thing
FIGURE_BONUS = 0.12  # added when two sentences share a figure (values within 3 %)
COUNTED_BONUS = 0.2  # ... instead, when the figure counts the same thing in both (11 people killed)
FIGURE_MISMATCH = 0.45  # taken off when both state figures and none agree: they report different numbers
GROUP_COHESION = 0.8  # a sentence joins a claim only if its mean similarity to the members is this share of THRESHOLD
NAME_WEIGHT = 0.25  # share of the names' cosine added to the content cosine: names help, they never suffice
PHRASE_BONUS = 0.1  # added per shared phrase of two rare content words ("quarterly increments"), at most twice
FRAME_WEIGHT = 0.3  # weight of the words around a quote ("said during a visit") against the quoted words
MIN_SHARED = 2  # informative tokens two sentences must share to be compared
MIN_CONTENT = 2  # content words (not names) two sentences must share to report the same thing ...
COMMON = 0.1  # a word in more than this share of the sentences (and more than 8) is the topic, not a report
BIG_SAMPLE = 48  # a big card (prepare.BIG_CARD) judges a group's cohesion on at most this many of its sentences
MIN_CORE = 3  # ... each of them having at least this many, unless they state the same figure and share a
# name or place (a figure then stands for the content)

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
go goes going went gone get gets got getting back take takes took taken come comes came
""".split())

_SYNONYMS = {"soldier": "troop", "personnel": "troop", "fighter": "troop", "gave": "give", "given": "give",
             "dead": "die", "death": "die", "died": "die", "killed": "kill",
             # words news reports use for one another (the key as _stem cuts it; a stem on the right)
             "examin": "check", "inspect": "check", "hurt": "injur", "wound": "injur", "injury": "injur",
             "apprehend": "arrest", "detain": "arrest", "bond": "bail", "lawsuit": "sue", "sued": "sue",
             "employee": "worker", "staff": "worker", "televis": "broadcast", "bitten": "bite",
             "grave": "serious", "significant": "serious", "severe": "serious", "fatally": "kill", "slain": "kill",
             "gunned": "shot"}
_NUMBER_WORDS = {w: str(n) for n, w in enumerate(
    "two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split(), 2)}  # "one" stays a stop word ("one of the ...")
_NUMBER_WORDS.update({w: str(10 * n) for n, w in enumerate("thirty forty fifty sixty seventy eighty ninety".split(), 3)})
_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*[A-Za-z]|[A-Za-z]|\d[\d,.]*\d|\d")
_QUOTE_MARK = re.compile(r"[“”\"]")
_NAME_PHRASE = re.compile(r"(?<=\w )([A-Z][a-z]+) ([a-z]{3,}) ([a-z]{3,})\b")  # "the Eastfield sports centre"


@functools.lru_cache(maxsize=1 << 16)
def _stem(word: str) -> str:
    """A deliberately light English stemmer: plurals and the commonest verb endings."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    w = w.strip("'-")
    if w in _SYNONYMS:
        return _SYNONYMS[w]
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if len(w) > 4 and w.endswith("ied"):
        w = w[:-3] + "y"
    elif len(w) > 5 and w.endswith("ing"):
        w = w[:-3]
    elif len(w) > 4 and w.endswith("ed"):
        w = w[:-2]
    elif len(w) > 8 and w.endswith("ation"):
        w = w[:-3]  # evacuation -> evacuat (evacuated -> evacuat)
    elif len(w) > 8 and w.endswith("ment"):
        w = w[:-4]  # deployment -> deploy, settlement -> settle
    if w in _SYNONYMS:
        return _SYNONYMS[w]
    if len(w) > 4 and w.endswith("e") and not w.endswith("ee"):
        w = w[:-1]  # charge / charged, evacuate / evacuated, announce / announcement
    if len(w) > 4 and w[-1] == w[-2] and w[-1] in "bdgmnprt":
        w = w[:-1]  # stopped -> stopp -> stop
    return _SYNONYMS.get(w, w)


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of ``text`` inside quotation marks.

    A quote opened and not closed runs to the end (it continues in the next sentence); a closing
    mark with no opening one closes a quote that began in an earlier sentence, so it runs from the start.
    """
    spans: list[tuple[int, int]] = []
    start: int | None = None
    for m in _QUOTE_MARK.finditer(text):
        mark, at = m.group(), m.start()
        if mark == '"':
            before = text[at - 1] if at else " "
            opening = start is None and (before.isspace() or before in "([{:—–-")
        else:
            opening = mark == "“"
        if opening:
            if start is None:
                start = at
        elif start is not None:
            spans.append((start, at + 1))
            start = None
        elif not spans:
            spans.append((0, at + 1))
    if start is not None:
        spans.append((start, len(text)))
    return spans


_BRACKETS = re.compile(r"\[[^\]]*\]")
OUTSIDE, QUOTED, INSERTED = 0, 1, 2  # where a token stands: outside quotes, in a quote, in "[...]" inside a quote


@functools.lru_cache(maxsize=1 << 16)
def _word(word: str) -> tuple[str, bool] | None:
    """A word as a token: (stem or digits, capitalised), or None for a stop word."""
    if word[0].isdigit():
        return word.replace(",", "").rstrip("."), False
    lower = word.lower()
    if lower in _NUMBER_WORDS:
        return _NUMBER_WORDS[lower], False
    if lower in _STOP or len(lower) < 2:
        return None
    return _stem(word), word[0].isupper()


def _scan(text: str) -> list[tuple[str, bool, bool, int]]:
    """Content tokens as (stem, capitalised, first word of the sentence, OUTSIDE / QUOTED / INSERTED)."""
    spans = quoted_spans(text) if ('"' in text or "“" in text or "”" in text) else []
    if not spans:
        out = []
        first = True
        for word in _WORD.findall(text):
            tok = _word(word)
            if tok is not None:
                out.append((tok[0], tok[1], first, OUTSIDE))
            first = False
        return out
    inserted = [m.span() for m in _BRACKETS.finditer(text)] if "[" in text else []
    out = []
    for n, m in enumerate(_WORD.finditer(text)):
        tok = _word(m.group())
        if tok is None:
            continue
        at = m.start()
        where = OUTSIDE
        if any(a <= at < b for a, b in spans):
            where = INSERTED if any(a <= at < b for a, b in inserted) else QUOTED
        out.append((tok[0], tok[1], n == 0, where))
    return out


def tokens(text: str) -> list[tuple[str, bool]]:
    """Content tokens of ``text`` as (stem, is_name); numbers lose their separators, number words become digits.

    ``is_name`` here is the local cue (a capitalised word inside the sentence); the Vectorizer
    decides over all the sentences it compares which stems are names."""
    return [(stem, capital and not first) for stem, capital, first, _ in _scan(text)]


@dataclass(frozen=True, slots=True)
class Unit:
    """One sentence of one article, as alignment sees it."""

    article_id: str
    index: int  # sentence number in its article
    paragraph: int  # paragraph index in its article
    text: str
    values: tuple[float, ...] = ()  # values of the figures in the sentence
    figures: tuple[tuple[str, float], ...] = ()  # (counted key, value) of its counted figures: ("people|killed", 11)


@dataclass(slots=True)
class Claim:
    """Sentences from different articles that report the same thing (one sentence per article)."""

    units: list[Unit]
    cohesion: dict[int, float] = field(default_factory=dict)  # position in units -> summed similarity

    @property
    def article_ids(self) -> list[str]:
        return [u.article_id for u in self.units]

    @property
    def own(self) -> list[Unit]:
        """The sentences grouped into this claim, without those that support it from another claim's group."""
        return [u for n, u in enumerate(self.units) if self.cohesion.get(n, 0.0) >= 0]

    def representative(self) -> Unit:
        """The sentence closest to all the others, preferring one that reads on its own (see standalone);
        ties go to the shorter, then the earlier one."""
        best = max(range(len(self.units)), key=lambda i: _rep_key(self.units[i], self.cohesion.get(i, 0.0)))
        return self.units[best]


def _rep_key(unit: Unit, cohesion: float) -> tuple:
    # a supporting sentence (cohesion -1, see _claim) never stands for the claim
    return cohesion >= 0, standalone(unit.text), round(cohesion, 6), -len(unit.text), -unit.index


def quote_led(text: str) -> bool:
    """A sentence that opens inside a quote (its speaker, if any, comes after it or in another sentence)."""
    spans = quoted_spans(text) if _QUOTE_MARK.search(text) else []
    return bool(spans) and spans[0][0] == 0


_ANAPHOR = frozenset("he she it its they them their we our us i this that these those his her such there".split())


def standalone(text: str) -> bool:
    """Whether a sentence reads on its own: it neither opens inside a quote nor with a word that points
    back to an earlier sentence ("Those investigators ...", "They're the vanguard ...", "We now know ...")."""
    if quote_led(text):
        return False
    first = _WORD.search(text)
    return not (first and first.group().lower().replace("’", "'").split("'")[0] in _ANAPHOR)


@dataclass(frozen=True, slots=True)
class Features:
    """What alignment compares in one sentence."""

    content: dict[str, float]  # TF-IDF of the words that are not names (a quote's own words weigh most), unit length
    core: frozenset[str]  # the words whose sharing counts as reporting the same thing (a quote: its own words)
    rare: frozenset[str]  # core words that are not common to the whole set ("troops" in a story about troops)
    names: frozenset[str]  # name stems (people, organisations, places, days)
    name_vector: dict[str, float]
    question: bool  # a question reports nothing
    phrases: frozenset[tuple[str, str]] = frozenset()  # adjacent core words, both rare ("security threat")
    named: frozenset[tuple[str, str]] = frozenset()  # those that go on a name ("Eastfield sports centre")


class Vectorizer:
    """TF-IDF vectors of sentences, with IDF taken over the sentences being compared.

    A stem is a name when, inside sentences, it is written capitalised at least as often as in lower
    case ("Raske", "Directorate", "Tuesday"); names are kept apart from the content words, so that two
    sentences about one minister are not taken for one report. In a sentence that is mostly a quote,
    the quoted words are its content and the words around them (the attribution), or put in by an
    editor in "[...]", weigh FRAME_WEIGHT.
    """

    def __init__(self, texts: Iterable[str]) -> None:
        texts = list(texts)
        scans = [_scan(t) for t in texts]
        self.token_lists = [[(stem, capital and not first) for stem, capital, first, _ in toks] for toks in scans]
        df: dict[str, int] = defaultdict(int)
        capital: dict[str, int] = defaultdict(int)
        lower: dict[str, int] = defaultdict(int)
        for toks in scans:
            for stem in {t[0] for t in toks}:
                df[stem] += 1
            for stem, cap, first, _ in toks:
                if cap and not first:
                    capital[stem] += 1
                elif not cap and not stem[0].isdigit():
                    lower[stem] += 1
        self.df = dict(df)
        n = len(scans)
        self.idf = {s: math.log((n + 1) / (c + 1)) + 1.0 for s, c in df.items()}
        self.names = frozenset(s for s, c in capital.items() if c >= lower.get(s, 0))
        self.proper = frozenset(s for s in self.names if not lower.get(s))  # never written in lower case
        self.vectors = [self._vector(toks) for toks in self.token_lists]
        self.common = frozenset(s for s, c in df.items() if c > max(8, n * COMMON))
        self.features = [self._features(toks, text) for toks, text in zip(scans, texts)]

    def _vector(self, toks: list[tuple[str, bool]]) -> dict[str, float]:
        vec: dict[str, float] = defaultdict(float)
        for stem, _ in toks:
            vec[stem] += self.idf[stem]
        return _unit(vec)

    def _features(self, toks: list[tuple[str, bool, bool, int]], text: str) -> Features:
        words = [(stem, where) for stem, _, _, where in toks if stem not in self.names]
        own = [stem for stem, where in words if where == QUOTED]  # the speaker's own words
        is_quote = len(words) >= 2 and sum(where != OUTSIDE for _, where in words) * 2 >= len(words)
        content: dict[str, float] = defaultdict(float)
        for stem, where in words:
            content[stem] += self.idf[stem] * (FRAME_WEIGHT if is_quote and where != QUOTED else 1.0)
        names: dict[str, float] = defaultdict(float)
        for stem, _, _, _ in toks:
            if stem in self.names:
                names[stem] += self.idf[stem]
        core = frozenset(own if is_quote else (s for s, _ in words))
        # a name written in lower case here is also a word of the report ("a grave security threat", where
        # "Security" is otherwise a name: "Information Security"): it counts as shared content, and in
        # phrases, without weighing in the content vector
        plain = [(stem, where) for stem, cap, first, where in toks
                 if stem in self.names and not (cap or first) and stem not in self.proper]
        if not is_quote:
            core |= {stem for stem, _ in plain}
        else:
            core |= {stem for stem, where in plain if where == QUOTED}
        rare = core - self.common
        # phrases: two rare words in a row (no name between them), not digits
        seq = [None if s in self.names and (cap or first or s in self.proper) else s
               for s, cap, first, where in toks if (where == QUOTED or not is_quote) and not s[0].isdigit()]
        phrases = frozenset((x, y) for x, y in zip(seq, seq[1:]) if x and y and x in rare and y in rare and x != y)
        named = frozenset((_stem(x), _stem(y)) for n, x, y in _NAME_PHRASE.findall(text)
                          if _stem(n) in self.names) & phrases if phrases else frozenset()
        return Features(_unit(content), core, rare, frozenset(names), _unit(names),
                        text.rstrip().endswith("?"), phrases, named)


def _unit(vec: Mapping[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
    return {k: v / norm for k, v in vec.items()}


def _cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b[k] for k, w in a.items() if k in b)


def _agree(x: float, y: float) -> bool:
    return bool(x) and abs(x - y) <= 0.03 * max(abs(x), abs(y))


def _share_value(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return any(_agree(x, y) for x in a for y in b)


def _share_counted(a: tuple[tuple[str, float], ...], b: tuple[tuple[str, float], ...]) -> bool:
    return any(ka == kb and _agree(x, y) for ka, x in a for kb, y in b)


def similarity(a: Unit, b: Unit, fa: Features, fb: Features) -> float:
    """How likely two sentences report the same thing, about 0 to 1.5; 0 when they cannot.

    A question reports nothing. Others cannot unless they share MIN_CONTENT content words that are
    not common to the whole set (a quote: of its own words) and each
    has MIN_CORE of them, or state the same figure about the same counted thing, or the same
    figure next to a shared name or place: a shared name alone, or the same speaker, is not the
    same report. Figures that all differ count against (the sentences report different numbers)."""
    if fa.question or fb.question:
        return 0.0
    shared_value = bool(a.values and b.values) and _share_value(a.values, b.values)
    counted = shared_value and _share_counted(a.figures, b.figures)
    if not (counted or (shared_value and fa.names & fb.names)) and (
            len(fa.rare & fb.rare) < MIN_CONTENT or len(fa.core) < MIN_CORE or len(fb.core) < MIN_CORE):
        return 0.0
    score = _cosine(fa.content, fb.content)
    score += NAME_WEIGHT * _cosine(fa.name_vector, fb.name_vector)
    phrases = len((fa.phrases & fb.phrases) - (fa.named & fb.named))  # a place's name is not a shared report
    if phrases and score < THRESHOLD:  # shared phrases lift a pair that falls short; they do not reorder strong ones
        score = min(score + PHRASE_BONUS * min(2, phrases), THRESHOLD + PHRASE_BONUS / 2)
    if counted:
        score += COUNTED_BONUS
    elif shared_value:
        score += FIGURE_BONUS
    elif a.values and b.values:
        score -= FIGURE_MISMATCH
    return score


def _candidate_pairs(units: list[Unit], vec: Vectorizer, cap: int | None = None) -> dict[tuple[int, int], int]:
    """Pairs of sentences from different articles that share at least MIN_SHARED informative tokens, or a
    counted figure ("11 people killed"). ``cap``: a token (or figure) found in more sentences than this makes
    no pairs (a big card's blocking by rarer words: the pairs then grow with the sentences, not their square)."""
    n = len(units)
    max_df = max(8, int(n * 0.08))
    if cap is not None:
        max_df = min(max_df, cap)
    postings: dict[str, list[int]] = defaultdict(list)
    for i, toks in enumerate(vec.token_lists):
        for stem in {s for s, _ in toks}:
            if 1 < vec.df[stem] <= max_df:
                postings[stem].append(i)
    figures: dict[tuple[str, float], list[int]] = defaultdict(list)  # a shared counted figure makes a pair
    for i, u in enumerate(units):
        for key, value in set(u.figures):
            figures[(key, round(value, 6))].append(i)
    shared: Counter[tuple[int, int]] = Counter()
    for ids in postings.values():
        shared.update(itertools.combinations(ids, 2))  # ids ascend, so every pair is (low, high)
    for ids in figures.values():
        if 1 < len(ids) <= max_df:
            for _ in range(MIN_SHARED):
                shared.update(itertools.combinations(ids, 2))
    return {(i, j): c for (i, j), c in shared.items()
            if c >= MIN_SHARED and units[i].article_id != units[j].article_id}


def align(units: list[Unit], *, threshold: float = THRESHOLD, vectorizer: Vectorizer | None = None,
          max_df: int | None = None, sample: int | None = None) -> list[Claim]:
    """Group sentences reporting the same thing into claims (only claims of two or more articles).

    ``vectorizer`` must have been built from the units' texts, in order (pass it to reuse it).
    A big card bounds the work: ``max_df`` (see _candidate_pairs) and ``sample``, the members of a group its
    cohesion is judged on (its first ``sample``: a claim of 500 articles is not compared pair by pair).
    """
    if not units:
        return []
    vec = vectorizer or Vectorizer(u.text for u in units)
    feats = vec.features
    scores: dict[tuple[int, int], float] = {}
    edges = []
    for (i, j) in _candidate_pairs(units, vec, max_df):
        score = similarity(units[i], units[j], feats[i], feats[j])
        scores[(i, j)] = score
        if score >= threshold:
            edges.append((score, i, j))
    edges.sort(key=lambda e: (-e[0], e[1], e[2]))

    def sim(x: int, y: int) -> float:
        key = (x, y) if x < y else (y, x)
        if key not in scores:
            scores[key] = similarity(units[x], units[y], feats[x], feats[y])
        return scores[key]

    def cohesive(left: list[int], right: list[int]) -> bool:
        """Average link: the two groups are, on the whole, about the same thing (no chaining via one pair)."""
        if len(left) == 1 and len(right) == 1:
            return True
        if sample is not None:
            left, right = left[:sample], right[:sample]
        pairs = [sim(x, y) for x in left for y in right]
        return sum(pairs) / len(pairs) >= threshold * GROUP_COHESION

    neighbours: dict[int, list[int]] = defaultdict(list)
    for _, i, j in edges:
        neighbours[i].append(j)
        neighbours[j].append(i)
    figure_index: dict[str, list[int]] = defaultdict(list)
    for k, u in enumerate(units):
        for key in dict.fromkeys(key for key, _ in u.figures):
            figure_index[key].append(k)
    claims = []
    for ids in _group(units, edges, cohesive):
        claim = _claim(units, ids, neighbours, sim, threshold, figure_index, sample)
        if claim is not None:
            claims.append(claim)
    place = {(u.article_id, u.index): k for k, u in enumerate(units)}  # units come in the card's reading order
    claims.sort(key=lambda c: (-len(c.units), place[(c.units[0].article_id, c.units[0].index)]))
    return claims


def _claim(units: list[Unit], ids: list[int], neighbours: Mapping[int, list[int]], sim: Callable[[int, int], float],
           threshold: float, figure_index: Mapping[str, list[int]] | None = None,
           sample: int | None = None) -> Claim | None:
    """A claim from a group of sentences, with the sentences of other articles that state it as well.

    The representative is the member most similar, on average, to the members of other wording
    (a syndicated copy does not make its own text central). A sentence that reports two things
    ("the toll rose to 11 and 17 remain missing") sits in the group of one of them; it also supports
    the other when it is similar to that claim's representative and, on average, to its members,
    or when every member of that claim states a counted figure ("11 people killed") that it states too.
    """
    if len(ids) == 1 and not neighbours.get(ids[0]):
        return None

    def norm(k: int) -> str:
        return " ".join(_WORD.findall(units[k].text.lower().replace("’", "'")))

    wording = {k: norm(k) for k in ids}
    distinct = list({wording[k]: k for k in ids}.values())  # one sentence per wording
    judged = ids  # the members a sentence's fit is judged on: all of them, or a big card's first ``sample``
    if sample is not None:
        distinct, judged = distinct[:sample], ids[:sample]
    cohesion: dict[int, float] = {}
    for k in ids:
        others = [sim(k, x) for x in distinct if wording[x] != wording[k]]
        cohesion[k] = sum(others) / len(others) if others else 0.0
    rep = max(ids, key=lambda k: _rep_key(units[k], cohesion[k]))
    members = list(ids)
    articles = {units[k].article_id for k in ids}
    best: dict[str, tuple[float, int]] = {}

    def support(k: int, score: float) -> None:
        aid = units[k].article_id
        if aid not in articles and (aid not in best or (score, -k) > (best[aid][0], -best[aid][1])):
            best[aid] = (score, k)

    # a sentence alone in its group is a claim only with the support of sentences grouped elsewhere,
    # and only when it can stand for it ("Those 1,500 commandos ..." cannot)
    for k in neighbours.get(rep, ()) if len(ids) > 1 or standalone(units[rep].text) else ():
        score = sim(rep, k)
        if score >= threshold and sum(sim(k, x) for x in judged) / len(judged) >= threshold * GROUP_COHESION:
            support(k, score)
    if len(ids) > 1 and figure_index is not None:
        # every member states the same counted figure: the claim is about it, and so is every sentence stating it
        common = [f for f in units[rep].figures if all(_share_counted((f,), units[k].figures) for k in ids)]
        for key, value in common:
            for k in figure_index.get(key, ()):
                if _share_counted(((key, value),), units[k].figures):
                    support(k, sim(rep, k))
    for _, k in best.values():
        members.append(k)
        cohesion[k] = -1.0  # supports the claim, never stands for it
    if len({units[k].article_id for k in members}) < 2:
        return None
    members.sort()  # reading order: units come sorted by article (prepare.reading_order), then sentence
    return Claim([units[k] for k in members], {n: cohesion[k] for n, k in enumerate(members)})


def _group(units: list[Unit], edges: list[tuple[float, int, int]],
           cohesive: Callable[[list[int], list[int]], bool] | None = None) -> list[list[int]]:
    """Greedy merging from the strongest pair down; a group never holds two sentences of one article.

    Every sentence is in exactly one group (most of them alone)."""
    group_of = list(range(len(units)))
    members: dict[int, list[int]] = {i: [i] for i in range(len(units))}
    articles: dict[int, set[str]] = {i: {u.article_id} for i, u in enumerate(units)}
    for _, i, j in edges:
        gi, gj = group_of[i], group_of[j]
        if gi == gj or articles[gi] & articles[gj]:
            continue
        if cohesive is not None and not cohesive(members[gi], members[gj]):
            continue
        if len(members[gi]) < len(members[gj]):
            gi, gj = gj, gi
        for k in members[gj]:
            group_of[k] = gi
        members[gi].extend(members.pop(gj))
        articles[gi] |= articles.pop(gj)
    return list(members.values())
