"""The user's config file: key remaps, the theme, and whether the app watches the library's folders.

``$BRIEF_CONFIG``, else ``$XDG_CONFIG_HOME/brief/config.toml`` (``~/.config/brief/config.toml``)::

    theme = "ansi"          # ansi (the terminal's own 16 colours), dark, light, or any Textual theme name
    watch = true            # the app keeps the library up to date as files change (as `brief watch`); default false

    [keys]                  # action id = key; alternatives separated by commas
    "reader.next_match" = "j"
    "app.back" = "backspace,h"

Problems (a config path that is a folder or cannot be read, a file that is not TOML, an unknown action
id, a key that is not a key, two actions bound to one key where both are live at once, a watch that is
not true or false) are returned as sentences naming the file; they never stop the app, which shows each
as a notification.
"""

from __future__ import annotations

import os
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .actions import EATEN, REGISTRY, actions_for, check_key, effective_key, key_label

MAX_CONFIG_BYTES = 1024 * 1024  # a config file is a few lines; anything this big is a mistake


@dataclass
class Config:
    path: Path | None
    keymap: dict[str, str] = field(default_factory=dict)
    theme: str | None = None
    watch: bool = False  # the app watches the library's folders from the start (a key toggles it)
    problems: list[str] = field(default_factory=list)


def config_path() -> Path:
    env = os.environ.get("BRIEF_CONFIG")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base).expanduser() / "brief" / "config.toml"


def _ensure_registered(ids) -> None:
    """Import the screen modules whose actions the keymap names, so their ids are known."""
    import importlib

    for scope in {i.split(".", 1)[0] for i in ids if "." in i}:
        if any(a.scope == scope for a in REGISTRY.values()):
            continue
        try:
            importlib.import_module(f"tui.screens.{scope}")
        except Exception:  # noqa: BLE001 - an unknown scope is reported below as an unknown id
            pass


def _read(p: Path, config: Config) -> str | None:
    """The text of the config file, or None (with the problem said) when it is not a readable file.
    No file at all is the usual case and no problem."""
    try:
        st = p.stat()
    except FileNotFoundError:
        if p.is_symlink():
            config.problems.append(f"{p}: is a link to nothing ({os.readlink(p)}); using the default keys")
        return None
    except OSError as exc:
        config.problems.append(f"{p}: could not be read ({exc.strerror or exc}); using the default keys")
        return None
    if stat.S_ISDIR(st.st_mode):
        config.problems.append(f"{p}: is a folder, not a config file; using the default keys "
                               f"(the config is a TOML file: theme = \"...\" and a [keys] table)")
        return None
    if not stat.S_ISREG(st.st_mode):
        config.problems.append(f"{p}: is not a regular file; using the default keys")
        return None
    if st.st_size > MAX_CONFIG_BYTES:
        config.problems.append(f"{p}: too large to be a config file ({st.st_size // 1024} KB); "
                               f"using the default keys")
        return None
    try:
        with open(p, "rb") as f:
            return f.read(MAX_CONFIG_BYTES + 1).decode("utf-8")
    except OSError as exc:
        config.problems.append(f"{p}: could not be read ({exc.strerror or exc}); using the default keys")
    except UnicodeDecodeError as exc:
        config.problems.append(f"{p}: is not UTF-8 text ({exc.reason} at byte {exc.start}); using the default keys")
    return None


def load_config(path: str | os.PathLike | None = None) -> Config:
    p = Path(path).expanduser() if path else config_path()
    config = Config(path=p)
    text = _read(p, config)
    if text is None:
        return config
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        config.problems.append(f"{p}: not valid TOML ({exc}); using the default keys")
        return config
    except RecursionError:
        config.problems.append(f"{p}: not valid TOML (nested too deeply); using the default keys")
        return config
    theme = data.get("theme")
    if theme is not None:
        if isinstance(theme, str) and theme.strip():
            config.theme = theme.strip()
        else:
            config.problems.append(f"{p}: theme must be a name such as \"ansi\"")
    watch = data.get("watch")
    if watch is not None:
        if isinstance(watch, bool):
            config.watch = watch
        else:
            config.problems.append(f"{p}: watch must be true or false (without quotes), not {watch!r}")
    keys = data.get("keys", {})
    if not isinstance(keys, dict):
        config.problems.append(f"{p}: [keys] must be a table of \"action.id\" = \"key\" lines")
        keys = {}
    for name in sorted(set(data) - {"theme", "watch", "keys"}):
        config.problems.append(f"{p}: unknown setting {name!r} (known: theme, watch, [keys])")
    _ensure_registered(keys)
    for action_id, key in keys.items():
        if action_id not in REGISTRY:
            config.problems.append(f"{p}: unknown action {action_id!r} in [keys] (press ? to see the actions)")
            continue
        problem = check_key(key)
        if problem:
            config.problems.append(f"{p}: {action_id}: {problem}")
            continue
        key = ",".join(k.strip() for k in key.split(","))
        for k in key.split(","):
            if EATEN.get(k):
                config.problems.append(f"{p}: {action_id}: {k} is often taken by the terminal ({EATEN[k]})")
        config.keymap[action_id] = key
    if config.keymap:
        _ensure_all_registered()
        for key, first, second, scope in key_conflicts(config.keymap):
            where = "everywhere" if scope == "app" else f"on the {scope} screen"
            config.problems.append(f"{p}: {key_label(key)} is bound to both {first} and {second}, which are live "
                                   f"at once ({where}): only one of them can work; give one of them another key")
    return config


SCREENS = ("search", "reader", "compare", "card", "saved", "help", "brief")  # the modules of tui.screens with actions


def _ensure_all_registered() -> None:
    """Import every screen module, so that a remapped key is checked against every screen's actions."""
    import importlib

    for name in SCREENS:
        try:
            importlib.import_module(f"tui.screens.{name}")
        except Exception:  # noqa: BLE001 - a screen that cannot load has no keys to clash with
            pass


def _keys(key: str) -> list[str]:
    """The keys of a key string as Textual matches them ("?" is "question_mark")."""
    from textual.keys import _normalize_key_list

    return _normalize_key_list(key).split(",")


def key_conflicts(keymap: dict[str, str]) -> list[tuple[str, str, str, str]]:
    """(key, action id, other action id, scope) for each two actions that the key strings in force bind
    to one key where both are live at once: in one screen's scope, or an app-wide action and a screen's
    (Textual gives the key to the screen's; the app's is dead there). Only pairs involving an action
    the user remapped: brief's default keys have no such overlap (tests hold it)."""
    scopes = sorted({a.scope for a in REGISTRY.values()} - {"app"}) or ["app"]
    app_actions = actions_for("app")
    found: dict[frozenset, tuple[str, str, str, str]] = {}
    for scope in scopes:
        live = (actions_for(scope) if scope != "app" else []) + app_actions
        by_key: dict[str, list[str]] = {}
        for a in live:
            for k in dict.fromkeys(_keys(effective_key(a, keymap))):
                by_key.setdefault(k, []).append(a.id)
        for k, ids in by_key.items():
            for i, first in enumerate(ids):
                for second in ids[i + 1:]:
                    if first not in keymap and second not in keymap:
                        continue
                    both_app = first.startswith("app.") and second.startswith("app.")
                    found.setdefault(frozenset((k, first, second)), (k, first, second, "app" if both_app else scope))
    return sorted(found.values(), key=lambda c: (c[3], c[0], c[1], c[2]))
