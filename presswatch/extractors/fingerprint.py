"""SimHash fingerprints: near-identical texts (syndicated wire copy) get near-identical hashes."""

from __future__ import annotations

import hashlib
import re

from presswatch.extractors.boilerplate import normalise_line

BITS = 64
# Up to this many differing bits counts as the same text. A wire copy with a new first line
# ("First published by ...") differs in about 3 bits on a 500-word story and about 6 on a
# 120-word one; unrelated texts differ in about 32.
MAX_DISTANCE = 8
# Six bands (11+11+11+11+10+10 bits) for an indexed candidate lookup: two fingerprints within
# 5 bits always share a whole band (pigeonhole); within 6 bits they do 98% of the time, and
# within 8 bits 86%.
BAND_WIDTHS = (11, 11, 11, 11, 10, 10)
_WORD = re.compile(r"\w+")
_SHINGLE = 3


def simhash(text: str) -> int:
    """64-bit SimHash of the text's word 3-grams, as a signed int (fits SQL BIGINT)."""
    words = _WORD.findall(normalise_line(text))
    if len(words) < _SHINGLE:
        words = words + [""] * (_SHINGLE - len(words))
    rows = [
        hashlib.blake2b(" ".join(words[i : i + _SHINGLE]).encode(), digest_size=8).digest()
        for i in range(len(words) - _SHINGLE + 1)
    ]
    # bit columns counted over all shingle hashes at C speed: a bit is set in the
    # fingerprint when more than half of the shingles have it set
    bits = "".join(format(int.from_bytes(h, "big"), "064b") for h in rows)
    half = len(rows) / 2
    value = 0
    for bit in range(BITS):
        if bits[bit::BITS].count("1") > half:
            value |= 1 << (BITS - 1 - bit)
    return _to_signed(value)


def bands(fingerprint: int) -> tuple[int, ...]:
    """The fingerprint cut into BAND_WIDTHS pieces, for indexed candidate lookup."""
    value = fingerprint & (1 << BITS) - 1
    out = []
    for width in BAND_WIDTHS:
        out.append(value & (1 << width) - 1)
        value >>= width
    return tuple(out)


def distance(a: int, b: int) -> int:
    """Number of differing bits."""
    return ((a ^ b) & (1 << BITS) - 1).bit_count()


def is_near_duplicate(a: int, b: int) -> bool:
    return distance(a, b) <= MAX_DISTANCE


def _to_signed(value: int) -> int:
    return value - (1 << BITS) if value >= 1 << BITS - 1 else value
