"""Wildcard and fuzzy queries on a big library: this code against a baseline checkout, side by side.

    python -m bench.bench_expand --library DIR [--baseline DIR] [--rounds 3] [--queries 'con*,econ~,...']

Each round runs one fresh process per code tree (this checkout, then the --baseline checkout: a
directory holding its index/ and tui/ packages, e.g. ``git archive <commit> index tui briefs | tar -x``),
alternating. A process opens the library, runs one plain word (the index opened, the length columns
read), then types each query once, as the app does the first time it sees it: ``search(count=False,
limit=10)`` (the first page; the app counts in the background), and apart the exact count
(count_hits). Reported per query: the median over the rounds of wall time (first page, then count),
and of the process's CPU time, which a loaded machine disturbs less; the ratio this/baseline; what
came back (total, and any notice of a bounded expansion). Target (issue 13): a wildcard or fuzzy
query <= 0.5 s at 100k articles. Figures go to stdout and bench/out/expand-<articles>.md.
Not a test: the figures depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT_DIR = REPO / "bench" / "out"
TARGET_S = 0.5
DEFAULT_QUERIES = "econ~,presid~,wether~2,*tion,c?n*,govern* said"

WORKER = r"""
import json, sys, time
from index.library import Library
from index.search import search, count_hits
from index.errors import QueryError
library, queries = sys.argv[1], json.loads(sys.argv[2])
out = {"file": __import__("index.search").search.__file__}
with Library(library).open_index().searcher() as s:
    out["articles"] = s.doc_count()
    search(s, "said", limit=10, count=False)
    for q in queries:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            r = search(s, q, limit=10, count=False)
        except QueryError as exc:
            out[q] = {"error": str(exc)}
            continue
        first, first_cpu = time.perf_counter() - wall, time.process_time() - cpu
        wall, cpu = time.perf_counter(), time.process_time()
        total = count_hits(s, q)[0]
        out[q] = {"first": first, "first_cpu": first_cpu, "count": time.perf_counter() - wall,
                  "count_cpu": time.process_time() - cpu, "total": total,
                  "notice": getattr(r, "notice", None), "top": [h.id for h in r.hits[:3]]}
print(json.dumps(out))
"""


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def common_prefixes(library: Path, k: int = 5) -> list[str]:
    """The commonest three-letter prefixes of the body's words (as bench_tui picks its wildcards)."""
    from collections import Counter

    sys.path.insert(0, str(REPO))
    from index.library import Library

    with Library(library).open_index().searcher() as s:
        counts = Counter(t[:3] for t in s.reader().field_terms("body") if len(t) > 3 and t[:3].isalpha())
    return [f"{p}*" for p, _ in counts.most_common(k)]


def one_run(code: Path, library: Path, queries: list[str]) -> dict:
    env = dict(os.environ, PYTHONPATH=str(code))
    done = subprocess.run([sys.executable, "-c", WORKER, str(library), json.dumps(queries)], env=env,
                          capture_output=True, text=True, cwd=str(code), timeout=3600)
    if done.returncode != 0:
        raise SystemExit(f"the worker failed under {code}:\n{done.stderr[-2000:]}")
    found = json.loads(done.stdout.strip().splitlines()[-1])
    if not found["file"].startswith(str(code)):
        raise SystemExit(f"{code}: the worker imported {found['file']} instead")
    return found


def _ms(x: float) -> str:
    return f"{x * 1000:.0f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_expand", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--library", type=Path, required=True)
    parser.add_argument("--baseline", type=Path, help="a checkout of the code to compare with")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--queries", help=f"comma-separated; default: the 5 commonest 3-letter prefixes and {DEFAULT_QUERIES}")
    args = parser.parse_args(argv)
    library = args.library.resolve()
    queries = args.queries.split(",") if args.queries else common_prefixes(library) + DEFAULT_QUERIES.split(",")
    trees = [("this", REPO)] + ([("baseline", args.baseline.resolve())] if args.baseline else [])
    runs: dict[str, list[dict]] = {name: [] for name, _ in trees}
    for n in range(args.rounds):
        for name, code in trees:
            say(f"round {n + 1}/{args.rounds}: {name} ({code})…")
            runs[name].append(one_run(code, library, queries))
    articles = runs["this"][0]["articles"]

    def med(name: str, q: str, key: str) -> float | None:
        values = [r[q][key] for r in runs[name] if key in r[q]]
        return statistics.median(values) if values else None

    lines = [f"## Wildcard and fuzzy queries, {articles:,} articles ({args.rounds} rounds, fresh processes, "
             f"alternating; median)", "",
             "First page = search(count=False, limit=10), as the app's first keystroke; count = count_hits. "
             "Wall ms (CPU ms).", ""]
    head = "| query | first page | count | total |"
    rule = "|---|---:|---:|---:|"
    if args.baseline:
        head += " baseline first page | baseline count | baseline total | first page ratio (CPU ratio) |"
        rule += "---:|---:|---:|---:|"
    lines += [head + " notice |", rule + "---|"]
    worst = 0.0
    for q in queries:
        row = [f"`{q}`"]
        for name, _ in trees:
            r0 = runs[name][0][q]
            if "error" in r0:
                row += ["error", "", r0["error"][:60]]
                continue
            first, first_cpu = med(name, q, "first"), med(name, q, "first_cpu")
            count, count_cpu = med(name, q, "count"), med(name, q, "count_cpu")
            if name == "this":
                worst = max(worst, first)
            row += [f"{_ms(first)} ({_ms(first_cpu)})", f"{_ms(count)} ({_ms(count_cpu)})", f"{r0['total']:,}"]
        if args.baseline and "error" not in runs["baseline"][0][q] and "error" not in runs["this"][0][q]:
            row.append(f"{med('this', q, 'first') / med('baseline', q, 'first'):.2f} "
                       f"({med('this', q, 'first_cpu') / med('baseline', q, 'first_cpu'):.2f})")
        elif args.baseline:
            row.append("")
        row.append(runs["this"][0][q].get("notice") or "")
        lines.append("| " + " | ".join(row) + " |")
    lines += ["", f"Slowest first page here: {_ms(worst)} ms (target <= {_ms(TARGET_S)} ms at 100k: "
              f"{'met' if worst <= TARGET_S else 'NOT met'}).", ""]
    text = "\n".join(lines)
    print(text)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / f"expand-{articles}.md").write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
