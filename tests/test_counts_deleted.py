"""Hit counts after re-indexing: deleted documents (left by changed and removed files) are never counted,
and a count shown as exact is exact.

A library is indexed, then some of its files are changed, some removed and some added, and it is
re-indexed twice: the index then has several segments, with deleted documents in them. Every count
brief gives (search's total, count_hits, the quick lower bound the app shows first) is compared with a
full Whoosh count and with a grep of the files themselves.
"""

from __future__ import annotations

import json
import random
import re

import pytest

from index.indexer import update
from index.library import Library
from index.search import count_hits, fast_count, make_parser, search

WORDS = ("quillmoor brackenfold zephyrine harbour pilots strike ferry storm minister budget vote relief "
         "convoy water level flood dam wall border troops market oil prices").split()
FILES = 24
PER_FILE = 40

QUERIES = [
    "quillmoor", "quillmoor brackenfold", "quillmoor brackenfold NOT zephyrine", "quillmoor OR zephyrine",
    "(quillmoor OR ferry) NOT storm", "oil prices", '"oil prices"', '"water level"', '"dam wall" NOT flood',
    "zephyrine", "storm NOT quillmoor", '"quillmoor brackenfold"', '"harbour pilots" strike',
    'flood NOT "dam wall"', '(flood OR storm) "oil prices"',  # where Whoosh's limited search miscounts
]


def _article(rng: random.Random, n: int, version: int) -> dict:
    body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 40)))
    return {"id": f"a{n}", "title": f"Report {n} v{version}", "outlet": rng.choice(["Meridian Wire", "Capital Post"]),
            "published": "2025-03-04", "body": body}


def _write(path, articles) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for a in articles:
            f.write(json.dumps(a) + "\n")


@pytest.fixture(scope="module")
def reindexed(tmp_path_factory):
    """(library, source folder): indexed, then files changed, removed and added, re-indexed twice."""
    rng = random.Random(13)
    src = tmp_path_factory.mktemp("src")
    articles = {f: [_article(rng, f * PER_FILE + i, 0) for i in range(PER_FILE)] for f in range(FILES)}
    for f, arts in articles.items():
        _write(src / f"f{f:02d}.jsonl", arts)
    lib = Library(tmp_path_factory.mktemp("lib"))
    update(lib, [src])
    for round_ in (1, 2):
        for f in rng.sample(sorted(articles), 4):  # changed files: their articles re-indexed, the old ones deleted
            articles[f] = [_article(rng, f * PER_FILE + i, round_) for i in range(PER_FILE)]
            _write(src / f"f{f:02d}.jsonl", articles[f])
        gone = rng.choice(sorted(articles))
        del articles[gone]
        (src / f"f{gone:02d}.jsonl").unlink()
        new = FILES + round_
        articles[new] = [_article(rng, new * PER_FILE + i, round_) for i in range(PER_FILE)]
        _write(src / f"f{new:02d}.jsonl", articles[new])
        update(lib, [src])
    return lib, src


def _grep_count(src, text: str) -> int:
    """How many articles of the files match ``text`` (only the simple shapes of QUERIES: words, phrases,
    OR in brackets, NOT), read from the files with regular expressions."""
    def holds(body: str, part: str) -> bool:
        part = part.strip()
        if part.startswith("(") and part.endswith(")"):
            return any(holds(body, p) for p in part[1:-1].split(" OR "))
        if " OR " in part:
            return any(holds(body, p) for p in part.split(" OR "))
        if part.startswith('"'):
            return re.search(r"\b" + r"\s+".join(part.strip('"').split()) + r"\b", body) is not None
        return all(re.search(rf"\b{w}\b", body) for w in part.split())

    positive, _, negative = text.partition(" NOT ")
    parts = re.findall(r'\([^)]*\)|"[^"]*"|\S+ OR \S+|\S+', positive) if " OR " not in positive or "(" in positive \
        else [positive]
    found = 0
    for path in src.glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            a = json.loads(line)
            body = (a["title"] + " " + a["body"]).lower()
            if all(holds(body, p) for p in parts) and not (negative and holds(body, negative)):
                found += 1
    return found


def test_the_index_has_segments_with_deleted_documents(reindexed):
    lib, _ = reindexed
    with lib.open_index().searcher() as s:
        leaves = [leaf.reader() for leaf, _ in s.leaf_searchers()]
        assert len(leaves) > 1
        assert any(r.has_deletions() for r in leaves)
        assert s.doc_count_all() > s.doc_count()


@pytest.mark.parametrize("text", QUERIES)
def test_counts_equal_whoosh_and_grep_after_reindexing(reindexed, text):
    lib, src = reindexed
    with lib.open_index().searcher() as s:
        q = make_parser(s.schema).parse(text)
        whoosh_count = len(s.search(q, limit=None))
        assert whoosh_count == _grep_count(src, text)
        result = search(s, text, limit=5)
        if result.total_exact:
            assert result.total == whoosh_count
        assert search(s, text, limit=5, exact=True).total == whoosh_count
        assert search(s, text, limit=5, exact=True).total_exact
        assert count_hits(s, text)[0] == whoosh_count
        counted = fast_count(s, q)
        assert counted is None or counted == whoosh_count


@pytest.mark.parametrize("text", QUERIES)
def test_the_quick_count_never_counts_deleted_documents(reindexed, text):
    """search(count=False), what the app shows first: exact, or a lower bound -- never more than match."""
    lib, _ = reindexed
    with lib.open_index().searcher() as s:
        whoosh_count = len(s.search(make_parser(s.schema).parse(text), limit=None))
        for limit in (1, 5):
            quick = search(s, text, limit=limit, count=False)
            assert quick.total <= whoosh_count
            if quick.total_exact:
                assert quick.total == whoosh_count
