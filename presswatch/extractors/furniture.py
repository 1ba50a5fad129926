"""What page furniture says, as data: the labels of related-content blocks, the lead-ins of
inline teasers, and the wording of prompts, in English, German, French and Spanish, with the
most common forms in Dutch, Italian and Portuguese.

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
)

# Prompts: wording that only a subscription, newsletter, app, social or consent box uses.
# Matched in short blocks only (see blocks.py): a sentence of the article that mentions a
# newsletter or subscribers is long, or does not speak to the reader like this. Each pattern
# comes with a word it cannot match without (in folded form: "deja abonne"), looked for first:
# one search of a page's text per word is far cheaper than every pattern on every line.
PROMPT_PATTERNS: tuple[tuple[str, str], ...] = (
    # subscriptions and paywalls
    ("unlimited", r"\bunlimited (digital )?access\b"),
    ("subscription", r"\b(take out|get|start) a (digital )?subscription\b"),
    ("subscri", r"^subscribe\b"),
    ("subscri", r"\bsubscribe (now|today|for|to (our|the))\b"),
    ("already", r"\balready (a )?(subscriber|member|subscribed)\b"),
    (" in to ", r"\b(log|sign) in to (read|continue|keep reading)\b"),
    ("reading", r"\bto (continue|keep) reading\b"),
    ("read the full", r"\bto read the full (story|article)\b"),
    ("only available", r"\bthis (article|story|content) is only available to\b"),
    ("is for subscribers", r"\bthis (article|story|content) is for subscribers\b"),
    ("journalism", r"\bsupport (our|independent|quality) journalism\b"),
    ("become a", r"^become a (member|subscriber|supporter)\b"),
    ("free trial", r"\bstart (your )?free trial\b"),
    # newsletters
    ("sign up", r"\bsign up (for|to) our\b"),
    ("sign up", r"\bsign up (for|to) the\b.{0,40}\b(newsletter|briefing|bulletin)\b"),
    ("newsletter", r"\bnewsletter\b.*\b(sign up|subscribe|inbox|email address|register)\b"),
    ("newsletter", r"\b(sign up|subscribe|register)\b.*\bnewsletter\b"),
    ("inbox", r"\b(straight|direct(ly)?|delivered|in) (to )?your inbox\b"),
    ("get ", r"^get (our|the) (free )?(newsletter|briefing|daily|morning|evening)\b"),
    # apps and social media
    (" app", r"\b(download|get|install) (our|the) (free )?(\w+ ){0,3}app\b"),
    ("follow us", r"\bfollow us (on|:)"),
    ("follow ", r"^follow [\w .'&-]{1,30} on (instagram|facebook|twitter|x|youtube|tiktok)\b"),
    (
        "join ",
        r"\bjoin (us|the conversation) on (facebook|twitter|x|instagram|whatsapp|telegram)\b",
    ),
    # the newsroom's tip line, and the reporter's contacts
    ("got a ", r"\bgot a (news )?(story|tip)\b"),
    ("have a ", r"\bhave a (news )?(story|tip)\b"),
    ("write to", r"^write to [\w .'-]{2,40} at \S+@"),
    ("follow @", r"^follow @\w+"),
    ("follow ", r"\bfollow (me|him|her|them) on (twitter|facebook|instagram|x|linkedin|bluesky)\b"),
    ("like this", r"\blike this (story|article)\b.{0,20}\bshare\b"),
    ("send us your", r"\bsend us your (news|tips|stories|pictures|photos)\b"),
    # print subscriptions, and affiliate links
    ("issues for", r"\b\d+ issues for\b"),
    ("delivered", r"\bdelivered (to|through) your (door|letterbox|doorstep)\b"),
    ("if you buy", r"\bif you (buy|purchase) (something|anything|a product)\b"),
    ("share of the sale", r"\b(may|might) (get|earn|receive) a share of the sale\b"),
    # reprints
    ("this copy is for", r"\bthis copy is for your personal,? non-commercial use\b"),
    ("order ", r"\border (presentation-ready )?(copies|reprints)\b"),
    # the newsroom's standards and corrections footnote, and a funder's disclosure: asked as
    # questions or given as labels ("Found an error?", "Report an error"), which an article's
    # sentence ("police found an error in the records") is not
    ("standards", r"^our (editorial )?standards ?:"),
    ("trust principles", r"\bthe trust principles\b"),
    ("error", r"\b(found|spotted|see|seen|noticed?) an error ?\?"),
    ("error", r"^report an error\b"),
    ("mistake", r"\b(found|spotted|see|seen|noticed?) a mistake ?\?"),
    ("typo", r"\b(found|spotted|see|seen|noticed?) a typo ?\?"),
    ("correction", r"^(request|suggest) a correction\b"),
    ("disclosure", r"^disclosure:"),
    ("supporter", r"\bsupporters? (play|have) no role in\b"),
    # cookies and consent
    ("cookie", r"\b(we|this (web)?site) uses? cookies\b"),
    ("cookie", r"\b(manage|accept) (all )?(cookies|your cookie)\b"),
    ("consent", r"\b(manage|accept) (all )?consent\b"),
    ("privacy settings", r"\b(manage|accept) (all )?privacy settings\b"),
    # German
    ("abonnier", r"^jetzt abonnieren\b"),
    ("abonnier", r"\b(newsletter|jetzt) (abonnieren|bestellen)\b"),
    ("abonnier", r"\babonnieren sie\b"),
    ("bestellen", r"\bnewsletter bestellen\b"),
    ("bereits abonnent", r"\bbereits abonnent\b"),
    ("folgen sie uns", r"\bfolgen sie uns\b"),
    ("wir verwenden cookies", r"\bwir verwenden cookies\b"),
    ("weiterlesen mit", r"\bweiterlesen mit\b"),
    ("jetzt ", r"\bjetzt (testen|weiterlesen|registrieren)\b"),
    ("unbegrenzten zugriff", r"\bunbegrenzten zugriff\b"),
    ("unsere standards", r"^unsere (redaktionellen )?standards ?:"),
    ("fehler gefunden", r"\bfehler gefunden ?\?"),
    ("fehler melden", r"^fehler melden\b"),
    # French
    ("abonnez-vous", r"\babonnez-vous\b"),
    ("deja abonne", r"\bdeja abonne\b"),
    ("suivez-nous", r"\bsuivez-nous\b"),
    ("inscrivez-vous", r"\binscrivez-vous\b"),
    ("lettre d'information", r"\blettre d'information\b"),
    ("nous utilisons des cookies", r"\bnous utilisons des cookies\b"),
    ("lire la suite", r"\blire la suite\b.*\babonn"),
    ("une erreur", r"^signaler une erreur\b"),
    ("une erreur", r"\bvous avez (repere|trouve|remarque) une erreur ?\?"),
    # Spanish
    ("suscribete", r"\bsuscribete\b"),
    ("ya eres", r"\bya eres (suscriptor|socio)\b"),
    ("siguenos", r"\bsiguenos\b"),
    ("boletin", r"\bboletin\b.*\b(suscr|correo|registr)"),
    ("utilizamos cookies", r"\butilizamos cookies\b"),
    ("descarga", r"\bdescarga (nuestra|la) app\b"),
    ("un error", r"^(reportar|comunicar) un error\b"),
    ("un error", r"\b(has|ha) (visto|encontrado|detectado) un error ?\?"),
    # Dutch
    ("abonnee", r"\b(word|al) abonnee\b"),
    ("abonnement", r"\bneem een (digitaal )?abonnement\b"),
    ("onbeperkt", r"\bonbeperkt (lezen|toegang)\b"),
    ("abonneer", r"\babonneer\b"),
    ("schrijf je", r"\bschrijf je (nu )?in\b"),
    ("nieuwsbrief", r"\bnieuwsbrief\b.*\b(aanmelden|inschrijven|ontvang|schrijf)"),
    ("volg ons", r"\bvolg ons\b"),
    ("wij gebruiken cookies", r"\bwij gebruiken cookies\b"),
    ("fout", r"\bfout (gezien|gevonden) ?\?"),
    ("fout", r"^meld een fout\b"),
    # Italian
    ("abbonati", r"\babbonati\b"),
    ("sei gia abbonato", r"\bsei gia abbonato\b"),
    ("iscriviti", r"\biscriviti\b"),
    ("seguici", r"\bseguici\b"),
    ("utilizziamo", r"\butilizziamo (i )?cookie"),
    ("errore", r"^segnala(ci)? un errore\b"),
    # Portuguese
    ("assine", r"\bassine (ja|agora|o|a)\b"),
    ("ja e assinante", r"\bja e assinante\b"),
    ("inscreva-se", r"\binscreva-se\b"),
    ("siga-nos", r"\bsiga-nos\b"),
    ("assinatura digital", r"\bassinatura digital\b"),
    ("erro", r"\b(encontrou|viu) um erro ?\?"),
    ("erro", r"^(comunicar|reportar) (um )?erro\b"),
)
# the words that PROMPT_PATTERNS cannot match without, each once
PROMPT_WORDS: tuple[str, ...] = tuple(dict.fromkeys(word for word, _ in PROMPT_PATTERNS))

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


# each pattern behind the word it needs, compiled (searched in the folded text of a short block
# or line, accents gone)
_PROMPTS: dict[str, re.Pattern[str]] = {
    word: re.compile("|".join(f"(?:{p})" for w, p in PROMPT_PATTERNS if w == word))
    for word in PROMPT_WORDS
}
# the whole of a folded line
COUNTER = re.compile(rf"(?:{_any_of(COUNTER_PATTERNS)})[\W\d_]*")


def is_prompt(text: str) -> bool:
    """True when `text` speaks like a subscription, newsletter, app, social or cookie box."""
    return speaks_as_prompt(normalise_line(text))


def speaks_as_prompt(folded: str) -> bool:
    """is_prompt for text already in normalise_line form."""
    return any(word in folded and pattern.search(folded) for word, pattern in _PROMPTS.items())


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
