"""Indexing and cold-search figures of `brief`, each beside a baseline measured in the same run.

    python -m bench.bench_index [--sizes 2000,20000] [--corpus synthetic|real|short] [--runs 10] [--seed 1]
                                [--keep DIR] [--index-only]

For each size, over a generated corpus (--corpus: ``synthetic``, bench.corpus, the default; ``real``,
bench.realcorpus, articles of real sentences, median ~550 words; ``short``, the same real sentences in
articles of 2-10 sentences, ~40-250 words, as wire copy or Reuters-21578):
  1. indexing articles/s: `brief index` vs bare Whoosh on the same texts (writer(procs=2, limitmb=256,
     multisegment=True), and the default writer() as a second baseline); target >= 0.8x the fast bare one;
  2. no-op re-index: `brief index` again over unchanged files; target < 1 s;
  3. cold search: a fresh `brief search WORD` process vs `rg -il WORD DIR` (grep -ril when rg is missing),
     alternating, median and p90, for a rare, a 10% and a 50% word; target brief/rg <= 1.0;
  4. peak memory: of a search, its process's max RSS (wait4); of indexing, the peak of the summed RSS of the
     process and all its descendants (workers), sampled from /proc every 20 ms, the same way for brief and
     bare Whoosh (the largest single process's max RSS from wait4 beside it); target search < 60 MB,
     indexing <= 2x bare Whoosh procs=2.
The cold searches use the synthetic corpus's marker words: with --corpus real or short only the indexing
figures are measured.
Tables go to stdout and bench/out/results-<size>.md; the 10 slowest imports of a cold search (-X importtime)
go to stdout and bench/out/importtime.md. Not a unit test: figures depend on the machine.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.corpus import MARKERS, expected_hits, generate  # noqa: E402

OUT_DIR = REPO / "bench" / "out"
INDEX_RATIO_TARGET = 0.8
INDEX_RSS_RATIO_TARGET = 2.0
NOOP_TARGET_S = 1.0
SEARCH_RATIO_TARGET = 1.0
SEARCH_RSS_TARGET_MB = 60.0


class BenchError(Exception):
    """A measured command failed; the message says which and why."""


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------------------------
# Running and timing one process


@dataclass
class Run:
    seconds: float
    rss_mb: float  # max RSS of the process (or of its largest waited-for child)
    returncode: int
    stdout: str
    stderr: str
    tree_mb: float = 0.0  # peak of the summed RSS of the process and its descendants (run(..., tree=True))
    cpu_s: float = 0.0  # user + system CPU seconds of the process and the descendants it waited for


PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2**20 if hasattr(os, "sysconf") else 4 / 1024
TREE_POLL = 0.02  # seconds between samples of a process tree's memory


def _children(pid: int) -> list[int]:
    kids = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                kids += [int(k) for k in f.read().split()]
    except OSError:
        pass
    return kids


def tree_rss_mb(pid: int) -> float:
    """The summed resident memory of ``pid`` and all its descendants now (Linux /proc; 0 elsewhere). Pages
    a forked worker still shares with its parent count in both, as `ps` and `/usr/bin/time` count them."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1])
        except (OSError, ValueError, IndexError):
            continue
        todo += _children(p)
    return total * PAGE_MB


def run(cmd: list[str], cwd: Path | None = None, env: dict | None = None, tree: bool = False) -> Run:
    """Run ``cmd`` to completion with output to temporary files; wall time and max RSS from wait4; with
    ``tree``, also the peak summed RSS of the process tree, sampled every TREE_POLL seconds."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, cwd=cwd, env=env)
        peak = 0.0
        if tree:
            while True:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    break
                peak = max(peak, tree_rss_mb(proc.pid))
                time.sleep(TREE_POLL)
        else:
            _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(seconds, usage.ru_maxrss / 1024, proc.returncode,
                   out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"),
                   max(peak, usage.ru_maxrss / 1024) if tree else 0.0, usage.ru_utime + usage.ru_stime)


def checked(cmd: list[str], what: str, **kwargs) -> Run:
    result = run(cmd, **kwargs)
    if result.returncode != 0:
        tail = "\n".join(result.stderr.strip().splitlines()[-8:])
        raise BenchError(f"{what} failed (exit {result.returncode}): {' '.join(cmd)}\n{tail}")
    return result


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def p90(xs: list[float]) -> float:
    """Nearest-rank 90th percentile."""
    ordered = sorted(xs)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def dir_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


# ----------------------------------------------------------------------------------------------
# Commands under test


def brief_launcher() -> list[str]:
    """The installed `brief` command beside this Python (what a user runs: its launcher imports
    tui.cli directly), else `python -m tui` (which also pays for runpy, ~5 ms)."""
    script = Path(sys.executable).with_name("brief")
    return [str(script)] if script.is_file() and os.access(script, os.X_OK) else [sys.executable, "-m", "tui"]


def brief_cmd(library: Path, *args: str) -> list[str]:
    return [*brief_launcher(), "--library", str(library), *args]


def bare_cmd(corpus: Path, index_dir: Path, mode: str) -> list[str]:
    return [sys.executable, "-m", "bench.bench_index", "--bare-worker", mode, str(corpus), str(index_dir)]


def grep_cmd(word: str, corpus: Path) -> list[str]:
    """`rg -il`, or `grep -ril` when ripgrep is not installed."""
    if shutil.which("rg"):
        return ["rg", "-il", word, str(corpus)]
    return ["grep", "-ril", word, str(corpus)]


def grep_name() -> str:
    return "rg" if shutil.which("rg") else "grep"


def bare_index(corpus: Path, index_dir: Path, mode: str) -> int:
    """Bare Whoosh: one document per file, stemmed title (first line) and body, both stored like brief's."""
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import ID, TEXT, Schema
    from whoosh.index import create_in

    stem = StemmingAnalyzer()
    schema = Schema(path=ID(stored=True, unique=True), title=TEXT(analyzer=stem, stored=True),
                    body=TEXT(analyzer=stem, stored=True))
    index_dir.mkdir(parents=True, exist_ok=True)
    ix = create_in(str(index_dir), schema)
    writer = ix.writer(procs=2, limitmb=256, multisegment=True) if mode == "fast" else ix.writer()
    count = 0
    for path in sorted(p for p in corpus.rglob("*") if p.suffix in (".txt", ".md") and p.is_file()):
        title, _, body = path.read_text(encoding="utf-8").partition("\n")
        writer.add_document(path=str(path), title=title.strip(), body=body.strip())
        count += 1
    writer.commit()
    return count


_HITS = re.compile(r"(?:(\d+) of )?(\d+) hits?\b")


def brief_hits(stderr: str) -> int | None:
    """The total from `brief search`'s last line ("10 of 200 hits", "1 hit")."""
    found = _HITS.findall(stderr)
    return int(found[-1][1]) if found else None


# ----------------------------------------------------------------------------------------------
# Measurements


@dataclass
class IndexFigures:
    brief: Run
    bare_fast: Run
    bare_default: Run
    noop: Run
    brief_mb: float
    bare_mb: float


@dataclass
class SearchFigures:
    word: str
    expected: int
    brief_hits: int | None
    grep_hits: int
    brief_times: list[float] = field(default_factory=list)
    grep_times: list[float] = field(default_factory=list)
    brief_rss: list[float] = field(default_factory=list)
    grep_rss: list[float] = field(default_factory=list)


SHORT_SENTENCES = (2, 10)  # sentences per article of the short corpus, drawn evenly


def prepare_corpus(work: Path, size: int, seed: int, kind: str = "synthetic") -> tuple[Path, float]:
    """The corpus of ``kind`` for ``size``, reused from an earlier --keep run with the same seed."""
    if kind == "real":
        from bench import realcorpus

        return realcorpus.prepare(work, size, seed)
    name = "corpus" if kind == "synthetic" else f"{kind}corpus"
    corpus = work / f"{name}-{size}"
    stamp = work / f"{name}-{size}.stamp"
    want = f"{size} {seed}" if kind == "synthetic" else f"{kind} v1 {size} {seed} {SHORT_SENTENCES}"
    if stamp.is_file() and stamp.read_text() == want and corpus.is_dir():
        return corpus, 0.0
    shutil.rmtree(corpus, ignore_errors=True)
    started = time.perf_counter()
    if kind == "synthetic":
        generate(corpus, size, seed)
    else:
        generate_short(corpus, size, seed)
    stamp.write_text(want)
    return corpus, time.perf_counter() - started


def generate_short(out_dir: Path, size: int, seed: int) -> None:
    """Short real-worded articles: bench.realcorpus's articles (real sentences of multinews-dev, the same
    front matter forms), each of 2-10 sentences instead of the real length distribution (median 25)."""
    from bench import realcorpus

    pool = realcorpus.read_pool()
    low, high = SHORT_SENTENCES
    pool.article_lengths = list(range(low, high + 1))
    realcorpus.generate(out_dir, size, seed, pool=pool)


def measure_indexing(work: Path, corpus: Path, size: int, modes: tuple[str, ...] = ("fast", "default")
                     ) -> tuple[IndexFigures, Path]:
    library = work / f"library-{size}"
    bare_dirs = {mode: work / f"bare-{mode}-{size}" for mode in modes}
    for path in (library, *bare_dirs.values()):
        shutil.rmtree(path, ignore_errors=True)
    bare = {}
    for mode, index_dir in bare_dirs.items():
        say(f"[{size}] bare Whoosh indexing ({mode} writer)…")
        bare[mode] = checked(bare_cmd(corpus, index_dir, mode), f"bare Whoosh ({mode})", cwd=REPO, tree=True)
        say(f"[{size}]   {bare[mode].seconds:.1f}s")
    say(f"[{size}] brief index…")
    first = checked(brief_cmd(library, "index", "--quiet", str(corpus)), "brief index", cwd=work, tree=True)
    say(f"[{size}]   {first.seconds:.1f}s: {first.stderr.strip().splitlines()[-1]}")
    say(f"[{size}] brief index again (no-op)…")
    noop = checked(brief_cmd(library, "index", "--quiet", str(corpus)), "brief index (no-op)", cwd=work)
    say(f"[{size}]   {noop.seconds:.2f}s: {noop.stderr.strip().splitlines()[-1]}")
    figures = IndexFigures(first, bare["fast"], bare.get("default"), noop,
                           dir_mb(library / "index"), dir_mb(bare_dirs["fast"]))
    return figures, library


def measure_search(work: Path, corpus: Path, library: Path, word: str, expected: int, runs: int) -> SearchFigures:
    """Alternate fresh `brief search` and grep processes after one untimed warm-up of each."""
    brief = brief_cmd(library, "search", word)
    grep = grep_cmd(word, corpus)
    warm_brief = checked(brief, "brief search", cwd=work)
    warm_grep = run(grep, cwd=work)
    figures = SearchFigures(word, expected, brief_hits(warm_brief.stderr), len(warm_grep.stdout.splitlines()))
    for n in range(runs):
        order = (("brief", brief), ("grep", grep)) if n % 2 == 0 else (("grep", grep), ("brief", brief))
        for name, cmd in order:
            result = checked(cmd, "brief search", cwd=work) if name == "brief" else run(cmd, cwd=work)
            getattr(figures, f"{name}_times").append(result.seconds)
            getattr(figures, f"{name}_rss").append(result.rss_mb)
    return figures


# ----------------------------------------------------------------------------------------------
# Report


def mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def index_rows(size: int, f: IndexFigures) -> list[list[str]]:
    brief_rate = size / f.brief.seconds
    fast_rate = size / f.bare_fast.seconds
    ratio = brief_rate / fast_rate
    d = f.bare_default  # None with --no-default-writer
    rows = [
        ["Indexing (articles/s)", f"{brief_rate:.0f}", f"{fast_rate:.0f} (bare Whoosh, procs=2)", f"{ratio:.2f}x",
         f">= {INDEX_RATIO_TARGET}x", mark(ratio >= INDEX_RATIO_TARGET)],
    ]
    if d is not None:
        rows.append(["Indexing (articles/s)", f"{brief_rate:.0f}", f"{size / d.seconds:.0f} (bare Whoosh, writer())",
                     f"{brief_rate * d.seconds / size:.2f}x", "", ""])
    also = (lambda text: f" / {text}") if d is not None else (lambda text: "")
    return rows + [
        ["Indexing CPU time (process tree)", f"{f.brief.cpu_s:.1f} s", f"{f.bare_fast.cpu_s:.1f} s (procs=2)",
         f"{f.bare_fast.cpu_s / f.brief.cpu_s:.2f}x (rate)", "", ""],
        ["Indexing wall time", f"{f.brief.seconds:.1f} s",
         f"{f.bare_fast.seconds:.1f} s" + also(f"{d.seconds:.1f} s" if d else ""), "", "", ""],
        ["Indexing peak RSS, process tree", f"{f.brief.tree_mb:.0f} MB",
         f"{f.bare_fast.tree_mb:.0f} MB" + also(f"{d.tree_mb:.0f} MB" if d else ""),
         f"{f.brief.tree_mb / f.bare_fast.tree_mb:.2f}x",
         f"<= {INDEX_RSS_RATIO_TARGET:g}x", mark(f.brief.tree_mb <= INDEX_RSS_RATIO_TARGET * f.bare_fast.tree_mb)],
        ["Indexing max RSS, largest process", f"{f.brief.rss_mb:.0f} MB",
         f"{f.bare_fast.rss_mb:.0f} MB" + also(f"{d.rss_mb:.0f} MB" if d else ""),
         f"{f.brief.rss_mb / f.bare_fast.rss_mb:.2f}x", "", ""],
        ["Index size on disk", f"{f.brief_mb:.1f} MB", f"{f.bare_mb:.1f} MB (procs=2)",
         f"{f.brief_mb / f.bare_mb:.2f}x", "", ""],
        ["No-op re-index", f"{f.noop.seconds:.2f} s", "", "", f"< {NOOP_TARGET_S:.0f} s",
         mark(f.noop.seconds < NOOP_TARGET_S)],
    ]


def search_rows(s: SearchFigures) -> list[list[str]]:
    g = grep_name()
    hits = f"{s.brief_hits} / {s.grep_hits} (expected {s.expected})"
    ok_hits = s.brief_hits == s.grep_hits == s.expected
    med, gmed = median(s.brief_times), median(s.grep_times)
    hi, ghi = p90(s.brief_times), p90(s.grep_times)
    label = f"Cold search `{s.word}`"
    return [
        [f"{label}: hits (brief / {g})", hits, "", "", "equal", mark(ok_hits)],
        [f"{label}: median", f"{med * 1000:.0f} ms", f"{gmed * 1000:.0f} ms ({g})", f"{med / gmed:.2f}x",
         f"<= {SEARCH_RATIO_TARGET}x", mark(med / gmed <= SEARCH_RATIO_TARGET)],
        [f"{label}: p90", f"{hi * 1000:.0f} ms", f"{ghi * 1000:.0f} ms ({g})", f"{hi / ghi:.2f}x", "", ""],
        [f"{label}: max RSS", f"{max(s.brief_rss):.0f} MB", f"{max(s.grep_rss):.0f} MB ({g})", "",
         f"< {SEARCH_RSS_TARGET_MB:.0f} MB", mark(max(s.brief_rss) < SEARCH_RSS_TARGET_MB)],
    ]


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def report(size: int, corpus: Path, gen_seconds: float, runs: int, idx: IndexFigures,
           searches: list[SearchFigures], kind: str = "synthetic") -> str:
    g = grep_name()
    notes = [
        f"## brief at {size:,} articles ({kind} corpus)",
        "",
        f"Corpus: {size:,} files, {dir_mb(corpus):.1f} MB"
        + (f", generated in {gen_seconds:.1f} s" if gen_seconds else " (reused)")
        + f". Machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.platform()}.",
        "Indexing peak RSS: the largest sum of the resident memory of the process and its descendants,"
        f" sampled every {TREE_POLL * 1000:.0f} ms from /proc (both tools measured the same way). CPU time:"
        " user + system of the process and the workers it waited for (less sensitive than wall time to a"
        " loaded machine; its ratio is bare CPU / brief CPU, as a rate).",
        f"Cold searches: {runs} fresh processes each, alternating with `{' '.join(grep_cmd('WORD', Path('DIR')))}`"
        " after one untimed warm-up of each; OS caches are warm for both.",
    ]
    if g == "grep":
        notes.append("ripgrep (`rg`) is not installed: the search baseline is `grep -ril` instead.")
    rows = index_rows(size, idx) + [row for s in searches for row in search_rows(s)]
    table = markdown_table(["Measure", "brief", "baseline", "ratio", "target", ""], rows)
    return "\n".join(notes) + "\n\n" + table + "\n"


def importtime_report(work: Path, library: Path, word: str, top: int = 10) -> str:
    """The slowest imports (self time) of one cold `brief search`, from -X importtime."""
    launcher = brief_launcher()
    python = [sys.executable, "-X", "importtime"]
    cmd = [*python, launcher[0]] if len(launcher) == 1 else [*python, *launcher[1:]]
    cmd += ["--library", str(library), "search", word]
    result = checked(cmd, "brief search -X importtime", cwd=work)
    entries = []
    for line in result.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)", line)
        if m:
            entries.append((int(m[1]), int(m[2]), m[4]))
    total = sum(e[0] for e in entries)
    rows = [[name, f"{self_us / 1000:.1f}", f"{cum_us / 1000:.1f}"]
            for self_us, cum_us, name in sorted(entries, reverse=True)[:top]]
    head = (f"## Slowest imports of a cold `brief search {word}`\n\n"
            f"{len(entries)} modules, {total / 1000:.0f} ms of import time in all (process: {result.seconds * 1000:.0f} ms"
            " with -X importtime on).\n\n")
    return head + markdown_table(["module", "self ms", "cumulative ms"], rows) + "\n"


def write_out(name: str, text: str) -> Path:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUT_DIR / name
    path.write_text(text, encoding="utf-8")
    return path


# ----------------------------------------------------------------------------------------------
# Main


def bench_size(work: Path, size: int, seed: int, runs: int, kind: str = "synthetic",
               index_only: bool = False, no_default: bool = False) -> Path:
    """Measure one size, print and save its table; return the library for later use."""
    say(f"[{size}] {kind} corpus…")
    corpus, gen_seconds = prepare_corpus(work, size, seed, kind)
    idx, library = measure_indexing(work, corpus, size, ("fast",) if no_default else ("fast", "default"))
    searches = []
    for word in MARKERS if kind == "synthetic" and not index_only else ():
        say(f"[{size}] cold search {word!r} x{runs}…")
        searches.append(measure_search(work, corpus, library, word, expected_hits(word, size), runs))
    text = report(size, corpus, gen_seconds, runs, idx, searches, kind)
    print(text, flush=True)
    suffix = "" if kind == "synthetic" else f"-{kind}"
    say(f"[{size}] written to {write_out(f'results-{size}{suffix}.md', text)}")
    return library


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_index", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="2000,20000", help="corpus sizes, comma-separated (default 2000,20000)")
    parser.add_argument("--runs", type=int, default=10, help="timed cold searches per word and tool (default 10)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--corpus", choices=("synthetic", "real", "short"), default="synthetic",
                        help="synthetic (bench.corpus, default), real (bench.realcorpus) or short (real sentences, "
                             "2-10 per article); the cold searches run on synthetic only")
    parser.add_argument("--index-only", action="store_true", help="measure indexing only, no cold searches")
    parser.add_argument("--no-default-writer", action="store_true",
                        help="leave out the second baseline (bare Whoosh's default writer(), the slowest run)")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="work in DIR and keep corpora and libraries (a corpus there is reused)")
    parser.add_argument("--bare-worker", nargs=3, metavar=("MODE", "CORPUS", "INDEX_DIR"), help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def compile_bytecode() -> None:
    """Byte-compile brief's packages first, as any install does: with PYTHONDONTWRITEBYTECODE set (some
    shells and sandboxes set it) every timed process would otherwise compile them from source again."""
    import compileall

    for package in ("index", "briefs", "tui"):
        compileall.compile_dir(str(REPO / package), quiet=1)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.bare_worker:
        mode, corpus, index_dir = args.bare_worker
        bare_index(Path(corpus), Path(index_dir), mode)
        return 0
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    work = args.keep.resolve() if args.keep else Path(tempfile.mkdtemp(prefix="brief-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    if grep_name() == "grep":
        say("ripgrep (rg) not found: comparing cold search with `grep -ril` instead.")
    compile_bytecode()
    try:
        library = None
        for size in sizes:
            library = bench_size(work, size, args.seed, args.runs, args.corpus, args.index_only,
                                 args.no_default_writer)
        if library is not None and args.corpus == "synthetic" and not args.index_only:
            text = importtime_report(work, library, min(MARKERS, key=MARKERS.get))
            print(text, flush=True)
            write_out("importtime.md", text)
    except BenchError as exc:
        say(f"bench_index: {exc}")
        return 1
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
