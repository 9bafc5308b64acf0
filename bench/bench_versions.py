"""Cold `brief search` of two versions of the code, side by side, over the same library.

    python -m bench.bench_versions --before REV [--after REV] --library DIR [--runs 40]

REV is a git revision (checked out into a temporary worktree) or a folder holding a copy of the code.
--after defaults to the working tree. Both versions run with this Python and its installed packages, so
only brief's own code differs. For each marker word of bench.corpus (1%, 10%, 50% of the files) a fresh
process `python -m tui --library DIR search WORD` of each version: one untimed warm-up, then N runs each,
alternating which goes first, and the medians of wall time and of CPU time (user + system) with the
ratio after/before. Build the library first, e.g. with
`python -m bench.bench_index --sizes 20000 --keep /tmp/brief-bench` (then DIR is
/tmp/brief-bench/library-20000). Both versions must read the same library format.
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

from bench.bench_index import BenchError, markdown_table, median, p90, say, write_out  # noqa: E402
from bench.corpus import MARKERS  # noqa: E402


def code_folder(rev: str, scratch: Path) -> Path:
    """A folder with the code of REV: the folder itself, or a git worktree of REV under scratch."""
    folder = Path(rev)
    if (folder / "tui").is_dir() and (folder / "index").is_dir():
        return folder.resolve()
    target = scratch / rev.replace("/", "_")
    made = subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "-q", str(target), rev],
                          capture_output=True, text=True)
    if made.returncode != 0:
        raise BenchError(f"cannot check out {rev!r}: {made.stderr.strip() or 'git worktree add failed'}")
    return target


def one_search(code: Path, library: Path, word: str) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (user + system, from wait4) and stderr of one cold search process."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONDONTWRITEBYTECODE")}
    env["PYTHONPATH"] = str(code)
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "tui", "--library", str(library), "search", word],
                                stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL, env=env,
                                cwd=code)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise BenchError(f"brief search {word} failed in {code}: {text.strip().splitlines()[-1:]}")
    return wall, usage.ru_utime + usage.ru_stime, text.strip().splitlines()[-1] if text.strip() else ""


def compare(before: Path, after: Path, library: Path, runs: int) -> str:
    rows = []
    for word in MARKERS:
        times = {"before": ([], []), "after": ([], [])}
        codes = {"before": before, "after": after}
        last = {name: one_search(code, library, word)[2] for name, code in codes.items()}  # warm-up
        if last["before"] != last["after"]:
            raise BenchError(f"the versions disagree on {word!r}: {last['before']!r} vs {last['after']!r}")
        for n in range(runs):
            for name in (("before", "after") if n % 2 == 0 else ("after", "before")):
                wall, cpu, _ = one_search(codes[name], library, word)
                times[name][0].append(wall)
                times[name][1].append(cpu)
        (bw, bc), (aw, ac) = times["before"], times["after"]
        rows.append([word, last["after"],
                     f"{median(bw) * 1000:.1f} / {p90(bw) * 1000:.1f}", f"{median(aw) * 1000:.1f} / {p90(aw) * 1000:.1f}",
                     f"{median(aw) / median(bw):.3f}x",
                     f"{median(bc) * 1000:.1f}", f"{median(ac) * 1000:.1f}", f"{median(ac) / median(bc):.3f}x"])
        say(f"{word}: wall {median(bw) * 1000:.1f} -> {median(aw) * 1000:.1f} ms")
    header = ["word", "brief says", "before wall ms (median / p90)", "after wall ms (median / p90)",
              "wall after/before", "before CPU ms", "after CPU ms", "CPU after/before"]
    return markdown_table(header, rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_versions", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", required=True, metavar="REV", help="git revision or folder of the old code")
    parser.add_argument("--after", default=str(REPO), metavar="REV",
                        help="git revision or folder of the new code (default: this working tree)")
    parser.add_argument("--library", required=True, type=Path, metavar="DIR", help="the library both search")
    parser.add_argument("--runs", type=int, default=40, help="timed searches per word and version (default 40)")
    args = parser.parse_args(argv)
    if not (args.library / "manifest.json").is_file():
        print(f"bench_versions: no library at {args.library} (build one with bench.bench_index --keep)",
              file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="brief-versions-") as scratch:
        made = []
        try:
            before = code_folder(args.before, Path(scratch))
            after = code_folder(args.after, Path(scratch))
            made = [p for p in (before, after) if Path(scratch) in p.parents]
            table = compare(before, after, args.library, args.runs)
        except BenchError as exc:
            print(f"bench_versions: {exc}", file=sys.stderr)
            return 1
        finally:
            for folder in made:
                subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(folder)],
                               capture_output=True)
    text = (f"Cold `brief search`, {args.before} (before) vs {args.after} (after), library {args.library}, "
            f"{args.runs} runs each, alternating\n\n{table}\n")
    print(text)
    write_out("versions.md", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
