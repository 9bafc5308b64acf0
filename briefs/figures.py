"""Figures stated in a sentence: the value, its hedge, what is counted and who the sentence credits.

A figure is a count or an amount: digits ("1,500", "1500", "4.8 million", "$3bn", "6 percent") or
number words ("ten thousand", "Seventeen", "two more bodies"). These are not figures: dates, days of
the month and years ("March 4", "in 1961", "1950-53"), ordinals and unit numbers ("575th", "41st
Engineer Battalion"), labels ("Gate 2", "Highway 9", "KN-23", "G7"), times ("2:15 a.m.", "half past
two"), durations and ages ("two months", "a two-year deal", "over two years"), temperatures,
addresses, and vague plurals ("hundreds of", "thousands of"), which have no value.

What is counted is the noun phrase after the number ("North Korean special forces", "shipping
containers", "millimetres of rain"), or, when nothing follows, a "number of X" / "death toll"
before it. Figures about one thing are grouped by ``counted_key``: the head noun with synonyms
folded ("soldiers", "troops", "commandos" -> "troops") plus the event the clause reports ("killed",
"missing", "displaced", ...), so that 11 killed and 17 missing are never compared.

Attribution uses the attribution cues of :mod:`briefs.entities` ("according to X", "X said",
"X told Y", "X's revelation that"); a pronoun is resolved by the caller to the last named person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .dates import date_spans

__all__ = ["Figure", "find_figures", "parse_number_words", "counted_key", "BARE_AMOUNTS", "range_low_value"]


@dataclass(frozen=True, slots=True)
class Figure:
    value: float
    text: str  # the figure as written, hedge included: "nearly 1,500"
    hedge: str | None  # "about", "up to", "at least", ... (lower case), None when exact
    counted: str | None  # what is counted, as written: "North Korean special forces"
    counted_key: str | None  # grouping key: "troops", "people|killed"; None when nothing is counted
    attributed_to: str | None  # who the sentence credits, None when nobody
    sentence: str
    start: int = 0  # offset of ``text`` in the sentence


# ------------------------------------------------------------------------------------------- numbers

_UNITS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
          "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
          "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
         "ninety": 90}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
           "trillion": 1_000_000_000_000}
_SHORT_SCALES = {"k": 1_000, "m": 1_000_000, "mn": 1_000_000, "bn": 1_000_000_000, "b": 1_000_000_000,
                 "tn": 1_000_000_000_000}

_UNIT_WORD = "|".join(sorted(_UNITS, key=len, reverse=True))
_TENS_WORD = "|".join(_TENS)
_SCALE_WORD = "hundred|thousand|million|billion|trillion"
_SMALL = rf"(?:(?:{_TENS_WORD})(?:-(?:{_UNIT_WORD}))?|{_UNIT_WORD})"
_WORDS = re.compile(rf"(?<![\w-])(?:(?:a|{_SMALL})\s+(?:{_SCALE_WORD})(?:\s+(?:and\s+)?(?:{_SMALL})"
                    rf"(?:\s+(?:{_SCALE_WORD}))?)*|{_SMALL})(?![\w-])", re.I)
_DIGITS = re.compile(
    r"(?<![\w.,:/#-])(?P<cur>[$£€])?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\d]|,\d|:\d|\.\d)"
    rf"(?:(?:\s+|-)(?P<scale>{_SCALE_WORD})|(?P<short>k|m|mn|bn|tn)(?![\w]))?", re.I)
_PERCENT = re.compile(r"\s*(?:%|per\s?cent\b|percent\b)", re.I)


_RANGE_LOW_RE = re.compile(r"(?:\b(from|between)\s+)?(\$?\d[\d,.]*|\b[a-z]+)\s+(to|and)\s*$", re.I)
_RANGE_LOW_WORDS_RE = re.compile(r"(?:\b(from|between)\s+)?(\b[a-z]+[\s-][a-z]+)\s+(to|and)\s*$", re.I)


def range_low(before: str) -> tuple[str, int] | None:
    """The low end of a written range just before a figure ("6 to" in "6 to 10 inches", "four to six",
    "between 200 and"), as (the words, where they start); None when there is none, or for a change
    ("rose from 4 to 9")."""
    tail = before[-40:]
    for rx in (_RANGE_LOW_RE, _RANGE_LOW_WORDS_RE):
        m = rx.search(tail)
        if not m:
            continue
        lead, number, joint = (m.group(1) or "").lower(), m.group(2), m.group(3).lower()
        if lead == "from" or (joint == "and" and lead != "between"):
            return None
        if range_low_value(f"{number} {joint}") is None:
            continue
        return m.group(0).strip(), len(before) - len(tail) + m.start()
    return None


def range_low_value(hedge: str) -> float | None:
    """The low end a range hedge states ("6 to" -> 6, "between two hundred and" -> 200), else None."""
    m = re.fullmatch(r"(?:between\s+)?(.+?)\s+(?:to|and)", hedge.strip(), re.I)
    if not m:
        return None
    text = m.group(1).lstrip("$").replace(",", "")
    try:
        return float(text)
    except ValueError:
        return parse_number_words(text)


def parse_number_words(text: str) -> float | None:
    """"ten thousand" -> 10000, "twenty-five" -> 25, "a million" -> 1e6, "two hundred and six" -> 206."""
    total, current, seen = 0, 0, False
    for word in re.split(r"[\s-]+", text.lower().strip()):
        if word in ("and", ""):
            continue
        if word == "a":
            current, seen = 1, True
        elif word in _UNITS:
            current += _UNITS[word]
            seen = True
        elif word in _TENS:
            current += _TENS[word]
            seen = True
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word in _SCALES:
            total += max(current, 1) * _SCALES[word]
            current = 0
        else:
            return None
    return float(total + current) if seen else None


# ---------------------------------------------------------------------------------------- exclusions

_TIME_UNITS = frozenset("""
second seconds minute minutes hour hours day days week weeks month months year years decade decades century
centuries night nights weekend weekends fortnight fortnights o'clock
""".split())
_TIME_AFTER = re.compile(r"\s*(?:a\.m\.|p\.m\.|am\b|pm\b|°|degrees?\b|o[’']clock)", re.I)
_STREET = re.compile(r"\s+(?:[A-Z][a-z]+\s+){1,3}(?:Street|St|Road|Rd|Avenue|Ave|Lane|Square|Boulevard|Way|Place)\b")
_YEAR_BEFORE = frozenset("""
in since by until till from of during before after year years summer winter spring autumn fall early late mid
between around circa c ©
""".split())
_NOT_AFTER_YEAR = frozenset("""
was is were will saw had has and or but to when that which the a an as after before brought
""".split())
_ORDINAL_AFTER = re.compile(r"(?:st|nd|rd|th)\b")
_LABEL_BEFORE = frozenset({"no", "number", "nr", "room", "page", "line", "flight", "route", "gate", "highway",
                           "exit", "platform", "article", "chapter", "section", "item", "level", "grade", "phase",
                           "stage", "round", "world", "war", "category", "class", "type", "model", "unit", "ward",
                           "block", "door", "bus", "channel", "pier", "berth", "dock", "terminal", "lane"})
_VAGUE = re.compile(r"^\s*(?:of\b|s\b)")  # "hundreds of", "tens of thousands"


def _excluded_by_context(sentence: str, start: int, end: int, value: float, raw: str, is_word: bool,
                         opens: bool) -> bool:
    """Whether the number at sentence[start:end] is a date, ordinal, label, time, duration, ... not a figure."""
    before, after = sentence[:start], sentence[end:]
    if _ORDINAL_AFTER.match(after) or _TIME_AFTER.match(after) or _VAGUE.match(after):
        return True
    if re.match(r"-[A-Za-z]", after) or re.search(r"[A-Za-z]-$", before) or re.search(r"[A-Za-z]$", before):
        return True  # "two-year", "KN-23", "G7"
    if re.match(r"\s*(?:-|to|–)\s*\d", after) and not is_word and 1800 <= value <= 2100 and "," not in raw:
        return True  # "1950-53"
    next_word = re.match(r"\s+([A-Za-z’']+)", after)
    nxt = next_word.group(1).lower() if next_word else ""
    if nxt in _TIME_UNITS or re.match(r"\s*[A-Za-z]+-(?:year|day|month|week|hour|minute)s?\b", after):
        return True  # durations and ages: "two months", "four-day"
    prev_words = re.findall(r"[A-Za-z©’']+|\d+", before[-40:])
    prev = prev_words[-1].lower() if prev_words else ""
    if prev in ("past", "half", "quarter") and is_word:
        return True  # "half past two"
    if prev in _LABEL_BEFORE or before.rstrip().endswith(("#", "No.", "no.")):
        return True  # "Gate 2", "Highway 9", "No. 5"
    if re.search(r"[A-Z][\w’']*\s$", before) and not is_word and "," not in raw and "." not in raw \
            and value < 1000 and not opens and prev not in ("to", "of", "at", "than") \
            and not re.search(r"(?:^|[\s(])(?:[A-Z][a-z]+\s)?(?:About|Some|Nearly|Almost|Around|Over|Only)\s$", before):
        return True  # "Gate 2", "Hwasong 11": a number right after a name is a label
    if _STREET.match(after) or re.match(r"\s+block\s+of\b", after, re.I):
        return True  # an address: "12 Kestrel Road", "the 800 block of Buffalo Springs Drive"
    if nxt and len(nxt) <= 2 and next_word.group(1)[0].isupper() and (len(nxt) == 1 or nxt.endswith("s")):
        return True  # "three Ds"
    if not is_word and "," not in raw and "." not in raw and 1800 <= value <= 2100:
        if prev in _YEAR_BEFORE or prev in _MONTH_WORDS or not nxt or nxt in _NOT_AFTER_YEAR:
            return True  # a year: "in 1961", "since 1998", "1961."
        if prev == "the" and (next_word and next_word.group(1)[0].isupper() or nxt in _YEAR_EVENTS):
            return True  # a year naming an event: "the 1991 Gulf War", "the 2016 election"
    return False


_YEAR_EVENTS = frozenset("""
election elections vote referendum war wars games olympics season campaign census budget attack attacks
bombing bombings crisis earthquake hurricane storm flood floods tournament championship final cup
""".split())  # "the 2016 election": after "the", these follow a year, not a count

_MONTH_WORDS = frozenset("""
january february march april may june july august september october november december jan feb mar apr jun jul aug
sep sept oct nov dec
""".split())

# ------------------------------------------------------------------------------------------- hedges

_HEDGES = [
    "as many as", "as few as", "as much as", "up to", "at least", "at most", "more than", "fewer than", "less than",
    "no more than", "no fewer than", "no less than", "well over", "just over", "just under", "close to",
    "upwards of", "in excess of", "an estimated", "estimated", "about", "around", "approximately", "roughly",
    "nearly", "almost", "some", "over", "under", "potentially", "possibly", "perhaps", "maybe", "reportedly",
    "at least another", "only", "barely", "just",
]
_HEDGE_RE = re.compile(r"(?<![\w-])(" + "|".join(re.escape(h) for h in sorted(_HEDGES, key=len, reverse=True))
                       + r")\s+$", re.I)
_NOT_HEDGES = frozenset({"only", "just", "barely"})  # kept as written but not hedges of an estimate


# ------------------------------------------------------------------------------------------ counted

_STOP_AFTER = frozenset("""
to from in at on by into onto for with near across after before since during between over under than that which
who whom whose where when while were was are is be been being had have has will would could can may might should
must shall did do does and or but nor as per each the a an its their his her this these those there here then now
also still already said says say told tells according remain remained remains more than up out off about
around so if because though although yet via against without within toward towards until along beside behind
below above through throughout inside outside among amid like upon across last next every
""".split())
_MEASURES = frozenset("""
millimetres millimeters millimetre millimeter centimetres centimeters metres meters metre meter kilometres
kilometers kilometre kilometer miles mile feet foot inches litres liters gallons tonnes tons tonne ton kilograms
kilos pounds barrels cubic square hectares acres percent per cent rounds pieces sacks bags cups units
""".split())
_SYNONYMS = {
    "soldier": "troops", "soldiers": "troops", "troop": "troops", "troops": "troops", "forces": "troops",
    "force": "troops", "fighters": "troops", "commandos": "troops", "personnel": "troops", "servicemen": "troops",
    "infantry": "troops", "conscripts": "troops", "mercenaries": "troops", "recruits": "troops",
    "people": "people", "persons": "people", "residents": "people", "inhabitants": "people",
    "individuals": "people", "villagers": "people", "citizens": "people", "families": "families",
    "homes": "homes", "houses": "homes", "dwellings": "homes", "buildings": "buildings",
    "dead": "people", "deaths": "people", "bodies": "people", "fatalities": "people", "victims": "people",
    "casualties": "casualties",
}
_EVENTS = [
    ("killed", r"killed|dead|died|deaths?|death\s+toll|fatalit(?:y|ies)|bodies|lives\s+lost|lost\s+their\s+lives"),
    ("injured", r"injured|wounded|hurt|injuries"),
    ("missing", r"missing|unaccounted"),
    ("displaced", r"displaced|homeless|forced\s+from|fled|uprooted"),
    ("evacuated", r"evacuated|evacuation|moved\s+out|relocated|taken\s+to\s+(?:school|shelter|safety)"),
    ("damaged", r"damaged|destroyed|flooded"),
    ("detained", r"arrested|detained|captured"),
]
_EVENT_RES = [(name, re.compile(rf"(?<![\w-])(?:{pattern})(?![\w-])", re.I)) for name, pattern in _EVENTS]
_CLAUSE_BREAK = re.compile(r"[;:]|,\s+(?:the|a|an|according|said|says|he|she|they|who|which|while|but|and)\b|"
                           r"\s(?:and|but|while|whereas)\s+(?=(?:\S+\s+){0,2}\d)|[“”\"]")
_COUNT_BEFORE = re.compile(
    r"(?:(?:the\s+)?number\s+of\s+(?P<what>(?:[\w’'-]+\s+){0,2}?[\w’'-]+)|(?P<toll>death|casualty)\s+toll)"
    r"\b[^.;]*?$", re.I)


def _head(counted: str) -> str:
    """The word the counted phrase is about: the noun before "of" for measures, else the last word."""
    words = counted.lower().replace("’", "'").split()
    if "of" in words and words[0] in _MEASURES | {"cubic", "square"}:
        words = words[:words.index("of")]
    for w in reversed(words):
        if w not in ("more", "other", "new", "additional", "further") and not any(rx.fullmatch(w) for _, rx in _EVENT_RES):
            return re.sub(r"'s?$", "", w)
    return words[-1] if words else ""


def counted_key(counted: str | None, event: str | None) -> str | None:
    """"North Korean special forces" -> "troops"; ("people", "killed") -> "people|killed"."""
    if not counted:
        return None
    words = counted.lower().split()
    head = _head(counted)
    if "special" in words and ("forces" in words or "operations" in words):
        head = "troops"
    head = _SYNONYMS.get(head, head)
    if words[0] in ("more", "additional", "another", "further", "new", "extra"):
        head = f"more {head}"  # "two more bodies" is an increment, not a total
    if head.endswith("ies") and len(head) > 4:
        head = head[:-3] + "y"
    elif head.endswith("s") and not head.endswith("ss") and len(head) > 3 and head not in ("troops", "people"):
        head = head[:-1]
    if head in ("percent", "per cent", "%"):
        rest = [w for w in words if w not in ("percent", "per", "cent", "%")]
        head = "percent " + (rest[-1] if rest else "")
    return f"{head}|{event}" if event else head


def _counted_after(sentence: str, pos: int) -> tuple[str | None, int]:
    """The noun phrase right after a number (None when the number ends the phrase) and where it ends."""
    tokens = list(re.finditer(r"[A-Za-z][A-Za-z’'\-]*|[^\sA-Za-z]", sentence[pos:pos + 160]))
    words: list[str] = []
    end = pos
    measure = False
    k = 0
    while k < len(tokens) and len(words) < 6:
        token = tokens[k]
        word = token.group(0)
        lower = word.lower().replace("’", "'")
        if not word[0].isalpha():
            break
        if lower == "of" and measure and k + 1 < len(tokens) and tokens[k + 1].group(0)[0].isalpha():
            nxt = tokens[k + 1].group(0)
            if nxt.lower() not in _STOP_AFTER:
                words += [word, nxt]
                end = pos + tokens[k + 1].end()
                k += 2
                measure = False
                continue
        if lower in ("more", "additional", "other", "new", "further") and not words:
            words.append(word)
            end = pos + token.end()
            k += 1
            continue
        if lower in _STOP_AFTER or re.sub(r"'(?:s|re|ll|d|ve|m)$", "", lower) in _STOP_AFTER \
                or lower.endswith("n't"):
            break  # "troops that’s set", "commandos aren’t"
        if words and (lower.endswith("ing") or (lower.endswith("ed") and lower not in ("armed", "red", "seed"))):
            break
        if words and word[0].isupper() and words[-1][0].islower():
            break  # "soldiers Vladivostok": a name after the noun is not part of it
        words.append(word)
        end = pos + token.end()
        measure = measure or lower in _MEASURES
        k += 1
    while words and words[-1].lower() in ("more", "additional", "other", "new", "further", "of"):
        words.pop()
    if words and all(w.lower() in ("more", "additional", "other", "new", "further") for w in words):
        words = []
    return (" ".join(words) or None), end


def _event(sentence: str, start: int, end: int) -> str | None:
    """The event the clause around a number reports: first after it in the clause, else nearest before."""
    clause_end = len(sentence)
    for m in _CLAUSE_BREAK.finditer(sentence, end):
        clause_end = m.start()
        break
    clause_start = 0
    for m in _CLAUSE_BREAK.finditer(sentence, 0, start):
        clause_start = m.end()
    after = sentence[end:clause_end]
    found = [(m.start(), name) for name, rx in _EVENT_RES for m in rx.finditer(after)]
    if found:
        return min(found)[1]
    before = sentence[clause_start:start]
    found = [(m.end(), name) for name, rx in _EVENT_RES for m in rx.finditer(before)]
    return max(found)[1] if found else None


_STAGE = re.compile(r"\b(?P<stage>first|initial|second|third|next|last|final)\s+(?:wave|cadre|batch|group|tranche|"
                    r"contingent|deployment|rotation|echelon|detachment|shipment|installment|instalment)s?\s+of\s+$",
                    re.I)
_STAGE_WORD = {"initial": "first", "final": "last"}
_PLAN_BEFORE = re.compile(
    r"\b(?:plan(?:s|ned|ning)?|intend(?:s|ed)?|aim(?:s|ed)?|expect(?:s|ed)?|propos(?:e|es|ed)|permission|ready|"
    r"prepar(?:e|es|ed|ing)|set|going|agreed|promis(?:e|es|ed)|pledg(?:e|es|ed)|vow(?:s|ed)?|want(?:s|ed)?|"
    r"threaten(?:s|ed)?|order(?:s|ed)?|approv(?:e|es|ed))\s+to\b|\b(?:will|would|could|may|might|shall|should)\b|"
    r"\b(?:is|are|was|were)\s+to\s+be\b|\bto\s+be\s+(?:sent|dispatched|deployed|sent|delivered)\b|"
    r"\b(?:forecast|predict(?:s|ed)?|projected|expected)\b", re.I)
_PLAN_AFTER = re.compile(
    r"^\s*(?:(?:will|would|could|may|might|shall)\b|(?:are|is)\s+(?:set|due|expected|planned|scheduled)\s+to\b)|"
    r"^(?:\s+[\w’'-]+){0,4}?\s+(?:are|is|were|was)\s+to\s+be\b", re.I)


def _stage(sentence: str, text_start: int) -> str | None:
    """"first" for "the first wave of about 1,000": a part of a whole is another figure than the whole."""
    m = _STAGE.search(sentence[max(0, text_start - 60):text_start])
    if not m:
        return None
    stage = m.group("stage").lower()
    return _STAGE_WORD.get(stage, stage)


def _planned(sentence: str, start: int, end: int, counted_end: int) -> bool:
    """Whether the clause around a figure states a plan, a forecast or a possibility, not a done thing:
    "plans to send up to 12,000 soldiers", "the first cadre of 2,600 soldiers would go", "could get 6 inches".
    After the figure only the verb of what is counted is read ("12,000 troops ... are to be dispatched"),
    not a later one ("the fund announced on Thursday will begin paying": the fund exists)."""
    clause_start = max((m.end() for m in re.finditer(r"[,;:]\s|\.\s|\b(?:but|and|while|moreover)\s", sentence[:start])),
                       default=0)
    if _PLAN_BEFORE.search(sentence[clause_start:start]):
        return True
    return bool(_PLAN_AFTER.search(sentence[max(end, counted_end):]))


def _counted_before(sentence: str, start: int) -> tuple[str | None, str | None]:
    """("people killed", "killed") from "The number of people killed ... rose to nine" or "the death toll ... at 11"."""
    m = _COUNT_BEFORE.search(sentence[:start])
    if not m:
        return None, None
    if m.group("toll"):
        return ("people killed" if m.group("toll").lower() == "death" else "casualties"), \
            ("killed" if m.group("toll").lower() == "death" else None)
    what = m.group("what")
    if what.lower() in ("dead", "deaths", "the dead", "fatalities"):
        return "people killed", "killed"
    return what, None


# ---------------------------------------------------------------------------------------------- find

_CURRENCY = {"$": "dollars", "£": "pounds sterling", "€": "euros"}
BARE_AMOUNTS = frozenset(_CURRENCY.values())  # what an amount of money with no counted noun counts

def _candidates(sentence: str) -> list[tuple[int, int, float, str, bool]]:
    """(start, end, value, raw, is_word) for every number-like span; dates masked out."""
    masked = list(sentence)
    for a, b in date_spans(sentence):
        for i in range(a, b):
            masked[i] = "\0" if not masked[i].isspace() else masked[i]
    text = "".join(masked)
    out: list[tuple[int, int, float, str, bool]] = []
    for m in _DIGITS.finditer(text):
        value = float(m.group("num").replace(",", ""))
        scale = m.group("scale") or m.group("short")
        if scale:
            value *= _SCALES.get(scale.lower()) or _SHORT_SCALES[scale.lower()]
        start = m.start()
        end = m.end()
        pct = _PERCENT.match(text, end)
        if pct:
            end = pct.end()
        out.append((start, end, value, m.group("num"), False))
    for m in _WORDS.finditer(text):
        raw = m.group(0)
        if raw.lower() in ("one", "a"):
            continue
        value = parse_number_words(raw)
        if value is None:
            continue
        end = m.end()
        pct = _PERCENT.match(text, end)
        if pct:
            end = pct.end()
        out.append((m.start(), end, value, raw, True))
    out.sort()
    return out


def find_figures(sentence: str, attribution: str | None = None, *, resolve=None) -> list[Figure]:
    """The figures of ``sentence``.

    ``attribution`` is given when the caller already knows who the sentence credits; otherwise
    ``resolve(offset)`` (if given) is asked for the attribution nearest a figure.
    """
    figures: list[Figure] = []
    for start, end, value, raw, is_word in _candidates(sentence):
        opens = not sentence[:start].strip(" \"“‘([")
        if _excluded_by_context(sentence, start, end, value, raw, is_word, opens):
            continue
        if is_word and value < 2 and not re.match(r"\s+(?:more|additional)\b", sentence[end:]):
            continue
        hedge_match = _HEDGE_RE.search(sentence[:start])
        hedge = hedge_match.group(1).lower() if hedge_match else None
        text_start = hedge_match.start(1) if hedge_match else start
        if hedge in _NOT_HEDGES:
            hedge = None
        if hedge is None:
            low = range_low(sentence[:start])
            if low is not None and (range_low_value(low[0]) or 0) < value:  # "52 to 48" is a vote, not a range
                hedge, text_start = low[0].lower(), low[1]  # "6 to 10 inches": 10 is the top of a range
        counted, counted_end = _counted_after(sentence, end)
        pct = "%" in sentence[start:end] or "cent" in sentence[start:end].lower()
        event = _event(sentence, start, end)
        if pct:
            counted = "percent" + (f" {counted}" if counted else "")
        if counted is None:
            counted_end = end
            counted, before_event = _counted_before(sentence, start)
            event = event or before_event
        if counted and counted.lower().split()[0] in ("of",):
            counted = None
        currency = sentence[start:start + 1] in "$£€"
        if counted is None and currency:
            counted = _CURRENCY[sentence[start]]  # "$972,814" is an amount of money, its subject in the sentence
        key = counted_key(counted, event)
        if counted and event and key and not key.startswith("percent") \
                and not any(rx.search(counted) for _, rx in _EVENT_RES):
            counted = f"{counted} {event}"  # "people" -> "people killed": what the figure is about
        if key:
            stage = _stage(sentence, text_start)
            if stage:
                key += f"|{stage}"  # "the first wave of about 1,000 soldiers": the wave, not the whole force
            if _planned(sentence, text_start, end, counted_end):
                key += "|planned"  # a plan or a forecast is not a delivery
        who = attribution if attribution is not None else (resolve(start) if resolve else None)
        figures.append(Figure(value, sentence[text_start:end], hedge, counted, key, who, sentence, text_start))
    return figures
