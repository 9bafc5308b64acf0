"""The reader as a daily reader (issue 12): the related pane hidden on a small terminal, the paragraph
cursor, j/k and ▶ in the related list, reading progress, opening the URL, copying with OSC 52."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest

from tui.app import BriefApp
from tui.browser import Opened, check_url, clean_copy, open_url
from tui.screens.reader import CURSOR_MARK, ReaderScreen, citation

from tui_support import HINT, async_test, demo_lib, jsonl_library, no_config, reader_ready, screen_text, settle, wait_until  # noqa: F401,E501

FLOOD = "Sorrel Dam wall gives way, flooding towns in Orlen Province"  # 8 paragraphs, no URL
LEVEE = "Levee holds at Kavra as Sorrel Dam death toll reaches 11"  # an https URL
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
MULTINEWS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "multinews-dev"


@pytest.fixture
def app(demo_lib, no_config, monkeypatch):
    monkeypatch.delenv("BROWSER", raising=False)
    return BriefApp(demo_lib, hint=HINT)


def _id_of(app, title: str) -> str:
    return next(r["id"] for r in app.catalog() if r["title"] == title)


async def _open(pilot, app, title: str, **kwargs) -> ReaderScreen:
    await settle(pilot)
    app.open_article(_id_of(app, title), **kwargs)
    await reader_ready(pilot)
    await pilot.pause()
    return app.screen


def _lines(app) -> list[str]:
    return screen_text(app).split("\n")


# ---------------------------------------------------------------------------------------------- the related pane


@async_test
async def test_at_80x24_the_pane_is_hidden_and_one_line_says_how_many(app):
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await _open(pilot, app, FLOOD)
        assert reader.related  # the demo's flood story has related articles
        side, body = reader.query_one("#side"), reader.query_one("#article")
        assert not side.display and not reader.pane_shown()
        n = len(reader.related)
        line = next(x for x in _lines(app) if "related article" in x)
        assert f"{n} related article" in line and "r list" in line and "R show pane" in line
        assert body.region.height >= 15  # the article has nearly all of the 24 lines (was 7-10)
        await pilot.press("R")
        await pilot.pause()
        assert side.display and side.region.y > body.region.y and body.region.height <= 10
        assert not any("related article" in x and "R show pane" in x for x in _lines(app))
        assert any("Related pane shown for this session" in m.message for m in app._notifications)


@async_test
async def test_on_a_wide_terminal_the_pane_is_beside_and_the_choice_sticks(app):
    async with app.run_test(size=(120, 40)) as pilot:
        reader = await _open(pilot, app, FLOOD)
        side, body = reader.query_one("#side"), reader.query_one("#article")
        assert side.display and side.region.x > body.region.x
        await pilot.press("R")  # hidden: for the session, on every reader and at every size
        await pilot.pause()
        assert not side.display and body.region.width == 120
        other = await _open(pilot, app, LEVEE)
        assert other is not reader and not other.query_one("#side").display
        await pilot.resize_terminal(200, 50)
        await pilot.pause()
        assert not other.query_one("#side").display
        await pilot.press("R")
        await pilot.pause()
        side = other.query_one("#side")
        assert side.display and side.region.width == 80  # a wide terminal: the list gets the room
        assert other.query_one("#article").region.width == 120  # the text keeps its measure
        app.back()
        await pilot.pause()
        assert app.screen is reader and reader.query_one("#side").display  # and the first reader follows


@async_test
async def test_r_looks_into_a_hidden_list_and_hides_it_again(app):
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await _open(pilot, app, FLOOD)
        rows, side = reader.query_one("#related"), reader.query_one("#side")
        await pilot.press("r")
        await pilot.pause()
        assert side.display and rows.has_focus
        await pilot.press("r")
        await pilot.pause()
        assert not side.display and reader.query_one("#article").has_focus and not reader.pane_shown()


# ---------------------------------------------------------------------------------------------- related list keys


@async_test
async def test_j_and_k_move_in_the_related_list_and_the_cursor_is_a_mark(app, monkeypatch):
    compared = []
    monkeypatch.setattr(app, "open_compare", lambda ids: compared.append(ids))
    async with app.run_test(size=(120, 40)) as pilot:
        reader = await _open(pilot, app, FLOOD, query="dam")
        rows = reader.query_one("#related")
        assert len(reader.related) >= 2
        await pilot.press("r")
        assert rows.has_focus and rows.cursor == 0
        scroll_before = reader.query_one("#article").scroll_y
        await pilot.press("j")
        await pilot.pause()
        assert rows.cursor == 1 and reader.query_one("#article").scroll_y == scroll_before
        second = reader.related[1]
        marked_rows = [x for x in _lines(app) if "▶" in x]
        assert len(marked_rows) == 1 and (second.outlet or "unknown outlet") in marked_rows[0]
        await pilot.press("k")
        await pilot.pause()
        assert rows.cursor == 0
        await pilot.press("G")
        assert rows.cursor == len(reader.related) - 1
        await pilot.press("g", "j")
        await pilot.press("c")
        assert compared == [[reader.article.id, second.id]]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen) and app.screen.article_id == second.id


@async_test
async def test_keys_typed_right_after_r_go_to_the_list(app):
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await _open(pilot, app, FLOOD)
        assert len(reader.related) >= 2
        reader.action_toggle_related()  # r, and j at once (before the list has had its Focus event)
        reader.action_scroll_lines(1)
        assert reader.query_one("#related").cursor == 1 and reader.query_one("#article").scroll_y == 0


# ---------------------------------------------------------------------------------------------- the paragraph cursor


def _gutter(app, reader, pi: int) -> set[str]:
    """The characters in the gutter column of the rows paragraph ``pi`` takes on screen."""
    region = reader.paragraph_region(pi)
    assert region is not None, f"paragraph {pi} is not on screen"
    lines = _lines(app)
    return {lines[y][region.x] for y in range(region.y, region.bottom) if 0 <= y < len(lines)}


@async_test
async def test_the_cursor_is_a_gutter_mark_and_moves_with_its_keys(app):
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await _open(pilot, app, FLOOD)
        assert reader.cursor == 0 and _gutter(app, reader, 0) == {CURSOR_MARK}
        assert _gutter(app, reader, 1) == {" "}
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert reader.cursor == 1 and _gutter(app, reader, 1) == {CURSOR_MARK} and _gutter(app, reader, 0) == {" "}
        await pilot.press("J", "J", "J", "J", "J")  # the other key for it; down the article, kept in view
        await pilot.pause()
        assert reader.cursor == 6 and reader.in_view(6) and reader.query_one("#article").scroll_y > 0
        await pilot.press("left_square_bracket", "K")
        assert reader.cursor == 4 and reader.in_view(4)
        await pilot.press("G")
        await pilot.pause()
        assert reader.cursor == len(reader.paragraphs) - 1
        await pilot.press("right_square_bracket")
        assert any("At the last paragraph" in m.message for m in app._notifications)
        await pilot.press("g")
        await pilot.pause()
        assert reader.cursor == 0 and reader.query_one("#article").scroll_y == 0


@async_test
async def test_scrolling_keeps_the_cursor_on_screen_and_p_pins_what_it_shows(app):
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await _open(pilot, app, FLOOD)
        body = reader.query_one("#article")
        moved = False
        for _ in range(40):
            await pilot.press("j")
            await pilot.pause()
            assert reader.in_view(reader.cursor), (body.scroll_y, reader.cursor)
            moved |= reader.cursor > 0
        assert moved and body.scroll_y > 0
        top = reader._region(reader.cursor)
        assert top.bottom > body.scroll_y  # not a paragraph scrolled away
        pi = reader.cursor
        await pilot.press("p")
        assert app.pinned[-1]["text"] == reader.paragraphs[pi]
        for _ in range(40):  # and back up
            await pilot.press("k")
            await pilot.pause()
            assert reader.in_view(reader.cursor)
        assert body.scroll_y == 0 and reader.cursor < pi


@async_test
async def test_a_click_puts_the_cursor_on_a_paragraph(app):
    async with app.run_test(size=(120, 40)) as pilot:
        reader = await _open(pilot, app, FLOOD)
        para = reader.paragraph_region(2)
        await pilot.click(offset=(para.x + 4, para.y))
        await pilot.pause()
        assert reader.cursor == 2 and _gutter(app, reader, 2) == {CURSOR_MARK}
        await pilot.press("y")
        assert app.clipboard == clean_copy(reader.paragraphs[2])


@async_test
async def test_the_cursor_follows_the_matches(app):
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await _open(pilot, app, FLOOD, query="dam")
        assert len({pi for pi, _, _ in reader.matches}) >= 2
        seen = set()
        for _ in range(len(reader.matches)):
            await pilot.press("n")
            await pilot.pause()
            pi = reader.matches[reader.current][0]
            assert reader.cursor == pi and reader.in_view(pi) and _gutter(app, reader, pi) == {CURSOR_MARK}
            seen.add(pi)
        assert len(seen) >= 2
        await pilot.press("N")
        assert reader.cursor == reader.matches[reader.current][0]


@async_test
async def test_status_line_shows_reading_progress(app):
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await _open(pilot, app, FLOOD)
        n = len(reader.paragraphs)
        status = lambda: str(reader.query_one("#reader-status").render())  # noqa: E731
        first = round(100 * len(reader.paragraphs[0]) / sum(map(len, reader.paragraphs)))
        assert f"¶ 1 of {n} · {first}%" in status()
        await pilot.press("right_square_bracket")
        assert f"¶ 2 of {n} · " in status()
        await pilot.press("G")
        assert f"¶ {n} of {n} · 100%" in status()


@async_test
async def test_no_color_keeps_the_marks_as_characters(demo_lib, no_config, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = BriefApp(demo_lib, hint=HINT)
    async with app.run_test(size=(120, 40)) as pilot:
        reader = await _open(pilot, app, FLOOD)
        assert _gutter(app, reader, 0) == {CURSOR_MARK} and _gutter(app, reader, 1) == {" "}
        assert sum("▶" in x for x in _lines(app)) == 1  # the related list's cursor


# ---------------------------------------------------------------------------------------------- clipboard (OSC 52)


class _Written:
    def __init__(self, app):
        self.out: list[str] = []
        real = app._driver.write
        app._driver.write = lambda data: (self.out.append(data), real(data))[1]

    def osc52(self) -> list[str]:
        """The texts sent to the clipboard, decoded; asserting that nothing else rode along."""
        found = []
        for data in self.out:
            if "\x1b]52;" in data:
                assert data.startswith("\x1b]52;c;") and data.endswith("\a")
                payload = data[len("\x1b]52;c;"):-1]
                assert set(payload) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")
                found.append(base64.b64decode(payload).decode("utf-8"))
        return found


@async_test
async def test_y_copies_the_cursors_paragraph_and_Y_a_citation(app):
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await _open(pilot, app, LEVEE)
        written = _Written(app)
        await pilot.press("right_square_bracket", "y")
        assert app.clipboard == clean_copy(reader.paragraphs[1])
        await pilot.press("Y")
        quote = " ".join(reader.paragraphs[1].split())
        a = reader.article
        assert app.clipboard == (f"“{quote}” — {a.title}, Northgate Review, 2025-03-06, "
                                 "https://northgate-review.example/2025/03/06/levee-holds-kavra")
        assert written.osc52() == [clean_copy(reader.paragraphs[1]), app.clipboard]
        assert any("Copied a citation of paragraph 2" in m.message for m in app._notifications)


@async_test
async def test_copied_text_carries_no_terminal_escapes(tmp_path, no_config):
    hostile = ("The council \x1b]52;c;ZXZpbA==\x07voted \x1b[31mred\x1b[0m on Tuesday\x07 to rebuild the "
               "\u202eharbour wall, the mayor said.")
    lib = jsonl_library(tmp_path, [{"id": "h1", "title": "Council \x1b]0;pwned\x07votes", "text": hostile,
                                    "url": "javascript:alert(1)"}])
    app = BriefApp(lib, hint=HINT)
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await _open(pilot, app, "Council votes")
        written = _Written(app)
        await pilot.press("y", "Y")
        copied = written.osc52()
        assert len(copied) == 2
        for text in copied:
            assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in text), repr(text)
            assert "\u202e" not in text and "ZXZpbA" not in text
        assert "voted red on Tuesday to rebuild" in copied[0]
        assert copied[1].endswith(str(reader.article.path))  # a javascript: URL is no place to cite: the file
        assert reader.article.url == "javascript:alert(1)"


def test_citation_leaves_out_what_is_not_known(demo_lib):
    with demo_lib.open_index().searcher() as s:
        row = next(r for r in demo_lib.catalog() if r["title"].startswith("Who pays for the Sorrel Dam"))
        a = demo_lib.get(row["id"], s)
    text = citation(a, "  A  paragraph\nover two lines. ")
    assert text == f"“A paragraph over two lines.” — {a.title}, {a.path}"
    assert "unknown" not in text and "undated" not in text


# ---------------------------------------------------------------------------------------------- the URL


def _browser_script(tmp_path) -> tuple[str, Path]:
    log = tmp_path / "browser.log"
    script = tmp_path / "fakebrowser"
    script.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$@\" >> {log}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script), log


@async_test
async def test_o_opens_the_url_with_BROWSER_in_a_worker(app, tmp_path, monkeypatch):
    command, log = _browser_script(tmp_path)
    monkeypatch.setenv("BROWSER", f"no-such-browser-here:{command} --new-tab %s")
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await _open(pilot, app, LEVEE)
        await pilot.press("o")
        await wait_until(pilot, lambda: any("Opened in fakebrowser" in m.message for m in app._notifications))
        assert log.read_text().split() == ["--new-tab", reader.article.url]
        assert app.clipboard == ""


@async_test
async def test_a_slow_browser_does_not_hold_up_the_reader(app, tmp_path, monkeypatch):
    script = tmp_path / "slowbrowser"
    script.write_text("#!/bin/sh\nsleep 3\n")
    script.chmod(0o755)
    monkeypatch.setenv("BROWSER", str(script))
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await _open(pilot, app, LEVEE)
        await pilot.press("o", "right_square_bracket")  # the cursor moves while the browser starts
        assert reader.cursor == 1
        assert any(w.is_running for w in app.workers if w.group == "reader-url")
        await wait_until(pilot, lambda: any("Opened in slowbrowser" in m.message for m in app._notifications))


@async_test
async def test_over_ssh_without_a_browser_the_url_is_copied(app, monkeypatch):
    for name in ("DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.2 50000 10.0.0.1 22")
    monkeypatch.setattr("sys.platform", "linux")
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await _open(pilot, app, LEVEE)
        await pilot.press("o")
        await wait_until(pilot, lambda: app.clipboard == reader.article.url)
        said = [m.message for m in app._notifications if "Copied the URL" in m.message]
        assert said and "SSH" in said[0]


@async_test
async def test_a_url_that_is_not_http_is_refused_and_none_is_said(tmp_path, no_config, monkeypatch):
    command, log = _browser_script(tmp_path)
    monkeypatch.setenv("BROWSER", command)
    lib = jsonl_library(tmp_path, [
        {"id": "f1", "title": "A local file", "text": "Some text of the article. " * 3, "url": "file:///etc/passwd"},
        {"id": "n1", "title": "No link", "text": "Other text of another article. " * 3},
    ])
    app = BriefApp(lib, hint=HINT)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, app, "A local file")
        await pilot.press("o")
        await settle(pilot)
        assert any("only http and https links open in a browser (this one is file:)" in m.message
                   for m in app._notifications)
        await _open(pilot, app, "No link")
        await pilot.press("o")
        await settle(pilot)
        assert any("this article has no URL" in m.message for m in app._notifications)
        assert not log.exists() and app.clipboard == ""


@pytest.mark.parametrize("url, words", [
    ("https://example.org/a?b=1", None), ("HTTP://EXAMPLE.ORG", None),
    ("javascript:alert(1)", "this one is javascript:"), ("file:///etc/passwd", "this one is file:"),
    ("ftp://example.org/x", "this one is ftp:"), ("https://exa mple.org", "spaces or control"),
    ("https://example.org/\x1b]52;c;eA==\x07", "control characters"), ("http:///path", "no host"),
    ("example.org/page", "not a link"), ("", "no URL"), (None, "no URL"),
])
def test_check_url(url, words):
    problem = check_url(url)
    assert (problem is None) if words is None else (words in problem)


def test_open_url_reads_BROWSER_and_knows_terminal_browsers(tmp_path):
    command, log = _browser_script(tmp_path)
    path = os.environ.get("PATH", "")
    got = open_url("https://example.org/x", env={"BROWSER": command, "PATH": path}, wait=5)
    assert got.how == "opened" and log.read_text().split() == ["https://example.org/x"]
    lynx = tmp_path / "lynx"
    lynx.write_text("#!/bin/sh\nexit 0\n")
    lynx.chmod(0o755)
    got = open_url("https://example.org/x", env={"BROWSER": f"{lynx} -accept_all_cookies", "PATH": path})
    assert got == Opened("terminal", "https://example.org/x", browser="lynx",
                         command=[str(lynx), "-accept_all_cookies", "https://example.org/x"])
    failing = tmp_path / "failing"
    failing.write_text("#!/bin/sh\nexit 3\n")
    failing.chmod(0o755)
    got = open_url("https://example.org/x", env={"BROWSER": str(failing), "PATH": path}, wait=5)
    assert got.how == "failed" and "status 3" in got.reason
    got = open_url("https://example.org/x", env={"BROWSER": "nothing-called-this", "PATH": path})
    assert got.how == "none" and "nothing-called-this" in got.reason


@async_test
async def test_a_console_browser_without_a_terminal_to_hand_over_copies_the_url(app, tmp_path, monkeypatch):
    lynx = tmp_path / "lynx"
    lynx.write_text(f"#!/bin/sh\necho ran > {tmp_path / 'ran'}\n")
    lynx.chmod(0o755)
    monkeypatch.setenv("BROWSER", str(lynx))
    async with app.run_test(size=(80, 24)) as pilot:  # headless: the app cannot be suspended
        reader = await _open(pilot, app, LEVEE)
        await pilot.press("o")
        await wait_until(pilot, lambda: app.clipboard == reader.article.url)
        assert any("lynx cannot run here" in m.message for m in app._notifications)
        assert not (tmp_path / "ran").exists()


@async_test
async def test_the_pane_line_names_remapped_keys(demo_lib, tmp_path, monkeypatch):
    cfg = tmp_path / "config.toml"
    cfg.write_text('[keys]\n"reader.related_pane" = "H"\n"reader.related" = "ctrl+r"\n')
    monkeypatch.setenv("BRIEF_CONFIG", str(cfg))
    monkeypatch.delenv("BRIEF_THEME", raising=False)
    app = BriefApp(demo_lib, hint=HINT)
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await _open(pilot, app, FLOOD)
        assert any("^r list · H show pane" in x or "ctrl+r list · H show pane" in x for x in _lines(app))
        await pilot.press("H")
        await pilot.pause()
        assert reader.query_one("#side").display


# ---------------------------------------------------------------------------------------------- real text


def _real_library(tmp_path, folder: Path, pattern: str):
    from index.indexer import update
    from index.library import Library

    src = tmp_path / "src"
    src.mkdir()
    for f in sorted(folder.glob(pattern)):
        (src / f.name).write_bytes(f.read_bytes())
    lib = Library(tmp_path / "lib")
    update(lib, [src], rebuild=True)
    return lib


@pytest.mark.skipif(not MULTINEWS.is_dir(), reason="../shared/corpora/multinews-dev is not here")
@async_test
async def test_a_long_multinews_article_at_80x24(tmp_path, no_config):
    """cluster_123: an AP article of 16 paragraphs: the text gets the lines, the cursor keeps up with j."""
    lib = _real_library(tmp_path, MULTINEWS / "cluster_123", "article_*.txt")
    app = BriefApp(lib, hint=HINT)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        longest = max(app.catalog(), key=lambda r: len(lib.get(r["id"]).paragraphs))
        app.open_article(longest["id"])
        await reader_ready(pilot)
        reader = app.screen
        n = len(reader.paragraphs)
        assert n >= 10 and reader.query_one("#article").region.height >= 15
        for _ in range(60):
            await pilot.press("j")
        await pilot.pause()
        assert reader.cursor > 2 and reader.in_view(reader.cursor)
        assert f"¶ {reader.cursor + 1} of {n}" in str(reader.query_one("#reader-status").render())
        await pilot.press("y")
        assert app.clipboard == clean_copy(reader.paragraphs[reader.cursor])


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not here")
@async_test
async def test_a_seed_cites_its_file(tmp_path, no_config):
    """The seeds have no outlet, no date and no URL: the citation names the file, nothing unknown."""
    lib = _real_library(tmp_path, SEEDS, "*")
    app = BriefApp(lib, hint=HINT)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        row = app.catalog()[0]
        app.open_article(row["id"])
        await reader_ready(pilot)
        await pilot.press("Y")
        article = app.screen.article
        assert app.clipboard.startswith("“") and app.clipboard.endswith(f"— {article.title}, {article.path}")
        await pilot.press("o")
        await settle(pilot)
        assert any("this article has no URL" in m.message for m in app._notifications)


# ---------------------------------------------------------------------------------------------- a long article

LONG_PARAGRAPHS = 300
PLANTED = (150, 280)  # the paragraphs holding the query's word, far beyond the first screen


def _long_library(tmp_path):
    """One article of 300 paragraphs of 1 to 9 lines (made-up words, seeded), "korvath" in two of them."""
    import random

    rng = random.Random(12)
    words = ("river harbour council minister ferry storm relief water bridge district vote budget shelter "
             "engineer report village road rain market school").split()
    paragraphs = []
    for n in range(LONG_PARAGRAPHS):
        body = " ".join(rng.choice(words) for _ in range(rng.randint(8, 110)))
        if n in PLANTED:
            body += " korvath"
        paragraphs.append(f"Paragraph {n + 1} opens here: {body}.")
    return jsonl_library(tmp_path, [
        {"id": "long", "title": "A very long article", "text": "\n\n".join(paragraphs)},
        {"id": "short", "title": "A short one", "text": "Only a line about the river."},
    ])


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
@async_test
async def test_a_300_paragraph_article_opens_at_once_and_answers_its_keys(tmp_path, no_config, size):
    lib = _long_library(tmp_path)
    app = BriefApp(lib, hint=HINT)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        app.open_article(_id_of(app, "A very long article"), query="korvath")
        await reader_ready(pilot)
        await pilot.pause()
        reader = app.screen
        n = len(reader.paragraphs)
        assert n == LONG_PARAGRAPHS and reader.painted
        text = screen_text(app)
        assert "Paragraph 1 opens here" in text and f"¶ 1 of {n}" in text
        assert "Paragraph 40 opens here" not in text  # the first screen, not the whole article
        assert _gutter(app, reader, 0) == {CURSOR_MARK}
        # the first paragraph, wrapped into the article's column: every word there, in order, none cut
        region, lines = reader.paragraph_region(0), _lines(app)
        rows = [lines[y][region.x + 2:region.right].rstrip() for y in range(region.y, region.bottom)]
        assert " ".join(rows) == reader.paragraphs[0] and len(rows) > 1
        body = reader.query_one("#article")

        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert reader.cursor == 1 and _gutter(app, reader, 1) == {CURSOR_MARK} and _gutter(app, reader, 0) == {" "}
        for _ in range(12):
            await pilot.press("J")
        await pilot.pause()
        assert reader.cursor == 13 and reader.in_view(13) and body.scroll_y > 0
        assert "Paragraph 14 opens here" in screen_text(app)
        await pilot.press("p")  # the pin is the paragraph marked on screen
        assert app.pinned[-1]["text"] == reader.paragraphs[13] and _gutter(app, reader, 13) == {CURSOR_MARK}

        await pilot.press("n")
        await pilot.pause()
        assert reader.current == 0 and reader.cursor == PLANTED[0] and reader.in_view(PLANTED[0])
        assert f"Paragraph {PLANTED[0] + 1} opens here" in screen_text(app) and "korvath" in screen_text(app)
        assert _gutter(app, reader, PLANTED[0]) == {CURSOR_MARK}
        assert "match 1 of 2" in screen_text(app)
        await pilot.press("n")
        await pilot.pause()
        assert reader.cursor == PLANTED[1] and reader.in_view(PLANTED[1]) and "korvath" in screen_text(app)
        await pilot.press("N")
        await pilot.pause()
        assert reader.cursor == PLANTED[0] and reader.in_view(PLANTED[0])

        await pilot.press("end")
        await pilot.pause()
        assert reader.cursor == n - 1 and _gutter(app, reader, n - 1) == {CURSOR_MARK}
        assert f"Paragraph {n} opens here" in screen_text(app)
        assert f"¶ {n} of {n} · 100%" in screen_text(app)
        await pilot.press("home")
        await pilot.pause()
        assert reader.cursor == 0 and body.scroll_y == 0 and "Paragraph 1 opens here" in screen_text(app)


@async_test
async def test_resizing_rewraps_the_long_article_and_keeps_the_cursor_in_view(tmp_path, no_config):
    lib = _long_library(tmp_path)
    app = BriefApp(lib, hint=HINT)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        app.open_article(_id_of(app, "A very long article"))
        await reader_ready(pilot)
        reader = app.screen
        target = max(range(20, 60), key=lambda i: len(reader.paragraphs[i]))  # a long one: its lines change
        for _ in range(target):
            await pilot.press("J")
        await pilot.pause()
        wide = reader._region(target).height
        assert reader.cursor == target and reader.in_view(target)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.pause()
        assert reader._region(target).height > wide  # wrapped again, for the narrower column
        assert reader.cursor == target and reader.in_view(target) and _gutter(app, reader, target) == {CURSOR_MARK}
        region, lines = reader.paragraph_region(target), _lines(app)
        if reader._region(target).y >= reader.query_one("#article").scroll_y:  # its first line is on screen
            assert reader.paragraphs[target].startswith(lines[region.y][region.x + 2:region.right].rstrip())
