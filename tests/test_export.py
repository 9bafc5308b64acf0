"""Markdown cards: golden file, CommonMark safety of article text, and safe file writing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin
from test_card import COPIES, DAM, NOW, FakeCache, art

from briefs.card import build_card
from briefs.export import card_to_json, card_to_markdown, escape, format_value, write_file

GOLDEN = Path(__file__).resolve().parent / "golden"


def render(markdown: str, footnotes: bool = True) -> str:
    md = MarkdownIt("commonmark").enable("table")
    if footnotes:
        md = md.use(footnote_plugin)
    return md.render(markdown)


def dam_card():
    return build_card(DAM, query="kavra dam", duplicates=COPIES, cache=FakeCache(), now=NOW)


def test_markdown_card_matches_the_golden_file():
    text = card_to_markdown(dam_card())
    golden = GOLDEN / "card_dam.md"
    if os.environ.get("BRIEF_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_markdown_card_has_every_section_and_resolves_every_citation():
    text = card_to_markdown(dam_card())
    for heading in ("# Brief: kavra dam", "## Bottom line", "## Key facts", "## Figures", "### Disagreements",
                    "## Timeline", "## Quotes", "## Sources"):
        assert f"\n{heading}\n" in text
    html = render(text)
    assert html.count('class="footnote-item"') == len(DAM)  # one footnote per source, all cited
    assert "[^" not in html  # every [^id] became a footnote reference


NASTY = ("# Not a heading <script>alert(1)</script> with *stars*, _under_ and [a link](http://x.invalid) "
         "and a | pipe &amp; an entity. 1,500 troops were seen.")


def test_article_text_is_never_read_as_markdown_or_html():
    articles = [art("eeee0005", "Out|let <b>", 2, NASTY, title="*Title* | <i>x</i>"),
                art("ffff0006", "Other", 3, NASTY.replace("seen", "counted"))]
    card = build_card(articles, query="<q>", duplicates={}, cache=FakeCache(), now=NOW)
    text = card_to_markdown(card)
    for footnotes in (True, False):
        html = render(text, footnotes)
        assert "<script" not in html and "<b>" not in html and "<i>" not in html and "<em>stars" not in html
        assert 'href="http://x.invalid"' not in html
        assert "<h1>Not a heading" not in html
        assert "&amp;amp;" in html  # the entity text stays visible as typed
    table = render(text).split("<table>")[1].split("</table>")[0]
    for row in table.split("<tr>")[1:]:
        assert row.count("<td") + row.count("<th") == 5  # an escaped | never adds a column


def test_escape_neutralises_block_markers_at_the_start():
    assert render(escape("# heading")).startswith("<p>")
    assert render(escape("1. item")).startswith("<p>")
    assert render(escape("- item")).startswith("<p>")
    assert render(escape("> quote")).startswith("<p>")


def test_escape_drops_control_characters_and_terminal_escapes():
    assert escape("Dam \x1b[31mbreach\x1b[0m\x07 \x1b]8;;http://x\x07link\x1b]8;;\x07 \x9b2J*now*") == \
        "Dam breach link \\*now\\*"


def test_a_card_over_hostile_fields_and_paths_is_safe_in_markdown_and_json():
    import json

    hostile = [art("eeee0005", "\x1b]0;pwned\x07Evil Post", 2, NASTY, title="Bad \x1b[31mtitle\x07"),
               art("ffff0006", "Other", 3, NASTY.replace("seen", "counted"))]
    hostile[0].path = os.fsdecode(b"/src/ff\xff\x1b[2J\nx.txt")
    card = build_card(hostile, query="q\x1b[31m", duplicates={}, cache=FakeCache(), now=NOW)
    for text in (card_to_markdown(card), card_to_json(card)):
        text.encode("utf-8")  # valid UTF-8: no lone surrogate left
        assert not any(ord(c) < 32 and c != "\n" or 0x7F <= ord(c) <= 0x9F for c in text)
        assert "\\u001b" not in text and "pwned" not in text
    assert "Path: `/src/ff\\xff x.txt`" in card_to_markdown(card)
    data = json.loads(card_to_json(card))
    assert data["sources"][0]["path"] == "/src/ff\\xff x.txt" and data["query"] == "q"
    assert data["sources"][0]["title"] == "Bad title"


def test_values_are_written_with_thousands_separators():
    assert format_value(1500.0) == "1,500"
    assert format_value(4_800_000.0) == "4,800,000"
    assert format_value(2.5) == "2.5"


def test_writing_never_overwrites_without_force(tmp_path):
    target = tmp_path / "card.md"
    target.write_text("mine", encoding="utf-8")
    with pytest.raises(FileExistsError):
        write_file(target, "new")
    assert target.read_text(encoding="utf-8") == "mine"
    write_file(target, "new", force=True)
    assert target.read_text(encoding="utf-8") == "new"


def test_a_failed_write_leaves_no_file_behind(tmp_path):
    target = tmp_path / "card.md"
    with pytest.raises(UnicodeEncodeError):
        write_file(target, "half written \udc80 text")
    assert list(tmp_path.iterdir()) == []
    target.write_text("old", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):
        write_file(target, "broken \udc80", force=True)
    assert target.read_text(encoding="utf-8") == "old" and list(tmp_path.iterdir()) == [target]


def test_an_exported_card_gets_the_permissions_of_any_new_file(tmp_path):
    import os

    old = os.umask(0o022)
    try:
        path = write_file(tmp_path / "card.md", "# Card\n")
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644
