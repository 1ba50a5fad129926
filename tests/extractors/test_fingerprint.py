from __future__ import annotations

from presswatch.extractors.fingerprint import bands, distance, is_near_duplicate, simhash
from tests.conftest import OWN_PASSAGE
from tests.pages import paragraphs_about

TEXT = "\n\n".join(OWN_PASSAGE)


def test_same_text_with_small_edits_is_near_duplicate() -> None:
    edited = "This story was first published by The Harbour Courier.\n\n" + TEXT.replace(
        "Tuesday", "Tuesday,"
    )
    assert is_near_duplicate(simhash(TEXT), simhash(edited))


def test_different_texts_are_far_apart() -> None:
    other = "\n\n".join(paragraphs_about("rail strike"))
    assert distance(simhash(TEXT), simhash(other)) > 10


def test_near_duplicates_share_a_band() -> None:
    a, b = simhash(TEXT), simhash(TEXT + " Updated at noon.")
    assert is_near_duplicate(a, b)
    assert any(x == y for x, y in zip(bands(a), bands(b), strict=True))


def test_fingerprint_fits_a_signed_64_bit_column() -> None:
    for text in (TEXT, "a", "", "\n\n".join(paragraphs_about("x"))):
        assert -(2**63) <= simhash(text) < 2**63


def test_fingerprint_is_stable_across_versions_and_processes() -> None:
    # stored in the database: a new fingerprint for the same text would hide duplicates of
    # everything stored before (values as computed by the first implementation)
    assert simhash(TEXT) == 2693450543637379853
    assert simhash("Zoë Müller paid €5 for “crème brûlée” in Zürich") == 3601671498263239129
    assert simhash("") == -2292878317697218083
