"""Updating one file, and a no-op `brief index`, in a big library: this checkout beside a baseline revision.

    python -m bench.bench_update [--library /work/benchdata/library-real-100000] [--base REV] [--runs 3]
    python -m bench.bench_update --library /work/benchdata/library-real-20000 --scale 100000

The library is copied twice (``cp -a``, into --work; the original is never written), one copy for each
side. Each side runs its own code: the baseline from a `git archive` of REV (default: the commit this branch
started from, ``git merge-base HEAD main``), this checkout's from here, with the same Python. Steps, side
by side (baseline, then this checkout, at each step):

  1. a first no-op `brief index` (this checkout migrates an old library then: its cost is reported);
  2. one new file added (`brief index FILE`): a copy of one of the library's articles, plus a line (a
     near-duplicate to link), in a folder of its own outside the library's sources;
  3. that file edited (a line appended) and `brief index FILE` again, --runs times;
  4. a no-op `brief index` (every root walked), --runs times.

With --scale N (no copies, no `brief index`): near-duplicate linking alone at N articles, in this process:
the sketches of --library's articles (sketches.json, or sketches.db) made N by copies whose values are
hashed apart (each copy keeps the shape of the real sketches, and links only within itself); one new
article (a copy of a stored one plus an edit) linked by the exhaustive path (``find_pairs``: postings of
all N rebuilt, what `brief index` did before) and by the stored index (``find_pairs_stored``); both must
give the same pairs. Also the cost of building sketches.db for N (a migration, a rebuild's last step).

Each run is a fresh process under /usr/bin/time -v: wall time and peak RSS. The near-duplicates each side
links to the new file are compared (they must be the same). Copies are deleted at the end (--keep keeps
them). Not a unit test: figures depend on the machine (which is shared: say so beside them).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def timed(cmd: list[str], env: dict, cwd: Path) -> tuple[float, int, str]:
    """(wall seconds, peak RSS in KB, stderr) of one process under /usr/bin/time -v."""
    run = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True, env=env, cwd=cwd)
    if run.returncode != 0:
        raise SystemExit(f"failed ({run.returncode}): {' '.join(cmd)}\n{run.stderr[-3000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", run.stderr)
    hours, minutes, seconds = wall.groups()
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", run.stderr).group(1))
    return int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds), rss, run.stderr


class Side:
    def __init__(self, name: str, code: Path, library: Path, work: Path) -> None:
        self.name, self.code, self.library = name, code, library
        self.extra = work / f"extra-{name}"
        self.extra.mkdir(parents=True, exist_ok=True)
        self.env = {**os.environ, "PYTHONPATH": str(code), "XDG_CACHE_HOME": str(work / f"xc-{name}"),
                    "XDG_CONFIG_HOME": str(work / f"xcfg-{name}"), "XDG_DATA_HOME": str(work / f"xd-{name}")}
        self.figures: dict[str, list[tuple[float, int]]] = {}

    def brief(self, step: str, *args: str) -> None:
        cmd = [sys.executable, "-m", "tui.cli", "index", "--library", str(self.library), "--quiet", *args]
        wall, rss, _err = timed(cmd, self.env, self.code)
        self.figures.setdefault(step, []).append((wall, rss))
        say(f"  {self.name:>8} {step:<28} {wall:7.2f} s {rss / 1024:8.0f} MB")

    def links(self, path: Path) -> list[str]:
        code = ("import json,sys; from index.library import Library; lib = Library(sys.argv[1]); "
                "row = next(r for r in lib.catalog() if r['path'] == sys.argv[2]); "
                "print(json.dumps(sorted(lib.near_duplicates().get(row['id'], []))))")
        out = subprocess.run([sys.executable, "-c", code, str(self.library), str(path)], capture_output=True,
                             text=True, env=self.env, cwd=self.code, check=True).stdout
        return json.loads(out)


def a_source_article(library: Path) -> Path:
    """One article file of the library, from its manifest."""
    with open(library / "manifest.json", "rb") as f:
        files = json.load(f)["files"]
    for path, entry in files.items():
        if entry.get("articles") and path.endswith(".txt") and os.path.getsize(path) > 2000:
            return Path(path)
    return Path(next(p for p, e in files.items() if e.get("articles")))


def sizes(library: Path) -> str:
    names = ("manifest.json", "sketches.json", "sketches.db")
    return ", ".join(f"{n} {os.path.getsize(library / n) / 1e6:.1f} MB" for n in names if (library / n).exists())


def load_sketches(library: Path) -> dict[str, list[int]]:
    if (library / "sketches.json").exists():
        with open(library / "sketches.json", "rb") as f:
            return json.load(f)
    sys.path.insert(0, str(REPO))
    from index.dedup import SketchStore

    with SketchStore(library / "sketches.db") as store:
        return store.all()


def scale(library: Path, n: int, work: Path) -> int:
    import time
    import zlib

    sys.path.insert(0, str(REPO))
    from index.dedup import SketchStore, find_pairs, find_pairs_stored, write_store

    real = load_sketches(library)
    sketches: dict[str, list[int]] = {}
    copy = 0
    while len(sketches) < n:
        for aid, values in real.items():
            if len(sketches) >= n:
                break
            if copy == 0:
                sketches[aid] = values
            else:
                salt = copy.to_bytes(4, "little")
                sketches[f"{aid}x{copy}"] = sorted({zlib.crc32(h.to_bytes(4, "little") + salt) for h in values})
        copy += 1
    base = next(k for k, v in sketches.items() if len(v) == 64)
    new = {"newarticle": sorted(sketches[base][:60] + [1, 2, 3, 4])}  # a near-copy of ``base``
    db = work / "sketches.db"
    t = time.perf_counter()
    write_store(db, sketches)
    build = time.perf_counter() - t
    t = time.perf_counter()
    exhaustive = find_pairs({**sketches, **new}, new)
    t_ex = time.perf_counter() - t
    with SketchStore(db) as store:
        t = time.perf_counter()
        stored = find_pairs_stored(store, new)
        t_st = time.perf_counter() - t
        t = time.perf_counter()
        store.apply(new)
        t_apply = time.perf_counter() - t
    size = os.path.getsize(db) / 1e6
    print(f"\nBench: linking one new article among {len(sketches)} (sketches of {library.name}, copied apart; "
          f"one run, {os.cpu_count()} cores, the machine shared with other work)\n")
    print("| step | seconds |")
    print("|---|---|")
    print(f"| find_pairs (all postings rebuilt: before) | {t_ex:.2f} |")
    print(f"| find_pairs_stored (postings of sketches.db) | {t_st:.3f} |")
    print(f"| storing its sketch (one transaction) | {t_apply:.3f} |")
    print(f"| building sketches.db for all (a migration, a rebuild) | {build:.1f} ({size:.0f} MB) |")
    print(f"\nPairs: {sorted(exhaustive)} and {sorted(stored)} ({'the same' if exhaustive == stored else 'DIFFERENT'})")
    return 0 if exhaustive == stored and exhaustive else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", type=Path, default=Path("/work/benchdata/library-real-100000"))
    parser.add_argument("--base", help="the baseline revision (default: git merge-base HEAD main)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=None, help="where the copies go (default: a temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep the copies")
    parser.add_argument("--scale", type=int, default=0, metavar="N", help="linking alone at N articles (see above)")
    args = parser.parse_args(argv)
    if args.scale:
        work = Path(tempfile.mkdtemp(prefix="bench-update-", dir=args.work))
        try:
            return scale(args.library, args.scale, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    base = args.base or subprocess.run(["git", "merge-base", "HEAD", "main"], cwd=REPO, capture_output=True,
                                       text=True, check=True).stdout.strip()
    work = Path(tempfile.mkdtemp(prefix="bench-update-", dir=args.work))
    base_code = work / "base-code"
    base_code.mkdir()
    archive = subprocess.run(["git", "archive", base], cwd=REPO, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(base_code)], input=archive, check=True)
    try:
        sides = []
        for name, code in (("baseline", base_code), ("this", REPO)):
            copy = work / f"library-{name}"
            say(f"copying {args.library} for {name}…")
            subprocess.run(["cp", "-a", str(args.library), str(copy)], check=True)
            sides.append(Side(name, code, copy, work))
        article = a_source_article(args.library)
        say(f"library {args.library}: {sizes(args.library)}; the file added: a copy of {article}")
        for side in sides:
            side.brief("first no-op (migration)")
        say(f"  after the first run: {sizes(sides[1].library)}")
        text = article.read_text(encoding="utf-8", errors="replace")
        for side in sides:
            (side.extra / "copy.txt").write_text(text + "\n\nThis story first ran elsewhere.\n", encoding="utf-8")
            side.brief("one file added", str(side.extra / "copy.txt"))
        for n in range(args.runs):
            for side in sides:
                with open(side.extra / "copy.txt", "a", encoding="utf-8") as f:
                    f.write(f"\nAn editor's line, number {n}.\n")
                side.brief("one file changed", str(side.extra / "copy.txt"))
        for _ in range(args.runs):
            for side in sides:
                side.brief("no-op")
        linked = [side.links(side.extra / "copy.txt") for side in sides]
        print(f"\nBench: updating one file in {args.library.name} (baseline {base[:10]} beside this checkout, "
              f"one run, {os.cpu_count()} cores, the machine shared with other work)\n")
        print("| step | baseline s | this s | ratio | baseline peak MB | this peak MB |")
        print("|---|---|---|---|---|---|")
        for step in sides[0].figures:
            b, t = (statistics.median(w for w, _ in s.figures[step]) for s in sides)
            br, tr = (max(r for _, r in s.figures[step]) / 1024 for s in sides)
            runs = len(sides[0].figures[step])
            print(f"| {step}{f' (median of {runs})' if runs > 1 else ''} | {b:.2f} | {t:.2f} | {t / b:.2f}× | "
                  f"{br:.0f} | {tr:.0f} |")
        print(f"\nNear-duplicates linked to the new file: baseline {linked[0]}, this {linked[1]}"
              f" ({'the same' if linked[0] == linked[1] else 'DIFFERENT'})")
        print(f"Sizes after: baseline {sizes(sides[0].library)}; this {sizes(sides[1].library)}")
        return 0 if linked[0] == linked[1] else 1
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
