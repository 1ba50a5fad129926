"""Turn one HTML page into an Article (or say why it is not one): pure functions, no I/O."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from datetime import UTC

import trafilatura
from charset_normalizer import from_bytes
from lxml.etree import ElementDefaultClassLookup, ParserError
from lxml.html import (
    HtmlComment,
    HtmlElement,
    HtmlEntity,
    HTMLParser,
    HtmlProcessingInstruction,
    fromstring,
)
from trafilatura.settings import Document, Extractor
from trafilatura.utils import is_dubious_html, repair_faulty_html
from w3lib.encoding import html_to_unicode

from presswatch.errors import ExtractionError, PageTooComplex
from presswatch.extractors import metadata
from presswatch.extractors.blocks import block_rules, strip_blocks
from presswatch.extractors.boilerplate import LineFilter, release_tail
from presswatch.extractors.fingerprint import simhash
from presswatch.extractors.folding import normalise_line
from presswatch.extractors.furniture import Removal
from presswatch.extractors.options import ExtractOptions
from presswatch.extractors.pagekind import index_page_reason, teaser_lines
from presswatch.extractors.standfirst import header_lines
from presswatch.model import Article as Article  # what extraction makes, shared with storage
from presswatch.words import count_words, reading_words

_SENTENCE_ENDS = (".", "!", "?", "…", '"', "”", "’", "»", ":", ";", ")")
# ideographic full stop; fullwidth ! ? ) and full stop; corner brackets closing a quote
_CJK_SENTENCE_ENDS = ("\u3002", "\uff01", "\uff1f", "\u300d", "\u300f", "\uff09", "\uff0e")
# a line that stops mid-sentence (hard line breaks inside a paragraph)
_CONTINUES = (",", "\uff0c", "\u3001", "-", "–", "—")  # also fullwidth and ideographic commas
_LONG_LINE_WORDS = 20
# elements a page may have to be extracted (the largest page of the shared corpus has 1,596)
MAX_ELEMENTS = 15_000
_HEADING_SEARCH_LINES = 3
# the author's biography: one of the last lines, short, opening with the author's name
_BIO_LINES, _BIO_WORDS = 3, 50
_KICKER_WORDS = 5


@dataclass(frozen=True, slots=True)
class NotArticle:
    """A page that is fine but is not an article (an index page, a stub)."""

    url: str
    reason: str


@dataclass(frozen=True, slots=True)
class DecodedPage:
    html: str
    encoding: str
    # set when the declared charset could not decode the bytes and another one was used
    charset_problem: str | None = None


@dataclass(frozen=True, slots=True)
class PageResult:
    """What extraction made of one fetched page."""

    outcome: Article | NotArticle
    charset_problem: str | None = None


def decode_page(body: bytes, content_type: str | None = None) -> DecodedPage:
    """Bytes -> text using the header, BOM or `<meta charset>`; when that charset is wrong
    (the bytes do not decode), detect the real one instead of keeping mojibake."""
    encoding, text = html_to_unicode(content_type, body)
    try:
        body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        detected = _detect_encoding(body)
        if detected is None:
            return DecodedPage(text, encoding, f"bytes are not valid {encoding}; kept as decoded")
        return DecodedPage(
            body.decode(detected, errors="replace"),
            detected,
            f"declared charset {encoding} does not fit the bytes; decoded as {detected}",
        )
    return DecodedPage(text, encoding)


def _detect_encoding(body: bytes) -> str | None:
    # Windows-1252 labelled as UTF-8 is by far the most common mislabel; statistical detection
    # confuses it with its Central European sibling, so it is tried first
    try:
        decoded = body.decode("cp1252")
    except UnicodeDecodeError:
        decoded = None
    if decoded is not None and not any("\x80" <= ch <= "\x9f" for ch in decoded):
        return "cp1252"
    best = from_bytes(body).best()
    return best.encoding if best is not None else None


def extract_page(
    body: bytes,
    url: str,
    content_type: str | None,
    options: ExtractOptions,
    removed: list[Removal] | None = None,
) -> PageResult:
    """Decode and extract one fetched page; the unit of work sent to the extraction pool.
    What was dropped as furniture goes to `removed`, when given."""
    page = decode_page(body, content_type)
    return PageResult(extract_article(page.html, url, options, removed), page.charset_problem)


def extract_article(
    html: str, url: str, options: ExtractOptions, removed: list[Removal] | None = None
) -> Article | NotArticle:
    """The article in `html`, fetched from `url`; NotArticle when the page has too little text.
    Every block and line dropped as furniture goes to `removed`, with its rule.

    Raises ExtractionError when the HTML cannot be parsed at all.
    """
    line_filter = LineFilter.build(options.drop_lines, options.drop_blocks)
    try:
        tree = parse_html(html)
    except (ValueError, ParserError) as exc:
        raise ExtractionError(f"cannot parse HTML: {exc}") from exc
    if tree is None:
        raise ExtractionError("cannot parse HTML: empty or not HTML")
    elements = int(tree.xpath("count(//*)"))
    if elements > MAX_ELEMENTS:
        # trafilatura's time grows with the square of some structures (thousands of spans
        # in a paragraph); real article pages have a few thousand elements at most
        raise PageTooComplex(
            f"the page has {elements:,} HTML elements, more than {MAX_ELEMENTS:,}: not extracted"
        )
    cards = strip_blocks(tree, url, block_rules(options.drop_blocks, options.exclude), removed)

    # text only: trafilatura extracts from a copy of the tree, so the metadata is read from
    # this one afterwards (metadata.page_metadata: trafilatura's own with_metadata=True costs
    # about as much as the text)
    document = trafilatura.bare_extraction(tree, options=_trafilatura_options(url))
    if not isinstance(document, Document) or not document.text:
        return NotArticle(url, "no article text found")

    page = metadata.page_metadata(tree, url)
    title = " ".join((page.title or "").split())
    lines = line_filter.clean(document.text.splitlines(), removed)
    if (tail := release_tail(lines)) < len(lines):
        if removed is not None:
            removed.extend(Removal("release-tail", line) for line in lines[tail:])
        lines = lines[:tail]
    headlines = {normalise_line(title), normalise_line(_first_h1(tree))} - {""}
    lines = _drop_bylines(_drop_heading(lines, headlines, removed), page.author, removed)
    lines = [*header_lines(tree, lines, page.description), *lines]
    teasers = teaser_lines(lines, cards.kept)
    if teasers:  # teasers of other articles, in lists that stayed on the page: not its text
        if removed is not None:
            removed.extend(Removal("teaser-line", lines[i]) for i in teasers)
        lines = [line for i, line in enumerate(lines) if i not in teasers]
    prose = prose_words(lines)
    if cards.total and (
        reason := index_page_reason(
            len(set(teasers.values())),
            prose,
            options.min_words,
            cards,
            url,
            metadata.declared_types(tree),
        )
    ):
        return NotArticle(url, reason)
    if prose < options.min_words:
        return NotArticle(url, f"{prose} words of prose, fewer than min_words={options.min_words}")
    text = "\n\n".join(lines)
    word_count = count_words(text)

    published = metadata.published_at(tree) or metadata.guessed_date(tree, page.url)
    return Article(
        url=url,
        canonical_url=metadata.canonical_url(tree, url),
        title=title or lines[0][:200],
        author=_clean(page.author),
        published=published.astimezone(UTC) if published else None,
        language=metadata.page_language(tree),
        site_name=_clean(page.site_name),
        description=_clean(page.description),
        image=_clean(page.image),
        text=text,
        word_count=word_count,
        fingerprint=simhash(text),
    )


def _html_parser() -> HTMLParser:
    """trafilatura's parser options (`trafilatura.utils.HTML_PARSER`), with every element an
    HtmlElement chosen in C: lxml.html's own class lookup is a Python call for each element
    the extraction touches (over 3,000 a page), ~4% of a page's extraction, to give form
    fields classes of their own that nothing here uses."""
    parser = HTMLParser(
        collect_ids=False,
        default_doctype=False,
        encoding="utf-8",
        remove_comments=True,
        remove_pis=True,
    )
    parser.set_element_class_lookup(
        ElementDefaultClassLookup(
            element=HtmlElement,
            comment=HtmlComment,
            pi=HtmlProcessingInstruction,
            entity=HtmlEntity,
        )
    )
    return parser


_HTML_PARSER = _html_parser()


def parse_html(html: str) -> HtmlElement | None:
    """The page's tree as `trafilatura.load_html` makes it (the same repairs, the same parser
    options, None for what is not HTML), parsed from UTF-8 bytes: lxml parses a str slower
    (0.6-1 ms a page on the shared corpus, with identical trees), and load_html parses a
    page that declares its encoding twice, first failing on the str."""
    beginning = html[:50].lower()
    html = repair_faulty_html(html, beginning)
    try:
        tree = fromstring(html.encode("utf-8", "surrogatepass"), parser=_HTML_PARSER)
    except (ValueError, ParserError):  # nothing to parse: as load_html, no tree
        return None
    if tree is None or (is_dubious_html(beginning) and len(tree) < 2):
        return None
    return tree


# fast=True skips the comparison with the readability and jusText extractors: ~40% of the
# time, and on the scrapinghub corpus our F1 is higher without it (bench/extraction_quality.py)
_TRAFILATURA_OPTIONS = Extractor(
    output_format="python",
    fast=False,
    comments=False,
    tables=True,
    dedup=False,
    with_metadata=False,
)


def _trafilatura_options(url: str) -> Extractor:
    """The options for one page: built once (building them reads trafilatura's config, about
    0.1 ms a page), copied to carry the page's URL."""
    options = copy.copy(_TRAFILATURA_OPTIONS)
    options.url = options.source = url
    return options


def _first_h1(tree: HtmlElement) -> str:
    heading = tree.find(".//h1")
    return heading.text_content() if heading is not None else ""


def _drop_heading(
    lines: list[str], headlines: set[str], removed: list[Removal] | None
) -> list[str]:
    """Drop the headline repeated at the top of the text (the page's title or its `<h1>`, in
    normalise_line form: the two differ when the title is a shorter social headline), and a
    kicker or breadcrumb ("Local News") just above it."""
    for index, line in enumerate(lines[:_HEADING_SEARCH_LINES]):
        if normalise_line(line) in headlines:
            before = lines[:index]
            if all(len(b.split()) <= _KICKER_WORDS for b in before):
                dropped, kept = lines[: index + 1], lines[index + 1 :]
            else:
                dropped, kept = [line], lines[:index] + lines[index + 1 :]
            if removed is not None:
                removed.extend(Removal("headline-line", d) for d in dropped)
            return kept
    return lines


# "22:05", "22.05", "10:05 am" before an author's name on a live blog's post
_CLOCK = re.compile(r"^\d{1,2}[:.h]\d{2}(\s*[ap]\.?m\.?)?\s*", re.IGNORECASE)
_BY = re.compile(r"^(by|von|par|por)\s+", re.IGNORECASE)


def _drop_bylines(lines: list[str], author: str | None, removed: list[Removal] | None) -> list[str]:
    """Drop lines that only name the author ("By Jane Doe", "22:05 Jane Doe"): a byline that
    trafilatura kept, or one repeated on every post of a live blog; and the author's short
    biography among the last lines ("Jane Doe is a staff writer at ...")."""
    if not author:
        return lines
    wanted = normalise_line(author)
    bio = re.compile(rf"^{re.escape(wanted)},? (is|was|has been|covers|reports)\b")
    last = len(lines) - _BIO_LINES
    kept = []
    for index, line in enumerate(lines):
        norm = normalise_line(line)
        if normalise_line(_BY.sub("", _CLOCK.sub("", line))) == wanted:
            rule = "byline-line"
        elif index >= last and len(norm.split()) <= _BIO_WORDS and bio.match(norm):
            rule = "bio-line"
        else:
            kept.append(line)
            continue
        if removed is not None:
            removed.append(Removal(rule, line))
    return kept


def prose_words(lines: list[str]) -> int:
    """Words in lines that read as prose: sentences, or long lines. A tag or index page is a
    list of headlines, which do not end like sentences, so it has little prose. Chinese and
    Japanese are counted at two characters a word, and their full stops end sentences.

    A paragraph with hard line breaks inside its sentences is judged as a whole: a line that
    ends mid-sentence (no full stop, and a comma or a next line that starts in lower case)
    is joined to the next one first.
    """
    return sum(
        count
        for line in _join_broken_lines(lines)
        if (count := reading_words(line)) >= _LONG_LINE_WORDS
        or line.endswith(_SENTENCE_ENDS + _CJK_SENTENCE_ENDS)
    )


def _join_broken_lines(lines: list[str]) -> list[str]:
    joined: list[str] = []
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if joined and _continues(joined[-1], line):
            joined[-1] = f"{joined[-1]} {line}"
        else:
            joined.append(line)
    return joined


def _continues(previous: str, line: str) -> bool:
    if previous.endswith(_SENTENCE_ENDS + _CJK_SENTENCE_ENDS):
        return False
    # "make-up photos." goes on a sentence; "iPhone sales fall" is a new headline
    return previous.endswith(_CONTINUES) or line.split()[0].islower()


def _clean(value: str | None) -> str | None:
    if not value:
        return None
    return " ".join(value.split()) or None
