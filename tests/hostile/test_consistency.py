"""Kill -9 at every stage of `brief index`, and a lost or damaged manifest: the next command of any kind sees
one consistent library (list, search, show and card agree on the same articles), no article is lost for
good, and the next `brief index` finishes the job: then everything agrees with a clean run.

Each kill is a `python -c` wrapper around `brief index` that patches one function to SIGKILL its own process
at one stage (nothing in brief itself knows about tests).
"""

from __future__ import annotations

import json
import os
import textwrap
import time
from pathlib import Path

import pytest

from index.indexer import update
from index.library import Library

from .conftest import article, assert_clean, bump, run_brief, write

WORD = "level"  # in every article() body: a search for it finds every article

PRELUDE = """
import os, signal, sys
def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)
"""

MAIN = """
from tui.cli import main
sys.exit(main())
"""

# What each stage patches: the code runs in the `brief index` process before brief starts.
KILLS = {
    # while reading the changed files (the third one read)
    "reading": """
import index.readers
real_read = index.readers.read_file
count = [0]
def read_file(path, *args, **kwargs):
    count[0] += 1
    if count[0] == 3:
        die()
    return real_read(path, *args, **kwargs)
index.readers.read_file = read_file
""",
    # the Whoosh commit done, the manifest not yet promoted
    "after-commit": """
from whoosh.writing import SegmentWriter
real_commit = SegmentWriter.commit
def commit(self, *args, **kwargs):
    real_commit(self, *args, **kwargs)
    die()
SegmentWriter.commit = commit
""",
    # half of the staged manifest written
    "manifest-write": """
real_write = os.write
def write(fd, data):
    try:
        name = os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        name = ""
    if "manifest.next.json" in name:
        real_write(fd, bytes(data[: max(1, len(data) // 2)]))
        die()
    return real_write(fd, data)
os.write = write
""",
    # half of the staged sketches written
    "sketches-write": """
real_write = os.write
def write(fd, data):
    try:
        name = os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        name = ""
    if "sketches.next.json" in name:
        real_write(fd, bytes(data[: max(1, len(data) // 2)]))
        die()
    return real_write(fd, data)
os.write = write
""",
    # after the commit, the sketches promoted, the manifest not
    "between-promotions": """
real_replace = os.replace
def replace(src, dst, *args, **kwargs):
    if os.fspath(src).endswith("manifest.next.json"):
        die()
    return real_replace(src, dst, *args, **kwargs)
os.replace = replace
""",
}

# Inside a rebuild's swap of index folders.
SWAP_KILLS = {
    "before-exchange": """
import index.indexer
index.indexer._exchange = die
""",
    "after-exchange": """
import index.indexer
real_exchange = index.indexer._exchange
def exchange(a, b):
    assert real_exchange(a, b), "renameat2 RENAME_EXCHANGE did not work here"
    die()
index.indexer._exchange = exchange
""",
    # where renameat2 is not available: two renames, killed between them
    "between-renames": """
import index.indexer
index.indexer._exchange = lambda a, b: False
real_replace = os.replace
def replace(src, dst, *args, **kwargs):
    real_replace(src, dst, *args, **kwargs)
    if os.path.basename(os.fspath(dst)).startswith("index.old."):
        die()
os.replace = replace
""",
}

# The parallel path (index.parallel): a worker killed, the main process killed while the workers run, and
# the main process killed after committing the workers' segments.
PARALLEL_KILLS = {
    "worker": """
import index.documents
real_read_one = index.documents.read_one
main_pid = os.getpid()
def read_one(path):
    if os.getpid() != main_pid and path.endswith("new-040.txt"):
        die()
    return real_read_one(path)
index.documents.read_one = read_one
""",
    "main-while-workers-run": """
import index.parallel
real_results = index.parallel.Workers.results
def results(self):
    for n, batch in enumerate(real_results(self)):
        if n == 3:
            print(" ".join(str(p.pid) for p in self._procs), file=sys.stderr, flush=True)
            die()
        yield batch
index.parallel.Workers.results = results
""",
    "main-after-commit": """
import index.indexer
real_commit_with = index.indexer._commit_with
def commit_with(*args):
    real_commit_with(*args)
    die()
index.indexer._commit_with = commit_with
""",
}


def library_view(home: Path, lib: Path, check_card: bool = True) -> set[str]:
    """The ids `brief list` shows, after checking that `brief search` finds exactly them and that `brief show`
    and `brief card` open them: one consistent library."""
    listed = assert_clean(run_brief("list", "--json", home=home, library=lib))
    ids = {row["id"] for row in json.loads(listed.out)["articles"]}
    found = assert_clean(run_brief("search", WORD, "-n", "100000", "--json", home=home, library=lib))
    assert {hit["id"] for hit in json.loads(found.out)["hits"]} == ids, "search and list disagree"
    for aid in sorted(ids)[-1:]:
        shown = assert_clean(run_brief("show", aid, "--json", home=home, library=lib))
        assert json.loads(shown.out)["id"] == aid
    if check_card and len(ids) >= 2:
        pair = ",".join(sorted(ids)[:2])
        card = assert_clean(run_brief("card", "--ids", pair, "--format", "json", "-q", home=home, library=lib))
        assert {s["id"] for s in json.loads(card.out)["sources"]} == set(sorted(ids)[:2])
    return ids


_CLEAN: dict = {}


def clean_ids(src: Path, tmp_path: Path) -> dict[str, str]:
    """id -> title of a library indexed from scratch from ``src`` (as it is now)."""
    state = (str(tmp_path), tuple(sorted((str(p), p.stat().st_mtime_ns) for p in src.rglob("*") if p.is_file())))
    if state not in _CLEAN:
        lib = Library(tmp_path / f"clean-{time.monotonic_ns()}")
        update(lib, [src])
        _CLEAN[state] = {r["id"]: r["title"] for r in lib.catalog()}
    return _CLEAN[state]


def titles(home: Path, lib: Path) -> dict[str, str]:
    listed = assert_clean(run_brief("list", "--json", home=home, library=lib))
    return {row["id"]: row["title"] for row in json.loads(listed.out)["articles"]}


def prepared(home: Path, src: Path, lib: Path, files: int = 8) -> tuple[set[str], set[str]]:
    """A library of ``files`` articles, then a change for the next run to do: two new files, one changed,
    one deleted. Returns (ids before, ids of the articles that stay)."""
    for n in range(files):
        write(src, f"a{n:02d}.txt", article(80, f"river{n}"))
    assert_clean(run_brief("index", src, "-q", home=home, library=lib))
    before = titles(home, lib)
    write(src, "new-1.txt", article(80, "harbour"))
    write(src, "sub/new-2.txt", article(80, "ferry"))
    changed = write(src, "a01.txt", article(90, "reservoir"))
    bump(changed)
    (src / "a02.txt").unlink()
    gone = {aid for aid, title in before.items() if title == "River2 Report"}
    return set(before), set(before) - gone


def killed(home: Path, lib: Path, patch: str, *args: str):
    run = run_brief(*args, home=home, library=lib, code=PRELUDE + textwrap.dedent(patch) + MAIN)
    assert run.code == -9, f"the patched run was not killed: {run!r}"
    assert "Traceback" not in run.err, run
    return run


def finishes_the_job(home: Path, src: Path, lib: Path, tmp_path: Path, *index_args: str) -> None:
    """The next `brief index` completes; then the library is what a clean run makes, and consistent."""
    assert_clean(run_brief("index", *index_args, "-q", home=home, library=lib))
    assert titles(home, lib) == clean_ids(src, tmp_path)
    library_view(home, lib, check_card=False)
    root = Path(lib)
    assert not (root / "manifest.next.json").exists() and not (root / "sketches.next.json").exists()
    assert not list(root.glob("index.*.*")), "a half-built index folder was left behind"


@pytest.mark.parametrize("stage", sorted(KILLS))
def test_a_run_killed_at_any_stage_leaves_one_consistent_library(home, src, lib, tmp_path, stage):
    before, kept = prepared(home, src, lib)
    killed(home, lib, KILLS[stage], "index", "-q")
    ids = library_view(home, lib)
    assert kept <= ids, "an article was lost"
    assert ids in (before, set(clean_ids(src, tmp_path))), "neither the old library nor the new one"
    if stage in ("after-commit", "between-promotions"):
        assert ids == set(clean_ids(src, tmp_path)), "the commit happened: the library is the new one"
    finishes_the_job(home, src, lib, tmp_path)


@pytest.mark.parametrize("stage", sorted(SWAP_KILLS))
def test_a_rebuild_killed_inside_its_swap_leaves_one_consistent_library(home, src, lib, tmp_path, stage):
    before, kept = prepared(home, src, lib)
    killed(home, lib, SWAP_KILLS[stage], "index", "--rebuild", "-q")
    if stage == "between-renames":  # no index/ at all until the next writer puts the right one back
        listed = assert_clean(run_brief("list", home=home, library=lib), codes=(1,))
        assert "interrupted" in listed.err and "`brief index`" in listed.err
    else:
        ids = library_view(home, lib)
        assert ids == (before if stage == "before-exchange" else set(clean_ids(src, tmp_path)))
    finishes_the_job(home, src, lib, tmp_path)


def test_a_first_index_killed_before_its_folder_is_in_place_is_no_library_yet(home, src, lib, tmp_path):
    for n in range(3):
        write(src, f"a{n}.txt", article(80, f"river{n}"))
    killed(home, lib, "import index.indexer\nindex.indexer.Indexer._swap_in = die\n", "index", src, "-q")
    for args in (("list",), ("search", WORD)):
        run = assert_clean(run_brief(*args, home=home, library=lib), codes=(1,))
        assert "no library" in run.err, run
    finishes_the_job(home, src, lib, tmp_path)


def test_a_first_index_killed_after_its_commit_is_the_new_library(home, src, lib, tmp_path):
    for n in range(3):
        write(src, f"a{n}.txt", article(80, f"river{n}"))
    killed(home, lib, KILLS["between-promotions"], "index", src, "-q")
    assert library_view(home, lib) == set(clean_ids(src, tmp_path))
    finishes_the_job(home, src, lib, tmp_path)


def big_prepared(home: Path, src: Path, lib: Path) -> tuple[set[str], set[str]]:
    """A library, then a change of 320 files (the parallel path's size)."""
    for n in range(10):
        write(src, f"old-{n:02d}.txt", article(80, f"river{n}"))
    assert_clean(run_brief("index", src, "-q", home=home, library=lib))
    before = set(titles(home, lib))
    for n in range(320):
        write(src, f"new/new-{n:03d}.txt", article(60, f"district{n}"))
    return before, before


def pids_alive(pids: list[int]) -> list[int]:
    alive = []
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        if "State:\tZ" not in status:
            alive.append(pid)
    return alive


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux /proc")
@pytest.mark.parametrize("stage", sorted(PARALLEL_KILLS))
def test_a_parallel_run_killed_in_a_worker_or_the_main_process(home, src, lib, tmp_path, stage):
    before, kept = big_prepared(home, src, lib)
    if stage == "worker":  # the main process reports its worker's death and changes nothing
        run = assert_clean(run_brief("index", "-q", home=home, library=lib,
                                     code=PRELUDE + textwrap.dedent(PARALLEL_KILLS[stage]) + MAIN), codes=(1,))
        assert "killed by signal 9" in run.err and "nothing was changed" in run.err
    else:
        run = killed(home, lib, PARALLEL_KILLS[stage], "index", "-q")
        if stage == "main-while-workers-run":
            workers = [int(p) for p in run.err.split()[-2:]]
            deadline = time.monotonic() + 10
            while pids_alive(workers) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert not pids_alive(workers), "a worker outlived the killed run"
    ids = library_view(home, lib)
    assert kept <= ids
    assert ids == (set(clean_ids(src, tmp_path)) if stage == "main-after-commit" else before)
    # No stale lock: the next run gets it at once (--wait 0 fails if anything still holds it).
    finishes_the_job(home, src, lib, tmp_path, "--wait", "0")


# ------------------------------------------------------------------------------------------------
# A lost or damaged manifest


def indexed(home: Path, src: Path, lib: Path) -> set[str]:
    for n in range(3):
        write(src, f"a{n}.txt", article(80, f"river{n}"))
    write(src, "deeper/b.txt", article(80, "harbour"))
    assert_clean(run_brief("index", src, "-q", home=home, library=lib))
    return set(titles(home, lib))


def read_commands_say(home: Path, lib: Path, *words: str) -> None:
    """list, show and card fail in one line saying what is wrong and the command that fixes it."""
    for args in (("list",), ("show", "abc"), ("card", "--all", "-q")):
        run = assert_clean(run_brief(*args, home=home, library=lib), codes=(1,))
        for word in words:
            assert word in run.err, run


def test_a_deleted_manifest_is_said_and_brief_index_rebuilds_it_from_the_index(home, src, lib, tmp_path):
    ids = indexed(home, src, lib)
    (lib / "manifest.json").unlink()
    read_commands_say(home, lib, "manifest.json is missing", "run `brief index`")
    # The cold search reads no manifest (it would cost it dearly), but a missing one costs a stat: it says so too.
    run = assert_clean(run_brief("search", "reservoir", home=home, library=lib), codes=(1,))
    assert "manifest.json is missing" in run.err and "run `brief index`" in run.err, run
    report = update(Library(lib))  # what `brief index` does (its notes are what it says)
    assert any("manifest.json: was missing; rebuilt it from the index (4 articles from 4 files" in note
               for note in report.notes), report.notes
    assert set(titles(home, lib)) == ids == set(clean_ids(src, tmp_path))
    manifest = json.loads((lib / "manifest.json").read_text())
    assert manifest["roots"] == [str(src)]  # the folders holding the indexed files, none wider
    finishes_the_job(home, src, lib, tmp_path)


def test_a_rebuild_without_manifest_uses_the_folders_the_index_holds(home, src, lib, tmp_path):
    ids = indexed(home, src, lib)
    (src / "deeper" / "later.txt").write_text(article(80, "ferry"))
    (lib / "manifest.json").unlink()
    assert_clean(run_brief("index", "--rebuild", "-q", home=home, library=lib))
    assert set(titles(home, lib)) == set(clean_ids(src, tmp_path)) > ids


def test_a_rebuild_with_nothing_to_go_on_says_which_paths_to_give(home, src, lib):
    indexed(home, src, lib)
    (lib / "manifest.json").write_text("[1, 2, 3]")
    for toc in (lib / "index").glob("_articles_*.toc"):
        toc.write_bytes(b"garbage")
    run = assert_clean(run_brief("index", "--rebuild", home=home, library=lib), codes=(1,))
    assert "brief index --rebuild PATH" in run.err and "manifest.json" in run.err, run
    assert_clean(run_brief("index", "--rebuild", src, "-q", home=home, library=lib))
    assert len(titles(home, lib)) == 4


def test_a_damaged_manifest_keeps_the_roots_it_still_names(home, src, lib, tmp_path):
    indexed(home, src, lib)
    other = tmp_path / "other"
    write(other, "c.txt", article(80, "volcano"))
    assert_clean(run_brief("index", other, "-q", home=home, library=lib))
    manifest = json.loads((lib / "manifest.json").read_text())
    manifest["files"] = []  # damaged, but its roots are still there
    (lib / "manifest.json").write_text(json.dumps(manifest))
    read_commands_say(home, lib, "damaged", '"files" is not an object', "run `brief index`")
    assert_clean(run_brief("index", "-q", home=home, library=lib))
    assert json.loads((lib / "manifest.json").read_text())["roots"] == sorted([str(src), str(other)])
    assert len(titles(home, lib)) == 5


BAD_MANIFESTS = {
    "a JSON array": lambda m: [m],
    "files not an object": lambda m: {**m, "files": list(m["files"])},
    "an entry without its keys": lambda m: {**m, "files": {k: {} for k in m["files"]}},
    "articles not a list": lambda m: {**m, "files": {k: {**v, "articles": "x"} for k, v in m["files"].items()}},
    "roots not strings": lambda m: {**m, "roots": [1, None]},
    "ids not strings": lambda m: {**m, "files": {k: {**v, "articles": [{**a, "id": 7} for a in v["articles"]]}
                                                 for k, v in m["files"].items()}},
    "an id with an escape": lambda m: {**m, "files": {k: {**v, "articles": [{**a, "id": "\x1b[31m"} for a in
                                                                            v["articles"]]}
                                                      for k, v in m["files"].items()}},
    "a title that is a number": lambda m: {**m, "files": {k: {**v, "articles": [{**a, "title": 1} for a in
                                                                                v["articles"]]}
                                                          for k, v in m["files"].items()}},
    "a date that is not one": lambda m: {**m, "files": {k: {**v, "articles": [{**a, "published": "\x1b]0;x"}
                                                                               for a in v["articles"]]}
                                                        for k, v in m["files"].items()}},
    "huge numbers": lambda m: {**m, "files": {k: {**v, "mtime_ns": 1e400} for k, v in m["files"].items()}},
    "duplicates not lists": lambda m: {**m, "duplicates": {"abc": 5}},
    "no version": lambda m: {k: v for k, v in m.items() if k != "version"},
}


@pytest.mark.parametrize("case", sorted(BAD_MANIFESTS))
def test_a_manifest_with_wrong_types_is_one_line_everywhere(home, src, lib, tmp_path, case):
    ids = indexed(home, src, lib)
    manifest = json.loads((lib / "manifest.json").read_text())
    (lib / "manifest.json").write_text(json.dumps(BAD_MANIFESTS[case](manifest)))
    read_commands_say(home, lib, "manifest.json is damaged", "run `brief index`")
    app_catalog = run_brief(home=home, library=lib, code=(
        "import sys\nfrom index.errors import LibraryError\nfrom index.library import Library\n"
        "from tui.catalog import load_catalog\n"
        "try:\n    load_catalog(Library(sys.argv[2]))\nexcept LibraryError as exc:\n    print(exc)\n"))
    assert app_catalog.code == 0 and "damaged" in app_catalog.out, app_catalog
    assert_clean(run_brief("index", "-q", home=home, library=lib))
    assert set(titles(home, lib)) == ids == set(clean_ids(src, tmp_path))


def test_huge_integers_in_the_manifest(home, src, lib):
    indexed(home, src, lib)
    text = (lib / "manifest.json").read_text().replace('"size":', '"size":' + "9" * 5000 + ",\"x\":", 1)
    (lib / "manifest.json").write_text(text)
    read_commands_say(home, lib, "manifest.json is damaged", "run `brief index`")
    assert_clean(run_brief("index", "-q", home=home, library=lib))
    assert len(titles(home, lib)) == 4


def test_a_deleted_index_folder_is_said_and_brief_index_rebuilds_it(home, src, lib, tmp_path):
    import shutil

    ids = indexed(home, src, lib)
    shutil.rmtree(lib / "index")
    run = assert_clean(run_brief("list", home=home, library=lib), codes=(1,))
    assert "index" in run.err and "missing" in run.err and "`brief index`" in run.err, run
    assert_clean(run_brief("index", "-q", home=home, library=lib))
    assert set(titles(home, lib)) == ids
    finishes_the_job(home, src, lib, tmp_path)
