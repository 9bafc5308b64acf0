"""Cleaning rules applied to every format's text.

Public API (stable; other modules rely on it):

- sanitize(text) -> str                 Unicode normalisation, control characters and terminal escapes dropped.
- split_paragraphs(text) -> list[str]   raw text -> paragraphs (blank-line or line-per-paragraph, hard wraps unwrapped).
- clean_paragraphs(paras) -> list[str]  every rule, in order, over already split paragraphs.
- clean_text(text) -> list[str]         sanitize + split_paragraphs + clean_paragraphs.
- safe_inline(text) -> str              one line of untrusted text made safe to print (no escapes, no newlines).

The rules are small functions ``list[str] -> list[str]``; ``RULES`` lists them in the order they run.
Cleaning removes page furniture (footers, credits, share prompts, tweet residue, repeats) and repairs what a
copy-paste broke, but never drops a sentence of the article itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from .sanitize import safe_inline, sanitize

__all__ = ["sanitize", "safe_inline", "split_paragraphs", "clean_paragraphs", "clean_text", "RULES", "is_furniture"]


def _collapse(text: str) -> str:
    return " ".join(text.split())


# --------------------------------------------------------------------------- split_paragraphs

_SENTENCE_END = re.compile(r"[.!?…:]['\"”’)\]]*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*•‣▪◦]\s+|\(?\d{1,2}[.)]\s+)")


def _first_word(line: str) -> str:
    return line.split(maxsplit=1)[0] if line.strip() else ""


def wrap_width(lines: list[str]) -> int | None:
    """The column the text was hard-wrapped at, or None when each line is a whole paragraph.

    In wrapped text the widest lines are 40-100 columns, the lines that break mid-sentence are mostly close
    to that width, and fewer than 70% of the lines followed by another one end a sentence.
    """
    lengths = sorted(len(line.rstrip()) for line in lines if line.strip())
    if len(lengths) < 3:
        return None
    typical = lengths[int(0.9 * (len(lengths) - 1))]
    width = max(n for n in lengths if n <= typical + 10)  # the widest line, unless it is an outlier (a URL)
    if not 40 <= width <= 100:
        return None
    followed = [a.rstrip() for a, b in zip(lines, lines[1:]) if a.strip() and b.strip()]
    mid_sentence = [a for a in followed if not _SENTENCE_END.search(a)]
    near_width = sum(len(a) >= 0.75 * width for a in mid_sentence)
    if near_width < 2 or near_width < 0.5 * len(mid_sentence):
        return None
    return width if len(followed) - len(mid_sentence) < 0.7 * len(followed) else None


def _breaks_before(current: list[str], line: str, width: int) -> bool:
    """True when ``line`` starts a new paragraph in hard-wrapped text."""
    prev = current[-1].rstrip()
    in_list = bool(_LIST_ITEM.match(current[0]))
    if _LIST_ITEM.match(line):
        return bool(in_list or _SENTENCE_END.search(prev) or prev.endswith(";") or len(prev) < 0.6 * width)
    if line[:1].isspace():
        return not in_list and not current[-1][:1].isspace()
    next_word_fits = len(prev) + 1 + len(_first_word(line)) <= width
    return next_word_fits and (bool(_SENTENCE_END.search(prev)) or len(prev) < 0.6 * width)


_WRAPPED_HYPHEN = re.compile(r"[^\W\d_]-$")


def _join_wrapped(lines: list[str]) -> str:
    pieces: list[str] = []
    tail = ""  # the end of what is joined so far (the hyphen rule looks at two characters)
    for line in (line.strip() for line in lines):
        if pieces and not _WRAPPED_HYPHEN.search(tail):
            pieces.append(" ")  # (a compound word wrapped at its hyphen is joined without one)
            tail += " "
        pieces.append(line)
        tail = (tail + line)[-2:]
    return _collapse("".join(pieces))


def split_paragraphs(text: str) -> list[str]:
    """Raw text -> paragraphs: blank lines and line ends separate them; hard-wrapped lines are joined."""
    lines = text.split("\n")
    width = wrap_width(lines)
    if width is None:
        return [_collapse(line) for line in lines if line.strip()]
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines:
        if current and (not line.strip() or _breaks_before(current, line, width)):
            paragraphs.append(_join_wrapped(current))
            current = []
        if line.strip():
            current.append(line)
    if current:
        paragraphs.append(_join_wrapped(current))
    return paragraphs


# --------------------------------------------------------------------------- rule helpers


@lru_cache(maxsize=4096)
def _key(text: str) -> str:
    """Comparison key: words only, case-folded (punctuation, quote styles and spacing ignored)."""
    return " ".join(re.findall(r"\w+", text.casefold()))


def _sub_tail(pattern: re.Pattern, text: str, size: int) -> str:
    """``pattern.sub("", ...)`` for a pattern anchored at the end that matches at most ``size`` characters."""
    if len(text) <= size:
        return pattern.sub("", text)
    return text[:-size] + pattern.sub("", text[-size:])


def _map_paragraphs(paragraphs: list[str], edit: Callable[[str], str]) -> list[str]:
    """Apply ``edit`` to each paragraph; edited ones are re-collapsed and dropped when empty."""
    out = []
    for p in paragraphs:
        edited = edit(p)
        if edited != p:
            edited = _collapse(edited)
        if edited:
            out.append(edited)
    return out


_TAIL = 16  # characters of the paragraph so far that the merge rules look at


def _merge_pairs(paragraphs: list[str], join: Callable[[str, str], str | None]) -> list[str]:
    """Merge each paragraph into the one before it when ``join(end_of_prev, next)`` returns the separator
    to put between them ("" or " "); ``end_of_prev`` is the last ``_TAIL`` characters of the paragraph
    merged so far. Linear however many paragraphs merge into one."""
    out: list[str] = []
    parts: list[str] = []
    tail = ""
    for p in paragraphs:
        sep = join(tail, p) if parts else None
        if sep is None:
            if parts:
                out.append("".join(parts))
            parts, tail = [p], p[-_TAIL:]
        else:
            parts += (sep, p)
            tail = (tail + sep + p)[-_TAIL:]
    if parts:
        out.append("".join(parts))
    return out


def _open_quote(text: str) -> str | None:
    """The opening quote mark left unclosed in ``text``, if any."""
    return _open_quote_of(_quote_counts(text))


def _quote_counts(text: str) -> list[int]:
    """[“ minus ”, straight quotes] of ``text``: kept up to date as paragraphs grow (see _open_quote_of)."""
    return [text.count("“") - text.count("”"), text.count('"')]


def _open_quote_of(counts: list[int]) -> str | None:
    if counts[0] > 0:
        return "“"
    if counts[1] % 2:
        return '"'
    return None


# --------------------------------------------------------------------------- rules


def normalise_paragraphs(paragraphs: list[str]) -> list[str]:
    """Sanitised, whitespace-collapsed, non-empty paragraphs without line breaks."""
    return [p for p in (_collapse(sanitize(p)) for p in paragraphs) if p]


_CREDIT_WORDS = r"(?:photo|photograph|image|picture|pictures|getty|credit|courtesy|shutterstock|afp|reuters|ap|epa)"
_TRAILING_CREDIT = re.compile(
    rf"(?<=[.!?\"”’)])\s*\|[^|]{{0,160}}\b{_CREDIT_WORDS}\b[^|]{{0,160}}(?:\|\s*)?$", re.IGNORECASE
)
_PAREN_CREDIT = re.compile(
    r"\s*\((?:(?:photo|image|picture)s?\s*(?:by\b|:|credits?\b|courtesy\b)[^()]{0,120}|[^()]{0,80}\b(?:getty images|ap photo|afp photo|reuters photo)"
    r"\b[^()]{0,60})\)",
    re.IGNORECASE,
)


_GLUED_CREDIT = re.compile(
    r"(?<=[.!?\"”’])\s+(?:photo|image|picture|photograph)s?(?:\s+credits?)?\s*:\s*[^.!?:]{1,80}$", re.IGNORECASE
)


def _strip_credits(p: str) -> str:
    if p.endswith("|") or "| " in p[-340:]:
        p = _sub_tail(_TRAILING_CREDIT, p, 340)
    if ":" in p[-100:]:
        p = _sub_tail(_GLUED_CREDIT, p, 100)  # "Lisk town hall under water. Photo: Civil Protection Directorate"
    return _PAREN_CREDIT.sub("", p) if "(" in p else p


def strip_photo_credits(paragraphs: list[str]) -> list[str]:
    """Remove credits glued to a sentence: "... attacked. | Pool photo by X/AFP |", "(Photo by X/Getty Images)"."""
    return _map_paragraphs(paragraphs, _strip_credits)


_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_BOILERPLATE = re.compile(
    r"""^(?:
      (?:labels?|tags?|filed\ under|categories|topics)\s*:.*
    | (?:\d+|no)\ comments?:?|comments?\ \(\d+\)|\d+\ (?:responses?|replies)
    | post\ a\ comment|leave\ a\ (?:comment|reply)|add\ a\ comment|view\ comments?|show\ comments?
    | <<\ ?home|home|newer\ posts?|older\ posts?|newer\ post\ older\ post\ home|previous\ post|next\ post
    | share|tweet|e-?mail|print|whatsapp|facebook|twitter|linkedin|reddit|copy\ link
    | share\ (?:this|on|via|the|article|story|post)\b.{0,60}
    | subscribe\b.{0,100}|sign\ up\b.{0,60}\b(?:newsletter|e-?mail|updates|alerts|free|here|today)\b.{0,40}
    | follow\ us\b.{0,80}|join\ our\b.{0,60}(?:channel|newsletter|community).{0,20}
    | (?:also\ read|read\ more|read\ also|related|recommended|more\ from\ .{1,30}|watch|listen)\b\s*[:|].{0,200}
    | read\ more|continue\ reading.{0,40}|click\ here\b.{0,100}
    | advertisement|sponsored(?:\ content)?|story\ continues\ below(?:\ advertisement)?|ad
    | featured[-_ ]?image|image|photo|placeholder|thumbnail|video
    | (?:image|photo|picture|video|featured\ image|header\ image|top\ image|cover\ image|photograph)
      \ ?(?:credits?|courtesy|source)?\s*:.{0,150}
    | (?:photo|image|picture)s?\ (?:by|courtesy\ of)\ [^.!?]{1,80}(?:/[^.!?]{1,40}\.?)?
    | \((?:photo|image|picture)s?\b.{0,120}\)
    | (?:©|\(c\)|copyright\s*(?:©\s*)?\d{4}).{0,120}|all\ rights\ reserved\.?
    | this\ (?:story|article)\ (?:has\ been|was)\ (?:published|generated|auto-generated)\ from\ .{0,120}
    | editor[’']?s\ note\s*:\s*this\ (?:[\w’'-]+\ ){0,4}(?:story|article|report|piece|copy)\b.{0,160}
    | this\ (?:story|article|report)\ (?:originally\ appeared|first\ appeared|was\ first\ published)\ (?:in|on)\b.{0,120}
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
_CAPTION = re.compile(r"\s(?:[A-Z][\w.&'’/-]*\s){1,4}\|$")


def drop_boilerplate(paragraphs: list[str]) -> list[str]:
    """Drop page furniture: blog footers, comment counters, share prompts, credits, placeholders, captions."""
    return [p for p in paragraphs if not (_BOILERPLATE.match(p) or (len(p) <= 400 and _CAPTION.search(p)))]


# Page furniture of scraped news pages, seen in multinews-dev: widgets, gallery counters, separators, photo
# captions and credits, "PHOTOS:" links, "Story highlights" / "CLOSE" labels. Whole paragraphs only; each
# alternative was measured on the real clusters (see tests/test_furniture.py).
_AGENCY = (r"(?:Getty\ Images|AFP|AP|Reuters|REUTERS|EPA|FilmMagic|WireImage|Splash\ News|iStock|Shutterstock"
           r"|Invision|Wikimedia(?:\ Commons)?|Instagram|NPR|Bloomberg|Associated\ Press|European\ Pressphoto\ Agency)")
_FURNITURE = re.compile(
    r"""^(?:
      [\W_]*                                                     # ___  ———  ***  |  .
    | tweet\ with\ a\ location|add\ a\ location\ to\ your\ tweets
    | (?:you\ can\ add\ location\ information\ to\ your\ tweets|when\ you\ tweet\ with\ a\ location,\ twitter).{0,300}
      \blearn\ more\.?
    | top\ of\ page|story\ continued\ below|(?:photo\ )?advertisement(?:\ advertisement)*
      (?:\ continue\ reading\ the\ main\ story)?|continue\ reading\ the\ main\ story
    | loading\ ?(?:…|\.\.\.)|text\ size(?:\ ?[-+])*|article\ tools|article\ excerpt|scroll\ down\ for\ video
    | latest\ headlines|comments|like\ this:\ like\ loading\.\.\.(?:\ related)?|\d+\ shares?\ share\ tweet
    | related\ (?:stories|story|content|links?|articles?|coverage)(?:\ on\ [\w.]+)?\ ?:?
    | see\ a\ mistake\?\ report\ a\ typo\ here\.?|submit\ your\ newswire\ tips\ here\.?
    | slideshow\ \(\d+\ images?\)|(?:image|photo|slide)?\ ?\d{1,3}\ of\ \d{1,3}
    | read\ or\ share\ this\ story:\ \S+|read\ more\ about:\ .{1,120}|permalink:\ \S+
    | click\ for\ more\ from\ \S+|follow\ [\w@.'’ ]{1,40}\ on\ twitter(?:,?\ @\w+)?\.?|twitter:\ @\w+
    | [\w.+-]+@[\w-]+\.[\w.]+|@\w{2,30}
    | \[related:[^\]]{1,120}\]|\(also\ on\ [\w ]{1,30}:[^()]{1,120}\)
    | (?:posted|updated|first\ posted|published)(?:(?:\ (?:on|at))?:?\ (?:(?:mon|tue|wed|thu|fri|sat|sun)\w*,?\ )?
      (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|\d)[\w,.:]*(?:\ [\w,.:]+){0,7})?
    | media\ playback\ is\ unsupported\ on\ your\ device.{0,400}
    | (?:i\ )*i?(?:image\ copyright|image\ caption|media\ caption|toggle\ caption|hide\ caption)\b.{0,300}
    | enlarge\ (?:this\ )?image\b.{0,2000}                     # a gallery's captions, one after another
    | view\ images\ .{0,600}                                   # National Geographic's caption
    | ×\ close\b.{0,200}
    | starting\ in\ 1996,\ alexa\ internet\ has\ been\ donating\ their\ crawl\ data\ to\ the\ internet\ archive\b.{0,300}
    | this\ is\ a\ set\ of\ web\ collections\ curated\ by\ .{0,200}\barchive-it\ service\b.{0,800}
    | these\ crawls\ are\ part\ of\ an\ effort\ to\ archive\ pages\b.{0,1200}
    | warczone\ is\ a\ collection\ of\ outsider-uploaded\ warcs\b.{0,800}   # web-archive notices, not the page
    | sorry,\ the\ page\ you\ requested\ was\ not\ found\.?|click\ here\ to\ go\ to\ the\ home\ page\.?
    | you\ must\ enter\ the\ characters\ with\ black\ color\ that\ stand\ out\ from\ the\ other\ characters
    | message:\ \*\ a\ friend\ wanted\ you\ to\ see\ this\ item\ from\ .{1,200}
    | please\ check\ the\ url\ for\ proper\ spelling\ and\ capitalization\b.{0,500}
    | please\ try\ yahoo!\ help\ central\b.{0,100}|search\ the\ web\ advanced\ search\ \|\ most\ popular
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
_FURNITURE_CASED = re.compile(
    rf"""^(?:
      (?:PHOTOS?|VIDEOS?|GALLERY|SLIDESHOW|INTERACTIVE|WATCH|LISTEN)\s?:\s?(?:(?![.!?]\s).){{1,100}}  # PHOTOS: Occupy L.A.
    | [A-Z][A-Z.'’-]+(?:\ [A-Z][A-Z.'’-]+){{0,3}}\ ?\|                # CAIRO |
    | FILE\ [-–—]\ (?:In\ this|This|An?\ )[^|]{{10,600}}              # FILE - In this Aug. 15, 2014 file photo, ...
    | CLOSE\ [A-Z].{{10,500}}                                          # USA Today's video blurb
    | {_AGENCY}(?:\ [A-Z][\w.'’-]*){{0,3}}                              # Getty Images Elon Musk / AFP
    | [A-Z][\w.'’-]*(?:\ [A-Z][\w.'’-]*){{0,3}}\ ?/\ ?(?:[\w.'’-]+\ ?/\ ?)?{_AGENCY}(?:\ for\ [\w ]{{1,30}})?\.?  # Name/Getty Images
    | (?:By|Photograph\ by|Photo\ by)\ [A-Z][\w.'’ -]{{1,40}}/{_AGENCY}\.?
    | Photograph\ by\ [A-Z][\w.'’ /-]{{1,60}}\.?                       # Photograph by NASA
    | Courtesy\ (?:of\ )?[A-Z][\w.'’-]*(?:\ [A-Z][\w.'’-]*){{0,3}}
    | \(\s?(?:{_AGENCY}|AP\ Photo[^()]{{0,60}})\s?\)
    | ['‘"“]?[A-Z][^()]{{10,400}}[.!]?\ \((?:AP\ Photo|Photo:)[^()]{{1,80}}\)    # a caption: "..., in 2014. (AP Photo/X)"
    | [A-Z][^()]{{10,400}}\.\.\.\ \((?:Associated\ Press|AP|Reuters|AFP|European\ Pressphoto\ Agency)\)
    | [A-Z][^|]{{10,400}}\ REUTERS/[A-Z][\w.'’ -]{{1,40}}                # Reuters caption credit
    | [A-Z][^|]{{10,400}}\ in\ this\ (?:file\ |handout\ )?(?:photo|picture|image)\ (?:taken|dated)\ (?:on\ )?
      [A-Z][a-z]{{2,8}}\.?\ \d{{1,2}},\ \d{{4}}\.?                      # "..., France in this file photo taken January 24, 2013." 
    )$""",
    re.VERBOSE,
)


def is_furniture(paragraph: str) -> bool:
    """True when the whole paragraph is page furniture (a widget, counter, caption, credit or link line)."""
    return len(paragraph) <= 2500 and bool(_FURNITURE.match(paragraph) or _FURNITURE_CASED.match(paragraph))


def drop_page_furniture(paragraphs: list[str]) -> list[str]:
    """Drop page furniture of scraped pages: "Tweet with a location", "1 of 6", "___", "PHOTOS: ...",
    "CAIRO |", "FILE - In this ... file photo", photo captions ending in their credit, "Name/Getty Images"."""
    return [p for p in paragraphs if not is_furniture(p)]


_FURNITURE_PREFIX = re.compile(
    r"^(?:Story\ highlights\ |Buy\ Photo\ |(?:[A-Z][\w.'’-]*\ ){1,3}/\ (?:Splash\ News|Getty\ Images|FilmMagic|WireImage)\ )(?=[A-Z\"“‘'])",
    re.VERBOSE,
)


def strip_furniture_prefix(paragraphs: list[str]) -> list[str]:
    """Strip a label glued before the first sentence: "Story highlights Trump's comments...", "Neil Warner /
    Splash News Britney Spears' handlers..."."""
    return _map_paragraphs(paragraphs, lambda p: _FURNITURE_PREFIX.sub("", p, count=1) if p[:1].isupper() else p)


_ABOUT_AUTHOR = re.compile(r"^about the (?:author|writer|contributor)(s?)\s*:?\s*(.*)$", re.IGNORECASE)
_BIO = re.compile(r"^[A-Z][\w.'’-]*(?:\s+[\w.'’-]+){0,4}\s+(?:is|was|has|serves|writes|covers|reports|joined)\b")


def drop_author_bio(paragraphs: list[str]) -> list[str]:
    """Drop an "About the Author" heading and the bio after it (or a one-paragraph "About the Author: ...").

    After "About the Authors" the following paragraphs that read as bios go too."""
    out: list[str] = []
    skip_next = plural = False
    for p in paragraphs:
        heading = _ABOUT_AUTHOR.match(p)
        if heading:
            skip_next, plural = not heading.group(2), bool(heading.group(1))
        elif skip_next or (plural and _BIO.match(p)):
            skip_next = False
        else:
            plural = False
            out.append(p)
    return out


_FOOTER = re.compile(
    r"(?:^|(?<=[.!?\"”’)]))\s*(?:\(?\s*with\ (?:inputs?\ from\ [\w\ ,&]{1,60}?|agency\ inputs)\s*\.?\s*\)?"
    r"|\((?:reporting|writing|additional\ reporting)\ by\ [^()]{1,200}\))\s*\.?$",
    re.IGNORECASE | re.VERBOSE,
)


def _strip_footer(p: str) -> str:
    tail = p[-260:].lower()
    return _sub_tail(_FOOTER, p, 260) if "with " in tail or "by " in tail else p


def strip_footers(paragraphs: list[str]) -> list[str]:
    """Strip wire footers glued to a paragraph: "With inputs from agencies.", "(Reporting by X; Editing by Y)"."""
    return _map_paragraphs(paragraphs, _strip_footer)


_TWEET_LINK = re.compile(r"\s*(?:\bpic\.twitter\.com/\w+|https?://t\.co/\w+)")
_TWEET_ATTRIBUTION = re.compile(rf"(?:^|\s+)[—–-]\s+[^()—–]{{1,60}}\(@\w{{1,30}}\)\s+{_MONTH}\s+\d{{1,2}},\s+\d{{4}}$", re.I)


def _strip_split_tweet_link(prev: str, nxt: str) -> tuple[str, str]:
    if re.search(r"\bpic\.$", prev[-5:]) and re.match(r"twitter\.com/\w+", nxt):
        return prev[:-4].rstrip(), re.sub(r"^twitter\.com/\w+\s*", "", nxt)
    return prev, nxt


def strip_tweet_residue(paragraphs: list[str]) -> list[str]:
    """Remove embedded-tweet leftovers: pic.twitter.com links (also split as "pic." + "twitter.com/x"), t.co
    links and the "— Name (@handle) October 20, 2024" attribution."""
    paragraphs = list(paragraphs)
    for i in range(len(paragraphs) - 1):
        paragraphs[i], paragraphs[i + 1] = _strip_split_tweet_link(paragraphs[i], paragraphs[i + 1])

    def strip(p: str) -> str:
        if "pic.twitter.com/" in p or "t.co/" in p:
            p = _TWEET_LINK.sub("", p)
        return _sub_tail(_TWEET_ATTRIBUTION, p, 120) if "(@" in p[-120:] else p

    return _map_paragraphs(paragraphs, strip)


def repair_split_decimal(paragraphs: list[str]) -> list[str]:
    """Rejoin a number split at its decimal point: "as many as 4." + "8 million shells" -> "4.8 million"."""

    def join(prev: str, nxt: str) -> str | None:
        if re.search(r"(?<![\d.,])\d{1,3}\.$", prev[-6:]) and re.match(r"\d{1,3}(?:[.,]\d+)?\s*(?:%|[a-z])", nxt):
            return ""
        if prev[-1:].isdigit() and re.match(r"\.\d", nxt):
            return ""
        return None

    return _merge_pairs(paragraphs, join)


def repair_split_ellipsis(paragraphs: list[str]) -> list[str]:
    """Rejoin an ellipsis split across paragraphs: "We can't film them." + ".. Here are" -> "them... Here are"."""

    def join(prev: str, nxt: str) -> str | None:
        tail = re.search(r"(?<!\.)\.{1,2}$", prev[-3:])
        head = re.match(r"\.{1,2}(?!\.)", nxt)
        if tail and head and len(tail.group()) + len(head.group()) == 3:
            return ""
        return None

    return _merge_pairs(paragraphs, join)


def repair_leading_close_quote(paragraphs: list[str]) -> list[str]:
    """A closing quote mark alone at the start of a paragraph goes back to the end of the one before."""
    out: list[list[str]] = []  # each paragraph as its parts (marks are added to the last one)
    counts: list[int] = []  # _quote_counts of the last paragraph in ``out``
    for p in paragraphs:
        stray = re.match(r"([\"”])(?:\s+|$)", p)
        rest = p[stray.end():] if stray else p
        if out and stray and (stray.group(1) == "”" or rest.count('"') % 2 == 0):
            mark = "”" if _open_quote_of(counts) == "“" else stray.group(1)
            out[-1].append(mark)
            if mark == "”":
                counts[0] -= 1
            else:
                counts[1] += 1
            if rest:
                out.append([rest])
                counts = _quote_counts(rest)
        else:
            out.append([p])
            counts = _quote_counts(p)
    return ["".join(parts) for parts in out]


def repair_unclosed_quote(paragraphs: list[str]) -> list[str]:
    """Join a paragraph that leaves a “quote open to the next one when that one closes it before opening any."""
    out: list[list[str]] = []
    counts: list[int] = []  # _quote_counts of the paragraph being built (the last in ``out``)
    for p in paragraphs:
        first_curly = _CURLY.search(p)
        if (out and _open_quote_of(counts) == "“" and not p.startswith(("“", '"'))
                and first_curly and first_curly.group() == "”"):
            out[-1] += (" ", p)
            added = _quote_counts(p)
            counts = [counts[0] + added[0], counts[1] + added[1]]
        else:
            out.append([p])
            counts = _quote_counts(p)
    return ["".join(parts) for parts in out]


_CURLY = re.compile(r"[“”]")


def repair_lowercase_continuation(paragraphs: list[str]) -> list[str]:
    """A paragraph starting with a lowercase word continues the previous one if that did not end a sentence
    (a quote closed after a comma, ``…by the mill,”``, has not: its speaker follows)."""

    def join(prev: str, nxt: str) -> str | None:
        ended = re.search(r"[.!?…:;\"”’)\]|]$", prev) and not re.search(r"[,—–][\"”’]$", prev)
        if re.match(r"[a-z]+[\s,;:’'-]", nxt[:64] + " ") and not ended:
            return " "
        return None

    return _merge_pairs(paragraphs, join)


_QUOTE = re.compile(r"\"[^\"]+\"|“[^“”]+”")
_BETWEEN_QUOTES = re.compile(r"[^\"“]*")
_NOT_A_SPEAKER = re.compile(r"\b(?:said|says|told|added|asked|according|wrote|writes)\b|[.!?:;\"“”]$", re.I)


def _speaker_like(text: str) -> bool:
    return bool(text[:1].isupper()) and len(text.split()) <= 15 and not _NOT_A_SPEAKER.search(text)


def _quote_cluster(paragraph: str) -> list[tuple[list[str], str]] | None:
    """Parse ``"Q1.""Q2."Speaker"Q3."Speaker2`` into [(quotes, speaker), ...]; None if it is not such a cluster."""
    groups: list[tuple[list[str], str]] = []
    quotes: list[str] = []
    pos, glued = 0, False
    while pos < len(paragraph):
        quote = _QUOTE.match(paragraph, pos)
        if not quote:
            return None
        quotes.append(quote.group())
        pos = quote.end()
        between = _BETWEEN_QUOTES.match(paragraph, pos).group()
        pos += len(between)
        if between.strip():
            if between[0].isspace() or not _speaker_like(between.strip()):
                return None
            groups.append((quotes, between.strip()))
            quotes, glued = [], True
        elif not between and pos < len(paragraph):
            glued = True
    if quotes:
        groups.append((quotes, ""))
    return groups if glued else None


def separate_quote_clusters(paragraphs: list[str]) -> list[str]:
    """Split glued quote clusters into one paragraph per speaker: ``"Q1." "Q2." — Speaker``."""
    out: list[str] = []
    for p in paragraphs:
        groups = _quote_cluster(p)
        if groups is None:
            out.append(p)
            continue
        for quotes, speaker in groups:
            out.append(" ".join(quotes) + (f" — {speaker}" if speaker else ""))
    return out


_SPACE_BEFORE_PUNCTUATION = re.compile(r"(\w) +([,.;:!?])(?=[\s\"”’)]|$)")
_SPACE_THEN_PUNCTUATION = re.compile(r" [,.;:!?]")


def _tighten(p: str) -> str:
    return _SPACE_BEFORE_PUNCTUATION.sub(r"\1\2", p) if _SPACE_THEN_PUNCTUATION.search(p) else p


def repair_space_before_punctuation(paragraphs: list[str]) -> list[str]:
    """Remove the space a stripped link leaves before punctuation: "told BBC , adding" -> "told BBC, adding"."""
    return _map_paragraphs(paragraphs, _tighten)


_REPEAT_CANDIDATES = 50  # paragraphs starting like the first that drop_repeated_article compares at most


def drop_repeated_article(paragraphs: list[str]) -> list[str]:
    """Drop a second copy of the whole article pasted after the first (however its paragraphs are split)."""
    keys = [_key(p) for p in paragraphs]
    if len(keys) < 2:
        return paragraphs
    joined = " ".join(keys)  # = head + " " + tail, for the paragraphs before k and from k on
    start, tried = 0, 0
    for k in range(1, len(paragraphs)):
        start += len(keys[k - 1]) + 1
        if not keys[k] or keys[k][:40] != keys[0][:40]:
            continue
        tried += 1
        if tried > _REPEAT_CANDIDATES:  # not an article pasted twice, but one saying the same thing often
            break
        head_len, tail_len = start - 1, len(joined) - start
        if (tail_len == head_len or 200 <= tail_len < head_len) and joined.startswith(joined[start:]):
            return paragraphs[:k]
    return paragraphs


def _split_copy_length(keys: list[str], whole: int, start: int, step: int) -> int:
    """How many paragraphs from ``start`` (walking by ``step``) together repeat paragraph ``whole``; 0 if none.

    The paragraphs' keys, joined by spaces in reading order, must spell ``keys[whole]`` exactly; they are
    compared one by one in place (no joined copy), and the walk stops at the first that does not fit."""
    target = keys[whole]
    done, count, i = 0, 0, start  # ``done`` characters of ``target`` spelled so far (from its start or end)
    while 0 <= i < len(keys) and done < len(target):
        key = keys[i]
        count, i = count + 1, i + step
        if not key:
            continue
        if step > 0:
            piece = f" {key}" if done else key
            if not target.startswith(piece, done):
                return 0
        else:
            piece = f"{key} " if done else key
            if not target.endswith(piece, 0, len(target) - done):
                return 0
        done += len(piece)
    return count if count >= 2 and done == len(target) else 0


def drop_repeated_lede(paragraphs: list[str]) -> list[str]:
    """A paragraph repeated as several shorter paragraphs (or the reverse) appears once: the first copy stays."""
    keys = [_key(p) for p in paragraphs]
    drop: set[int] = set()
    for i in range(len(keys)):
        if i in drop or not keys[i]:
            continue
        after = _split_copy_length(keys, i, i + 1, 1)
        drop.update(range(i + 1, i + 1 + after))
        if not after and _split_copy_length(keys, i, i - 1, -1):
            drop.add(i)
    return [p for i, p in enumerate(paragraphs) if i not in drop]


def drop_duplicate_paragraphs(paragraphs: list[str]) -> list[str]:
    """Drop a paragraph (of 20+ characters) already seen, comparing words only; the first copy stays."""
    seen: set[str] = set()
    out = []
    for p in paragraphs:
        key = _key(p)
        if len(p) >= 20 and key in seen:
            continue
        seen.add(key)
        out.append(p)
    return out


RULES: tuple[Callable[[list[str]], list[str]], ...] = (
    normalise_paragraphs,
    drop_page_furniture,
    strip_furniture_prefix,
    strip_photo_credits,
    drop_boilerplate,
    drop_author_bio,
    strip_footers,
    strip_tweet_residue,
    repair_split_decimal,
    repair_split_ellipsis,
    repair_leading_close_quote,
    repair_unclosed_quote,
    repair_lowercase_continuation,
    separate_quote_clusters,
    repair_space_before_punctuation,
    drop_repeated_article,
    drop_repeated_lede,
    drop_duplicate_paragraphs,
)


def clean_paragraphs(paragraphs: list[str]) -> list[str]:
    """Every rule, in order, over already split paragraphs."""
    for rule in RULES:
        paragraphs = rule(paragraphs)
    return paragraphs


def clean_text(text: str) -> list[str]:
    """Raw text -> cleaned paragraphs."""
    return clean_paragraphs(split_paragraphs(sanitize(text)))
