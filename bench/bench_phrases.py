"""Cold `brief search` of phrases and very common words against `rg -il -F`, side by side, in one run.

    python -m bench.bench_phrases [--library DIR] [--corpus DIR] [--before REV] [--runs 15]

For each query (three common phrases, two words unquoted, a word in most articles) a fresh process
`python -m tui --library DIR search QUERY` of this code (after) and, with --before, of REV (a git revision
checked out into a temporary worktree, or a folder holding a copy of the code), and `rg -il -F TEXT
CORPUS` over the library's source files: one untimed warm-up each, then N runs each, the order rotating
from run to run; medians of wall time and of CPU time (user + system), and the ratios brief / rg. The machine should be idle (say so
when it is not: the ratios are what counts). Default library: /work/benchdata/library-real-20000, its
corpus the folder beside it (realcorpus-20000).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.bench_index import BenchError, markdown_table, median, say, write_out  # noqa: E402
from bench.bench_versions import code_folder, one_search  # noqa: E402

QUERIES = ['"last year"', '"told reporters"', '"white house"', "oil prices", "said"]
DEFAULT_LIBRARY = Path("/work/benchdata/library-real-20000")


def rg_search(corpus: Path, text: str) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system, from wait4) and the number of files `rg -il -F TEXT` lists."""
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        proc = subprocess.Popen(["rg", "-il", "-F", text, str(corpus)], stdout=out, stderr=subprocess.DEVNULL,
                                stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        out.seek(0)
        files = out.read().count(b"\n")
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise BenchError(f"rg failed on {text!r} (exit {os.waitstatus_to_exitcode(status)})")
    return wall, usage.ru_utime + usage.ru_stime, files


def compare(codes: dict[str, Path], library: Path, corpus: Path, runs: int, queries: list[str]) -> str:
    rows = []
    for q in queries:
        plain = q.strip('"')
        said: dict[str, str] = {}
        for name, code in codes.items():  # warm-ups: the OS file cache, .pyc files
            said[name] = one_search(code, library, q)[2]
        rg_files = rg_search(corpus, plain)[2]
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in [*codes, "rg"]}
        order = list(times)
        for n in range(runs):
            for name in order[n % len(order):] + order[:n % len(order)]:
                if name == "rg":
                    times["rg"].append(rg_search(corpus, plain)[:2])
                else:
                    times[name].append(one_search(codes[name], library, q)[:2])
        rg_wall, rg_cpu = (median([t[i] for t in times["rg"]]) * 1000 for i in (0, 1))
        row = [f"`{q}`", f"{rg_wall:.0f} / {rg_cpu:.0f} ms ({rg_files:,} files)"]
        for name in codes:
            wall, cpu = (median([t[i] for t in times[name]]) * 1000 for i in (0, 1))
            row += [f"{wall:.0f} / {cpu:.0f} ms", f"{wall / rg_wall:.2f}× / {cpu / rg_cpu:.2f}×",
                    said[name].replace("|", "/")]
        rows.append(row)
        say(" · ".join(row))
    header = ["query", "`rg -il -F` median wall / CPU"]
    for name in codes:
        header += [f"{name}: brief wall / CPU", f"{name} / rg (wall / CPU)", f"{name}: brief says"]
    return markdown_table(header, rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_phrases", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--library", type=Path, default=DEFAULT_LIBRARY, metavar="DIR")
    parser.add_argument("--corpus", type=Path, metavar="DIR",
                        help="the library's source files for rg (default: realcorpus-N beside library-real-N)")
    parser.add_argument("--before", metavar="REV", help="also time this git revision or folder of the code")
    parser.add_argument("--runs", type=int, default=15, help="timed runs per query and program (default 15)")
    parser.add_argument("--queries", nargs="+", default=QUERIES, metavar="QUERY")
    args = parser.parse_args(argv)
    library = args.library.resolve()
    corpus = args.corpus or library.parent / library.name.replace("library-real-", "realcorpus-")
    if not (library / "manifest.json").is_file():
        print(f"bench_phrases: no library at {library}", file=sys.stderr)
        return 2
    if not corpus.is_dir():
        print(f"bench_phrases: no corpus folder {corpus} (give --corpus)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="brief-bench-phrases-") as scratch:
        codes: dict[str, Path] = {}
        made = []
        try:
            if args.before:
                codes["before"] = code_folder(args.before, Path(scratch))
                if codes["before"] != Path(args.before).resolve():
                    made.append(codes["before"])
            codes["after"] = REPO
            say(f"[{library.name}] cold brief search vs rg -il -F, {args.runs} runs each…")
            table = compare(codes, library, corpus, args.runs, args.queries)
        finally:
            for folder in made:
                subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(folder)],
                               capture_output=True)
    text = (f"Cold `brief search` (fresh process) vs `rg -il -F` over {corpus.name}, library {library.name}, "
            f"{args.runs} runs each, interleaved" + (f"; before = {args.before}" if args.before else "")
            + f"\n\n{table}\n")
    print(text)
    write_out(f"phrases-{library.name}.md", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
