"""The compare screen: two or more articles side by side, claim by claim.

Rows are the claims the articles report alike (each source's wording in its own column, or stacked
below ~100 columns), then the figures they differ on, then what only one source says. A row whose
figures differ is labelled "≠ DIFFERS" and the differing figures are shown reversed in the wording;
rows found in one article only are labelled "ONLY [n]" — labels, never colour alone.

Keys: j/k (↑/↓) claim by claim, n/N the next/previous row that differs, h/l (←/→) which source of the
row enter opens, enter/o open that passage in the reader, s swap (rotate) the columns, a add a source,
x drop the chosen source, c the briefing card of these articles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tui.actions import Action, bindings, register
from tui.services import describe_error, extraction_cache, say
from tui.widgets.keybar import KeyBar
from tui.widgets.rowlist import SIDE_MARK, Heading, Row, RowList, RowListActions, Target
from tui.widgets.text import format_value, safe

__all__ = ["CompareScreen", "SourcePicker", "compare_rows", "WIDE"]

WIDE = 96  # row width (in cells) from which sources sit in columns side by side
LABEL_WIDTH = 11
GUTTER = (0, 3, 0, 0)  # three cells between side-by-side columns: one space read as one wide sentence

register(
    Action("compare.next_claim", "j", "next", "compare", "move(1)", show=False, help="Next claim (also ↓)"),
    Action("compare.previous_claim", "k", "previous", "compare", "move(-1)", show=False,
           help="Previous claim (also ↑)"),
    Action("compare.next_difference", "n", "next ≠", "compare", "difference(1)",
           help="Next row where the figures differ"),
    Action("compare.previous_difference", "N", "previous ≠", "compare", "difference(-1)", show=False,
           help="Previous row where the figures differ"),
    Action("compare.next_side", "l,right", "next source", "compare", "side(1)", show=False,
           help="Choose the next source of the row (what enter opens, what x drops)"),
    Action("compare.previous_side", "h,left", "previous source", "compare", "side(-1)", show=False,
           help="Choose the previous source of the row"),
    Action("compare.open", "o", "open", "compare", "open_passage",
           help="Open the chosen source's passage in the reader (also enter)"),
    Action("compare.swap", "s", "swap", "compare", "swap", help="Swap the sources' columns (rotate with 3+)"),
    Action("compare.add_source", "a", "add source", "compare", "add_source",
           help="Add an article to the comparison (related ones first)"),
    Action("compare.drop_source", "x", "drop source", "compare", "drop_source", show=False,
           help="Drop the chosen source from the comparison (3+ sources)"),
    Action("compare.top", "g", "top", "compare", "edge(-1)", show=False, help="Go to the first line (also home)"),
    Action("compare.bottom", "G", "bottom", "compare", "edge(1)", show=False, help="Go to the last line (also end)"),
    Action("compare.card", "c", "card", "compare", "card", show=False,
           help="The briefing card of the compared articles"),
)


# ----------------------------------------------------------------------------------------------
# Rows


@dataclass(slots=True)
class Cell:
    """One source's part of a row."""

    source: str
    text: Text


class CompareRow(Row):
    """A claim across sources: a label ("= ALIKE", "≠ DIFFERS", "ONLY [2]") and each source's wording."""

    def __init__(self, kind: str, label: list[tuple[str, str]], cells: list[Cell], targets: list[Target],
                 pin: dict | None = None) -> None:
        super().__init__(targets, pin)
        self.kind = kind  # "alike", "differs", "figure", "only"
        self.label = _label(label, "\n")  # wide: a column of its own
        self.label_line = _label(label, " · ")  # stacked: a line above the sources
        self.cells = cells

    def reorder(self, order: list[str]) -> None:
        """Cells (and what they open) in column order, so that h/l go left/right and the first is leftmost."""
        rank = {sid: n for n, sid in enumerate(order)}
        pairs = sorted(zip(self.cells, self.targets), key=lambda p: rank.get(p[0].source, len(rank)))
        self.cells = [c for c, _ in pairs]
        self.targets = [t for _, t in pairs]

    @property
    def differs(self) -> bool:
        return self.kind in ("differs", "figure")

    def view(self, ctx, current, side, pinned, width) -> RenderableType:
        order: list[str] = ctx.get("order") or list(dict.fromkeys(c.source for c in self.cells))
        labels: dict[str, str] = ctx.get("labels", {})
        # cells and targets go together one to one: the chosen cell is the one enter opens
        chosen = side if current and len(self.targets) > 1 else -1
        by_source: dict[str, list[tuple[int, Text]]] = {}
        for n, c in enumerate(self.cells):
            by_source.setdefault(c.source, []).append((n, c.text))

        def tag(sid: str, n: int) -> Text:
            mark = SIDE_MARK if n == chosen else ""
            out = Text()
            out.append(mark + labels.get(sid, sid), style="bold underline" if mark else "bold")
            return out

        if width >= WIDE and len(order) > 1:
            grid = Table.grid(expand=True, padding=GUTTER)
            grid.add_column(width=LABEL_WIDTH)
            for _ in order:
                grid.add_column(ratio=1)
            cells: list[RenderableType] = [self.label]
            for sid in order:
                texts = by_source.get(sid)
                if not texts:
                    cells.append(Text("·", style="dim"))
                    continue
                cell = Text()
                for k, (n, t) in enumerate(texts):
                    if k:
                        cell.append("\n")
                    cell.append_text(tag(sid, n))
                    cell.append(" ")
                    cell.append_text(t)
                cells.append(cell)
            grid.add_row(*cells)
            return grid
        grid = Table.grid(expand=True, padding=(0, 1, 0, 0))
        tag_width = max((len(v) for v in labels.values()), default=3) + 1
        grid.add_column(width=tag_width, no_wrap=True)
        grid.add_column(ratio=1)
        for sid in order:
            for n, t in by_source.get(sid, ()):
                grid.add_row(tag(sid, n), t)
        if self.kind == "only":  # the heading above says whose it is
            return grid
        return Group(self.label_line, grid)


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _count(n: int, claim=None) -> str:
    unknown = getattr(claim, "unknown_outlet_articles", 0)
    if unknown:  # never "3 sources" for three articles of unknown outlet
        from briefs.sources import support_label

        return support_label(n, len(claim.sources), unknown)
    return f"{n} source" if n == 1 else f"{n} sources"


def _label(parts: list[tuple[str, str]], sep: str) -> Text:
    text = Text()
    for n, (words, style) in enumerate(parts):
        if n:
            text.append(sep)
        text.append(words, style=style)
    return text


def _segment(text: str) -> str:
    """Part of a sentence made safe, keeping a space at either edge (the parts are glued back)."""
    from index.sanitize import sanitize

    return re.sub(r"\s+", " ", sanitize(text))


def _with_spans(text: str, spans: list[tuple[int, int]]) -> Text:
    """``text`` made safe, with the spans (differing figures) reversed and underlined."""
    out = Text()
    pos = 0
    for start, end in sorted(spans):
        if start < pos or end > len(text):
            continue
        out.append(_segment(text[pos:start]))
        out.append(_segment(text[start:end]), style="reverse underline")
        pos = end
    out.append(_segment(text[pos:]))
    out.rstrip()
    return out


def differing_spans(texts: list[tuple[str, str]]) -> dict[int, list[tuple[int, int]]]:
    """For the sides (source, sentence) of one aligned claim: where its figures differ between sources.

    Figures count as about the same thing when their counted key matches; they differ when the values
    differ by more than 1 %. Returns side index -> spans of the differing figures ({} when none).
    """
    from briefs.figures import find_figures

    found = []
    for n, (_, text) in enumerate(texts):
        try:
            figs = find_figures(text)
        except Exception:  # noqa: BLE001 - a sentence the extractor trips on just shows no marks
            figs = []
        found.append([(n, f) for f in figs if f.counted_key])
    by_key: dict[str, list[tuple[int, object]]] = {}
    for side in found:
        for n, f in side:
            by_key.setdefault(f.counted_key, []).append((n, f))
    spans: dict[int, list[tuple[int, int]]] = {}
    for figs in by_key.values():
        sides = {n for n, _ in figs}
        if len(sides) < 2:
            continue
        values = [float(f.value) for _, f in figs]
        lo, hi = min(values), max(values)
        if hi - lo <= 0.01 * max(abs(hi), abs(lo)):
            continue
        for n, f in figs:
            spans.setdefault(n, []).append((f.start, f.start + len(f.text)))
    return spans


def compare_rows(result, marks: dict[int, dict[int, list[tuple[int, int]]]]) -> tuple[list[Row], dict]:
    """The comparison as rows; ``marks`` maps aligned-claim index -> differing_spans of it."""
    labels = {s.id: f"[{n}]" for n, s in enumerate(result.sources, 1)}
    names = {s.id: safe(s.outlet) or _short(safe(s.title)) or s.id for s in result.sources}
    rows: list[Row] = []
    n_differ = sum(1 for i in range(len(result.aligned)) if marks.get(i))
    note = "same thing, each source's wording"
    if n_differ:
        note += f" · {n_differ} with differing figures (≠)"
    rows.append(Heading(f"Reported alike ({len(result.aligned)})", note))
    for i, claim in enumerate(result.aligned):
        spans = marks.get(i) or {}
        cells = [Cell(p.source, _with_spans(p.text, spans.get(n, []))) for n, p in enumerate(claim.sides)]
        targets = [Target(p.source, p.text) for p in claim.sides]
        if spans:
            label = [("≠ DIFFERS", "bold reverse"), (_count(claim.independent, claim), "")]
            kind = "differs"
        else:
            label = [("= alike", "bold"), (_count(claim.independent, claim), "")]
            kind = "alike"
        rows.append(CompareRow(kind, label, cells, targets))
    if not result.aligned:
        rows.append(_nothing("The articles report nothing alike."))

    from briefs.export import hedged_value

    rows.append(Heading(f"Figures that differ ({len(result.differences)})",
                        "conflict: sources disagree · evolving: the estimate changed over time"
                        + (" · range: estimates that overlap" if any(d.kind == "range" for d in result.differences)
                           else "")))
    for d in result.differences:
        cells, targets = [], []
        for side in d.claims:
            # each article's column holds its own figure, hedge and sentence, never another article's
            said = [(st.source, st.figure, st.hedge, st.attributed_to, st.text) for st in side.statements] or \
                [(sid, side.figure, side.hedge, side.attributed_to, side.text) for sid in side.sources]
            for sid, figure, hedge, who, text in said:
                value = hedged_value(side.value, hedge)
                t = Text()
                t.append(value, style="bold reverse")
                if safe(figure).lower() not in (value.lower(), format_value(side.value)):
                    t.append(f" “{safe(figure)}”")
                if who:
                    t.append(" according to " + safe(who), style="italic")
                t.append(": " + safe(text))
                cells.append(Cell(sid, t))
                targets.append(Target(sid, text))
        label = [("≠ " + d.kind.upper(), "bold reverse"), (safe(d.about), "")]
        rows.append(CompareRow("figure", label, cells, targets))
    if not result.differences:
        rows.append(_nothing("No figure differs between these articles."))

    for s in result.sources:
        only = result.unique.get(s.id, [])
        more = result.more_unique(s.id)
        count = f"{len(only)} of {len(only) + more}, the ones with figures and the earliest" if more else f"{len(only)}"
        rows.append(Heading(f"ONLY IN {labels[s.id]} {names[s.id]} ({count})", upper=False))
        for p in only:
            rows.append(CompareRow("only", [(f"ONLY {labels[s.id]}", "bold")], [Cell(s.id, Text(safe(p.text)))],
                                   [Target(s.id, p.text)]))
        if not only:
            rows.append(_nothing("Nothing of note that the others do not say."))
    return rows, {"labels": labels, "names": names, "order": [s.id for s in result.sources]}


class _Note(Row):
    selectable = False
    kind = "note"

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def view(self, ctx, current, side, pinned, width):
        return Text("  " + self.text, style="italic")


def _nothing(text: str) -> Row:
    return _Note(text)


def narrow_line(s, label: str, width: int) -> Text:
    """One source on one line of a narrow header: its title first (cut to what is left), then only what is
    known of its outlet and date: "[2] Levee holds at Kavra as Sorrel… — Northgate Review · 2025-03-06"."""
    meta = " · ".join(x for x in (safe(s.outlet), s.published.isoformat() if s.published else "") if x)
    tail = f" — {meta}" if meta else ""
    title = safe(s.title) or "untitled"
    room = max(12, width - len(label) - 1 - len(tail))
    if len(title) > room:
        title = title[:room - 1].rstrip() + "…"
    line = Text()
    line.append(label, style="bold")
    line.append(" " + title, style="italic")
    line.append(tail)
    line.no_wrap = True
    line.overflow = "ellipsis"
    return line


class SourcesHeader(Static):
    """The compared articles: columns over the rows when wide, a list when narrow."""

    DEFAULT_CSS = "SourcesHeader { height: auto; padding: 0 2 0 1; }"

    def __init__(self) -> None:
        super().__init__(id="compare-sources")
        self.sources: list = []
        self.ctx: dict = {}

    def show(self, sources: list, ctx: dict) -> None:
        self.sources, self.ctx = sources, ctx
        self.refresh(layout=True)

    def render(self) -> RenderableType:
        return _HeaderRender(self.sources, self.ctx)


class _HeaderRender:
    def __init__(self, sources, ctx) -> None:
        self.sources, self.ctx = sources, ctx

    def __rich_console__(self, console, options):
        by_id = {s.id: s for s in self.sources}
        order = [sid for sid in self.ctx.get("order", []) if sid in by_id]
        labels = self.ctx.get("labels", {})
        if not order:
            yield Text("")
            return

        def describe(s, wide: bool) -> Text:
            t = Text()
            t.append(labels.get(s.id, ""), style="bold")
            t.append(" " + (safe(s.outlet) or "unknown outlet"), style="bold")
            t.append(("\n" if wide else " · ") + f"{s.published.isoformat() if s.published else 'undated'} · {s.id}")
            t.append(("\n" if wide else " · ") + (safe(s.title) or "untitled"), style="italic")
            return t

        if options.max_width >= WIDE - 2 and len(order) > 1:
            grid = Table.grid(expand=True, padding=GUTTER)
            grid.add_column(width=2 + LABEL_WIDTH)
            for _ in order:
                grid.add_column(ratio=1)
            grid.add_row(Text("Sources", style="bold"), *(describe(by_id[sid], True) for sid in order))
            yield grid
        else:
            for sid in order:
                yield narrow_line(by_id[sid], labels.get(sid, ""), options.max_width)


# ----------------------------------------------------------------------------------------------
# The screen


class CompareScreen(RowListActions, Screen):
    """Two or more articles side by side: alike, differing figures, what only one says."""

    DEFAULT_CSS = """
    CompareScreen { layout: vertical; }
    CompareScreen #compare-title { height: auto; padding: 0 1; text-style: bold; }
    CompareScreen #compare-status { height: auto; padding: 0 1; }
    CompareScreen #compare-rows { padding: 0 0 0 1; border-top: hkey $foreground 30%; }
    """

    SCOPE = "compare"
    BINDINGS = bindings("compare")

    class Progress(Message):
        def __init__(self, stage: str, done: int, total: int) -> None:
            super().__init__()
            self.stage, self.done, self.total = stage, done, total

    class Compared(Message):
        def __init__(self, result, marks: dict) -> None:
            super().__init__()
            self.result, self.marks = result, marks

    class Failed(Message):
        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    def __init__(self, ids: list[str]) -> None:
        super().__init__()
        self.ids: list[str] = list(dict.fromkeys(ids))
        self.result = None
        self.error: str | None = None
        self.order: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static(Text(f"Compare {len(self.ids)} articles"), id="compare-title")
        yield SourcesHeader()
        yield Static(Text("Comparing…"), id="compare-status")
        yield RowList(id="compare-rows")
        yield KeyBar("compare")

    def on_mount(self) -> None:
        self.run_compare()

    # -- comparing ----------------------------------------------------------------------------

    def run_compare(self) -> None:
        self.result = None
        self.error = None
        self.query_one("#compare-title", Static).update(Text(f"Compare {len(self.ids)} articles"))
        self.query_one("#compare-status", Static).update(Text(f"Comparing {len(self.ids)} articles…"))
        lib = self.app.library  # type: ignore[attr-defined]
        ids = list(self.ids)
        self.run_worker(lambda: self._compare(lib, ids), thread=True, exclusive=True, group="compare",
                        exit_on_error=False, name="compare")

    def _compare(self, lib, ids: list[str]) -> None:
        try:
            from briefs.compare import compare

            articles = list(lib.articles(ids))
            if len({a.id for a in articles}) < 2:
                self.post_message(self.Failed("Comparing needs at least two different articles."))
                return

            def progress(stage: str, done: int, total: int) -> None:
                self.post_message(self.Progress(stage, done, total))

            result = compare(articles, lib.near_duplicates(), extraction_cache(lib), progress=progress)
            marks = {}
            for n, claim in enumerate(result.aligned):
                spans = differing_spans([(p.source, p.text) for p in claim.sides])
                if spans:
                    marks[n] = spans
        except Exception as exc:  # noqa: BLE001 - reported, the app carries on
            self.post_message(self.Failed(describe_error(exc)))
            return
        self.post_message(self.Compared(result, marks))

    def on_compare_screen_progress(self, message: Progress) -> None:
        if self.result is None and message.stage == "extracting":
            self.query_one("#compare-status", Static).update(
                Text(f"Comparing: extracting {message.done}/{message.total} articles…"))

    async def on_compare_screen_compared(self, message: Compared) -> None:
        result = self.result = message.result
        self.ids = [s.id for s in result.sources]
        rows, ctx = compare_rows(result, message.marks)
        # keep the user's column order across a re-comparison (a source added or dropped)
        kept = [sid for sid in self.order if sid in ctx["order"]]
        self.order = kept + [sid for sid in ctx["order"] if sid not in kept]
        ctx["order"] = self.order
        for row in rows:
            if isinstance(row, CompareRow):
                row.reorder(self.order)
        self.query_one("#compare-title", Static).update(Text(f"Compare {len(result.sources)} articles"))
        self.query_one(SourcesHeader).show(result.sources, ctx)
        n_alike_differ = sum(1 for r in rows if getattr(r, "kind", "") == "differs")
        n_figures = len(result.differences)
        only = sum(len(v) + result.more_unique(k) for k, v in result.unique.items())
        self.query_one("#compare-status", Static).update(Text(
            f"{len(result.aligned)} alike{f' ({n_alike_differ} ≠)' if n_alike_differ else ''} · "
            f"{n_figures} figure{'s' * (n_figures != 1)} "
            f"differ{'s' * (n_figures == 1)} · {only} in one source only · ? help"))
        rowlist = self.query_one(RowList)
        await rowlist.set_rows(rows, ctx)
        rowlist.focus()

    def on_compare_screen_failed(self, message: Failed) -> None:
        self.error = message.error
        self.query_one("#compare-status", Static).update(Text("Could not compare: " + message.error))
        say(self, message.error, title="Compare", severity="error")

    # -- actions ------------------------------------------------------------------------------

    def action_difference(self, step: int) -> None:
        if not self.rows.move_where(lambda r: getattr(r, "differs", False), step):
            say(self, "No further row with differing figures." if step > 0 else
                        "No earlier row with differing figures.", title="Compare")

    def _open(self, target: Target | None) -> None:
        if target is None:
            return
        opener = getattr(self.app, "open_article", None)
        if opener is None:
            say(self, "The reader is not available.", severity="warning")
            return
        opener(target.source, highlight=target.highlight)

    def action_swap(self) -> None:
        if len(self.order) < 2:
            return
        self.order[:] = self.order[1:] + self.order[:1]
        self.rows.ctx["order"] = self.order
        for row in self.rows.rows:
            if isinstance(row, CompareRow):
                row.reorder(self.order)
        self.rows.side = 0
        self.rows.refresh_rows()
        self.query_one(SourcesHeader).refresh(layout=True)

    def action_add_source(self) -> None:
        lib = self.app.library  # type: ignore[attr-defined]

        def picked(article_id: str | None) -> None:
            if article_id and article_id not in self.ids:
                self.ids.append(article_id)
                self.run_compare()

        self.app.push_screen(SourcePicker(lib, list(self.ids)), picked)

    def action_drop_source(self) -> None:
        if len(self.ids) <= 2:
            say(self, "A comparison needs two articles: add one (a) before dropping one.", title="Compare")
            return
        target = self.rows.current_target
        if target is None:
            return
        self.ids = [i for i in self.ids if i != target.source]
        self.order = [i for i in self.order if i != target.source]
        self.run_compare()

    def action_card(self) -> None:
        opener = getattr(self.app, "open_card", None)
        if opener is not None:
            opener(ids=list(self.ids))
        else:
            from tui.screens.card import CardScreen

            self.app.push_screen(CardScreen(ids=list(self.ids)))


# ----------------------------------------------------------------------------------------------
# Picking an article to add


class SourcePicker(ModalScreen[str | None]):
    """The library's articles to add to a comparison, related ones first; type to filter."""

    DEFAULT_CSS = """
    SourcePicker { align: center middle; }
    SourcePicker > Vertical { width: 100; max-width: 100%; height: 90%; border: round $accent;
                              background: $panel; padding: 0 1; }
    SourcePicker .title { text-style: bold; }
    SourcePicker OptionList { height: 1fr; }
    """
    BINDINGS = [Binding("escape", "cancel", "cancel"), Binding("down", "focus_list", show=False)]
    RELATED = 10
    SHOWN = 200  # options listed at most

    class Loaded(Message):
        def __init__(self, rows: list[dict], related: list[str]) -> None:
            super().__init__()
            self.rows, self.related = rows, related

    def __init__(self, lib, exclude: list[str]) -> None:
        super().__init__()
        self.lib, self.exclude = lib, set(exclude)
        self.catalog: list[dict] = []
        self.related: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("Add an article to the comparison"), classes="title")
            yield Input(placeholder="filter by title, outlet or id", id="picker-filter")
            yield Static(Text("Loading the library…"), id="picker-status")
            yield OptionList(id="picker-list", markup=False)
            yield Static(Text("type to filter · ↓ to the list · enter add · escape cancel"))

    def on_mount(self) -> None:
        field = self.query_one(Input)
        field.cursor_blink = not self.app.is_headless
        field.focus()
        lib, exclude = self.lib, set(self.exclude)
        self.run_worker(lambda: self._load(lib, exclude), thread=True, exit_on_error=False, name="catalog")

    def _load(self, lib, exclude: set[str]) -> None:
        try:
            catalog = getattr(self.app, "catalog", None)
            rows = [r for r in (catalog() if catalog else lib.catalog()) if r["id"] not in exclude]
            related = related_ids(lib, sorted(exclude), self.RELATED)
        except Exception as exc:  # noqa: BLE001
            self.app.call_from_thread(say, self, describe_error(exc), title="Add source", severity="error")
            rows, related = [], []
        self.post_message(self.Loaded(rows, [r for r in related if r not in exclude]))

    def on_source_picker_loaded(self, message: Loaded) -> None:
        self.catalog, self.related = message.rows, message.related
        self._fill("")

    @on(Input.Changed)
    def _filter(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def _fill(self, text: str) -> None:
        words = text.lower().split()
        by_id = {r["id"]: r for r in self.catalog}
        ordered = [by_id[i] for i in self.related if i in by_id]
        ordered += [r for r in self.catalog if r["id"] not in set(self.related)]
        related = set(self.related)
        options = []
        matched = 0
        for r in ordered:
            hay = f"{r['title']} {r.get('outlet') or ''} {r['id']}".lower()
            if words and not all(w in hay for w in words):
                continue
            matched += 1
            if len(options) >= self.SHOWN:  # a big library: count the rest, show the first ones
                continue
            prompt = Text()
            prompt.append("related " if r["id"] in related else "        ", style="bold")
            prompt.append(safe(r["title"]) or "untitled")
            prompt.append(f" — {safe(r.get('outlet')) or 'unknown outlet'} · {r.get('published') or 'undated'} · "
                          f"{r['id']}", style="italic")
            options.append(Option(prompt, id=r["id"]))
        ol = self.query_one(OptionList)
        ol.set_options(options)
        if options:
            ol.highlighted = 0
        status = f"{matched} article{'s' * (matched != 1)}"
        if related and not words:
            status += f" ({len(related)} related first)"
        if matched > len(options):
            status += f", the first {len(options)} shown: type to narrow"
        self.query_one("#picker-status", Static).update(Text(status))

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        ol = self.query_one(OptionList)
        if ol.highlighted is not None and ol.option_count:
            self.dismiss(ol.get_option_at_index(ol.highlighted).id)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_focus_list(self) -> None:
        self.query_one(OptionList).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)


def related_ids(lib, ids: list[str], limit: int) -> list[str]:
    """Articles on the same story as the given ones, best first.

    The story is what the compared articles' titles share: every title word (as the index analyses it)
    weighted by how many of the titles use it, searched in titles and bodies.
    """
    from collections import Counter

    from whoosh import query as wq

    weights: Counter = Counter()
    with lib.open_index().searcher() as searcher:
        analyzer = searcher.schema["body"].analyzer
        for aid in ids:
            fields = searcher.document(id=aid)
            if fields:
                weights.update({t.text for t in analyzer(fields.get("title") or "")})
        if not weights:
            return []
        terms = [wq.Term(field, word, boost=float(n) * (2.0 if field == "title" else 1.0))
                 for word, n in weights.items() for field in ("title", "body")]
        hits = [h for h in searcher.search(wq.Or(terms), limit=limit + len(ids)) if h["id"] not in ids]
        best = max((h.score for h in hits), default=0.0)
        return [h["id"] for h in hits if h.score >= 0.12 * best][:limit]
