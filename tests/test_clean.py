"""Cleaning rules: each rule on small synthetic texts, then every seed end to end."""

from __future__ import annotations

import re

import pytest

from index.clean import (
    clean_paragraphs,
    clean_text,
    drop_author_bio,
    drop_boilerplate,
    drop_duplicate_paragraphs,
    drop_repeated_article,
    drop_repeated_lede,
    repair_leading_close_quote,
    repair_lowercase_continuation,
    repair_space_before_punctuation,
    repair_split_decimal,
    repair_split_ellipsis,
    repair_unclosed_quote,
    safe_inline,
    sanitize,
    separate_quote_clusters,
    split_paragraphs,
    strip_footers,
    strip_photo_credits,
    strip_tweet_residue,
)

# --------------------------------------------------------------------------- sanitize / safe_inline


def test_sanitize_drops_terminal_escapes_and_keeps_link_text():
    raw = "\x1b[31mRed\x1b[0m and \x1b]8;;https://evil.example\x1b\\a link\x1b]8;;\x1b\\ \x1b]0;title\x07done\x1b"
    assert sanitize(raw) == "Red and a link done"


def test_sanitize_drops_c1_and_c0_controls_but_keeps_newlines():
    assert sanitize("a\x00b\x07c\x80d\x85e\nf\x9b2Kg") == "abcd\ne\nfg"


def test_sanitize_normalises_spaces_line_ends_and_invisible_characters():
    raw = "one\u00a0two\u2009three\r\nfour\rfive\u200bsix co\u00adoperate\ufeff"
    assert sanitize(raw) == "one two three\nfour\nfivesix cooperate"


def test_sanitize_composes_to_nfc_and_keeps_curly_quotes_and_dashes():
    assert sanitize("Barrot Noe\u0308l “quoted” – and — dash") == "Barrot Noël “quoted” – and — dash"


def test_sanitize_drops_bidi_overrides():
    assert sanitize("abc\u202edef\u2066x\u2069") == "abcdefx"


def test_safe_inline_is_one_clean_line():
    assert safe_inline("  Title\n\nwith \x1b[2Jescape\tand\u2028breaks  ") == "Title with escape and breaks"
    assert safe_inline(None) == ""


# --------------------------------------------------------------------------- split_paragraphs


def test_split_blank_line_and_line_per_paragraph_input():
    assert split_paragraphs("First one.\n\n\nSecond  one.\nThird one.\n") == ["First one.", "Second one.", "Third one."]


WRAPPED = """\
SEOUL - North Korea has sent about 1,500 special forces troops to Russia,
the South's spy agency said on Friday, in a move that could widen the war
in Ukraine and draw a response from its neighbours.
Officials said more troops would follow.
The agency released satellite images that it said showed Russian navy
ships near the port of Chongjin.

Key points
- Troops were moved between October 8 and 13 on
  Russian navy ships.
- A second group is expected soon.
"""


def test_split_unwraps_hard_wrapped_text_into_paragraphs():
    assert split_paragraphs(WRAPPED) == [
        "SEOUL - North Korea has sent about 1,500 special forces troops to Russia, the South's spy agency said "
        "on Friday, in a move that could widen the war in Ukraine and draw a response from its neighbours.",
        "Officials said more troops would follow.",
        "The agency released satellite images that it said showed Russian navy ships near the port of Chongjin.",
        "Key points",
        "- Troops were moved between October 8 and 13 on Russian navy ships.",
        "- A second group is expected soon.",
    ]


def test_split_joins_a_full_width_line_that_happens_to_end_a_sentence():
    text = (
        "The minister spoke for an hour and answered questions from reporters\n"
        "at the ministry in the capital on Friday. He said the talks would go\n"
        "on. Critics said the plan had no chance of success and that the\n"
        "country would pay for it in the years to come, whatever the outcome\n"
        "of the vote, because the money had been spent.\n"
        "Nobody from the opposition attended the briefing.\n"
    )
    # "go" ends a full-width line and "on." a nearly full one; the next word would not have fit.
    assert split_paragraphs(text) == [
        "The minister spoke for an hour and answered questions from reporters at the ministry in the capital on "
        "Friday. He said the talks would go on. Critics said the plan had no chance of success and that the "
        "country would pay for it in the years to come, whatever the outcome of the vote, because the "
        "money had been spent.",
        "Nobody from the opposition attended the briefing.",
    ]


def test_split_rejoins_a_compound_wrapped_at_its_hyphen():
    text = (
        "The deal was described by officials in both capitals as a long-\n"
        "term arrangement that would last well beyond the current crisis and\n"
        "could be extended by either side with six months of written notice.\n"
        "It was signed on Friday.\n"
    )
    assert "long-term arrangement" in split_paragraphs(text)[0]


def test_split_does_not_join_short_lines_that_are_each_a_paragraph():
    text = "Russia denied the report.\nKyiv said it had proof.\nSeoul called it a threat.\nWashington was silent.\n"
    assert len(split_paragraphs(text)) == 4


# --------------------------------------------------------------------------- duplicates


def test_drop_duplicate_paragraphs_keeps_first_copy_ignoring_spacing_and_quote_style():
    paras = ["Troops arrived on Friday, officials said.", "Another paragraph here.",
             "Troops arrived on Friday,  officials said.", "OK.", "OK."]
    assert drop_duplicate_paragraphs(paras) == paras[:2] + ["OK.", "OK."]


def test_drop_repeated_article_even_when_the_copy_is_split_differently():
    first = ["Headline Of The Day", "First paragraph of the story is here.", "Second paragraph follows it here.",
             "Third paragraph closes the story for good."]
    second = ["Headline Of The Day", "First paragraph of the story is here. Second paragraph follows it here.",
              "Third paragraph closes the story for good."]
    assert drop_repeated_article(first + second) == first


def test_drop_repeated_article_leaves_a_story_that_only_starts_alike():
    paras = ["The war goes on, officials said.", "More news.", "The war goes on, officials said, and on."]
    assert drop_repeated_article(paras) == paras


def test_drop_repeated_lede_keeps_the_first_copy():
    lede = "Troops are close to fighting. The news marks a milestone."
    paras = ["Headline", lede, "Troops are close to fighting.", "The news marks a milestone.", "Body goes on."]
    assert drop_repeated_lede(paras) == ["Headline", lede, "Body goes on."]


def test_drop_repeated_lede_when_the_pieces_come_first():
    paras = ["Troops are close to fighting.", "The news marks a milestone.",
             "Troops are close to fighting. The news marks a milestone.", "Body goes on."]
    assert drop_repeated_lede(paras) == [paras[0], paras[1], "Body goes on."]


# --------------------------------------------------------------------------- boilerplate


@pytest.mark.parametrize("line", [
    "Labels: Russia, North Korea", "0 Comments:", "12 Comments", "Post a Comment", "<< Home", "Newer Post",
    "Older Posts", "Share this article", "Share on Facebook", "Subscribe to our newsletter", "Advertisement",
    "featured-image", "Image Credit: Creative Commons and/or Shutterstock.", "Photo: AP",
    "(Photo by Jane Roe/Getty Images)", "Photo courtesy of the ministry", "Photo by Jane Roe/AFP.",
    "Seoul says the plan is a threat. Troops are on the move. Reuters |",
    "Video appears to show soldiers at a base CNN |", "Also read: Five things to know about the war",
    "© 2024 Daily Ledger. All rights reserved.",
    "Editor’s note: This Wire Service report has been lightly edited for Daily Ledger readers.",
    "This article originally appeared in The Coast Courier.",
])
def test_drop_boilerplate_drops_page_furniture(line):
    assert drop_boilerplate(["A real sentence of the article.", line]) == ["A real sentence of the article."]


@pytest.mark.parametrize("line", [
    "Photos showing ship movements were posted by the agency.",
    "Subscribers to the service were told on Friday.",
    "Share prices fell sharply after the announcement, traders said.",
    "The label on the crate read: property of the army.",
    "Home Secretary Jane Roe said the plan would go ahead.",
    "Sign up rates among young men fell by a fifth last year, the ministry said.",
    "Copyright claims against the broadcaster were dismissed.",
    "Photos by the agency showed troops at the border.",
    "Editor’s note: the minister resigned after this interview was recorded.",
    "This report was first seen by the committee on Monday.",
])
def test_drop_boilerplate_keeps_real_sentences(line):
    assert drop_boilerplate([line]) == [line]


def test_drop_author_bio_drops_heading_and_bio_only():
    paras = ["Last body paragraph.", "About the Author", "Jane Roe is a defense journalist.", "Image Credit: X"]
    assert drop_author_bio(paras) == ["Last body paragraph.", "Image Credit: X"]
    assert drop_author_bio(["Body.", "About the author: Jane Roe writes about wars."]) == ["Body."]
    paras = ["Body.", "About the Authors", "Jane Roe is a reporter.", "John Doe covers defence.", "Photo: AP"]
    assert drop_author_bio(paras) == ["Body.", "Photo: AP"]


def test_strip_photo_credits_keeps_the_sentence():
    p = "The treaty commits both to help. | Pool photo by Jane Roe/AFP via Getty Images |"
    assert strip_photo_credits([p]) == ["The treaty commits both to help."]
    p = "Soldiers marched in Pyongyang (Photo by Jane Roe/Getty Images) on Monday."
    assert strip_photo_credits([p]) == ["Soldiers marched in Pyongyang on Monday."]
    p = "Satellite pictures (images released by the agency on Friday) show the ships."
    assert strip_photo_credits([p]) == [p]


def test_strip_photo_credits_removes_a_credit_glued_after_a_caption():
    p = "The town hall under water on Tuesday. Photo: Civil Protection Directorate"
    assert strip_photo_credits([p]) == ["The town hall under water on Tuesday."]
    p = "The agency published one photo: a breach forty metres wide."
    assert strip_photo_credits([p]) == [p]
    p = "Officials released the images. Image: what the spillway looked like before it failed."
    assert strip_photo_credits([p]) == [p]


def test_strip_photo_credits_keeps_a_reuters_dateline():
    p = "KYIV (Reuters) - Ukraine said on Monday it had proof."
    assert strip_photo_credits([p]) == [p]


def test_strip_footers_removes_wire_footers_glued_to_the_last_paragraph():
    assert strip_footers(["It is a wait-and-watch game. With inputs from agencies."]) == ["It is a wait-and-watch game."]
    assert strip_footers(["Talks go on. (Reporting by Jane Roe; Editing by John Doe)"]) == ["Talks go on."]
    assert strip_footers(["Last sentence.", "(With inputs from PTI)"]) == ["Last sentence."]


def test_strip_footers_keeps_a_sentence_that_ends_with_the_same_words():
    p = "The plan was drawn up with inputs from all sides."
    assert strip_footers([p]) == [p]


def test_strip_tweet_residue_including_a_link_split_over_paragraphs():
    paras = ["The video shows troops arriving. pic.", "twitter.com/RL0gumm Another video shows more.",
             "pic.twitter.com/AxZ0Um48 The videos back the claim.", "More here https://t.co/abc123 today."]
    assert strip_tweet_residue(paras) == ["The video shows troops arriving.", "Another video shows more.",
                                          "The videos back the claim.", "More here today."]


def test_strip_tweet_residue_attribution_after_tweet_text():
    assert strip_tweet_residue(["Troops arrived. — Jane Roe (@janeroe) October 20, 2024"]) == ["Troops arrived."]
    assert strip_tweet_residue(["Troops arrived.", "— Jane Roe (@janeroe) Oct 20, 2024"]) == ["Troops arrived."]


# --------------------------------------------------------------------------- repairs


def test_repair_split_decimal():
    paras = ["The containers could hold as many as 4.", "8 million artillery shells, officials said."]
    assert repair_split_decimal(paras) == ["The containers could hold as many as 4.8 million artillery shells, "
                                           "officials said."]


def test_repair_split_decimal_leaves_a_year_and_a_capitalised_next_sentence():
    paras = ["The war began in 2022.", "15 people were hurt."]
    assert repair_split_decimal(paras) == paras
    paras = ["He counted to 3.", "Then he left."]
    assert repair_split_decimal(paras) == paras


def test_repair_split_ellipsis():
    paras = ["A voice says, “We can’t film them.", ".. Here are the new reinforcements."]
    assert repair_split_ellipsis(paras) == ["A voice says, “We can’t film them... Here are the new reinforcements."]


def test_repair_leading_close_quote_moves_it_back_and_matches_the_opening_style():
    paras = ["He said, “Now not only with weapons.", "\" Many in Kyiv agree.", "“Next quote,” she said.",
             "” It is also a test."]
    assert repair_leading_close_quote(paras) == ["He said, “Now not only with weapons.”", "Many in Kyiv agree.",
                                                 "“Next quote,” she said.”", "It is also a test."]


def test_repair_leading_close_quote_leaves_an_opening_quote_with_a_stray_space():
    paras = ["He spoke.", "\" We will win,\" he said."]
    assert repair_leading_close_quote(paras) == paras


def test_repair_unclosed_quote_joins_a_quote_that_runs_into_the_next_paragraph():
    paras = ["A voice says, “We can’t film them.", "There are more.” Footage shows soldiers.", "Next."]
    assert repair_unclosed_quote(paras) == ["A voice says, “We can’t film them. There are more.” Footage shows "
                                            "soldiers.", "Next."]


def test_repair_unclosed_quote_leaves_a_multi_paragraph_quote_alone():
    paras = ["“We will fight on the beaches.", "“We will never surrender,” he said."]
    assert repair_unclosed_quote(paras) == paras


def test_repair_lowercase_continuation():
    paras = ["If this holds true, it would mean", "an escalation of the war.", "the next one ends.",
             "iPhone sales rose."]
    assert repair_lowercase_continuation(paras) == ["If this holds true, it would mean an escalation of the war.",
                                                    "the next one ends.", "iPhone sales rose."]


def test_repair_lowercase_continuation_after_a_quote_closed_on_a_comma():
    paras = ["“We do not know, maybe never for the houses by the mill,”", "said Sara Quill, who runs the network."]
    assert repair_lowercase_continuation(paras) == [" ".join(paras)]
    paras = ["He called it “a first instalment.”", "later that day the fund opened."]
    assert repair_lowercase_continuation(paras) == paras


def test_repair_space_before_punctuation():
    assert repair_space_before_punctuation(["Lankov told BBC , adding it went to Kursk . Wait ..."]) == [
        "Lankov told BBC, adding it went to Kursk. Wait ..."]


# --------------------------------------------------------------------------- quote clusters


def test_separate_quote_clusters_one_paragraph_per_speaker():
    p = ('"First quote.""Second quote."Foreign Minister Jane Roe"[It would] push on.""It is bad."'
         "France's Foreign Minister Jean-Noël Barrot\"We cannot confirm it.\"NATO Secretary-General Mark Rutte")
    assert separate_quote_clusters([p]) == [
        '"First quote." "Second quote." — Foreign Minister Jane Roe',
        '"[It would] push on." "It is bad." — France\'s Foreign Minister Jean-Noël Barrot',
        '"We cannot confirm it." — NATO Secretary-General Mark Rutte',
    ]


def test_separate_quote_clusters_with_curly_quotes():
    p = "“We are ready.”“We will respond.”Defence Minister Jane Roe"
    assert separate_quote_clusters([p]) == ["“We are ready.” “We will respond.” — Defence Minister Jane Roe"]


def test_separate_quote_clusters_speaker_with_a_job_title():
    p = '"They could guard the border.""I rule it out."John Roe, editor, Defence Weekly'
    assert separate_quote_clusters([p]) == ['"They could guard the border." "I rule it out." — John Roe, editor, '
                                            'Defence Weekly']


@pytest.mark.parametrize("p", [
    "“It is now highly likely,” British Defense Secretary John Healey said on Tuesday.",
    '"We will win," he said. "We will never give up."',
    '"Yes."He said it twice.',
    "A plain sentence with no quotes.",
])
def test_separate_quote_clusters_leaves_ordinary_quoted_prose(p):
    assert separate_quote_clusters([p]) == [p]


# --------------------------------------------------------------------------- clean_paragraphs / clean_text


def test_clean_paragraphs_invariants_hold_on_messy_input():
    out = clean_text("  Title  \r\n\r\n\x1b[1mBold\x1b[0m  text\u00a0here.\n\n\n\u200b\n\t\nShare this\nEnd.  ")
    assert out == ["Title", "Bold text here.", "End."]
    assert all(p and "\n" not in p and p == " ".join(p.split()) for p in out)


def test_clean_paragraphs_accepts_unsanitised_paragraphs():
    assert clean_paragraphs(["a\x1b[31m red\nline  ", "", "   "]) == ["a red line"]


def test_rules_run_in_an_order_that_lets_repairs_see_clean_neighbours():
    # The placeholder between the two halves would block the lowercase continuation if it stayed.
    out = clean_paragraphs(["It would mean an escalation of", "featured-image", "the war in Ukraine."])
    assert out == ["It would mean an escalation of the war in Ukraine."]


# --------------------------------------------------------------------------- seeds, end to end

# What a reader calls page furniture in the seeds, written as generic patterns (not seed text).
FURNITURE = [
    r"^About the Author$", r"^Image Credit:.*$", r"^Photo: \w+$", r"^Labels:.*$", r"^\d+ Comments:$",
    r"^Post a Comment$", r"^<< Home$", r"^featured-image$", r"^.*\b(?:Reuters|CNN) \|$", r"With inputs from agencies\.",
    r"\| Pool photo by [^|]*\|", r"pic\.\s*twitter\.com/\w+",
]


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def _article_sentences(raw: str) -> list[str]:
    """The raw seed's sentences a reader would keep: furniture and the author bio taken out first."""
    raw = re.sub(r"(?m)^About the Author\n.*$", "", raw)
    for pattern in FURNITURE:
        raw = re.sub(pattern, " ", raw, flags=re.MULTILINE)
    sentences = re.split(r"(?<=[.!?])\s+|\n+|(?<=[\"”])(?=[\"“])", raw)
    return [s for s in sentences if len(_words(s).split()) >= 3]


@pytest.mark.parametrize("n", range(5))
def test_seed_cleaning_keeps_every_sentence(seed_text, n):
    raw = seed_text(n)
    cleaned = _words(" ".join(clean_text(raw)))
    missing = [s for s in _article_sentences(raw) if _words(s) not in cleaned]
    assert not missing


@pytest.mark.parametrize("n", range(5))
def test_seed_cleaning_removes_furniture_and_repeats(seed_text, n):
    paragraphs = clean_text(seed_text(n))
    text = "\n".join(paragraphs)
    for pattern in FURNITURE:
        assert not re.search(pattern, text, flags=re.MULTILINE), pattern
    sentences = [_words(s) for p in paragraphs for s in re.split(r"(?<=[.!?])\s+", p)]
    long = [s for s in sentences if len(s.split()) >= 6]
    assert len(long) == len(set(long)), "a sentence appears twice"
    assert all(p and "\n" not in p and p == " ".join(p.split()) for p in paragraphs)


@pytest.mark.parametrize("n", range(5))
def test_seed_cleaning_twice_changes_nothing(seed_text, n):
    once = clean_text(seed_text(n))
    assert clean_paragraphs(once) == once


def test_seed_article_pasted_twice_is_kept_once(seed_text):
    raw_paragraphs = split_paragraphs(seed_text(0))
    assert len(clean_text(seed_text(0))) == len(raw_paragraphs) // 2


def test_seed_repeated_lede_appears_once(seed_text):
    paragraphs = clean_text(seed_text(1))
    lede = _words(split_paragraphs(seed_text(1))[2])  # the lede's first sentence, pasted as its own line
    assert _words(" ".join(paragraphs)).count(lede) == 1


def test_seed_author_bio_is_dropped(seed_text):
    assert not any(" is a seasoned " in p for p in clean_text(seed_text(1)))


def test_seed_quote_clusters_become_one_paragraph_per_speaker(seed_text):
    clusters = [p for p in clean_text(seed_text(3)) if re.search(r"[\"”] — [A-Z][^\"“”]+$", p)]
    assert len(clusters) == 4
    assert all(not re.search(r"[\"”][\"“]", p) for p in clusters), "quotes are separated by a space"
    assert clusters[0].endswith(" — Ukrainian Foreign Minister Andrii Sybiha")


def test_seed_broken_sentences_are_repaired(seed_text):
    text = "\n".join(clean_text(seed_text(4)))
    assert "as many as 4.8 million artillery shells" in text
    assert "film them... Here are" in text
    assert not re.search(r"(?m)^[\"”.]", text), "no paragraph starts with a stray quote or dots"
    assert "pic." not in text and "twitter.com" not in text
    assert " ," not in text and " ." not in text
