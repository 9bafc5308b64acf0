"""The Whoosh schema of the articles index.

Paragraphs are kept in the stored body (joined by blank lines); passages are scored at query time
from them (index.search.best_passages) rather than indexed as separate documents, which measured
2.4x slower to build (52 vs 127 docs/s on the same 1,500 articles).
"""

from __future__ import annotations

from .fastimport import import_whoosh

import_whoosh()

from whoosh.analysis import RegexTokenizer, LowercaseFilter, StemmingAnalyzer  # noqa: E402
from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema  # noqa: E402

from .storage import ARTICLES  # noqa: E402,F401  (the index name)

SCHEMA_VERSION = 1


def _names():
    return RegexTokenizer(r"\w+(?:[.'’-]\w+)*") | LowercaseFilter()


def article_schema() -> Schema:
    stem = StemmingAnalyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        path=ID(stored=True),
        key=STORED,
        title=TEXT(analyzer=stem, stored=True, field_boost=2.0),
        body=TEXT(analyzer=stem, stored=True),
        outlet=TEXT(analyzer=_names(), stored=True),
        outlet_facet=ID(sortable=True),
        author=TEXT(analyzer=_names(), stored=True),
        published=DATETIME(stored=True, sortable=True),
        tags=KEYWORD(stored=True, commas=True, lowercase=True, scorable=True),
        url=STORED,
        hash=STORED,
    )
