"""People, organisations and places named in an article, by rules and cues (no gazetteer).

A name is a run of capitalised words, with connectors ("of", "for", "the", "and") kept only inside
organisation names and lowercase role words kept before a name ("Kremlin spokesman Dmitry Peskov").
Each run is classified by evidence, strongest first:
- person: a role before the name ("Lt Gen Kyrylo Budanov", "British Defence Secretary John Healey"),
  an honorific ("Mr. Zelenskyy"), or a role in apposition ("Edward Howell, a lecturer in ...");
- organisation: an agency word ("Service", "Institute", "Directorate", "Journal", ...), an acronym,
  or an outlet named as a source ("told Al Jazeera", "Ukrainian publication Defence Express");
- place: a place word ("Oblast", "Krai", "Region") or a place preposition ("in Kursk", "to Vladivostok").
A run with no evidence is left out. Short forms merge into the full name ("Zelenskyy", "Mr. Zelenskyy"
-> "Volodymyr Zelenskyy"; an acronym in brackets after an organisation becomes its alias).

The same token helpers find who a sentence attributes something to (``attribution_spans``), used by
the figure and quote extractors.
"""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from briefs.sentences import split_sentences

__all__ = [
    "Person", "Organization", "Place", "Entities", "Token", "extract_entities", "tokenize",
    "split_role", "attribution_spans", "SPEECH_VERBS", "PRONOUNS",
]


@dataclass(slots=True)
class Person:
    name: str
    role: str | None = None
    mentions: int = 0
    aliases: list[str] = field(default_factory=list)  # other forms seen ("Zelenskyy", "Mr. Zelenskyy")


@dataclass(slots=True)
class Organization:
    name: str
    mentions: int = 0
    aliases: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Place:
    name: str
    mentions: int = 0
    aliases: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Entities:
    people: list[Person] = field(default_factory=list)
    organizations: list[Organization] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)

    def find_person(self, name: str) -> Person | None:
        """The person ``name`` refers to (full name, alias or unambiguous surname), if any."""
        key = _key(_strip_honorific(name))
        for person in self.people:
            if key in {_key(form) for form in (person.name, *person.aliases)}:
                return person
        matches = [p for p in self.people if _surname_matches(key, p.name)]
        return matches[0] if len(matches) == 1 else None

    def find_by_role(self, role: str) -> Person | None:
        """The one person whose role ends with ``role`` ("the British Defense Secretary"), if unambiguous."""
        wanted = _key(re.sub(r"^(?:the|a|an)\s+", "", role.strip(), flags=re.I))
        matches = [p for p in self.people if p.role and _key(p.role).endswith(wanted)]
        return matches[0] if len(matches) == 1 else None


# ---------------------------------------------------------------------------------------------- words

ROLE_WORDS = frozenset("""
president vice-president prime premier minister secretary secretary-general under-secretary spokesman spokeswoman
spokesperson general gen lt lieutenant colonel col major maj captain capt admiral adm commander cmdr sergeant sgt
chief head director governor mayor chancellor ambassador envoy editor lecturer professor prof analyst expert
researcher fellow adviser advisor leader chairman chairwoman chair senator sen congressman congresswoman
representative rep mp deputy official officer correspondent reporter king queen prince emperor marshal
commissioner dictator premier journalist founder ceo hydrologist economist scientist coordinator warden
resident owner baker farmer teacher nurse doctor lawyer lawmaker legislator politician activist witness survivor
priest bishop manager engineer geologist meteorologist forecaster historian author writer cellist superintendent
inspector detective prosecutor judge attorney treasurer volunteer worker driver pilot shopkeeper mp
""".split())
_RANK_ONLY = frozenset({"gen", "lt", "col", "maj", "capt", "cmdr", "sgt", "adm", "sen", "rep", "prof"})
_HONORIFICS = frozenset({"mr", "mrs", "ms", "dr", "sir", "dame", "lord", "lady", "madam"})
_POST_NOMINALS = frozenset({"mp", "mep", "phd", "obe", "mbe", "kc", "qc"})
_NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
_ORG_WORDS = frozenset("""
service services agency ministry institute institution council directorate group center centre department office
committee command commission bureau organization organisation university school college academy party fleet army
navy corps guard guards journal times post news press foundation association bank court parliament assembly
alliance coalition company corporation network broadcasting reuters bloomberg express gazette herald tribune
telegraph guardian observer monitor review magazine federation union forces ministry authority battalion
brigade regiment police administration cabinet embassy consulate secretariat
""".split())
_PLACE_WORDS = frozenset("""
oblast krai region province territory city sea ocean river island islands peninsula strait bay gulf mountains
county district valley ground oblasts
""".split())
_CONNECTORS = frozenset({"of", "for", "the", "and", "de", "du", "von", "van", "al", "bin", "la", "le", "da", "on"})
_PLACE_PREPS = frozenset({"in", "at", "from", "to", "near", "into", "across", "towards", "toward", "outside",
                          "inside", "via", "around", "through", "throughout", "within"})
_OUTLET_VERBS = frozenset({"told", "telling", "tells", "writes", "wrote", "tell"})
_MEDIA_NOUNS = frozenset({"publication", "newspaper", "outlet", "broadcaster", "magazine", "daily", "channel",
                          "website", "agency", "network", "tabloid", "weekly", "outlets"})
_COUNTRY_ACRONYMS = frozenset({"US", "USA", "UK", "DPRK", "ROK", "PRC", "UAE", "USSR"})
_JUNK_ACRONYMS = frozenset({"BA", "MA", "BSC", "MSC", "PHD", "MP", "HQ", "TV", "AM", "PM", "OK", "ID", "II", "III",
                            "IV", "CEO"})
_CALENDAR = frozenset("""
january february march april may june july august september october november december jan feb mar apr jun jul aug
sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday
""".split())
# Capitalised only because they open a sentence (or a heading), never names on their own.
_STARTERS = frozenset("""
the a an this that these those it its he she they we i you his her their our there here but and so yet however
meanwhile later earlier still also then now in on at for after before when while if as since despite although
though many some most others other what why how who where one both each such no not only even just likely enter
according alongside once should would could can will may might must rumour rumours photos photo footage video videos
image images recent new first last another every all any much more several few further other's already
reacting labels comments home post about
""".split())
_COMPASS = frozenset({"north", "south", "east", "west", "northern", "southern", "eastern", "western", "central"})
_DEMONYM = re.compile(r"(?:[ie]an|ican|ese|ish|ench|utch|aeli|aqi|stani)s?$", re.I)

SPEECH_VERBS = frozenset("""
said says say told tells tell telling added adds adding noted notes noting warned warns warning claimed claims
claiming estimated estimates estimating reported reports assessed assesses stated states wrote writes announced
announces confirmed confirms revealed reveals explained explains argued argues insisted insists stressed stresses
believes believed alleged alleges acknowledged acknowledges suggested suggests predicted predicts testified
saying asked asks replied replies continued continues urged urges cautioned cautions recorded counted
""".split())
_PARTICIPLES = frozenset(w for w in SPEECH_VERBS if w.endswith("ing"))
_SPEECH_NOUNS = frozenset("""
revelation revelations claim claims statement statements assertion announcement estimate estimates report reports
assessment assessments warning remarks words testimony figures data
""".split())
_FILLERS = frozenset({"has", "have", "had", "was", "is", "were", "also", "further", "later", "earlier", "then",
                      "previously", "again", "repeatedly", "reportedly", "quoted", "as", "been", "once", "recently",
                      "publicly", "separately", "too", "on", "would", "will"})
_SOURCE_NOUNS = frozenset("""
officials official analysts analyst experts expert sources source diplomats diplomat media intelligence military
officers officer spokesperson government authorities monitors observers investigators researchers ministry
authority agency union operator company directorate council police army office service minister governor
spokesman spokeswoman committee network navy
""".split())
PRONOUNS = frozenset({"he", "she"})
_TELL = frozenset({"told", "tell", "tells", "telling"})
_CLAUSE_ENDS = frozenset({"that", "who", "which", "whose", "familiar", "interviewed", "quoted", "cited", "speaking",
                          "when", "while", "because", "as", "in", "on", "last", "earlier"})

# ------------------------------------------------------------------------------------------- tokens

_ABBREV_WITH_DOT = _HONORIFICS | _RANK_ONLY | _NAME_SUFFIXES | {"st", "no", "gov", "pres", "rev", "ft", "mt"}
_TOKEN_RE = re.compile(r"[^\W\d_]+(?:[’'\-.][^\W\d_]+)*[’']?\.?|\d+(?:[.,]\d+)*|\S")


_PLAIN = re.compile(r"(?:[’']s?)?\.?$")
_POSSESSIVE = re.compile(r"[’'](?:s)?$")


@functools.lru_cache(maxsize=1 << 15)
def _plain(word: str) -> str:
    """The word without possessive or trailing period ("Korea’s" -> "Korea", "Jr." -> "Jr")."""
    return _PLAIN.sub("", word) or word


class Token(NamedTuple):
    """One token with its offsets (a tuple: a sentence makes dozens, and a tuple is made fast)."""

    text: str
    start: int
    end: int

    @property
    def word(self) -> str:
        """The word without possessive or trailing period ("Korea’s" -> "Korea", "Jr." -> "Jr")."""
        return _plain(self.text)

    @property
    def lower(self) -> str:
        return self.word.lower()

    @property
    def is_word(self) -> bool:
        return self.text[0].isalpha()

    @property
    def is_cap(self) -> bool:
        return self.text[0].isupper()

    @property
    def possessive(self) -> bool:
        return _POSSESSIVE.search(self.text) is not None and self.is_word


def tokenize(text: str) -> list[Token]:
    """Words, numbers and punctuation of ``text`` with offsets; a final period stays only on abbreviations."""
    return list(_tokenize(text))  # a list of its own for the caller: the cached tuple is shared


@functools.lru_cache(maxsize=4096)  # extraction tokenizes a sentence for names, attributions and quotes
def _tokenize(text: str) -> tuple[Token, ...]:
    tokens: list[Token] = []
    new = tuple.__new__  # Token(...) without the named tuple's Python-level __new__
    for match in _TOKEN_RE.finditer(text):
        word, start = match.group(0), match.start()
        if len(word) > 1 and word.endswith(".") and word[0].isalpha() and not _keeps_dot(word[:-1]):
            tokens.append(new(Token, (word[:-1], start, start + len(word) - 1)))
            tokens.append(new(Token, (".", start + len(word) - 1, start + len(word))))
        else:
            tokens.append(new(Token, (word, start, match.end())))
    return tuple(tokens)


def _keeps_dot(word: str) -> bool:
    """Abbreviations and initials keep their period: "Mr.", "Lt.", "S.", "Jr.", "U.S."."""
    return word.lower() in _ABBREV_WITH_DOT or (len(word) == 1 and word.isupper()) or "." in word


_KEY_POSSESSIVE = re.compile(r"[’']s\b|[’']$")
_KEY_THE = re.compile(r"^the\s+", re.I)


@functools.lru_cache(maxsize=1 << 15)
def _key(name: str) -> str:
    """A comparison key: case, dots, possessives and a leading "the" ignored."""
    name = _KEY_POSSESSIVE.sub("", name)
    name = _KEY_THE.sub("", name.strip())
    return " ".join(name.replace(".", "").lower().split())


def _surname_matches(key: str, full_name: str) -> bool:
    """Whether a one-word ``key`` is the family name of ``full_name`` (last word, else first)."""
    words = [w for w in _key(full_name).split() if w not in _NAME_SUFFIXES]
    return " " not in key and len(words) > 1 and key in (words[-1], words[0])


def _strip_honorific(name: str) -> str:
    return re.sub(r"^(?:Mr|Mrs|Ms|Dr|Sir|Dame|Lord|Lady)\.?\s+", "", name.strip())


# ---------------------------------------------------------------------------------------- name runs

def _is_name_word(token: Token) -> bool:
    return token.is_word and token.is_cap


def _runs(tokens: list[Token]) -> list[tuple[int, int]]:
    """(i, j) ranges of capitalised runs, connectors and lowercase role words joined when a name follows."""
    runs: list[tuple[int, int]] = []
    i, n = 0, len(tokens)
    while i < n:
        if not _is_name_word(tokens[i]):
            i += 1
            continue
        j = i + 1
        while j < n:
            token = tokens[j]
            joins_next = not tokens[j - 1].possessive and _name_after_connectors(tokens, j + 1)
            if _is_name_word(token) and not tokens[j - 1].text.endswith(("’", "'")):
                j += 1
            elif token.text in _CONNECTORS and joins_next:
                j += 1
            elif token.text in ROLE_WORDS and joins_next:
                j += 1
            elif token.text == "(" and j + 2 < n and tokens[j + 2].text == ")" and _is_acronym(tokens[j + 1].word):
                j += 3  # "Directorate (GUR)": the acronym stays with its name
            else:
                break
        runs.append((i, j))
        i = j
    return runs


def _name_after_connectors(tokens: list[Token], k: int) -> bool:
    """Whether a name word follows at tokens[k], possibly after one more connector ("for the Study")."""
    if k < len(tokens) and tokens[k].text in ("the", "of") and k + 1 < len(tokens):
        k += 1
    return k < len(tokens) and _is_name_word(tokens[k])


def _is_acronym(word: str) -> bool:
    plain = word.replace(".", "")
    return 2 <= len(plain) <= 6 and plain.isupper() and plain.isalpha()


def _is_demonym(words: list[str]) -> bool:
    """"Russian", "North Korean", "North Koreans", "Ukrainians": adjectives and peoples, not entities."""
    parts = [p for w in words for p in w.split("-")]
    return bool(parts) and all(p.lower() in _COMPASS or _DEMONYM.search(p) for p in parts) \
        and not all(p.lower() in _COMPASS for p in parts)


def split_role(words: list[str]) -> tuple[str | None, list[str]]:
    """("Kremlin spokesman", ["Dmitry", "Peskov"]) from the words of "Kremlin spokesman Dmitry Peskov".

    The role is everything up to the last role word, when a name follows it.
    """
    last = None
    for index, word in enumerate(words[:-1]):
        if _plain(words[index + 1]).lower() in _NAME_SUFFIXES:
            continue  # "Martin Luther King Jr.": a name that ends in a role word, not the role of "Jr."
        if _plain(word).lower() in ROLE_WORDS or _plain(word).lower().split("-")[-1] in ROLE_WORDS:
            last = index
    if last is None:
        return None, words
    name = words[last + 1:]
    if any(_plain(w).lower() in _ORG_WORDS for w in name):
        return None, words
    first = 0
    for index, word in enumerate(words[:last]):
        if word in ("and", "&", ",") or word.endswith(","):
            first = index + 1  # "Putin and North Korean leader Kim Jong Un": the role is "North Korean leader"
    role = " ".join(words[first:last + 1])
    return role, name


def _clean_person_words(words: list[str]) -> list[str]:
    """Drop honorifics, post-nominals ("MP") and the possessive of the last word."""
    while words and _plain(words[0]).lower() in _HONORIFICS:
        words = words[1:]
    while words and _plain(words[-1]).lower() in _POST_NOMINALS:
        words = words[:-1]
    return words[:-1] + [_strip_possessive(words[-1])] if words else words


# ------------------------------------------------------------------------------------ classification

@dataclass(slots=True)
class _Candidate:
    name: str
    kind_votes: Counter
    role: str | None = None
    position: int = 0


def _candidates(sentence: str, offset: int) -> list[_Candidate]:
    """Every name-like run of one sentence, with its evidence."""
    tokens = tokenize(sentence)
    words = [t for t in tokens if t.is_word]
    ratio = sum(t.is_cap for t in words) / len(words) if words else 0.0
    if len(words) >= 5 and (ratio >= 0.8 or ratio >= 0.6 and not sentence.rstrip().endswith((".", "”", "\""))):
        return []  # a title-case heading: capitals say nothing there (a sentence full of names ends with a period)
    out: list[_Candidate] = []
    for i, j in _runs(tokens):
        out.extend(_analyse_run(tokens, i, j, offset))
    return out


def _analyse_run(tokens: list[Token], i: int, j: int, offset: int) -> list[_Candidate]:
    """Candidates from the run tokens[i:j]: the role/name split first, else possessive and connector splits."""
    i, j = _trim(tokens, i, j)
    if i >= j:
        return []
    words = [t.text for t in tokens[i:j] if t.text not in "()"]
    if "of" in words:
        cut = words.index("of")
        role, name_words = split_role(words[:cut])
        rest = [w for w in words[cut + 1:] if w != "the"]
        if role and name_words and rest and any(_plain(w).lower() in _ORG_WORDS for w in rest) \
                and not _is_demonym(name_words):
            k = i + [t.text for t in tokens[i:j]].index("of")
            person = _Candidate(" ".join(_clean_person_words(name_words)), Counter(person=3),
                                f"{role}, {' '.join(rest)}", offset + tokens[i].start)
            return [person] + _analyse_run(tokens, k + 1, j, offset)
    role, name_words = split_role(words)
    if role is not None and not _is_demonym(name_words):
        name = " ".join(_clean_person_words(name_words))
        if all(_plain(w).lower() in _RANK_ONLY | {"lieutenant", "general", "colonel", "major", "captain"}
               for w in role.split()):
            described = _after_reverse_apposition(tokens, i) or _apposition_role(tokens, j)
            if described:
                role = f"{role}, {described}"
        votes = Counter(person=3)
        return [_Candidate(name, votes, role, offset + tokens[i].start)] if name else []
    if _plain(words[0]).lower() in _HONORIFICS and len(words) > 1:
        name = " ".join(_clean_person_words(words))
        return [_Candidate(name, Counter(person=3), None, offset + tokens[i].start)]
    for k in range(i, j - 1):  # "South Korea’s National Intelligence Service": possessor, then the rest
        if tokens[k].possessive and _is_name_word(tokens[k + 1]):
            return _analyse_run(tokens, i, k + 1, offset) + _analyse_run(tokens, k + 1, j, offset)
    if not any(_plain(w).lower() in _ORG_WORDS for w in words):
        pieces = _split_connectors(tokens, i, j)
        if len(pieces) > 1:
            return [c for a, b in pieces for c in _analyse_run(tokens, a, b, offset)]
    return _classify(tokens, i, j, offset)


def _trim(tokens: list[Token], i: int, j: int) -> tuple[int, int]:
    """Drop sentence openers, calendar words and dangling connectors from the run edges."""
    while i < j and (_opens_sentence(tokens, i) and tokens[i].lower in _STARTERS
                     or tokens[i].lower in _CALENDAR or tokens[i].text in _CONNECTORS
                     or tokens[i].text in ROLE_WORDS):
        i += 1
    while j > i and (tokens[j - 1].lower in _CALENDAR or tokens[j - 1].text in _CONNECTORS):
        j -= 1
    return i, j


def _opens_sentence(tokens: list[Token], i: int) -> bool:
    before = [t for t in tokens[:i] if t.is_word or t.text[0].isdigit()]
    return not before or tokens[i - 1].text in "\"“‘:—–-(|" or tokens[i].lower in _STARTERS and tokens[i].is_cap


def _split_connectors(tokens: list[Token], i: int, j: int) -> list[tuple[int, int]]:
    pieces, start = [], i
    for k in range(i, j):
        if tokens[k].text in _CONNECTORS:
            if start < k:
                pieces.append((start, k))
            start = k + 1
    if start < j:
        pieces.append((start, j))
    return pieces


def _classify(tokens: list[Token], i: int, j: int, offset: int) -> list[_Candidate]:
    """One candidate for the run tokens[i:j] with its votes (possibly none)."""
    words = [t.text for t in tokens[i:j]]
    plain = [_plain(w) for w in words]
    if _is_demonym(plain) or (len(plain) == 1 and (len(plain[0]) < 2 or plain[0].lower() in _STARTERS)):
        return []
    name = " ".join(words[:-1] + [plain[-1]])
    if name.startswith("The ") and _opens_sentence(tokens, i):
        name = name[4:]
    votes: Counter = Counter()
    lowered = [p.lower() for p in plain]
    acronym = len(plain) == 1 and _is_acronym(plain[0])
    dateline = (i == 0 and j + 1 < len(tokens) and tokens[j].text == "," and tokens[j + 1].lower in _CALENDAR
                and all(w.isupper() for w in plain))
    if dateline:
        votes["place"] += 3  # "KAVRA, March 4 (Meridian Wire) -": a dateline names a place
        return [_Candidate(" ".join(w.title() for w in plain), votes, None, offset + tokens[i].start)]
    if acronym and plain[0].replace(".", "") in _COUNTRY_ACRONYMS:
        votes["place"] += 3
    elif acronym and j + 1 < len(tokens) and tokens[j].text == "-" and tokens[j + 1].text[:1].isdigit():
        return []  # "KN-23": a model name, not an organisation
    elif acronym and plain[0].replace(".", "").upper() not in _JUNK_ACRONYMS:
        votes["org"] += 2
    elif acronym:
        return []
    if any(w in _ORG_WORDS for w in lowered) or "(" in words:
        votes["org"] += 3
    if lowered[-1] in _PLACE_WORDS and len(lowered) > 1:
        votes["place"] += 3
    before = [t.lower for t in tokens[max(0, i - 2):i]]
    if before and before[-1] in _PLACE_PREPS or before[-2:-1] and before[-2] in _PLACE_PREPS and before[-1] == "the":
        votes["place"] += 1
    if before and (before[-1] in _OUTLET_VERBS or before[-1] in _MEDIA_NOUNS) or before == ["shared", "with"]:
        votes["org"] += 2
    role = _apposition_role(tokens, j)
    if role and len(plain) <= 5 and not votes["org"]:
        votes["person"] += 3
    elif _after_reverse_apposition(tokens, i) and len(plain) <= 5 and not votes["org"]:
        role = _after_reverse_apposition(tokens, i)
        votes["person"] += 3
    return [_Candidate(name, votes, role, offset + tokens[i].start)]


def _apposition_role(tokens: list[Token], j: int) -> str | None:
    """The role in ", a lecturer in international relations at the University of Oxford," after a name."""
    if j >= len(tokens) or tokens[j].text != ",":
        return None
    k = j + 1
    while k < len(tokens) and tokens[k].text not in ",.;:()\"“”" and k - j <= 18:
        k += 1
    segment = tokens[j + 1:k]
    if segment and segment[0].lower in ("a", "an", "the"):
        segment = segment[1:]
    head = [t.lower for t in segment[:5]]
    if not segment or not any(w in ROLE_WORDS for w in head) or segment[0].lower in SPEECH_VERBS \
            or segment[0].lower in _PLACE_PREPS or segment[0].lower in ("under", "with", "by", "of", "for", "on"):
        return None
    return _join(segment)


def _after_reverse_apposition(tokens: list[Token], i: int) -> str | None:
    """The role in "The head of the Ukrainian Defence Intelligence Directorate (GUR), Lt Gen Kyrylo Budanov"."""
    if i < 2 or tokens[i - 1].text != ",":
        return None
    k = i - 2
    while k >= 0 and tokens[k].text not in ",.;:\"“”":
        k -= 1
    if k >= 0 and tokens[k].text == ",":
        return None  # "According to Andrei Lankov, director of X, Pyongyang ...": the role is Lankov's
    segment = tokens[k + 1:i - 1]
    if segment and segment[0].lower in ("a", "an", "the"):
        segment = segment[1:]
    if len(segment) >= 3 and segment[0].lower in ROLE_WORDS and segment[1].lower == "of":
        return _join(segment)
    return None


def _join(tokens: list[Token]) -> str:
    """Tokens back to text with their original spacing."""
    if not tokens:
        return ""
    text, end = tokens[0].text, tokens[0].end
    for token in tokens[1:]:
        text += (" " if token.start > end else "") + token.text
        end = token.end
    return text


# ----------------------------------------------------------------------------------------- assembly

def extract_entities(paragraphs: list[str]) -> Entities:
    """People (with roles), organisations and places named in ``paragraphs``, variants merged."""
    candidates: list[_Candidate] = []
    offset = 0
    for paragraph in paragraphs:
        for sentence in split_sentences(paragraph):
            candidates.extend(_candidates(sentence, offset))
            offset += len(sentence) + 1
    return _assemble(candidates)


def _assemble(candidates: list[_Candidate]) -> Entities:
    """Merge candidates by key, classify by votes, fold short forms into full names, count mentions."""
    votes: dict[str, Counter] = defaultdict(Counter)
    forms: dict[str, Counter] = defaultdict(Counter)
    roles: dict[str, list[str]] = defaultdict(list)
    for c in candidates:
        key = _key(c.name)
        votes[key].update(c.kind_votes)
        forms[key][c.name] += 1
        if c.role:
            roles[key].append(c.role)
    kinds = {key: _winner(v) for key, v in votes.items()}
    people_keys = [k for k, kind in kinds.items() if kind == "person"]
    alias_of = _person_aliases(forms, people_keys, kinds)
    alias_of.update(_acronym_aliases(forms, kinds))
    return _build(candidates, kinds, forms, roles, alias_of)


def _winner(votes: Counter) -> str | None:
    """The kind with most votes; ties go place > org > person (the least harmful guess), none when no votes."""
    if not votes or max(votes.values()) <= 0:
        return None
    order = {"place": 0, "org": 1, "person": 2}
    return max(votes, key=lambda kind: (votes[kind], -order[kind]))


def _person_aliases(forms: dict[str, Counter], people: list[str], kinds: dict) -> dict[str, str]:
    """Short forms -> the full person key: "zelenskyy" -> "volodymyr zelenskyy"; ambiguous ones ("kim") stay."""
    aliases: dict[str, str] = {}
    for key in forms:
        if kinds.get(key) in ("org", "place") and " " in key:
            continue
        words = [w for w in key.split() if w not in _NAME_SUFFIXES]
        targets = sorted((p for p in people if p != key and len(p.split()) > len(key.split())
                          and _contains_name(p, words)), key=lambda t: -len(t.split()))
        if targets and all(_contains_name(targets[0], t.split()) for t in targets[1:]):
            aliases[key] = targets[0]
    return aliases


def _contains_name(full_key: str, words: list[str]) -> bool:
    """Whether ``words`` is ``full_key`` shortened: same surname (or, for one word, the first name of a
    family-name-first name), every word found in order."""
    full = [w for w in full_key.split() if w not in _NAME_SUFFIXES]
    if not words or len(full) < 2:
        return False
    if len(words) == 1:
        return words[0] in (full[-1], full[0])
    it = iter(full)
    return words[-1] == full[-1] and words[0] == full[0] and all(w in it for w in words)


def _acronym_aliases(forms: dict[str, Counter], kinds: dict) -> dict[str, str]:
    """"gur" -> "ukrainian defence intelligence directorate (gur)"'s plain key, from a bracketed acronym."""
    aliases: dict[str, str] = {}
    for key in forms:
        match = re.fullmatch(r"(.+?) \((\w+)\)", key)
        if match and kinds.get(key) == "org":
            aliases[match.group(2)] = key
            aliases[match.group(1)] = key
    return aliases


def _build(candidates, kinds, forms, roles, alias_of) -> Entities:
    groups: dict[str, list[_Candidate]] = defaultdict(list)
    order: list[str] = []
    for c in candidates:
        key = _key(c.name)
        target = alias_of.get(key, key)
        if kinds.get(target) is None:
            continue
        if target not in groups:
            order.append(target)
        groups[target].append(c)
    entities = Entities()
    for key in order:
        members = groups[key]
        names = Counter(m.name for m in members)
        canonical = _canonical(key, forms, names)
        aliases = sorted({n for n in names if n != canonical})
        kind = kinds[key]
        if kind == "person":
            member_roles = [r for m in members for r in ([m.role] if m.role else [])] or roles.get(key, [])
            role = max(member_roles, key=lambda r: (len(r.split()) <= 16, len(r.split())), default=None)
            entities.people.append(Person(canonical, role, len(members), aliases))
        elif kind == "org":
            entities.organizations.append(Organization(canonical, len(members), aliases))
        else:
            entities.places.append(Place(_drop_double_place_word(canonical), len(members), aliases))
    return entities


def _canonical(key: str, forms: dict[str, Counter], names: Counter) -> str:
    """The display form: the target's own most common form (upper-case acronyms preferred)."""
    own = forms.get(key) or names
    return max(own, key=lambda n: (own[n], n.isupper(), -n.startswith("The ")))


def _drop_double_place_word(name: str) -> str:
    """"Primorsky Krai Region" -> "Primorsky Krai"."""
    words = name.split()
    if len(words) > 2 and words[-1].lower() in _PLACE_WORDS and words[-2].lower() in _PLACE_WORDS:
        return " ".join(words[:-1])
    return name


# -------------------------------------------------------------------------------------- attribution

def attribution_spans(sentence: str) -> list[tuple[int, str]]:
    """Who ``sentence`` attributes its content to (see _attribution_spans); a list of the caller's own."""
    return list(_attribution_spans(sentence))


@functools.lru_cache(maxsize=4096)  # asked of one sentence by quotes, figures and again by the card's facts
def _attribution_spans(sentence: str) -> tuple[tuple[int, str], ...]:
    """Who ``sentence`` attributes its content to, as (offset of the cue, source as written).

    Cues: "according to X", "X said/told/added/...", "said X", "X's revelation/claims that",
    "citing X", "X was quoted as saying". A pronoun source comes back as the pronoun ("he"),
    for the caller to resolve. Sources nobody can name ("a statement said") are left out.
    """
    tokens = tokenize(sentence)
    found: list[tuple[int, str]] = []
    for k, token in enumerate(tokens):
        lower = token.text.lower()
        source = None
        if lower == "according" and k + 1 < len(tokens) and tokens[k + 1].lower == "to":
            source = _source_after(tokens, k + 2, loose=True)
        elif lower == "citing":
            source = _source_after(tokens, k + 1, loose=True)
        elif lower in SPEECH_VERBS and token.text.islower():
            if lower in _PARTICIPLES and k and tokens[k - 1].text == ",":
                source = found[-1][1] if found else _participle_subject(tokens, k)
                if found:
                    continue
            elif k and tokens[k - 1].text in ",”\"" and k + 1 < len(tokens) and lower not in _TELL and (
                    tokens[k + 1].is_cap and tokens[k + 1].lower not in PRONOUNS or tokens[k + 1].lower == "the"):
                source = _inverted_source(tokens, k) or _source_before(tokens, k)
            else:
                source = _source_before(tokens, k) or _inverted_source(tokens, k) or _participle_subject(tokens, k)
        elif lower == "put" and k + 3 < len(tokens) and " ".join(t.lower for t in tokens[k + 1:k + 5]).startswith(
                ("the death toll at", "the number at", "the toll at", "the figure at", "the total at", "the count at",
                 "the number of", "its estimate at", "the cost at", "the damage at", "the bill at")):
            source = _source_before(tokens, k)
        elif lower in _SPEECH_NOUNS and k and tokens[k - 1].possessive and tokens[k - 1].is_cap:
            source = _run_text_before(tokens, k)
        if source:
            found.append((token.start, source))
    return tuple(found)


def _source_after(tokens: list[Token], k: int, loose: bool) -> str | None:
    """The source phrase starting at tokens[k], up to a comma or a clause word; articles dropped."""
    while k < len(tokens) and tokens[k].lower in ("a", "an", "the"):
        k += 1
    end = k
    while end < len(tokens) and end - k < 10:
        token = tokens[end]
        if not token.is_word or (token.lower in _CLAUSE_ENDS and end > k):
            break
        if not loose and not (token.is_cap or token.text in _CONNECTORS or token.text in ROLE_WORDS):
            break
        end += 1
    while end > k and tokens[end - 1].text in _CONNECTORS:
        end -= 1
    phrase = _join(tokens[k:end])
    return _strip_possessive(phrase) if phrase and any(t.is_cap or t.lower in _SOURCE_NOUNS
                                                         for t in tokens[k:end]) else None


def _strip_possessive(text: str) -> str:
    return re.sub(r"[’']s?$", "", text)


def _source_before(tokens: list[Token], k: int) -> str | None:
    """The subject right before a speech verb at k: "Lt Gen Kyrylo Budanov, told", "Healey has also said"."""
    end = k
    while end > 0 and tokens[end - 1].lower in _FILLERS and not tokens[end - 1].is_cap:
        end -= 1
    if end > 0 and tokens[end - 1].lower in PRONOUNS:
        return tokens[end - 1].lower
    if end > 0 and tokens[end - 1].text == ",":
        end = _skip_apposition(tokens, end - 1)
    return _run_text_before(tokens, end, subject_only=True)


def _skip_apposition(tokens: list[Token], comma: int) -> int:
    """Index just after the subject when tokens[comma] closes ", a lecturer at ...," or a name in commas."""
    k = comma - 1
    while k >= 0 and tokens[k].text not in ",.;:\"“”":
        k -= 1
    segment = tokens[k + 1:comma]
    if k >= 0 and tokens[k].text == "," and segment and (
            segment[0].lower in ("a", "an", "the") or segment[0].lower in ROLE_WORDS and not segment[0].is_cap):
        return k
    return comma


def _run_text_before(tokens: list[Token], end: int, subject_only: bool = False) -> str | None:
    """The name run ending at tokens[end - 1] (with roles, possessives and source nouns), as written."""
    start = end
    while start > 0:
        token = tokens[start - 1]
        if token.is_word and (token.is_cap or token.text in ROLE_WORDS or token.lower in _SOURCE_NOUNS):
            start -= 1
        elif token.text in _CONNECTORS and start > 1 and tokens[start - 2].is_cap and start < end:
            start -= 1
        elif (token.text in _CONNECTORS and start > 2 and tokens[start - 2].text in _CONNECTORS
              and tokens[start - 3].is_cap and start < end):
            start -= 2  # "Institute for the Study of War"
        elif token.text == ")" and start > 2 and tokens[start - 3].text == "(":
            start -= 3
        else:
            break
    while start < end and (tokens[start].text in _CONNECTORS or tokens[start].lower in _STARTERS
                           and _opens_sentence(tokens, start) or tokens[start].lower in _CALENDAR):
        start += 1
    if start < end and all(not t.is_cap for t in tokens[start:end]) and tokens[end - 1].lower in _SOURCE_NOUNS:
        while start > 0 and end - start < 4 and tokens[start - 1].is_word and not tokens[start - 1].is_cap \
                and tokens[start - 1].lower not in _NOT_MODIFIERS and not tokens[start - 1].lower.endswith("ly"):
            start -= 1  # "civil protection officials", "defence ministry"
    run = tokens[start:end]
    if not run or not any(t.is_cap for t in run) and not any(t.lower in _SOURCE_NOUNS for t in run[-1:]):
        return None
    if len(run) == 1 and run[0].lower in _STARTERS:
        return None
    if subject_only:
        before = start - 1
        while before >= 0 and tokens[before].lower in ("the", "a", "an"):
            before -= 1
        if before >= 0 and tokens[before].is_word and not tokens[before].is_cap \
                and tokens[before].lower not in _SUBJECT_OPENERS:
            return None  # "the agency that runs the Sorrel Dam has acknowledged": the dam is an object
    return _strip_possessive(_join(run))


_NOT_MODIFIERS = frozenset("""
the a an and or but of in on at to for from by with as that which who whose said says told has have had was were
is are be been will would could may might can did do does this these those its their his her our some many most
several other others all any no not also when while after before since until if than then so yet there here it
they we he she what where why how local senior two three four five few
""".split())
_SUBJECT_OPENERS = frozenset("""
and but or while as because since although though when after before that which who where so yet according
also if said says told with by from
""".split())


def _inverted_source(tokens: list[Token], k: int) -> str | None:
    """", said Joseph S Bermudez Jr," / ", said the Institute ...": the source after the verb."""
    if k == 0 or tokens[k - 1].text not in ",”\"" or tokens[k].lower not in SPEECH_VERBS:
        return None
    after = k + 1
    if after < len(tokens) and tokens[after].lower in PRONOUNS:
        return tokens[after].lower
    return _source_after(tokens, after, loose=False)


def _participle_subject(tokens: list[Token], k: int) -> str | None:
    """"Ukraine's National Intelligence Service elaborated ..., adding that": the sentence subject."""
    if tokens[k].lower not in _PARTICIPLES and not (k >= 2 and tokens[k - 1].lower == "as"
                                                    and tokens[k - 2].lower == "quoted"):
        return None
    start = 0
    while start < len(tokens) and not tokens[start].is_word:
        start += 1
    end = start
    while end < len(tokens) and tokens[end].is_word and (tokens[end].is_cap or tokens[end].text in _CONNECTORS
                                                          or tokens[end].text in ROLE_WORDS):
        end += 1
    if end == start or end >= len(tokens) or not tokens[end].is_word:
        return None
    return _run_text_before(tokens, end)


# -------------------------------------------------------------------------------------- relayed by

_MEDIA_WORDS = frozenset("""news times post journal zone press reuters guardian telegraph radio tv television network
magazine herald tribune gazette wire daily bloomberg axios politico independent economist mail express observer insider
courier chronicle ledger review standard dispatch examiner inquirer sentinel bulletin monitor globe mirror
yonhap interfax tass xinhua afp ap bbc cnn nbc cbs abc npr pbs fox msnbc cnbc wsj nyt""".split())
_OUTLET = r"(?P<o>(?:[Tt]he\s+)?[A-Z][\w&.'’-]*(?:\s+(?:[A-Z][\w&.'’-]*|of|&))*)"
_RELAY = [re.compile(p) for p in (
    r"\b(?:told|telling|said\s+to|speaking\s+to|in\s+an\s+interview\s+with|quoted\s+by)\s+" + _OUTLET,
    r"\b(?:writes|wrote|reports|reported|[Aa]ccording\s+to)\s+" + _OUTLET,
    _OUTLET + r"\s+(?:reports|reported|writes|wrote|quoted|quotes)\b",
)]


def relayed_by(sentence: str) -> str | None:
    """The news outlet a sentence says relayed what it reports: "Budanov told The War Zone",
    "..., writes The Wall Street Journal", "CNN reported". Only names that read as an outlet (a media word
    such as Times, News, Journal, Zone, or a broadcaster's or wire's name) count: "told Putin" is not a relay."""
    outside = re.sub(r"“[^”]*”|\"[^\"]*\"", lambda m: " " * len(m.group(0)), sentence)
    for pattern in _RELAY:
        for m in pattern.finditer(outside):
            name = m.group("o").strip(" .,'’")
            name = re.sub(r"[’']s$", "", name)
            words = re.findall(r"[A-Za-z]+", name)
            if words and any(w.lower() in _MEDIA_WORDS for w in words) and words[-1].lower() not in ("said", "says"):
                return name
    return None
