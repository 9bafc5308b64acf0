"""Key-fact grades on the real multinews-dev clusters (plain text: outlets mostly unknown), with the rule in
force (the articles of unknown outlet count as one source together, briefs.sources) beside the old one (each
such article a source of its own). Skipped without ../shared/corpora.

    python -m bench.eval_independence [--clusters N]
"""

from __future__ import annotations

import argparse
import glob
from collections import Counter
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "multinews-dev"


def grades(clusters: list[str], old: bool) -> tuple[Counter, int]:
    import briefs.prepare as prepare
    from briefs.card import build_card
    from briefs.sources import source_keys
    from index.readers import read_file

    keys = source_keys
    if old:  # an unknown outlet as a distinct outlet per article: the rule before issue 10
        def keys(ids, outlets, dups):  # noqa: F811
            ids = list(ids)
            return source_keys(ids, {a: outlets.get(a) or f"article {a}" for a in ids}, dups)
    saved, prepare.source_keys = prepare.source_keys, keys
    try:
        out, articles_seen = Counter(), 0
        for c in clusters:
            articles = [a for p in sorted(glob.glob(f"{c}/article_*.txt")) for a in _read(read_file, p)]
            if len(articles) < 2:
                continue
            articles_seen += len(articles)
            for f in build_card(articles, query=None, duplicates={}).facts:
                out[f.credibility] += 1
        return out, articles_seen
    finally:
        prepare.source_keys = saved


def _read(read_file, path: str) -> list:
    """The file's articles; none for a file with no article text (a page of furniture), as brief index skips it."""
    from index.model import ReadError

    try:
        return read_file(path)
    except ReadError:
        return []


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clusters", type=int, default=100)
    args = ap.parse_args()
    clusters = sorted(glob.glob(str(CORPUS / "cluster_*")))[: args.clusters]
    if not clusters:
        raise SystemExit(f"no clusters under {CORPUS}")
    for label, old in (("before (one source per unknown-outlet article)", True), ("now", False)):
        counts, n = grades(clusters, old)
        print(f"{label}: {len(clusters)} clusters, {n} articles, key facts by grade "
              f"{dict(sorted(counts.items()))}")


if __name__ == "__main__":
    main()
