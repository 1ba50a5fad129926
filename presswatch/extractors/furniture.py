"""What page furniture says, as data: the labels of related-content blocks, the lead-ins of
inline teasers and counters, in English, German, French and Spanish, with the most common
forms in Dutch, Italian, Portuguese, Polish, Swedish, Danish, Norwegian, Czech, Chinese and
Japanese (the wording of prompts is in prompts.py).

blocks.py finds these in the page before trafilatura reads it, boilerplate.py in the lines
after. Labels are compared in `label_key` form (case, accents, punctuation and digits
ignored), so "MORE FOR YOU", "More for you:" and "More for You 12" are one label.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from presswatch.extractors.folding import fold, normalise_line

# "Read also", in Polish: a block's label, and an inline teaser's lead-in
_POLISH_READ_ALSO = (
    "Czytaj także",
    "Czytaj też",
    "Zobacz także",
    "Zobacz też",
    "Przeczytaj także",
    "Przeczytaj również",
)

# "Read also", in Swedish, Danish, Norwegian and Czech
_NORDIC_READ_ALSO = (
    "Läs också",
    "Läs även",
    "Læs også",
    "Les også",
    "Čtěte také",
    "Čtěte též",
    "Přečtěte si také",
)

# A block whose heading, aria-label or first line is one of these is not the article.
RELATED_LABELS: tuple[str, ...] = (
    # English
    "More for You",
    "Related",
    "Related articles",
    "Related stories",
    "Related content",
    "Related news",
    "Related coverage",
    "Related links",
    "Related reading",
    "Related topics",
    "Recommended",
    "Recommended for you",
    "Recommended stories",
    "Recommended reading",
    "Recommended articles",
    "Read more",
    "Read next",
    "Read this next",
    "What to read next",
    "Up next",
    "Most read",
    "Most popular",
    "Most viewed",
    "Most shared",
    "Most commented",
    "Trending",
    "Trending now",
    "Trending stories",
    "Top Followed",
    "Top stories",
    "You may also like",
    "You might also like",
    "You may also be interested in",
    "You might be interested in",
    "Editor's picks",
    "Editors' picks",
    "More on this story",
    "More on this topic",
    "More stories",
    "More news",
    "Latest news",
    "Latest stories",
    "Popular now",
    "Popular",
    "Don't miss",
    "In other news",
    "Around the web",
    "From our partners",
    "Promoted stories",
    "Sponsored stories",
    "Further reading",
    # German
    "Mehr zum Thema",
    "Das könnte Sie auch interessieren",
    "Das könnte dich auch interessieren",
    "Auch interessant",
    "Ebenfalls interessant",
    "Meistgelesen",
    "Meistgelesene Artikel",
    "Am meisten gelesen",
    "Meistgeklickt",
    "Weitere Artikel",
    "Weitere Nachrichten",
    "Lesen Sie auch",
    "Lesen Sie mehr",
    "Empfehlungen",
    "Empfohlen",
    "Empfehlungen der Redaktion",
    "Unsere Empfehlungen",
    "Verwandte Artikel",
    "Zum Weiterlesen",
    "Top-Artikel",
    "Neueste Artikel",
    "Aktuelle Nachrichten",
    "Beliebte Artikel",
    # French
    "À lire aussi",
    "Lire aussi",
    "À voir aussi",
    "Sur le même sujet",
    "Les plus lus",
    "Articles les plus lus",
    "Les plus populaires",
    "Les plus partagés",
    "Recommandé pour vous",
    "Nos recommandations",
    "Vous aimerez aussi",
    "Vous pourriez aussi aimer",
    "Vous aimerez peut-être aussi",
    "Dans la même rubrique",
    "Articles liés",
    "Articles similaires",
    "Dernières actualités",
    "Tendances",
    # Spanish
    "Te puede interesar",
    "También te puede interesar",
    "Quizás te interese",
    "Noticias relacionadas",
    "Relacionado",
    "Relacionados",
    "Artículos relacionados",
    "Lo más leído",
    "Lo más visto",
    "Más leídas",
    "Más leídos",
    "Recomendado",
    "Recomendados",
    "Recomendados para ti",
    "Te recomendamos",
    "Lee también",
    "Lea también",
    "Más noticias",
    "Últimas noticias",
    "Tendencias",
    # Dutch
    "Lees ook",
    "Lees meer",
    "Meer over dit onderwerp",
    "Gerelateerd",
    "Gerelateerde artikelen",
    "Meest gelezen",
    "Aanbevolen",
    "Ook interessant",
    "Dit vind je misschien ook interessant",
    "Meer nieuws",
    "Laatste nieuws",
    # Italian
    "Leggi anche",
    "Potrebbe interessarti anche",
    "Ti potrebbe interessare",
    "Articoli correlati",
    "Correlati",
    "I più letti",
    "Più letti",
    "Più lette",
    "Consigliati",
    "Ultime notizie",
    "Altre notizie",
    # Portuguese
    "Leia também",
    "Leia mais",
    "Veja também",
    "Saiba mais",
    "Relacionadas",
    "Notícias relacionadas",
    "Artigos relacionados",
    "Mais lidas",
    "Mais lidos",
    "Recomendados para você",
    "Você também pode gostar",
    "Últimas notícias",
    "Mais notícias",
    # Polish
    *_POLISH_READ_ALSO,
    "Polecamy",
    "Najczęściej czytane",
    "Najpopularniejsze",
    "Najnowsze",
    "Podobne artykuły",
    # Swedish, Danish, Norwegian, Czech
    *_NORDIC_READ_ALSO,
    "Läs mer",
    "Mest läst",
    "Mest lästa",
    "Senaste nytt",
    "Mest læste",
    "Mest lest",
    "Siste nytt",
    "Nejčtenější",
    "Související články",
    # Chinese and Japanese
    "相关阅读",
    "相关新闻",
    "相关报道",
    "延伸阅读",
    "推荐阅读",
    "热点推荐",
    "热门推荐",
    "热点排行",
    "24小时热点排行",
    "猜你喜欢",
    "関連記事",
    "関連ニュース",
    "最新ニュース",
    "アクセスランキング",
    "ランキング",
    "おすすめ記事",
    # a match report's data box: line-ups, referee, attendance
    "Ficha técnica",
    "Ficha del partido",
    "Alineaciones",
    "Match facts",
    "Line-ups",
    "Lineups",
    "Team line-ups",
    "Aufstellungen",
    "Fiche technique",
    "Tabellino",
    # a press release's newswire: the same company's other releases
    "Also from this source",
    "More news releases in similar topics",
    "Related press releases",
    # the instruments, companies or people a page is tagged with ("In this article: ORSM ...")
    "In this article",
    "In this story",
    # the author's box (a short biography, a photo, links to the author's other articles)
    "About the author",
    "About the authors",
    "About the writer",
    "About the reporter",
    "Über die Autorin",
    "Über den Autor",
    "Über die Autoren",
    "Zur Autorin",
    "Zum Autor",
    "À propos de l'auteur",
    "À propos de l'autrice",
    "Sobre el autor",
    "Sobre la autora",
    "Sull'autore",
    "Sull'autrice",
    "Over de auteur",
    "Over de schrijver",
    "Sobre o autor",
    "Sobre a autora",
)

# Labels that name a site, section or topic after them: "More from Business", "Also in Sport".
RELATED_LABEL_PREFIXES: tuple[str, ...] = (
    "More from",
    "More in",
    "More on",
    "More about",
    "Also in",
    "Also on",
    "Latest from",
    "Latest in",
    "Popular in",
    "Most read in",
    "Recommended from",
    "Mehr aus",
    "Mehr zu",
    "Mehr von",
    "Weitere Artikel zu",
    "Plus de",
    "Plus d'articles",
    "Aussi dans",
    "Más de",
    "Más sobre",
    "También en",
    "Meer over",
    "Meer uit",
    "Altro da",
    "Altro su",
    "Also on",
    "Mais de",
    "Mais sobre",
)
# "More from the Harbour Gazette's business desk" is a sentence, not a label
MAX_LABEL_SUFFIX_WORDS = 4

# A paragraph that is a link to another page after one of these is an inline teaser.
TEASER_LEAD_INS: tuple[str, ...] = (
    "Read more",
    "Also on",
    "Read also",
    "Also read",
    "Read",
    "See also",
    "Related",
    "More",
    "Watch",
    "Listen",
    "Read next",
    "Recommended",
    "Don't miss",
    "Lesen Sie auch",
    "Lesen Sie mehr",
    "Auch lesen",
    "Mehr dazu",
    "Mehr zum Thema",
    "Siehe auch",
    "Video",
    "Podcast",
    "À lire aussi",
    "Lire aussi",
    "Voir aussi",
    "À voir aussi",
    "À écouter",
    "Lee también",
    "Lea también",
    "Ver también",
    "Te puede interesar",
    "Relacionado",
    "Lees ook",
    "Lees meer",
    "Bekijk ook",
    "Leggi anche",
    "Leia também",
    "Leia mais",
    "Veja também",
    "Saiba mais",
    *_POLISH_READ_ALSO,
    *_NORDIC_READ_ALSO,
)

# Whole lines that count or time something: "4 min read", "12 comments", "3 Min. Lesezeit".
COUNTER_PATTERNS: tuple[str, ...] = (
    r"\d+ ?(min|mins|minutes?|minute)\.? (read|reading|listen|watch)( time)?",
    r"(reading time|read time|lesezeit|temps de lecture|tiempo de lectura):? ?\d+ ?\w*",
    r"\d+ ?(min|minuten)\.? (lesezeit|lesedauer)",
    r"\d+ ?(min|minutes?)\.? de lecture",
    r"(lecture|lectura) ?:? ?\d+ ?(min|minutes?|minutos)\.?",
    r"\d+ ?(min|minutos?)\.? de lectura",
    r"\d+ ?(min|minutos?)\.? de leitura",
    r"\d+ ?(min|minuti)\.? di lettura",
    r"\d+ ?(min|minuten)\.? leestijd",
    r"(leestijd|tempo de leitura|tempo di lettura):? ?\d+ ?\w*",
    r"\d+ ?(comments?|kommentare?|commentaires?|comentarios?|replies|responses)",
    r"(comments?|kommentare|commentaires|comentarios) ?\(?\d+\)?",
    r"\d+ ?(hours?|minutes?|mins?|days?) ago",
    r"vor \d+ ?(stunden?|minuten?|tagen?)",
    r"il y a \d+ ?(heures?|minutes?|jours?|h|min)",
    r"hace \d+ ?(horas?|minutos?|d[ií]as?)",
)


@dataclass(frozen=True, slots=True)
class Removal:
    """Something dropped from a page as furniture, and the rule that dropped it."""

    rule: str
    text: str  # its text, spacing squeezed


def _any_of(patterns: tuple[str, ...]) -> str:
    return "|".join(f"(?:{p})" for p in patterns)


# the whole of a folded line
COUNTER = re.compile(rf"(?:{_any_of(COUNTER_PATTERNS)})[\W\d_]*")


def texts_holding(texts: Sequence[str], words: Sequence[str]) -> list[int]:
    """The indexes of the texts in which one of the (folded) words occurs: one search of all
    the texts joined per word, not a search per text."""
    # NUL never occurs in a page's text and folds to itself, so it marks where each text ends
    # in the folded whole (folding may change lengths: "…" -> "...", "ß" -> "ss")
    joined = fold("\x00".join(texts))
    ends = list(itertools.accumulate(len(t) + 1 for t in joined.split("\x00")))
    hits: set[int] = set()
    for word in words:
        at = joined.find(word)
        while at != -1:
            hits.add(bisect.bisect_right(ends, at))
            at = joined.find(word, at + 1)
    return sorted(hits)


def is_counter(text: str) -> bool:
    """True for a line that only counts or times something ("4 min read", "12 comments")."""
    return COUNTER.fullmatch(normalise_line(text)) is not None


@dataclass(frozen=True, slots=True)
class Labels:
    """Related-content labels in `label_key` form: the built-in ones and a user's drop_blocks."""

    exact: frozenset[str]
    prefixes: tuple[str, ...]
    # the first words of all labels, lower-cased as written and in label_key form
    first_words: frozenset[str]

    def might_match(self, text: str) -> bool:
        """A quick look (no folding) that is False for nearly every text that is no label."""
        first = text.split(None, 1)[:1]
        return bool(first) and first[0].lower().replace("\u2019", "'").strip(_PUNCT) in (
            self.first_words
        )

    def matches(self, text: str) -> bool:
        """True when `text` is, as a whole, a related-content label."""
        key = label_key(text)
        if key in self.exact:
            return True
        for prefix in self.prefixes:
            if key.startswith(prefix):
                suffix = key[len(prefix) :]
                if suffix.startswith(" ") and len(suffix.split()) <= MAX_LABEL_SUFFIX_WORDS:
                    return True
        return False


@functools.lru_cache(maxsize=64)
def related_labels(extra: tuple[str, ...] = ()) -> Labels:
    """The built-in labels plus `extra` (once per set: every page of a crawl asks for it)."""
    labels = (*RELATED_LABELS, *extra, *RELATED_LABEL_PREFIXES)
    exact = {label_key(label) for label in (*RELATED_LABELS, *extra)}
    exact.discard("")
    first_words = {w.split(None, 1)[0] for w in map(label_key, labels) if w}
    first_words.update(
        word.lower().strip(_PUNCT) for label in labels for word in label.split(None, 1)[:1]
    )
    return Labels(
        frozenset(exact),
        tuple(label_key(p) for p in RELATED_LABEL_PREFIXES),
        frozenset(first_words),
    )


def label_key(text: str) -> str:
    """The form labels are compared in: folded, apostrophes gone, other punctuation and digits
    as spaces ("Editor's Picks:" and "EDITORS PICKS" -> "editors picks")."""
    folded = fold(text).replace("'", "")
    return " ".join(_NOT_LETTERS.sub(" ", folded).split())


_NOT_LETTERS = re.compile(r"[\W\d_]+")
_PUNCT = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~«»“”‘’…–—•·"
