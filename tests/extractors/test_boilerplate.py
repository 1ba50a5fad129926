from __future__ import annotations

import sys
import unicodedata

import pytest

from presswatch.extractors.boilerplate import LineFilter, release_tail
from presswatch.extractors.folding import normalise_line

FILTER = LineFilter.build(("Listen to the podcast",))


@pytest.mark.parametrize(
    ("line", "furniture"),
    [
        ("Share:", True),
        ("Share: Facebook Twitter Email", True),
        ("More for You", True),
        ("Top Followed181", True),
        ("Top Followed", True),
        ("Comments (12)", True),
        ("Advertisement", True),
        ("Author: Pippa Crerar in Washington", True),
        ("Published: Feb, 26 2025 22:30", True),
        ("listen to the podcast", True),  # user drop line, case-insensitive
        ("Tags", True),
        ("Tell us what YOU think...", True),
        ("Don’t Miss", True),  # typographic apostrophe
        ("2019-11-19T08:57:40+01:00", True),  # leaked page metadata
        ("2026-11-24 07:45Z", True),
        ("Tags on the trawlers were checked by inspectors at the quay on Monday.", False),
        ("2026-11-24: the day the channel reopened to large ships.", False),
        ("", True),
        # credits and sign-offs
        ("(Reporting by Ana Ruiz; Additional reporting by Li Wen; Editing by Tom Hale)", True),
        ("Reporting by Ana Ruiz; editing by Tom Hale", True),
        ("Editing by Tom Hale", True),
        ("— MarketHarbor's Dana Pruitt contributed to this report.", True),
        ("Jane Roe contributed reporting from Oslo.", True),
        ("(mk)", True),
        ("(dpa/lnw)", True),
        ("(With inputs from agencies)", True),
        ("原标题\uff1a“小站点”打通农村寄递“最后一公里”", True),  # full-width colon
        ("图为服务站工作人员正在分拣包裹。本报记者 周敏摄", True),
        ("Article content", True),
        (
            "Published in the print edition of the November 17, 2025, issue, with the"
            " headline “Songs for an Empty Reef.”",
            True,
        ),
        ("A version of this article appears in print on Nov. 3, 2026, Section A.", True),
        ("图书馆今年新增藏书三万册\uff0c读者摄影展也将开幕。", False),
        ("Summary", True),
        ("View original content to download multimedia:https://news.example/r/1.html", True),
        ("Watch now", True),
        ("Written by a committee of five, the report recommends closing two wards.", False),
        ("Reporting by the Ledger found that three of the contracts were never tendered.", False),
        ("(This story has been corrected to show the vote was on Tuesday.)", False),
        ("Officials say that volunteers contributed to this report on the flood's causes.", False),
        # real sentences that merely start like furniture stay
        ("Share prices fell sharply on Monday after the central bank raised rates again.", False),
        ("Comments made by the minister on Tuesday were criticised by the opposition.", False),
        (
            "More for you to pay: the energy price cap rises by 10% in January, regulator said.",
            False,
        ),
        (
            "The prime minister said the security guarantee has to be sufficient to deter Putin.",
            False,
        ),
    ],
)
def test_is_furniture(line: str, furniture: bool) -> None:
    assert FILTER.is_furniture(line) is furniture


def test_related_block_is_cut_until_a_real_paragraph() -> None:
    long_paragraph = (
        "After a frenetic week of diplomacy the prime minister arrived in "
        "Washington for the biggest test yet of his relationship with the president, "
        "aides said, as talks on the ceasefire resumed in the evening."
    )
    lines = [
        "First paragraph of the story, long enough to be real text for the reader here.",
        "More for You",
        "Lighthouse keeper retires after 40 years",
        "Gaming used to be so simple.",
        long_paragraph,
    ]
    assert FILTER.clean(lines) == [lines[0], long_paragraph]


def test_block_ends_at_a_sentence_of_the_article_resuming() -> None:
    # a "Don't miss" box inside the story: teasers go, the short paragraphs after it stay
    resumed = [
        "Protesters believe the harbour plan is an example of the council ignoring the town.",
        "They worry the channel will be closed to small boats for the whole summer.",
    ]
    lines = [
        "First paragraph of the story, long enough to be real text for the reader here.",
        "DON'T MISS",
        "Harbour fury at council over dredging plan [INSIGHT]",
        "Lighthouse keeper retires after 40 years [VIDEO]",
        "Gaming used to be so simple.",
        *resumed,
    ]
    assert FILTER.clean(lines) == [lines[0], *resumed]


def _reference_normalise(text: str) -> str:
    """normalise_line as first written: a Python generator over the NFKD characters."""
    folded = text.casefold().replace("\u2019", "'")
    folded = "".join(
        ch for ch in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(ch)
    )
    return " ".join(folded.split())


def test_normalise_line_drops_exactly_the_combining_marks() -> None:
    # every code point, in the middle of a word: the compiled classes match unicodedata
    for start in range(0, sys.maxunicode + 1, 4096):
        chars = [chr(c) for c in range(start, start + 4096) if not 0xD800 <= c <= 0xDFFF]
        text = " ".join(f"a{ch}b" for ch in chars)
        assert normalise_line(text) == _reference_normalise(text), hex(start)


@pytest.mark.parametrize(
    "line",
    [
        "Zoë Müller’s café",
        "\uff26\uff55\uff4c\uff4c\uff57\uff49\uff44\uff54\uff48 SHARE",  # fullwidth
        "\u01c4emal \ufb01sh",  # DŽ and the fi ligature
        "\u30ac\u30b6 \U0001d504\U0001d505 x",  # kana with voicing marks, Fraktur
        "  \u0395\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ac\tword  ",  # Greek with tonos
    ],
)
def test_normalise_line_examples(line: str) -> None:
    assert normalise_line(line) == _reference_normalise(line)


def test_user_drop_lines_are_literal_not_patterns() -> None:
    line_filter = LineFilter.build(("Listen (podcast) [free]", "Credits:"))
    assert line_filter.is_furniture("Listen (podcast) [free]")
    assert line_filter.is_furniture("Listen (podcast) [free] 12")
    assert not line_filter.is_furniture("Listen podcast free")
    assert line_filter.is_furniture("Credits: Harbour Films")  # a label ending in ':'
    assert not line_filter.is_furniture("Credits of the harbour film were shown at the end.")


def test_filter_is_built_once_per_set_of_drop_lines() -> None:
    assert LineFilter.build(("A", "B")) is LineFilter.build(["A", "B"])
    assert LineFilter.build(("A",)) is not LineFilter.build(("B",))


STORY = [
    f"Paragraph {i} of the plant opening, with what the company and the town said."
    for i in range(6)
]


@pytest.mark.parametrize(
    ("tail", "cut"),
    [
        (["About Alderbrook Robotics", "Alderbrook Robotics, Inc. designs mowers.", "SOURCE X"], 6),
        (["Forward-Looking Statements", "This release contains forward-looking statements."], 6),
        (["Media contact:", "Marisol Teague", "+1 614-555-0193"], 6),
        # not an issuer's boilerplate: an ordinary sentence, a lower-case subject, no name
        (["About 140 employees have been hired.", "Alderbrook said more would follow."], 8),
        (["About the company", "The company was founded in 2014."], 8),
        (["About Alderbrook Robotics", "It was founded in 2014 in Ohio."], 8),
    ],
)
def test_a_press_release_s_boilerplate_is_cut(tail: list[str], cut: int) -> None:
    assert release_tail([*STORY, *tail]) == cut


def test_a_contact_heading_near_the_top_is_the_story_s_own() -> None:
    lines = ["Contacts:", *STORY]
    assert release_tail(lines) == len(lines)
