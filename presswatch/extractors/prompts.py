"""Prompts: the wording that only a subscription, newsletter, app, social, consent or
corrections box uses, in the languages of furniture.py. blocks.py drops short blocks that
speak like this, boilerplate.py short lines."""

from __future__ import annotations

import re

from presswatch.extractors.folding import normalise_line

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
    ("comments below", r"\b(tell|let) us (know )?in the comments below\b"),
    (
        "in the comments",
        r"\b(join|have your say in) the (conversation|debate|discussion) in the comments\b",
    ),
    # a station's or app's notifications; the sign-off that sends the reader elsewhere
    ("straight to your", r"\bsent straight to your (phone|inbox|device)\b"),
    ("notifications", r"\bmanage your notifications\b"),
    ("alerts", r"\bsign up for (breaking news|news) alerts\b"),
    ("head to", r"^for the latest (news|headlines)\b.{0,80}\bhead to\b"),
    # copyright notices long enough to pass for a paragraph
    ("all rights reserved", r"^(copyright|\(c\)|©) ?(\d{4}|by)\b.{0,80}\ball rights reserved\b"),
    ("redistributed", r"\bmay not be (published|reproduced),? broadcast\b.{0,40}\bredistributed\b"),
    # an analyst's or broker's disclaimer
    ("disclaimer", r"^disclaimer:"),
    # a media player's own words (its title and times go with it, as one short block)
    ("video", r"^(play|watch) (the )?video$"),
    ("audio", r"^play (the )?audio$"),
    ("abspielen", r"^(video|audio|beitrag) abspielen$"),
    ("anhoren", r"^beitrag anhoren$"),
    ("lire la video", r"^lire la video$"),
    ("reproducir", r"^reproducir (el )?video$"),
    # market data furniture
    ("delayed", r"\bquotes? (are )?delayed (by )?(at least )?\d+ min"),
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
    # Swedish, Danish, Norwegian
    ("prenumerera", r"\bprenumerera\b"),
    ("abonnent", r"\b(bliv|bli) abonnent\b"),
    ("tipsa oss", r"\btipsa oss\b"),
    ("tip os", r"\btip os\b"),
    ("fel i artikeln", r"\bfel i artikeln\b"),
    # Polish
    ("masz temat", r"\bmasz temat\b"),
    ("napisz do nas", r"\bnapisz do nas\b"),
    ("czekamy na", r"\bczekamy na (wasze|twoje) (zdjecia|sygnaly|listy|opinie)\b"),
    ("zapisz sie", r"\bzapisz sie (do|na) (newslettera|newsletter)\b"),
    ("subskrybuj", r"\bsubskrybuj\b"),
    ("erro", r"\b(encontrou|viu) um erro ?\?"),
    ("erro", r"^(comunicar|reportar) (um )?erro\b"),
)
# the words that PROMPT_PATTERNS cannot match without, each once
PROMPT_WORDS: tuple[str, ...] = tuple(dict.fromkeys(word for word, _ in PROMPT_PATTERNS))

# each pattern behind the word it needs, compiled (searched in the folded text of a short block
# or line, accents gone)
_PROMPTS: dict[str, re.Pattern[str]] = {
    word: re.compile("|".join(f"(?:{p})" for w, p in PROMPT_PATTERNS if w == word))
    for word in PROMPT_WORDS
}


def is_prompt(text: str) -> bool:
    """True when `text` speaks like a subscription, newsletter, app, social or cookie box."""
    return speaks_as_prompt(normalise_line(text))


def speaks_as_prompt(folded: str) -> bool:
    """is_prompt for text already in normalise_line form."""
    return any(word in folded and pattern.search(folded) for word, pattern in _PROMPTS.items())
