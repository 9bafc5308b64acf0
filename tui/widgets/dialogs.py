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
