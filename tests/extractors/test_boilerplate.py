from __future__ import annotations

import pytest

from presswatch.extractors.boilerplate import LineFilter

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
