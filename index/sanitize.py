"""Making untrusted text safe: control characters, terminal escapes and invisible characters removed.

Kept apart from index.clean so that printing a line of article text (every `brief` command does)
does not pay for compiling the cleaning rules.
"""

from __future__ import annotations

import re
import unicodedata

_ESCAPES = re.compile(
    r"(?:\x1b\]|\x9d)[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"  # OSC: titles, hyperlinks (terminated or not)
    r"|(?:\x1b[PX^_]|[\x90\x98\x9e\x9f])[^\x1b\x9c\n]*(?:\x1b\\|\x9c)?"  # DCS, SOS, PM, APC strings
    r"|(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor movement
    r"|\x1b[ -/]*[0-~]"  # other escape sequences
    r"|\x1b"  # a bare ESC
)
_LINE_BREAKS = re.compile(r"\r\n?|[\x0b\x0c\x85\u2028]")
_ODD_SPACES = re.compile(r"[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_INVISIBLE = re.compile(r"[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]")
_CONTROLS = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")
_ANY_TROUBLE = re.compile(
    r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u00a0\u00ad\u061c\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\ufeff\ufff9-\ufffb]"
)


def sanitize(text: str) -> str:
    """NFC text with plain spaces and LF line ends; no control characters, escapes or invisible characters."""
    if not _ANY_TROUBLE.search(text):  # the common case, fast
        return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)
    text = _LINE_BREAKS.sub("\n", text).replace("\u2029", "\n\n")
    text = _ESCAPES.sub("", text)
    text = _ODD_SPACES.sub(" ", text)
    text = _CONTROLS.sub("", _INVISIBLE.sub("", text))
    return unicodedata.normalize("NFC", text)


def safe_inline(text: str) -> str:
    """One line of untrusted text made safe to print in a terminal."""
    return " ".join(sanitize(text or "").split())
