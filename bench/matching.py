"""Topic matching speed: the indexed matcher against one-topic-at-a-time evaluation.

Generates topics of mixed shapes (words, phrases, prefixes, AND/OR/NOT, NEAR, fields) from the
vocabulary of real article texts (../shared/corpus when present, else generated text), matches
them against the articles, and prints median and p99 ms per article for both matchers in the
same run, their ratio, whether they agreed on every (topic, article) pair, and how the cost per
article grows from 100 to 1,000 to 10,000 topics.

    python bench/matching.py [--topics 10000] [--articles 1000] [--naive-articles 200]
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from presswatch.alerts.matching import Topic, TopicIndex, match_each
from presswatch.query import parse_query
from presswatch.query.evaluate import Document

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "scrapinghub"
_WORD = re.compile(r"[A-Za-z][a-z]{3,}")


def load_articles(count: int, corpus: Path) -> tuple[list[tuple[str, str]], str]:
    """(title, text) pairs: the corpus's reference bodies, cycled up to `count`."""
    truth = corpus / "ground-truth.json"
    if truth.is_file():
        bodies = [v["articleBody"] for v in json.loads(truth.read_text(encoding="utf-8")).values()]
        bodies = [b for b in bodies if len(b.split()) >= 40]
        origin = f"{len(bodies)} reference texts from {corpus}, cycled"
    else:
        rng = random.Random(7)
        vocabulary = [
            f"{a}{b}"
            for a in ("war", "peace", "trade", "vote", "storm", "port")
            for b in ("", "s", "ing", "er", "ed")
        ] + ["the", "a", "of", "and", "in"]
        bodies = [
            " ".join(rng.choice(vocabulary) for _ in range(rng.randint(200, 900))) + "."
            for _ in range(200)
        ]
        origin = "generated texts (no corpus found)"
    articles = []
    for i in range(count):
        body = bodies[i % len(bodies)]
        title = " ".join(body.split()[:12])
        articles.append((title, body))
    return articles, origin


def make_topics(count: int, articles: list[tuple[str, str]], seed: int = 1) -> list[Topic]:
    """Queries of mixed shapes over the articles' vocabulary (common and rare words)."""
    rng = random.Random(seed)
    frequency: Counter[str] = Counter()
    bigrams: list[str] = []
    for _title, text in articles[:300]:
        found = [w.lower() for w in _WORD.findall(text)]
        frequency.update(found)
        bigrams.extend(f"{a} {b}" for a, b in itertools.pairwise(found) if rng.random() < 0.02)
    # watch lists name people, places, organisations and issues, not "that" or "with": the
    # 300 most frequent words are left out; a third of the words come from the next 2,000
    # (common news words such as "government"), the rest from the whole vocabulary
    ranked = [w for w, _ in frequency.most_common()][300:]

    def word() -> str:
        if rng.random() < 1 / 3:
            return ranked[rng.randrange(min(2000, len(ranked)))]
        return rng.choice(ranked)

    shapes: list[Callable[[], str]] = [
        lambda: word(),
        lambda: f"{word()} AND {word()}",
        lambda: f"{word()} {word()} {word()}",
        lambda: f"({word()} OR {word()} OR {word()}) AND {word()}",
        lambda: f'"{rng.choice(bigrams)}"',
        lambda: f'"{rng.choice(bigrams)}" AND ({word()} OR {word()}) NOT title:{word()}',
        lambda: f"{word()[:5]}* AND {word()}",
        lambda: f"{word()} NEAR/{rng.randint(1, 10)} {word()}",
        lambda: f'title:{word()} OR text:"{rng.choice(bigrams)}"',
        lambda: f"{word()} NOT {word()}",
    ]
    return [Topic(f"topic-{n}", parse_query(rng.choice(shapes)())) for n in range(count)]


def time_per_article(
    run: Callable[[Document], list[str]], articles: list[tuple[str, str]]
) -> tuple[list[float], list[list[str]]]:
    times, results = [], []
    for title, text in articles:
        started = time.perf_counter()
        document = Document.build(title=title, text=text, source="bench", url="https://b.example/")
        results.append(run(document))
        times.append((time.perf_counter() - started) * 1000)
    return times, results


def p99(values: list[float]) -> float:
    return sorted(values)[min(len(values) - 1, int(len(values) * 0.99))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topics", type=int, default=10_000)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument(
        "--naive-articles",
        type=int,
        default=200,
        help="articles for the slow one-topic-at-a-time run (default 200)",
    )
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args()

    articles, origin = load_articles(args.articles, args.corpus)
    topics = make_topics(args.topics, articles)
    print(f"{len(topics)} topics, {len(articles)} articles ({origin})")

    started = time.perf_counter()
    index = TopicIndex(topics)
    print(f"index built in {(time.perf_counter() - started) * 1000:.0f} ms")

    fast_times, fast_results = time_per_article(
        lambda d: [m.topic for m in index.match(d)], articles
    )
    naive_set = articles[: args.naive_articles]
    naive_times, naive_results = time_per_article(
        lambda d: [m.topic for m in match_each(topics, d)], naive_set
    )
    agree = all(sorted(a) == sorted(b) for a, b in zip(fast_results, naive_results, strict=False))
    pairs = len(naive_set) * len(topics)
    matched = sum(len(r) for r in fast_results)

    print()
    print(f"{'matcher':<24}{'articles':>9}{'median ms':>11}{'p99 ms':>9}")
    print(
        f"{'indexed (presswatch)':<24}{len(articles):>9}{statistics.median(fast_times):>11.2f}"
        f"{p99(fast_times):>9.2f}"
    )
    print(
        f"{'one topic at a time *':<24}{len(naive_set):>9}{statistics.median(naive_times):>11.2f}"
        f"{p99(naive_times):>9.2f}"
    )
    ratio = statistics.median(naive_times) / statistics.median(fast_times)
    print("* every topic evaluated on its own against the tokenised document: no index, no term")
    print("  occurrences shared between topics. Both timings include tokenising the article.")
    print(
        f"ratio (median): {ratio:.1f}x faster; identical results on all {pairs:,} "
        f"(topic, article) pairs: {'yes' if agree else 'NO'}; "
        f"{matched / len(articles):.1f} matches per article"
    )

    print()
    print(f"{'topics':>8}{'median ms/article':>19}{'p99 ms':>9}")
    for count in (100, 1000, 10_000):
        if count > len(topics):
            break
        subset = TopicIndex(topics[:count])
        times, _ = time_per_article(
            lambda d, s=subset: [m.topic for m in s.match(d)],  # type: ignore[misc]
            articles,
        )
        print(f"{count:>8}{statistics.median(times):>19.2f}{p99(times):>9.2f}")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
