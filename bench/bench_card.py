"""How long a briefing card takes, and how much memory, beside indexing the same articles, at 50 / 500 / 5,000.

    python bench/bench_card.py [--sizes 50,500,5000] [--corpus DIR] [--work DIR] [--seed 1]

For each size N, over the first N articles of a real-worded corpus (bench.realcorpus: sentences of real
articles; ``--corpus`` takes an existing one, e.g. /work/benchdata/realcorpus-20000, else one is made):

  1. `brief index` of the N files into a fresh library, in its own process: wall time, CPU time and peak RSS;
  2. the card over all N articles (briefs.card.build_card, as `brief card --all` builds it) with an empty
     extraction cache, in its own process: the first build, which extracts every article;
  3. the same card again with the extraction cached (a fresh process, the cache on disk).

Reported: seconds (wall and CPU, the CPU of the extraction workers included), peak RSS (the process's own,
and its largest worker's), and the card's first build against indexing (target: <= 1.0x at 500). Targets
(issue 13): the first card over 500 new articles no slower than indexing them; a card over 5,000 articles
in under a minute and under 1 GB. Timings depend on the machine and its load: the ratio is what counts,
and the two are run side by side, one after the other, for each size. Not a unit test.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

FIVE_K_SECONDS, FIVE_K_MB = 60.0, 1024.0


def _measure(cmd: list[str], env: dict | None = None) -> dict:
    """Run ``cmd``; its wall and CPU seconds (children included) and peak RSS in MB (its own, its largest child)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env,
                            cwd=REPO)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    out, err = proc.stdout.read().decode("utf-8", "replace"), proc.stderr.read().decode("utf-8", "replace")
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"{' '.join(cmd[:4])}… failed ({code}): {err.strip()[-2000:]}")
    result = {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024}
    for line in out.splitlines():  # a card process reports what it measured itself
        if line.startswith("{"):
            result.update(json.loads(line))
    return result


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if k != "BRIEF_LIBRARY"}
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _files(corpus: Path, n: int) -> list[Path]:
    files = sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix in (".txt", ".md", ".html"))
    if len(files) < n:
        raise SystemExit(f"{corpus} holds {len(files)} articles, fewer than {n}")
    return files[:n]


def one_card(library: str, cache: str) -> None:
    """In its own process: build the card over every article of ``library`` with the extraction cache ``cache``;
    print what it measured as one JSON line."""
    import resource

    from briefs.card import build_card
    from briefs.extract import ExtractionCache
    from index.library import Library

    lib = Library(library)
    articles = list(lib.articles())
    extraction = ExtractionCache(cache)
    wall, cpu = time.perf_counter(), time.process_time()
    card = build_card(articles, query=None, duplicates=lib.near_duplicates(), cache=extraction)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"card_wall": wall, "card_cpu": cpu + children.ru_utime + children.ru_stime,
                      "worker_rss_mb": children.ru_maxrss / 1024, "articles": len(card.sources),
                      "facts": len(card.facts), "misses": extraction.misses, "reduced": card.reduced}))


def run_size(n: int, corpus: Path, work: Path) -> dict:
    src = work / f"src-{n}"
    shutil.rmtree(src, ignore_errors=True)
    src.mkdir(parents=True)
    for k, path in enumerate(_files(corpus, n)):
        os.link(path, src / f"{k:06d}{path.suffix}") if _same_fs(path, src) else shutil.copy2(path, src / f"{k:06d}{path.suffix}")
    lib, cache = work / f"library-{n}", work / f"cache-{n}"
    shutil.rmtree(lib, ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)
    env = _env()
    index = _measure([sys.executable, "-m", "tui", "--library", str(lib), "index", "--quiet", str(src)], env)
    card_cmd = [sys.executable, str(Path(__file__).resolve()), "--one-card", str(lib), str(cache)]
    first = _measure(card_cmd, env)
    cached = _measure(card_cmd, env)
    shutil.rmtree(src, ignore_errors=True)
    shutil.rmtree(lib, ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)
    return {"n": n, "index": index, "first": first, "cached": cached}


def _same_fs(a: Path, b: Path) -> bool:
    try:
        return a.stat().st_dev == b.stat().st_dev
    except OSError:
        return False


def _row(r: dict) -> str:
    i, f, c = r["index"], r["first"], r["cached"]
    ratio = f["card_wall"] / i["wall"] if i["wall"] else float("nan")
    rss = max(f["rss_mb"], f.get("worker_rss_mb", 0))
    return (f"| {r['n']:,} | {i['wall']:.1f} s ({i['cpu']:.1f} s CPU), {i['rss_mb']:.0f} MB "
            f"| {f['card_wall']:.1f} s ({f['card_cpu']:.1f} s CPU), {rss:.0f} MB | {ratio:.2f}× "
            f"| {c['card_wall']:.1f} s ({c['card_cpu']:.1f} s CPU), {c['rss_mb']:.0f} MB "
            f"| {', '.join(f'{k} {v}' for k, v in f.get('reduced', {}).items()) or '—'} |")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--one-card"]:
        one_card(argv[1], argv[2])
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="50,500,5000", help="article counts, comma-separated (default 50,500,5000)")
    parser.add_argument("--corpus", type=Path, help="a real-worded corpus folder (default: made by bench.realcorpus)")
    parser.add_argument("--work", type=Path, help="work folder (default: a temporary one, removed after)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    work = args.work or Path(tempfile.mkdtemp(prefix="brief-bench-card-"))
    try:
        corpus = args.corpus
        if corpus is None:
            from bench import realcorpus

            corpus, _ = realcorpus.prepare(work, max(sizes), args.seed)
        print(f"loadavg {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; corpus {corpus}", file=sys.stderr)
        print("| articles | `brief index` | first card (extraction included) | card / index | card, extraction "
              "cached | bounded (big card) |")
        print("|---:|---|---|---:|---|---|")
        results = []
        for n in sizes:
            r = run_size(n, corpus, work)
            results.append(r)
            print(_row(r), flush=True)
        for r in results:
            if r["n"] == 500:
                ok = r["first"]["card_wall"] <= r["index"]["wall"]
                print(f"500 new articles: first card {r['first']['card_wall']:.1f} s vs indexing "
                      f"{r['index']['wall']:.1f} s: {'✓' if ok else '✗'} (target <= 1.0x)")
            if r["n"] == 5000:
                for label, m in (("first", r["first"]), ("cached", r["cached"])):
                    rss = max(m["rss_mb"], m.get("worker_rss_mb", 0))
                    ok = m["card_wall"] < FIVE_K_SECONDS and rss < FIVE_K_MB
                    print(f"5,000 articles, {label}: {m['card_wall']:.1f} s, {rss:.0f} MB peak: {'✓' if ok else '✗'} "
                          f"(target < {FIVE_K_SECONDS:.0f} s, < {FIVE_K_MB:.0f} MB)")
        print(f"loadavg {os.getloadavg()[0]:.1f} at the end", file=sys.stderr)
        if args.json:
            print(json.dumps(results, indent=1))
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
