"""Page furniture of scraped news pages (index.clean.drop_page_furniture / strip_furniture_prefix): each
pattern on made-up text, real sentences kept, and on the real clusters of ../shared/corpora/multinews-dev
(skipped without them): what is dropped is furniture, and no title is."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from index.clean import clean_text, drop_page_furniture, is_furniture, normalise_paragraphs, sanitize, \
    split_paragraphs, strip_furniture_prefix
from index.plaintext import parse_plain_text

MULTINEWS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "multinews-dev"


@pytest.mark.parametrize("line", [
    "Tweet with a location", "Add a location to your Tweets",
    "You can add location information to your Tweets, such as your city. You always have the option. Learn more",
    "1 of 6", "Image 3 of 12", "Slideshow (5 Images)", "___", "———", "***", "|", ".",
    "PHOTOS: Occupy L.A.", "PHOTOS: Las Vegas rolling gun battle", "INTERACTIVE: Violence in Las Vegas",
    "CAIRO |", "TEHRAN |",
    "FILE - In this Aug. 15, 2014 file photo, a real estate heir leaves a Houston courtroom.",
    "A woman waves the Egyptian flag during a protest in Cairo, July 3, 2013. REUTERS/Amr Abdallah Dalsh",
    "Displaced Palestinians pass time at a U.N school in Beit Lahiya, July 31, 2014. Israeli attacks... (Associated Press)",
    "The graphic explains the new boarding process. (Photo: United Airlines)",
    "'The Hollywood Reporter' says the actor, seen here in 2014, was suspended. (Photo: Jordan Strauss, Invision/AP)",
    "Rommel Demano/Getty Images", "Rich Fury/Getty Images for Citi", "HelloGiggles / HBO / iStock",
    "Getty Images Elon Musk", "AFP", "(European Pressphoto Agency)", "Courtesy of Linda Hooper",
    "By Mike Blake/Reuters.", "Image copyright Getty Images",
    "Image copyright AP Image caption Residents said soldiers were firing into the air",
    "Media playback is unsupported on your device Media caption It is unclear where the president is now",
    "Enlarge this image toggle caption Jay Reed/NPR Jay Reed/NPR", "× Close What is the Tomatometer®?",
    "CLOSE Ariel Winter is tired of being told what to wear. USA TODAY",
    "Top of Page", "Story Continued Below", "Advertisement Continue reading the main story", "text size",
    "Loading…", "LATEST HEADLINES", "Related stories:", "Read or Share this story: https://usat.ly/2AEiA7M",
    "Read more about: Mitt Romney, Rick Santorum", "[Related: Celebrities We Lost in 2014]",
    "(Also on POLITICO: Boehner's big bet)", "Follow Natalie on Twitter", "Twitter: @milbank", "@maxoregonian",
    "andrew.blankstein@latimes.com", "Updated: June 22, 2017 1:24 pm", "Published on Feb 17, 2015",
    "Posted at 11:43 AM on Nov. 24, 2010", "936 SHARES Share Tweet", "See a mistake? Report a typo here.",
    "Starting in 1996, Alexa Internet has been donating their crawl data to the Internet Archive. Flowing in every "
    "day, these data are added to the Wayback Machine after an embargo period.",
    "Sorry, the page you requested was not found.", "Photograph by NASA",
    "You must enter the characters with black color that stand out from the other characters",
])
def test_page_furniture_is_dropped(line):
    assert is_furniture(line)
    assert drop_page_furniture(["The dam failed on Tuesday after days of rain.", line]) == [
        "The dam failed on Tuesday after days of rain."]


@pytest.mark.parametrize("line", [
    "Updated figures were released on Monday.", "Comments from residents poured in all week.",
    "CAIRO is a city of twenty million people.", "File photos show the damage to the dam.",
    "The photo, taken by Getty Images, shows the breach.", "AP reporters contributed to this story.",
    "Reuters said the toll rose to nine.", "Courtesy matters, the mayor said.",
    "PHOTOS: It burned. Then it fell, and the town watched.", "Posted guards stood at the gate all night.",
    "One of the six victims was a child.", "She told Reuters (the news agency) that she would stay.",
    "Close to 1,500 troops arrived on Tuesday.", "The president (R) said so. (AP Photo would be nice.",
])
def test_real_sentences_are_kept(line):
    assert not is_furniture(line)


@pytest.mark.parametrize("raw, kept", [
    ("Story highlights Trump's comments on Saturday are his most extensive", "Trump's comments on Saturday are his most extensive"),
    ("Neil Warner / Splash News Britney Spears' handlers have strong ideas.", "Britney Spears' handlers have strong ideas."),
    ("Buy Photo Workers cover up the name on the hall.", "Workers cover up the name on the hall."),
    ("Story of the flood: it came at night.", "Story of the flood: it came at night."),
])
def test_a_label_glued_before_the_first_sentence_is_stripped(raw, kept):
    assert strip_furniture_prefix([raw]) == [kept]


def test_a_file_of_furniture_only_has_no_article_text_and_no_title_from_it():
    doc = parse_plain_text("Tweet with a location\n\nYou can add location information to your Tweets, such as "
                           "your city. You always have the option to delete your Tweet location history. Learn more")
    assert doc.paragraphs == [] and doc.title == "(untitled)"


def test_a_caption_and_gallery_counter_never_become_the_title():
    doc = parse_plain_text("1 of 6\n\nA woman waves the Egyptian flag during a protest in Cairo, July 3, 2013. "
                           "REUTERS/Amr Dalsh\n\nCAIRO (Reuters) - Egypt's army ousted the president on Wednesday "
                           "and announced a political transition, the state news agency said.")
    assert doc.title.startswith("Egypt's army ousted the president on Wednesday")
    assert doc.outlet == "Reuters"
    assert doc.paragraphs[0].startswith("CAIRO (Reuters) - ")


# --------------------------------------------------------------------------- multinews-dev


def _articles():
    if not MULTINEWS.is_dir():
        pytest.skip("../shared/corpora/multinews-dev is not present")
    return sorted(MULTINEWS.glob("cluster_*/article_*.txt"))


_CAPTION_MARKS = re.compile(r"file photo|\((?:Associated Press|Photo:|AP Photo)|REUTERS/|Image caption|Media caption|"
                            r"^CLOSE |location|toggle caption|Image copyright|^Enlarge|^View Images|Twitter|Internet Archive|"
                            r"^These crawls|^Please check the URL|^You must enter the characters|^Message: \*", re.I)


def test_on_multinews_what_is_dropped_is_furniture():
    """Every dropped paragraph is short (a label, credit, link, separator) or a caption, widget or video blurb
    by its own marks; nothing that opens with a wire dateline is dropped."""
    dropped = []
    for path in _articles():
        paragraphs = normalise_paragraphs(split_paragraphs(sanitize(path.read_text(encoding="utf-8", errors="replace"))))
        kept = set(drop_page_furniture(paragraphs))
        dropped += [p for p in paragraphs if p not in kept]
    assert len(dropped) >= 240  # 262 when measured
    for p in dropped:
        assert len(p.split()) <= 12 or _CAPTION_MARKS.search(p), p
        assert not re.match(r"^[A-Z][A-Z .,]+\((?:AP|Reuters|CNN|AFP)\)", p), p


_FURNITURE_TITLE = re.compile(r"^(?:Tweet with a location|Add a location|Getty Images|Image copyright|text size|"
                              r"\(European|FILE -|CLOSE |Media playback|Story highlights|LATEST HEADLINES|×|"
                              r"Photo:|[A-Z ]+\|$|\d+ of \d+$)|\((?:AP|Reuters|CNN|AFP)\)")


def test_on_multinews_no_title_is_page_furniture_or_a_dateline():
    titles = {path.parent.name + "/" + path.name: parse_plain_text(path.read_text(encoding="utf-8", errors="replace")).title
              for path in _articles()}
    assert [t for t in titles.values() if _FURNITURE_TITLE.search(t)] == []
    assert titles["cluster_102/article_02.txt"].startswith("Prime Minister Benjamin Netanyahu said Thursday")
    assert titles["cluster_123/article_01.txt"].startswith("Republican presidential candidate Donald Trump")
    assert titles["cluster_144/article_04.txt"].startswith("Former football star and actor O.J. Simpson could")


def test_on_multinews_a_real_caption_and_place_bar_are_gone_and_the_story_stays():
    path = MULTINEWS / "cluster_170" / "article_01.txt"
    if not path.is_file():
        pytest.skip("../shared/corpora/multinews-dev is not present")
    text = clean_text(path.read_text(encoding="utf-8"))
    assert "TEHRAN |" not in text
    assert any(p.startswith("TEHRAN (Reuters) - Iranian authorities have delayed the trial") for p in text)


def test_on_multinews_pages_that_are_no_article_give_no_text_and_the_rest_keep_theirs():
    """Tweet-location widgets, web-archive notices and "page not found" pages: 19 of the 279 files are nothing
    else, and now have no article text (indexing skips them instead of counting them as sources)."""
    empty = [p for p in _articles() if not parse_plain_text(p.read_text(encoding="utf-8", errors="replace")).paragraphs]
    assert len(empty) == 19
    for path in empty:
        assert len(path.read_text(encoding="utf-8", errors="replace").split()) <= 120, path


@pytest.mark.parametrize("text", [
    "A" * 300 + " (AP Photo", "A" * 2400, "Ab " * 800, "A/" * 1200, "a@" + "a-" * 1200, "Posted " + "1 " * 1200,
    "i " * 1200 + "toggle caption", "Courtesy " + "Ab " * 800, "CAIRO " * 400 + "|", "Ab " * 3 + "/" + "a/" * 1000,
])
def test_furniture_patterns_stay_fast_on_hostile_paragraphs(text):
    """No pattern backtracks without bound (a long capitalised word once took seconds per paragraph)."""
    import time

    start = time.perf_counter()
    is_furniture(text)
    strip_furniture_prefix([text])
    assert time.perf_counter() - start < 0.5
