"""Small modal dialogs: ask for a line of text, choose one of a list."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option


class PromptScreen(ModalScreen[str | None]):
    """Ask for one line; Enter returns it, Escape returns None."""

    SCOPE = "dialog"
    BINDINGS = [Binding("escape", "cancel", "cancel")]

    def __init__(self, title: str, value: str = "", placeholder: str = "", note: str = "") -> None:
        super().__init__()
        self._title, self._value, self._placeholder, self._note = title, value, placeholder, note

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self._title, style="bold"), classes="dialog-title")
            yield Input(self._value, placeholder=self._placeholder, id="prompt-input")
            yield Static(Text(self._note or "enter ok · escape cancel", style="dim"), classes="dialog-note")

    def on_mount(self) -> None:
        inp = self.query_one(Input)
        inp.cursor_blink = not self.app.is_headless
        inp.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoiceScreen(ModalScreen[str | None]):
    """Choose one of (value, label) pairs; Enter returns the value, Escape None."""

    SCOPE = "dialog"
    BINDINGS = [Binding("escape", "cancel", "cancel")]

    def __init__(self, title: str, choices: list[tuple[str, Text | str]], note: str = "") -> None:
        super().__init__()
        self._title, self._choices, self._note = title, choices, note

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self._title, style="bold"), classes="dialog-title")
            options = [Option(label if isinstance(label, Text) else Text(label), id=f"c{n}")
                       for n, (_, label) in enumerate(self._choices)]
            yield OptionList(*options, id="choices")
            yield Static(Text(self._note or "enter choose · escape cancel", style="dim"), classes="dialog-note")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self._choices[event.option_index][0])

    def action_cancel(self) -> None:
        self.dismiss(None)


class MetadataScreen(ModalScreen[dict | None]):
    """Set an article's outlet, date and title: Tab moves between the fields, Enter saves, Escape cancels.

    Returns {field: value} of the fields changed ("outlet", "published", "title"; "" gives back what the
    file states), {} when nothing changed, None when cancelled. A date that is not YYYY-MM-DD is said here
    and the dialog stays open."""

    SCOPE = "dialog"
    BINDINGS = [Binding("escape", "cancel", "cancel")]
    FIELDS = (("outlet", "Outlet", "unknown (e.g. BBC News)"), ("published", "Date", "undated (YYYY-MM-DD)"),
              ("title", "Title", "the file's own"))
    NOTE = "tab next field · enter save · escape cancel · empty: what the file states"

    def __init__(self, title: str, values: dict[str, str]) -> None:
        super().__init__()
        self._title = title
        self._values = {name: values.get(name) or "" for name, _, _ in self.FIELDS}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="metadata-dialog"):
            yield Static(Text(self._title, style="bold"), classes="dialog-title")
            for name, label, placeholder in self.FIELDS:
                yield Static(Text(label, style="dim"), classes="dialog-note")
                yield Input(self._values[name], placeholder=placeholder, id=f"meta-{name}")
            yield Static(Text(self.NOTE, style="dim"), classes="dialog-note", id="meta-note")

    def on_mount(self) -> None:
        for inp in self.query(Input):
            inp.cursor_blink = not self.app.is_headless
        self.query_one("#meta-outlet", Input).focus()

    def changes(self) -> dict[str, str]:
        out = {}
        for name, _, _ in self.FIELDS:
            value = " ".join(self.query_one(f"#meta-{name}", Input).value.split())
            if value != " ".join(self._values[name].split()):
                out[name] = value
        return out

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        from index.overrides import check_value

        changes = self.changes()
        for name, value in changes.items():
            if value:
                try:
                    check_value(name, value)
                except ValueError as exc:
                    self.query_one("#meta-note", Static).update(Text(str(exc), style="bold"))
                    self.query_one(f"#meta-{name}", Input).focus()
                    return
        self.dismiss(changes)

    def action_cancel(self) -> None:
        self.dismiss(None)
