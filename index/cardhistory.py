"""The library's card history: every card built for a query (or a set of ids, or --all), kept in
``<library>/cards/<key>.json``, the last KEEP per key, written atomically. Storage only: cards go in and
come out as their JSON (``Card.to_json()``); comparing them is ``briefs.changes``."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import date, datetime
from pathlib import Path

KEEP = 20  # cards kept per key
VERSION = 1


def card_key(query: str | None = None, ids=None, brief: str | None = None) -> str:
    """A stable key: a named brief (``brief:NAME``, its name as given), a query (spacing and case do not
    matter), or the sorted article ids (--ids). ``all`` is the key of a card over every article."""
    if brief is not None:
        return "brief:" + brief
    if query is not None and query.strip():
        return "query:" + " ".join(query.split()).lower()
    return "ids:" + ",".join(sorted(set(ids or ())))


def folder_for(root: str | os.PathLike) -> Path:
    """Where a library keeps its card history."""
    return Path(root) / "cards"


def _file(root: str | os.PathLike, key: str) -> Path:
    return folder_for(root) / (hashlib.sha256(key.encode("utf-8")).hexdigest()[:24] + ".json")


def load(root: str | os.PathLike, key: str) -> list[dict]:
    """The cards kept for ``key``, oldest first ([] when none or the file is unreadable)."""
    try:
        data = json.loads(_file(root, key).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(data, dict) or data.get("key") != key or not isinstance(data.get("cards"), list):
        return []
    return [c for c in data["cards"] if isinstance(c, dict) and isinstance(c.get("generated"), str)]


def save(root: str | os.PathLike, key: str, card: dict) -> Path:
    """Append ``card`` (its JSON) to the history of ``key``, keeping the last KEEP; tmp file + os.replace."""
    path = _file(root, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    cards = (load(root, key) + [card])[-KEEP:]
    from .jsonfile import write_atomic

    write_atomic(path, {"version": VERSION, "key": key, "cards": cards}, prefix=".cards-")
    return path


def keys(root: str | os.PathLike) -> list[dict]:
    """Every key with cards kept: ``{"key", "cards", "first", "last", "articles", "file"}`` (``articles``:
    of the latest card), the most recently built first. Unreadable files are left out."""
    folder = folder_for(root)
    out = []
    try:
        files = sorted(folder.glob("*.json"))
    except OSError:
        return []
    for path in files:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        key = data.get("key") if isinstance(data, dict) else None
        if not isinstance(key, str) or path != _file(root, key):
            continue
        cards = load(root, key)
        if not cards:
            continue
        out.append({"key": key, "cards": len(cards), "first": cards[0]["generated"], "last": cards[-1]["generated"],
                    "articles": len(cards[-1].get("sources") or []), "file": str(path)})
    out.sort(key=lambda k: k["last"], reverse=True)
    return out


def clear(root: str | os.PathLike, key: str | None = None) -> int:
    """Forget the cards of ``key`` (None: of every key); the number of cards forgotten."""
    if key is not None:
        n = len(load(root, key))
        try:
            _file(root, key).unlink()
        except FileNotFoundError:
            return 0
        return n
    n = 0
    for entry in keys(root):
        n += clear(root, entry["key"])
    return n


def describe(key: str) -> str:
    """How a key reads to a user: ``"kavra dam"``, ``every article``, ``3 chosen articles``, ``brief "Dam"``."""
    kind, _, rest = key.partition(":")
    if key == "all":
        return "every article"
    if kind == "query":
        return rest
    if kind == "brief":
        return f"brief {rest!r}"
    n = len([i for i in rest.split(",") if i])
    return f"{n} chosen article{'s' * (n != 1)}"


def _when(card: dict) -> datetime | None:
    try:
        return datetime.fromisoformat(card["generated"])
    except (KeyError, TypeError, ValueError):
        return None


def pick(cards: list[dict], since: str = "last") -> dict | None:
    """The earlier card to compare with: ``last`` (the latest kept), or an ISO date/time: the latest card
    built on or before it (a bare date means that whole day). None when there is none."""
    if since == "last":
        return cards[-1] if cards else None
    limit = parse_since(since)
    best = None
    for card in cards:
        when = _when(card)
        if when is None:
            continue
        if isinstance(limit, date) and not isinstance(limit, datetime):
            ok = when.date() <= limit
        else:
            ok = (when if (when.tzinfo is None) == (limit.tzinfo is None) else when.replace(tzinfo=None)) <= \
                (limit if (when.tzinfo is None) == (limit.tzinfo is None) else limit.replace(tzinfo=None))
        if ok and (best is None or _when(best) <= when):
            best = card
    return best


def parse_since(text: str) -> date | datetime:
    """``YYYY-MM-DD`` or an ISO date and time; ValueError otherwise."""
    text = text.strip()
    if len(text) == 10:
        return date.fromisoformat(text)
    return datetime.fromisoformat(text)
