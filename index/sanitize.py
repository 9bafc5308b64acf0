"""Making untrusted text safe: control characters, terminal escapes and invisible characters removed.

Kept apart from index.clean so that printing a line of article text (every `brief` command does)
does not pay for compiling the cleaning rules.
"""

from __future__ import annotations

import os
import re

_unicodedata = None  # imported on the first non-ASCII text (a cold `brief search` may print none)

_ANY_TROUBLE = re.compile(
    r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u00a0\u00ad\u061c\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\ud800-\udfff\ufeff\ufff9-\ufffb]"
)
_RULES = None  # compiled on the first text that needs them (most text never does)


def _rules():
    global _RULES
    if _RULES is None:
        _RULES = (
            re.compile(r"\r\n?|[\x0b\x0c\x85\u2028]"),  # line breaks
            re.compile(  # terminal escapes
                r"(?:\x1b\]|\x9d)[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"  # OSC: titles, hyperlinks (terminated or not)
                r"|(?:\x1b[PX^_]|[\x90\x98\x9e\x9f])[^\x1b\x9c\n]*(?:\x1b\\|\x9c)?"  # DCS, SOS, PM, APC strings
                r"|(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor movement
                r"|\x1b[ -/]*[0-~]"  # other escape sequences
                r"|\x1b"  # a bare ESC
            ),
            re.compile(r"[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]"),  # odd spaces
            re.compile(r"[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]"),
            re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]"),  # control characters
            re.compile(r"[\ud800-\udfff]"),  # lone surrogates (a JSON "\\ud800" escape): not encodable as UTF-8
        )
    return _RULES


def sanitize(text: str) -> str:
    """NFC text with plain spaces and LF line ends; no control characters, escapes or invisible characters.

    Lone surrogates (a JSON ``"\\ud800"`` escape, a file name's undecodable bytes) become U+FFFD, so that
    the text can always be encoded as UTF-8 (by Whoosh, by a terminal)."""
    global _unicodedata
    if _unicodedata is None and not text.isascii():
        import unicodedata as _unicodedata
    if not _ANY_TROUBLE.search(text):  # the common case, fast
        if text.isascii():  # ASCII is NFC already
            return text
        return text if _unicodedata.is_normalized("NFC", text) else _unicodedata.normalize("NFC", text)
    line_breaks, escapes, odd_spaces, invisible, controls, surrogates = _rules()
    text = surrogates.sub("\ufffd", text)
    text = line_breaks.sub("\n", text).replace("\u2029", "\n\n")
    text = escapes.sub("", text)
    text = odd_spaces.sub(" ", text)
    text = controls.sub("", invisible.sub("", text))
    return text if text.isascii() else _unicodedata.normalize("NFC", text)


def safe_inline(text: str) -> str:
    """One line of untrusted text made safe to print in a terminal."""
    return " ".join(sanitize(text or "").split())


def display_path(path: str) -> str:
    """A file path as it may be printed: undecodable bytes of the name (kept by the OS as lone
    surrogates) shown as ``\\xff`` escapes, control characters and escapes removed, on one line."""
    path = os.fspath(path)
    if not path.isascii():
        # how surrogateescape keeps a byte that is not UTF-8 (compiled here: a cold search may print no path)
        path = re.sub("[\udc80-\udcff]", lambda m: f"\\x{ord(m.group()) - 0xDC00:02x}", path)
    return safe_inline(path)  # any other lone surrogate becomes U+FFFD


def unsurrogate(text: str) -> str:
    """``text`` as valid Unicode: the undecodable bytes of a file name (kept by the OS as lone
    surrogates) as ``\\xff`` escapes, as display_path shows them; any other lone surrogate as ``\\ud800``."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
