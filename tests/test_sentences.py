"""Sentence splitting that survives titles, abbreviations, initials, decimals and glued quote clusters."""

from __future__ import annotations

import pytest

from briefs.sentences import split_sentences


@pytest.mark.parametrize("paragraph, sentences", [
    ("Lt. Gen. Ivo Marr arrived. He spoke briefly.", ["Lt. Gen. Ivo Marr arrived.", "He spoke briefly."]),
    ("The U.S. Navy sent ships. The U.S. The fleet left.", ["The U.S. Navy sent ships.", "The U.S.", "The fleet left."]),
    ("It hit 4.8 million people. Then it stopped.", ["It hit 4.8 million people.", "Then it stopped."]),
    ("Talks began on Jan. 5 in Geneva. They ended in March.", ["Talks began on Jan. 5 in Geneva.", "They ended in March."]),
    ("“We will win,” he said. “The river is falling.”", ["“We will win,” he said.", "“The river is falling.”"]),
    ("\"Q one.\"\"Q two.\"Ana Varo", ["\"Q one.\"", "\"Q two.\"", "Ana Varo"]),
    ("Joseph S. Bermann said so. Nobody else did.", ["Joseph S. Bermann said so.", "Nobody else did."]),
    ("Mr. Vell left at 2 p.m. for the dam.", ["Mr. Vell left at 2 p.m. for the dam."]),
    # a lost paragraph break (scraped pages, multinews-dev): a period glued to the next sentence's capital
    ("Seven states declared emergencies.If Irene follows its path, it lands Saturday.",
     ["Seven states declared emergencies.", "If Irene follows its path, it lands Saturday."]),
    ("Ike hit Texas in 2008.Facing a delay, they stayed.", ["Ike hit Texas in 2008.", "Facing a delay, they stayed."]),
    ("Rain fell in Virginia.The roads closed.", ["Rain fell in Virginia.", "The roads closed."]),
    ("The U.S.Army and the Washington.Post agreed.", ["The U.S.Army and the Washington.Post agreed."]),
    ("He met Gov.Perdue on Jan.Fifth.", ["He met Gov.Perdue on Jan.Fifth."]),
])
def test_split(paragraph, sentences):
    assert split_sentences(paragraph) == sentences


def test_a_paragraph_without_terminal_punctuation_is_one_sentence():
    assert split_sentences("Labels: floods, dams") == ["Labels: floods, dams"]
