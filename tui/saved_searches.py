"""Saved searches: a name for a query and its filters, kept as JSON in the library folder.

File ``<library>/saved-searches.json``: ``{"version": 1, "searches": [{"name", "query", "outlet", "dates",
"sort", "unread"}]}`` (``outlet`` is the outlet's display name or null, ``dates`` a date range such as
``2025-03-04..2025-03-06`` or null, ``sort`` one of SORTS or absent (relevance), ``unread`` true for "unread only";
files written before sort and unread were kept simply lack them).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

FILE_NAME = "saved-searches.json"
SORTS = ("relevance", "newest", "oldest", "outlet", "title")  # the search screen's sorts, in its S order


def saved_path(library) -> Path:
    return Path(library.root) / FILE_NAME


def load_saved(library) -> list[dict]:
    path = saved_path(library)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        raise OSError(f"saved searches in {path} could not be read ({exc})") from None
    out = []
    for s in data.get("searches", []) if isinstance(data, dict) else []:
        if isinstance(s, dict) and isinstance(s.get("name"), str) and isinstance(s.get("query", ""), str):
            sort = s.get("sort")
            out.append({"name": s["name"], "query": s.get("query", ""), "outlet": s.get("outlet"),
                        "dates": s.get("dates"), "sort": sort if sort in SORTS else "relevance",
                        "unread": s.get("unread") is True})
    return out


def write_saved(library, searches: list[dict]) -> None:
    path = saved_path(library)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".saved-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"version": 1, "searches": searches}, f, ensure_ascii=False, indent=2)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_search(library, name: str, query: str, outlet: str | None, dates: str | None,
                sort: str = "relevance", unread: bool = False) -> bool:
    """Add or replace the search called ``name``; True when it replaced one."""
    searches = load_saved(library)
    entry = {"name": name, "query": query, "outlet": outlet, "dates": dates,
             "sort": sort if sort in SORTS else "relevance", "unread": bool(unread)}
    replaced = any(s["name"] == name for s in searches)
    searches = [entry if s["name"] == name else s for s in searches] if replaced else searches + [entry]
    write_saved(library, searches)
    return replaced
