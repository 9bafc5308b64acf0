"""The briefing card screen.

The card is built in a thread worker (build_card's progress callback becomes Progress messages that
drive a progress bar); once Built, every line of it is a row of a RowList (tui.widgets.rowlist): the
bottom line, key facts with their independent sources and credibility, figures, disagreements, timeline,
people, organisations, places, quotes and sources. Any row that comes from an article opens the reader
at that passage (enter); left/right choose which of the row's sources opens. `e` exports Markdown and
`E` JSON through a path dialog that confirms before overwriting; `p` pins a line into the app's custom
brief.

Article text is untrusted: every string from an article is made safe with index.sanitize.safe_inline
and put into Rich Text with Text.append, never parsed as markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.widgets import ProgressBar, Static

from briefs.actors import MAX_ACTORS, MAX_QUOTES, more_quotes
from briefs.sources import support_label
from briefs.timeline import when_label  # noqa: F401 - the card's dates as tests read them
from tui.actions import Action, bindings, register
from tui.services import describe_error, extraction_cache, say
from tui.widgets.keybar import KeyBar
from tui.widgets.rowlist import SIDE_MARK, Heading, Row, RowList, RowListActions, Target
from tui.widgets.text import format_value, safe

__all__ = ["CardScreen", "export_name"]

PIN_MARK = "◆pinned"  # one word: never split across lines
GRADES = {1: "confirmed", 2: "probably true", 3: "possibly true", 5: "contradicted"}


def export_name(query: str | None, n_sources: int, suffix: str, today: date | None = None) -> str:
    """The default export file name: ./brief-<query-slug>-<date>.<suffix>."""
    slug = re.sub(r"[^a-z0-9]+", "-", (query or "").lower()).strip("-")[:40].strip("-")
    slug = slug or f"{n_sources}-articles"
    return f"./brief-{slug}-{(today or date.today()).isoformat()}.{suffix}"


# ----------------------------------------------------------------------------------------------
# The card's lines


def cite_text(targets: list[Target], labels: dict[str, str], current: bool, side: int) -> Text:
    """"[1][3]" for a row's sources; on the current row the source `enter` opens is marked "›[3]"."""
    out = Text()
    seen: list[str] = []
    for t in targets:
        if t.source not in seen:
            seen.append(t.source)
    chosen = targets[side].source if current and targets and len(seen) > 1 else None
    for sid in seen:
        label = labels.get(sid, f"[{sid}]")
        if sid == chosen:
            out.append(SIDE_MARK + label, style="bold underline")
        else:
            out.append(label)
    return out


class Line(Row):
    """A card line: a fixed-width prefix ("1.", "2025-03-04", "≈ 1,500"), the text, its sources."""

    def __init__(self, kind: str, prefix: Text | str, body: Text, targets: Iterable[Target] = (),
                 meta: Text | str = "", detail: Text | None = None, pin: dict | None = None,
                 prefix_width: int = 0, cites: bool = True) -> None:
        super().__init__(targets, pin)
        self.cites = cites
        self.kind = kind
        self.prefix = prefix if isinstance(prefix, Text) else Text(prefix)
        self.body, self.meta, self.detail = body, meta if isinstance(meta, Text) else Text(meta), detail
        self.prefix_width = prefix_width or self.prefix.cell_len

    def view(self, ctx, current, side, pinned, width):
        grid = Table.grid(expand=True, padding=(0, 1, 0, 0))
        grid.add_column(width=max(1, self.prefix_width), no_wrap=True)
        grid.add_column(ratio=1)
        body = self.body.copy()
        cites = cite_text(self.targets, ctx.get("labels", {}), current, side) if self.cites else Text()
        if cites:
            body.append(" ")
            body.append_text(cites)
        if self.meta:
            body.append(" · " if cites else " ")
            body.append_text(self.meta)
        if pinned:
            body.append("  " + PIN_MARK, style="bold")
        if current and self.detail is not None:
            body.append("\n")
            body.append_text(self.detail)
        grid.add_row(self.prefix, body)
        return grid


class SidesLine(Line):
    """A disagreement: its heading and one line per side, each with its sources; the chosen one marked."""

    def __init__(self, kind: str, prefix: Text | str, head: Text, sides: list[tuple[Text, list[str], str]],
                 targets: Iterable[Target], detail: Text | None = None, pin: dict | None = None) -> None:
        super().__init__(kind, prefix, head, targets, detail=detail, pin=pin, prefix_width=1, cites=False)
        self.sides = sides

    def view(self, ctx, current, side, pinned, width):
        labels = ctx.get("labels", {})
        body = self.body.copy()
        chosen_target = self.targets[side] if current and self.targets else None
        for text, sources, sentence in self.sides:
            body.append("\n")
            body.append_text(text)
            body.append(" ")
            for sid in sources:
                label = labels.get(sid, sid)
                if chosen_target == Target(sid, sentence):
                    body.append(SIDE_MARK + label, style="bold underline")
                else:
                    body.append(label)
        if pinned:
            body.append("  " + PIN_MARK, style="bold")
        if current and self.detail is not None:
            body.append("\n")
            body.append_text(self.detail)
        grid = Table.grid(expand=True, padding=(0, 1, 0, 0))
        grid.add_column(width=1, no_wrap=True)
        grid.add_column(ratio=1)
        grid.add_row(self.prefix, body)
        return grid


# ----------------------------------------------------------------------------------------------
# The card screen

register(
    Action("card.next", "j", "next", "card", "move(1)", show=False, help="Next line of the card (also ↓)"),
    Action("card.previous", "k", "previous", "card", "move(-1)", show=False,
           help="Previous line of the card (also ↑)"),
    Action("card.open", "o", "open", "card", "open_passage", help="Open the line's source passage in the reader "
           "(also enter)"),
    Action("card.next_source", "l,right", "next source", "card", "side(1)", show=False,
           help="Choose the next of the line's sources to open"),
    Action("card.previous_source", "h,left", "previous source", "card", "side(-1)", show=False,
           help="Choose the previous of the line's sources to open"),
    Action("card.top", "g", "top", "card", "edge(-1)", show=False, help="Go to the first line of the card (also home)"),
    Action("card.bottom", "G", "bottom", "card", "edge(1)", show=False,
           help="Go to the last line of the card, its sources (also end)"),
    Action("card.next_section", "right_square_bracket", "next section", "card", "section(1)", show=False,
           help="Jump to the next section of the card"),
    Action("card.previous_section", "left_square_bracket", "previous section", "card", "section(-1)",
           show=False, help="Jump to the previous section of the card"),
    Action("card.pin", "p", "pin", "card", "pin",
           help="Pin the line into the current brief (again to unpin; P shows the brief)"),
    Action("card.export_markdown", "e", "export md", "card", "export('markdown')",
           help="Export the card to a Markdown file (asks for the path)"),
    Action("card.export_json", "E", "export json", "card", "export('json')",
           help="Export the card to a JSON file (asks for the path)"),
    Action("card.rebuild", "r", "rebuild", "card", "rebuild", show=False, help="Build the card again"),
    Action("card.more", "m", "more", "card", "more", show=False, help="Show every person, place and quote of the card, not "
           "only the top ones (again to show the top ones; enter on a “… more” line shows that section)"),
    Action("card.summary", "s", "summary", "card", "summary", help="Add a summary of about 250 words to the card "
           "(built in the background; again to jump to it)"),
)

SUMMARY_WORDS = 250  # the summary `s` asks for

SECTION_NOTES = {
    "facts": "sources count independent outlets; credibility 1 confirmed, 2 probably true, 3 possibly true "
             "(one source), 5 contradicted",
}


class CardScreen(RowListActions, Screen):
    """The briefing card for a query (the articles it matches) or for given article ids."""

    DEFAULT_CSS = """
    CardScreen { layout: vertical; }
    CardScreen #card-title { height: auto; padding: 0 1; text-style: bold; }
    CardScreen #card-status { height: auto; padding: 0 1; }
    CardScreen #card-progress { padding: 0 1; height: 1; }
    CardScreen #card-progress.-hidden { display: none; }
    CardScreen #card-rows { padding: 0 0 0 1; }
    """

    SCOPE = "card"
    BINDINGS = bindings("card")
    QUERY_LIMIT = 50  # matching articles a card is built from, as `brief card`

    class Progress(Message):
        def __init__(self, stage: str, done: int, total: int) -> None:
            super().__init__()
            self.stage, self.done, self.total = stage, done, total

    class Built(Message):
        def __init__(self, card, changes: dict | None = None, earlier: dict | None = None,
                     problem: str | None = None, data: dict | None = None) -> None:
            super().__init__()
            self.card = card
            self.changes, self.earlier, self.problem = changes, earlier, problem
            self.data = data  # the card's JSON as kept in the history (None: not kept)

    class Failed(Message):
        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    class Exported(Message):
        def __init__(self, path: Path, fmt: str) -> None:
            super().__init__()
            self.path, self.fmt = path, fmt

    class ExportExists(Message):
        def __init__(self, path: Path, fmt: str) -> None:
            super().__init__()
            self.path, self.fmt = path, fmt

    class ExportFailed(Message):
        def __init__(self, path: str, fmt: str, error: str) -> None:
            super().__init__()
            self.path, self.fmt, self.error = path, fmt, error

    def __init__(self, query: str | None = None, ids: list[str] | None = None, brief: str | None = None) -> None:
        super().__init__()
        self.card_query = query or None
        self.ids = list(ids) if ids else None
        self.brief = brief  # the name of the brief whose articles ``ids`` are: its card history is the brief's
        self.card = None
        self.error: str | None = None
        self.now: datetime | None = None  # fixed generation time (tests); None: the real time
        self.today: date | None = None  # date in the default export name; None: today
        self.expanded: set[str] = set()  # sections shown whole ("people", "quotes"...), not only the top ones
        self.summary_words: int | None = None  # the summary asked for (s), None: none
        self.changes: dict | None = None  # what changed since the earlier card of the same query (None: none)
        self._earlier = _FIRST  # the card of the history compared with: picked at the first build, then kept
        self._first_data: dict | None = None  # the first card this screen built (JSON), when there was no earlier

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(self._title_text(), id="card-title")
        yield Static(Text("Building the card…"), id="card-status")
        yield ProgressBar(total=None, show_eta=False, id="card-progress")
        yield RowList(id="card-rows", pinned=self._is_pinned)
        yield KeyBar("card")

    def _title_text(self) -> Text:
        text = Text("Brief: ")
        if self.card_query:
            text.append(safe(self.card_query))
        elif self.brief is not None and self.ids:
            text.append(f"the brief “{safe(self.brief)}” ({len(self.ids)} article{'s' * (len(self.ids) != 1)})")
        elif self.ids:
            text.append(f"{len(self.ids)} chosen article{'s' * (len(self.ids) != 1)}")
        else:
            text.append("marked articles")
        return text

    def on_mount(self) -> None:
        self.build()

    # -- building -----------------------------------------------------------------------------

    def build(self) -> None:
        self.card = None
        self.error = None
        self.query_one("#card-progress", ProgressBar).remove_class("-hidden")
        self.query_one("#card-progress", ProgressBar).update(total=None, progress=0)
        self.query_one("#card-status", Static).update(Text("Building the card…"))
        lib = self.app.library  # type: ignore[attr-defined]
        ids = self.ids if self.ids is not None else (
            None if self.card_query else list(getattr(self.app, "marked", [])))
        words = self.summary_words
        history = bool(getattr(self.app, "card_history", False))
        tags = getattr(self.app, "user_tags", None)
        self._user_tags = tags() if tags is not None else None  # a tag: query finds the user's tags too
        self.run_worker(lambda: self._build(lib, self.card_query, ids, self.now, words, history), thread=True,
                        exclusive=True, group="card-build", exit_on_error=False, name="build card")

    def _build(self, lib, query: str | None, ids: list[str] | None, now: datetime | None,
               summary_words: int | None = None, history: bool = False) -> None:
        """In a thread: choose the articles, build the card, post Built or Failed."""
        try:
            from briefs.card import build_card

            matching = None  # how many articles the query matched, when more than the card uses
            if query:
                from index.search import search

                with lib.open_index().searcher() as searcher:
                    result = search(searcher, query, limit=self.QUERY_LIMIT, snippets=False,
                                    user_tags=getattr(self, "_user_tags", None))
                articles = list(lib.articles(h.id for h in result.hits))
                matching = result.total
                if not articles:
                    self.post_message(self.Failed(f"No articles match {safe(query)!r}; no card was made."))
                    return
            else:
                if not ids:
                    self.post_message(self.Failed("No articles to brief: mark some articles first (space)."))
                    return
                articles = list(lib.articles(ids))
            self.post_message(self.Progress("reading", len(articles), len(articles)))

            def progress(stage: str, done: int, total: int) -> None:
                self.post_message(self.Progress(stage, done, total))

            extra = {"summary_words": summary_words} if summary_words else {}
            if matching is not None and matching > len(articles):
                extra.update(matching=matching, chosen_by="relevance")  # the card says it used the top ones
            card = build_card(articles, query=query, duplicates=lib.near_duplicates(), cache=extraction_cache(lib),
                              progress=progress, now=now, **extra)
        except Exception as exc:  # noqa: BLE001 - any failure is reported, the app carries on
            self.post_message(self.Failed(describe_error(exc)))
            return
        if not history:
            self.post_message(self.Built(card))
            return
        kept, data = self._keep(lib, card, query, [a.id for a in articles])
        self.post_message(self.Built(card, changes=kept.changes, earlier=kept.earlier, problem=kept.problem,
                                     data=data))

    def _keep(self, lib, card, query: str | None, ids: list[str]):
        """In the build thread: keep the card in the library's card history, as `brief card` does, and compare
        it with the card before (the same one on every rebuild of this screen): (Kept, the card's JSON)."""
        from briefs.changes import Kept, is_empty, keep_and_compare
        from index.cardhistory import card_key

        key = card_key(query) if query else card_key(brief=self.brief) if self.brief is not None else card_key(ids=ids)
        # the first build picks the earlier card; a rebuild compares with the same one, or, when there was
        # none, with the card this screen showed first (a rebuild for new articles then says what they
        # brought; a rebuild that changed nothing says nothing)
        first = self._earlier is None
        extra = {} if self._earlier is _FIRST else {"earlier": self._first_data if first else self._earlier}
        try:
            data = card.to_json()
            kept = keep_and_compare(lib.root, key, data, **extra)
            if first and kept.changes is not None and is_empty(kept.changes):
                kept = kept._replace(changes=None)
            return kept, data
        except Exception as exc:  # noqa: BLE001 - the card itself is fine: show it, say what went wrong
            return Kept(None, f"the card was built but not compared with the card history ({describe_error(exc)})",
                        None), None

    def on_card_screen_progress(self, message: Progress) -> None:
        if self.card is not None:
            return
        bar = self.query_one("#card-progress", ProgressBar)
        bar.update(total=max(1, message.total), progress=message.done)
        words = {"reading": "Read {done} articles", "extracting": "Extracting {done}/{total} articles",
                 "aligning": "Aligning sentences across sources", "card": "Writing the card"}
        text = words.get(message.stage, message.stage + " {done}/{total}").format(done=message.done,
                                                                                 total=message.total)
        self.query_one("#card-status", Static).update(Text(text + "…"))

    async def on_card_screen_built(self, message: Built) -> None:
        self.card = message.card
        self.changes = message.changes
        if self._earlier is _FIRST and message.problem is None:
            self._earlier = message.earlier
            if message.earlier is None:
                self._first_data = message.data
        if message.problem:
            say(self, message.problem[:1].upper() + message.problem[1:] + ".", title="Card history",
                severity="warning")
        self.query_one("#card-progress", ProgressBar).add_class("-hidden")
        card = self.card
        unknown = sum(1 for s in card.sources if not s.outlet)
        outlets = len({" ".join(s.outlet.casefold().split()) for s in card.sources if s.outlet})
        # articles, not "sources": one outlet's articles are one source, and an unknown outlet is unknown
        matching = getattr(card, "articles_matching", None)
        used = f"{len(card.sources)} of {matching} matching" if matching and matching > len(card.sources) else \
            f"{len(card.sources)}"
        parts = [f"{used} article{'s' * (len(card.sources) != 1)}"
                 + (f" ({outlets} outlet{'s' * (outlets != 1)}" + (f", {unknown} unknown" if unknown else "") + ")"
                    if outlets else ", outlets unknown" if unknown else ""),
                 f"{len(card.facts)} key fact{'s' * (len(card.facts) != 1)}"]
        if card.disagreements:
            parts.append(f"{len(card.disagreements)} disagreement{'s' * (len(card.disagreements) != 1)}")
        status, hint = " · ".join(parts), " · e export · ? help"
        if len(status + hint) < self.size.width - 1:  # the hint only when it fits: never a second line of it
            status += hint
        self.query_one("#card-status", Static).update(Text(status))
        await self._show_rows()
        if self.summary_words:
            if card.summary:
                self._to_kind("summary-long")
            else:
                say(self, "The articles give no summary beyond the bottom line.", title="Summary")
        self.query_one(RowList).focus()

    async def _show_rows(self, cursor: int | None = None) -> None:
        rows, ctx = card_rows(self.card, self.expanded, self.changes)
        await self.query_one(RowList).set_rows(rows, ctx, cursor)

    def _to_kind(self, kind: str) -> None:
        rowlist = self.rows
        index = next((n for n, r in enumerate(rowlist.rows) if r.kind == kind), None)
        if index is not None:
            rowlist.move_to(index)

    def on_card_screen_failed(self, message: Failed) -> None:
        self.error = message.error
        self.query_one("#card-progress", ProgressBar).add_class("-hidden")
        self.query_one("#card-status", Static).update(Text("No card: " + message.error))
        say(self, message.error, title="Card", severity="error")

    # -- actions ------------------------------------------------------------------------------

    def action_section(self, step: int) -> None:
        rows = self.rows
        if not rows.rows:
            return
        # the first line after the next (or the current/previous) heading
        i = rows.cursor
        headings = [n for n, r in enumerate(rows.rows) if not r.selectable]
        if step > 0:
            after = [h for h in headings if h > i]
            if after:
                nxt = rows._next_selectable(after[0], 1)
                if nxt is not None:
                    rows.move_to(nxt)
        else:
            before = [h for h in headings if h < i]
            if len(before) >= 2:
                nxt = rows._next_selectable(before[-2], 1)
                if nxt is not None:
                    rows.move_to(nxt)
            elif before:
                first = rows._next_selectable(before[0], 1)
                if first is not None:
                    rows.move_to(first)

    def _open(self, target: Target | None) -> None:
        if target is None:
            say(self, "This line has no passage to open.", title="Card")
            return
        opener = getattr(self.app, "open_article", None)
        if opener is None:
            say(self, "The reader is not available.", severity="warning")
            return
        opener(target.source, query=self.card_query, highlight=target.highlight)

    def _is_pinned(self, row: Row) -> bool:
        if row.pin is None:
            return False
        return any(p.get("text") == row.pin["text"] for p in getattr(self.app, "pinned", []))

    def action_pin(self) -> None:
        row = self.rows.current
        if row is None or row.pin is None:
            say(self, "Only lines taken from the articles can be pinned.", title="Pin")
            return
        pinned = getattr(self.app, "pinned", None)
        if pinned is None:
            say(self, "Pinning is not available.", severity="warning")
            return
        text, sources = row.pin["text"], list(row.pin["sources"])
        if any(p.get("text") == text for p in pinned):
            unpin = getattr(self.app, "unpin", None)
            if unpin is not None:
                unpin(text)
            else:
                pinned[:] = [p for p in pinned if p.get("text") != text]
            say(self, f"Unpinned ({_pins_in(self.app)}).", title="Pin")
        else:
            pin = getattr(self.app, "pin", None)
            if pin is None:
                pinned.append({"text": text, "sources": sources})
            elif "origin" in _parameters(pin):
                origin = {"card": self.card_query} if self.card_query else {"card_ids": list(self.ids)} if self.ids \
                    else {}
                passages = {t.source: t.highlight for t in row.targets if t.highlight and t.highlight != text}
                if passages:  # each source's own sentence, where the brief opens it
                    origin["passages"] = passages
                pin(text, sources, kind=row.pin.get("kind", "line"), origin=origin)
            else:  # an app without kinds of pins
                pin(text, sources)
            say(self, f"Pinned ({_pins_in(self.app)}; P shows the brief).", title="Pin")
        self.rows.refresh_rows()

    def action_rebuild(self) -> None:
        self.build()

    # -- new articles in the library (the app's watching, `brief watch`, `brief index`) ---------------

    def on_index_changed(self, message) -> None:
        """Articles came into the library: those the card's query matches are offered in a line at the top
        ("2 new articles for this card's query · r to rebuild the card with them"); a card of chosen
        articles is left as it is."""
        if not self.card_query or self.card is None or not message.new:
            return
        lib, query, new = self.app.library, self.card_query, list(message.new)
        self.run_worker(lambda: self._new_matches(lib, query, new), thread=True, group="card-new",
                        exit_on_error=False, name="new articles")

    def _new_matches(self, lib, query: str, new: list[str]) -> None:
        from whoosh import query as wq

        from index.search import search

        with lib.open_index().searcher() as searcher:
            hits = search(searcher, query, limit=len(new), filter_query=wq.Or([wq.Term("id", i) for i in new]),
                          snippets=False, count=False, user_tags=getattr(self, "_user_tags", None)).hits
        shown = {s.id for s in self.card.sources} if self.card is not None else set()
        found = [h.id for h in hits if h.id not in shown]
        if found:
            self.app.call_from_thread(self._offer_new, found)

    def _offer_new(self, ids: list[str]) -> None:
        self._new_ids = list(dict.fromkeys(getattr(self, "_new_ids", []) + ids))
        n = len(self._new_ids)
        text = Text(f"{n} new article{'s' * (n != 1)}", style="bold reverse")
        text.append(f" for this card's query · r to rebuild the card with {'them' if n != 1 else 'it'}")
        offers = self.query("#card-offer")
        if offers:
            offers.first(Static).update(text)
        else:
            offer = Static(text, id="card-offer")
            offer.styles.height, offer.styles.padding = "auto", (0, 1)
            self.mount(offer, before="#card-title")

    @on(Built)
    def _offer_taken(self) -> None:
        """A rebuilt card holds them: the offer goes."""
        self._new_ids = []
        self.query("#card-offer").remove()

    async def action_more(self) -> None:
        """Show every line of the sections cut to their top ones, or (again) only the top ones."""
        if self.card is None:
            return
        cut = {name for name, items, shown in _shown_sections(self.card) if len(items) > shown}
        if not cut:
            say(self, "Every line of the card is shown.", title="Card")
            return
        current = self.rows.current
        self.expanded = set() if cut <= self.expanded else cut
        index = self.rows.cursor if isinstance(current, MoreLine) else None
        await self._show_rows(index)

    async def on_row_list_chosen(self, message: RowList.Chosen) -> None:
        row = message.row
        if isinstance(row, MoreLine):
            self.expanded.add(row.section)
            await self._show_rows(self.rows.cursor)  # the cursor lands on the first line it showed
            return
        super().on_row_list_chosen(message)

    def action_summary(self) -> None:
        """Rebuild the card with a summary of about 250 words (in a worker); when it has one, go to it."""
        if self.card is not None and self.card.summary:
            self._to_kind("summary-long")
            return
        if self.card is None and self.error is None:
            say(self, "The card is not ready yet.", title="Summary")
            return
        self.summary_words = SUMMARY_WORDS
        self.build()
        self.query_one("#card-status", Static).update(Text(f"Writing a {SUMMARY_WORDS}-word summary…"))

    # -- export -------------------------------------------------------------------------------

    def action_export(self, fmt: str) -> None:
        from tui.screens.export import ExportDialog

        if self.card is None:
            say(self, "The card is not ready yet." if self.error is None else "There is no card to export.",
                        title="Export", severity="warning")
            return
        what = "Markdown" if fmt == "markdown" else "JSON"
        default = export_name(self.card_query, len(self.card.sources), "md" if fmt == "markdown" else "json", self.today)

        def chosen(path: str | None) -> None:
            if path:
                self.export_to(path, fmt)

        self.app.push_screen(ExportDialog(default, what), chosen)

    def export_to(self, path: str, fmt: str, force: bool = False) -> None:
        """Write the card to ``path`` in a worker; Exported, ExportExists or ExportFailed follows."""
        card = self.card
        # what changed goes into the file as into `brief card`'s (None: no earlier card; no history: no field)
        extra = (self.changes,) if getattr(self.app, "card_history", False) else ()
        self.run_worker(lambda: self._write(card, path, fmt, force, *extra), thread=True, group="card-export",
                        exit_on_error=False, name="export card")

    def _write(self, card, path: str, fmt: str, force: bool, *changes) -> None:
        from briefs.export import card_to_json, card_to_markdown, write_file

        target = Path(path).expanduser().absolute()
        try:
            if fmt == "json":
                text = card_to_json(card, *changes)  # no control character from any field, valid UTF-8
            else:
                text = card_to_markdown(card, *changes)
            written = write_file(target, text, force=force)
        except FileExistsError:
            self.post_message(self.ExportExists(target, fmt))
            return
        except Exception as exc:  # noqa: BLE001
            self.post_message(self.ExportFailed(str(target), fmt, describe_error(exc)))
            return
        self.post_message(self.Exported(written, fmt))

    def on_card_screen_export_exists(self, message: ExportExists) -> None:
        from tui.screens.export import ConfirmOverwrite

        def answer(yes: bool | None) -> None:
            if yes:
                self.export_to(str(message.path), message.fmt, force=True)
            else:
                say(self, "Nothing was written.", title="Export")

        self.app.push_screen(ConfirmOverwrite(str(message.path)), answer)

    def on_card_screen_exported(self, message: Exported) -> None:
        what = "Markdown" if message.fmt == "markdown" else "JSON"
        say(self, f"{what} card written to {message.path}", title="Export")

    def on_card_screen_export_failed(self, message: ExportFailed) -> None:
        say(self, f"Could not write {message.path}: {message.error}", title="Export", severity="error")


# ----------------------------------------------------------------------------------------------
# The card as rows


def _targets_of(locations, text: str | None, rank: dict[str, int] | None = None) -> list[Target]:
    targets = list(dict.fromkeys(Target(loc.source, text) for loc in locations))
    return sorted(targets, key=lambda t: (rank or {}).get(t.source, 0))


def _parameters(fn) -> set[str]:
    import inspect

    try:
        return set(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return set()


def _pins_in(app) -> str:
    """"3 in the brief “Pinned”": how many pins the current brief holds now."""
    n = len(getattr(app, "pinned", []))
    briefs = getattr(app, "briefs", None)
    name = getattr(briefs, "current", None)
    return f"{n} in the brief “{safe(name)}”" if name else f"{n} in the custom brief"


def _pin(text: str, sources: Iterable[str], kind: str = "line") -> dict:
    """What `p` pins of a line: its text, its articles and its kind (index.pins.KINDS)."""
    return {"text": text, "sources": list(dict.fromkeys(sources)), "kind": kind}


def _date_of(d) -> str:
    return d.isoformat() if d else "undated"


_FIRST = object()  # CardScreen._earlier before the first build has picked the card to compare with


def _json_targets(item: dict, text: str | None, rank: dict[str, int]) -> list[Target]:
    """The passages of a fact/figure of the card JSON as targets (its sentence in each article)."""
    spots = item.get("passages") or item.get("locations") or []
    targets = [Target(p["source"], p.get("text") or text) for p in spots if isinstance(p, dict) and p.get("source")]
    targets = targets or [Target(sid, text) for sid in item.get("sources") or []]
    return sorted(dict.fromkeys(targets), key=lambda t: rank.get(t.source, len(rank)))


def changes_rows(changes: dict, card, rank: dict[str, int]) -> list[Row]:
    """"What changed since 2026-11-30 14:02": new sources, facts and figures, figures whose value or hedge
    changed, credibility that changed, new disagreements, what is no longer on the card."""
    from briefs.changes import since_label
    from briefs.export import hedged_value

    rows: list[Row] = [Heading(f"What changed since {since_label(changes.get('since'))}",
                               "compared with the card built then")]
    sources = {s.id: s for s in card.sources}
    n_before = len(rows)
    for sid in changes.get("new_sources") or []:
        s = sources.get(sid)
        body = Text("New source: ", style="bold")
        body.append(safe(s.title) if s is not None and s.title else "untitled")
        if s is not None:
            body.append(f" — {safe(s.outlet) or 'unknown outlet'}")
        rows.append(Line("change", "+", body, [Target(sid, None)], prefix_width=1))
    for f in changes.get("new_facts") or []:
        body = Text("New fact: ", style="bold")
        body.append(safe(f.get("text")))
        rows.append(Line("change", "+", body, _json_targets(f, f.get("text"), rank),
                         pin=_pin(f.get("text") or "", f.get("sources") or []), prefix_width=1))
    for f in changes.get("new_figures") or []:
        body = Text("New figure: ", style="bold")
        body.append(safe(hedged_value(f["value"], f.get("hedge"))) + " " + (safe(f.get("counted")) or ""))
        rows.append(Line("change", "+", body, _json_targets(f, f.get("text"), rank), prefix_width=1))
    for f in changes.get("changed_figures") or []:
        before, now = f.get("before") or {}, f.get("now") or {}
        body = Text((safe(f.get("counted")) or "a figure") + ": ", style="bold")
        body.append(safe(hedged_value(before.get("value"), before.get("hedge"))) + " → "
                    + safe(hedged_value(now.get("value"), now.get("hedge"))))
        rows.append(Line("change", "≠", body, cites=False, prefix_width=1))
    for f in changes.get("credibility_changed") or []:
        body = Text(f"Credibility {f.get('before')} → {f.get('now')}: ", style="bold")
        body.append(safe(f.get("text")))
        fact = next((x for x in card.facts if x.text == f.get("text")), None)
        targets = [] if fact is None else sorted(dict.fromkeys(Target(p.source, p.text) for p in fact.passages),
                                                 key=lambda t: rank.get(t.source, 0))
        rows.append(Line("change", "≠", body, targets, prefix_width=1))
    for d in changes.get("new_disagreements") or []:
        body = Text("New disagreement: ", style="bold")
        body.append(f"{safe(d.get('about'))} ({safe(d.get('kind'))})")
        rows.append(Line("change", "+", body, cites=False, prefix_width=1))
    for g in changes.get("gone") or []:
        kind = g.get("kind")
        if kind == "source":
            what = f"source {safe(g.get('id'))}"
        elif kind == "fact":
            what = "fact: " + safe(g.get("text"))
        elif kind == "figure":
            what = f"figure: {safe(hedged_value(g.get('value'), g.get('hedge')))} {safe(g.get('counted'))}"
        elif kind == "disagreement":
            what = f"disagreement: {safe(g.get('about'))} (resolved)"
        else:
            continue
        body = Text("No longer on the card: ", style="bold")
        body.append(what)
        rows.append(Line("change", "−", body, cites=False, prefix_width=1))
    if len(rows) == n_before:
        rows.append(Line("change", "", Text("Nothing changed.", style="italic"), cites=False, prefix_width=1))
    return rows


class MoreLine(Line):
    """"… 23 more quotes from 12 speakers — enter to show": the lines of a section not shown yet."""

    def __init__(self, section: str, text: str) -> None:
        body = Text(f"{text} — enter (or m) to show", style="italic")
        super().__init__("more", "…", body, prefix_width=1, cites=False)
        self.section = section


def _shown_sections(card) -> list[tuple[str, list, int]]:
    """(section, its lines, how many the card screen shows before a “… more” line)."""
    return [("people", card.people, MAX_ACTORS), ("organizations", card.organizations, MAX_ACTORS),
            ("places", card.places, MAX_ACTORS), ("quotes", card.quotes, MAX_QUOTES)]


CAPPED_NOUNS = {"fact": ("facts", "key facts"), "figure": ("figures", "figures"), "timeline": ("timeline", "dated events")}


def _capped_notes(rows: list[Row], card) -> list[Row]:
    """A line after each section the card cut at its cap (Card.capped): more may have been found."""
    capped = getattr(card, "capped", None) or {}
    for kind, (section, noun) in CAPPED_NOUNS.items():
        cap = capped.get(section)
        last = max((n for n, r in enumerate(rows) if r.kind == kind), default=None)
        if cap and last is not None:
            note = Text(f"the card keeps at most {cap} {noun} and this list is full: others may have been left out",
                        style="italic")
            rows.insert(last + 1, Line("capped", "…", note, prefix_width=1, cites=False))
    return rows


def card_rows(card, expanded: Iterable[str] = (), changes: dict | None = None) -> tuple[list[Row], dict]:
    """Every section of ``card`` as headings and selectable lines; people, organisations, places and quotes
    show their top ones and a “… more” line unless their section is in ``expanded``. ``changes`` (what
    changed since an earlier card, briefs.changes) comes first."""
    expanded = set(expanded)
    shown = {name: len(items) if name in expanded else min(len(items), cap)
             for name, items, cap in _shown_sections(card)}
    labels = {s.id: f"[{n}]" for n, s in enumerate(card.sources, 1)}
    rank = {s.id: n for n, s in enumerate(card.sources)}
    rows: list[Row] = []

    def targets_of(locations, text):
        return _targets_of(locations, text, rank)

    notes = [n for n in (getattr(card, "selection_note", lambda: None)(), getattr(card, "reduced_note", lambda: None)())
             if n]
    for note in notes:  # fewer articles than match (the top ones by relevance); what a big card bounded
        rows.append(Line("selection", "·", Text(note, style="italic"), prefix_width=1, cites=False))

    if changes is not None:
        try:
            rows += changes_rows(changes, card, rank)
        except (KeyError, TypeError, ValueError, AttributeError):  # a card history edited by hand
            rows += [Heading("What changed"), Line("change", "", Text("The card history could not be compared "
                                                                       "(brief history --clear starts it again).",
                                                                       style="italic"), cites=False, prefix_width=1)]

    if card.bottom_line:
        rows.append(Heading("Bottom line"))
        for s in card.bottom_line:
            rows.append(Line("summary", "", Text(safe(s.text)), targets_of(s.locations, s.text),
                             pin=_pin(s.text, s.sources, "summary"), prefix_width=1))

    if card.summary:
        words = sum(len(s.text.split()) for s in card.summary)
        rows.append(Heading(f"Summary ({words} words)", "every sentence taken from the articles"))
        for s in card.summary:
            rows.append(Line("summary-long", "", Text(safe(s.text)), targets_of(s.locations, s.text),
                             pin=_pin(s.text, s.sources, "summary"), prefix_width=1))

    if card.facts:
        rows.append(Heading(f"Key facts ({len(card.facts)})", SECTION_NOTES["facts"]))
        width = len(f"{len(card.facts)}.")
        for n, f in enumerate(card.facts, 1):
            grade = f"credibility {f.credibility} {GRADES.get(f.credibility, '')}".strip()
            meta = Text(support_label(f.independent, f.articles, getattr(f, "unknown_outlet_articles", 0)) + " · ")
            meta.append(grade, style="bold" if f.credibility == 5 else "")
            if f.via:  # who said it and who relayed it
                meta.append(" · " + safe(", via ".join(x for x in (f.said_by, f.via) if x)))
            if len(f.attributions) > 1:
                meta.append(" · ⚠ attribution disputed: " + safe("; ".join(
                    f"{a.who} ({len(a.sources)})" for a in f.attributions)), style="bold")
            targets = sorted(dict.fromkeys(Target(p.source, p.text) for p in f.passages),
                             key=lambda t: rank.get(t.source, 0))
            detail = None
            if len(f.passages) > 1:
                detail = Text()
                for p in f.passages:
                    if p.text != f.text:
                        detail.append(f"{labels.get(p.source, p.source)} ", style="italic")
                        detail.append(safe(p.text) + "\n", style="italic")
                detail.rstrip()
                detail = detail or None
            rows.append(Line("fact", f"{n}.", Text(safe(f.text)), targets, meta=meta, detail=detail,
                             pin=_pin(f.text, f.sources, "fact"), prefix_width=width))

    if card.figures:
        rows.append(Heading(f"Figures ({len(card.figures)})", "≈ hedged · ⚠ disputed · ↗ changed over time"))
        prefixes = [("≈ " if f.hedge else "  ") + format_value(f.value) for f in card.figures]
        width = max(len(p) for p in prefixes)
        for f, prefix in zip(card.figures, prefixes):
            body = Text()
            body.append(safe(f.counted) or "(what is counted is not stated)")
            if f.attributed_to:
                body.append(" — according to " + safe(f.attributed_to))
            differs = getattr(f, "differs", None) or ("conflict" if f.disputed else None)
            if differs == "conflict":
                body.append("  ⚠ DISPUTED", style="bold")
            elif differs == "evolving":
                body.append("  ↗ estimate changed over time", style="italic")
            elif differs == "range":
                body.append("  ↔ estimates overlap", style="italic")
            detail = Text(f"“{safe(f.figure)}” in: {safe(f.text)}", style="italic")
            rows.append(Line("figure", Text(prefix.rjust(width), style="bold"), body, targets_of(f.locations, f.text),
                             detail=detail, pin=_pin(f.text, f.sources, "figure"), prefix_width=width))

    if card.disagreements:
        from briefs.export import KIND_LABELS, hedged_value

        rows.append(Heading(f"Disagreements ({len(card.disagreements)})",
                            "conflict: sources disagree · evolving: the estimate changed over time"
                            + (" · range: estimates that overlap" if any(d.kind == "range" for d in card.disagreements)
                               else "")))
        for d in card.disagreements:
            label = KIND_LABELS.get(d.kind, d.kind)
            sides = [c for c in d.claims]
            targets = [t for c in sides for t in targets_of(c.locations, c.text)]
            head = Text()
            head.append(safe(d.about), style="bold")
            head.append(f" ({d.kind.upper()}: {label})")
            side_lines = []
            for c in sides:
                t = Text()
                value = hedged_value(c.value, c.hedge)
                t.append(value, style="bold")
                if safe(c.figure) not in (value, format_value(c.value)) and safe(c.figure).lower() != value.lower():
                    t.append(f" “{safe(c.figure)}”")
                if c.attributed_to:
                    t.append(", according to " + safe(c.attributed_to))
                if c.published:
                    t.append(f" ({c.published.isoformat()})")
                side_lines.append((t, sorted(c.sources, key=lambda sid: rank.get(sid, 0)), c.text))
            detail = Text(style="italic")
            said = [(c, st.figure, st.source, st.text) for c in sides for st in c.statements] or \
                [(c, c.figure, None, c.text) for c in sides]
            for n, (c, figure, source, text) in enumerate(said):  # each article's own sentence
                detail.append(("\n" if n else "") + safe(figure) + (f" [{safe(source)}]" if source else "") + ": "
                              + safe(text))
            pin_text = f"{d.about} ({d.kind}): " + " vs ".join(
                c.figure + (f", according to {c.attributed_to}" if c.attributed_to else "") for c in sides)
            rows.append(SidesLine("disagreement", Text("≠", style="bold"), head, side_lines, targets, detail=detail,
                                  pin=_pin(pin_text, [s for c in sides for s in c.sources], "disagreement")))

    if card.timeline:
        rows.append(Heading(f"Timeline ({len(card.timeline)})"))

        from briefs.timeline import entry_label as timeline_when, entry_written  # never a made-up year

        width = max(len(timeline_when(t)) for t in card.timeline)
        for t in card.timeline:
            written = safe(", ".join(entry_written(t)))
            rows.append(Line("timeline", timeline_when(t), Text(safe(t.text)), targets_of(t.locations, t.text),
                             meta=Text(written, style="italic"),
                             pin=_pin(f"{timeline_when(t)}: {t.text}", t.sources, "timeline"), prefix_width=width))

    def count(section: str, items: list) -> str:
        return f"{len(items)}" if shown[section] == len(items) else f"top {shown[section]} of {len(items)}"

    for title, kind, section, nouns, actors in (
            ("People", "person", "people", ("person", "people"), card.people),
            ("Organisations", "organization", "organizations", ("organisation", "organisations"),
             card.organizations),
            ("Places", "place", "places", ("place", "places"), card.places)):
        if not actors:
            continue
        rows.append(Heading(f"{title} ({count(section, actors)})"))
        for a in actors[:shown[section]]:
            body = Text()
            body.append(safe(a.name), style="bold")
            if a.role:
                body.append(", " + safe(a.role))
            rows.append(Line(kind, "•", body, sorted((Target(s, a.name) for s in a.sources), key=lambda t: rank.get(t.source, 0)), prefix_width=1))
        rest = len(actors) - shown[section]
        if rest > 0:
            rows.append(MoreLine(section, f"{rest} more {nouns[rest != 1]}"))

    if card.quotes:
        rows.append(Heading(f"Quotes ({count('quotes', card.quotes)})"))
        for q in card.quotes[:shown["quotes"]]:
            body = Text(f"“{safe(q.text)}”")
            body.append(" — ")
            body.append(safe(q.speaker) if q.speaker else "speaker not stated", style="bold" if q.speaker else "italic")
            if q.role:
                body.append(", " + safe(q.role))
            if q.via:
                body.append(", via " + safe(q.via))
            who = q.speaker or "unattributed"
            rows.append(Line("quote", "•", body, [Target(q.source, q.text)],
                             pin=_pin(f"“{q.text}” — {who}", [q.source], "quote"), prefix_width=1))
        if shown["quotes"] < len(card.quotes):
            rows.append(MoreLine("quotes", safe(more_quotes(card.quotes, shown["quotes"]))))

    unknown = sum(1 for s in card.sources if not s.outlet)
    rows.append(Heading(f"Sources ({len(card.sources)} article{'s' * (len(card.sources) != 1)}"
                        + (f", {unknown} of unknown outlet" if unknown else "") + ")"))
    width = max(len(v) for v in labels.values()) if labels else 3
    for s in card.sources:
        body = Text()
        body.append(safe(s.title) or "untitled", style="bold")
        body.append(f" — {safe(s.outlet) or 'unknown outlet'} · {_date_of(s.published)} · {s.id}")
        rows.append(Line("source", labels[s.id].rjust(width), body, [Target(s.id, None)], prefix_width=width,
                         cites=False))
    return _capped_notes(rows, card), {"labels": labels}
