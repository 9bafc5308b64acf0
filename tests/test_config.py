"""The config file: every problem is said (naming the file), none stops the app."""

from __future__ import annotations

import os

import pytest

import tui.app  # noqa: F401 - registers the app-wide actions (back, help) the keymap names, as the app does
from tui.actions import REGISTRY
from tui.config import _ensure_all_registered, key_conflicts, load_config


def write(tmp_path, text: str):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_config_file_is_no_problem(tmp_path):
    config = load_config(tmp_path / "absent.toml")
    assert config.problems == [] and config.keymap == {}


def test_a_config_path_that_is_a_folder_is_a_problem(tmp_path):
    folder = tmp_path / "config.toml"
    folder.mkdir()
    (problem,) = load_config(folder).problems
    assert problem.startswith(f"{folder}: is a folder") and "default keys" in problem


def test_config_from_the_environment_that_is_a_folder_is_a_problem(tmp_path, monkeypatch):
    monkeypatch.setenv("BRIEF_CONFIG", str(tmp_path))
    (problem,) = load_config().problems
    assert problem.startswith(f"{tmp_path}: is a folder")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_config_is_a_problem(tmp_path):
    path = write(tmp_path, 'theme = "ansi"\n')
    path.chmod(0)
    (problem,) = load_config(path).problems
    assert str(path) in problem and "could not be read" in problem and "Permission denied" in problem


def test_a_config_under_something_that_is_not_a_folder_is_a_problem(tmp_path):
    blocker = tmp_path / "brief"
    blocker.write_text("x", encoding="utf-8")
    (problem,) = load_config(blocker / "config.toml").problems
    assert "could not be read" in problem and "Not a directory" in problem


def test_odd_files_are_problems_not_hangs(tmp_path):
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)  # reading it would wait forever
    (problem,) = load_config(fifo).problems
    assert "is not a regular file" in problem
    link = tmp_path / "dangling.toml"
    link.symlink_to(tmp_path / "nowhere.toml")
    (problem,) = load_config(link).problems
    assert "link to nothing" in problem
    big = write(tmp_path, "# " + "x" * (1024 * 1024 + 10) + "\n")
    (problem,) = load_config(big).problems
    assert "too large" in problem


def test_not_utf8_and_not_toml_are_problems(tmp_path):
    path = tmp_path / "config.toml"
    path.write_bytes(b'theme = "\xff"\n')
    (problem,) = load_config(path).problems
    assert "not UTF-8" in problem
    (problem,) = load_config(write(tmp_path, "[keys\n")).problems
    assert "not valid TOML" in problem


def test_unknown_ids_and_bad_keys_are_still_reported(tmp_path):
    config = load_config(write(tmp_path, '[keys]\n"reader.nope" = "j"\n"reader.next_match" = "ctl+j"\n'
                                         '"reader.prev_match" = "M"\n'))
    assert any("unknown action 'reader.nope'" in p for p in config.problems)
    assert any("reader.next_match" in p and "not a modifier" in p for p in config.problems)
    assert config.keymap == {"reader.prev_match": "M"}


def test_the_default_keys_have_no_overlap():
    _ensure_all_registered()
    every_default = {a.id: a.key for a in REGISTRY.values()}  # as if the user had written them all out
    assert key_conflicts(every_default) == []


def test_two_actions_of_one_screen_on_one_key_is_a_problem(tmp_path):
    config = load_config(write(tmp_path, '[keys]\n"reader.mark" = "c"\n'))  # c is reader.compare already
    (problem,) = config.problems
    assert str(tmp_path) in problem and "reader.mark" in problem and "reader.compare" in problem
    assert "c is bound to both" in problem and "reader screen" in problem


def test_an_app_key_that_shadows_a_screen_key_is_a_problem(tmp_path):
    config = load_config(write(tmp_path, '[keys]\n"app.back" = "backspace,j"\n'))
    found = {(p.split(" and ")[0].split()[-1], p.split(" and ")[1].split(",")[0]) for p in config.problems}
    assert found == {("card.next", "app.back"), ("compare.next_claim", "app.back"), ("reader.down", "app.back"),
                     ("brief.next", "app.back")}
    assert all("j is bound to both" in p for p in config.problems)


def test_a_key_written_as_a_character_is_matched_as_textual_reads_it(tmp_path):
    config = load_config(write(tmp_path, '[keys]\n"search.open" = "?"\n'))  # ? is question_mark, app.help's key
    (problem,) = config.problems
    assert "? is bound to both" in problem and "app.help" in problem and "search.open" in problem


def test_remaps_that_move_keys_out_of_the_way_are_fine(tmp_path):
    # Swapping two keys of one screen: each key is bound once again.
    config = load_config(write(tmp_path, '[keys]\n"reader.next_match" = "N"\n"reader.prev_match" = "n"\n'
                                         '"reader.down" = "j,down"\n'))
    assert config.problems == []
    # Actions of different screens may share a key: they are never live at once.
    config = load_config(write(tmp_path, '[keys]\n"reader.mark" = "x"\n'))  # search.clear_filters is x
    assert config.problems == []
