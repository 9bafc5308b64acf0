"""Search and indexing at scale (20k and 100k articles of real sentences), beside `rg -il -F` in one run.

    python -m bench.bench_scale [--sizes 20000,100000] [--keep DIR] [--runs 5] [--index-sizes 20000]
                                [--seed 1] [--library N=DIR ...] [--queries-only]

Over libraries built by `brief index` from bench.realcorpus (sentences of the real multinews-dev articles,
grouped into articles: see bench/realcorpus.py), one per size, made by bench.bench_tui.build_library in
--keep DIR (reused while their stamps match; the shared ones: ``--keep /work/benchdata``, read only) or
given with ``--library 100000=DIR`` (a library as it is, with its corpus ``realcorpus-N`` beside it).

For each size:
  1. cold search, a query set taken from the library's own document frequencies (body field): a word held
     by about 1%, 10%, 50% and 99% of the articles (the closest word the library has; no word but stop
     words is in 99%, so the commonest, with its share), the phrases "last year" and "told reporters" and
     the commonest other two-word phrase of the real sentences, a wildcard (the commonest 3-letter prefix
     of the body's terms) and a fuzzy term (``econ~``). Each query: one untimed warm-up of each tool, then
     --runs rounds of a new `brief search QUERY` process and a new `rg -il -F TEXT CORPUS` process,
     alternating which goes first. "Cold" is a new process each time (imports, opening the index, reading
     postings: all of it); the OS page cache is warm for both (the warm-up read the files). Median and
     spread (min–max); ratio = brief median / rg median. A wildcard is compared with `rg -il '\bPREFIX'`
     (a word starting with the prefix), a fuzzy term with nothing (its target is absolute);
  2. peak RSS of those `brief search` processes (wait4's ru_maxrss);
  3. indexing (sizes in --index-sizes only; at 100k both take many minutes): `brief index` into a new
     library against bare Whoosh (one document per file: stemmed title = first line, body = the rest,
     `writer(procs=2, limitmb=256, multisegment=True)`, as bench.bench_index), one after the other in
     this run, over the same corpus; articles/s and peak RSS (largest process, sub-processes included).
     Both are written to a temporary folder under --keep DIR (or /tmp) and removed after.
Targets printed beside the figures: cold search <= 1.0x rg at 20k and <= 0.3x at 100k; a wildcard or
fuzzy query <= 0.5 s at 100k; peak RSS of a search <= 60 MB; indexing >= 0.8x bare Whoosh with peak RSS
<= 2x bare Whoosh's. A Markdown table per size goes to stdout and to bench/out/scale-<size>.md.
With the libraries built and --index-sizes 20000, a run at 20k and 100k takes ~10-15 minutes.
Not a test: figures depend on the machine (and on its load: say so when quoting them).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.bench_index import OUT_DIR, Run, brief_cmd, checked, compile_bytecode, dir_mb, run, say  # noqa: E402

RATIO_TARGET = {20000: 1.0, 100000: 0.3}  # cold search, brief / rg
SLOW_KIND_TARGET_S = 0.5  # wildcard and fuzzy, at 100k
SEARCH_RSS_TARGET_MB = 60.0
INDEX_RATIO_TARGET = 0.8
INDEX_RSS_TARGET = 2.0  # x bare Whoosh's peak
LEVELS = (("word ~1%", 0.01), ("word ~10%", 0.10), ("word ~50%", 0.50), ("word ~99%", 0.99))
FIXED_PHRASES = ("last year", "told reporters")
FUZZY = "econ~"


def ratio_target(size: int) -> float:
    """The cold-search target at ``size``: 1.0x at 20k, 0.3x at 100k, in between on a log scale."""
    import math

    if size <= 20000:
        return RATIO_TARGET[20000]
    if size >= 100000:
        return RATIO_TARGET[100000]
    t = math.log(size / 20000) / math.log(5)
    return RATIO_TARGET[20000] * (RATIO_TARGET[100000] / RATIO_TARGET[20000]) ** t


# ----------------------------------------------------------------------------------------------
# The query set


@dataclass
class Query:
    kind: str
    text: str  # what `brief search` is given
    rg: list[str] | None  # rg's pattern arguments (None: no rg baseline)
    note: str = ""


def _term_of(field, word: str) -> str | None:
    tokens = [t.text for t in field.analyzer(word, mode="query")]
    return tokens[0] if len(tokens) == 1 else None


def pick_queries(library: Path) -> list[Query]:
    """The query set of one library (see the module docstring), from its document frequencies."""
    import math
    from collections import Counter

    from whoosh.analysis import STOP_WORDS

    from bench.realcorpus import read_pool, words_of
    from index.library import Library

    pool = read_pool()
    counts = Counter(w for s in pool.sentences for w in words_of(s))
    with Library(library).open_index().searcher() as s:
        reader, field_ = s.reader(), s.schema["body"]
        articles = reader.doc_count()
        share: dict[str, float] = {}
        seen: set[str] = set()
        for word, c in counts.most_common():  # the commonest spelling stands for its stem
            if c < 2 or len(word) < 2 or not word.isalpha():
                continue
            t = _term_of(field_, word)
            if t is None or t in seen:
                continue
            seen.add(t)
            df = reader.doc_frequency("body", t)
            if df:
                share[word] = df / articles
        prefixes = Counter(t[:3] for t in reader.field_terms("body") if len(t) > 3 and t[:3].isalpha())
    out: list[Query] = []
    used: set[str] = set()
    for kind, target in LEVELS:  # single words: of 4 letters or more
        word = min((w for w in share if w not in used and len(w) >= 4), key=lambda w: (abs(math.log(share[w] / target)), w))
        used.add(word)
        out.append(Query(kind, word, ["-F", word], f"in {share[word]:.1%} of articles"))
    bigrams: Counter = Counter()
    every: Counter = Counter()
    for sentence in pool.sentences:
        ws = words_of(sentence)
        every.update(zip(ws, ws[1:]))
        bigrams.update((a, b) for a, b in zip(ws, ws[1:])
                       if len(a) > 2 and len(b) > 2 and a.isalpha() and b.isalpha()
                       and a not in STOP_WORDS and b not in STOP_WORDS
                       and share.get(a, 1) <= 0.3 and share.get(b, 1) <= 0.3)  # no function words
    fixed = {tuple(p.split()) for p in FIXED_PHRASES}
    other = next(f"{a} {b}" for (a, b), _ in bigrams.most_common() if (a, b) not in fixed
                 and not {a, b} & {"caption", "getty", "images", "image", "photo", "photos"})
    for phrase in (*FIXED_PHRASES, other):
        n = every.get(tuple(phrase.split()), 0)
        out.append(Query("phrase", f'"{phrase}"', ["-F", phrase], f"{n} times in the ~8,000 real sentences"))
    prefix = prefixes.most_common(1)[0][0]
    out.append(Query("wildcard", f"{prefix}*", ["-e", rf"\b{prefix}"], f"the commonest 3-letter prefix of body "
                     f"terms ({prefixes[prefix]} terms); rg: a word starting with it"))
    out.append(Query("fuzzy", FUZZY, None, "no rg equivalent: absolute target"))
    return out


# ----------------------------------------------------------------------------------------------
# Measuring


_HITS = re.compile(r"([\d,]+) hits?\b")


def brief_total(stderr: str) -> str:
    """The total of `brief search`'s last line ("10 of 2,000 hits", "about 2,000 hits", "1 hit")."""
    lines = [ln for ln in stderr.strip().splitlines() if _HITS.search(ln)]
    if not lines:
        return "?"
    last = lines[-1]
    total = _HITS.findall(last)[-1]
    return ("about " if "about" in last or "~" in last else "") + total.replace(",", "")


@dataclass
class Timed:
    q: Query
    brief: list[Run] = field(default_factory=list)
    rg: list[Run] = field(default_factory=list)
    brief_hits: str = "?"
    rg_hits: int | None = None


def rg_cmd(q: Query, corpus: Path) -> list[str]:
    return ["rg", "-il", *q.rg, str(corpus)]


def search_env(work: Path) -> dict:
    env = dict(os.environ)
    env["BRIEF_CONFIG"] = str(work / "bench-scale-no-config.toml")  # a user's config does not count
    return env


def time_queries(library: Path, corpus: Path, queries: list[Query], runs: int, work: Path) -> list[Timed]:
    env = search_env(work)
    has_rg = shutil.which("rg") is not None
    out = []
    for q in queries:
        say(f"  {q.kind}: {q.text} x{runs}…")
        t = Timed(q)
        brief = brief_cmd(library, "search", q.text)
        rg = rg_cmd(q, corpus) if (has_rg and q.rg) else None
        warm = checked(brief, "brief search", cwd=work, env=env)
        t.brief_hits = brief_total(warm.stderr)
        if rg:
            t.rg_hits = len(run(rg, cwd=work).stdout.splitlines())
        for n in range(runs):
            order = ("brief", "rg") if n % 2 == 0 else ("rg", "brief")
            for name in order:
                if name == "brief":
                    t.brief.append(checked(brief, "brief search", cwd=work, env=env))
                elif rg:
                    t.rg.append(run(rg, cwd=work))
        out.append(t)
    return out


def bare_worker(corpus: Path, index_dir: Path) -> int:
    """Bare Whoosh over every .txt and .md of ``corpus`` (bench.bench_index.bare_index reads .txt only)."""
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import ID, TEXT, Schema
    from whoosh.index import create_in

    stem = StemmingAnalyzer()
    schema = Schema(path=ID(stored=True, unique=True), title=TEXT(analyzer=stem, stored=True),
                    body=TEXT(analyzer=stem, stored=True))
    index_dir.mkdir(parents=True, exist_ok=True)
    ix = create_in(str(index_dir), schema)
    writer = ix.writer(procs=2, limitmb=256, multisegment=True)
    count = 0
    for path in sorted(p for p in corpus.rglob("*") if p.suffix in (".txt", ".md")):
        title, _, body = path.read_text(encoding="utf-8").partition("\n")
        writer.add_document(path=str(path), title=title.strip(), body=body.strip())
        count += 1
    writer.commit()
    return count


@dataclass
class Indexing:
    brief: Run
    bare: Run
    brief_mb: float
    bare_mb: float


def time_indexing(corpus: Path, size: int, scratch: Path) -> Indexing:
    scratch.mkdir(parents=True, exist_ok=True)
    library, bare = scratch / f"scale-library-{size}", scratch / f"scale-bare-{size}"
    try:
        say(f"[{size}] bare Whoosh indexing (procs=2)…")
        bare_run = checked([sys.executable, "-m", "bench.bench_scale", "--bare-worker", str(corpus), str(bare)],
                           "bare Whoosh", cwd=REPO)
        say(f"[{size}]   {bare_run.seconds:.1f} s")
        say(f"[{size}] brief index…")
        brief_run = checked(brief_cmd(library, "index", "--quiet", str(corpus)), "brief index", cwd=scratch)
        say(f"[{size}]   {brief_run.seconds:.1f} s")
        return Indexing(brief_run, bare_run, dir_mb(library / "index"), dir_mb(bare))
    finally:
        shutil.rmtree(library, ignore_errors=True)
        shutil.rmtree(bare, ignore_errors=True)


# ----------------------------------------------------------------------------------------------
# Report


def _ms(x: float) -> str:
    return f"{x * 1000:.0f}"


def _spread(runs: list[Run]) -> str:
    xs = [r.seconds for r in runs]
    return f"{_ms(statistics.median(xs))} ms ({_ms(min(xs))}–{_ms(max(xs))})"


def report(size: int, articles: int, corpus: Path, runs: int, timed: list[Timed], idx: Indexing | None,
           load: str) -> str:
    target = ratio_target(size)
    lines = [f"## bench_scale at {articles:,} articles (real sentences)", "",
             f"Corpus {corpus.name}: {articles:,} articles. Machine: {os.cpu_count()} CPUs, {load}, Python "
             f"{platform.python_version()}. Cold search: {runs} rounds of a new `brief search` process and a new "
             "`rg -il` process, alternating which goes first, after one untimed warm-up of each (page cache warm "
             "for both). Median (min–max).", "",
             "| query | kind | hits brief / rg | brief | rg | ratio | target | |", "|---|---|---|---|---|---|---|---|"]
    slowest = max(timed, key=lambda t: statistics.median(r.seconds for r in t.brief)) if timed else None
    for t in timed:
        b = statistics.median(r.seconds for r in t.brief)
        if t.rg:
            g = statistics.median(r.seconds for r in t.rg)
            ratio = f"{b / g:.2f}x"
            ok = b / g <= target
            tgt = f"<= {target:.1f}x"
        else:
            g, ratio, ok, tgt = None, "–", True, ""
        if t.q.kind in ("wildcard", "fuzzy") and size >= 100000:
            tgt = (tgt + "; " if tgt else "") + f"<= {SLOW_KIND_TARGET_S} s"
            ok = ok and b <= SLOW_KIND_TARGET_S if t.rg else b <= SLOW_KIND_TARGET_S
        if t.q.kind in ("wildcard", "fuzzy") and size < 100000 and not t.rg:
            tgt, ok = "", None
        hits = f"{t.brief_hits} / {t.rg_hits if t.rg_hits is not None else '–'}"
        mark = "" if ok is None else ("ok" if ok else "MISSED")
        lines.append(f"| `{t.q.text}` | {t.q.kind} ({t.q.note}) | {hits} | {_spread(t.brief)} | "
                     f"{_spread(t.rg) if t.rg else '–'} | {ratio} | {tgt} | {mark} |")
    if timed:
        peak = max(r.rss_mb for t in timed for r in t.brief)
        top = max((r.rss_mb, t.q.text) for t in timed for r in t.brief)
        lines += ["", "| measure | brief | baseline | ratio | target | |", "|---|---|---|---|---|---|",
                  f"| Peak RSS of `brief search` (any query) | {peak:.0f} MB (`{top[1]}`) | – | – | "
                  f"<= {SEARCH_RSS_TARGET_MB:.0f} MB | {'ok' if peak <= SEARCH_RSS_TARGET_MB else 'MISSED'} |",
                  f"| Slowest cold search (median) | {_ms(statistics.median(r.seconds for r in slowest.brief))} ms "
                  f"(`{slowest.q.text}`) | | | | |"]
    else:
        lines += ["", "| measure | brief | baseline | ratio | target | |", "|---|---|---|---|---|---|"]
    if idx is not None:
        rate, bare_rate = size / idx.brief.seconds, size / idx.bare.seconds
        rss_ratio = idx.brief.rss_mb / idx.bare.rss_mb
        lines += [f"| Indexing (articles/s) | {rate:.0f} ({idx.brief.seconds:.0f} s) | {bare_rate:.0f} "
                  f"({idx.bare.seconds:.0f} s, bare Whoosh procs=2) | {rate / bare_rate:.2f}x | >= {INDEX_RATIO_TARGET}x | "
                  f"{'ok' if rate / bare_rate >= INDEX_RATIO_TARGET else 'MISSED'} |",
                  f"| Indexing peak RSS | {idx.brief.rss_mb:.0f} MB | {idx.bare.rss_mb:.0f} MB | {rss_ratio:.2f}x | "
                  f"<= {INDEX_RSS_TARGET:.0f}x | {'ok' if rss_ratio <= INDEX_RSS_TARGET else 'MISSED'} |",
                  f"| Index on disk | {idx.brief_mb:.0f} MB | {idx.bare_mb:.0f} MB | {idx.brief_mb / idx.bare_mb:.2f}x | | |"]
    else:
        lines.append("| Indexing | not measured at this size (see --index-sizes) | | | | |")
    return "\n".join(lines) + "\n"


def load_note() -> str:
    try:
        one, five, _ = os.getloadavg()
        return f"load average {one:.1f} / {five:.1f} (1 / 5 min) at the start"
    except OSError:
        return "load unknown"


# ----------------------------------------------------------------------------------------------
# Main


def parse_args(argv):
    p = argparse.ArgumentParser(prog="python -m bench.bench_scale", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="20000,100000", help="library sizes, comma-separated (default 20000,100000)")
    p.add_argument("--runs", type=int, default=5, help="timed rounds per query and tool (default 5)")
    p.add_argument("--index-sizes", default="20000",
                   help="sizes at which indexing is measured against bare Whoosh (default 20000; '' for none)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--keep", type=Path, metavar="DIR", help="work in DIR and keep corpora and libraries")
    p.add_argument("--library", action="append", default=[], metavar="N=DIR",
                   help="use this library for size N as it is (its corpus: realcorpus-N beside it)")
    p.add_argument("--queries-only", action="store_true", help="print the query set of each size and stop")
    p.add_argument("--bare-worker", nargs=2, metavar=("CORPUS", "INDEX_DIR"), help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.bare_worker:
        bare_worker(Path(args.bare_worker[0]), Path(args.bare_worker[1]))
        return 0
    from bench.bench_index import BenchError
    from bench.bench_tui import build_library

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    index_sizes = {int(s) for s in args.index_sizes.split(",") if s.strip()}
    given = {int(k): Path(v).resolve() for k, v in (x.split("=", 1) for x in args.library)}
    work = args.keep.resolve() if args.keep else Path(tempfile.mkdtemp(prefix="brief-bench-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="brief-bench-scale-index-"))
    if not shutil.which("rg"):
        say("ripgrep (rg) is not installed: cold searches are reported without their baseline.")
    compile_bytecode()
    load = load_note()
    try:
        for size in sizes:
            if size in given:
                library = given[size]
                corpus = library.parent / f"realcorpus-{size}"
            else:
                library = build_library(work, size, args.seed, "real")
                corpus = work / f"realcorpus-{size}"
            queries = pick_queries(library)
            if args.queries_only:
                for q in queries:
                    print(f"{size}\t{q.kind}\t{q.text}\t{q.note}")
                continue
            from index.library import Library

            with Library(library).open_index().searcher() as s:
                articles = s.doc_count()
            say(f"[{size}] cold searches ({len(queries)} queries)…")
            timed = time_queries(library, corpus, queries, args.runs, work)
            idx = time_indexing(corpus, size, scratch) if size in index_sizes else None
            text = report(size, articles, corpus, args.runs, timed, idx, load)
            print(text, flush=True)
            OUT_DIR.mkdir(parents=True, exist_ok=True)
            (OUT_DIR / f"scale-{size}.md").write_text(text, encoding="utf-8")
    except BenchError as exc:
        say(f"bench_scale: {exc}")
        return 1
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
