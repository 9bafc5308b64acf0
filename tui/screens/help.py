"""Help (?): every key of the screen underneath and of the app, from the action registry, with the keys
in force (the user's remaps included) and where the keymap file lives."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ..actions import actions_for, effective_key, key_label

SCOPE_TITLES = {"search": "Search", "reader": "Reader", "compare": "Compare", "card": "Card", "app": "Everywhere",
                "saved": "Saved searches", "brief": "Brief"}


def _home(path) -> str:
    """A path with the home folder written as ~."""
    from pathlib import Path

    p, home = Path(path), Path.home()
    try:
        return "~/" + str(p.relative_to(home))
    except ValueError:
        return str(p)


class HelpScreen(ModalScreen[None]):
    SCOPE = "help"
    BINDINGS = [Binding("escape,q,question_mark,f1", "close", "close")]

    def __init__(self, scope: str | None) -> None:
        super().__init__()
        self.scope = scope

    def help_rows(self) -> list[tuple[str, str, str, str]]:
        """(scope title, key label, what it does, action id) for the screen's scope, then the app's."""
        keymap = getattr(self.app, "keymap", {})
        rows = []
        for scope in ([self.scope] if self.scope and self.scope != "app" else []) + ["app"]:
            for a in actions_for(scope):
                rows.append((SCOPE_TITLES.get(scope, scope.title()), key_label(effective_key(a, keymap)), a.long_help,
                             a.id))
        return rows

    def compose(self) -> ComposeResult:
        from ..config import config_path

        table = Table(box=None, show_header=False, padding=(0, 1), expand=True)
        keys_width = max(12, *(len(k) for _, k, _, _ in self.help_rows()))
        table.add_column("key", style="bold", no_wrap=True, width=min(keys_width, 30))
        table.add_column("what", ratio=1)
        wide = self.app.size.width >= 110  # the ids in a column of their own; narrower, after each line's text
        if wide:
            table.add_column("id", style="dim italic", no_wrap=True)
        last = None
        for title, key, what, action_id in self.help_rows():
            if title != last:
                if last is not None:
                    table.add_row("", "")
                table.add_row(Text(title, style="bold underline"), "")
                last = title
            said = Text(what)  # with the id a [keys] line of the config file names
            if wide:
                table.add_row(Text(key), said, Text(action_id))
            else:
                said.append("  " + action_id, style="dim italic")
                table.add_row(Text(key), said)
        if self.scope == "search":
            table.add_row("", "")
            table.add_row(Text("Queries", style="bold underline"), "")
            for k, v in (("dam breach", "both words (stemmed)"), ("a OR b, NOT c, ( )", "boolean logic"),
                         ('"water level"', "the exact phrase"), ("evacu*", "wildcard"), ("petrle~2", "fuzzy"),
                         ("outlet:meridian", "fields: outlet: author: tag: title: id:"),
                         ("date:2025-03", "dates: a day, a month, a year, or FROM..TO (2025-03-01..2025-03-05)")):
                table.add_row(Text(k), Text(v))
        with Vertical(id="help-box"):
            yield Static(Text(f"Keys — {SCOPE_TITLES.get(self.scope or 'app', self.scope or '')}", style="bold"),
                         id="help-title")
            with VerticalScroll(id="help-scroll"):
                yield Static(table, id="help-table")
            note = Text("Remap keys in ", style="dim")
            note.append(_home(config_path()), style="dim bold")
            note.append(' by action id ([keys] "reader.next_match" = "ctrl+n") · ctrl+p: every command · escape closes',
                        style="dim")
            yield Static(note, id="help-note")

    def on_mount(self) -> None:
        self.query_one("#help-scroll").focus()

    def action_close(self) -> None:
        self.dismiss(None)
