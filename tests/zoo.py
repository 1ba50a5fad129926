"""The template zoo: publisher pages written for these tests, each with its true article text.

Every page is `tests/data/zoo/<name>.html` with `<name>.json` beside it:

- `url`: where the page claims to live (its own host decides which links are "same site");
- `title`: the headline; `language`: "en", "de", "fr", "es" ...;
- `text`: the article body, paragraphs separated by a blank line, as a reader would copy it
  (no headline, byline, date, captions, share bars, related blocks, teasers or prompts);
- `boilerplate`: strings of the page's furniture that must never reach a clipping (related
  headlines and their teasers, labels, footnotes, prompts, reading times);
- `block_words`: per kind of block on the page ("related", "teaser", "list", "prompt"), words
  that appear in that block and nowhere in the title or the text (a topic on them must not match);
- `decisions` (optional, not read): what the page's writer decided the text is, and why.

Pages named `holdout-*` were written apart from the rules and are scored only at the end.
`python -m tests.zoo` checks that every page agrees with its JSON.
"""

from __future__ import annotations

import html
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from lxml import html as lxml_html

ZOO = Path(__file__).parent / "data" / "zoo"
BLOCK_KINDS = ("related", "teaser", "list", "prompt")


@dataclass(frozen=True, slots=True)
class ZooPage:
    name: str
    html: str
    url: str
    title: str
    language: str
    text: str
    boilerplate: tuple[str, ...]
    block_words: dict[str, tuple[str, ...]]

    @property
    def paragraphs(self) -> list[str]:
        return self.text.split("\n\n")


def zoo_pages(*, holdout: bool | None = None) -> list[ZooPage]:
    """Every page of the zoo (only the holdout pages, or none of them, when asked)."""
    pages = []
    for meta in sorted(ZOO.glob("*.json")):
        if holdout is not None and meta.stem.startswith("holdout-") is not holdout:
            continue
        data = json.loads(meta.read_text(encoding="utf-8"))
        pages.append(
            ZooPage(
                name=meta.stem,
                html=meta.with_suffix(".html").read_text(encoding="utf-8"),
                url=data["url"],
                title=data["title"],
                language=data["language"],
                text=data["text"],
                boilerplate=tuple(data["boilerplate"]),
                block_words={k: tuple(v) for k, v in data.get("block_words", {}).items()},
            )
        )
    return pages


_WORD = re.compile(r"\w+")


def token_f1(truth: str, extracted: str) -> float:
    """F1 of the extracted words (\\w+ runs, as a multiset) against the true text's."""
    expected, got = Counter(_WORD.findall(truth)), Counter(_WORD.findall(extracted))
    overlap = sum((expected & got).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(got.values()), overlap / sum(expected.values())
    return 2 * precision * recall / (precision + recall)


def _squash(text: str) -> str:
    return " ".join(text.split())


def _has_word(text: str, word: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(word.casefold())}(?!\w)", text.casefold()) is not None


def problems(page: ZooPage) -> list[str]:
    """Where a page and its JSON disagree (an empty list when they agree)."""
    found = []
    tree = lxml_html.fromstring(page.html)
    for bad in tree.xpath("//script|//style"):
        bad.drop_tree()
    visible = _squash(tree.text_content())
    truth = _squash(page.text).casefold()
    title = page.title.casefold()
    if not page.text.strip() or "\n\n\n" in page.text:
        found.append("text is empty or has paragraphs separated by more than one blank line")
    for paragraph in page.paragraphs:
        if _squash(html.unescape(paragraph)) not in visible:
            found.append(f"text paragraph not on the page: {paragraph[:60]!r}")
    for phrase in page.boilerplate:
        if _squash(phrase) not in visible:
            found.append(f"boilerplate not on the page: {phrase!r}")
        if _squash(phrase).casefold() in truth:
            found.append(f"boilerplate is inside the true text: {phrase!r}")
    for kind, words in page.block_words.items():
        if kind not in BLOCK_KINDS:
            found.append(f"unknown block kind {kind!r} (use one of {', '.join(BLOCK_KINDS)})")
        for word in words:
            if not _has_word(visible, word):
                found.append(f"block word not on the page: {word!r}")
            if _has_word(truth, word) or _has_word(title, word):
                found.append(f"block word {word!r} ({kind}) is in the title or the text")
    return found


def main() -> int:
    pages = zoo_pages()
    failed = 0
    for page in pages:
        for problem in problems(page):
            failed += 1
            print(f"{page.name}: {problem}")
    print(f"{len(pages)} pages, {failed} problems")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
