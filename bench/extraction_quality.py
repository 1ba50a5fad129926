"""Score presswatch's article extractor against plain trafilatura on the shared corpus and on
the template zoo (tests/data/zoo), and count what each furniture rule removed.

Both extractors run on every page in the same process. The shared corpus is scored the way its
README defines it (scrapinghub article-extraction-benchmark):

- words are runs of ``\\w+`` (case kept); shingles are overlapping 4-word windows, counted
  as a multiset;
- per page, tp / fp / fn shingle counts are divided by their sum;
- precision is the mean page precision over pages with tp + fp > 0, recall the mean page
  recall over pages with tp + fn > 0, F1 the harmonic mean of the two means;
- a page where fp = fn = 0 scores 1.

Plain trafilatura is ``trafilatura.extract(html)`` with default arguments. Ours is
``extract_article(html, url, ExtractOptions())`` with the product defaults; a NotArticle
counts as empty output (and is reported in the "rejected" column). Times are the fastest of
``--repeat`` passes over the pages (the machine's noise only ever adds time).

The zoo is scored per page by token F1 (words as a multiset against the page's true text),
its mean, its lowest page, and the furniture phrases that reached the text. The rule table
says, per rule, how many blocks or lines it removed on the shared corpus and on how many pages
(a rule that never fires, or fires on every page, shows there).

Usage::

    .venv/bin/python bench/extraction_quality.py [--corpus PATH] [--limit N] [--show-worst K]
        [--repeat N] [--zoo all|tuning|holdout|none]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import trafilatura

from presswatch.extractors.article import extract_article
from presswatch.extractors.furniture import Removal
from presswatch.extractors.options import ExtractOptions
from presswatch.model import Article

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "scrapinghub"
sys.path.insert(0, str(ROOT))  # the zoo's loader lives with the tests

from tests.zoo import ZooPage, token_f1, zoo_pages  # noqa: E402

SHINGLE = 4
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Page:
    page_id: str
    url: str
    html: str
    truth: str


@dataclass(frozen=True, slots=True)
class Match:
    """Normalised shingle counts of one page (tp + fp + fn == 1, or all 0)."""

    tp: float
    fp: float
    fn: float

    @property
    def precision(self) -> float | None:
        if self.fp == self.fn == 0:
            return 1.0
        return self.tp / (self.tp + self.fp) if self.tp + self.fp > 0 else None

    @property
    def recall(self) -> float | None:
        if self.fp == self.fn == 0:
            return 1.0
        return self.tp / (self.tp + self.fn) if self.tp + self.fn > 0 else None

    @property
    def f1(self) -> float:
        return harmonic(self.precision or 0.0, self.recall or 0.0)


@dataclass(slots=True)
class Run:
    """One extractor's outputs over the corpus."""

    name: str
    outputs: dict[str, str] = field(default_factory=dict)
    matches: dict[str, Match] = field(default_factory=dict)
    rejected: dict[str, str] = field(default_factory=dict)  # page id -> reason
    seconds: float = 0.0

    def scores(self) -> tuple[float, float, float]:
        precisions = [p for m in self.matches.values() if (p := m.precision) is not None]
        recalls = [r for m in self.matches.values() if (r := m.recall) is not None]
        precision = sum(precisions) / len(precisions) if precisions else 0.0
        recall = sum(recalls) / len(recalls) if recalls else 0.0
        return precision, recall, harmonic(precision, recall)


def harmonic(a: float, b: float) -> float:
    return 2 * a * b / (a + b) if a + b > 0 else 0.0


def shingles(text: str) -> Counter[tuple[str, ...]]:
    words = _WORD.findall(text)
    if len(words) < SHINGLE:  # a short text is one (short) shingle, an empty one none
        return Counter([tuple(words)]) if words else Counter()
    return Counter(tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1))


def match(truth: str, predicted: str) -> Match:
    expected, got = shingles(truth), shingles(predicted)
    tp = sum((expected & got).values())
    fp = sum((got - expected).values())
    fn = sum((expected - got).values())
    total = tp + fp + fn
    if total == 0:
        return Match(0.0, 0.0, 0.0)
    return Match(tp / total, fp / total, fn / total)


def load_corpus(corpus: Path, limit: int | None) -> list[Page]:
    truth = json.loads((corpus / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(truth)[:limit]:
        with gzip.open(corpus / "html" / f"{page_id}.html.gz", "rt", encoding="utf-8") as fh:
            html = fh.read()
        entry = truth[page_id]
        pages.append(Page(page_id, entry["url"], html, entry["articleBody"]))
    return pages


def plain(page: Page) -> tuple[str, str | None]:
    return trafilatura.extract(page.html) or "", None


def ours(page: Page, removed: list[Removal] | None = None) -> tuple[str, str | None]:
    result = extract_article(page.html, page.url, ExtractOptions(), removed)
    if isinstance(result, Article):
        return result.text, None
    return "", result.reason


def run(
    name: str,
    extractor: Callable[[Page], tuple[str, str | None]],
    pages: list[Page],
    repeat: int = 1,
) -> Run:
    result = Run(name)
    if pages:  # one untimed call first: lazy imports and caches are not per-page cost
        extractor(pages[0])
    fastest = [float("inf")] * len(pages)
    for _ in range(repeat):
        for index, page in enumerate(pages):
            start = time.perf_counter()
            text, rejected = extractor(page)
            fastest[index] = min(fastest[index], time.perf_counter() - start)
            result.outputs[page.page_id] = text
            result.matches[page.page_id] = match(page.truth, text)
            if rejected is not None:
                result.rejected[page.page_id] = rejected
    result.seconds = sum(fastest)
    return result


def rule_counts(pages: list[Page]) -> dict[str, tuple[int, int]]:
    """Per rule: (blocks or lines removed, pages where it removed something)."""
    removed_by_rule: Counter[str] = Counter()
    pages_by_rule: Counter[str] = Counter()
    for page in pages:
        removed: list[Removal] = []
        ours(page, removed)
        rules = Counter(_rule_name(r.rule) for r in removed)
        removed_by_rule.update(rules)
        pages_by_rule.update(rules.keys())
    return {rule: (removed_by_rule[rule], pages_by_rule[rule]) for rule in removed_by_rule}


def _rule_name(rule: str) -> str:
    return "exclude" if rule.startswith("exclude ") else rule


def print_rules(counts: dict[str, tuple[int, int]], pages: int) -> None:
    print(f"\nfurniture removed on the shared corpus, per rule ({pages} pages)")
    print(f"{'rule':<20} {'removed':>8} {'pages':>6}")
    for rule, (removed, on_pages) in sorted(counts.items(), key=lambda kv: -kv[1][0]):
        print(f"{rule:<20} {removed:>8} {on_pages:>6}")


def score_zoo(zoo: list[ZooPage]) -> None:
    print(f"\ntemplate zoo ({len(zoo)} pages): token F1 per page, furniture phrases in the text")
    print(f"{'page':<28} {'plain F1':>9} {'leaks':>6} {'ours F1':>9} {'leaks':>6}")
    totals: dict[str, list[float]] = {"plain": [], "ours": []}
    leaks_total = {"plain": 0, "ours": 0}
    for page in zoo:
        row = []
        for name in ("plain", "ours"):
            if name == "plain":
                text = trafilatura.extract(page.html) or ""
            else:
                result = extract_article(page.html, page.url, ExtractOptions())
                text = result.text if isinstance(result, Article) else ""
            f1 = token_f1(page.text, text)
            folded = text.casefold()
            leaks = sum(1 for phrase in page.boilerplate if phrase.casefold() in folded)
            totals[name].append(f1)
            leaks_total[name] += leaks
            row.append(f"{f1:>9.3f} {leaks:>6}")
        print(f"{page.name:<28} {' '.join(row)}")
    for name in ("plain", "ours"):
        scores = totals[name]
        if scores:
            print(
                f"{name:<6} mean F1 {sum(scores) / len(scores):.3f}, lowest {min(scores):.3f}, "
                f"furniture phrases stored: {leaks_total[name]}"
            )


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def _clip(line: str, width: int = 110) -> str:
    return line if len(line) <= width else line[: width - 1] + "…"


def show_worst(pages: list[Page], base: Run, mine: Run, k: int) -> None:
    by_id = {page.page_id: page for page in pages}
    losses = sorted(
        ((base.matches[pid].f1 - mine.matches[pid].f1, pid) for pid in by_id), reverse=True
    )
    print(f"\nworst {k} pages for {mine.name} against {base.name} (F1 lost):")
    for rank, (loss, pid) in enumerate(losses[:k]):
        if loss <= 0:
            print(f"  (no {'other ' if rank else ''}page loses F1)")
            break
        page = by_id[pid]
        print(
            f"\n- {pid[:12]}  {page.url}\n  F1 {base.matches[pid].f1:.3f} -> "
            f"{mine.matches[pid].f1:.3f} (-{loss:.3f})"
        )
        if pid in mine.rejected:
            print(f"  rejected: {mine.rejected[pid]}")
        base_lines, my_lines = _lines(base.outputs[pid]), _lines(mine.outputs[pid])
        mine_set, base_set = set(my_lines), set(base_lines)
        for label, lines, other in (
            ("dropped", base_lines, mine_set),
            ("added", my_lines, base_set),
        ):
            for line in [line for line in lines if line not in other]:
                print(f"  {label}: {_clip(line)}")


def print_table(runs: Sequence[Run], pages: int) -> None:
    print(f"{pages} pages")
    print(f"{'extractor':<22} {'precision':<10} {'recall':<7} {'F1':<6} {'ms/page':<8} rejected")
    for result in runs:
        precision, recall, f1 = result.scores()
        ms = 1000 * result.seconds / pages if pages else 0.0
        rejected = str(len(result.rejected)) if result.name == "presswatch" else "-"
        print(
            f"{result.name:<22} {precision:<10.3f} {recall:<7.3f} {f1:<6.3f} {ms:<8.1f} {rejected}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="corpus folder")
    parser.add_argument("--limit", type=int, default=None, help="score only the first N pages")
    parser.add_argument(
        "--show-worst", type=int, default=0, metavar="K", help="list K pages where ours loses most"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, metavar="N", help="time N passes, keep the fastest"
    )
    parser.add_argument(
        "--zoo",
        choices=["all", "tuning", "holdout", "none"],
        default="all",
        help="which template zoo pages to score (holdout: the pages kept for the end)",
    )
    args = parser.parse_args(argv)
    corpus: Path = args.corpus
    if not (corpus / "ground-truth.json").is_file():
        print(
            f"corpus not found: {corpus} (no ground-truth.json); use --corpus PATH", file=sys.stderr
        )
        return 2
    pages = load_corpus(corpus, args.limit)
    base = run("plain trafilatura", plain, pages, args.repeat)
    mine = run("presswatch", ours, pages, args.repeat)
    print_table([base, mine], len(pages))
    print_rules(rule_counts(pages), len(pages))
    if args.zoo != "none":
        holdout = {"all": None, "tuning": False, "holdout": True}[args.zoo]
        score_zoo(zoo_pages(holdout=holdout))
    if args.show_worst > 0:
        show_worst(pages, base, mine, args.show_worst)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
