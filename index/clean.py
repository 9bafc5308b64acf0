"""Cleaning rules applied to every format's text.  (STUB: owned by the cleaning helper.)

Public API (stable; other modules rely on it):

- sanitize(text) -> str                 Unicode normalisation, control characters and terminal escapes dropped.
- split_paragraphs(text) -> list[str]   raw text -> paragraphs (blank-line or line-per-paragraph, hard wraps unwrapped).
- clean_paragraphs(paras) -> list[str]  every rule, in order, over already split paragraphs.
- clean_text(text) -> list[str]         sanitize + split_paragraphs + clean_paragraphs.
- safe_inline(text) -> str              one line of untrusted text made safe to print (no escapes, no newlines).
"""

from __future__ import annotations

import re
import unicodedata

_CONTROL = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def sanitize(text: str) -> str:
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _CONTROL.sub("", text)


def split_paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n|\n", text) if p.strip()]


def clean_paragraphs(paragraphs: list[str]) -> list[str]:
    out: list[str] = []
    for p in paragraphs:
        p = " ".join(sanitize(p).split())
        if p and p not in out:
            out.append(p)
    return out


def clean_text(text: str) -> list[str]:
    return clean_paragraphs(split_paragraphs(sanitize(text)))


def safe_inline(text: str) -> str:
    return " ".join(sanitize(text or "").split())
