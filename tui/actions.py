"""One registry of the app's actions: it feeds key bindings, the footer, the help screen and the palette.

Each screen module registers its actions at import and takes its bindings from here::

    from tui.actions import Action, bindings, register

    register(
        Action("reader.next_match", "n", "next match", "reader", "next_match", help="Jump to the next match"),
    )

    class ReaderScreen(Screen):
        BINDINGS = bindings("reader")

Every Binding carries ``id=action.id``, so a user keymap (``App.set_keymap({"reader.next_match": "j"})``,
read from the ``[keys]`` table of ``$XDG_CONFIG_HOME/brief/config.toml`` by tui.config, which also reports
two actions bound to one key) remaps it, and help and the palette show the effective key (``effective_key``).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding

__all__ = ["Action", "REGISTRY", "register", "bindings", "actions_for", "get", "effective_key", "key_label",
           "key_of", "check_key", "MODIFIERS"]


@dataclass(frozen=True)
class Action:
    """A user action: ``id`` is "scope.name" and is what a keymap file names."""

    id: str  # "reader.next_match"
    key: str  # Textual key string; comma-separated alternatives allowed ("backspace,alt+left")
    description: str  # short footer label
    scope: str  # "app", "search", "reader", "compare", "card", ...
    action: str  # Textual action string: "next_match", "app.back", "open('x')"
    show: bool = True  # shown in the footer
    help: str = ""  # longer text for the help screen and the command palette

    @property
    def long_help(self) -> str:
        return self.help or self.description


REGISTRY: dict[str, Action] = {}


def register(*actions: Action) -> None:
    """Add actions to the registry. Ids are unique: registering one twice raises ValueError."""
    for a in actions:
        if a.id in REGISTRY:
            raise ValueError(f"action {a.id!r} is already registered")
        if not a.id.startswith(a.scope + "."):
            raise ValueError(f"action id {a.id!r} must start with its scope {a.scope!r}")
        problem = check_key(a.key)
        if problem:
            raise ValueError(f"action {a.id!r}: {problem}")
    for a in actions:
        REGISTRY[a.id] = a


def actions_for(scope: str) -> list[Action]:
    """The actions of one scope, in registration order."""
    return [a for a in REGISTRY.values() if a.scope == scope]


def get(action_id: str) -> Action:
    return REGISTRY[action_id]


def bindings(scope: str) -> list[Binding]:
    """Textual Bindings for a scope's actions, each with ``id=action.id`` so a keymap can remap it."""
    return [
        Binding(a.key, a.action, a.description, show=a.show, id=a.id, tooltip=a.help)
        for a in actions_for(scope)
    ]


def effective_key(action: Action, keymap: dict[str, str] | None) -> str:
    """The key string in force: the user's keymap entry when there is one, else the default."""
    if keymap and keymap.get(action.id):
        return keymap[action.id]
    return action.key


_NAMES = {
    "question_mark": "?", "slash": "/", "space": "space", "full_stop": ".", "comma": ",", "minus": "-",
    "plus": "+", "left_square_bracket": "[", "right_square_bracket": "]", "apostrophe": "'",
    "exclamation_mark": "!", "number_sign": "#", "colon": ":", "semicolon": ";", "less_than_sign": "<",
    "greater_than_sign": ">", "equals_sign": "=", "underscore": "_", "asterisk": "*", "ampersand": "&",
    "left_parenthesis": "(", "right_parenthesis": ")", "quotation_mark": '"', "dollar_sign": "$",
    "percent_sign": "%", "circumflex_accent": "^", "grave_accent": "`", "tilde": "~", "vertical_line": "|",
    "left_curly_bracket": "{", "right_curly_bracket": "}", "backslash": "\\", "at": "@",
}


def key_label(key: str) -> str:
    """A readable form of a key string for help: "question_mark,f1" -> "? / f1"."""
    out = []
    for k in key.split(","):
        k = k.strip()
        parts = k.split("+")
        parts[-1] = _NAMES.get(parts[-1], parts[-1])
        out.append("+".join(parts))
    return " / ".join(out)


def key_of(action_id: str, keymap: dict[str, str] | None) -> str:
    """The first key in force for an action, as a status line names it ("n", or the user's remap)."""
    return key_label(effective_key(REGISTRY[action_id], keymap).split(",")[0])


MODIFIERS = {"ctrl", "alt", "shift", "meta", "super", "hyper"}
# Keys a terminal multiplexer or the terminal itself usually takes before the app sees them.
EATEN = {"ctrl+a": "tmux/screen prefix", "ctrl+b": "tmux prefix", "ctrl+s": "terminal flow control (XOFF)",
         "ctrl+z": "suspends the process", "ctrl+c": "interrupt"}


def _named_keys() -> set[str]:
    from textual.keys import Keys, _character_to_key  # noqa: F401

    names = {k.value for k in Keys}
    names |= {"space", "enter", "tab", "escape", "backspace", "delete", "insert", "home", "end", "pageup",
              "pagedown", "up", "down", "left", "right"}
    names |= set(_NAMES)
    return names


def check_key(key: object) -> str | None:
    """None when ``key`` is a valid Textual key string, else what is wrong with it, in words."""
    if not isinstance(key, str) or not key.strip():
        return f"{key!r} is not a key (write it as a string such as \"j\", \"ctrl+o\" or \"alt+left\")"
    names = None
    for alt in key.split(","):
        alt = alt.strip()
        if not alt:
            return f"{key!r} has an empty alternative (keys are separated by single commas)"
        parts = alt.split("+")
        mods, base = parts[:-1], parts[-1]
        bad = [m for m in mods if m not in MODIFIERS]
        if bad:
            return f"{alt!r}: {bad[0]!r} is not a modifier (use ctrl, alt or shift)"
        if len(base) == 1 and base.isprintable() and base not in ", ":
            continue
        if names is None:
            names = _named_keys()
        if base.lower() not in names:
            return f"{alt!r}: {base!r} is not a key name (for example: j, enter, space, f1, left, pagedown)"
    return None
