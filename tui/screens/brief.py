"""The brief screen (P): the current brief's pins, in their order, each with its sources (outlet · title).

Enter opens a pin's passage in the reader (h/l choose which source); J/K move a pin down/up; x removes it
(u puts it back); n adds or edits its note; s switches to another brief, a starts a new one, R renames this
one, D deletes it; e/E export Markdown/JSON as the card does (briefs.brief); b builds a card from the
brief's articles. Every change goes through the app (``app.change_briefs``), which keeps the library's
briefs.json. Pin text and notes are untrusted: shown as Rich Text, never markup.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from ..actions import Action, bindings, register
from ..messages import PinsChanged
from ..services import describe_error, say
from ..widgets.keybar import KeyBar
from ..widgets.rowlist import Row, RowList, RowListActions, Target
from ..widgets.text import DIM, safe
from .export import ConfirmOverwrite, ExportDialog

__all__ = ["BriefScreen", "PinRow", "brief_export_name"]

register(
    Action("brief.next", "j", "next", "brief", "move(1)", show=False, help="Next pin (also ↓)"),
    Action("brief.previous", "k", "previous", "brief", "move(-1)", show=False, help="Previous pin (also ↑)"),
    Action("brief.open", "o", "open", "brief", "open_passage",
           help="Open the pin's passage in the reader (also enter)"),
    Action("brief.next_source", "l,right", "next source", "brief", "side(1)", show=False,
           help="Choose the next of the pin's sources to open"),
    Action("brief.previous_source", "h,left", "previous source", "brief", "side(-1)", show=False,
           help="Choose the previous of the pin's sources to open"),
    Action("brief.move_down", "J,alt+down", "move down", "brief", "move_pin(1)", show=False,
           help="Move the pin down the brief"),
    Action("brief.move_up", "K,alt+up", "move up", "brief", "move_pin(-1)", show=False,
           help="Move the pin up the brief"),
    Action("brief.remove", "x,delete", "remove", "brief", "remove", help="Remove the pin from the brief (u puts it back)"),
    Action("brief.undo", "u", "undo", "brief", "undo", show=False, help="Put back the pin removed last"),
    Action("brief.note", "n", "note", "brief", "note", help="Add or edit the pin's note (empty: no note)"),
    Action("brief.switch", "s", "briefs", "brief", "switch", help="Switch to another brief, or start a new one"),
    Action("brief.new", "a", "new brief", "brief", "new_brief", show=False,
           help="Start a new brief (it becomes the one p pins into)"),
    Action("brief.rename", "R", "rename", "brief", "rename", show=False, help="Rename this brief"),
    Action("brief.delete", "D", "delete brief", "brief", "delete_brief", show=False,
           help="Delete this brief and its pins (asks first)"),
    Action("brief.export_markdown", "e", "export md", "brief", "export('markdown')",
           help="Export the brief to a Markdown file, citations included (asks for the path)"),
    Action("brief.export_json", "E", "export json", "brief", "export('json')", show=False,
           help="Export the brief to a JSON file (asks for the path)"),
    Action("brief.card", "b", "card", "brief", "card", help="Briefing card of the brief's articles"),
)

NEW = "\x00new"  # the "new brief" choice of the switch dialog


def brief_export_name(name: str, suffix: str, today: date | None = None) -> str:
    """The default export file name: ./brief-<name-slug>-<date>.<suffix>."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40].strip("-") or "brief"
    return f"./brief-{slug}-{(today or date.today()).isoformat()}.{suffix}"


def _added(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return ""


class PinRow(Row):
    """A pin: its number, its text and citations, then kind · origin · when, its note, and its sources
    (every one on the current row, the first one and how many more on the others)."""

    kind = "pin"

    def __init__(self, n: int, pin, sources: dict[str, dict]) -> None:
        own = pin.origin.get("passages") or {}  # each source's own sentence, when the card gave it
        super().__init__([Target(s, None if pin.kind == "article" else own.get(s, pin.text)) for s in pin.sources],
                         None)
        self.n, self.pin, self.sources = n, pin, sources

    def view(self, ctx, current, side, pinned, width):
        from briefs.brief import KIND_LABELS, origin_label

        labels = ctx.get("labels", {})
        pin = self.pin
        body = Text()
        body.append(safe(pin.text) or "(no text)", style="bold" if pin.kind == "article" else "")
        body.append(" ")
        for k, sid in enumerate(pin.sources):
            mark = current and len(pin.sources) > 1 and k == side
            body.append(("›" if mark else "") + labels.get(sid, f"[{sid}]"), style="bold underline" if mark else "")
        about = [KIND_LABELS.get(pin.kind, pin.kind)]
        if origin_label(pin.origin):
            about.append(safe(origin_label(pin.origin)))
        if _added(pin.added):
            about.append(_added(pin.added))
        body.append("\n" + " · ".join(about), style=DIM)
        if pin.note:
            body.append("\n✎ ", style="bold")
            body.append(safe(pin.note), style="italic")
        shown = pin.sources if current else pin.sources[:1]
        prefix = max(2, ctx.get("width", 2))
        for k, sid in enumerate(shown):
            row = self.sources.get(sid)
            more = f"  +{len(pin.sources) - 1} more" if not current and len(pin.sources) > 1 else ""
            label = labels.get(sid, "") + " "
            body.append("\n")
            body.append(label, style=DIM)
            if row is None:
                body.append(f"{sid}: no longer in the library", style="italic")
            else:  # one line a source: the title cut to what is left of it
                outlet = safe(row.get("outlet")) or "unknown outlet"
                title = safe(row.get("title")) or "untitled"
                room = max(10, width - prefix - 4 - len(label) - len(outlet) - 3 - len(more))
                body.append(outlet, style="italic")
                body.append(" · " + (title if len(title) <= room else title[:room - 1].rstrip() + "…"))
            if more:
                body.append(more, style=DIM)
        grid = Table.grid(expand=True, padding=(0, 1, 0, 0))
        grid.add_column(width=prefix, no_wrap=True)
        grid.add_column(ratio=1)
        grid.add_row(Text(f"{self.n}."), body)
        return grid


class EmptyRow(Row):
    selectable = False
    kind = "empty"

    def view(self, ctx, current, side, pinned, width):
        return Text("No pins yet. Press p on a card line or in the reader (a paragraph), a on a search result "
                    "or in the reader (the whole article), then come back with P.", style="italic")


class BriefExportDialog(ExportDialog):
    """The export dialog, saying "brief" where the card's says "card"."""

    DEFAULT_CSS = ExportDialog.DEFAULT_CSS.replace("ExportDialog", "BriefExportDialog")

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(f"Export the brief as {self.what}"), classes="export-title")
            yield Label(Text("Write to file:"))
            yield Input(self.default, id="export-path", select_on_focus=False)
            yield Static(Text(""), id="export-error", classes="export-error")
            yield Static(Text("enter write · escape cancel · an existing file is never overwritten without asking"),
                         classes="export-hint")


class BriefScreen(RowListActions, Screen):
    """The current brief (app.briefs.current)."""

    DEFAULT_CSS = """
    BriefScreen { layout: vertical; }
    BriefScreen #brief-title { height: auto; padding: 0 1; text-style: bold; }
    BriefScreen #brief-status { height: auto; padding: 0 1; }
    BriefScreen #brief-rows { padding: 0 0 0 1; }
    """

    SCOPE = "brief"
    BINDINGS = bindings("brief")

    class Exported(Message):
        def __init__(self, path: Path | None, fmt: str, error: str | None = None, exists: bool = False) -> None:
            super().__init__()
            self.path, self.fmt, self.error, self.exists = path, fmt, error, exists

    def __init__(self) -> None:
        super().__init__()
        self.removed: tuple | None = None  # (pin, index, brief name) of the last removal, for undo
        self.want: str | None = None  # the pin the cursor goes to when the list is shown again
        self.today: date | None = None  # date of the default export name (tests); None: today
        self.now: datetime | None = None  # the export's generation time (tests); None: now

    def compose(self) -> ComposeResult:
        yield Static(id="brief-title")
        yield Static(id="brief-status")
        yield RowList(id="brief-rows")
        yield KeyBar("brief")

    async def on_mount(self) -> None:
        await self.show()
        self.rows.focus()
        self.app.reload_briefs()  # another brief (a command) may have changed the file

    @property
    def brief(self):
        return self.app.briefs.current_brief()

    @property
    def brief_name(self) -> str:
        return self.app.briefs.current

    async def on_pins_changed(self, message: PinsChanged) -> None:
        # Every change shows here, one after the other (an action runs outside this screen's queue: it
        # never redraws the list itself, it says where the cursor goes, ``want``).
        want, self.want = self.want, None
        await self.show(keep=True, pin_id=want)

    async def on_screen_resume(self) -> None:
        await self.show(keep=True)

    def on_screen_suspend(self) -> None:
        # Pins removed or added here: the card lines below show their ◆pinned mark as it is now.
        for screen in self.app.screen_stack:
            if screen is not self:
                for rows in screen.query(RowList):
                    rows.refresh_rows()

    async def show(self, keep: bool = False, pin_id: str | None = None) -> None:
        """Fill the list from the app's briefs; the cursor stays on its pin (``keep``) or goes to ``pin_id``."""
        brief = self.brief
        pins = list(brief.pins) if brief else []
        current = self.rows.current if keep else None
        if pin_id is None and isinstance(current, PinRow):
            pin_id = current.pin.id
        catalog = {r["id"]: r for r in self.app.catalog()}
        cited = list(dict.fromkeys(s for p in pins for s in p.sources))
        labels = {sid: f"[{n}]" for n, sid in enumerate(cited, 1)}
        rows: list[Row] = [PinRow(n, p, catalog) for n, p in enumerate(pins, 1)] or [EmptyRow()]
        cursor = next((n for n, p in enumerate(pins) if p.id == pin_id), None)
        if cursor is None and keep and pins:
            cursor = min(max(self.rows.cursor, 0), len(pins) - 1)
        await self.rows.set_rows(rows, {"labels": labels, "width": len(f"{len(pins)}.")}, cursor)
        self._title(pins, cited, catalog)

    def _title(self, pins, cited, catalog) -> None:
        others = len(self.app.briefs.briefs) - (self.brief is not None)
        title = Text("Brief: ")
        title.append(safe(self.brief_name))
        self.query_one("#brief-title", Static).update(title)
        gone = sum(1 for s in cited if s not in catalog)
        parts = [f"{len(pins)} pin{'s' * (len(pins) != 1)}", f"{len(cited)} article{'s' * (len(cited) != 1)}"]
        if gone:
            parts.append(f"{gone} no longer in the library")
        parts.append(f"{others} other brief{'s' * (others != 1)} (s)" if others else "no other brief")
        status = Text(" · ".join(parts))
        hint = " · J/K move · ? help"
        if len(status.plain + hint) < self.size.width - 1:
            status.append(hint, style=DIM)
        self.query_one("#brief-status", Static).update(status)

    # -- opening ------------------------------------------------------------------------------

    def _open(self, target: Target | None) -> None:
        if target is None:
            say(self, "No pin here: pin lines of a card (p) or articles (a) first.", title="Brief")
            return
        if target.source not in {r["id"] for r in self.app.catalog()}:
            say(self, f"The article {target.source} is no longer in the library; the pin keeps its text.",
                title="Brief", severity="warning")
            return
        self.app.open_article(target.source, highlight=target.highlight)

    def action_card(self) -> None:
        brief = self.brief
        held = {r["id"] for r in self.app.catalog()}
        ids = [s for s in (brief.sources if brief else []) if s in held]
        if not ids:
            say(self, "The brief cites no article of the library yet: nothing to build a card from.", title="Brief",
                severity="warning")
            return
        self.app.open_card(ids=ids, brief=self.brief_name)  # kept in the card history as the brief's card

    # -- changing the pins --------------------------------------------------------------------

    def _current_pin(self):
        row = self.rows.current
        return row.pin if isinstance(row, PinRow) else None

    async def action_move_pin(self, step: int) -> None:
        pin = self._current_pin()
        if pin is None:
            return
        name = self.brief_name
        self.want = pin.id  # the list is shown again on PinsChanged, the cursor on this pin
        self.app.change_briefs(lambda b: b.move_pin(pin.id, step, name))

    async def action_remove(self) -> None:
        pin = self._current_pin()
        if pin is None:
            return
        name, index = self.brief_name, self.rows.cursor
        gone = self.app.change_briefs(lambda b: b.remove_pin(pin.id, name))
        if gone is not None:
            self.removed = (gone, index, name)
            say(self, f"Removed pin {index + 1} (u puts it back).", title="Brief")

    async def action_undo(self) -> None:
        if self.removed is None:
            say(self, "Nothing to put back.", title="Brief")
            return
        pin, index, name = self.removed
        self.removed = None
        self.want = pin.id
        self.app.change_briefs(lambda b: b.insert_pin(_copy(pin), index, name) or True)

    def action_note(self) -> None:
        from ..widgets.dialogs import PromptScreen

        pin = self._current_pin()
        if pin is None:
            return

        def chosen(value: str | None) -> None:
            if value is None:
                return
            self.app.change_briefs(lambda b: b.set_note(pin.id, value))
            say(self, "Note saved." if value.strip() else "Note removed.", title="Brief")

        self.app.push_screen(PromptScreen(f"Note on pin {self.rows.cursor + 1}", pin.note or "",
                                          placeholder="your note (empty: none)",
                                          note="enter save · escape cancel · empty removes the note"), chosen)

    # -- briefs -------------------------------------------------------------------------------

    def action_switch(self) -> None:
        from ..widgets.dialogs import ChoiceScreen

        briefs = self.app.briefs
        choices: list[tuple[str, Text]] = []
        for b in briefs.briefs:
            label = Text(("▶ " if b.name == briefs.current else "  ") + safe(b.name), style="bold")
            label.append(f"  {len(b.pins)} pin{'s' * (len(b.pins) != 1)}, {len(b.sources)} articles", style=DIM)
            choices.append((b.name, label))
        choices.append((NEW, Text("  + a new brief…", style="italic")))

        def chosen(value: str | None) -> None:
            if value == NEW:
                self.action_new_brief()
            elif value is not None:
                self.app.change_briefs(lambda b: b.switch(value))
                say(self, f"Now pinning into “{value}”.", title="Brief")

        self.app.push_screen(ChoiceScreen("Briefs (p pins into the one chosen)", choices), chosen)

    def action_new_brief(self) -> None:
        from ..widgets.dialogs import PromptScreen

        def chosen(value: str | None) -> None:
            if value is None or not value.strip():
                return
            made = self.app.change_briefs(lambda b: b.switch(value, create=True) if b.get(value) is None
                                          else b.create(value))
            if made is not None:
                say(self, f"New brief “{made.name}”: p now pins into it.", title="Brief")

        self.app.push_screen(PromptScreen("A new brief", placeholder="its name, e.g. Dam inquiry",
                                          note="enter create · escape cancel"), chosen)

    def action_rename(self) -> None:
        from ..widgets.dialogs import PromptScreen

        old = self.brief_name

        def chosen(value: str | None) -> None:
            if value is None or not value.strip() or value.strip() == old:
                return
            if self.app.briefs.get(old) is None:  # never pinned into yet: it only has a name
                self.app.change_briefs(lambda b: b.current_brief(create=True) and b.rename(old, value))
            else:
                self.app.change_briefs(lambda b: b.rename(old, value))

        self.app.push_screen(PromptScreen(f"Rename the brief “{old}”", old, note="enter rename · escape cancel"),
                             chosen)

    def action_delete_brief(self) -> None:
        from ..widgets.dialogs import ChoiceScreen

        brief = self.brief
        if brief is None:
            say(self, "This brief has no pins yet: nothing to delete.", title="Brief")
            return
        name, n = brief.name, len(brief.pins)

        def chosen(value: str | None) -> None:
            if value == "delete":
                if self.app.change_briefs(lambda b: b.delete(name)) is not None:
                    say(self, f"Deleted the brief “{name}” ({n} pin{'s' * (n != 1)}).", title="Brief")

        self.app.push_screen(ChoiceScreen(f"Delete the brief “{name}” and its {n} pin{'s' * (n != 1)}?",
                                          [("keep", Text("No, keep it")), ("delete", Text("Yes, delete it"))]),
                             chosen)

    # -- export -------------------------------------------------------------------------------

    def action_export(self, fmt: str) -> None:
        what = "Markdown" if fmt == "markdown" else "JSON"
        default = brief_export_name(self.brief_name, "md" if fmt == "markdown" else "json", self.today)

        def chosen(path: str | None) -> None:
            if path:
                self.export_to(path, fmt)

        self.app.push_screen(BriefExportDialog(default, what), chosen)

    def export_to(self, path: str, fmt: str, force: bool = False) -> None:
        """Write the brief to ``path`` in a worker; an Exported message follows."""
        from index.pins import Brief

        brief = _copy(self.brief) if self.brief is not None else Brief(self.brief_name)
        lib, now = self.app.library, self.now
        self.run_worker(lambda: self._write(lib, brief, path, fmt, force, now), thread=True, group="brief-export",
                        exit_on_error=False, name="export brief")

    def _write(self, lib, brief, path: str, fmt: str, force: bool, now) -> None:
        from briefs.brief import brief_document, brief_to_json, brief_to_markdown, library_sources
        from briefs.export import write_file

        target = Path(path).expanduser().absolute()
        try:
            doc = brief_document(brief, library_sources(lib, brief.sources), now)
            text = brief_to_json(doc) if fmt == "json" else brief_to_markdown(doc)
            written = write_file(target, text, force=force)
        except FileExistsError:
            self.post_message(self.Exported(target, fmt, exists=True))
            return
        except Exception as exc:  # noqa: BLE001 - said to the user
            self.post_message(self.Exported(target, fmt, describe_error(exc)))
            return
        self.post_message(self.Exported(written, fmt))

    def on_brief_screen_exported(self, message: Exported) -> None:
        what = "Markdown" if message.fmt == "markdown" else "JSON"
        if message.exists:
            def answer(yes: bool | None) -> None:
                if yes:
                    self.export_to(str(message.path), message.fmt, force=True)
                else:
                    say(self, "Nothing was written.", title="Export")

            self.app.push_screen(ConfirmOverwrite(str(message.path)), answer)
        elif message.error:
            say(self, f"Could not write {message.path}: {message.error}", title="Export", severity="error")
        else:
            say(self, f"{what} brief written to {message.path}", title="Export")


def _copy(obj):
    import copy

    return copy.deepcopy(obj)
