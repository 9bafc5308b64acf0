"""A corpus of real-looking news for benchmarks: N articles made of sentences of real articles.

    python -m bench.realcorpus OUT N [--seed 1] [--source DIR]

Why: the synthetic corpus of bench.corpus draws words one by one from a Zipf list of 4,000 words, so
its word frequencies are roughly right but nothing else is: no phrase is more common than chance
("last year", "told reporters", "the White House" occur no more often than any two words side by
side), every word is spread evenly over the articles (real words come in bursts: "levee" is in a few
articles, many times each), and the lexicon is made-up syllables. Search speed depends on exactly these
things (how many articles hold a word, how long its posting list is, how many words a prefix or a
fuzzy term expands to, how often two words are adjacent), so the app is measured here on text whose
sentences are real.

How it is made (deterministic for a seed; article ``k`` is the same whatever N is):
  1. The source: every ``cluster_*/article_*.txt`` of ``multinews-dev`` (never ``summary.txt``, the
     human reference), read and cleaned as ``brief index`` reads a pasted article
     (index.plaintext.parse_plain_text: page furniture, bylines and captions left out), its paragraphs
     split into sentences (briefs.sentences). Sentences of fewer than 3 words are dropped, and a sentence
     repeated across articles (wire copy) is kept once. From the same reading come the real
     distributions used below: sentences per article (files left with no text are not articles) and
     sentences per paragraph (capped at PARAGRAPH_CAP: a scraped page that lost its paragraph breaks
     is one 60-sentence "paragraph").
  2. Each article: a length drawn from the real sentences-per-article distribution; a home story (one
     of the 100 clusters); HOME_SHARE of its sentences sampled from that story's sentences (the same
     story told by other outlets: words come in bursts, related articles exist), the rest from all
     sentences; none twice in one article. Sentences are grouped into paragraphs of real sizes.
  3. Its title: the first sentence of a real paragraph of its story, shortened as ``brief`` derives a
     title from a lede (index.plaintext.derive_title); one that it has to cut (over 90 characters), that
     opens on a quote or a dash, or that leaves a quote open, is not used.
  4. Its front matter, a mix (FORMS): Markdown with YAML front matter (title, outlet, date, author);
     plain text with a headline line, a byline "By Name, Outlet" and a "Published: ..." line; plain text
     with an "Outlet | date" line; plain text with a byline and a date but no outlet; and pasted text
     with no headline, outlet or date at all (the title is derived from the lede, as for the seeds).
     Outlets are real names, chosen with Zipf weights (a few big outlets, a long tail); dates fall over
     one year (2025). A wire dateline inside a real sentence ("(CNN) —") can still name an outlet.
Files go to subfolders of FILES_PER_FOLDER (000/000000.md, ...), written once and reused: a stamp file
beside the folder holds N, the seed, VERSION and a fingerprint of the source files (``prepare``).

What it is not: the lexicon is that of ~280 articles (about 11,000 stemmed body words) however large N is,
where a real library of 20,000 articles holds many more (names, places and rare words keep coming);
each sentence recurs about N x 31 / 8,000 times. Word and phrase statistics within a sentence and across the articles of a story are
real; a wildcard or fuzzy term expands to fewer words than it would on a real library of that size.
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import itertools
import json
import random
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

SOURCE = REPO.parent / "shared" / "corpora" / "multinews-dev"
SOURCE_GLOB = "cluster_*/article_*.txt"
VERSION = 1  # bump when the way articles are made changes (a stamped corpus is then rebuilt)
FILES_PER_FOLDER = 1000
HOME_SHARE = 0.6  # of an article's sentences, the share drawn from its own story
PARAGRAPH_CAP = 8  # sentences in a paragraph, at most
MIN_SENTENCE_WORDS = 3
MIN_ARTICLE_SENTENCES = 2
FIRST_DAY, DAYS = date(2025, 1, 1), 365

OUTLETS = [  # real outlet names; drawn with Zipf weights in this order
    "Reuters", "Associated Press", "The New York Times", "BBC News", "CNN", "The Washington Post",
    "The Guardian", "NPR", "Fox News", "NBC News", "Los Angeles Times", "USA Today", "CBS News", "ABC News",
    "Bloomberg", "The Wall Street Journal", "Politico", "Al Jazeera", "The Independent", "The Telegraph",
    "Chicago Tribune", "The Atlantic", "Newsweek", "Time", "CNBC", "The Hill", "Vox", "Slate", "HuffPost",
    "Business Insider", "The Boston Globe", "San Francisco Chronicle", "Miami Herald", "The Seattle Times",
    "Houston Chronicle", "The Denver Post", "Axios", "Financial Times", "The Economist", "Daily Mail",
]
_FIRST_NAMES = ("James Mary John Patricia Robert Jennifer Michael Linda David Elizabeth William Susan Richard "
                "Jessica Joseph Sarah Thomas Karen Daniel Lisa Matthew Nancy Anthony Sandra Mark Ashley Paul "
                "Emily Steven Michelle Andrew Laura Kevin Rachel Brian Amanda George Helen Maria Ahmed Wei "
                "Priya Carlos Sofia Yuki Olga Kwame Fatima Lars Chen").split()
_LAST_NAMES = ("Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
               "Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris "
               "Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill "
               "Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Khan Patel Kim "
               "Okafor Novak Schmidt Rossi Tanaka Ivanova Haddad").split()

# (name, weight): how an article's metadata is written (see the module docstring, point 4)
FORMS = [("markdown", 0.30), ("byline-outlet", 0.25), ("outlet-bar", 0.10), ("byline-date", 0.10),
         ("headline-only", 0.05), ("pasted", 0.20)]

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]")


@dataclass
class Pool:
    """The real sentences and the distributions read from the source."""

    sentences: list[str] = field(default_factory=list)
    stories: list[list[int]] = field(default_factory=list)  # per cluster: indices into sentences
    firsts: list[list[str]] = field(default_factory=list)  # per cluster: titles from paragraphs' first sentences
    article_lengths: list[int] = field(default_factory=list)  # sentences per real article
    paragraph_sizes: list[int] = field(default_factory=list)  # sentences per real paragraph (capped)
    files: int = 0
    summaries_read: int = 0  # always 0: the human summaries are never read (tests check it)
    read_paths: list[str] = field(default_factory=list)


def source_files(source: Path = SOURCE) -> list[Path]:
    """The real articles: cluster_*/article_*.txt, never summary.txt."""
    return sorted(p for p in Path(source).glob(SOURCE_GLOB) if p.name != "summary.txt" and p.is_file())


def fingerprint(files: list[Path]) -> str:
    h = hashlib.sha256()
    for p in files:
        h.update(f"{p.parent.name}/{p.name}:{p.stat().st_size}\n".encode())
    return h.hexdigest()[:16]


def read_pool(source: Path = SOURCE) -> Pool:
    """Read and clean every real article of ``source`` (as `brief index` reads pasted text)."""
    from briefs.sentences import split_sentences
    from index.plaintext import derive_title, parse_plain_text

    pool = Pool()
    seen: dict[str, int] = {}
    by_cluster: dict[str, int] = {}
    for path in source_files(source):
        pool.read_paths.append(str(path))
        pool.files += 1
        doc = parse_plain_text(path.read_text(encoding="utf-8", errors="replace"))
        story = by_cluster.setdefault(path.parent.name, len(pool.stories))
        if story == len(pool.stories):
            pool.stories.append([])
            pool.firsts.append([])
        count = 0
        for paragraph in doc.paragraphs:
            kept = [s.strip() for s in split_sentences(paragraph)]
            kept = [s for s in kept if len(s.split()) >= MIN_SENTENCE_WORDS]
            if not kept:
                continue
            pool.paragraph_sizes.append(min(len(kept), PARAGRAPH_CAP))
            count += len(kept)
            title = derive_title([kept[0]])
            if _headline_like(title):
                pool.firsts[story].append(title)
            for s in kept:
                if s not in seen:
                    seen[s] = len(pool.sentences)
                    pool.sentences.append(s)
                    pool.stories[story].append(seen[s])
        if count >= MIN_ARTICLE_SENTENCES:
            pool.article_lengths.append(count)
    keep = [i for i, s in enumerate(pool.stories) if len(s) >= MIN_ARTICLE_SENTENCES and pool.firsts[i]]
    pool.stories = [pool.stories[i] for i in keep]
    pool.firsts = [pool.firsts[i] for i in keep]
    if not pool.stories or not pool.article_lengths:
        raise FileNotFoundError(f"no readable articles under {source} ({SOURCE_GLOB})")
    pool.article_lengths.sort()
    pool.paragraph_sizes.sort()
    return pool


def _headline_like(title: str) -> bool:
    """A title a headline could be: a whole sentence (not cut) of 3+ words, not opening on a quote or a
    dash, quotes balanced."""
    if len(title.split()) < 3 or title.endswith("…") or title == "(untitled)" or not title[:1].isalnum():
        return False
    return title.count('"') % 2 == 0 and title.count("“") == title.count("”")


class _Maker:
    def __init__(self, pool: Pool, seed: int) -> None:
        self.pool, self.seed = pool, seed
        self.outlet_weights = list(itertools.accumulate(1.0 / rank for rank in range(1, len(OUTLETS) + 1)))
        self.form_weights = list(itertools.accumulate(w for _, w in FORMS))

    def article(self, number: int) -> tuple[str, str]:
        """(suffix, text) of article ``number``."""
        pool = self.pool
        rng = random.Random(f"realcorpus:{self.seed}:{number}")
        story = rng.randrange(len(pool.stories))
        length = rng.choice(pool.article_lengths)
        home = pool.stories[story]
        from_home = min(len(home), round(length * HOME_SHARE))
        chosen = rng.sample(home, from_home)
        taken = set(chosen)
        while len(chosen) < length and len(taken) < len(pool.sentences):
            i = rng.randrange(len(pool.sentences))
            if i not in taken:
                taken.add(i)
                chosen.append(i)
        rng.shuffle(chosen)
        paragraphs, at = [], 0
        while at < len(chosen):
            size = rng.choice(pool.paragraph_sizes)
            paragraphs.append(" ".join(pool.sentences[i] for i in chosen[at:at + size]))
            at += size
        title = rng.choice(pool.firsts[story])
        form = FORMS[bisect.bisect_left(self.form_weights, rng.random() * self.form_weights[-1])][0]
        outlet = OUTLETS[bisect.bisect_left(self.outlet_weights, rng.random() * self.outlet_weights[-1])]
        day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
        author = f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}"
        body = "\n\n".join(paragraphs) + "\n"
        when = f"{day:%B} {day.day}, {day.year}"
        if form == "markdown":
            lines = ["---", f"title: {json.dumps(title, ensure_ascii=False)}", f"outlet: {json.dumps(outlet, ensure_ascii=False)}", f"date: {day.isoformat()}"]
            if rng.random() < 0.6:
                lines.append(f"author: {json.dumps(author, ensure_ascii=False)}")
            return ".md", "\n".join(lines) + "\n---\n\n" + body
        if form == "byline-outlet":
            return ".txt", f"{title}\n\nBy {author}, {outlet}\n\nPublished: {when}\n\n{body}"
        if form == "outlet-bar":
            return ".txt", f"{title}\n\n{outlet} | {when}\n\n{body}"
        if form == "byline-date":
            return ".txt", f"{title}\n\nBy {author}\n\nPublished: {when}\n\n{body}"
        if form == "headline-only":
            return ".txt", f"{title}\n\n{body}"
        return ".txt", body  # pasted: no headline, outlet or date


def file_path(out_dir: Path, number: int, suffix: str) -> Path:
    return Path(out_dir) / f"{number // FILES_PER_FOLDER:03d}" / f"{number:06d}{suffix}"


def generate(out_dir: Path, n: int, seed: int = 1, source: Path = SOURCE, pool: Pool | None = None) -> list[Path]:
    """Write N articles under ``out_dir`` (created if needed) and return their paths in order."""
    out_dir = Path(out_dir)
    maker = _Maker(pool or read_pool(source), seed)
    paths = []
    for number in range(n):
        suffix, text = maker.article(number)
        path = file_path(out_dir, number, suffix)
        if number % FILES_PER_FOLDER == 0:
            path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def stamp_text(n: int, seed: int, source: Path = SOURCE) -> str:
    return f"realcorpus v{VERSION} n={n} seed={seed} source={fingerprint(source_files(source))}"


def prepare(work: Path, n: int, seed: int = 1, source: Path = SOURCE) -> tuple[Path, float]:
    """The real-text corpus of ``n`` articles under ``work`` (``realcorpus-N``), made once and reused while
    its stamp (N, seed, VERSION, the source's fingerprint) matches; (folder, seconds spent making it)."""
    work = Path(work)
    corpus = work / f"realcorpus-{n}"
    stamp = work / f"realcorpus-{n}.stamp"
    want = stamp_text(n, seed, source)
    if stamp.is_file() and stamp.read_text() == want and corpus.is_dir():
        return corpus, 0.0
    shutil.rmtree(corpus, ignore_errors=True)
    stamp.unlink(missing_ok=True)
    started = time.perf_counter()
    generate(corpus, n, seed, source)
    stamp.write_text(want)
    return corpus, time.perf_counter() - started


def words_of(text: str) -> list[str]:
    """Lower-case words of ``text`` (for choosing query words from the pool)."""
    return [w.lower() for w in _WORD.findall(text)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.realcorpus",
                                     description="Write a corpus of N articles made of real sentences (multinews-dev).")
    parser.add_argument("out", type=Path, help="output folder")
    parser.add_argument("n", type=int, help="number of articles")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--source", type=Path, default=SOURCE, help=f"the real corpus (default {SOURCE})")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    pool = read_pool(args.source)
    read_s = time.perf_counter() - started
    paths = generate(args.out, args.n, args.seed, pool=pool)
    seconds = time.perf_counter() - started
    print(f"{len(paths)} articles in {args.out} ({seconds:.1f}s, {read_s:.1f}s of it reading {pool.files} real "
          f"articles: {len(pool.sentences):,} sentences, {len(pool.stories)} stories)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
