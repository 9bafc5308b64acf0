"""The reader: header, highlighted matches and n/N, the marked passage, related articles, history."""

from __future__ import annotations

import pytest

from tui.app import BriefApp
from tui.screens.reader import ReaderScreen, _find_passage
from tui.screens.search import SearchScreen

from tui_support import HINT, async_test, demo_lib, no_config, reader_ready, screen_text, search_for, settle, wait_until  # noqa: F401,E501

FLOOD_ID_TITLE = "Sorrel Dam wall gives way, flooding towns in Orlen Province"


@pytest.fixture
def app(demo_lib, no_config):
    return BriefApp(demo_lib, hint=HINT)


def _id_of(app, title: str) -> str:
    return next(r["id"] for r in app.catalog() if r["title"] == title)


@async_test
async def test_open_a_hit_then_jump_between_matches(app):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await search_for(pilot, "water")
        hit = app.screen.items[0]
        await pilot.press("enter")  # focus is on the results after submitting
        await reader_ready(pilot)
        reader = app.screen
        assert isinstance(reader, ReaderScreen) and reader.article_id == hit.id
        assert reader.search_query == "water"
        assert len(reader.matches) >= 2
        assert reader.current is None
        text = screen_text(app)
        assert hit.title in text and f"match – of {len(reader.matches)}" in text
        await pilot.press("n")
        assert reader.current == 0
        await pilot.press("n")
        assert reader.current == 1
        await pilot.press("N", "N")
        assert reader.current == len(reader.matches) - 1  # wraps around
        pi, s, e = reader.matches[reader.current]
        assert reader.paragraphs[pi][s:e].lower().startswith("water")
        assert f"match {len(reader.matches)} of {len(reader.matches)}" in screen_text(app)


@async_test
async def test_header_shows_outlet_author_date_path(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        aid = _id_of(app, "Who pays for the Sorrel Dam? Orlen's flood bill starts to arrive")
        app.open_article(aid)
        await settle(pilot)
        text = screen_text(app)
        assert "Elena Voss" in text and "undated" in text and "relief-fund-analysis-with-author-bio.txt" in text
        assert "About the Author" not in text  # the cleaned text, bio removed


@async_test
async def test_open_at_a_passage_marks_and_scrolls_to_it(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        aid = _id_of(app, "Who pays for the Sorrel Dam? Orlen's flood bill starts to arrive")
        article = app.get_article(aid)
        last = article.paragraphs[-1]
        app.open_article(aid, query="cracks", highlight=last[:60])
        await settle(pilot)
        reader = app.screen
        assert reader.passage == len(article.paragraphs) - 1
        body = reader.query_one("#article")
        para = reader.paragraph_region(reader.passage)
        assert body.scroll_y > 0 and para is not None  # scrolled down to it, visible

        def gutter():
            para = reader.paragraph_region(reader.passage)
            lines = screen_text(app).split("\n")
            return {lines[y][para.x] for y in range(para.y, para.bottom)}

        assert reader.cursor == reader.passage and gutter() == {"▌"}  # the cursor starts there
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert reader.cursor == reader.passage - 1 and gutter() == {"┃"}  # the passage keeps its own mark


def test_find_passage_tolerates_reflowed_text():
    paras = ["First one about the dam.", "The water   rose\nquickly in Lisk overnight.", "Last."]
    assert _find_passage(paras, "water rose quickly in Lisk") == 1
    assert _find_passage(paras, "the water rose quickly somewhere in Lisk") == 1
    assert _find_passage(paras, "nothing like it") is None


@async_test
async def test_related_articles_are_other_outlets_and_open_or_compare(app, monkeypatch):
    compared = []
    monkeypatch.setattr(app, "open_compare", lambda ids: compared.append(ids))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        aid = _id_of(app, FLOOD_ID_TITLE)
        app.open_article(aid, query="dam")
        await reader_ready(pilot)
        reader = app.screen
        assert reader.related_done and reader.related
        assert aid not in [r.id for r in reader.related]
        titles = [r.title for r in reader.related[:4]]
        assert "Four dead as Sorrel Dam breach sends floodwater through Vela valley" in titles
        assert "Winter pruning: a short guide for old apple trees" not in titles
        assert reader.related[0].outlet and reader.related[0].outlet in screen_text(app)
        await pilot.press("r")
        assert reader.query_one("#related").has_focus
        await pilot.press("c")
        assert compared == [[aid, reader.related[0].id]]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen) and app.screen.article_id == reader.related[0].id
        assert app.screen.search_query == "dam"


@async_test
async def test_related_list_goes_under_the_article_when_narrow(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_article(_id_of(app, FLOOD_ID_TITLE))
        await reader_ready(pilot)
        await pilot.press("R")  # hidden at 80x24: shown on request
        await pilot.pause()
        body, side = app.screen.query_one("#article"), app.screen.query_one("#side")
        assert side.region.y > body.region.y and side.region.width >= 70
        await pilot.resize_terminal(140, 40)
        await pilot.pause()
        assert side.region.x > body.region.x and side.region.y == body.region.y


@async_test
async def test_back_and_forward_keep_the_place(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await search_for(pilot, "dam")
        await pilot.press("down", "down")
        search = app.screen
        chosen = search.items[2].id
        await pilot.press("enter")
        await reader_ready(pilot)
        reader = app.screen
        await pilot.press("n", "n", "n")
        at, scrolled = reader.current, reader.query_one("#article").scroll_y
        await pilot.press("backspace")
        await pilot.pause()
        assert app.screen is search
        assert search.query_one("#query").value == "dam"
        assert search.query_one("#results").highlighted == 2
        await pilot.press("alt+right")
        await pilot.pause()
        assert app.screen is reader and reader.article_id == chosen
        assert reader.current == at and reader.query_one("#article").scroll_y == scrolled
        await pilot.press("alt+left")
        await pilot.pause()
        assert app.screen is search
        # A new place forgets what was forward of here.
        await pilot.press("down", "enter")
        await settle(pilot)
        await pilot.press("backspace")
        await pilot.pause()
        await pilot.press("alt+right")
        await pilot.pause()
        assert app.screen is not reader and app.screen.article_id == search.items[3].id


@async_test
async def test_marking_and_pinning_from_the_reader(app):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        aid = _id_of(app, FLOOD_ID_TITLE)
        app.open_article(aid, query="spillway")
        await reader_ready(pilot)
        await pilot.press("space")
        assert app.marked == [aid]
        await pilot.pause()
        assert "● marked" in screen_text(app)
        await pilot.press("n", "p")
        reader = app.screen
        assert app.pinned == [{"text": reader.paragraphs[reader.matches[0][0]], "sources": [aid]}]
        await pilot.press("p")  # again: unpinned, as on the card
        assert app.pinned == []
        await pilot.press("p")
        assert len(app.pinned) == 1
        await pilot.press("backspace")
        await pilot.pause()
        assert isinstance(app.screen, SearchScreen)
        assert "● 1 marked" in screen_text(app)


@async_test
async def test_unknown_article_is_a_notification_not_a_crash(app):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.open_article("zzzzzzzz")
        await settle(pilot)
        assert any("Could not open" in n.message for n in app._notifications)
        await pilot.press("backspace")
        await pilot.pause()
        assert isinstance(app.screen, SearchScreen)


def test_related_search_refines_more_like_this_and_can_be_stopped(demo_lib):
    from index.search import related_articles
    from tui.screens.reader import RELATED

    with demo_lib.open_index().searcher() as s:
        for row in demo_lib.catalog()[:6]:
            article = demo_lib.get(row["id"], s)
            docnum = s.document_number(id=article.id)
            text = f"{article.title} {article.title} " + " ".join(article.paragraphs[:3])
            liked = [(h["id"], h.score) for h in s.more_like(docnum, "body", text=text, top=40, numterms=15)]
            floor = 0.3 * max((x for _, x in liked), default=0.0)
            expected = [i for i, x in liked if x >= floor][:RELATED]
            bare = related_articles(s, article, RELATED, other_outlets=False, share=0.0, min_terms=0)
            assert [f["id"] for f in bare] == expected  # the rule off: Whoosh's more-like-this
            assert related_articles(s, article, RELATED, lambda: True) == []  # asked to stop: nothing


def test_related_articles_are_the_same_story_from_other_outlets(demo_lib):
    """On the demo, a dam story's related list holds no story of another subject (the beaver dam shares one
    word), nor an article of its own outlet; most dam stories get some."""
    from index.search import related_articles

    rows = {r["id"]: r for r in demo_lib.catalog()}
    others = {i for i, r in rows.items() if any(w in r["title"] for w in ("Beavers", "pruning", "cellist", "Rail"))}
    assert len(others) == 4
    with demo_lib.open_index().searcher() as s:
        dam_stories = [i for i, r in rows.items() if "Sorrel" in r["title"]]
        assert len(dam_stories) >= 8
        with_some = 0
        for aid in dam_stories:
            article = demo_lib.get(aid, s)
            got = related_articles(s, article, 8)
            assert not others & {f["id"] for f in got}, article.title
            if article.outlet:
                assert all((f.get("outlet") or "").casefold() != article.outlet.casefold() for f in got)
            with_some += bool(got)
        assert with_some >= len(dam_stories) // 2
        beaver = demo_lib.get(next(i for i in others if "Beavers" in rows[i]["title"]), s)
        assert related_articles(s, beaver, 8) == []  # no other story of beavers: nothing, not the dam


@async_test
async def test_article_opened_while_the_searcher_is_free_is_in_the_first_frame(app):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        aid = _id_of(app, FLOOD_ID_TITLE)
        app.open_article(aid, query="dam")
        reader = app.screen
        assert isinstance(reader, ReaderScreen) and reader._preloaded is not None  # read at once, no worker
        await reader_ready(pilot)
        assert reader.painted and reader.matches and reader.related_done
        # The searcher busy (a search running in a worker): the reader's worker reads the article instead.
        await pilot.press("backspace")
        await pilot.pause()
        import threading

        held, release = threading.Event(), threading.Event()

        def search_running():
            with app.searcher():
                held.set()
                release.wait(10)

        thread = threading.Thread(target=search_running)
        thread.start()
        held.wait(10)
        app.open_article(aid, query="dam")
        assert app.screen._preloaded is None
        release.set()
        thread.join()
        await reader_ready(pilot)
        assert app.screen.article.id == aid and app.screen.paragraphs and app.screen.painted


# ---------------------------------------------------------------------------------------------- outlet, date, title


def _pasted_library(tmp_path):
    from tui_support import jsonl_library

    body = ("The harbour at Kavra reopened on Tuesday after the storm, the port authority said in a statement. "
            "Ships had waited outside for two days.")
    return jsonl_library(tmp_path, [
        {"id": "one", "title": "Harbour reopens after the storm", "text": body},
        {"id": "two", "title": "Ferries resume along the coast",
         "text": "All ferries between Osk and Lemma sailed again on Wednesday, the operator said. " * 2},
    ])


@async_test
async def test_the_reader_sets_an_articles_outlet_date_and_title(tmp_path, no_config):
    from index.search import search
    from tui.widgets.dialogs import MetadataScreen

    lib = _pasted_library(tmp_path)
    app = BriefApp(lib, hint=HINT)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        aid = _id_of(app, "Harbour reopens after the storm")
        app.open_article(aid)
        await reader_ready(pilot)
        assert "unknown outlet" in screen_text(app) and "outlet/date" in screen_text(app)  # in the key bar
        await pilot.press("e")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, MetadataScreen)
        await pilot.press(*"Kavra Courier", "tab")
        await pilot.press(*"March 4", "enter")  # not a date: said, and the dialog stays
        await settle(pilot)
        assert app.screen is dialog and "YYYY-MM-DD" in screen_text(app)
        date_input = dialog.query_one("#meta-published")
        date_input.value = "2025-03-04"
        date_input.focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ReaderScreen) and app.screen.article.outlet == "Kavra Courier")
        text = screen_text(app)
        assert "Kavra Courier" in text and "2025-03-04" in text and "unknown outlet" not in text.split("\n")[1]
        assert any("Saved: outlet Kavra Courier, date" in n.message for n in app._notifications)
        with app.searcher() as s:  # the shared searcher sees it: search, the catalog, cards
            assert [h.id for h in search(s, "outlet:courier").hits] == [aid]
        assert next(r for r in app.catalog() if r["id"] == aid)["outlet"] == "Kavra Courier"
        assert lib.get(aid).published.isoformat() == "2025-03-04"

        await pilot.press("e")  # Escape leaves everything as it was
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen) and app.screen.article.outlet == "Kavra Courier"

        app.back()  # the home list shows the outlet set
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)
        assert next(i for i in app.screen.items if i.id == aid).outlet == "Kavra Courier"
        assert "Kavra Courier" in screen_text(app)


@async_test
async def test_the_reader_says_when_the_details_cannot_be_set(tmp_path, no_config, monkeypatch):
    import index.indexer as indexer

    lib = _pasted_library(tmp_path)
    app = BriefApp(lib, hint=HINT)

    def refuse(*args, **kwargs):
        raise indexer.LibraryError("cannot write to the library (permission denied)")

    monkeypatch.setattr(indexer, "set_metadata", refuse)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.open_article(_id_of(app, "Harbour reopens after the storm"))
        await reader_ready(pilot)
        await pilot.press("e")
        await settle(pilot)
        await pilot.press(*"Kavra Courier", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen) and app.screen.article.outlet is None
        assert any("permission denied" in n.message and n.severity == "error" for n in app._notifications)
