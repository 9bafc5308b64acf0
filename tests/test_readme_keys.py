"""README's key table and the registry the help screen is drawn from agree (issue 12): every key README
names for a screen is bound to an action of that screen (or of the app), and every action's key is in
README's rows for its screen."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
SCOPES = {"everywhere": ["app"], "search": ["search", "app"], "reader": ["reader", "app"],
          "compare": ["compare", "app"], "card": ["card", "app"], "brief": ["brief", "app"]}
ARROWS = {"←": "left", "→": "right", "↓": "down", "↑": "up"}


def _key_table() -> list[tuple[str, str]]:
    """(where, key column) for each row of README's key table; a row with an empty 'where' continues the last."""
    text = README.read_text(encoding="utf-8")
    start = text.index("| where | key | action |")
    rows, where = [], None
    for line in text[start:].splitlines()[2:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        where = cells[0] or where
        rows.append((where, cells[1]))
    return rows


def _keys_in(cell: str) -> list[str]:
    """The keys a cell names (in backticks), as Textual key strings."""
    out = []
    for token in re.findall(r"`([^`]+)`", cell):
        key = token
        for arrow, name in ARROWS.items():
            key = key.replace(arrow, name)
        if len(key) > 1:
            key = key.lower()
        out.append({"?": "question_mark", "/": "slash", "]": "right_square_bracket",
                    "[": "left_square_bracket", "space": "space"}.get(key, key))
    return out


def _registry():
    import tui.app  # noqa: F401 - every screen registers its actions when imported
    import tui.screens.brief  # noqa: F401
    import tui.screens.card  # noqa: F401
    import tui.screens.compare  # noqa: F401
    import tui.screens.reader  # noqa: F401
    import tui.screens.search  # noqa: F401
    from tui.actions import REGISTRY

    return REGISTRY


def _bound(action) -> set[str]:
    return {k.strip() for k in action.key.split(",")}


def _widget_keys() -> set[str]:
    """Keys the generic list widgets bind themselves (arrows, Enter, Home/End: the same on every list), and
    Enter and ↓ of the query bar (an Input: Enter submits, ↓ is search.results)."""
    from tui.widgets.results import ResultList
    from tui.widgets.rowlist import RowList

    return {b.key for cls in (ResultList, RowList) for b in cls.BINDINGS}


def test_readme_names_a_key_table():
    assert len(_key_table()) > 30 and {w for w, _ in _key_table()} == set(SCOPES)


@pytest.mark.parametrize("where", sorted(SCOPES))
def test_every_key_readme_names_is_bound_there(where):
    registry = _registry()
    bound = {k for a in registry.values() if a.scope in SCOPES[where] for k in _bound(a)} | _widget_keys()
    named = [k for w, cell in _key_table() if w == where for k in _keys_in(cell)]
    assert named
    assert [k for k in named if k not in bound] == []


@pytest.mark.parametrize("where", sorted(set(SCOPES) - {"everywhere"}))
def test_every_action_key_of_a_screen_is_in_readme(where):
    registry = _registry()
    named = {k for w, cell in _key_table() if w == where for k in _keys_in(cell)}
    missing = [a.id for a in registry.values() if a.scope == where and not (_bound(a) & named)]
    assert missing == []


def test_every_app_wide_action_is_in_readme():
    registry = _registry()
    named = {k for w, cell in _key_table() for k in _keys_in(cell)}
    assert [a.id for a in registry.values() if a.scope == "app" and not (_bound(a) & named)] == []
