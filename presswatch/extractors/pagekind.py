"""Is a page an article, or an index of other articles: a tag, section, author, search, archive
or home page? Such pages can hold hundreds of words of teasers, enough to pass the prose gate,
and a topic would match the teasers of other stories on them. Two signs, read from what the
block pass found (pagetree.CardCensus) and from the text that is left:

- the text is teasers: lines that are the teasers of cards (a headline linking to another
  article of the site, with its summary) in lists that stayed on the page, and too little
  prose besides them (teaser lines beside an article of its own are dropped from it instead);
- many cards around a short text of the page's own (an author's bio, a topic's introduction,
  a lead teaser) on a page whose address is an index's (/tag/, /author/, ?q=, the home page,
  a bare section like /politics/) or that says it is a collection (schema.org CollectionPage).
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import parse_qsl, urlsplit

from presswatch.extractors.folding import word_string
from presswatch.extractors.pagetree import CardCensus

# path segments of index pages, in the languages of the furniture lists
INDEX_SEGMENTS = frozenset(
    {
        *("tag", "tags", "topic", "topics", "author", "authors", "category", "categories"),
        *("section", "sections", "archive", "archives", "search", "page", "label", "labels"),
        *("thema", "themen", "schlagwort", "autor", "autoren", "suche", "rubrik", "archiv"),
        *("categorie", "auteur", "auteurs", "recherche", "etiqueta", "buscar", "tema", "temas"),
    }
)
SEARCH_PARAMETERS = frozenset({"q", "s", "query", "search", "keywords", "term"})
# og:type and schema.org @type values by which a page says it is an article
ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "blogposting",
        "reportagenewsarticle",
        "liveblogposting",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "backgroundnewsarticle",
        "reviewnewsarticle",
        "report",
    }
)
# schema.org types of pages that list other pages
INDEX_TYPES = frozenset({"collectionpage", "searchresultspage", "profilepage"})
MIN_TEASER_CARDS = 4
MIN_INDEX_CARDS = 8
MAX_OWN_WORDS = 200  # "a short text of its own"
_MIN_TEASER_LINE_CHARS = 20


def teaser_lines(lines: Sequence[str], cards: Sequence[str]) -> dict[int, int]:
    """The lines that are teasers of `cards` (in word_string form): line -> card index."""
    found: dict[int, int] = {}
    if not cards:
        return found
    for number, line in enumerate(lines):
        text = word_string(line)
        if len(text) < _MIN_TEASER_LINE_CHARS:
            continue
        card = next((i for i, card in enumerate(cards) if text in card), None)
        if card is not None:
            found[number] = card
    return found


def index_page_reason(
    teasers: int,
    own_prose: int,
    min_words: int,
    cards: CardCensus,
    url: str,
    declared_types: frozenset[str],
) -> str | None:
    """Why a page is an index page, or None: `teasers` cards' teasers were found in its text,
    beside `own_prose` words of prose of its own."""
    if teasers >= MIN_TEASER_CARDS and own_prose < min_words:
        return f"an index page: its text is {teasers} teasers of other articles"
    if (
        cards.total >= MIN_INDEX_CARDS
        and own_prose <= MAX_OWN_WORDS
        and (
            looks_like_index(url)
            or bool(declared_types & INDEX_TYPES and not declared_types & ARTICLE_TYPES)
        )
    ):
        return f"an index page: {cards.total} teasers of other articles beside {own_prose} words"
    return None


def looks_like_index(url: str) -> bool:
    """The home page, a search, a tag/author/category/archive page, or a bare section front."""
    parts = urlsplit(url)
    if any(key.lower() in SEARCH_PARAMETERS for key, _ in parse_qsl(parts.query)):
        return True
    segments = [s.lower() for s in parts.path.split("/") if s]
    if not segments:
        return True
    if any(segment in INDEX_SEGMENTS for segment in segments):
        return True
    # "/politics/", "/news/uk/": words only, no slug of a story
    return len(segments) <= 2 and all(s.isalpha() for s in segments)
