"""How long a briefing card takes over a generated library, first run and with extraction cached.

    python bench/bench_card.py [--sizes 50,500] [--seed 7]

Targets: 50 articles under 1 s and 500 under 5 s (2 cores) once extraction is cached in
<library>/cache/extract. Not a unit test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpus import generate  # noqa: E402
from briefs.card import build_card  # noqa: E402
from briefs.extract import ExtractionCache  # noqa: E402
from index.indexer import update  # noqa: E402
from index.library import Library  # noqa: E402

TARGETS = {50: 1.0, 500: 5.0}


def time_card(lib: Library, articles) -> tuple[float, int]:
    """Seconds for one card with a fresh cache object over the library's cache folder."""
    cache = ExtractionCache(lib.root / "cache" / "extract")
    start = time.perf_counter()
    card = build_card(articles, query=None, duplicates=lib.near_duplicates(), cache=cache)
    return time.perf_counter() - start, len(card.facts)


def run(size: int, seed: int, work: Path) -> tuple[float, float, int]:
    corpus = work / f"corpus-{size}"
    generate(corpus, size, seed)
    lib = Library(work / f"library-{size}")
    update(lib, [corpus], rebuild=True)
    articles = list(lib.articles())
    first, _ = time_card(lib, articles)
    second, facts = time_card(lib, articles)
    return first, second, facts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="50,500", help="library sizes, comma-separated (default 50,500)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"{'articles':>8}  {'first run':>10}  {'cached':>8}  {'target':>7}  {'ok':>3}  facts")
    with tempfile.TemporaryDirectory(prefix="brief-bench-") as tmp:
        for size in sizes:
            first, second, facts = run(size, args.seed, Path(tmp))
            target = TARGETS.get(size)
            ok = "-" if target is None else ("yes" if second < target else "NO")
            shown = f"{target:.1f}s" if target else "-"
            print(f"{size:>8}  {first:>9.2f}s  {second:>7.2f}s  {shown:>7}  {ok:>3}  {facts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
