"""bench/realcorpus.py: a corpus of real sentences (multinews-dev), read back as `brief index` reads it.

Skipped when ../shared/corpora/multinews-dev is absent. Not timed (bench code is not unit-timed).
"""

from __future__ import annotations

import statistics
from collections import Counter
from pathlib import Path

import pytest

from bench import realcorpus
from briefs.sentences import split_sentences
from index.readers import read_file

pytestmark = pytest.mark.skipif(not realcorpus.source_files(), reason="../shared/corpora/multinews-dev is not present")

N = 120


@pytest.fixture(scope="module")
def pool():
    return realcorpus.read_pool()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, pool):
    out = tmp_path_factory.mktemp("realcorpus")
    return realcorpus.generate(out, N, seed=1, pool=pool)


@pytest.fixture(scope="module")
def articles(corpus):
    return [read_file(p)[0] for p in corpus]


def _bytes(paths):
    return [(p.name, p.read_bytes()) for p in paths]


def test_the_same_seed_gives_the_same_files_and_article_k_does_not_depend_on_n(tmp_path, pool, corpus):
    again = realcorpus.generate(tmp_path / "again", N, seed=1, pool=pool)
    assert _bytes(again) == _bytes(corpus)
    fewer = realcorpus.generate(tmp_path / "fewer", 30, seed=1, pool=pool)
    assert _bytes(fewer) == _bytes(corpus[:30])
    other = realcorpus.generate(tmp_path / "other", 30, seed=2, pool=pool)
    assert sum(a != b for a, b in zip(_bytes(other), _bytes(fewer))) >= 25


def test_summaries_are_never_read(pool):
    assert pool.read_paths and all(Path(p).name.startswith("article_") for p in pool.read_paths)
    assert not any(p.endswith("summary.txt") for p in pool.read_paths)


def test_a_word_only_in_a_summary_never_reaches_the_corpus(tmp_path):
    real = realcorpus.source_files()
    cluster = tmp_path / "src" / "cluster_001"
    cluster.mkdir(parents=True)
    for i, path in enumerate(real[:3], 1):
        (cluster / f"article_{i:02d}.txt").write_bytes(path.read_bytes())
    (cluster / "summary.txt").write_text("Quixotrazine summarised everything. " * 20, encoding="utf-8")
    paths = realcorpus.generate(tmp_path / "out", 40, seed=3, source=tmp_path / "src")
    assert len(paths) == 40
    assert not any("quixotrazine" in p.read_text(encoding="utf-8").lower() for p in paths)


def test_every_sentence_is_a_real_one_and_titles_are_real_first_sentences(pool, articles):
    real = set(pool.sentences)
    firsts = {t for titles in pool.firsts for t in titles}
    read = [s.strip() for a in articles for p in a.paragraphs for s in split_sentences(p)]
    # sentences side by side can be split another way when read again (one that ends without a full stop)
    assert sum(s in real for s in read) >= 0.95 * len(read)
    stated = [a for a in articles if not a.path.endswith(".txt") or a.outlet or a.published]
    assert sum(a.title in firsts for a in stated) >= 0.9 * len(stated)


def test_lengths_follow_the_real_articles(pool, articles):
    sentences = [sum(len(split_sentences(p)) for p in a.paragraphs) for a in articles]
    real_median = statistics.median(pool.article_lengths)
    assert min(sentences) >= realcorpus.MIN_ARTICLE_SENTENCES
    assert 0.6 * real_median <= statistics.median(sentences) <= 1.6 * real_median
    assert max(sentences) > 2 * real_median  # the long tail of real articles is kept
    assert max(len(split_sentences(p)) for a in articles for p in a.paragraphs) <= realcorpus.PARAGRAPH_CAP + 2


def test_a_mix_of_front_matter_outlets_dates_and_pasted_text(articles):
    n = len(articles)
    with_outlet = sum(a.outlet is not None for a in articles)
    dated = [a.published for a in articles if a.published]
    bare = sum(a.outlet is None and a.published is None for a in articles)
    assert 0.5 * n <= with_outlet <= 0.85 * n
    assert 0.6 * n <= len(dated) <= 0.9 * n
    assert bare >= 0.12 * n  # pasted text: no outlet, no date
    assert min(dated).year == max(dated).year == 2025 and (max(dated) - min(dated)).days > 180
    outlets = Counter(a.outlet for a in articles if a.outlet in realcorpus.OUTLETS)
    assert len(outlets) >= 10 and outlets.most_common(1)[0][1] >= 3 * outlets.most_common()[-1][1]
    assert {Path(a.path).suffix for a in articles} == {".md", ".txt"}


def test_a_stamped_corpus_is_reused_and_a_new_seed_rebuilds_it(tmp_path):
    corpus, first = realcorpus.prepare(tmp_path, 12, seed=1)
    files = sorted(corpus.rglob("*.*"))
    assert len(files) == 12 and first > 0
    mtimes = [f.stat().st_mtime_ns for f in files]
    again, seconds = realcorpus.prepare(tmp_path, 12, seed=1)
    assert again == corpus and seconds == 0.0
    assert [f.stat().st_mtime_ns for f in sorted(corpus.rglob("*.*"))] == mtimes
    _, rebuilt = realcorpus.prepare(tmp_path, 12, seed=2)
    assert rebuilt > 0 and (tmp_path / "realcorpus-12.stamp").read_text() == realcorpus.stamp_text(12, 2)
