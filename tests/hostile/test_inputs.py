"""Hostile source files: bombs, impossible dates, bad JSON lines, huge articles, markup built to make a
parser quadratic, missing reader packages, brief's own exports, hostile file names. Each is read (or
refused with its reason) in seconds, keeps every good part, and says what it did."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from index.indexer import update
from index.library import Library
from index.model import ReadError, ReaderUnavailable, SkipFile
from index.readers import MAX_ARTICLE_CHARS, check_readers, is_note, read_file
from index.sanitize import display_path, safe_inline, sanitize

from .conftest import ROOT, article, assert_clean, brief_env, run_brief
from .test_links import bounded

SENTENCE = "The reservoir level rose again on Monday, officials said in a statement to reporters."


def one(path, problems=None):
    (a,) = bounded(lambda: read_file(path, problems))
    return a


def md(tmp: Path, front: str, name: str = "a.md") -> Path:
    p = tmp / name
    p.write_text(f"---\n{front}\n---\n\n# Reservoir Report\n\n{SENTENCE} {SENTENCE}\n", encoding="utf-8")
    return p


# --------------------------------------------------------------------------- front matter


BOMB = "\n".join(
    ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"{x}: &{x} [{', '.join([f'*{p}'] * 9)}]" for p, x in zip("abcdefgh", "bcdefghi")]
    + ["title: *i"])


def test_a_yaml_alias_bomb_in_front_matter_is_refused_and_the_text_indexed(home, src, lib):
    bomb = md(src, BOMB, "bomb.md")  # 9**9 "lol"s once expanded: 3.9 GB and over 300 s before
    problems: list[str] = []
    a = one(bomb, problems)
    assert a.title == "Reservoir Report" and SENTENCE in a.body
    assert problems == [f"{bomb}: front matter uses YAML aliases, which brief does not read; "
                        f"read the text without it"] and is_note(problems[0])
    assert_clean(run_brief("index", src, home=home, library=lib))
    listed = assert_clean(run_brief("list", home=home, library=lib))
    assert "Reservoir Report" in listed.out
    assert not list(lib.glob("*.lock.*"))


def test_front_matter_anchors_are_refused_too(src):
    problems: list[str] = []
    a = one(md(src, "base: &b {x: 1}\ntitle: Anchored"), problems)
    assert a.title == "Reservoir Report" and "aliases" in problems[0]


def test_a_front_matter_date_that_does_not_exist_keeps_the_article_undated(src):
    problems: list[str] = []
    p = md(src, "title: Dam Report\ndate: 2025-02-30")  # was: the whole article dropped (ValueError)
    a = one(p, problems)
    assert a.title == "Dam Report" and a.published is None
    assert problems == [f"{p}: the date '2025-02-30' is not a real date; the article is kept undated"]


@pytest.mark.parametrize("year", ["99999", "0000", "123456"])
def test_years_no_calendar_holds_are_undated_with_a_note(src, year):
    problems: list[str] = []
    a = one(md(src, f"date: {year}-01-01"), problems)
    assert a.published is None  # 99999 was shown as 9999-01-01
    assert len(problems) == 1 and f"year {int(year)}" in problems[0] and "undated" in problems[0]
    jl = src / "rows.jsonl"
    jl.write_text(json.dumps({"title": "Far", "body": f"{SENTENCE} {SENTENCE}", "published": f"{year}-01-01"}))
    problems = []
    assert one(jl, problems).published is None and "line 1: the date" in problems[0]


def test_dates_are_never_read_inside_a_longer_number(src):
    txt = src / "a.txt"
    txt.write_text(f"Reservoir Report\n\nPublished: 99999-01-01\n\n{SENTENCE} {SENTENCE}\n")
    assert one(txt).published is None
    from index.plaintext import parse_date

    assert parse_date("ref 99999-01-01") is None and parse_date("on 12024-10-21") is None
    assert parse_date("October 21, 20245") is None and parse_date("121 Oct 2024") is None
    assert parse_date("Published 2024-10-21.").isoformat() == "2024-10-21"


def test_feed_dates_follow_the_same_rules(src):
    items = "".join(
        f"<item><title>{t}</title><guid>{n}</guid><pubDate>{d}</pubDate><description>{SENTENCE}</description></item>"
        for n, (t, d) in enumerate([("Far", "Mon, 01 Jan 99999 00:00:00 GMT"), ("Zero", "Sat, 01 Jan 0000 00:00:00 GMT"),
                                    ("Feb", "Fri, 30 Feb 2025 00:00:00 GMT"), ("Good", "Mon, 21 Oct 2024 08:00:00 +0000")]))
    feed = src / "wire.rss"
    feed.write_text(f"<?xml version='1.0'?><rss version='2.0'><channel><title>Wire</title>{items}</channel></rss>")
    problems: list[str] = []
    got = {a.title: a.published for a in bounded(lambda: read_file(feed, problems))}
    assert got == {"Far": None, "Zero": None, "Feb": None, "Good": got["Good"]} and got["Good"].isoformat() == "2024-10-21"
    assert [p.split(": ")[1] for p in problems] == ["entry 'Far'", "entry 'Zero'", "entry 'Feb'"]
    assert all("not a real date" in p and is_note(p) for p in problems)


@pytest.mark.parametrize("front, said", [
    ("title: x\nbody: " + "y" * 70_000, "more than brief reads"),  # too large
    ("x: " + "[" * 20_000 + "]" * 20_000, "nested too deeply"),  # RecursionError in PyYAML's composer
    ("n: " + "9" * 5_000, "could not be read"),  # ValueError: an int of more than 4,300 digits
    ("a: !!python/object/apply:os.system ['echo PWNED']", "not valid YAML"),  # never run: safe loader
], ids=["too large", "too deep", "huge int", "python tag"])
def test_front_matter_that_cannot_be_read_is_said_and_the_text_kept(src, front, said):
    problems: list[str] = []
    a = one(md(src, front), problems)
    assert SENTENCE in a.body and len(problems) == 1 and said in problems[0] and "without it" in problems[0]


def test_front_matter_dates_stay_what_they_say(src):
    a = one(md(src, "date: 2025-03-06T08:30:00+02:00\ntitle: 2025-03-07"))
    assert a.published.isoformat() == "2025-03-06" and a.title == "2025-03-07"


def test_xml_entity_bombs_and_external_entities_in_a_feed_expand_nothing(src, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRETWORD")
    entities = '<!ENTITY a "lollollollollollollollollollol">' + "".join(
        f'<!ENTITY {x} "{("&" + p + ";") * 10}">' for p, x in zip("abcdefgh", "bcdefghi"))
    feed = src / "bomb.rss"
    feed.write_text(f'<?xml version="1.0"?><!DOCTYPE rss [{entities}<!ENTITY x SYSTEM "file://{secret}">]>'
                    f"<rss version='2.0'><channel><title>W</title><item><title>t</title><guid>1</guid>"
                    f"<description>{SENTENCE} &i; &x; end.</description></item></channel></rss>")
    try:
        articles = bounded(lambda: read_file(feed))
    except ReadError:
        return  # refused whole: fine too
    text = " ".join(a.body for a in articles)
    assert "SECRETWORD" not in text and text.count("lol") < 1000


# --------------------------------------------------------------------------- JSON lines


def test_one_bad_json_line_never_drops_the_file(src, lib):
    good = lambda n: json.dumps({"title": f"Good {n}", "body": f"{SENTENCE} Item {n}.", "id": f"g{n}"})  # noqa: E731
    lines = [
        good(1),
        "[" * 100_000 + "]" * 100_000,  # 2: RecursionError
        '{"title": "Lone \\ud800 surrogate", "body": "Reservoir \\udfff levels rose again on Monday night.", "id": "s"}',
        '{"title": "nul", "body": "x\x00y"}',  # 4: NUL bytes
        json.dumps({"title": "Huge", "body": (SENTENCE + " ") * 130_000, "id": "huge"}),  # 5: 11 MB
        "42", "[1, 2]", "null", '"text"',  # 6-9: JSON, not an object
        "{not json",  # 10
        json.dumps({"title": "Line\u2028separator", "body": f"{SENTENCE}\u2028{SENTENCE}", "id": "ls"}),  # 11
        good(12),
    ]
    jl = src / "export.jsonl"
    jl.write_bytes("\n".join(lines).encode("utf-8", "surrogatepass"))
    problems: list[str] = []
    arts = bounded(lambda: read_file(jl, problems))
    titles = [a.title for a in arts]
    assert titles == ["Good 1", "Lone \ufffd surrogate", "Huge", "Line separator", "Good 12"]
    skipped = [p for p in problems if not is_note(p)]
    assert [p.split(": ", 1)[1].split(" ")[1] for p in skipped] == ["2", "4", "6", "7", "8", "9", "10"]
    assert all(p.startswith(f"{jl}: line ") and p.endswith("; skipped") for p in skipped)
    assert "nested too deeply" in skipped[0] and "NUL" in skipped[1] and "a number" in skipped[2]
    assert [p for p in problems if is_note(p)] == [
        f"{jl}: line 5: article text is 11 MB; only the first 1 MB of its text is indexed"]
    huge = arts[2]
    assert len(huge.body) <= MAX_ARTICLE_CHARS and huge.body.endswith(SENTENCE)
    report = update(Library(lib), [src])  # Whoosh encodes every field as UTF-8: no surrogate may reach it
    assert report.added == 1 and report.total_articles == 5
    from index.search import search

    with Library(lib).open_index().searcher() as s:
        assert {h.id for h in search(s, "surrogate", limit=5).hits} == {arts[1].id}


def test_a_flood_of_bad_json_lines_is_named_then_counted(src):
    jl = src / "junk.jsonl"
    jl.write_text("\n".join([json.dumps({"title": "Good", "body": f"{SENTENCE} {SENTENCE}"})] + ["{"] * 5_000))
    problems: list[str] = []
    one(jl, problems)
    assert len(problems) == 21 and problems[-1] == f"{jl}: 4,980 more bad lines; skipped"


def test_json_lines_in_two_encodings_keep_their_utf8_lines_intact(src):
    jl = src / "mixed.jsonl"
    jl.write_bytes(json.dumps({"title": "Café crème", "body": f"Café owners said {SENTENCE}"}, ensure_ascii=False)
                   .encode() + b"\n" + '{"title": "Caf\xe9", "body": "Old caf\xe9 text said the same."}'.encode("cp1252"))
    problems: list[str] = []
    a, b = bounded(lambda: read_file(jl, problems))
    assert a.title == "Café crème" and b.title == "Café"
    assert problems == [f"{jl}: line 2 read as Windows-1252 (not valid UTF-8)"]


# --------------------------------------------------------------------------- lone surrogates anywhere


def test_lone_surrogates_become_replacement_characters_everywhere(src, lib):
    assert sanitize("a\ud800b\udfffc") == "a\ufffdb\ufffdc" and safe_inline("x\udc80") == "x\ufffd"
    (src / "yaml.md").write_text(f'---\ntitle: "Front \\ud800 matter"\n---\n\n{SENTENCE} {SENTENCE}\n')
    feed = src / "f.rss"
    feed.write_text("<?xml version='1.0'?><rss version='2.0'><channel><title>W</title><item><title>Feed &#xD800; item"
                    f"</title><guid>1</guid><description>{SENTENCE} &#55296; &#x110000; end.</description></item>"
                    "</channel></rss>")
    (src / "page.md").write_text(f"# Markdown &#xD800; entity\n\n{SENTENCE} {SENTENCE}\n")
    for path in sorted(src.iterdir()):
        for a in bounded(lambda: read_file(path)):
            for text in (a.title, a.body, a.key):
                text.encode("utf-8")  # never raises
    report = update(Library(lib), [src])
    assert report.added == 3 and not report.problems


# --------------------------------------------------------------------------- size limits


def test_a_31_mb_article_is_cut_with_a_note_and_search_stays_quick(home, src, lib):
    para = " ".join(f"word{i % 997}" for i in range(120))
    big = src / "dump.txt"  # 31 MB; the common word once a paragraph, as in a report about it
    big.write_text("Data Dump\n\n" + "\n\n".join(f"{para} reservoir paragraph {n}." for n in range(36_000)))
    problems: list[str] = []
    a = one(big, problems)
    assert len(a.body) <= MAX_ARTICLE_CHARS and a.body.endswith(".")  # whole paragraphs only
    mb = round(big.stat().st_size / 1e6)
    assert mb >= 30 and problems == [f"{big}: the file is {mb} MB; only the first 1 MB of its text is indexed"]
    (src / "small.txt").write_text(article())
    assert_clean(run_brief("index", src, home=home, library=lib))
    found = assert_clean(run_brief("search", "reservoir", home=home, library=lib))  # was over 60 s
    assert "Data Dump" in found.out


def test_a_30_mb_saved_page_is_read_in_seconds(src):
    para = " ".join(f"word{i % 991}" for i in range(50))
    page = src / "huge.html"
    page.write_text("<html><head><title>Huge Page</title></head><body><article>"
                    + "".join(f"<p>{para} paragraph {n}.</p>" for n in range(75_000)) + "</article></body></html>")
    problems: list[str] = []
    a = one(page, problems)  # trafilatura alone: over 40 s
    assert a.title == "Huge Page" and "paragraph 0." in a.body and len(a.body) <= MAX_ARTICLE_CHARS
    assert any("too big for the article extractor" in p for p in problems)


def test_a_page_heavy_only_with_inline_images_and_scripts_is_still_extracted(src):
    blob = "QUJD" * 2_000_000  # 8 MB of base64
    page = src / "saved.html"
    page.write_text(f"<html><head><title>Dam Page</title><script>var x = '{blob}';</script></head><body>"
                    f"<nav><a href='/'>Home</a></nav><article><h1>Dam Page</h1><p>{SENTENCE} {SENTENCE}</p>"
                    f"<p>{SENTENCE}</p><img src='data:image/png;base64,{blob}'></article></body></html>")
    problems: list[str] = []
    a = one(page, problems)
    assert a.title == "Dam Page" and SENTENCE in a.body and "QUJD" not in a.body and problems == []


HOSTILE = {  # name -> (file name, content): each was quadratic, or slow per character, before
    "a 5 MB single line": ("line.txt", "Title Here\n\n" + " ".join(f"w{i}" for i in range(800_000))),
    "100k blank lines": ("blank.txt", f"{SENTENCE}\n" + "\n" * 100_000 + SENTENCE),
    "1M exclamation marks": ("bang.txt", f"{SENTENCE}\n\n" + "!" * 1_000_000),
    "1M straight quotes and spaces": ("quotes.txt", f"{SENTENCE}\n\n" + '" ' * 1_000_000),
    "100k lone quote paragraphs": ("q.txt", f"{SENTENCE}\n\n" + "\n\n".join(['"'] * 100_000)),
    "100k open curly quotes": ("curly.txt", f"{SENTENCE}\n\n" + "\n\n".join(["“open ” x"] * 5 + ["“never closed"] * 100_000)),
    "100k tiny lowercase paragraphs": ("tiny.txt", f"{SENTENCE}\n\n" + "\n\n".join(f"lower {i}" for i in range(100_000))),
    "100k paragraphs starting like the first": ("same.txt", "\n\n".join([SENTENCE * 3] * 30_000)),
    "a hard-wrapped 7 MB paragraph": ("wrap.txt", "\n".join(("word " * 14)[:69] for _ in range(100_000))),
    "a first paragraph of 200k abbreviations": ("mr.txt", "Mr. A " * 200_000 + "\n\n" + SENTENCE),
    "a long lede and 100k one-word paragraphs": ("lede.txt", "x" * 500_000 + "\n\n" + "\n\n".join(["x"] * 100_000)),
    "deeply nested HTML": ("nested.html", "<html><body>" + "<div>" * 100_000 + SENTENCE * 3 + "</body></html>"),
    "a megabyte of < in a page": ("lt.html", f"<html><body><p>{SENTENCE}</p>" + "<" * 1_000_000 + "</body></html>"),
    "a megabyte of < in Markdown": ("lt.md", f"# Title\n\n{SENTENCE}\n\n" + "<" * 1_000_000),
    "unclosed tags in Markdown": ("tags.md", f"# Title\n\n{SENTENCE}\n\n<p>" + "<b x='" * 150_000),
    "500k [ in Markdown": ("brackets.md", f"# Title\n\n{SENTENCE}\n\n" + "[" * 500_000),
    "300k ![ in Markdown": ("bang.md", f"# Title\n\n{SENTENCE}\n\n" + "![" * 300_000),
    "a megabyte of < in a feed entry": ("lt.rss", "<?xml version='1.0'?><rss version='2.0'><channel><title>W</title>"
                                        f"<item><title>x</title><description><![CDATA[{SENTENCE}" + "<" * 1_000_000
                                        + "]]></description></item></channel></rss>"),
    "unclosed tags in a feed entry": ("tags.rss", "<?xml version='1.0'?><rss version='2.0'><channel><title>W</title>"
                                      f"<item><title>x</title><description><![CDATA[{SENTENCE}<p>" + "</" * 400_000
                                      + "]]></description></item></channel></rss>"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_text_is_read_in_seconds(src, case):
    name, content = HOSTILE[case]
    path = src / name
    path.write_text(content, encoding="utf-8")
    problems: list[str] = []
    articles = bounded(lambda: read_file(path, problems), seconds=20)  # each took 6 s to over 60 s before
    assert articles and all(len(a.body) <= MAX_ARTICLE_CHARS for a in articles)
    assert all(p.startswith(f"{path}: ") for p in problems)


# --------------------------------------------------------------------------- missing reader packages

BLOCK = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    tried = []
    def find_spec(self, name, path=None, target=None):
        if name == {module!r}:
            Block.tried.append(name)
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
sys.meta_path.insert(0, Block())
"""

READ_ALL = """
import json
from index.model import ReaderUnavailable
from index.readers import read_file, check_readers
out = {"read": [], "unavailable": []}
for path in sys.argv[1:]:
    try:
        read_file(path)
        out["read"].append(path)
    except ReaderUnavailable as exc:
        out["unavailable"].append([exc.kind, exc.setup, exc.reason])
out["tried"] = len(Block.tried)
out["check"] = dict(check_readers())
print(json.dumps(out))
"""


def read_with(module: str, paths: list[Path], home: Path) -> dict:
    import subprocess

    done = subprocess.run([sys.executable, "-c", BLOCK.format(module=module) + READ_ALL, *map(str, paths)],
                          capture_output=True, env=brief_env(home), cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr.decode()
    return json.loads(done.stdout)


def test_trafilatura_broken_as_by_lxml_6_1_is_one_setup_message(home, src):
    # lxml 6.1 dropped lxml.html.clean; its stub raises "lxml.html.clean module is now a separate project
    # lxml_html_clean" when lxml_html_clean is missing, and jusText (a trafilatura dependency) imports it.
    pages = []
    for n in range(3):
        pages.append(src / f"p{n}.html")
        pages[-1].write_text(f"<html><body><article><p>{SENTENCE} {SENTENCE}</p></article></body></html>")
    (src / "a.txt").write_text(article())
    got = read_with("lxml_html_clean", [*pages, src / "a.txt"], home)
    assert got["read"] == [str(src / "a.txt")] and len(got["unavailable"]) == 3
    setup = {u[1] for u in got["unavailable"]}
    assert setup == {"saved HTML pages cannot be read: trafilatura fails to import (lxml.html.clean is now the "
                     "separate package lxml_html_clean); install brief's locked dependencies: "
                     "pip install -c requirements.lock -e ."}
    assert got["tried"] == 1  # the import is attempted once per process, not once per file
    assert got["check"]["html"] == setup.pop() and got["check"]["feed"] is None


@pytest.mark.parametrize("module, reader, ext, text", [
    ("feedparser", "feed", "rss", f"<rss version='2.0'><channel><item><title>t</title><description>{SENTENCE}"
                                  "</description></item></channel></rss>"),
    ("markdown_it", "markdown", "md", f"# Title\n\n{SENTENCE}\n"),
    ("yaml", "front matter", "md", f"---\ntitle: T\n---\n\n{SENTENCE}\n"),
])
def test_a_missing_reader_package_is_named_with_the_fix(home, src, module, reader, ext, text):
    path = src / f"a.{ext}"
    path.write_text(text)
    got = read_with(module, [path], home)
    ((kind, setup, reason),) = got["unavailable"]
    assert kind == reader and f"{module} is not installed" in setup and "pip install -c requirements.lock" in setup
    assert got["check"][reader] == setup


def test_markdown_without_front_matter_needs_no_yaml(home, src):
    path = src / "plain.md"
    path.write_text(f"# Title\n\n{SENTENCE}\n")
    assert read_with("yaml", [path], home)["read"] == [str(path)]


def test_every_reader_works_here():
    assert check_readers() == [("html", None), ("feed", None), ("markdown", None), ("front matter", None)]


# --------------------------------------------------------------------------- brief's own exports


def test_a_card_exported_into_an_indexed_folder_is_not_indexed(home, src, lib):
    (src / "a.txt").write_text(article())
    (src / "b.txt").write_text(article(topic="levee"))
    assert_clean(run_brief("index", src, home=home, library=lib))
    assert_clean(run_brief("card", "--all", "-o", src / "card.md", home=home, library=lib))
    with pytest.raises(SkipFile) as skip:
        read_file(src / "card.md")
    assert skip.value.reason == "brief's own card export"
    assert_clean(run_brief("index", src, home=home, library=lib))
    assert len(Library(lib).catalog()) == 2


def test_a_user_file_that_mentions_brief_is_still_read(src):
    a = one(md(src, "generator: Hugo\ntitle: About brief\nnote: 'generator: brief'"))
    assert a.title == "About brief"


# --------------------------------------------------------------------------- names and messages

HOSTILE_NAMES = ["esc\x1b[31mred.txt", "bel\x07.txt", "new\nline.txt", "rtl\u202etxt.exe.txt", "bad\udcff\udcfe.txt"]


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=["esc", "bel", "newline", "rtl", "non-utf8"])
def test_hostile_file_names_read_and_print_safely(src, name):
    path = os.path.join(os.fspath(src), name)
    try:
        with open(path, "wb") as f:
            f.write(b"Caf\xe9 Report\n\nCaf\xe9 owners along the quay counted the damage on Monday and cleaned up.")
    except (OSError, UnicodeEncodeError):
        pytest.skip("the file system refuses this name")
    problems: list[str] = []
    first = one(path, problems)
    assert one(path).id == first.id  # the same id every time
    shown = display_path(path)
    assert not any(ch in shown for ch in "\x1b\x07\n\u202e") and shown.isprintable()
    shown.encode("utf-8")
    if "\udcff" in name:
        assert shown.endswith("bad\\xff\\xfe.txt")
    (note,) = problems  # Windows-1252: named in a line that is safe to print as it is
    assert note.startswith(shown + ": ") and note.isprintable()


def test_an_unexpected_failure_in_a_reader_is_a_read_error_naming_it(src, monkeypatch):
    import index.readers as readers

    def boom(*args, **kwargs):
        raise KeyError("surprise")

    monkeypatch.setattr(readers, "_read_text", boom)
    (src / "a.txt").write_text(article())
    with pytest.raises(ReadError) as err:
        read_file(src / "a.txt")
    assert type(err.value) is ReadError and "KeyError" in err.value.reason and err.value.path == str(src / "a.txt")
