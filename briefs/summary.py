"""The bottom line (1-3 sentences) and the longer summary (about N words), extractively.

Each sentence is scored from what it shares with the articles and where it stands:

- centrality: its TF-IDF cosine with the centroid of all the card's sentences;
- corroboration across sources: its mean cosine with the centroid of each *other* source (an outlet, or a
  different text when the outlet is unknown; see _voice): a sentence whose words the other sources use too;
  and how many sources carry its claim (0.15 for each source beyond the first, up to three);
- position: 1 / (1 + its index in its article), so that ledes weigh more.

The bottom line adds centrality, cross-source centrality, 0.15 x position and corroboration, and leaves out
sentences that open with a quote. The longer summary weighs cross-source centrality twice, position 0.2
(a sentence repeats another from a cosine of 0.2 there, REDUNDANT_LONG, against 0.35 in the bottom line),
and lets quotes in (a quote of two or three sentences is one line, so that it is never cut open), since
a summary of 250 words tells what was said as well.

Both take only lines that read on their own: 8-50 words (6 in the longer summary, where short sentences
fill what is left of the budget), ending like a sentence (headlines and captions often do not), no
"PHOTOS:" or "Image:" label, quotes closed, and not in a paragraph that holds a photo credit. One line per
claim, and none closer than REDUNDANT (cosine) to one already taken. The weights were set on multinews-dev
(bench/bench_summary.py; README, "Measured").
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass

from .align import THRESHOLD, Claim, Unit, similarity
from .cardmodel import Location, SummaryLine
from .prepare import Prepared, claim_of, dot, vector
from .sources import UNKNOWN

__all__ = ["summary", "long_summary", "words", "MAX_SUMMARY"]

MAX_SUMMARY = 3
MIN_WORDS, MAX_WORDS = 8, 50  # a summary sentence's length (a quote run over two or three sentences: 75)
MIN_WORDS_LONG = 6  # ... in the longer summary, where short sentences fill what is left of the budget
REDUNDANT = 0.35  # cosine from which a sentence repeats one already in the bottom line
REDUNDANT_LONG = 0.2  # ... in the longer summary, where more sentences on the same subject meet
_LABEL = re.compile(r"[A-Z][A-Z .&'’-]{2,}:|(Image|Photo|Photograph|Picture|Caption|Video|Watch|Related)s?\s*:")
# a photo credit: the paragraph holding it is a caption ("..., in Franklin, Tenn. (AP Photo/Mark Zaleski)")
_CREDIT = re.compile(r"\bAP Photo\b|\(\w+ ?Photo\b|Getty Images|\bREUTERS/|/ ?AFP\b|\bPhotograph: |\bPhoto: |"
                     r"\bImage copyright\b|\bPicture taken\b|\bPhoto [Cc]redit\b")
_CREDIT_WORDS = ("Photo", "Getty", "REUTERS/", "AFP", "Image copyright", "Picture taken")  # cheap test first
_QUOTE_OPEN = "\"“'‘"
_SENTENCE_END = (".", "!", "\"", "”", "’", "'")


def words(text: str) -> int:
    """Words as the summary counts them: runs of non-space characters."""
    return len(text.split())


@dataclass(slots=True)
class _Candidate:
    unit: Unit
    text: str  # the sentence, or the sentences of a quote it opens
    claim: Claim | None
    units: list[Unit]  # the sentences that report what this one does, this one included
    central: float  # cosine with the centroid of every sentence
    cross: float  # mean cosine with the centroids of the other independent sources
    independent: int  # independent sources carrying it
    words: int


def _whole(text: str) -> bool:
    """A line that reads on its own: it ends like a sentence, is no "PHOTOS:" label, closes the quotes it
    opens, and no editor's [...] stands in a quote."""
    if not text.endswith(_SENTENCE_END) or _LABEL.match(text) or not _balanced(text):
        return False
    return not (text[:1] in _QUOTE_OPEN and "[" in text)


def _balanced(text: str) -> bool:
    return text.count("“") == text.count("”") and text.count('"') % 2 == 0


def _quote_run(units: list[Unit], i: int, paragraphs: dict[str, list[str]]) -> tuple[str, int]:
    """The text of sentence ``i``, or of it and the next one or two when it opens a quote that they close
    (“Look who I spotted on the court. Her first day back,” she wrote.): (text, sentences taken)."""
    u = units[i]
    text = u.text.strip()
    if _balanced(text) or text.count("”") > text.count("“"):
        return text, 1
    para = paragraphs[u.article_id][u.paragraph] if 0 <= u.paragraph < len(paragraphs[u.article_id]) else ""
    start = para.find(text)
    for k in (1, 2):
        if i + k >= len(units) or units[i + k].article_id != u.article_id or units[i + k].paragraph != u.paragraph:
            break
        last = units[i + k].text.strip()
        end = para.find(last, start + len(text)) if start >= 0 else -1
        if end < 0:
            break
        run = para[start:end + len(last)]
        if _balanced(run):
            return run, k + 1
    return text, 1


def _caption(paragraphs: list[str], n: int) -> bool:
    if not 0 <= n < len(paragraphs):
        return False
    para = paragraphs[n]
    return any(w in para for w in _CREDIT_WORDS) and _CREDIT.search(para) is not None


def _normalised(v: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(w * w for w in v.values())) or 1.0
    return {k: w / norm for k, w in v.items()}


def _voice(prep: Prepared, article_id: str) -> str:
    """Whose words a sentence is, for choosing sentences: its outlet when known, else its text (near-duplicate
    copies as one). Pasted articles of unknown outlet weigh as one source in the card's counts and grades,
    but for a summary each different text is another voice on the story; nothing shown rests on this."""
    key = prep.keys[article_id]
    return key if key != UNKNOWN else "text:" + prep.copies.get(article_id, article_id)


def _candidates(prep: Prepared, min_words: int) -> list[_Candidate]:
    """Every sentence that can stand in a summary, in the card's order (a quote of two or three sentences
    as one line)."""
    vectors = prep.vectorizer.vectors
    centroid: dict[str, float] = defaultdict(float)
    per_source: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for u, v in zip(prep.units, vectors):
        of_source = per_source[_voice(prep, u.article_id)]
        for k, w in v.items():
            centroid[k] += w
            of_source[k] += w
    centroid = _normalised(centroid)
    sources = {key: _normalised(c) for key, c in per_source.items()}
    every: dict[str, float] = defaultdict(float)  # the sum of the sources' centroids: the mean over the others is linear
    for c in sources.values():
        for k, w in c.items():
            every[k] += w
    claims_of = claim_of(prep)
    position = {(u.article_id, u.index): i for i, u in enumerate(prep.units)}
    features = prep.vectorizer.features
    paragraphs = {a.id: a.paragraphs for a in prep.articles}
    out = []
    for i, u in enumerate(prep.units):
        text, taken = _quote_run(prep.units, i, paragraphs)
        n = words(text)
        if not min_words <= n <= MAX_WORDS * (1.5 if taken > 1 else 1) or not _whole(text) \
                or _caption(paragraphs[u.article_id], u.paragraph):
            continue
        claim = claims_of.get((u.article_id, u.index))
        # corroborated by the sentences of its claim that report what this one does (not only a part of the claim)
        units = [x for x in claim.units if x is u or similarity(u, x, features[i], features[position[
            (x.article_id, x.index)]]) >= THRESHOLD] if claim else [u]
        own = _voice(prep, u.article_id)
        cross = (dot(vectors[i], every) - dot(vectors[i], sources[own])) / (len(sources) - 1) if len(sources) > 1 else 0.0
        out.append(_Candidate(u, text, claim, units, dot(vectors[i], centroid), cross,
                              len({_voice(prep, x.article_id) for x in units}), n))
    return out


def _bottom_score(c: _Candidate) -> float:
    return c.central + c.cross + 0.15 / (1 + c.unit.index) + 0.15 * min(c.independent - 1, 3)


def _long_score(c: _Candidate) -> float:
    return 2 * c.cross + 0.2 / (1 + c.unit.index) + 0.15 * min(c.independent - 1, 3)


def _pick(prep: Prepared, candidates: list[_Candidate], score, *, budget: int | None, limit: int | None,
          redundant: float) -> list[_Candidate]:
    """The best candidates first, one per claim and none repeating another; within ``budget`` words when given
    (a sentence that does not fit is passed over for a shorter one), at most ``limit`` sentences."""
    rank = prep.rank
    ranked = sorted(candidates, key=lambda c: (-score(c), rank[c.unit.article_id], c.unit.index))
    picked: list[_Candidate] = []
    vectors: list[dict[str, float]] = []
    used: list[Claim] = []
    total = 0
    shortest = min((c.words for c in ranked), default=0)
    for c in ranked:
        if budget is not None and budget - total < shortest:
            break  # nothing fits any more
        if budget is not None and total + c.words > budget:
            continue
        if c.claim is not None and any(c.claim is x for x in used):
            continue  # one line per claim
        vec = vector(prep, c.text)
        if any(dot(vec, v) > redundant for v in vectors):
            continue
        picked.append(c)
        vectors.append(vec)
        total += c.words
        if c.claim is not None:
            used.append(c.claim)
        if limit is not None and len(picked) == limit:
            break
    if not picked and ranked and budget is not None:
        picked.append(ranked[0])  # nothing is short enough: the best sentence, over the budget
    return picked


def _line(c: _Candidate) -> SummaryLine:
    return SummaryLine(c.text, [Location(x.article_id, x.paragraph) for x in c.units])


def summary(prep: Prepared) -> list[SummaryLine]:
    """The bottom line: 1-3 sentences central to the articles, early in their article and corroborated."""
    candidates = [c for c in _candidates(prep, MIN_WORDS) if c.text[:1] not in _QUOTE_OPEN]
    return [_line(c) for c in _pick(prep, candidates, _bottom_score, budget=None, limit=MAX_SUMMARY,
                                    redundant=REDUNDANT)]


def long_summary(prep: Prepared, budget: int) -> list[SummaryLine]:
    """A summary of about ``budget`` words: whole sentences that do not repeat each other, at most ``budget``
    words (one sentence over it only when none is that short), in reading order (the card's article order,
    then each article's own order). Every line cites the sentences of every article that report it."""
    if budget <= 0:
        return []
    rank = prep.rank
    picked = _pick(prep, _candidates(prep, MIN_WORDS_LONG), _long_score, budget=budget, limit=None, redundant=REDUNDANT_LONG)
    # where the sentence first appears (a copy of it in an earlier article counts)
    picked.sort(key=lambda c: min((rank[x.article_id], x.index) for x in c.units if x.text == c.unit.text))
    return [_line(c) for c in picked]
