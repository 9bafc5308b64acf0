"""The card screen, driven with Pilot over a tmp library of the demo articles: building with progress,
sections, opening a line at its passage, pinning, Markdown/JSON export with overwrite confirmation."""

from __future__ import annotations

import asyncio
import functools
import json
import os
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

pytest.importorskip("briefs.extract")  # the extraction cache the card is built with

from textual.app import App  # noqa: E402

import tui.app  # noqa: E402,F401 - registers the app-wide actions (help, back, commands) the key bar shows
from index.indexer import update  # noqa: E402
from index.library import Library  # noqa: E402
from tui.screens.card import PIN_MARK, CardScreen, export_name, when_label  # noqa: E402
from tui.screens.export import ConfirmOverwrite, ExportDialog  # noqa: E402
from tui.widgets.rowlist import RowList  # noqa: E402

DEMO = Path(__file__).resolve().parent.parent / "index" / "demo"
FIXED_NOW = datetime(2025, 3, 8, 9, 0, tzinfo=timezone.utc)


def sync(test):
    """Run an async test (Pilot) without an async pytest plugin."""

    @functools.wraps(test)
    def run(*args, **kwargs):
        return asyncio.run(test(*args, **kwargs))

    return run


def stable_demo_copy() -> Path:
    """The demo articles at a fixed path (kept up to date by tui_support, under a lock), so that their ids
    (made from the path) are the same on every machine and run: snapshots show ids."""
    from tui_support import FIXED_DEMO, fixed_demo_library

    fixed_demo_library()
    return FIXED_DEMO / "demo"


@pytest.fixture(scope="module")
def demo_lib(tmp_path_factory) -> Library:
    lib = Library(tmp_path_factory.mktemp("lib"))
    update(lib, [stable_demo_copy()], rebuild=True)
    return lib


def find_id(lib: Library, outlet: str | None, title_word: str) -> str:
    for row in lib.catalog():
        if row["outlet"] == outlet and title_word.lower() in row["title"].lower():
            return row["id"]
    raise LookupError((outlet, title_word))


class Harness(App):
    """Stands in for BriefApp: the same attributes the screens use, and a record of what they asked."""

    def __init__(self, library: Library, screen) -> None:
        super().__init__()
        self.library = library
        self.marked: list[str] = []
        self.pinned: list[dict] = []
        self.opened: list[tuple[str, str | None, str | None]] = []
        self.messages: list = []
        self._first = screen

    def on_mount(self) -> None:
        self.push_screen(self._first)

    def open_article(self, article_id: str, *, query: str | None = None, highlight: str | None = None) -> None:
        self.opened.append((article_id, query, highlight))

    def pin(self, text: str, sources: list[str]) -> bool:
        if any(p["text"] == text for p in self.pinned):
            return False
        self.pinned.append({"text": text, "sources": list(sources)})
        return True

    # messages the screens post bubble up to here
    def on_card_screen_progress(self, m) -> None:
        self.messages.append(m)

    def on_card_screen_built(self, m) -> None:
        self.messages.append(m)

    def on_card_screen_failed(self, m) -> None:
        self.messages.append(m)

    def on_card_screen_exported(self, m) -> None:
        self.messages.append(m)

    def on_card_screen_export_exists(self, m) -> None:
        self.messages.append(m)

    def on_card_screen_export_failed(self, m) -> None:
        self.messages.append(m)

    def on_compare_screen_compared(self, m) -> None:
        self.messages.append(m)

    def on_compare_screen_failed(self, m) -> None:
        self.messages.append(m)

    def notes(self) -> list[str]:
        return [n.message for n in self._notifications]

    def kinds(self) -> list[str]:
        return [type(m).__name__ for m in self.messages]


async def settle(app, pilot) -> None:
    """Let the workers finish and their messages be handled."""
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


def card_screen(query="sorrel dam", ids=None) -> CardScreen:
    screen = CardScreen(query=query, ids=ids)
    screen.now = FIXED_NOW
    screen.today = date(2025, 3, 8)
    return screen


async def type_path(pilot, path: str) -> None:
    dialog = pilot.app.screen
    assert isinstance(dialog, ExportDialog)
    field = dialog.query_one("Input")
    field.value = ""
    await pilot.press(*list(path))
    await pilot.press("enter")


# ----------------------------------------------------------------------------------------------


@sync
async def test_card_builds_with_progress_then_shows_every_section(demo_lib):
    app = Harness(demo_lib, card_screen())
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        kinds = app.kinds()
        assert "Progress" in kinds and "Built" in kinds
        assert kinds.index("Progress") < kinds.index("Built")  # progress came first
        stages = {m.stage for m in app.messages if type(m).__name__ == "Progress"}
        assert "extracting" in stages
        screen = app.screen
        assert isinstance(screen, CardScreen) and screen.card is not None
        assert screen.query_one("#card-progress").has_class("-hidden")
        rows = screen.query_one(RowList)
        headings = [r.title for r in rows.rows if not r.selectable]
        expected = ["Bottom line", "Key facts", "Figures", "Disagreements", "Timeline", "People", "Organisations",
                    "Places", "Quotes", "Sources"]
        assert [h.split(" (")[0] for h in headings] == expected
        kinds_shown = {r.kind for r in rows.rows}
        assert {"summary", "fact", "figure", "disagreement", "timeline", "quote", "source"} <= kinds_shown
        fact = next(r for r in rows.rows if r.kind == "fact")
        assert "credibility" in fact.plain() and "source" in fact.plain()
        assert rows.current is rows.rows[1]  # the cursor starts on the first line, not a heading
        assert screen.focused is rows


@sync
async def test_every_fact_figure_quote_and_timeline_line_opens_its_passage(demo_lib):
    app = Harness(demo_lib, card_screen())
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        rows = app.screen.query_one(RowList)
        for kind in ("fact", "figure", "timeline", "quote", "disagreement"):
            index = next(n for n, r in enumerate(rows.rows) if r.kind == kind)
            rows.move_to(index)
            await pilot.pause()
            await pilot.press("enter")
            source, query, highlight = app.opened[-1]
            article = demo_lib.get(source)
            assert query == "sorrel dam"
            assert highlight and any(highlight in p or p in highlight for p in article.paragraphs), (kind, highlight)
        # j/k move line by line and skip the headings
        rows.move_to(1)
        await pilot.press("j", "j", "k")
        assert rows.cursor == 2


@sync
async def test_choosing_another_source_of_a_line_opens_that_article(demo_lib):
    app = Harness(demo_lib, card_screen())
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        rows = app.screen.query_one(RowList)
        index = next(n for n, r in enumerate(rows.rows) if r.kind == "fact" and len({t.source for t in r.targets}) > 1)
        rows.move_to(index)
        await pilot.pause()
        second = rows.rows[index].targets[1]
        await pilot.press("l")
        assert rows.side == 1
        assert "›" + rows.ctx["labels"][second.source] in _render_text(rows.query("RowView")[index])
        await pilot.press("o")
        assert app.opened[-1][0] == second.source
        await pilot.press("right_square_bracket")  # next section
        assert rows.current.kind != "fact"


@sync
async def test_pinning_a_fact_adds_it_to_the_custom_brief_and_again_removes_it(demo_lib):
    app = Harness(demo_lib, card_screen())
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        rows = app.screen.query_one(RowList)
        index = next(n for n, r in enumerate(rows.rows) if r.kind == "fact")
        rows.move_to(index)
        await pilot.press("p")
        assert len(app.pinned) == 1
        assert app.pinned[0]["text"] == rows.rows[index].pin["text"]
        assert app.pinned[0]["sources"]
        assert PIN_MARK in _render_text(rows.query("RowView")[index])
        await pilot.press("p")
        assert app.pinned == []


def _render_text(widget) -> str:
    from rich.console import Console

    console = Console(width=100, no_color=True, record=True, file=open(os.devnull, "w"))
    console.print(widget.render())
    return console.export_text()


@sync
async def test_export_markdown_asks_for_a_path_and_confirms_before_overwriting(demo_lib, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = Harness(demo_lib, card_screen())
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("e")
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        assert dialog.query_one("Input").value == "./brief-sorrel-dam-2025-03-08.md"  # a sensible default
        await pilot.press("enter")
        await settle(app, pilot)
        written = tmp_path / "brief-sorrel-dam-2025-03-08.md"
        assert written.read_text(encoding="utf-8").startswith("---\ngenerator: brief\nquery: \"sorrel dam\"")
        assert "## Key facts" in written.read_text(encoding="utf-8")
        assert app.kinds()[-1] == "Exported"
        assert any("written to" in n for n in app.notes())

        # the same path again: asked, "n" keeps the file as it was
        written.write_text("mine\n", encoding="utf-8")
        await pilot.press("e")
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmOverwrite)
        await pilot.press("n")
        await settle(app, pilot)
        assert written.read_text(encoding="utf-8") == "mine\n"
        assert isinstance(app.screen, CardScreen)

        # and "y" overwrites it
        await pilot.press("e")
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmOverwrite)
        await pilot.press("y")
        await settle(app, pilot)
        assert written.read_text(encoding="utf-8").startswith("---\n")
        assert app.kinds()[-1] == "Exported"


@sync
async def test_export_to_a_path_that_cannot_be_written_says_why_and_carries_on(demo_lib, tmp_path):
    app = Harness(demo_lib, card_screen())
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("e")
        await type_path(pilot, str(tmp_path / "no-such-folder" / "card.md"))
        await settle(app, pilot)
        assert app.kinds()[-1] == "ExportFailed"
        assert any("Could not write" in n for n in app.notes())
        assert isinstance(app.screen, CardScreen)
        assert not (tmp_path / "no-such-folder").exists()
        # escape in the dialog writes nothing
        await pilot.press("e")
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, CardScreen)
        assert app.kinds()[-1] == "ExportFailed"


@sync
async def test_json_export_is_one_key_away(demo_lib, tmp_path):
    app = Harness(demo_lib, card_screen())
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("E")
        assert app.screen.query_one("Input").value.endswith(".json")
        target = tmp_path / "card.json"
        await type_path(pilot, str(target))
        await settle(app, pilot)
        data = json.loads(target.read_text(encoding="utf-8"))
        assert data["schema"] == "brief.card/2"
        assert data["query"] == "sorrel dam"
        assert data["generated"].startswith("2025-03-08T09:00")
        assert len(data["sources"]) == len(app.screen.card.sources)


@sync
async def test_card_of_given_ids_and_of_a_query_without_matches(demo_lib):
    ids = [find_id(demo_lib, "Meridian Wire", "sorrel"), find_id(demo_lib, "Northgate Review", "levee")]
    app = Harness(demo_lib, card_screen(query=None, ids=ids))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert {s.id for s in app.screen.card.sources} == set(ids)
        assert "2 chosen articles" in str(app.screen.query_one("#card-title").render())
    app = Harness(demo_lib, card_screen(query="zzzunknownword"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.kinds()[-1] == "Failed"
        assert app.screen.card is None
        assert any("No articles match" in n for n in app.notes())
        await pilot.press("e")  # nothing to export, said so
        assert isinstance(app.screen, CardScreen)


def test_default_export_names_and_timeline_dates():
    assert export_name("Sorrel dam [bold]!", 3, "md", date(2025, 3, 8)) == "./brief-sorrel-dam-bold-2025-03-08.md"
    assert export_name(None, 3, "json", date(2025, 3, 8)) == "./brief-3-articles-2025-03-08.json"
    assert when_label(date(1998, 1, 1), date(1998, 12, 31)) == "1998"
    assert when_label(date(2024, 8, 1), date(2024, 8, 31)) == "2024-08"
    assert when_label(date(2025, 3, 2), date(2025, 3, 4)) == "2025-03-02 to 03-04"
    assert when_label(date(2025, 3, 2), None) == "2025-03-02"


@sync
async def test_card_lines_show_hostile_article_text_as_is(tmp_path):
    from tui_support import HOSTILE_TITLE, jsonl_library

    body = ("The dam [bold]failed[/] at 2 a.m. and [link=http://x]12 people[/link] died in Lisk, officials said. "
            "\x1b]8;;http://x\x07Water\x1b]8;;\x07 from the reservoir \x1b[31mflooded\x1b[0m Lisk overnight.\n\n"
            "“We [blink]will[/blink] rebuild [/] every house,” said Mayor Ana [i]Petrel[/i].")
    lib = jsonl_library(tmp_path, [
        {"title": HOSTILE_TITLE, "body": body, "outlet": "[red]Evil[/red] Times", "published": "2025-03-04"},
        {"title": "Dam fails at Lisk", "outlet": "Plain Post", "published": "2025-03-05",
         "body": "The dam failed at 2 a.m. and 15 people died in Lisk, officials said on Tuesday."},
    ])
    ids = [r["id"] for r in lib.catalog()]
    app = Harness(lib, card_screen(query=None, ids=ids))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        assert app.kinds()[-1] == "Built"
        rows = app.screen.query_one(RowList)
        shown = "\n".join(_render_text(v) for v in rows.query("RowView"))
        assert "“We [blink]will[/blink] rebuild [/] every house”" in shown  # a quote, as written
        assert "Dam [bold]breach[/] [link=http://evil.example]click[/link] here" in shown  # a source's title
        assert "[red]Evil[/red] Times" in shown
        assert "\x1b" not in shown and "\x07" not in shown


@sync
async def test_json_export_of_a_card_over_a_hostile_file_name_holds_no_control_character(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    name = "dam\x1b[31m red\x07\x9b2J.txt"  # ESC, BEL and a C1 CSI in the file's name
    (src / name).write_text("Dam fails at Lisk\n\nThe dam failed at 2 a.m. and 12 people died in Lisk, officials said.\n",
                            encoding="utf-8")
    (src / "plain.txt").write_text("Lisk dam fails\n\nThe dam failed at 2 a.m. and 15 people died in Lisk on Tuesday.\n",
                                   encoding="utf-8")
    lib = Library(tmp_path / "lib")
    update(lib, [src], rebuild=True)
    app = Harness(lib, card_screen(query=None, ids=[r["id"] for r in lib.catalog()]))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("E")
        target = tmp_path / "card.json"
        await type_path(pilot, str(target))
        await settle(app, pilot)
        raw = target.read_text(encoding="utf-8")
        assert not any(ord(ch) < 32 and ch not in "\n" or 0x7f <= ord(ch) <= 0x9f for ch in raw)
        paths = [s["path"] for s in json.loads(raw)["sources"]]
        assert any(p.endswith("/dam red.txt") for p in paths), paths  # the escapes dropped, not the name


# ----------------------------------------------------------------------------------------------
# No silent caps: the top ones, a "… N more" line that shows the rest; the summary


@sync
async def test_quotes_show_the_top_ones_and_a_more_line_that_shows_every_quote(demo_lib):
    app = Harness(demo_lib, card_screen())
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        card = screen.card
        assert len(card.quotes) > 10  # the demo card holds every quote
        rows = screen.query_one(RowList)
        quote_rows = [r for r in rows.rows if r.kind == "quote"]
        assert len(quote_rows) == 10
        heading = next(r for r in rows.rows if not r.selectable and r.title.startswith("Quotes"))
        assert heading.title == f"Quotes (top 10 of {len(card.quotes)})"
        more = next(n for n, r in enumerate(rows.rows) if r.kind == "more" and r.section == "quotes")
        assert f"… {len(card.quotes) - 10} more quotes" in rows.rows[more].plain()
        assert "enter" in rows.rows[more].plain()
        rows.move_to(more)
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert [r.kind for r in rows.rows].count("quote") == len(card.quotes)
        assert not any(r.kind == "more" for r in rows.rows)
        assert rows.cursor == more and rows.current.kind == "quote"  # on the first quote it showed
        assert app.opened == []  # enter on a "more" line opens nothing
        texts = [r.plain() for r in rows.rows if r.kind == "quote"]
        assert all(any(q.text[:30] in t for t in texts) for q in card.quotes)
        await pilot.press("enter")  # a shown quote opens its passage as before
        assert app.opened[-1][0] == card.quotes[10].source


@sync
async def test_m_shows_every_cut_section_and_again_only_the_top_ones(demo_lib):
    app = Harness(demo_lib, card_screen())
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        rows = app.screen.query_one(RowList)
        total = len(app.screen.card.quotes)
        await pilot.press("m")
        await pilot.pause()
        assert [r.kind for r in rows.rows].count("quote") == total
        await pilot.press("m")
        await pilot.pause()
        assert [r.kind for r in rows.rows].count("quote") == 10
        assert sum(r.kind == "more" for r in rows.rows) == 1
        from tui.actions import get

        assert get("card.more").key == "m" and "more" in get("card.more").long_help  # help and the palette


def test_people_places_and_organisations_show_the_top_15_and_how_many_more():
    from briefs.cardmodel import Actor, Card
    from tui.screens.card import card_rows

    people = [Actor(f"Person {n}", None, ["a1"], 1) for n in range(19)]
    places = [Actor(f"Place {n}", None, ["a1"], 1) for n in range(15)]
    card = Card(query=None, generated=FIXED_NOW, sources=[], people=people, places=places,
                organizations=[Actor("Only Org", None, ["a1"], 2)])
    rows, _ = card_rows(card)
    assert [r.plain().strip() for r in rows if r.kind == "more"] == ["… 4 more people — enter (or m) to show"]
    assert sum(r.kind == "person" for r in rows) == 15 and sum(r.kind == "place" for r in rows) == 15
    assert [r.title for r in rows if not r.selectable][:3] == ["People (top 15 of 19)", "Organisations (1)",
                                                               "Places (15)"]
    rows, _ = card_rows(card, expanded={"people"})
    assert sum(r.kind == "person" for r in rows) == 19 and not any(r.kind == "more" for r in rows)


@sync
async def test_a_section_cut_at_its_cap_says_so(demo_lib):
    app = Harness(demo_lib, card_screen())
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        card = app.screen.card
        rows = app.screen.query_one(RowList).rows
        notes = [(n, r.plain()) for n, r in enumerate(rows) if r.kind == "capped"]
        assert card.capped.get("facts") == 12
        assert len(notes) == len(card.capped)
        facts_note = next(n for n, text in notes if "12 key facts" in text)
        assert rows[facts_note - 1].kind == "fact" and "others may have been left out" in rows[facts_note].plain()


def _with_summary(monkeypatch, asked: list):
    """build_card that fills card.summary when asked for one (what the summary helper's build_card does)."""
    import briefs.card
    from briefs.cardmodel import Location, SummaryLine

    real = briefs.card.build_card

    def build(*args, summary_words=None, **kwargs):
        asked.append(summary_words)
        card = real(*args, **kwargs)
        if summary_words:
            card.summary = [SummaryLine(f.text, [Location(p.source, p.paragraph) for p in f.passages])
                            for f in card.facts[:4]]
        return card

    monkeypatch.setattr(briefs.card, "build_card", build)


@sync
async def test_s_adds_a_summary_after_the_bottom_line_in_a_worker(demo_lib, monkeypatch):
    asked: list = []
    _with_summary(monkeypatch, asked)
    app = Harness(demo_lib, card_screen())
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        rows = app.screen.query_one(RowList)
        assert not any(r.kind == "summary-long" for r in rows.rows) and asked == [None]
        await pilot.press("s")
        await settle(app, pilot)
        assert asked == [None, 250]
        card = app.screen.card
        headings = [r.title for r in rows.rows if not r.selectable]
        assert headings[0] == "Bottom line" and headings[1].startswith("Summary (") and "words)" in headings[1]
        lines = [r for r in rows.rows if r.kind == "summary-long"]
        assert [r.plain().split(" [")[0].strip()[:40] for r in lines] == [s.text[:40] for s in card.summary]
        assert rows.current is lines[0]  # the cursor is on the summary
        await pilot.press("enter")
        source, _, highlight = app.opened[-1]
        assert source == card.summary[0].sources[0] and highlight == card.summary[0].text
        rows.move_to(len(rows.rows) - 1)
        await pilot.press("s")  # again: back to the summary, without building anew
        await settle(app, pilot)
        assert asked == [None, 250] and rows.current is rows.rows[rows.rows.index(lines[0])]


@sync
async def test_s_says_so_when_no_summary_could_be_made(demo_lib, monkeypatch):
    import briefs.card

    real = briefs.card.build_card
    monkeypatch.setattr(briefs.card, "build_card", lambda *a, summary_words=None, **k: real(*a, **k))
    app = Harness(demo_lib, card_screen())
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("s")
        await settle(app, pilot)
        assert app.screen.card is not None and not app.screen.card.summary
        assert any("no summary" in n for n in app.notes())


@sync
async def test_g_and_G_go_to_the_first_and_last_line_of_the_card(demo_lib):
    app = Harness(demo_lib, card_screen())
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        rows = app.screen.query_one(RowList)
        await pilot.press("G")
        assert rows.current.kind == "source" and rows.cursor == max(n for n, r in enumerate(rows.rows) if r.selectable)
        await pilot.press("g")
        assert rows.cursor == min(n for n, r in enumerate(rows.rows) if r.selectable)
