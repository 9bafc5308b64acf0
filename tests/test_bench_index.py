"""bench.bench_index's own measuring: the memory of a process tree, and the short real-worded corpus."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench import bench_index

SOURCE = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "multinews-dev"


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs Linux /proc")
def test_the_memory_of_a_process_tree_counts_its_children():
    child = subprocess.Popen([sys.executable, "-c", "import time; b = bytearray(80 * 2**20); b[::4096] = b'x' * len(b[::4096]); "
                              "print('ready', flush=True); time.sleep(30)"], stdout=subprocess.PIPE)
    try:
        assert child.stdout.readline().strip() == b"ready"
        alone = bench_index.tree_rss_mb(child.pid)
        with_parent = bench_index.tree_rss_mb(os.getpid())
        assert alone > 75
        assert with_parent > alone + 5  # this process, and the child under it
    finally:
        child.kill()
        child.wait()
    time.sleep(0.05)
    assert bench_index.tree_rss_mb(child.pid) == 0  # gone: nothing to count


@pytest.mark.skipif(not SOURCE.is_dir(), reason="../shared/corpora/multinews-dev is not present")
def test_the_short_corpus_is_real_sentences_in_short_articles(tmp_path):
    from briefs.sentences import split_sentences
    from index.readers import read_file

    bench_index.generate_short(tmp_path / "short", 40, seed=3)
    files = sorted(p for p in (tmp_path / "short").rglob("*") if p.is_file())
    assert len(files) == 40
    low, high = bench_index.SHORT_SENTENCES
    counts = []
    for path in files:
        [article] = read_file(str(path), [])
        counts.append(sum(len(split_sentences(p)) for p in article.paragraphs))
    assert max(counts) <= high + 2 and min(counts) >= 1  # a sentence splitter may cut one more or fewer
    assert len(set(counts)) > 3
