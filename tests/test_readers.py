"""Reading every supported format into articles, and naming the file and the reason when one cannot be read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.model import ReadError
from index.readers import is_note, iter_source_files, read_file

GOLD = json.loads((Path(__file__).resolve().parent / "gold" / "demo_gold.json").read_text(encoding="utf-8"))


def one(path: Path, problems: list[str] | None = None):
    (article,) = read_file(path, problems)
    return article


# --------------------------------------------------------------------------- the demo library, every format


@pytest.mark.parametrize("gold", GOLD["articles"], ids=lambda g: f"{g['file']}:{g['entry'] or ''}"[:60])
def test_demo_articles_get_the_metadata_a_reader_would_write_down(demo_dir, gold):
    problems: list[str] = []
    articles = read_file(demo_dir / gold["file"], problems)
    matching = [a for a in articles if gold["entry"] is None or a.title == gold["entry"]]
    assert len(matching) == 1, [a.title for a in articles]
    a = matching[0]
    if gold.get("title_from_lede"):
        assert a.title.endswith("…") and gold["title"].startswith(a.title[:-1])
    else:
        assert a.title == gold["title"]
    assert (a.outlet, a.author) == (gold["outlet"], gold["author"])
    assert (a.published.isoformat() if a.published else None) == gold["published"]
    assert a.paragraphs and all(p.strip() == p and "\n\n" not in p for p in a.paragraphs)
    assert problems == []


def test_demo_boilerplate_never_reaches_the_article_text(demo_dir):
    text = {}
    for g in GOLD["articles"]:
        for a in read_file(demo_dir / g["file"]):
            text[a.id] = "\n".join([a.title, *a.paragraphs])
    everything = "\n".join(text.values())
    for line in GOLD["boilerplate"]:
        assert line not in everything, line


def test_feed_entries_and_json_lines_each_become_an_article_with_a_stable_id(demo_dir):
    feed = read_file(demo_dir / "feeds" / "valley-courier.rss")
    assert len(feed) == 3 and len({a.id for a in feed}) == 3
    assert [a.id for a in read_file(demo_dir / "feeds" / "valley-courier.rss")] == [a.id for a in feed]
    rows = read_file(demo_dir / "feeds" / "lowland-standard-export.jsonl")
    assert {a.outlet for a in rows} == {"Lowland Standard"} and len(rows) == 2


# --------------------------------------------------------------------------- Markdown


def test_markdown_front_matter_wins_and_markup_is_dropped(tmp_path):
    md = tmp_path / "a.md"
    md.write_text(
        "---\ntitle: Levee Work Continues\nsource: River Post\nauthors: [Ana Lind, Bo Marsh]\n"
        "published: 2025-03-06T08:30:00\nlink: https://river.example/levee\ntags: flood, levee\n---\n\n"
        "Crews **reinforced** the [levee](https://x.example) overnight, the *army* said on Thursday morning.\n"
        "The work goes on through the weekend.\n\n- sandbags\n- pumps\n",
        encoding="utf-8")
    a = one(md)
    assert (a.title, a.outlet, a.author, a.url) == ("Levee Work Continues", "River Post", "Ana Lind, Bo Marsh",
                                                    "https://river.example/levee")
    assert a.published.isoformat() == "2025-03-06" and a.tags == ["flood", "levee"]
    assert a.paragraphs[0] == ("Crews reinforced the levee overnight, the army said on Thursday morning. "
                               "The work goes on through the weekend.")
    assert "**" not in a.body and "](" not in a.body


def test_markdown_heading_is_the_title_when_there_is_no_front_matter(tmp_path):
    md = tmp_path / "b.md"
    md.write_text("# Ferry Link Restored\n\nThe ferry between Osk and Lemma ran again on Friday after a week.\n")
    a = one(md)
    assert a.title == "Ferry Link Restored"
    assert a.paragraphs == ["The ferry between Osk and Lemma ran again on Friday after a week."]


def test_broken_front_matter_is_reported_and_the_text_still_read(tmp_path):
    md = tmp_path / "c.md"
    md.write_text("---\ntitle: [unclosed\n---\n\nThe harbour reopened on Monday after the storm passed.\n")
    problems: list[str] = []
    a = one(md, problems)
    assert a.paragraphs == ["The harbour reopened on Monday after the storm passed."]
    assert len(problems) == 1 and str(md) in problems[0] and "front matter" in problems[0]


# --------------------------------------------------------------------------- HTML


PAGE = """<html><head><title>Site | Bridge Closed After Flood</title>
<meta property="og:title" content="Bridge Closed After Flood"><meta property="og:site_name" content="Delta Times">
<meta name="author" content="Rui Costa"><meta property="article:published_time" content="2025-03-02T10:00:00Z">
</head><body><nav><a href="/">Home</a> | <a href="/news">News</a></nav>
<article><h1>Bridge Closed After Flood</h1>
<p>The old bridge at Halvik was closed on Sunday after floodwater undermined its eastern pier, engineers said.</p>
<p>Traffic is being sent through the northern ring road, which adds about forty minutes to the trip.</p>
<p>The council said an inspection would take at least a week before any decision about reopening.</p>
</article><footer>Subscribe to our newsletter. © 2025 Delta Times</footer></body></html>"""


def test_saved_pages_keep_the_article_and_its_metadata_and_drop_the_site(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    a = one(page)
    assert (a.title, a.outlet, a.author) == ("Bridge Closed After Flood", "Delta Times", "Rui Costa")
    assert a.published.isoformat() == "2025-03-02"
    assert a.paragraphs[0].startswith("The old bridge at Halvik was closed on Sunday")
    assert "Subscribe" not in a.body and "Home" not in a.body


BODY = """<body><article><h1>Bridge Closed After Flood</h1>
<p>The old bridge at Halvik was closed on Sunday after floodwater undermined its eastern pier, engineers said.</p>
<p>Traffic is being sent through the northern ring road, according to The New York Times and Reuters.</p>
<p>The council said an inspection would take at least a week before any decision about reopening.</p>
</article><footer>© 2025 Someone</footer></body></html>"""


def page_outlet(tmp_path, head: str, name: str = "p.html") -> str | None:
    page = tmp_path / name
    page.write_text(f"<html><head><title>Bridge Closed After Flood</title>{head}</head>{BODY}", encoding="utf-8")
    return one(page).outlet


@pytest.mark.parametrize("head, outlet", [
    ('<meta property="og:site_name" content="Delta Times"><link rel="canonical" href="https://www.dt.example/a">',
     "Delta Times"),
    ('<meta name="application-name" content="Halvik Herald">', "Halvik Herald"),
    ('<script type="application/ld+json">{"@context": "https://schema.org", "@graph": ['
     '{"@type": "Organization", "@id": "https://x.example/#org", "name": "Vela Post"},'
     '{"@type": "NewsArticle", "headline": "Bridge", "publisher": {"@id": "https://x.example/#org"},'
     '"citation": {"@type": "NewsArticle", "publisher": {"name": "Cited Daily"}}}]}</script>', "Vela Post"),
    ('<link rel="canonical" href="https://www.bbc.co.uk/news/uk-123">', "bbc.co.uk"),
    ('<meta property="og:url" content="https://m.lemonde.fr/a/b">', "lemonde.fr"),
    ('<link rel="canonical" href="https://web.archive.org/web/2024/https://www.theguardian.com/world/x">',
     "theguardian.com"),
    ('<meta name="copyright" content="© 2025 Big Media Group"><meta name="twitter:site" content="@someone">', None),
    ("", None),  # the New York Times and Reuters are cited in the text: neither is the outlet
])
def test_a_saved_page_outlet_is_what_the_page_says_of_itself(tmp_path, head, outlet):
    assert page_outlet(tmp_path, head) == outlet


def test_a_browser_saved_page_names_its_outlet_from_its_saved_from_address(tmp_path):
    page = tmp_path / "saved.html"
    page.write_text("<!DOCTYPE html>\n<!-- saved from url=(0040)https://www.reuters.com/world/some-story -->\n"
                    f"<html><head><title>Bridge Closed</title></head>{BODY}", encoding="utf-8")
    a = one(page)
    assert a.outlet == "reuters.com" and a.url == "https://www.reuters.com/world/some-story"


def test_a_page_without_article_text_is_refused(tmp_path):
    page = tmp_path / "empty.htm"
    page.write_text("<html><body><nav>Home | News</nav></body></html>")
    with pytest.raises(ReadError, match="no article text"):
        read_file(page)


# --------------------------------------------------------------------------- feeds


RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Coast Radio</title>
<item><title>Storm warning lifted</title><guid>a1</guid><pubDate>Tue, 04 Mar 2025 09:00:00 +0000</pubDate>
<description>&lt;p&gt;The storm warning for the coast was lifted on Tuesday morning by the weather office.&lt;/p&gt;</description></item>
<item><title>Empty entry</title><guid>a2</guid><description></description></item>
</channel></rss>"""


def test_a_feed_entry_without_text_is_reported_and_the_others_read(tmp_path):
    feed = tmp_path / "coast.rss"
    feed.write_text(RSS)
    problems: list[str] = []
    a = one(feed, problems)
    assert (a.title, a.outlet, a.published.isoformat()) == ("Storm warning lifted", "Coast Radio", "2025-03-04")
    assert a.paragraphs == ["The storm warning for the coast was lifted on Tuesday morning by the weather office."]
    assert len(problems) == 1 and "Empty entry" in problems[0] and str(feed) in problems[0]


def test_a_file_that_is_not_a_feed_is_refused_with_the_reason(tmp_path):
    bad = tmp_path / "notes.xml"
    bad.write_text("<notes><note>buy milk</note></notes>")
    with pytest.raises(ReadError) as err:
        read_file(bad)
    assert str(bad) in str(err.value) and "feed" in err.value.reason


# --------------------------------------------------------------------------- JSON lines


def test_bad_json_lines_are_named_by_line_and_the_rest_is_read(tmp_path):
    jl = tmp_path / "export.jsonl"
    good = {"title": "Pay Deal Agreed", "body": "Rail drivers accepted the offer on Wednesday after a long vote.",
            "outlet": "Lowland Standard", "published": "2025-03-05", "tags": ["rail"]}
    jl.write_text("\n".join([json.dumps(good), "{not json", json.dumps({"title": "No body"}), "[1, 2]", ""]))
    problems: list[str] = []
    a = one(jl, problems)
    assert (a.title, a.outlet, a.published.isoformat(), a.tags) == ("Pay Deal Agreed", "Lowland Standard",
                                                                     "2025-03-05", ["rail"])
    assert [p.split(": ", 1)[1].split(" ", 2)[:2] for p in problems] == [["line", "2"], ["line", "3"], ["line", "4"]]


def test_json_lines_with_no_article_at_all_are_refused(tmp_path):
    jl = tmp_path / "junk.jsonl"
    jl.write_text('{"a": 1}\n')
    with pytest.raises(ReadError, match="no article"):
        read_file(jl)


# --------------------------------------------------------------------------- text, encodings, hostile input


def test_windows_1252_text_is_read_and_said(tmp_path):
    txt = tmp_path / "old.txt"
    txt.write_bytes("Caf\xe9 owners along the quay counted the damage on Monday \u2013 and began to clean up.".encode("cp1252"))
    problems: list[str] = []
    a = one(txt, problems)
    assert "Café owners" in a.body and "–" in a.body
    # a note on a file read, not a skip: it must not read as one (issue 8: "skipped … read as Windows-1252")
    assert problems == [f"{txt}: read as Windows-1252 (it is not valid UTF-8)"] and is_note(problems[0])
    assert "skip" not in problems[0]


def test_utf16_with_a_bom_is_read(tmp_path):
    txt = tmp_path / "u16.txt"
    txt.write_bytes("Schools in Lisk stayed closed on Tuesday as the water rose.".encode("utf-16"))
    assert one(txt).body == "Schools in Lisk stayed closed on Tuesday as the water rose."


@pytest.mark.parametrize("content, reason", [(b"", "empty"), (b"  \n\n ", "empty"), (b"\x00\x01binary\xff", "binary")])
def test_empty_and_binary_files_are_refused(tmp_path, content, reason):
    f = tmp_path / "x.txt"
    f.write_bytes(content)
    with pytest.raises(ReadError, match=reason) as err:
        read_file(f)
    assert err.value.path == str(f)


def test_terminal_escapes_and_control_characters_never_survive(tmp_path):
    txt = tmp_path / "evil.txt"
    txt.write_text("Dam \x1b]8;;http://evil.example\x07Report\x1b]8;;\x07 Out\x1b[2J\n\n"
                   "Officials said the \x1b[31mwall\x1b[0m held\x07 through the night at the upper dam site.\n")
    a = one(txt)
    for text in (a.title, a.body):
        assert "\x1b" not in text and "\x07" not in text
    assert "the wall held through the night" in a.body


# --------------------------------------------------------------------------- finding files


def test_walking_folders_skips_hidden_files_and_names_unsupported_ones(tmp_path):
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / ".hidden.txt").write_text("x")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "b.txt").write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.MD").write_text("x")
    (tmp_path / "sub" / "d.pdf").write_text("x")
    (tmp_path / "README").write_text("x")
    found = {p.name: reason for p, reason in iter_source_files([tmp_path, tmp_path / "missing"])}
    assert found == {"a.txt": None, "c.MD": None, "d.pdf": "unsupported file type .pdf",
                     "README": "unsupported file type (no extension)", "missing": "no such file or folder"}
