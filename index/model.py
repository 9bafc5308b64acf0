"""The one article model shared by every part of brief."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

__all__ = ["Article", "ReadError", "SkipFile", "ReaderUnavailable", "make_id", "content_hash"]

# Crockford-style lower-case alphabet without easily confused letters (i, l, o, u).
_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
ID_LENGTH = 8


def _utf8(text: str) -> bytes:
    """UTF-8 bytes of any str: a file name's undecodable bytes (surrogateescape) come back as they were;
    other lone surrogates (a JSON "\\ud800" escape) are encoded as they are rather than failing."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")


def make_id(path: str, key: str = "") -> str:
    """A short, typeable id that stays the same across re-indexing.

    It depends only on the absolute source path and, for files that hold many
    articles (feeds, JSON lines), on the entry's key inside the file.
    40 bits: a collision among 20k articles has odds of about 1 in 5,000,000.
    """
    digest = hashlib.blake2b(_utf8(f"{path}\0{key}"), digest_size=8).digest()
    number = int.from_bytes(digest, "big")
    chars = []
    for _ in range(ID_LENGTH):
        number, rest = divmod(number, 32)
        chars.append(_ALPHABET[rest])
    return "".join(chars)


def content_hash(title: str, paragraphs: list[str]) -> str:
    h = hashlib.blake2b(digest_size=16)
    h.update(_utf8(title))
    for p in paragraphs:
        h.update(b"\0")
        h.update(_utf8(p))
    return h.hexdigest()


@dataclass(slots=True)
class Article:
    """A cleaned article. ``paragraphs`` never contain blank lines."""

    id: str
    path: str  # absolute path of the source file
    title: str
    paragraphs: list[str]
    outlet: str | None = None  # None when unknown: never invented
    author: str | None = None
    published: date | None = None
    url: str | None = None
    tags: list[str] = field(default_factory=list)
    key: str = ""  # entry key inside a multi-article file ("" for single-article files)
    content_hash: str = ""

    def __post_init__(self) -> None:
        if not self.content_hash:
            self.content_hash = content_hash(self.title, self.paragraphs)

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)

    def to_json(self) -> dict:
        """The `brief show --json` shape."""
        return {
            "id": self.id,
            "title": self.title,
            "outlet": self.outlet,
            "author": self.author,
            "published": self.published.isoformat() if self.published else None,
            "url": self.url,
            "path": self.path,
            "tags": list(self.tags),
            "paragraphs": list(self.paragraphs),
        }


class ReadError(Exception):
    """A source file that cannot be turned into articles. ``str()`` names file and reason."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class SkipFile(ReadError):
    """A file deliberately not indexed, not a bad one (a card brief itself exported, for one).

    ``reason`` is the skip reason counted in the summary ("brief's own card export"); the indexer
    records the file as skipped, prints no problem line for it, and does not try it again until it changes.
    """


class ReaderUnavailable(ReadError):
    """The reader for this kind of file cannot run here: a package is missing or broken.

    Not the file's fault: the indexer reports ``setup`` once per run (not once per file), leaves the
    file out of the manifest so that the next run tries it again, and keeps any version indexed before.
    ``kind`` is the reader ("html", "feed", ...); ``setup`` is the one-line message naming the package
    and the fix.
    """

    def __init__(self, path: str, kind: str, setup: str) -> None:
        super().__init__(path, f"not read: the {kind} reader is unavailable")
        self.kind = kind
        self.setup = setup
