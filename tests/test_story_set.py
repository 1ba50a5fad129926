"""The story set keeps its promised shape: enough stories, each told every way, copies that copy."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

import pytest

from tests.story_set import REWRITE_KINDS, StoryArticle, load_story_set, same_story_pairs

WINDOW = timedelta(hours=72)
WIRE_CUE = re.compile(r"\((?:AP|Reuters|AFP|dpa)\) [—–-] ")
NAME_WORD = re.compile(r"[A-Z][\w&'-]*")


def words(text: str) -> list[str]:
    return re.findall(r"[\w'’]+", text.lower())


def paragraphs(text: str) -> list[str]:
    return text.split("\n\n")


def shingle_overlap(text: str, other: str, size: int = 8) -> float:
    """The share of `text`'s word shingles that also occur in `other` (0.0 for a short text)."""

    def shingles(t: str) -> set[tuple[str, ...]]:
        w = words(t)
        return {tuple(w[i : i + size]) for i in range(len(w) - size + 1)}

    own = shingles(text)
    return len(own & shingles(other)) / len(own) if own else 0.0


def kept_paragraphs(original: str, copy: str) -> float:
    """The share of the original's paragraphs that appear unchanged in the copy."""
    kept = set(paragraphs(copy))
    return sum(p in kept for p in paragraphs(original)) / len(paragraphs(original))


@pytest.fixture(scope="module")
def articles() -> list[StoryArticle]:
    return load_story_set()


@pytest.fixture(scope="module")
def stories(articles: list[StoryArticle]) -> dict[str, list[StoryArticle]]:
    by_story: dict[str, list[StoryArticle]] = defaultdict(list)
    for article in articles:
        if article.story is not None:
            by_story[article.story].append(article)
    return dict(by_story)


@pytest.fixture(scope="module")
def originals(stories: dict[str, list[StoryArticle]]) -> dict[str, StoryArticle]:
    return {
        story: next(a for a in group if a.kind == "original") for story, group in stories.items()
    }


def in_story(articles: list[StoryArticle], kind: str) -> list[StoryArticle]:
    return [a for a in articles if a.kind == kind]


@pytest.mark.parametrize(
    ("text", "other", "overlap"),
    [
        (
            "one two three four five six seven eight nine",
            "one two three four five six seven eight",
            0.5,
        ),
        ("One two three four five six seven eight", "one two three four five six seven eight", 1.0),
        ("one two three four five six seven eight", "eight seven six five four three two one", 0.0),
        ("too short to have a shingle", "too short to have a shingle", 0.0),
    ],
)
def test_shingle_overlap(text: str, other: str, overlap: float) -> None:
    assert shingle_overlap(text, other) == overlap


@pytest.mark.parametrize(
    ("copy", "kept"),
    [
        ("a\n\nb\n\nc\n\nd", 1.0),
        ("By X\n\na\n\nb\n\nc\n\nd\n\nFirst published by Y", 1.0),
        ("X — a\n\nb\n\nc\n\nd", 0.75),
        ("a b\n\nc\n\nd", 0.5),
    ],
)
def test_kept_paragraphs(copy: str, kept: float) -> None:
    assert kept_paragraphs("a\n\nb\n\nc\n\nd", copy) == kept


def test_same_story_pairs(
    articles: list[StoryArticle], stories: dict[str, list[StoryArticle]]
) -> None:
    pairs = same_story_pairs(articles)
    assert len(pairs) == sum(len(g) * (len(g) - 1) // 2 for g in stories.values())
    unrelated = {a.id for a in articles if a.story is None}
    assert not any(pair & unrelated for pair in pairs)
    first, second = stories["s01-elvary-budget"][:2]
    assert frozenset({first.id, second.id}) in pairs
    assert frozenset({first.id, stories["s02-brackmoor-budget"][0].id}) not in pairs


def test_at_least_30_stories(stories: dict[str, list[StoryArticle]]) -> None:
    assert len(stories) >= 30


def test_every_story_is_told_every_way(stories: dict[str, list[StoryArticle]]) -> None:
    wrong = {}
    for story, group in stories.items():
        kinds = Counter(a.kind for a in group)
        rewrites = sum(kinds[k] for k in REWRITE_KINDS)
        if (
            kinds["original"] != 1
            or not kinds["verbatim"]
            or rewrites < 2
            or not kinds["independent"]
        ):
            wrong[story] = dict(kinds)
    assert wrong == {}


def test_rewrite_kinds_are_all_used(articles: list[StoryArticle]) -> None:
    kinds = Counter(a.kind for a in articles)
    assert {k: kinds[k] for k in REWRITE_KINDS if kinds[k] < 8} == {}


def test_ids_and_urls_are_unique(articles: list[StoryArticle]) -> None:
    assert [i for i, n in Counter(a.id for a in articles).items() if n > 1] == []
    assert [u for u, n in Counter(a.url for a in articles).items() if n > 1] == []


def test_each_story_is_on_different_outlets(
    articles: list[StoryArticle], stories: dict[str, list[StoryArticle]]
) -> None:
    assert 8 <= len({a.source for a in articles}) <= 12
    assert [s for s, g in stories.items() if len({a.source for a in g}) < len(g)] == []


def test_published_within_72_hours_after_the_original(
    stories: dict[str, list[StoryArticle]], originals: dict[str, StoryArticle]
) -> None:
    late = [
        a.id
        for story, group in stories.items()
        for a in group
        if not originals[story].published <= a.published <= originals[story].published + WINDOW
    ]
    assert late == []


def test_all_published_in_november_2026_utc(articles: list[StoryArticle]) -> None:
    start, end = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)
    assert [a.id for a in articles if a.published.utcoffset() != timedelta(0)] == []
    assert [a.id for a in articles if not start <= a.published < end] == []


def test_verbatim_copies_keep_the_original_text(
    stories: dict[str, list[StoryArticle]], originals: dict[str, StoryArticle]
) -> None:
    changed = {
        a.id: kept_paragraphs(originals[story].text, a.text)
        for story, group in stories.items()
        for a in in_story(group, "verbatim")
        if kept_paragraphs(originals[story].text, a.text) < 0.9
    }
    assert changed == {}


def test_about_a_third_are_wire_stories_and_copies_keep_the_cue(
    stories: dict[str, list[StoryArticle]], originals: dict[str, StoryArticle]
) -> None:
    wire = {s for s, o in originals.items() if WIRE_CUE.search(paragraphs(o.text)[0])}
    assert 0.25 <= len(wire) / len(stories) <= 0.45
    lost = [
        a.id for s in wire for a in in_story(stories[s], "verbatim") if not WIRE_CUE.search(a.text)
    ]
    assert lost == []
    # a cue elsewhere would be a wire story nobody counted
    stray = [o.id for s, o in originals.items() if s not in wire and WIRE_CUE.search(o.text)]
    assert stray == []


def test_about_a_quarter_of_verbatim_copies_share_the_canonical_url(
    articles: list[StoryArticle], originals: dict[str, StoryArticle]
) -> None:
    with_canonical = [a for a in articles if a.canonical_url is not None]
    assert [a.id for a in with_canonical if a.kind != "verbatim"] == []
    wrong = [a.id for a in with_canonical if a.canonical_url != originals[str(a.story)].url]
    assert wrong == []
    verbatim = [a for a in articles if a.kind == "verbatim"]
    assert 0.15 <= len(with_canonical) / len(verbatim) <= 0.35


def test_rewrites_rewrite_what_they_say(
    stories: dict[str, list[StoryArticle]], originals: dict[str, StoryArticle]
) -> None:
    wrong = []
    for story, group in stories.items():
        original = originals[story]
        for a in in_story(group, "rewrite-lede"):
            new_lede = paragraphs(a.text)[0] != paragraphs(original.text)[0]
            if not new_lede or paragraphs(a.text)[1:] != paragraphs(original.text)[1:]:
                wrong.append(a.id)
        for a in in_story(group, "retitled"):
            if a.text != original.text or a.title == original.title:
                wrong.append(a.id)
        for a in in_story(group, "shortened"):
            if shingle_overlap(a.text, original.text) < 0.7 or a.text == original.text:
                wrong.append(a.id)
    assert wrong == []


def test_shortened_articles_keep_at_most_60_percent(
    stories: dict[str, list[StoryArticle]], originals: dict[str, StoryArticle]
) -> None:
    long = [
        a.id
        for story, group in stories.items()
        for a in in_story(group, "shortened")
        if len(words(a.text)) > 0.6 * len(words(originals[story].text))
    ]
    assert long == []


def test_independent_articles_are_written_apart(
    stories: dict[str, list[StoryArticle]], originals: dict[str, StoryArticle]
) -> None:
    copied = {}
    for story, group in stories.items():
        original = originals[story]
        for a in in_story(group, "independent"):
            shared = set(paragraphs(a.text)) & set(paragraphs(original.text))
            overlap = shingle_overlap(a.text, original.text)
            if shared or overlap >= 0.1:
                copied[a.id] = (len(shared), round(overlap, 3))
    assert copied == {}


@pytest.mark.parametrize(
    ("kind", "low", "high"),
    [("original", 180, 350), ("shortened", 60, 120), ("independent", 150, 300)],
)
def test_word_counts(articles: list[StoryArticle], kind: str, low: int, high: int) -> None:
    counts = {a.id: len(a.text.split()) for a in articles if a.kind == kind}
    assert {i: n for i, n in counts.items() if not low <= n <= high} == {}


def test_originals_have_4_to_7_paragraphs(originals: dict[str, StoryArticle]) -> None:
    assert {
        o.id: len(paragraphs(o.text))
        for o in originals.values()
        if not 4 <= len(paragraphs(o.text)) <= 7
    } == {}


def test_unrelated_articles_share_a_name_with_a_story_in_its_window(
    articles: list[StoryArticle],
    stories: dict[str, list[StoryArticle]],
    originals: dict[str, StoryArticle],
) -> None:
    unrelated = [a for a in articles if a.story is None]
    assert len(unrelated) >= 20
    wrong = []
    for a in unrelated:
        name = a.shares or ""
        name_words = name.split()
        is_name = bool(name_words) and all(NAME_WORD.fullmatch(w) for w in name_words)
        if not is_name or max(len(w) for w in name_words) < 4 or name not in a.title + a.text:
            wrong.append(a.id)
            continue
        near = [
            story
            for story, group in stories.items()
            if any(name in b.text for b in group)
            and originals[story].published <= a.published <= originals[story].published + WINDOW
        ]
        if not near:
            wrong.append(a.id)
    assert wrong == []
