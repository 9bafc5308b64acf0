"""Read marks and the user's own tags (index.userstate): the file, `tag:` in searches, the commands."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import shutil
from pathlib import Path

import pytest

import tui.cli
from index import userstate
from index.indexer import update
from index.library import Library
from index.search import count_hits, search
from index.userstate import UserStateError, clean_tag, split_tags

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "index" / "demo"
SEEDS = ROOT.parent / "shared" / "seeds"


# ----------------------------------------------------------------------------------------------
# Tags and the file


def test_tags_are_lowercase_words_and_anything_else_is_refused_in_a_sentence():
    assert clean_tag("#Flood") == "flood" and clean_tag(" levee-risk ") == "levee-risk"
    assert split_tags("Flood, #levee  flood x_1") == ["flood", "levee", "x_1"]
    for bad in ("", "#", "two words", "a/b", "---", "x" * 41, "\x1b[31mred", "[b]bold[/b]", "é\u200b"):
        with pytest.raises(UserStateError) as err:
            clean_tag(bad)
        assert "\x1b" not in str(err.value) and "\u200b" not in str(err.value)
    assert clean_tag("x" * 40) == "x" * 40 and clean_tag("Überflutung") == "überflutung"
    with pytest.raises(UserStateError, match="at most 50 tags"):
        split_tags(" ".join(f"t{n}" for n in range(51)))


def test_read_marks_and_tags_round_trip_atomically(tmp_path):
    state, changed = userstate.update(tmp_path, lambda s: s.mark_read(["a", "b"]) | s.set_tags("a", ["Flood", "levee"]))
    assert changed
    state, changed = userstate.update(tmp_path, lambda s: s.change_tags("b", add=["flood"]))
    back = userstate.load(tmp_path)
    assert back.read == {"a", "b"} and back.tags_of("a") == ["flood", "levee"] and back.tags_of("b") == ["flood"]
    assert back.tag_counts() == [("flood", 2), ("levee", 1)]
    assert back.ids_by_tag() == {"flood": frozenset({"a", "b"}), "levee": frozenset({"a"})}
    data = json.loads((tmp_path / "userstate.json").read_text(encoding="utf-8"))
    assert data["version"] == 1 and data["read"] == ["a", "b"]
    mtime = (tmp_path / "userstate.json").stat().st_mtime_ns
    _, changed = userstate.update(tmp_path, lambda s: s.mark_read(["a"]))  # nothing new: nothing written
    assert not changed and (tmp_path / "userstate.json").stat().st_mtime_ns == mtime
    userstate.update(tmp_path, lambda s: s.mark_unread(["a"]) | s.change_tags("a", remove=["flood", "levee"]))
    back = userstate.load(tmp_path)
    assert back.read == {"b"} and back.tags_of("a") == [] and "a" not in json.loads(
        (tmp_path / "userstate.json").read_text(encoding="utf-8"))["tags"]
    assert not list(tmp_path.glob(".userstate-*.tmp"))


def _writer(root: str, who: str, n: int) -> None:
    for k in range(n):
        userstate.update(root, lambda s: s.mark_read([f"{who}{k}"]) | s.change_tags(f"{who}{k}", add=[who]))


def test_the_app_and_a_command_writing_at_once_lose_nothing(tmp_path):
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(tmp_path), who, 30)) for who in ("app", "cli")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    state = userstate.load(tmp_path)
    assert len(state.read) == 60 and state.tag_counts() == [("app", 30), ("cli", 30)]


def test_a_damaged_file_is_one_message_naming_it_and_is_set_aside_never_overwritten(tmp_path):
    path = tmp_path / "userstate.json"
    path.write_text("{not json", encoding="utf-8")
    state = userstate.load(tmp_path)
    assert state.damaged and state.read == set() and str(path) in state.problem and "not valid JSON" in state.problem
    state, _ = userstate.update(tmp_path, lambda s: s.mark_read(["a"]))
    (aside,) = tmp_path.glob("userstate-damaged-*.json")
    assert aside.read_text(encoding="utf-8") == "{not json" and aside.name in state.problem
    assert userstate.load(tmp_path).read == {"a"} and userstate.load(tmp_path).problem is None


def test_hand_edited_entries_are_skipped_with_one_message_and_a_newer_file_is_left_alone(tmp_path):
    path = tmp_path / "userstate.json"
    path.write_text(json.dumps({"version": 1, "read": ["a", 3, ""], "tags": {
        "a": ["Flood", "bad tag", 7, "flood"], "b": "levee", "c": ["\x1b[2Jx"]}}), encoding="utf-8")
    state = userstate.load(tmp_path)
    assert state.read == {"a"} and state.tags == {"a": ["flood"]}
    assert state.problem.count(str(path)) == 1 and "6 entries" in state.problem
    for text in ("[]", '{"read": 3}', '{"tags": []}'):
        path.write_text(text, encoding="utf-8")
        assert userstate.load(tmp_path).damaged
    path.write_text(json.dumps({"version": 9, "read": ["x"]}), encoding="utf-8")
    assert "newer brief" in userstate.load(tmp_path).problem
    with pytest.raises(UserStateError, match="newer brief"):
        userstate.update(tmp_path, lambda s: s.mark_read(["y"]))
    assert json.loads(path.read_text(encoding="utf-8"))["version"] == 9


# ----------------------------------------------------------------------------------------------
# tag: in a search


@pytest.fixture(scope="module")
def demo_lib(tmp_path_factory):
    lib = Library(tmp_path_factory.mktemp("demo-lib"))
    update(lib, [DEMO])
    return lib


def _ids(lib, q, user_tags=None) -> set[str]:
    with lib.open_index().searcher() as s:
        result = search(s, q, limit=100, user_tags=user_tags)
        total, _ = count_hits(s, q, user_tags=user_tags)
    assert total == result.total == len(result.hits)
    return {h.id for h in result.hits}


def test_front_matter_tags_still_match_and_user_tags_add_to_them(demo_lib):
    front = _ids(demo_lib, "tag:flood")
    assert len(front) >= 5  # the demo's own front matter says flood
    untagged = next(r["id"] for r in demo_lib.catalog() if r["id"] not in front)
    mine = {"flood": frozenset({untagged}), "flood-risk": frozenset({untagged}), "music": frozenset({untagged})}
    assert _ids(demo_lib, "tag:flood", {}) == front
    assert _ids(demo_lib, "tag:flood", mine) == front | {untagged}
    assert _ids(demo_lib, "tag:Flood", mine) == front | {untagged}  # tags are lowercase, as typed or not
    assert _ids(demo_lib, "tag:flood-risk", mine) == {untagged}
    assert _ids(demo_lib, "tags:music", mine) == {untagged} and _ids(demo_lib, "tag:mus*", mine) == {untagged}
    assert _ids(demo_lib, "NOT tag:flood", mine) == {r["id"] for r in demo_lib.catalog()} - front - {untagged}
    assert _ids(demo_lib, "tag:music AND tag:flood", mine) == {untagged}
    assert _ids(demo_lib, "tag:nothing", mine) == set()


@pytest.fixture(scope="module")
def seeds_lib(tmp_path_factory):
    if not SEEDS.is_dir() or not any(SEEDS.glob("*.txt")):
        pytest.skip("../shared/seeds is not present")
    folder = tmp_path_factory.mktemp("seed-files")
    for path in sorted(SEEDS.glob("*.txt")):
        shutil.copy(path, folder / path.name)
    lib = Library(tmp_path_factory.mktemp("seeds-lib"))
    update(lib, [folder])
    return lib, folder


def _run(capsys, *argv) -> tuple[int, str, str]:
    code = tui.cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_commands_tag_mark_read_and_search_on_the_seeds_without_touching_the_files(seeds_lib, capsys):
    lib, folder = seeds_lib
    before = _digest(folder)
    rows = lib.catalog()
    first, second = rows[0]["id"], rows[1]["id"]
    L = ("--library", str(lib.root))
    code, out, err = _run(capsys, *L, "tag", first[:6], "+Korea", "troops", "+x")
    assert code == 0 and out.split() == [first, "#korea", "#troops", "#x"]
    code, out, _ = _run(capsys, *L, "tag", first, "-r", "x", "--json")
    assert code == 0 and json.loads(out) == {"id": first, "tags": ["korea", "troops"]}
    assert _run(capsys, *L, "tag", second, "--", "+korea", "-nothing")[0] == 0
    code, out, _ = _run(capsys, *L, "tags", "--json")
    assert json.loads(out)["tags"] == [{"tag": "korea", "articles": 2}, {"tag": "troops", "articles": 1}]
    code, out, err = _run(capsys, *L, "search", "tag:korea", "--json")
    assert code == 0 and {h["id"] for h in json.loads(out)["hits"]} == {first, second}
    code, out, err = _run(capsys, *L, "search", "tag:troops")
    assert code == 0 and err.strip() == "1 hit" and first in out
    code, _, err = _run(capsys, *L, "tag", first, "+two words")
    assert code == 2 and "is not a tag" in err
    code, _, err = _run(capsys, *L, "tag", first, "+\x1b]52;c;ZXZpbA==\x07evil")
    assert code == 2 and "\x1b" not in err and "\x07" not in err
    code, _, err = _run(capsys, *L, "tag", "zzzzzz", "+x")
    assert code == 1 and "no article with id" in err

    assert _run(capsys, *L, "read", first[:6], second)[0] == 0
    code, out, err = _run(capsys, *L, "list", "--unread", "--json")
    assert code == 0 and {a["id"] for a in json.loads(out)["articles"]} == {r["id"] for r in rows} - {first, second}
    code, _, err = _run(capsys, *L, "unread", first)
    assert code == 0 and "1 article marked unread" in err
    code, out, _ = _run(capsys, *L, "list", "--unread", "--json")
    assert first in {a["id"] for a in json.loads(out)["articles"]}
    assert _digest(folder) == before  # the sources are never touched: all of it is in the library
    assert set(json.loads((lib.root / "userstate.json").read_text(encoding="utf-8"))) == {"version", "read", "tags"}


def test_a_damaged_file_is_one_line_for_the_commands_never_a_traceback(seeds_lib, capsys, tmp_path):
    lib, _ = seeds_lib
    copy = Library(tmp_path / "lib")
    shutil.copytree(lib.root, copy.root)
    (copy.root / "userstate.json").write_bytes(b"\xff\xfe garbage")
    L = ("--library", str(copy.root))
    code, out, err = _run(capsys, *L, "tags")
    assert code == 0 and err.count("userstate.json") == 1 and "not UTF-8" in err and "Traceback" not in err
    code, out, err = _run(capsys, *L, "search", "tag:korea")
    assert code == 0 and "userstate.json" in err and "0 hits" in err
    first = copy.catalog()[0]["id"]
    code, out, err = _run(capsys, *L, "read", first)
    assert code == 0 and "kept as userstate-damaged-" in err
    assert len(list(copy.root.glob("userstate-damaged-*.json"))) == 1
