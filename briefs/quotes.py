"""Direct quotes of an article, with their speaker.

Shapes understood (Q is the quote, X the speaker):
- ``"Q," X said`` / ``"Q," said X, the ...`` / ``"Q," X told Y`` / ``"Q," X was quoted as saying``;
- ``X said: "Q"`` / ``X told Y: "Q"`` / ``X told Y, "Q"`` / ``X was quoted as telling Y, "Q"``;
- a run of quotes with the speaker after it: ``"Q1." "Q2." — X`` (how cleaning reshapes a pasted
  cluster) or glued ``"Q1.""Q2."X`` (the raw paste);
- a follow-on quote after an attributed one (``"Q1," said X. "Q2."``) keeps its speaker;
- a quote that continues into the next paragraph (the paragraph ends inside the quote and the next
  starts with an opening quote) is one quote per paragraph, with one speaker;
- a pronoun speaker ("he said") is the last person named before the quote;
- a role alone (``"Q," the defence secretary.``) is the one person with that role.
A quote whose speaker is not clear keeps ``speaker`` None: never guessed. Quotes of fewer than
three words ("thousands", "red lines") are scare quotes, not quotes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .entities import PRONOUNS, Entities, attribution_spans, relayed_by, split_role

__all__ = ["Quote", "find_quotes", "MIN_WORDS"]

MIN_WORDS = 3


@dataclass(frozen=True, slots=True)
class Quote:
    text: str  # without quote marks or a trailing comma
    speaker: str | None
    role: str | None
    paragraph_index: int
    start: int = 0  # offset of the quote's text in its paragraph
    via: str | None = None  # the outlet the speaker said it to ("..., Budanov told The War Zone")


@dataclass(slots=True)
class _Span:
    paragraph: int
    open_at: int  # offset of the opening mark
    close_at: int | None  # offset of the closing mark; None when the paragraph ends inside the quote
    text: str


_OPEN = "“\""
_MARKS = re.compile(r"[“”\"]")
_CLOSE = "”\""


def _spans(paragraph: str, p: int, continuing: bool) -> list[_Span]:
    """Double-quoted spans of one paragraph; ``continuing``: the paragraph opens inside a quote."""
    spans: list[_Span] = []
    inside = None
    for match in _MARKS.finditer(paragraph):
        i, ch = match.start(), match.group(0)
        if inside is None:
            if ch == "“" or (ch == "\"" and _opens(paragraph, i)):
                inside = i
            elif ch == "”" and not spans and continuing and i > 0:
                # the quote that continued from the previous paragraph closes here without reopening
                spans.append(_Span(p, -1, i, paragraph[:i]))
        elif ch in _CLOSE and not (ch == "\"" and _opens(paragraph, i) and not _closes(paragraph, i)):
            spans.append(_Span(p, inside, i, paragraph[inside + 1:i]))
            inside = None
    if inside is not None:
        spans.append(_Span(p, inside, None, paragraph[inside + 1:]))
    return spans


def _opens(text: str, i: int) -> bool:
    """A straight quote opens when it follows the start, a space, a bracket or a dash, or another quote."""
    return i == 0 or text[i - 1].isspace() or text[i - 1] in "([{—–-:\"”"


def _closes(text: str, i: int) -> bool:
    return i + 1 >= len(text) or not text[i + 1].isalnum() or text[i - 1] in ".,!?…"


def _words(text: str) -> int:
    return len(re.findall(r"[^\W_]+", text))


# -------------------------------------------------------------------------------------- speakers

_DASH_SPEAKER = re.compile(r"^\s*[—–]\s*(?P<who>[^\"“”]{2,160}?)\s*$")
_GLUED_SPEAKER = re.compile(r"^(?P<who>[A-Z][^\"“”]{1,160}?)\s*(?=[\"“]|$)")
_CALLED = re.compile(r"^\s*(?P<who>[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*){0,5})\s+(?:has\s+|had\s+|also\s+)?"
                     r"(?:called|described|dubbed|branded|labelled|labeled)\b")
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")


@dataclass(frozen=True, slots=True)
class _Named:
    """A speaker named only by a cue: a name, no known role."""

    name: str
    role: str | None = None


_GENERIC_SOURCE = frozenset({"officials", "official", "spokesman", "spokeswoman", "spokesperson", "service",
                             "sources", "source", "office", "people", "staff"})


class _Resolver:
    """Turns a speaker as written ("Lt Gen Kyrylo Budanov", "he", "the British Defense Secretary")
    into a (name, role) pair using the article's entities and where people were last named."""

    def __init__(self, entities: Entities, paragraphs: list[str]) -> None:
        self.entities = entities
        forms: list[tuple[str, object]] = []
        for person in entities.people:
            names = {person.name, *person.aliases}
            words = person.name.split()
            if len(words) > 1:
                names.add(words[-1])
            for name in names:
                forms.append((name, person))
        self.mentions: list[tuple[int, int, object]] = []  # (paragraph, offset, person)
        person_of = {name: person for name, person in forms}
        names = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(n) for n in sorted(person_of, key=len, reverse=True))
                           + r")(?![\w-])") if person_of else None
        masked = [_mask_quotes(paragraph) for paragraph in paragraphs]
        for p, outside in enumerate(masked):
            if names is None:
                break
            for m in names.finditer(outside):
                self.mentions.append((p, m.start(), person_of[m.group(0)]))
        # speakers named by a cue but not recognised as people ("..., Dora, said she had") count as mentions
        known = {_key(n) for n, _ in forms} | {_key(o.name) for o in entities.organizations} \
            | {_key(pl.name) for pl in entities.places}
        for p, outside in enumerate(masked):
            for off, who in attribution_spans(outside):
                name = who.strip()
                if _looks_like_name(name) and len(name.split()) <= 3 and _key(name) not in known \
                        and not any(_key(name) in k.split() for k in known):
                    self.mentions.append((p, off - 1, _Named(name)))
        self.mentions.sort(key=lambda x: (x[0], x[1]))

    def last_person(self, paragraph: int, offset: int):
        best = None
        for p, off, person in self.mentions:
            if (p, off) < (paragraph, offset):
                best = person
            else:
                break
        return best

    def resolve(self, raw: str | None, paragraph: int, offset: int) -> tuple[str | None, str | None]:
        if not raw:
            return None, None
        raw = raw.strip(" ,.;:")
        if raw.lower() in PRONOUNS:
            person = self.last_person(paragraph, offset)
            return (person.name, person.role) if person else (None, None)
        person = self._person(raw)
        if person:
            return person.name, person.role
        for org in self.entities.organizations:
            if _key(raw) in {_key(n) for n in (org.name, *org.aliases)}:
                return org.name, None
        if raw[:1].islower() or re.match(r"(?i)the\s", raw):
            described = self.described(raw)
            if described:
                return described
        name, role = _name_and_role(raw)
        if name and _looks_like_name(name):
            return name, role
        if raw[:1].isupper() and len(raw.split()) <= 6 and not re.match(r"(?i)the\b", raw):
            return raw, None  # "American officials", "Seoul"
        return None, None

    def described(self, raw: str) -> tuple[str, str | None] | None:
        """"the minister" -> the one person with that role; "civil protection officials" / "the authority"
        -> the one organisation whose name holds those words."""
        bare = re.sub(r"(?i)^the\s+", "", raw.strip())
        wanted = {w for w in _key(bare).split() if w not in _GENERIC_SOURCE}
        orgs = [o for o in self.entities.organizations
                if wanted and wanted <= set(_key(o.name).replace("(", " ").replace(")", " ").split())]
        if len(orgs) == 1:
            return orgs[0].name, None
        person = self.entities.find_by_role(bare)
        if person:
            return person.name, person.role
        return None

    def _person(self, raw: str):
        ents = self.entities
        person = ents.find_person(raw)
        if person:
            return person
        name, _ = _name_and_role(raw)
        if name:
            person = ents.find_person(name)
            if person:
                return person
        return None


def _key(text: str) -> str:
    return " ".join(re.sub(r"[’']s\b|[.’']", "", text).lower().replace("the ", " ").split())


_POST = re.compile(r"\s+(?:MP|MEP|PhD|OBE|MBE|KC|QC)\b\.?$")


def _name_and_role(raw: str) -> tuple[str | None, str | None]:
    """("Valeriy Ryabykh", "editor, Ukrainian publication Defence Express") from the comma form;
    ("Jean-Noël Barrot", "France's Foreign Minister") from the role-first form."""
    raw = _POST.sub("", raw.strip())
    if " of " in raw and "," not in raw:  # "Captain Emil Dorn of the Civil Protection Directorate"
        head, rest = raw.split(" of ", 1)
        role, name = split_role(head.split())
        if role and name and _looks_like_name(" ".join(name)):
            return " ".join(name), f"{role}, {re.sub(r'^the ', '', rest)}"
    if "," in raw:
        head, rest = raw.split(",", 1)
        head = head.strip()
        if _looks_like_name(head):
            return head, re.sub(r"^(?:a|an|the)\s+", "", rest.strip(" ,")) or None
        raw = head
    words = raw.split()
    role, name = split_role(words)
    if role:
        return " ".join(name), role
    return (raw if _looks_like_name(raw) else None), None


_NOT_NAME = frozenset("""
the a an this that these those it he she they we i you there here but and so yet however meanwhile
officials analysts experts sources media reports statement video footage report
""".split())


def _looks_like_name(text: str) -> bool:
    words = text.split()
    if not 1 <= len(words) <= 5:
        return False
    if words[0].lower() in _NOT_NAME:
        return False
    return all(w[:1].isupper() or w.lower() in ("de", "van", "von", "al", "bin", "da", "jr") for w in words)


def _mask_quotes(paragraph: str) -> str:
    """The paragraph with quoted text blanked out (same length), so names inside quotes are not mentions."""
    out = list(paragraph)
    for span in _spans(paragraph, 0, False):
        start = span.open_at + 1
        end = span.close_at if span.close_at is not None else len(paragraph)
        for i in range(max(start, 0), end):
            out[i] = " "
    return "".join(out)


def _tail(paragraph: str, after: int) -> str:
    """Text after a closing quote up to the next quote or the end of its sentence."""
    rest = paragraph[after:]
    cut = len(rest)
    m = re.search(r"[“\"]", rest)
    if m:
        cut = m.start()
    end = _SENTENCE_END.search(rest[:cut])
    return rest[:end.end()] if end else rest[:cut]


def _lead(paragraph: str, before: int, floor: int) -> str:
    """Text before an opening quote, back to the previous quote or the start of its paragraph."""
    return paragraph[floor:before]


def _first_attribution(text: str) -> str | None:
    found = attribution_spans(text)
    return found[0][1] if found else None


def _last_attribution(text: str) -> str | None:
    found = attribution_spans(text)
    return found[-1][1] if found else None


def _role_only(tail: str) -> str | None:
    """``,” the British Defense Secretary.``: a role and nothing else after the quote."""
    m = re.match(r"^\s*,?\s*(the\s+[A-Za-z][\w’'\- ]{2,80}?)\s*[.,]?\s*$", tail)
    return m.group(1) if m else None


# ------------------------------------------------------------------------------------------ main

def find_quotes(paragraphs: list[str], entities: Entities, resolver: _Resolver | None = None) -> list[Quote]:
    """Every direct quote of at least MIN_WORDS words, in order, with speaker and role when clear."""
    resolver = resolver or _Resolver(entities, paragraphs)
    spans: list[_Span] = []
    continuing = False
    for p, paragraph in enumerate(paragraphs):
        starts_open = continuing and paragraph[:1] in _OPEN
        found = _spans(paragraph, p, continuing and not starts_open)
        spans.extend(found)
        continuing = bool(found) and found[-1].close_at is None
    groups = _groups(spans, paragraphs)
    quotes: list[Quote] = []
    for group in groups:
        speaker, role = _group_speaker(group, paragraphs, resolver)
        via = _group_via(group, paragraphs) if speaker else None
        for span in group:
            text = span.text.strip()
            text = re.sub(r"[,\s]+$", "", text)
            if _words(text) < MIN_WORDS:
                continue
            offset = paragraphs[span.paragraph].find(text, max(span.open_at, 0))
            quotes.append(Quote(text, speaker, role, span.paragraph, max(offset, 0), via))
    return quotes


def _group_via(group: list[_Span], paragraphs: list[str]) -> str | None:
    """The outlet a quote was given to, as the words around it in its sentence say ("told The War Zone")."""
    for span in (group[-1], group[0]):
        paragraph = paragraphs[span.paragraph]
        start = max(paragraph.rfind(". ", 0, max(span.open_at, 0)) + 1, 0)
        close = span.close_at if span.close_at is not None else len(paragraph)
        end = paragraph.find(". ", close + 1)
        around = paragraph[start:max(span.open_at, start)] + " … " + paragraph[close + 1:end if end >= 0 else None]
        via = relayed_by(around)
        if via:
            return via
    return None


def _groups(spans: list[_Span], paragraphs: list[str]) -> list[list[_Span]]:
    """Quotes that share a speaker: runs separated only by space, and quotes carried across paragraphs."""
    groups: list[list[_Span]] = []
    for span in spans:
        if groups:
            prev = groups[-1][-1]
            if prev.close_at is None and span.paragraph == prev.paragraph + 1 and span.open_at <= 0:
                groups[-1].append(span)
                continue
            if prev.close_at is not None and prev.paragraph == span.paragraph \
                    and not paragraphs[span.paragraph][prev.close_at + 1:span.open_at].strip():
                groups[-1].append(span)
                continue
        groups.append([span])
    return groups


def _group_speaker(group: list[_Span], paragraphs: list[str], resolver: _Resolver) -> tuple[str | None, str | None]:
    first, last = group[0], group[-1]
    para_first, para_last = paragraphs[first.paragraph], paragraphs[last.paragraph]
    # 1. after the last quote: "— X", glued "X", ", X said", ", said X", ", the defence secretary."
    if last.close_at is not None:
        after = para_last[last.close_at + 1:]
        dash = _DASH_SPEAKER.match(after)
        if dash:
            return _resolve_written(dash.group("who"), resolver, last)
        glued = _GLUED_SPEAKER.match(after)
        if glued and after[:1].isupper():
            return _resolve_written(glued.group("who"), resolver, last)
        tail = _tail(para_last, last.close_at + 1)
        if not tail.strip() and last.paragraph + 1 < len(paragraphs) and paragraphs[last.paragraph + 1][:1].islower():
            tail = " " + _tail(paragraphs[last.paragraph + 1], 0)
        if re.match(r"^\s*[,.!?]?\s*(?:[A-Za-z]|$)", tail) and not re.match(r"^\s*[.!?]?\s*$", tail) \
                and not _starts_new_sentence(tail):
            who = _first_attribution("”" + tail)
            if who:
                return _resolve_with_pronoun(who, resolver, last.paragraph, last.open_at, tail)
            role = _role_only(tail)
            if role:
                person = resolver.entities.find_by_role(role)
                if person:
                    return person.name, person.role
    # 2. before the first quote, in its sentence: "X said:", "X told Y,", "He added that ... “Q”"
    lead_start = _previous_close(para_first, first.open_at)
    lead = _lead(para_first, max(first.open_at, 0), lead_start)
    sentence_lead = _current_sentence(lead)
    if first.open_at >= 0 and sentence_lead.strip():
        who = _last_attribution(sentence_lead)
        if who:
            return _resolve_with_pronoun(who, resolver, first.paragraph, first.open_at, sentence_lead)
    called = _CALLED.match(sentence_lead) if first.open_at >= 0 else None
    if called:
        name, role = resolver.resolve(called.group("who"), first.paragraph, first.open_at)
        if name:
            return name, role
    # 3. a follow-on quote: the previous quote's attribution sits between the two ("“Q1,” said X. “Q2.”")
    if first.open_at > 0 and lead_start > 0:
        who = _first_attribution("”" + lead)
        if who:
            return _resolve_with_pronoun(who, resolver, first.paragraph, lead_start, lead)
    # 4. the sentence right before the quote credits someone by name ("according to X, ... . “Q.”")
    if first.open_at > 0 and not sentence_lead.strip():
        previous = _current_sentence(lead.rstrip()[:-1] if lead.rstrip()[-1:] in ".!?" else lead)
        who = _last_attribution(previous) if previous else None
        if who and who.lower() not in PRONOUNS:
            name, role = resolver.resolve(who, first.paragraph, first.open_at)
            if name and resolver.entities.find_person(name):
                return name, role
    return None, None


def _starts_new_sentence(tail: str) -> bool:
    return bool(re.match(r"^\s*[.!?]\s+\S", tail)) or bool(re.match(r"^\s+[A-Z]", tail) and
                                                              re.match(r"^\s+(?:The|A|An|It|This|But|And)\b", tail))


def _previous_close(paragraph: str, open_at: int) -> int:
    """Offset just after the closing quote before ``open_at`` (0 when none)."""
    best = 0
    for span in _spans(paragraph[:max(open_at, 0)], 0, False):
        if span.close_at is not None:
            best = span.close_at + 1
    return best


def _current_sentence(text: str) -> str:
    """The last sentence of ``text`` (the part after its last sentence end)."""
    ends = list(_SENTENCE_END.finditer(text))
    return text[ends[-1].end():] if ends else text


def _resolve_written(who: str, resolver: _Resolver, span: _Span) -> tuple[str | None, str | None]:
    name, role = _name_and_role(who)
    person = resolver.entities.find_person(name) if name else None
    if person:
        return person.name, role or person.role
    if name:
        return name, role
    return resolver.resolve(who, span.paragraph, span.open_at)


def _resolve_with_pronoun(who: str, resolver: _Resolver, paragraph: int, offset: int,
                          context: str) -> tuple[str | None, str | None]:
    if who.lower() in PRONOUNS:
        return resolver.resolve(who, paragraph, max(offset, 0))
    return resolver.resolve(who, paragraph, max(offset, 0))
