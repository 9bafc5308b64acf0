"""False conflicts on real clusters: the `conflict` disagreements of multinews-dev cards against a hand-made gold.

    python bench/eval_figures.py [--clusters N] [--dump] [--json] [--corpus DIR]

Each cluster's article_*.txt (never summary.txt) is indexed into one temporary library and the card
over that cluster's articles is built (briefs.card.build_card). Every `conflict` disagreement is then
read against tests/gold/multinews_figures.json, whose labels were written by reading the sentences:

- a gold pair names two values of two articles of one cluster ("article_02.txt", 5.0) and says whether
  setting them against each other is a true conflict (``true``) or not (``false``: one article's two
  figures, another place or date, a plan against a delivery, a grouping by unit alone, ...);
- a conflict is *false* when all its sides come from one article (no label needed), or when every pair of values it sets against each other (from different
  articles) is labelled false, *true* when one of its pairs is labelled true, *unlabelled* otherwise;
- a true pair is *missed* when no conflict (or range) of the card sets its two values against each other.

``--dump`` prints every conflict and range with its sentences (what the gold was written from).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefs.card import build_card  # noqa: E402
from index.indexer import update  # noqa: E402
from index.library import Library  # noqa: E402

GOLD = ROOT / "tests" / "gold" / "multinews_figures.json"
CORPUS = ROOT.parent / "shared" / "corpora" / "multinews-dev"


def _value_key(v: float) -> float:
    return round(float(v), 4)


def cards(corpus: Path, n_clusters: int, work: Path):
    """(cluster name, {article id: file name}, card) for the first ``n_clusters`` clusters."""
    clusters = sorted(p for p in corpus.iterdir() if p.is_dir() and p.name.startswith("cluster_"))[:n_clusters]
    src = work / "src"
    for c in clusters:
        (src / c.name).mkdir(parents=True)
        for f in sorted(c.glob("article_*.txt")):
            shutil.copy(f, src / c.name / f.name)
    lib = Library(work / "library")
    update(lib, [src])
    articles = list(lib.articles())
    dups = lib.near_duplicates()
    for c in clusters:
        own = [a for a in articles if Path(a.path).parent.name == c.name]
        if len(own) < 2:
            continue
        files = {a.id: Path(a.path).name for a in own}
        yield c.name, files, build_card(own, query=None, duplicates=dups)


def side_values(d, files) -> list[set[tuple[str, float]]]:
    """Per side: the (file, value) it stands for, one for each of its articles."""
    return [{(files[loc.source], _value_key(s.value)) for loc in s.locations} for s in d.claims]


def pairs_of(d, files) -> set[frozenset]:
    """Every pair of values the disagreement sets against each other from two different articles."""
    out = set()
    for a, b in combinations(side_values(d, files), 2):
        for fa, va in a:
            for fb, vb in b:
                if fa != fb:
                    out.add(frozenset({(fa, va), (fb, vb)}))
    return out


def load_gold(path: Path) -> dict[str, dict[frozenset, bool]]:
    if not path.exists():
        return {}
    data = json.loads(path.read_text())
    gold: dict[str, dict[frozenset, bool]] = {}
    for p in data["pairs"]:
        key = frozenset({(p["a"][0], _value_key(p["a"][1])), (p["b"][0], _value_key(p["b"][1]))})
        gold.setdefault(p["cluster"], {})[key] = bool(p["conflict"])
    return gold


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clusters", type=int, default=100, help="how many clusters (first N by name)")
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--dump", action="store_true", help="print every conflict and range with its sentences")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"no corpus at {args.corpus}", file=sys.stderr)
        return 2
    gold = load_gold(GOLD)
    found = false = true = unlabelled = missed = gold_true = n_cards = ranges = one_article = 0
    unlabelled_list, false_list, missed_list = [], [], []
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for name, files, card in cards(args.corpus, args.clusters, Path(tmp)):
            n_cards += 1
            labels = gold.get(name, {})
            covered: set[frozenset] = set()
            for d in card.disagreements:
                if d.kind not in ("conflict", "range"):
                    continue
                pairs = pairs_of(d, files)
                covered |= pairs
                if args.dump:
                    print(f"\n== {name} [{d.kind}] {d.about}")
                    for s in d.claims:
                        where = ", ".join(sorted({files[loc.source] for loc in s.locations}))
                        print(f"   {s.value:g} ({s.hedge or '-'}) [{where}] {s.figure!r}: {s.text[:220]}")
                if d.kind == "range":
                    ranges += 1
                    continue
                found += 1
                verdicts = [labels[p] for p in pairs if p in labels]
                if not pairs:  # every side from one article: never a disagreement, no label needed
                    false += 1
                    one_article += 1
                    false_list.append((name, d.about + " (one article)"))
                elif any(verdicts):
                    true += 1
                elif verdicts and len(verdicts) == len(pairs):
                    false += 1
                    false_list.append((name, d.about))
                else:
                    unlabelled += 1
                    unlabelled_list.append((name, d.about, sorted(sorted(p) for p in pairs)))
            for pair, is_conflict in labels.items():
                if is_conflict:
                    gold_true += 1
                    if pair not in covered:
                        missed += 1
                        missed_list.append((name, sorted(pair)))
    result = {"cards": n_cards, "conflicts": found, "false": false, "false_one_article": one_article, "true": true, "unlabelled": unlabelled,
              "ranges": ranges, "gold_true_pairs": gold_true, "true_missed": missed,
              "seconds": round(time.perf_counter() - t0, 1)}
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"\n{n_cards} cards: {found} conflicts, {false} false (by the gold; {one_article} of them within one article), {true} true, "
              f"{unlabelled} unlabelled; {ranges} ranges of estimates; "
              f"{missed} of {gold_true} labelled true conflicts missed  ({result['seconds']} s)")
        for name, about in false_list:
            print(f"  false: {name}: {about}")
        for name, about, pairs in unlabelled_list:
            print(f"  unlabelled: {name}: {about}: {pairs[:6]}")
        for name, pair in missed_list:
            print(f"  missed: {name}: {pair}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
