"""The shortcuts of index.readers, each against the path it replaces: front matter read without PyYAML,
and one markdown-it parser reused for every file."""

from __future__ import annotations

import random

import pytest
import yaml

from index import readers
from index.readers import _simple_front_matter, _yaml_loader


def by_yaml(raw: str):
    """What the PyYAML path gives (None for front matter it refuses)."""
    try:
        data = yaml.load(raw, Loader=_yaml_loader(yaml))
    except Exception:
        return "refused"
    return data


TAKEN = [  # front matter the fast path reads itself
    'title: "Dam breach: nine dead"\noutlet: "Kavra Evening Post"\ndate: 2025-03-03\nauthor: "Mira Olsen"',
    "title: 'Water levels \"high\" again'\noutlet: Reuters\ndate: 2025-13-45",
    "title: Plain words, and more (a lot) / Q&A - x+y\nauthor: Jean O'Neil",
    "title:\noutlet:   \ndate: 2025-01-01   ",
    'title: "# not a comment"\nurl: "https://example.com/a?b=c#d"',
    'title: "a"\ntitle: "b"',  # the last one wins, as in PyYAML
    'Title: "Ünïcödé — “quotes” 日本"',
    "_private: x\nkey_2: Words",
]

DECLINED = [  # front matter the fast path leaves to PyYAML
    "title: yes", "title: No", "on: x", "null: x", "title: null", "title: true", "title: off",
    "title: 12", "title: 1.5", "title: 2025-01-03 10:00", "title: .inf", "title: ~",
    'title: "a \\"b\\" c"', "title: 'it''s'", "title: a # comment", "title: a: b", "title: [a, b]",
    "title: {a: b}", "tags:\n  - a\n  - b", "tags:\n- a", "title: >\n  folded", "title: |\n  literal",
    "title: &x a\nother: *x", "title: !!str 5", "title: a\n\noutlet: b", "# comment\ntitle: a",
    "title:\ta", "title: \"tab\there\"", "title:x", "title: -x", "title: 'a\u2028b'",
    "title: \"a\x85b\"", "k" * 2000 + ": v", "", "   ", "title: \ufeffa", "- a\n- b", "just text",
    "title: é", "title: a\r",
]


@pytest.mark.parametrize("raw", TAKEN, ids=range(len(TAKEN)))
def test_plain_front_matter_is_read_without_yaml_as_yaml_reads_it(raw):
    fast = _simple_front_matter(raw)
    assert fast is not None
    assert fast == by_yaml(raw)


@pytest.mark.parametrize("raw", DECLINED, ids=range(len(DECLINED)))
def test_front_matter_yaml_would_read_otherwise_is_left_to_yaml(raw):
    assert _simple_front_matter(raw) is None


def test_random_front_matter_never_reads_otherwise_than_yaml():
    rng = random.Random(13)
    pieces = ["title", "outlet", "on", "No", "_k", ":", ": ", "  ", " ", '"', "'", "\\", "#", "-", "2025-01-03",
              "12", "a", "Jane O'Neil", "é", "\t", "\n", "[", "]", "{", "}", "&", "*", "!", "|", ">", "%", "@",
              "`", ",", "?", "null", "yes", "true", ".", "~", "\u2028", "x y", "(", ")", "/", "+"]
    taken = 0
    for _ in range(6000):
        lines = []
        for _ in range(rng.randint(1, 4)):
            line = rng.choice(["title", "outlet", "date", "k", "on", "_x"]) + rng.choice([": ", ":", ":  ", " : "])
            line += "".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))
            if rng.random() < 0.3:
                q = rng.choice(['"', "'"])
                line = line.split(":", 1)[0] + ": " + q + "".join(rng.choice(pieces) for _ in range(3)) + q
            lines.append(line)
        raw = "\n".join(lines)
        fast = _simple_front_matter(raw)
        if fast is not None:
            taken += 1
            assert fast == by_yaml(raw), raw
    assert taken > 300  # the comparison covered the shortcut, not only its refusals


def test_the_markdown_reader_gives_what_a_fresh_parser_gives(tmp_path, monkeypatch):
    """A file read with the shared parser reads as with a new parser for each file (the old way), also
    after files that ran out of the inline-markup budget."""
    texts = [
        "---\ntitle: \"One\"\n---\n\nA *first* paragraph with a [link](http://x).\n\nSecond <b>bold</b> one.\n",
        "# Heading\n\nText with `code` and &amp; an entity.\n\n- a list item\n- another\n",
        "---\ntitle: \"Many\"\n---\n\n" + "[a](b) " * 50 + "\n\nplain tail paragraph here.\n",
        "Just a paragraph with https://example.com inside.\n",
    ]
    paths = []
    for n, text in enumerate(texts):
        path = tmp_path / f"a{n}.md"
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    monkeypatch.setattr(readers, "MARKDOWN_INLINE_BUDGET", 100)

    def read_all():
        out = []
        for path in paths:
            notes: list[str] = []
            articles = readers.read_file(path, notes)
            out.append(([(a.title, a.body, a.paragraphs) for a in articles], notes))
        return out

    shared = read_all() + read_all()  # twice: the parser's second use gives the same
    fresh_each = []
    for _ in range(2):
        for path in paths:
            readers._PARSERS.clear()
            notes: list[str] = []
            articles = readers.read_file(path, notes)
            fresh_each.append(([(a.title, a.body, a.paragraphs) for a in articles], notes))
    assert shared == fresh_each
    assert any("read as plain text" in note for _, notes in shared for note in notes)  # the budget ran out
