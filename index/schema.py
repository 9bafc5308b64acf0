"""The Whoosh schemas: one index of articles, one of passages (paragraphs)."""

from __future__ import annotations

from .fastimport import import_whoosh

import_whoosh()

from whoosh.analysis import RegexTokenizer, LowercaseFilter, StemmingAnalyzer  # noqa: E402
from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema  # noqa: E402

SCHEMA_VERSION = 1
ARTICLES = "articles"
PASSAGES = "passages"


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


def passage_schema() -> Schema:
    return Schema(
        pid=ID(stored=True, unique=True),
        article=ID(stored=True),
        path=ID(),
        n=STORED,
        body=TEXT(analyzer=StemmingAnalyzer()),
    )
