"""Precision and recall of the briefing engine on the bundled demo library, against tests/gold/demo_gold.json.

    python bench/eval_demo.py [--json]

What is scored (an extracted item is correct when it matches a gold item; see each scorer):
- figures: every figure extracted from every demo article vs the gold figures (same article, value
  within 1 %); ``figures+attr`` also needs the attribution right (null when the gold says null).
- quotes: every quote vs the gold quotes (same article, text matching once quote marks, case and
  whitespace are ignored); ``quotes+speaker`` also needs the right speaker (or null when gold is null).
- facts: the key facts of the card for the gold story query vs the gold facts (a fact matches when
  its text contains a gold evidence string, or shares 70 % of its words).
  The card keeps at most MAX_FACTS facts (a fact may match two gold facts it states together);
  ``facts: support`` is the share of matched facts whose independent-source count equals the gold's.
- disagreements: the card's disagreements vs the gold ones (a match shares two or more values);
  ``disagreements+kind`` also needs the kind (conflict / evolving).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefs.card import MAX_FACTS, build_card  # noqa: E402
from briefs.extract import extract  # noqa: E402
from index.indexer import update  # noqa: E402
from index.library import Library  # noqa: E402

GOLD = ROOT / "tests" / "gold" / "demo_gold.json"
DEMO = ROOT / "index" / "demo"
_GENERIC = frozenset("the a an of for and officials official office service agency said says spokesman".split())


@dataclass
class Score:
    name: str
    correct_predicted: int
    predicted: int
    found_gold: int
    gold: int

    @property
    def precision(self) -> float:
        return self.correct_predicted / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.found_gold / self.gold if self.gold else 1.0

    def row(self) -> str:
        return (f"{self.name:<20} {self.precision:>9.2f} {self.recall:>7.2f}   "
                f"{self.correct_predicted:>3}/{self.predicted:<3}  {self.found_gold:>3}/{self.gold:<3}")

    def to_json(self) -> dict:
        return {"precision": round(self.precision, 3), "recall": round(self.recall, 3),
                "correct_predicted": self.correct_predicted, "predicted": self.predicted,
                "found_gold": self.found_gold, "gold": self.gold}


def squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower().replace("’", "'"))


def words(text: str | None) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", (text or "").lower()) if w not in _GENERIC}


def same_source(predicted: str | None, gold: str | None) -> bool:
    """"Ana Petrel" ~ "Regional Governor Ana Petrel"; "civil protection officials" ~ "Civil Protection Directorate"."""
    if gold is None or predicted is None:
        return gold is None and predicted is None
    p, g = words(predicted), words(gold)
    return bool(p) and (p <= g or g <= p or len(p & g) >= 2)


def same_speaker(predicted: str | None, gold: str | None) -> bool:
    if gold is None or predicted is None:
        return gold is None and predicted is None
    return bool(words(gold) & words(predicted))


def article_key(article, demo: Path) -> tuple[str, str | None]:
    rel = Path(article.path).resolve().relative_to(demo.resolve()).as_posix()
    multi = rel.endswith((".rss", ".atom", ".jsonl", ".xml"))
    return rel, (article.title if multi else None)


def load(work: Path):
    lib = Library(work / "library")
    update(lib, [DEMO])
    articles = list(lib.articles())
    by_key = {article_key(a, DEMO): a for a in articles}
    return lib, articles, by_key


def score_figures(gold: dict, by_key: dict, extractions: dict) -> tuple[Score, Score]:
    golds = [(g, by_key[(g["file"], g["entry"])].id) for g in gold["figures"]]
    predicted = [(aid, f) for aid, ex in extractions.items() for f in ex.figures]

    def match(g, gid, aid, f) -> bool:
        return aid == gid and abs(f.value - g["value"]) <= 0.01 * max(abs(g["value"]), 1)

    plain = Score("figures", sum(any(match(g, gid, aid, f) for g, gid in golds) for aid, f in predicted),
                  len(predicted), sum(any(match(g, gid, aid, f) for aid, f in predicted) for g, gid in golds),
                  len(golds))

    def match_attr(g, gid, aid, f) -> bool:
        return match(g, gid, aid, f) and same_source(f.attributed_to, g["attributed_to"])

    attr = Score("figures+attr", sum(any(match_attr(g, gid, aid, f) for g, gid in golds) for aid, f in predicted),
                 len(predicted), sum(any(match_attr(g, gid, aid, f) for aid, f in predicted) for g, gid in golds),
                 len(golds))
    return plain, attr


def score_quotes(gold: dict, by_key: dict, extractions: dict) -> tuple[Score, Score]:
    golds = [(g, by_key[(g["file"], g["entry"])].id) for g in gold["quotes"]]
    predicted = [(aid, q) for aid, ex in extractions.items() for q in ex.quotes]

    def match(g, gid, aid, q) -> bool:
        a, b = squash(g["text"]), squash(q.text)
        return aid == gid and bool(a) and bool(b) and (a in b or b in a) and min(len(a), len(b)) >= 0.6 * max(len(a), len(b))

    def match_speaker(g, gid, aid, q) -> bool:
        return match(g, gid, aid, q) and same_speaker(q.speaker, g["speaker"])

    out = []
    for name, fn in (("quotes", match), ("quotes+speaker", match_speaker)):
        out.append(Score(name, sum(any(fn(g, gid, aid, q) for g, gid in golds) for aid, q in predicted),
                         len(predicted), sum(any(fn(g, gid, aid, q) for aid, q in predicted) for g, gid in golds),
                         len(golds)))
    return out[0], out[1]


def _fact_matches(fact, g: dict) -> bool:
    texts = [fact.text]  # what the reader sees; a fact whose passages stray is not credited for them
    for evidence in g["evidence"]:
        e = squash(evidence)
        if any(e in squash(t) for t in texts):
            return True
        ew = words(evidence)
        if ew and any(len(ew & words(t)) >= 0.7 * len(ew) for t in texts):
            return True
    return False


def score_card(gold: dict, lib: Library, articles: list, by_key: dict) -> tuple[Score, Score, Score, Score]:
    story_ids = {by_key[(a["file"], a["entry"])].id for a in gold["articles"] if a["story"]}
    story = [a for a in articles if a.id in story_ids]
    card = build_card(story, query=gold["story_query"], duplicates=lib.near_duplicates())
    facts = card.facts
    fact_score = Score("facts", sum(any(_fact_matches(f, g) for g in gold["facts"]) for f in facts), len(facts),
                       sum(any(_fact_matches(f, g) for f in facts) for g in gold["facts"]), len(gold["facts"]))
    supported = 0
    matched = 0
    for f in facts:
        g = next((g for g in gold["facts"] if _fact_matches(f, g)), None)
        if g:
            matched += 1
            supported += f.independent == g["independent_sources"]
    support = Score("facts: support", supported, matched, supported, matched)

    def values(d) -> set[float]:
        return {float(s.value) for s in d.claims}

    def match(d, g) -> bool:
        return len({v for v in values(d) if any(abs(v - x) <= 0.01 * x for x in g["values"])}) >= 2

    ds = card.disagreements
    dis = Score("disagreements", sum(any(match(d, g) for g in gold["disagreements"]) for d in ds), len(ds),
                sum(any(match(d, g) for d in ds) for g in gold["disagreements"]), len(gold["disagreements"]))
    kind = Score("disagreements+kind",
                 sum(any(match(d, g) and d.kind == g["kind"] for g in gold["disagreements"]) for d in ds), len(ds),
                 sum(any(match(d, g) and d.kind == g["kind"] for d in ds) for g in gold["disagreements"]),
                 len(gold["disagreements"]))
    return fact_score, support, dis, kind


def evaluate() -> dict[str, Score]:
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="brief-eval-") as tmp:
        lib, articles, by_key = load(Path(tmp))
        extractions = {a.id: extract(a) for a in articles}
        scores = [*score_figures(gold, by_key, extractions), *score_quotes(gold, by_key, extractions),
                  *score_card(gold, lib, articles, by_key)]
    return {s.name: s for s in scores}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    args = parser.parse_args(argv)
    scores = evaluate()
    if args.json:
        print(json.dumps({k: s.to_json() for k, s in scores.items()}, indent=2))
        return 0
    print(f"{'':<20} {'precision':>9} {'recall':>7}   {'right/pred':>9}  {'found/gold':>9}")
    for s in scores.values():
        print(s.row())
    print(f"(a card keeps at most {MAX_FACTS} facts for {scores['facts'].gold} gold facts, so facts recall is limited; "
          "one fact can state two gold facts. 'facts: support' is the share of matched facts whose count "
          "of independent sources equals the gold's)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
