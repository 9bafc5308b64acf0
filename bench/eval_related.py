"""How often the reader's "Related: same story, other outlets" is the same story, on real clusters.

multinews-dev clusters are one story each, told by several outlets: indexed together (``article_*.txt`` of
every cluster), an article's related articles are right when they come from its own cluster. Reports
precision (related articles from the same cluster / all shown) and how many articles get at least one from
their cluster (recall at the list's length), for the rule in force and for the bare more-like-this it
refines (share 0, min terms 0, same outlets allowed).

    python -m bench.eval_related [--corpus ../shared/corpora/multinews-dev] [--clusters 100]
    python -m bench.eval_related --speed LIBRARY [--articles 40]

--speed times related_articles in a library as it is (read only; e.g. one of bench.bench_tui's), for
--articles articles drawn at random: the fast path (index.search._related_pool) against the path it
replaced (Whoosh's collector over every posting), interleaved article by article in one process, median,
p90 and max; and says for how many articles the two lists differ, and whether the fast one is then what
Whoosh gives with its pruning off (whoosh-reloaded 2.7.5's pruning can drop a document from the pool).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.indexer import update  # noqa: E402
from index.library import Library  # noqa: E402
from index.search import related_articles  # noqa: E402


def evaluate(lib: Library, cluster_of: dict[str, str], **rule) -> dict:
    shown = right = found = articles = 0
    with lib.open_index().searcher() as s:
        for a in lib.articles():
            mates = sum(1 for c in cluster_of.values() if c == cluster_of[a.id]) - 1
            if mates < 1:
                continue
            articles += 1
            got = related_articles(s, a, 8, **rule)
            same = sum(1 for f in got if cluster_of.get(f["id"]) == cluster_of[a.id])
            shown += len(got)
            right += same
            found += same > 0
    return {"articles": articles, "shown": shown, "precision": right / shown if shown else 0.0,
            "with_one_right": found / articles if articles else 0.0}


def speed(root: Path, articles: int, seed: int = 2) -> int:
    import random
    import statistics
    import time

    import index.search as S

    lib = Library(root)
    rows = lib.catalog()
    chosen = list(lib.articles([r["id"] for r in random.Random(seed).sample(rows, min(articles, len(rows)))]))
    fast_pool, whoosh_pool = S._related_pool, S._related_pool_whoosh
    times: dict[str, list[float]] = {"fast path": [], "before (Whoosh's collector)": []}
    differ = exact = 0
    try:
        with lib.open_index().searcher() as s:
            for n, a in enumerate(chosen):
                got = {}
                names = list(times) if n % 2 == 0 else list(reversed(times))
                for name in names:
                    S._related_pool = fast_pool if name == "fast path" else (lambda *x, **k: None)
                    t0 = time.perf_counter()
                    got[name] = related_articles(s, a, 8)
                    times[name].append(time.perf_counter() - t0)
                fast, before = got["fast path"], got["before (Whoosh's collector)"]
                if fast != before:
                    differ += 1
                    S._related_pool = lambda *x, **k: None
                    S._related_pool_whoosh = lambda *x, **k: whoosh_pool(*x, **{**k, "pruned": False})
                    exact += related_articles(s, a, 8) == fast
                    S._related_pool_whoosh = whoosh_pool
    finally:
        S._related_pool, S._related_pool_whoosh = fast_pool, whoosh_pool
    print(f"related_articles in {root} ({len(rows):,} articles), {len(chosen)} articles, interleaved:")
    for name, ts in times.items():
        ts.sort()
        print(f"  {name:28} median {statistics.median(ts) * 1000:5.0f} ms  p90 {ts[int(len(ts) * 0.9)] * 1000:5.0f} ms"
              f"  max {ts[-1] * 1000:5.0f} ms")
    print(f"  lists differ for {differ} articles; of them the fast one is Whoosh's with its pruning off: {exact}")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpora" / "multinews-dev")
    ap.add_argument("--clusters", type=int, default=100)
    ap.add_argument("--speed", type=Path, metavar="LIBRARY", help="time related_articles in this library instead")
    ap.add_argument("--articles", type=int, default=40)
    args = ap.parse_args(argv)
    if args.speed:
        return speed(args.speed, args.articles)
    clusters = sorted(p for p in args.corpus.iterdir() if p.is_dir() and p.name.startswith("cluster_"))
    clusters = clusters[:args.clusters]
    with tempfile.TemporaryDirectory() as work:
        src = Path(work) / "src"
        for c in clusters:
            (src / c.name).mkdir(parents=True)
            for f in sorted(c.glob("article_*.txt")):
                shutil.copy(f, src / c.name / f.name)
        lib = Library(Path(work) / "lib")
        update(lib, [src])
        cluster_of = {r["id"]: Path(r["path"]).parent.name for r in lib.catalog()}
        before = evaluate(lib, cluster_of, other_outlets=False, share=0.0, min_terms=0)
        after = evaluate(lib, cluster_of)
    print(f"{len(clusters)} clusters, {before['articles']} articles with another article of their story")
    for name, r in (("bare more-like-this", before), ("related (rule in force)", after)):
        print(f"  {name:26} shown {r['shown']:5}  precision {r['precision']:.3f}  "
              f"articles with one of their story {r['with_one_right']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
