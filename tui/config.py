"""The user's config file: key remaps and the theme.

``$BRIEF_CONFIG``, else ``$XDG_CONFIG_HOME/brief/config.toml`` (``~/.config/brief/config.toml``)::

    theme = "ansi"          # ansi (the terminal's own 16 colours), dark, light, or any Textual theme name

    [keys]                  # action id = key; alternatives separated by commas
    "reader.next_match" = "j"
    "app.back" = "backspace,h"

Problems (a file that is not TOML, an unknown action id, a key that is not a key) are returned as
sentences naming the file; they never stop the app.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .actions import EATEN, REGISTRY, check_key


@dataclass
class Config:
    path: Path | None
    keymap: dict[str, str] = field(default_factory=dict)
    theme: str | None = None
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


def load_config(path: str | os.PathLike | None = None) -> Config:
    p = Path(path).expanduser() if path else config_path()
    config = Config(path=p)
    if not p.is_file():
        return config
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        config.problems.append(f"{p}: could not be read ({exc}); using the default keys")
        return config
    except tomllib.TOMLDecodeError as exc:
        config.problems.append(f"{p}: not valid TOML ({exc}); using the default keys")
        return config
    theme = data.get("theme")
    if theme is not None:
        if isinstance(theme, str) and theme.strip():
            config.theme = theme.strip()
        else:
            config.problems.append(f"{p}: theme must be a name such as \"ansi\"")
    keys = data.get("keys", {})
    if not isinstance(keys, dict):
        config.problems.append(f"{p}: [keys] must be a table of \"action.id\" = \"key\" lines")
        keys = {}
    for name in sorted(set(data) - {"theme", "keys"}):
        config.problems.append(f"{p}: unknown setting {name!r} (known: theme, [keys])")
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
    return config
