"""The same-story rule (presswatch.stories): copies, rewrites and independent reports of one
event join one story; a follow-up about the same people, another agency's report, or the
same story three days later starts a new one. And on the evaluation set (tests/data/stories/)
the pairwise precision and recall stay at the issue's targets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import combinations

from presswatch.stories import StoryClusterer, StoryDoc, wire_credit
from tests.story_set import load_story_set, same_story_pairs

T0 = datetime(2026, 11, 3, 6, 0, tzinfo=UTC)
REPORT = (
    "Halvorsen Foods raised its full-year outlook on Tuesday after quarterly profit rose "
    "12 percent to 146 million crowns, helped by strong sales of frozen meals in Elvary.\n\n"
    "Chief executive Ingrid Nordby said the company now expected revenue of 1.84 billion "
    "crowns, up from 1.81 billion, as price rises stuck and volumes held.\n\n"
    "The shares rose 4 percent in early trading in Elvary, where the group employs 1,300 "
    "people at its Sandvik plant."
)


def doc(n: str, title: str, text: str, hours: float = 0, **kw: str | None) -> StoryDoc:
    url = kw.pop("url", None) or f"https://{n}.example/news/{n}"
    return StoryDoc(n, title, text, T0 + timedelta(hours=hours), url, kw.get("canonical"))


def test_copies_and_a_new_lede_join_the_original() -> None:
    clusterer = StoryClusterer()
    first = clusterer.add(doc("ledger", "Halvorsen lifts outlook", REPORT))
    copy = clusterer.add(doc("courier", "Food group upbeat", "ELVARY (Reuters) - " + REPORT, 2))
    lede = "Investors cheered on Tuesday as a maker of frozen meals raised its sights."
    rewrite = clusterer.add(doc("post", "Halvorsen shares jump", lede + "\n\n" + REPORT, 5))
    assert first.reason == "new"
    assert (copy.story, copy.reason) == (first.story, "copy")
    assert (rewrite.story, rewrite.reason) == (first.story, "copy")


def test_a_shared_canonical_url_is_the_same_story() -> None:
    clusterer = StoryClusterer()
    first = clusterer.add(doc("ledger", "Halvorsen", REPORT, url="https://ledger.example/a"))
    other = clusterer.add(
        doc(
            "wire",
            "Other words entirely",
            "Completely different text here.",
            1,
            canonical="https://ledger.example/a",
        )
    )
    assert (other.story, other.reason) == (first.story, "url")


def test_a_follow_up_about_the_same_company_is_another_story() -> None:
    clusterer = StoryClusterer()
    first = clusterer.add(doc("ledger", "Halvorsen lifts outlook", REPORT))
    follow_up = (
        "Halvorsen Foods agreed on Wednesday to buy the Marrowdale brewer Kettle & Finch for "
        "310 million crowns, its first move into beer.\n\nChief executive Ingrid Nordby said "
        "the brewery's 120 staff would keep their jobs in Marrowdale."
    )
    second = clusterer.add(doc("courier", "Halvorsen to buy brewer", follow_up, 26))
    assert second.story != first.story


def test_the_same_text_three_days_later_is_a_new_story() -> None:
    clusterer = StoryClusterer()
    first = clusterer.add(doc("ledger", "Halvorsen lifts outlook", REPORT))
    late = clusterer.add(doc("courier", "Halvorsen lifts outlook", REPORT, 73))
    assert late.story != first.story


def test_wire_credits_are_read_from_the_first_lines() -> None:
    assert wire_credit("KESTOWE (AP) — A storm hit the coast.") == "AP"
    assert wire_credit("(Reuters) - Shares rose.") == "Reuters"
    assert wire_credit("A local report with no agency.") is None
    assert wire_credit("x " * 300 + "(AFP)") is None  # only near the start


def test_the_evaluation_set_meets_the_issues_precision_and_recall() -> None:
    articles = sorted(load_story_set(), key=lambda a: (a.published, a.id))
    clusterer = StoryClusterer()
    story_of = {
        a.id: clusterer.add(
            StoryDoc(a.id, a.title, a.text, a.published, a.url, a.canonical_url)
        ).story
        for a in articles
    }
    predicted = {
        frozenset((x, y)) for x, y in combinations(story_of, 2) if story_of[x] == story_of[y]
    }
    truth = same_story_pairs(articles)
    hits = len(predicted & truth)
    assert hits / len(predicted) >= 0.95
    assert hits / len(truth) >= 0.90
