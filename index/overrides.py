"""What the user says about an article: its outlet, date or title, set with `brief set` or in the app.

Kept in the library folder as ``overrides.json`` (``{"version": 1, "articles": {id: {"outlet": ...,
"published": "YYYY-MM-DD", "title": ...}}}``), written atomically like the manifest; source files are never
touched. The writers (index.indexer, index.parallel through index.documents) apply them to every article
they index, so that an override is kept across re-indexing and ``--rebuild`` and is seen at once by search
(``outlet:``), the catalog, the reader, cards, comparisons and exports. A catalog row whose values were
overridden keeps the file's own ones under ``"own"`` (so that clearing an override gives them back).
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from datetime import date
from pathlib import Path

from .errors import LibraryError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .model import Article

FILENAME = "overrides.json"
VERSION = 1
FIELDS = ("outlet", "published", "title")
MAX_CHARS = 300


class OverridesProblem(LibraryError):
    """overrides.json is there but cannot be read or is not what brief writes."""


def overrides_path(root: str | os.PathLike) -> Path:
    return Path(root) / FILENAME


def check_value(name: str, value) -> str:
    """The value to store for one field, cleaned; ValueError (one line) when it is not acceptable."""
    from .sanitize import sanitize

    if name not in FIELDS:
        raise ValueError(f"unknown field {name!r}: use outlet, date or title")
    if not isinstance(value, str):
        raise ValueError(f"the {_label(name)} must be text")
    text = " ".join(sanitize(value).split())
    if not text:
        raise ValueError(f"the {_label(name)} is empty")
    if name == "published":
        if len(text) != 10 or text[4] != "-" or text[7] != "-" or not text.isascii():
            raise ValueError(f"bad date {value!r}: give it as YYYY-MM-DD")
        try:
            date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"bad date {value!r}: not a day of the calendar (YYYY-MM-DD)") from None
    elif len(text) > MAX_CHARS:
        raise ValueError(f"the {_label(name)} is longer than {MAX_CHARS} characters")
    return text


def _label(name: str) -> str:
    return "date" if name == "published" else name


def _valid(data) -> dict[str, dict[str, str]] | None:
    if type(data) is not dict or data.get("version") != VERSION or type(data.get("articles")) is not dict:
        return None
    out: dict[str, dict[str, str]] = {}
    for aid, entry in data["articles"].items():
        if type(aid) is not str or not (aid.isascii() and aid.isalnum()) or type(entry) is not dict:
            return None
        fields = {}
        for name, value in entry.items():
            try:
                fields[name] = check_value(name, value)
            except ValueError:
                return None
        if fields:
            out[aid] = fields
    return out


def load(root: str | os.PathLike) -> dict[str, dict[str, str]]:
    """id -> {field: value} of every override ({} when there is no file); OverridesProblem when damaged."""
    path = overrides_path(root)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise OverridesProblem(f"{path} cannot be read ({exc.strerror or exc})") from None
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        data = None
    out = _valid(data)
    if out is None:
        raise OverridesProblem(f"{path} is damaged (not the overrides brief writes); fix it or delete it "
                               f"and set the outlets, dates and titles again (`brief set`)")
    return out


def to_json(overrides: dict[str, dict[str, str]]) -> dict:
    return {"version": VERSION, "articles": {aid: dict(sorted(f.items())) for aid, f in sorted(overrides.items())
                                             if f}}


def apply(article: Article, overrides: dict[str, dict[str, str]]) -> tuple[Article, dict]:
    """(``article`` with its overrides, the file's own values of the fields overridden as catalog values:
    {"outlet": str | None, "published": "YYYY-MM-DD" | None, "title": str}). The content hash stays the
    file's own (it is what a card's reading order and the extraction cache go by)."""
    entry = overrides.get(article.id)
    if not entry:
        return article, {}
    own, new = {}, {}
    for name, value in entry.items():
        if name == "published":
            day = date.fromisoformat(value)
            if day != article.published:
                own[name] = article.published.isoformat() if article.published else None
                new[name] = day
        elif value != getattr(article, name):
            own[name] = getattr(article, name)
            new[name] = value
    if not new:
        return article, {}
    return replace(article, **new), own


def own_values(article: Article, own) -> Article:
    """``article`` (as stored, overrides applied) with the file's own values back, from a catalog row's
    ``"own"``; fields whose stored value is not of the right type are left as they are."""
    if type(own) is not dict:
        return article
    new = {}
    for name, value in own.items():
        if name in ("outlet",) and (value is None or type(value) is str):
            new[name] = value or None
        elif name == "title" and type(value) is str:
            new[name] = value
        elif name == "published" and (value is None or type(value) is str):
            try:
                new[name] = date.fromisoformat(value) if value else None
            except ValueError:
                continue
    return replace(article, **new) if new else article
