"""Per-article extraction: sentences, figures, dates, entities and quotes, cached by content hash.

``extract(article)`` runs every extractor over the cleaned paragraphs of one article.
``ExtractionCache(folder).get(article)`` returns the same, stored as one JSON file per article in
``folder`` (``<library>/cache/extract``), keyed by the article's content hash, its published date
(dates are resolved against it) and the extractor version. A missing, corrupt or old cache file
is recomputed; writes are atomic (temporary file, then rename); a cache folder that cannot be
written is used read-only (or not at all), never an error.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from index.model import Article
from index.plaintext import strip_dateline

from .dates import DateMention, extract_dates
from .entities import Entities, Organization, Person, Place, attribution_spans, extract_entities
from .figures import Figure, find_figures
from .quotes import Quote, _Resolver, find_quotes
from .sentences import split_sentences

__all__ = ["Sentence", "Extraction", "extract", "ExtractionCache", "VERSION"]

VERSION = 9  # bump whenever an extractor changes what it finds: old cache files are then recomputed


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str
    paragraph: int  # index of its paragraph in the article


@dataclass(slots=True)
class Extraction:
    sentences: list[Sentence] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    entities: Entities = field(default_factory=Entities)
    quotes: list[Quote] = field(default_factory=list)

    # ------------------------------------------------------------------------------ JSON round trip

    def to_json(self) -> dict:
        return {
            "version": VERSION,
            "sentences": [[s.text, s.paragraph] for s in self.sentences],
            "figures": [[f.value, f.text, f.hedge, f.counted, f.counted_key, f.attributed_to, f.sentence, f.start]
                        for f in self.figures],
            "dates": [[d.text, _iso(d.start), _iso(d.end), d.precision, d.sentence] for d in self.dates],
            "people": [[p.name, p.role, p.mentions, p.aliases] for p in self.entities.people],
            "organizations": [[o.name, o.mentions, o.aliases] for o in self.entities.organizations],
            "places": [[p.name, p.mentions, p.aliases] for p in self.entities.places],
            "quotes": [[q.text, q.speaker, q.role, q.paragraph_index, q.start, q.via] for q in self.quotes],
        }

    @classmethod
    def from_json(cls, data: dict) -> Extraction:
        if data.get("version") != VERSION:
            raise ValueError("extraction cache of another version")
        return cls(
            sentences=[Sentence(t, p) for t, p in data["sentences"]],
            figures=[Figure(float(v), t, h, c, k, a, s, st) for v, t, h, c, k, a, s, st in data["figures"]],
            dates=[DateMention(t, _date(a), _date(b), p, s) for t, a, b, p, s in data["dates"]],
            entities=Entities(
                people=[Person(n, r, m, list(al)) for n, r, m, al in data["people"]],
                organizations=[Organization(n, m, list(al)) for n, m, al in data["organizations"]],
                places=[Place(n, m, list(al)) for n, m, al in data["places"]],
            ),
            quotes=[Quote(t, s, r, p, st, v) for t, s, r, p, st, v in data["quotes"]],
        )


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


# ---------------------------------------------------------------------------------------- extract


def extract(article: Article) -> Extraction:
    """Everything the briefing engine needs from one article."""
    paragraphs = list(article.paragraphs)
    entities = extract_entities(paragraphs)
    resolver = _Resolver(entities, paragraphs)
    quotes = find_quotes(paragraphs, entities, resolver)
    sentences: list[Sentence] = []
    figures: list[Figure] = []
    dates: list[DateMention] = []
    for p, paragraph in enumerate(paragraphs):
        offset = 0
        for text in split_sentences(paragraph):
            start = paragraph.find(text, offset)
            offset = start + len(text)
            if p == 0:
                text = strip_dateline(text)  # "KAVRA, March 4 (Meridian Wire) - " is not part of the claim
            sentences.append(Sentence(text, p))
            dates.extend(extract_dates(text, article.published))
            if _MAYBE_NUMBER.search(text):
                found = find_figures(text)
                if found:
                    cues = _cues(text)
                    for f in found:
                        quoted = _quote_at(quotes, p, start + f.start)
                        if quoted is not None:
                            who = quoted.speaker
                        else:
                            who = _attribution(cues, text, f.start, p, start, resolver)
                        figures.append(_with_attribution(f, who))
    return Extraction(sentences, figures, dates, entities, quotes)


def _with_attribution(figure: Figure, who: str | None) -> Figure:
    from dataclasses import replace

    return replace(figure, attributed_to=who) if who else figure


_NOT_SOURCES = frozenset({"media", "reports", "report", "experts", "others", "some", "many"})


_MAYBE_NUMBER = re.compile(r"\d|(?i:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
                           r"forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion)")


def _quote_at(quotes: list[Quote], paragraph: int, offset: int) -> Quote | None:
    """The quote of ``paragraph`` whose text covers ``offset``, if any."""
    for q in quotes:
        if q.paragraph_index == paragraph and q.start <= offset < q.start + len(q.text):
            return q
    return None


def _cues(sentence: str) -> list[tuple[int, str]]:
    if sentence.rstrip().endswith("?"):
        return []
    return [(off, who) for off, who in attribution_spans(_outside_quotes(sentence)) if who.lower() not in _NOT_SOURCES]


def _attribution(cues: list[tuple[int, str]], sentence: str, at: int, paragraph: int, start: int,
                 resolver: _Resolver) -> str | None:
    """Who a sentence credits for the figure at offset ``at``: an "according to" cue, else the nearest
    cue; as a readable name (persons by their full name, "the authority" by the organisation's)."""
    if not cues:
        return None
    according = [(off, who) for off, who in cues if sentence[off:off + 9].lower() == "according"]
    off, who = according[0] if according else min(cues, key=lambda c: abs(c[0] - at))
    who = re.sub(r"\s+(?:reporting|report|reports|statement|data|figures)$", "", who)
    name, _ = resolver.resolve(who, paragraph, start + off)
    if name:
        return name
    if who.lower() in ("he", "she"):
        return None
    return re.sub(r"^(?:the|a|an)\s+", "", who, flags=re.I)


def _outside_quotes(sentence: str) -> str:
    """The sentence with quoted words blanked: a figure in a quote is credited to its speaker's cue."""
    return re.sub(r"“[^”]*”", lambda m: " " * len(m.group(0)), sentence)


PARALLEL_FROM = 40  # extract in worker processes from this many uncached articles


def _extract_parallel(missing: list[tuple[Article, str]]):
    """(article, key, extraction) for each, in worker processes when there are many and cores to use."""
    workers = min(os.cpu_count() or 1, 4)
    if len(missing) < PARALLEL_FROM or workers < 2:
        for article, key in missing:
            yield article, key, extract(article)
        return
    try:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=workers) as pool:
            chunk = max(1, len(missing) // (workers * 4))
            results = pool.map(extract, [a for a, _ in missing], chunksize=chunk)
            for (article, key), extraction in zip(missing, results):
                yield article, key, extraction
    except (OSError, ImportError, RuntimeError):  # no process support here: do it in this one
        for article, key in missing:
            yield article, key, extract(article)


# ------------------------------------------------------------------------------------------ cache


class ExtractionCache:
    """Extractions on disk, one JSON file per article content; ``folder`` None keeps them in memory only."""

    def __init__(self, folder: str | os.PathLike | None) -> None:
        self.folder = Path(folder) if folder is not None else None
        self.memory: dict[str, Extraction] = {}
        self.writable = self.folder is not None
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(article: Article) -> str:
        raw = f"{VERSION}\0{article.content_hash}\0{_iso(article.published)}"
        return hashlib.blake2b(raw.encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()

    def get(self, article: Article) -> Extraction:
        key = self.key(article)
        if key in self.memory:
            return self.memory[key]
        found = self._read(key)
        if found is None:
            self.misses += 1
            found = extract(article)
            self._write(key, found)
        else:
            self.hits += 1
        self.memory[key] = found
        return found

    def get_many(self, articles: list[Article], progress=None) -> dict[str, Extraction]:
        """article id -> extraction; articles missing from the cache are extracted in parallel when many."""
        out: dict[str, Extraction] = {}
        missing: list[tuple[Article, str]] = []
        for article in articles:
            key = self.key(article)
            found = self.memory.get(key) or self._read(key)
            if found is None:
                missing.append((article, key))
                continue
            self.hits += 1
            self.memory[key] = out[article.id] = found
        done = len(out)
        if progress:
            progress("extracting", done, len(articles))
        for article, key, extraction in _extract_parallel(missing):
            self.misses += 1
            self._write(key, extraction)
            self.memory[key] = out[article.id] = extraction
            done += 1
            if progress and (done % 25 == 0 or done == len(articles)):
                progress("extracting", done, len(articles))
        return out

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def _read(self, key: str) -> Extraction | None:
        if self.folder is None:
            return None
        try:
            with open(self._path(key), encoding="utf-8") as handle:
                return Extraction.from_json(json.load(handle))
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None  # missing, unreadable, corrupt or old: recompute

    def _write(self, key: str, extraction: Extraction) -> None:
        if not self.writable:
            return
        path = self._path(key)
        tmp = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(extraction.to_json(), handle, ensure_ascii=False, separators=(",", ":"))
            os.replace(tmp, path)
            tmp = None
        except OSError:
            self.writable = False  # read-only or full: carry on without writing
        finally:
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
