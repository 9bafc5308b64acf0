"""related_articles' fast path (index.search._related_pool: postings read a block at a time, scored with
Whoosh's own BM25F scorer, the few near the cut scored again by Whoosh's matcher) gives what the path it
replaces gives (Whoosh's collector over every posting, then the terms looked up): the same candidates in
the same order with the same scores and the same terms held, so the same related articles, on the demo
and on real multinews-dev articles, in one segment and in several with deleted documents, with the
matcher Whoosh picks for a small index (an array of every posting) and the one it picks above 5,000
documents (a tree of unions)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from whoosh import classify, query

import index.search as S
from tui_support import demo_lib  # noqa: F401 - fixture

MULTINEWS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "multinews-dev"


def _terms(s, title: str, paragraphs: list[str]):
    text = f"{title} {title} " + " ".join(paragraphs[:3])
    return s.key_terms_from_text("body", text, numterms=S.RELATED_TERMS, model=classify.Bo1Model, normalize=False)


def _both(s, terms, docnum: int, pool: int = 36):
    q = query.Or([query.Term("body", w, boost=v) for w, v in terms])
    old = S._related_pool_whoosh(s, q, pool, docnum, lambda: False, pruned=False)
    old_held = S._terms_held(s, [d for d, _ in old], [w for w, _ in terms])
    found = S._related_pool(s, q, terms, pool, docnum, lambda: False)
    assert found is not None, "the fast path gave up on a plain brief index"
    new, new_held = found
    assert [d for d, _ in new] == [d for d, _ in old]  # the same documents in the same order
    assert all(abs(a - b) <= 1e-9 * abs(b) for (_, a), (_, b) in zip(new, old))  # a sum's order aside
    return old, {d: old_held.get(d, set()) for d, _ in old}, new, new_held


@pytest.fixture(params=["auto", "tree"])
def matcher_kind(request, monkeypatch):
    """Whoosh's own choice (an array union on these small indexes) and the binary tree of unions it
    uses above 5,000 documents (the 20k and 100k libraries)."""
    if request.param == "tree":
        monkeypatch.setattr(query.Or, "matcher_type", query.Or.DEFAULT_MATCHER)
    return request.param


def test_fast_pool_is_whooshs_on_every_demo_article(demo_lib, matcher_kind):  # noqa: F811
    compared = 0
    with demo_lib.open_index().searcher() as s:
        for row in demo_lib.catalog():
            article = demo_lib.get(row["id"], s)
            terms = _terms(s, article.title, article.paragraphs)
            if not terms:
                continue
            old, old_held, new, new_held = _both(s, terms, s.document_number(id=article.id))
            assert new_held == old_held, article.title
            compared += bool(old)
    assert compared >= 10


def test_related_articles_are_the_same_without_the_fast_path(demo_lib, monkeypatch):  # noqa: F811
    with demo_lib.open_index().searcher() as s:
        articles = [demo_lib.get(r["id"], s) for r in demo_lib.catalog()]
        fast = [S.related_articles(s, a, 8) for a in articles]
        bare = [S.related_articles(s, a, 8, other_outlets=False, share=0.0, min_terms=0) for a in articles]
        monkeypatch.setattr(S, "_related_pool", lambda *args, **kwargs: None)
        assert [S.related_articles(s, a, 8) for a in articles] == fast
        assert [S.related_articles(s, a, 8, other_outlets=False, share=0.0, min_terms=0) for a in articles] == bare
    assert sum(map(bool, fast)) >= 5  # the rule finds some: not a comparison of empty lists


def _multinews(limit: int) -> list[Path]:
    if not MULTINEWS.is_dir():
        pytest.skip("../shared/corpora/multinews-dev is not present")
    files = sorted(MULTINEWS.glob("cluster_*/article_*.txt"))[:limit]
    if len(files) < 20:
        pytest.skip("too few multinews-dev articles")
    return files


def test_fast_pool_on_multinews_in_several_segments_with_deleted_documents(tmp_path, matcher_kind):
    """A raw Whoosh index of real articles, committed in three segments (not merged), some documents
    deleted: the fast path reads raw postings, so it has to leave the deleted ones out itself."""
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import ID, TEXT, Schema
    from whoosh.index import create_in

    files = _multinews(120)
    schema = Schema(id=ID(stored=True, unique=True), title=TEXT(analyzer=StemmingAnalyzer(), stored=True),
                    body=TEXT(analyzer=StemmingAnalyzer()))
    ix = create_in(str(tmp_path), schema)
    texts = {}
    thirds = [files[i::3] for i in range(3)]
    for part in thirds:
        w = ix.writer()
        for f in part:
            body = f.read_text(encoding="utf-8", errors="replace")
            title = body.strip().splitlines()[0][:80] if body.strip() else f.name
            key = f"{f.parent.name}/{f.name}"
            texts[key] = (title, [p for p in body.split("\n") if p.strip()])
            w.add_document(id=key, title=title, body=body)
        w.commit(merge=False)
    w = ix.writer()
    gone = [f"{f.parent.name}/{f.name}" for f in files[::7]]
    for key in gone:
        w.delete_by_term("id", key)
    w.commit(merge=False)
    with ix.searcher() as s:
        assert len(s.leaf_searchers()) >= 3
        assert any(leaf.reader().has_deletions() for leaf, _ in s.leaf_searchers())
        compared = 0
        for key, (title, paragraphs) in texts.items():
            if key in gone:
                continue
            terms = _terms(s, title, paragraphs)
            if not terms:
                continue
            old, old_held, new, new_held = _both(s, terms, s.document_number(id=key), pool=12)
            assert new_held == old_held, key
            deleted = {s.document_number(id=k) for k in gone}
            assert not deleted & {d for d, _ in new}
            compared += 1
        assert compared >= 50


def test_fast_related_articles_on_a_multinews_library(tmp_path):
    """brief's own index of real articles: related articles with and without the fast path agree."""
    from index.indexer import update
    from index.library import Library

    files = _multinews(60)
    src = tmp_path / "src"
    for f in files:
        (src / f.parent.name).mkdir(parents=True, exist_ok=True)
        shutil.copy(f, src / f.parent.name / f.name)
    lib = Library(tmp_path / "lib")
    update(lib, [src])
    with lib.open_index().searcher() as s:
        articles = list(lib.articles())
        fast = [S.related_articles(s, a, 8) for a in articles]
        saved = S._related_pool
        try:
            S._related_pool = lambda *args, **kwargs: None
            slow = [S.related_articles(s, a, 8) for a in articles]
        finally:
            S._related_pool = saved
    assert fast == slow
    assert sum(map(bool, fast)) >= 10
