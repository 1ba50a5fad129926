"""Same-story quality: presswatch.stories against the evaluation set in tests/data/stories/.

Every article of the set (stories with their verbatim copies, rewrites and independent
coverage, and unrelated articles that share names with them) goes through the clusterer in
publication order. Printed: pairwise precision and recall of "same story" (a pair is two
articles given the same story), for the whole set and apart for the last quarter of the
stories by number (the rule was written against the first three quarters; its two figures were
then chosen from a listing of every independent piece's scores, the last quarter's included,
so that part is reported apart but is not a blind test), the confusions (pairs merged
that are different stories, pairs missed, by the kinds of their articles), and the
clusterer's time per article.

    python bench/story_quality.py [--show 15]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from itertools import combinations
from pathlib import Path

from presswatch.stories import StoryClusterer, StoryDoc

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the set's loader lives with the tests

from tests.story_set import StoryArticle, load_story_set  # noqa: E402

TARGET_PRECISION = 0.95
TARGET_RECALL = 0.90


def held_out(story: str | None, stories: list[str]) -> bool:
    """The last quarter of the stories, by number (reported apart)."""
    return story is not None and story in stories[len(stories) * 3 // 4 :]


def pairs(groups: dict[str, str], ids: set[str]) -> set[frozenset[str]]:
    by_group: dict[str, list[str]] = {}
    for article, group in groups.items():
        if article in ids:
            by_group.setdefault(group, []).append(article)
    return {frozenset(p) for members in by_group.values() for p in combinations(members, 2)}


def score(
    truth: set[frozenset[str]], predicted: set[frozenset[str]]
) -> tuple[float, float, int, int]:
    hits = len(truth & predicted)
    precision = hits / len(predicted) if predicted else 1.0
    recall = hits / len(truth) if truth else 1.0
    return precision, recall, len(predicted - truth), len(truth - predicted)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--show", type=int, default=15, help="confusions listed")
    args = parser.parse_args()
    articles = sorted(load_story_set(), key=lambda a: (a.published, a.id))
    by_id: dict[str, StoryArticle] = {a.id: a for a in articles}
    stories = sorted({a.story for a in articles if a.story})
    clusterer = StoryClusterer()
    assigned: dict[str, str] = {}
    reasons: dict[str, str] = {}
    started = time.perf_counter()
    for article in articles:
        match = clusterer.add(
            StoryDoc(
                article.id,
                article.title,
                article.text,
                article.published,
                article.url,
                article.canonical_url,
            )
        )
        assigned[article.id] = match.story
        reasons[article.id] = match.reason
    ms_per_article = (time.perf_counter() - started) * 1000 / len(articles)
    truth_groups = {a.id: a.story or f"alone:{a.id}" for a in articles}
    kinds = Counter(a.kind for a in articles)
    print(
        f"story_quality: {len(stories)} stories, {len(articles)} articles "
        f"({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))})"
    )
    print(f"clusterer: {ms_per_article:.2f} ms per article (in memory, this set)")
    failed = False
    parts = {
        "all": set(by_id),
        "tuned on (first 3/4 of the stories, and the unrelated)": {
            a.id for a in articles if not held_out(a.story, stories)
        },
        "the last 1/4 of the stories": {a.id for a in articles if held_out(a.story, stories)},
    }
    for name, ids in parts.items():
        truth = pairs(truth_groups, ids)
        predicted = pairs(assigned, ids)
        precision, recall, merged, missed = score(truth, predicted)
        verdict = ""
        if name == "all":
            ok = precision >= TARGET_PRECISION and recall >= TARGET_RECALL
            failed = not ok
            verdict = (
                f"  (targets: precision >= {TARGET_PRECISION}, recall >= {TARGET_RECALL}: "
                f"{'PASS' if ok else 'FAIL'})"
            )
        print(
            f"{name}: {len(truth)} same-story pairs; precision {precision:.3f}, recall "
            f"{recall:.3f}; {merged} pairs merged wrongly, {missed} missed{verdict}"
        )
    truth = pairs(truth_groups, set(by_id))
    predicted = pairs(assigned, set(by_id))
    wrong = Counter(tuple(sorted(by_id[i].kind for i in pair)) for pair in predicted - truth)
    missed_kinds = Counter(tuple(sorted(by_id[i].kind for i in pair)) for pair in truth - predicted)
    print("pairs merged wrongly, by kinds:", dict(wrong.most_common()) or "none")
    print("pairs missed, by kinds:", dict(missed_kinds.most_common()) or "none")
    for label, found in (("merged wrongly", predicted - truth), ("missed", truth - predicted)):
        for pair in sorted(found, key=sorted)[: args.show]:
            a, b = (by_id[i] for i in sorted(pair))
            print(
                f"  {label}: {a.id} ({a.kind}, {reasons[a.id]}) | {b.id} ({b.kind}, "
                f"{reasons[b.id]}): {a.title[:50]!r} / {b.title[:50]!r}"
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
