"""The library's briefs: named, ordered lists of pins, kept in ``<library>/briefs.json``. Storage only
(like index.cardhistory); making a document of a brief is ``briefs.brief``.

File shape (version 1)::

    {"version": 1, "current": "Pinned",
     "briefs": [{"name": "Pinned", "created": ISO, "updated": ISO,
                 "pins": [{"id": "k3v9q2a", "kind": "fact", "text": "...", "sources": [article ids],
                           "note": null, "added": ISO, "origin": {"card": "sorrel dam"} | {"card_ids": [...]}
                           | {"brief": NAME} | {"article": id, "paragraph": 3} | {"article": id} | {}}]}]}
    (a card's origin may add "passages": {article id: that article's own sentence}, where `enter` opens it)

``current`` is the brief the app's `p` pins into. Every change is a read-modify-replace under a small lock
file (``briefs.lock``, fcntl): the app and a command writing at the same time never lose each other's pins.
The file is written atomically (tmp file + os.replace). An entry that is not what brief writes is skipped
(one message naming the file); a file that cannot be read at all is set aside as
``briefs-damaged-<time>.json`` before the next write, never overwritten.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

FILE_NAME = "briefs.json"
LOCK_NAME = "briefs.lock"
VERSION = 1
DEFAULT_BRIEF = "Pinned"
NAME_LIMIT = 80
KINDS = ("fact", "summary", "figure", "disagreement", "timeline", "quote", "paragraph", "article", "line")
LOCK_WAIT = 10.0  # seconds to wait for the other writer


class BriefsError(Exception):
    """A change that cannot be made (a name taken, an unknown brief); its text says why, in a sentence."""


def folder_for(root: str | os.PathLike) -> Path:
    """The folder holding a library's briefs: the library folder (tests point the shared demo elsewhere)."""
    return Path(root)


def path_for(root: str | os.PathLike) -> Path:
    return folder_for(root) / FILE_NAME


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass
class Pin:
    id: str
    kind: str
    text: str
    sources: list[str]
    note: str | None = None
    added: str = ""
    origin: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"id": self.id, "kind": self.kind, "text": self.text, "sources": list(self.sources),
                "note": self.note, "added": self.added, "origin": dict(self.origin)}

    @classmethod
    def from_json(cls, data) -> Pin | None:
        if not isinstance(data, dict):
            return None
        pid, kind, text, sources = data.get("id"), data.get("kind", "line"), data.get("text"), data.get("sources", [])
        note, added, origin = data.get("note"), data.get("added", ""), data.get("origin") or {}
        if not (isinstance(pid, str) and pid and isinstance(text, str) and text.strip() and isinstance(kind, str)
                and isinstance(sources, list) and all(isinstance(s, str) for s in sources)
                and (note is None or isinstance(note, str)) and isinstance(added, str) and isinstance(origin, dict)):
            return None
        origin = {k: v for k, v in origin.items() if k in _ORIGIN_KEYS and isinstance(v, _ORIGIN_KEYS[k])}
        if "passages" in origin:
            origin["passages"] = {k: v for k, v in origin["passages"].items() if isinstance(v, str) and v}
        return cls(pid, kind if kind in KINDS else "line", text, list(dict.fromkeys(sources)), note or None, added,
                   origin)


# where a pin came from: a card (its query, its ids, or the brief it was built from) and each source's own
# sentence there ("passages": {article id: sentence}), or an article (and the paragraph's index)
_ORIGIN_KEYS = {"card": str, "card_ids": list, "brief": str, "article": str, "paragraph": int, "passages": dict}


@dataclass
class Brief:
    name: str
    pins: list[Pin] = field(default_factory=list)
    created: str = ""
    updated: str = ""

    def to_json(self) -> dict:
        return {"name": self.name, "created": self.created, "updated": self.updated,
                "pins": [p.to_json() for p in self.pins]}

    @property
    def sources(self) -> list[str]:
        """Every article the pins cite, in pin order."""
        return list(dict.fromkeys(s for p in self.pins for s in p.sources))

    def find(self, pin_id: str) -> int | None:
        return next((n for n, p in enumerate(self.pins) if p.id == pin_id), None)

    def find_text(self, text: str) -> int | None:
        return next((n for n, p in enumerate(self.pins) if p.text == text), None)


@dataclass
class Briefs:
    """Every brief of a library, and which one is current. ``problem``: what was wrong with the file read
    (a sentence naming it), None when it was fine; ``damaged``: it could not be read at all."""

    briefs: list[Brief] = field(default_factory=list)
    current: str = DEFAULT_BRIEF
    problem: str | None = None
    damaged: bool = False

    def to_json(self) -> dict:
        return {"version": VERSION, "current": self.current, "briefs": [b.to_json() for b in self.briefs]}

    def get(self, name: str) -> Brief | None:
        key = _fold(name)
        return next((b for b in self.briefs if _fold(b.name) == key), None)

    def names(self) -> list[str]:
        return [b.name for b in self.briefs]

    def current_brief(self, create: bool = False) -> Brief | None:
        """The brief `p` pins into; made (empty) when ``create`` and it does not exist yet."""
        found = self.get(self.current)
        if found is None and create:
            found = Brief(self.current or DEFAULT_BRIEF, created=now_iso(), updated=now_iso())
            self.current = found.name
            self.briefs.append(found)
        return found

    def pin_ids(self) -> set[str]:
        return {p.id for b in self.briefs for p in b.pins}

    # -- changes (each one applied to a state read fresh from the file, see update()) ----------

    def require(self, name: str) -> Brief:
        found = self.get(name)
        if found is None:
            raise BriefsError(f"there is no brief named {name!r}" + (
                f" (briefs: {', '.join(repr(n) for n in self.names())})" if self.briefs else " (there are no briefs yet)"))
        return found

    def add_pin(self, pin: Pin, brief: str | None = None) -> bool:
        """Append ``pin`` to ``brief`` (the current one by default, made when missing); False when that
        brief already holds a pin of the same text."""
        target = self.current_brief(create=True) if brief is None else (self.get(brief) or self.create(brief))
        if target.find_text(pin.text) is not None:
            return False
        while pin.id in self.pin_ids():
            pin.id = new_pin_id(pin.text + pin.id, pin.added)
        target.pins.append(pin)
        target.updated = now_iso()
        return True

    def remove_text(self, text: str, brief: str | None = None) -> Pin | None:
        target = self.get(brief or self.current)
        n = target.find_text(text) if target else None
        if n is None:
            return None
        target.updated = now_iso()
        return target.pins.pop(n)

    def remove_pin(self, pin_id: str, brief: str | None = None) -> Pin | None:
        for b in ([self.get(brief)] if brief else self.briefs):
            n = b.find(pin_id) if b else None
            if n is not None:
                b.updated = now_iso()
                return b.pins.pop(n)
        return None

    def insert_pin(self, pin: Pin, index: int, brief: str) -> None:
        """Put ``pin`` back at ``index`` (undo of a removal); nothing when the brief holds its text again."""
        target = self.get(brief) or self.create(brief)
        if target.find_text(pin.text) is None:
            while pin.id in self.pin_ids():
                pin.id = new_pin_id(pin.text + pin.id, pin.added)
            target.pins.insert(max(0, min(index, len(target.pins))), pin)
            target.updated = now_iso()

    def move_pin(self, pin_id: str, step: int, brief: str | None = None) -> int | None:
        """Move a pin ``step`` places (clamped); its new index, None when not found."""
        target = self.get(brief or self.current)
        n = target.find(pin_id) if target else None
        if n is None:
            return None
        to = max(0, min(len(target.pins) - 1, n + step))
        if to != n:
            target.pins.insert(to, target.pins.pop(n))
            target.updated = now_iso()
        return to

    def set_note(self, pin_id: str, note: str | None) -> bool:
        note = " ".join((note or "").split()) or None
        for b in self.briefs:
            n = b.find(pin_id)
            if n is not None:
                b.pins[n].note = note
                b.updated = now_iso()
                return True
        return False

    def create(self, name: str) -> Brief:
        name = check_name(name)
        if self.get(name) is not None:
            raise BriefsError(f"there is already a brief named {self.get(name).name!r}")
        made = Brief(name, created=now_iso(), updated=now_iso())
        self.briefs.append(made)
        return made

    def rename(self, old: str, new: str) -> Brief:
        brief = self.require(old)
        new = check_name(new)
        other = self.get(new)
        if other is not None and other is not brief:
            raise BriefsError(f"there is already a brief named {other.name!r}")
        if _fold(self.current) == _fold(brief.name):
            self.current = new
        brief.name, brief.updated = new, now_iso()
        return brief

    def delete(self, name: str) -> Brief:
        brief = self.require(name)
        self.briefs.remove(brief)
        if _fold(self.current) == _fold(brief.name):
            self.current = self.briefs[0].name if self.briefs else DEFAULT_BRIEF
        return brief

    def switch(self, name: str, create: bool = False) -> Brief:
        brief = self.get(name)
        if brief is None:
            if not create:
                self.require(name)
            brief = self.create(name)
        self.current = brief.name
        return brief


def _fold(name: str) -> str:
    return " ".join(name.split()).casefold()


def check_name(name: str) -> str:
    """A brief's name on one line, trimmed; BriefsError when empty or too long."""
    from .sanitize import safe_inline

    clean = " ".join(safe_inline(name or "").split())
    if not clean:
        raise BriefsError("a brief needs a name")
    if len(clean) > NAME_LIMIT:
        raise BriefsError(f"a brief's name is at most {NAME_LIMIT} characters")
    return clean


def new_pin_id(text: str, salt: str = "") -> str:
    """A short id (7 letters and digits) for a new pin."""
    digest = hashlib.blake2b(f"{text}\x00{salt}\x00{time.time_ns()}\x00{os.getpid()}".encode("utf-8", "surrogatepass"),
                             digest_size=8).digest()
    alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
    value = int.from_bytes(digest, "big")
    return "".join(alphabet[(value >> (5 * i)) & 31] for i in range(7))


def make_pin(text: str, sources, kind: str = "line", origin: dict | None = None, note: str | None = None) -> Pin:
    added = now_iso()
    return Pin(new_pin_id(text, added), kind if kind in KINDS else "line", text, list(dict.fromkeys(sources or ())),
               " ".join((note or "").split()) or None, added, dict(origin or {}))


# ----------------------------------------------------------------------------------------------
# Reading and writing


def load(root: str | os.PathLike) -> Briefs:
    """The library's briefs ([] when there is no file). Never raises for a bad file: ``problem`` says what
    was wrong (one sentence naming the file) and what could be read is kept."""
    path = path_for(root)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Briefs()
    except OSError as exc:
        return Briefs(problem=f"{path} could not be read ({exc.strerror or exc}); pins are not kept", damaged=True)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        reason = "not UTF-8" if isinstance(exc, UnicodeDecodeError) else "not valid JSON"
        return Briefs(problem=f"{path} is {reason}; it will be kept aside as briefs-damaged-….json at the next pin",
                      damaged=True)
    return _from_json(data, path)


def _from_json(data, path: Path) -> Briefs:
    if not isinstance(data, dict) or not isinstance(data.get("briefs"), list):
        return Briefs(problem=f"{path} is not a briefs file brief writes; it will be kept aside as "
                      f"briefs-damaged-….json at the next pin", damaged=True)
    if isinstance(data.get("version"), int) and data["version"] > VERSION:
        return Briefs(problem=f"{path} was written by a newer brief (version {data['version']}); it is read "
                      f"but not changed", damaged=True)
    skipped = 0
    out = Briefs()
    for entry in data["briefs"]:
        name = entry.get("name") if isinstance(entry, dict) else None
        try:
            name = check_name(name) if isinstance(name, str) else None
        except BriefsError:
            name = None
        if name is None or out.get(name) is not None or not isinstance(entry.get("pins", []), list):
            skipped += 1
            continue
        brief = Brief(name, created=_str(entry.get("created")), updated=_str(entry.get("updated")))
        ids = out.pin_ids()
        for p in entry.get("pins", []):
            pin = Pin.from_json(p)
            if pin is None or pin.id in ids or brief.find_text(pin.text) is not None:
                skipped += 1
                continue
            ids.add(pin.id)
            brief.pins.append(pin)
        out.briefs.append(brief)
    current = data.get("current")
    found = out.get(current) if isinstance(current, str) else None
    out.current = found.name if found else out.briefs[0].name if out.briefs else DEFAULT_BRIEF
    if skipped:
        out.problem = f"{path}: {skipped} entr{'ies' if skipped != 1 else 'y'} that brief does not write skipped"
    return out


def _str(value) -> str:
    return value if isinstance(value, str) else ""


def locked(root: str | os.PathLike, wait: float = LOCK_WAIT):
    """Hold the briefs' lock file (fcntl) for one read-modify-replace; TimeoutError after ``wait`` s."""
    from .jsonfile import locked as hold

    return hold(folder_for(root) / LOCK_NAME, wait)


def update(root: str | os.PathLike, change: Callable[[Briefs], object]) -> tuple[Briefs, object]:
    """Read the briefs fresh, apply ``change`` (it mutates them and may raise BriefsError: nothing is then
    written), write them back atomically, all under the lock. (the briefs written, what change returned)."""
    path = path_for(root)
    with locked(root):
        state = load(root)
        if state.damaged and path.exists():
            if "newer brief" in (state.problem or ""):
                raise BriefsError(state.problem)
            aside = path.with_name(f"briefs-damaged-{datetime.now().strftime('%Y%m%dT%H%M%S')}.json")
            os.replace(path, aside)
            state = Briefs(problem=f"{path} could not be read; it was kept as {aside.name} and a new one started")
        else:
            state.problem = None  # entries skipped: said when the file was first read; this write drops them
        result = change(state)
        _write(path, state.to_json())
    return state, result


def _write(path: Path, data: dict) -> None:
    from .jsonfile import write_atomic

    write_atomic(path, data, prefix=".briefs-", indent=1, newline=True)
