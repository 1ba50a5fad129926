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
