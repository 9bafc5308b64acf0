"""The saved searches (l on the search screen): run or delete one. tui.saved_searches keeps them."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ..actions import Action, bindings, register
from ..saved_searches import load_saved, write_saved

register(
    Action("saved.run", "enter", "run", "saved", "run", help="Run the saved search under the cursor"),
    Action("saved.delete", "delete,x", "delete", "saved", "delete", help="Delete the saved search under the cursor"),
    Action("saved.close", "escape", "close", "saved", "close", help="Close this list"),
)


def describe(entry: dict) -> Text:
    t = Text(end="")
    t.append(entry["name"], style="bold")
    t.append("  ")
    t.append(entry["query"] or "(every article)")
    for label in ("outlet", "dates"):
        if entry.get(label):
            t.append(f"  {label}: {entry[label]}", style="dim")
    if entry.get("sort", "relevance") != "relevance":
        t.append(f"  sort: {entry['sort']}", style="dim")
    if entry.get("unread"):
        t.append("  unread only", style="dim")
    return t


class SavedScreen(ModalScreen[dict | None]):
    """The saved searches; returns the one to run, or None."""

    SCOPE = "saved"
    BINDINGS = bindings("saved")

    def __init__(self, library) -> None:
        super().__init__()
        self.library = library
        self.searches: list[dict] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text("Saved searches", style="bold"), classes="dialog-title")
            yield OptionList(id="saved-list")
            yield Static(Text("enter run · x delete · escape close", style="dim"), classes="dialog-note")

    def on_mount(self) -> None:
        try:
            self.searches = load_saved(self.library)
        except OSError as exc:
            self.app.say(str(exc), severity="error")
        self._fill()
        self.query_one(OptionList).focus()

    def _fill(self) -> None:
        ol = self.query_one(OptionList)
        ol.clear_options()
        if not self.searches:
            ol.add_option(Option(Text("No saved searches yet: press s on the search screen to save one"),
                                 disabled=True))
            return
        ol.add_options(Option(describe(s), id=f"s{n}") for n, s in enumerate(self.searches))
        ol.highlighted = 0

    def _current(self) -> int | None:
        ol = self.query_one(OptionList)
        if not self.searches or ol.highlighted is None:
            return None
        return ol.highlighted

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.searches:
            self.dismiss(self.searches[event.option_index])

    def action_run(self) -> None:
        n = self._current()
        if n is not None:
            self.dismiss(self.searches[n])

    def action_delete(self) -> None:
        n = self._current()
        if n is None:
            return
        gone = self.searches.pop(n)
        try:
            write_saved(self.library, self.searches)
        except OSError as exc:
            self.app.say(f"Could not delete the saved search: {exc}", severity="error")
            return
        self.app.say(f"Deleted the saved search {gone['name']!r}")
        self._fill()

    def action_close(self) -> None:
        self.dismiss(None)
