"""Precision and recall of cross-article alignment (briefs.align), against hand-written golds.

    python bench/eval_align.py [--json] [--dump CLUSTER] [--show]

Two golds are scored:
- multinews: tests/gold/multinews_align.json, written by reading the articles of real multinews-dev
  clusters (../shared/corpora/multinews-dev): for each cluster, the claims that two or more of its
  articles report, each as the sentences (article file name, sentence text as split by the extraction)
  that report it. Every such claim found by reading is listed, so the gold is exhaustive for its
  clusters and precision is measured over every pair the engine puts together.
- demo: the key facts of tests/gold/demo_gold.json (story articles of the bundled demo library): the
  sentences holding a fact's evidence strings report that fact. This gold lists the facts worth a card
  (29), not every shared sentence, so precision there counts only predicted pairs that touch a gold
  sentence (a pair of two sentences the gold says nothing about is not scored).

The "key facts" rows score the claims the card's key facts are made of: align's claims with those
that report one thing merged (briefs.facts.merged_claims), before the card keeps its top MAX_FACTS.

What is scored is pairs of sentences of different articles: a gold pair is two sentences of one gold
claim; a predicted pair is two sentences put in one claim by align (any member of Claim.units,
supporting sentences included, since the card shows them as the fact's sources). Precision: predicted
pairs that are gold pairs / predicted pairs; recall: gold pairs predicted / gold pairs. A gold sentence
matches a unit when one text contains the other (whitespace, quote marks and case ignored).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefs.facts import merged_claims  # noqa: E402
from briefs.prepare import prepare  # noqa: E402
from index.indexer import update  # noqa: E402
from index.library import Library  # noqa: E402

GOLD = ROOT / "tests" / "gold" / "multinews_align.json"
DEMO_GOLD = ROOT / "tests" / "gold" / "demo_gold.json"
DEMO = ROOT / "index" / "demo"
MULTINEWS = ROOT.parent / "shared" / "corpora" / "multinews-dev"


def squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower().replace("’", "'"))


@dataclass
class PairScore:
    name: str
    right: int  # predicted pairs that are gold pairs
    predicted: int
    found: int  # gold pairs predicted
    gold: int

    @property
    def precision(self) -> float:
        return self.right / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 1.0

    def row(self) -> str:
        return (f"{self.name:<22} {self.precision:>9.2f} {self.recall:>7.2f}   "
                f"{self.right:>4}/{self.predicted:<4}  {self.found:>4}/{self.gold:<4}")

    def to_json(self) -> dict:
        return {"precision": round(self.precision, 3), "recall": round(self.recall, 3), "right": self.right,
                "predicted": self.predicted, "found": self.found, "gold": self.gold}


def prepared(folder: Path, work: Path, pattern: str = "article_*.txt"):
    """Index the article files of ``folder`` (copied, so nothing else there is read) and prepare them."""
    src = work / "src"
    if folder.is_dir() and pattern:
        src.mkdir(parents=True)
        for p in sorted(folder.glob(pattern)):
            shutil.copy(p, src / p.name)
    else:
        src = folder
    lib = Library(work / "lib")
    update(lib, [src])
    articles = list(lib.articles())
    return prepared_articles(articles, lib.near_duplicates(), src)


def prepared_articles(articles, duplicates, root: Path):
    prep = prepare(articles, duplicates)
    names = {a.id: Path(a.path).resolve().relative_to(root.resolve()).as_posix() for a in prep.articles}
    return prep, names


def _unit_key(u) -> tuple[str, int]:
    return u.article_id, u.index


def _locate(units_of: dict[str, list], file_id: str, text: str) -> list[tuple[str, int]]:
    """Units of one article that hold (or are held by) a gold sentence."""
    g = squash(text)
    if not g:
        return []
    return [_unit_key(u) for u in units_of.get(file_id, ()) if g in squash(u.text) or
            (len(squash(u.text)) >= 20 and squash(u.text) in g)]


def _pairs(groups: list[list[tuple[str, int]]]) -> set[frozenset]:
    out = set()
    for group in groups:
        for a, b in combinations(sorted(set(group)), 2):
            if a[0] != b[0]:
                out.add(frozenset((a, b)))
    return out


def score_prep(prep, gold_groups: list[list[tuple[str, int]]], *, touching_only: bool,
               merged: bool = False) -> tuple[int, int, int, int, list]:
    gold = _pairs(gold_groups)
    claims = merged_claims(prep) if merged else prep.claims
    predicted = _pairs([[_unit_key(u) for u in c.units] for c in claims])
    if touching_only:
        annotated = {k for g in gold_groups for k in g}
        predicted = {p for p in predicted if p & annotated}
    right = predicted & gold
    missed = gold - predicted
    wrong = predicted - gold
    return len(right), len(predicted), len(right), len(gold), [missed, wrong]


def multinews_groups(prep, names: dict[str, str], claims: list[dict], problems: list[str]):
    ids = {v: k for k, v in names.items()}
    units_of: dict[str, list] = {}
    for u in prep.units:
        units_of.setdefault(u.article_id, []).append(u)
    groups = []
    for claim in claims:
        group = []
        for s in claim["sentences"]:
            aid = ids.get(s["file"])
            found = _locate(units_of, aid, s["text"]) if aid else []
            if not found:
                problems.append(f"{claim.get('claim', '?')}: not found in {s['file']}: {s['text'][:60]!r}")
            group.extend(found)
        groups.append(group)
    return groups


def evaluate_multinews(verbose: bool = False, merged: bool = False) -> PairScore | None:
    """Pairs of align's claims; with ``merged``, of the key facts' claims (briefs.facts.merged_claims)."""
    if not GOLD.is_file() or not MULTINEWS.is_dir():
        return None
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    totals = [0, 0, 0, 0]
    problems: list[str] = []
    for cluster in gold["clusters"]:
        with tempfile.TemporaryDirectory(prefix="brief-align-") as tmp:
            prep, names = prepared(MULTINEWS / cluster["cluster"], Path(tmp))
            groups = multinews_groups(prep, names, cluster["claims"], problems)
            r, p, f, g, (missed, wrong) = score_prep(prep, groups, touching_only=False, merged=merged)
            for n, v in enumerate((r, p, f, g)):
                totals[n] += v
            if verbose:
                text = {(u.article_id, u.index): f"{names[u.article_id]}#{u.index}: {u.text[:110]}" for u in prep.units}
                print(f"== {cluster['cluster']}: right {r}/{p}, found {f}/{g}")
                for label, pairs in (("MISSED", missed), ("WRONG", wrong)):
                    for pair in sorted(pairs, key=sorted):
                        a, b = sorted(pair)
                        print(f"  {label}\n    {text[a]}\n    {text[b]}")
    for p in problems:
        print("gold problem:", p, file=sys.stderr)
    return PairScore("multinews key facts" if merged else "multinews alignment", *totals)


def evaluate_demo(verbose: bool = False, merged: bool = False) -> PairScore:
    gold = json.loads(DEMO_GOLD.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="brief-align-demo-") as tmp:
        lib = Library(Path(tmp) / "lib")
        update(lib, [DEMO])
        key = {}
        for a in lib.articles():
            rel = Path(a.path).resolve().relative_to(DEMO.resolve()).as_posix()
            multi = rel.endswith((".rss", ".atom", ".jsonl", ".xml"))
            key[(rel, a.title if multi else None)] = a
        story = [key[(a["file"], a["entry"])] for a in gold["articles"] if a["story"]]
        prep = prepare(story, lib.near_duplicates())
        units_of: dict[str, list] = {}
        for u in prep.units:
            units_of.setdefault(u.article_id, []).append(u)
        groups = []
        for fact in gold["facts"]:
            group = []
            for where in fact["where"]:
                a = key[(where["file"], where["entry"])]
                for e in fact["evidence"]:
                    group.extend(_locate(units_of, a.id, e)[:1])
            groups.append(sorted(set(group)))
        r, p, f, g, (missed, wrong) = score_prep(prep, groups, touching_only=True, merged=merged)
        if verbose:
            names = {a.id: Path(a.path).name for a in prep.articles}
            text = {(u.article_id, u.index): f"{names[u.article_id]}#{u.index}: {u.text[:110]}" for u in prep.units}
            print(f"== demo: right {r}/{p}, found {f}/{g}")
            for label, pairs in (("MISSED", missed), ("WRONG", wrong)):
                for pair in sorted(pairs, key=sorted):
                    a, b = sorted(pair)
                    print(f"  {label}\n    {text[a]}\n    {text[b]}")
    return PairScore("demo key facts" if merged else "demo alignment", r, p, f, g)


def dump(cluster: str) -> None:
    """Print the sentences of a cluster as the extraction splits them, and the claims aligned today."""
    with tempfile.TemporaryDirectory(prefix="brief-align-") as tmp:
        prep, names = prepared(MULTINEWS / cluster, Path(tmp))
        for a in prep.articles:
            print(f"### {names[a.id]}  {a.title[:80]}")
            for u in prep.units:
                if u.article_id == a.id:
                    print(f"  [{u.index}] {u.text}")
        print("### claims")
        for c in prep.claims:
            print("  --")
            for u in c.units:
                print(f"    {names[u.article_id]}#{u.index}: {u.text[:120]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    parser.add_argument("--dump", metavar="CLUSTER", help="print a cluster's sentences and claims (to annotate)")
    parser.add_argument("--show", action="store_true", help="print the missed and wrong pairs")
    args = parser.parse_args(argv)
    if args.dump:
        dump(args.dump)
        return 0
    scores = [s for s in (evaluate_multinews(args.show), evaluate_demo(args.show),
                          evaluate_multinews(False, merged=True), evaluate_demo(False, merged=True)) if s is not None]
    if args.json:
        print(json.dumps({s.name: s.to_json() for s in scores}, indent=2))
        return 0
    print(f"{'':<22} {'precision':>9} {'recall':>7}   {'right/pred':>9}  {'found/gold':>9}")
    for s in scores:
        print(s.row())
    return 0


if __name__ == "__main__":
    sys.exit(main())
