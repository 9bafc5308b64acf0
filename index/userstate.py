"""What the user keeps about articles: which ones were read, and the tags they gave them. Storage only,
kept in ``<library>/userstate.json`` (the user's source files are never touched).

File shape (version 1)::

    {"version": 1, "read": [article ids], "tags": {article id: ["flood", "levee"]}}

Tags are lowercase words of letters, digits, ``-`` and ``_`` (at most TAG_LENGTH characters, TAGS_PER_ARTICLE
per article), shown as ``#flood``; a ``tag:flood`` query finds them (index.search's ``user_tags``) as well as
the tags of an article's own front matter. Every change is a read-modify-replace under a small lock file
(``userstate.lock``, fcntl), like index.pins: the app and a command writing at the same time lose nothing.
The file is written atomically (tmp file + os.replace). An entry brief does not write is skipped (one
message naming the file); a file that cannot be read at all is set aside as
``userstate-damaged-<time>.json`` at the next change, never overwritten.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

FILE_NAME = "userstate.json"
LOCK_NAME = "userstate.lock"
VERSION = 1
TAG_LENGTH = 40
TAGS_PER_ARTICLE = 50
LOCK_WAIT = 10.0  # seconds to wait for the other writer

_TAG = re.compile(r"[\w-]")  # one character of a tag: a letter or digit, "_" or "-"


class UserStateError(Exception):
    """A change that cannot be made (a bad tag, too many tags); its text says why, in a sentence."""


def folder_for(root: str | os.PathLike) -> Path:
    """The folder holding a library's user state: the library folder (tests point the shared demo elsewhere)."""
    return Path(root)


def path_for(root: str | os.PathLike) -> Path:
    return folder_for(root) / FILE_NAME


def clean_tag(text: str) -> str:
    """``text`` as a tag: trimmed, a leading ``#`` dropped, lowercased; UserStateError saying what is wrong
    with anything else (the text is shown without control characters)."""
    from .sanitize import safe_inline

    tag = (text or "").strip()
    tag = tag[1:] if tag.startswith("#") else tag
    tag = tag.lower()
    if not tag:
        raise UserStateError("a tag needs at least one letter or digit")
    if len(tag) > TAG_LENGTH:
        raise UserStateError(f"a tag is at most {TAG_LENGTH} characters ({safe_inline(tag[:TAG_LENGTH])}… is longer)")
    if not all(_TAG.fullmatch(c) for c in tag) or not any(c.isalnum() for c in tag):
        raise UserStateError(f"{safe_inline(tag)!r} is not a tag: use letters, digits, - and _ only")
    return tag


def clean_tags(tags: Iterable[str]) -> list[str]:
    """Tags cleaned (clean_tag), duplicates dropped, in the order given; UserStateError beyond the limit."""
    out = list(dict.fromkeys(clean_tag(t) for t in tags))
    if len(out) > TAGS_PER_ARTICLE:
        raise UserStateError(f"an article has at most {TAGS_PER_ARTICLE} tags ({len(out)} given)")
    return out


def split_tags(text: str) -> list[str]:
    """The tags typed in one line (spaces or commas between them), cleaned (clean_tags)."""
    return clean_tags(t for t in re.split(r"[\s,]+", text or "") if t)


@dataclass
class UserState:
    """The read set and the tags per article id. ``problem``: what was wrong with the file read (a sentence
    naming it), None when fine; ``damaged``: it could not be read at all."""

    read: set[str] = field(default_factory=set)
    tags: dict[str, list[str]] = field(default_factory=dict)
    problem: str | None = None
    damaged: bool = False

    def to_json(self) -> dict:
        return {"version": VERSION, "read": sorted(self.read),
                "tags": {k: list(v) for k, v in sorted(self.tags.items()) if v}}

    def copy(self) -> UserState:
        return UserState(set(self.read), {k: list(v) for k, v in self.tags.items()}, self.problem, self.damaged)

    def is_read(self, article_id: str) -> bool:
        return article_id in self.read

    def tags_of(self, article_id: str) -> list[str]:
        return list(self.tags.get(article_id, ()))

    def ids_by_tag(self) -> dict[str, frozenset[str]]:
        """tag -> the ids of the articles the user gave it (what index.search's ``user_tags`` takes)."""
        found: dict[str, set[str]] = {}
        for article_id, tags in self.tags.items():
            for t in tags:
                found.setdefault(t, set()).add(article_id)
        return {t: frozenset(ids) for t, ids in found.items()}

    def tag_counts(self) -> list[tuple[str, int]]:
        """(tag, articles) by count, then A-Z."""
        return sorted(((t, len(ids)) for t, ids in self.ids_by_tag().items()), key=lambda tc: (-tc[1], tc[0]))

    # -- changes: each returns True when it changed something ---------------------------------

    def mark_read(self, ids: Iterable[str]) -> bool:
        new = set(ids) - self.read
        self.read |= new
        return bool(new)

    def mark_unread(self, ids: Iterable[str]) -> bool:
        gone = self.read & set(ids)
        self.read -= gone
        return bool(gone)

    def set_tags(self, article_id: str, tags: Iterable[str]) -> bool:
        new = clean_tags(tags)
        if new == self.tags.get(article_id, []):
            return False
        if new:
            self.tags[article_id] = new
        else:
            self.tags.pop(article_id, None)
        return True

    def change_tags(self, article_id: str, add: Iterable[str] = (), remove: Iterable[str] = ()) -> bool:
        gone = set(clean_tags(remove))
        kept = [t for t in self.tags_of(article_id) if t not in gone]
        return self.set_tags(article_id, kept + [t for t in clean_tags(add) if t not in kept])

    def forget(self, ids: Iterable[str]) -> bool:
        """Drop what is kept about ``ids`` (articles no longer in the library)."""
        ids = set(ids)
        changed = bool(self.read & ids) or any(i in self.tags for i in ids)
        self.read -= ids
        for i in ids:
            self.tags.pop(i, None)
        return changed


# ----------------------------------------------------------------------------------------------
# Reading and writing


def load(root: str | os.PathLike) -> UserState:
    """The library's user state (empty when there is no file). Never raises for a bad file: ``problem``
    says what was wrong (one sentence naming the file) and what could be read is kept."""
    path = path_for(root)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return UserState()
    except OSError as exc:
        return UserState(problem=f"{path} could not be read ({exc.strerror or exc}); read marks and tags are "
                         f"not kept", damaged=True)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        reason = "not UTF-8" if isinstance(exc, UnicodeDecodeError) else "not valid JSON"
        return UserState(problem=f"{path} is {reason}; it will be kept aside as userstate-damaged-….json at the "
                         f"next change", damaged=True)
    return _from_json(data, path)


def _from_json(data, path: Path) -> UserState:
    if not isinstance(data, dict) or not isinstance(data.get("read", []), list) \
            or not isinstance(data.get("tags", {}), dict):
        return UserState(problem=f"{path} is not a file brief writes; it will be kept aside as "
                         f"userstate-damaged-….json at the next change", damaged=True)
    if isinstance(data.get("version"), int) and data["version"] > VERSION:
        return UserState(problem=f"{path} was written by a newer brief (version {data['version']}); it is not "
                         f"read or changed", damaged=True)
    out = UserState()
    skipped = 0
    for article_id in data.get("read", []):
        if isinstance(article_id, str) and article_id and len(article_id) <= 200:
            out.read.add(article_id)
        else:
            skipped += 1
    for article_id, tags in data.get("tags", {}).items():
        if not (article_id and len(article_id) <= 200 and isinstance(tags, list)):
            skipped += 1
            continue
        good = []
        for t in tags:
            try:
                good.append(clean_tag(t) if isinstance(t, str) else None)
            except UserStateError:
                good.append(None)
        skipped += good.count(None)
        good = list(dict.fromkeys(t for t in good if t))[:TAGS_PER_ARTICLE]
        if good:
            out.tags[article_id] = good
    if skipped:
        out.problem = f"{path}: {skipped} entr{'ies' if skipped != 1 else 'y'} that brief does not write skipped"
    return out


def locked(root: str | os.PathLike, wait: float = LOCK_WAIT):
    """Hold the user state's lock file (fcntl) for one read-modify-replace; TimeoutError after ``wait`` s."""
    from .jsonfile import locked as hold

    return hold(folder_for(root) / LOCK_NAME, wait)


def update(root: str | os.PathLike, change: Callable[[UserState], object]) -> tuple[UserState, object]:
    """Read the state fresh, apply ``change`` (it mutates it and may raise UserStateError: nothing is then
    written), write it back atomically, all under the lock. (the state written, what change returned);
    nothing is written when change returns False or None."""
    path = path_for(root)
    with locked(root):
        state = load(root)
        aside = None
        if state.damaged and path.exists():
            if "newer brief" in (state.problem or ""):
                raise UserStateError(state.problem)
            state = UserState()
            aside = path.with_name(f"userstate-damaged-{datetime.now().strftime('%Y%m%dT%H%M%S')}.json")
        else:
            state.problem = None  # entries skipped: said when the file was first read; this write drops them
        result = change(state)
        if result is None or result is False:
            return state, result
        if aside is not None:
            os.replace(path, aside)
            state.problem = f"{path} could not be read; it was kept as {aside.name} and a new one started"
        _write(path, state.to_json())
    return state, result


def _write(path: Path, data: dict) -> None:
    from .jsonfile import write_atomic

    write_atomic(path, data, prefix=".userstate-", indent=1, newline=True)
