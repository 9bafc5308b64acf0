"""The `brief` command as a user runs it: a fresh process, exit codes, stdout/stderr, JSON shapes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def brief(*args: str, library: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "tui"]
    if library is not None:
        cmd += ["--library", str(library)]
    base = {k: v for k, v in os.environ.items() if k != "BRIEF_LIBRARY"}
    full_env = {**base, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(cmd + list(args), capture_output=True, text=True, cwd=ROOT, env=full_env, timeout=120)


HOSTILE_TITLE = "Storm \x1b[31mWarning\x1b[0m [bold]Issued[/bold]"


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("src")
    (src / "storm.txt").write_text(
        f"{HOSTILE_TITLE}\n\nThe coastguard issued a storm warning for the Kavra coast on Monday.\n\n"
        "Gusts of 110 km/h are expected \x1b]8;;http://evil.example\x1b\\overnight\x1b]8;;\x1b\\, forecasters said.\n",
        encoding="utf-8")
    (src / "ferry.md").write_text(
        "---\ntitle: Ferries Cancelled\noutlet: Harbour Ledger\nauthor: Tomas Reyes\ndate: 2025-03-05\n"
        "tags: [storm, ferries]\n---\nAll ferries to Lemma were cancelled because of the storm warning.\n",
        encoding="utf-8")
    lib = tmp_path_factory.mktemp("lib")
    done = brief("index", str(src), library=lib)
    assert done.returncode == 0, done.stderr
    assert "2 added" in done.stderr
    return lib


def test_search_prints_hits_and_a_count(library):
    done = brief("search", "storm", library=library)
    assert done.returncode == 0
    assert "Ferries Cancelled" in done.stdout and "Harbour Ledger" in done.stdout
    assert "2 hits" in done.stderr


def test_zero_hits_is_not_an_error(library):
    done = brief("search", "volcano", library=library)
    assert done.returncode == 0 and done.stdout == "" and "0 hits" in done.stderr


def test_bad_query_exits_2_with_the_reason(library):
    done = brief("search", '"storm warning', library=library)
    assert done.returncode == 2
    assert "bad query" in done.stderr and "closing quote" in done.stderr


def test_usage_error_exits_2():
    done = brief("search")
    assert done.returncode == 2 and "usage" in done.stderr.lower()
    assert brief("search", "x", "--limit", "zero").returncode == 2


def test_missing_library_exits_1_and_says_how_to_start(tmp_path):
    done = brief("search", "storm", library=tmp_path / "none")
    assert done.returncode == 1 and "brief index" in done.stderr


def test_an_empty_library_searches_and_builds_no_card_without_an_error(tmp_path):
    """A library indexed from an empty folder: Whoosh opens it with an empty reader (no segments)."""
    (tmp_path / "src").mkdir()
    assert brief("index", str(tmp_path / "src"), library=tmp_path / "lib").returncode == 0
    for args in (("search", "dam"), ("search", "*"), ("card", "*")):
        done = brief(*args, library=tmp_path / "lib")
        assert done.returncode == 0 and "internal error" not in done.stderr, (args, done.stderr)
    assert "0 hits" in brief("search", "dam", library=tmp_path / "lib").stderr
    assert "No articles match" in brief("card", "*", library=tmp_path / "lib").stderr


def test_search_json_shape(library):
    done = brief("search", "ferries", "--json", library=library)
    data = json.loads(done.stdout)
    assert data["query"] == "ferries" and data["total"] == 1
    (hit,) = data["hits"]
    assert hit["title"] == "Ferries Cancelled" and hit["outlet"] == "Harbour Ledger"
    assert hit["published"] == "2025-03-05" and Path(hit["path"]).is_absolute()
    assert set(hit) == {"id", "title", "outlet", "published", "path", "score", "snippet"}


def test_show_and_list_json_shapes(library):
    listing = json.loads(brief("list", "--json", library=library).stdout)
    assert [a["title"] for a in listing["articles"]][0] == "Ferries Cancelled"  # dated, newest first
    assert all(set(a) == {"id", "title", "outlet", "published", "path"} for a in listing["articles"])
    ferry = next(a for a in listing["articles"] if a["title"] == "Ferries Cancelled")
    shown = json.loads(brief("show", ferry["id"][:5], "--json", library=library).stdout)
    assert set(shown) == {"id", "title", "outlet", "author", "published", "url", "path", "tags", "paragraphs"}
    assert shown["author"] == "Tomas Reyes" and shown["tags"] == ["storm", "ferries"]
    assert shown["paragraphs"] == ["All ferries to Lemma were cancelled because of the storm warning."]


def test_show_unknown_id_exits_1(library):
    done = brief("show", "zzzzzzzz", library=library)
    assert done.returncode == 1 and "no article" in done.stderr


def test_article_text_never_reaches_the_terminal_as_escapes(library):
    for args in (("search", "storm"), ("list",), ("search", "gusts", "--json")):
        done = brief(*args, library=library, env={"NO_COLOR": "1"})
        assert "\x1b" not in done.stdout, args
    storm = next(a for a in json.loads(brief("list", "--json", library=library).stdout)["articles"]
                 if "Storm" in a["title"])
    shown = brief("show", storm["id"], library=library)
    assert "\x1b" not in shown.stdout
    assert "overnight" in shown.stdout  # the text survives, only the escapes go


def test_no_colour_when_not_a_tty(library):
    assert "\x1b[" not in brief("search", "storm", library=library).stdout


def test_brief_without_arguments_prints_status_and_help(library):
    done = brief(library=library)
    assert done.returncode == 0
    assert "2 articles" in done.stderr and "usage" in done.stderr.lower()


def test_library_from_environment(library):
    done = brief("list", env={"BRIEF_LIBRARY": str(library)})
    assert done.returncode == 0 and "Ferries Cancelled" in done.stdout


def test_plain_commands_do_not_import_textual(library):
    code = (
        "import sys, runpy; sys.argv = ['brief', '--library', %r, 'search', 'storm'];"
        "from tui.cli import main; main(sys.argv[1:]);"
        "print('TEXTUAL' if any(m.split('.')[0] == 'textual' for m in sys.modules) else 'CLEAN', file=sys.stderr)"
    ) % str(library)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert "CLEAN" in done.stderr, done.stderr


def test_card_summary_words_adds_a_summary_of_about_n_words(library):
    plain = brief("card", "--all", "--format", "json", "-q", library=library)
    assert plain.returncode == 0, plain.stderr
    assert json.loads(plain.stdout)["summary"] == []
    done = brief("card", "--all", "--format", "json", "-q", "--summary-words", "30", library=library)
    assert done.returncode == 0, done.stderr
    card = json.loads(done.stdout)
    texts = [s["text"] for s in card["summary"]]
    assert texts and sum(len(t.split()) for t in texts) <= 30
    assert all(s["locations"] for s in card["summary"])
    assert 1 <= len(card["bottom_line"]) <= 3


@pytest.mark.parametrize("value", ["0", "-5", "ten", "2.5", ""])
def test_card_summary_words_must_be_a_positive_whole_number(library, value):
    done = brief("card", "--all", "--summary-words", value, library=library)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        f"brief card: --summary-words needs a whole number of words, 1 or more (got {value!r})"]
