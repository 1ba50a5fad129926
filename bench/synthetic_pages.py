"""Generated news pages for the crawl benchmark (`--synthetic`): distinct, news-like prose.

Each page is 400-900 words of article text in realistic furniture (nav, cookie banner, share
bars, related links, comments, footer), about 9.4 KiB; the stories' casts, words and sentence
shapes differ so that no two pages share much text, and a page whose text lands near an
earlier one's by SimHash is generated again.
"""

from __future__ import annotations

import html
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

DISTINCT_MARGIN_BITS = 4  # the extracted text differs a little from the generated one


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_FIRST = _words(
    "Amara Okafor Lukas Brandt Sofia Marchetti Ines Duarte Tomasz Nowak Hannah Lindqvist "
    "Rafael Ortega Mei Tanaka Kwame Mensah Elena Petrova Jonas Vermeulen Aisha Rahman Pablo "
    "Serrano Freya Nilsen Dmitri Volkov Chloe Martin Yusuf Demir Nadia Haddad Oliver Grant "
    "Leila Karimi Mateo Ruiz Ingrid Solberg Samuel Adeyemi Clara Weiss Viktor Horvat"
)
_PLACES = _words(
    "Rotterdam Lyon Gdansk Porto Tampere Bilbao Leeds Graz Aarhus Turin Brno Cork Malmo "
    "Valencia Dresden Split Bergen Ghent Lille Krakow Seville Utrecht Bremen Nantes Bologna "
    "Tartu Kaunas Linz Galway Plovdiv Coimbra Salzburg Odense Toulouse Riga Zaragoza"
)
_BODIES = (
    "the city council",
    "the regional assembly",
    "the port authority",
    "the transport ministry",
    "the health board",
    "the energy regulator",
    "the teachers' union",
    "the chamber of commerce",
    "the water company",
    "the housing association",
    "the district court",
    "the national audit office",
    "the university senate",
    "the fisheries committee",
    "the rail operator",
    "the environment agency",
    "the farmers' cooperative",
    "the hospital trust",
)
_TOPICS = (
    "the new tram line",
    "school funding",
    "flood defences",
    "the harbour expansion",
    "rent controls",
    "the wind farm tender",
    "night bus services",
    "the hospital merger",
    "bridge repairs",
    "the recycling contract",
    "broadband coverage",
    "the stadium lease",
    "air quality limits",
    "the pension reform",
    "fishing quotas",
    "the library closures",
    "district heating",
    "the airport runway",
    "youth unemployment",
    "the cycle network",
    "water tariffs",
    "the budget deficit",
    "coastal erosion",
    "the teachers' pay deal",
)
_VERBS = (
    "approved",
    "rejected",
    "postponed",
    "questioned",
    "defended",
    "criticised",
    "welcomed",
    "amended",
    "revived",
    "scrapped",
    "endorsed",
    "challenged",
    "reviewed",
    "delayed",
    "funded",
    "audited",
)
_ADJ = (
    "costly",
    "contested",
    "long-awaited",
    "controversial",
    "modest",
    "ambitious",
    "overdue",
    "scaled-back",
    "revised",
    "temporary",
    "unpopular",
    "cautious",
    "sweeping",
    "fragile",
    "stalled",
    "expanded",
)
_NOUNS = (
    "plan",
    "proposal",
    "budget",
    "contract",
    "timetable",
    "agreement",
    "inquiry",
    "report",
    "tender",
    "subsidy",
    "deadline",
    "petition",
    "survey",
    "forecast",
    "settlement",
    "review",
)
_GROUPS = (
    "residents",
    "shop owners",
    "commuters",
    "parents",
    "nurses",
    "engineers",
    "students",
    "pensioners",
    "taxi drivers",
    "local farmers",
    "dock workers",
    "small landlords",
    "opposition councillors",
    "environmental campaigners",
    "bus drivers",
    "tenants",
)
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_FORMS = 18  # sentence shapes in _Prose.sentence
_TOWN_ENDS = ("burg", "by", "ton", "ville", "stad", "heim", "ford", "ova")
_SECTIONS = ("World", "Business", "Politics", "Local", "Science", "Climate", "Transport")
_FILLER = (
    "according to documents seen by this newspaper",
    "despite repeated warnings",
    "after months of negotiation",
    "for the second time this year",
    "in a late-night session",
    "without a formal vote",
    "ahead of the winter season",
    "under pressure from the unions",
    "following a critical audit",
    "amid rising costs",
    "with little public debate",
    "behind closed doors",
)


_SYLLABLES = _words(
    "ka ren vo li mar te sol an bri dun el fa gor hal is jen kel lum nor os per quin ras "
    "sen tor ul var wen yor zel ad bel cor dar ev fin gal hen ir jor kas lor mun nel or "
    "pra rik sta tam ur vik wal"
)


def _coined(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(syllables)).capitalize()


@dataclass(slots=True)
class _Prose:
    """One story's cast: people, places and topic stay with the story, as in real news."""

    rng: random.Random
    people: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    topic: str = ""
    body: str = ""
    words: dict[str, list[str]] = field(default_factory=dict)
    forms: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        r = self.rng
        self.people = [
            f"{r.choice(_FIRST)} {_coined(r, r.randint(2, 3))}" for _ in range(r.randint(3, 5))
        ]
        self.places = [r.choice(_PLACES), _coined(r, 2), _coined(r, 3) + r.choice(_TOWN_ENDS)]
        self.topic = r.choice(_TOPICS)
        self.body = r.choice(_BODIES)
        # each story (each writer) leans on its own words and sentence shapes
        pools = {"verbs": _VERBS, "adj": _ADJ, "nouns": _NOUNS, "groups": _GROUPS}
        self.words = {key: r.sample(pool, 4) for key, pool in pools.items()}
        self.words["filler"] = r.sample(_FILLER, 3)
        self.forms = r.sample(range(_FORMS), 8)

    def person(self) -> str:
        return self.rng.choice(self.people)

    def place(self) -> str:
        return self.rng.choice(self.places)

    def number(self) -> str:
        return self.rng.choice(
            (
                f"{self.rng.randint(2, 98)} percent",
                f"€{self.rng.randint(1, 950)} million",
                f"{self.rng.randint(12, 9800):,} households",
                f"{self.rng.randint(3, 48)} months",
                f"{self.rng.randint(2, 400)} jobs",
                f"{self.rng.randint(1, 60)} kilometres",
            )
        )

    def sentence(self) -> str:
        r = self.rng
        c = r.choice
        w = self.words
        forms = (
            lambda: (
                f"{self.body.capitalize()} {c(w['verbs'])} the {c(w['adj'])} {c(w['nouns'])} for "
                f"{self.topic} on {c(_DAYS)}, {c(w['filler'])}."
            ),
            lambda: (
                f"“We cannot keep {c(('waiting', 'guessing', 'paying', 'pretending'))} "
                f"while {self.topic} {c(('drifts', 'stalls', 'costs more', 'slips'))},” said "
                f"{self.person()}, who speaks for {c(w['groups'])} in {self.place()}."
            ),
            lambda: (
                f"The {c(w['nouns'])} would cost about {self.number()}, and {c(w['groups'])} "
                f"in {self.place()} fear the bill will land on them {c(w['filler'])}."
            ),
            lambda: (
                f"Figures released in {c(_MONTHS)} show {self.number()} more than "
                f"{self.body} forecast, a gap {self.person()} called "
                f"“{c(w['adj'])} and avoidable”."
            ),
            lambda: (
                f"{self.person()}, a {c(('former', 'senior', 'retired', 'junior'))} "
                f"{c(('engineer', 'economist', 'planner', 'auditor', 'lawyer', 'official'))} in "
                f"{self.place()}, said the {c(w['nouns'])} ignored {c(w['groups'])} entirely."
            ),
            lambda: (
                f"In {self.place()}, {c(w['groups'])} have already {c(w['verbs'])} a similar "
                f"{c(w['nouns'])}, and {self.body} {c(('expects', 'fears', 'hopes', 'doubts'))} "
                f"the same outcome by {c(_MONTHS)}."
            ),
            lambda: (
                f"Critics point out that {self.topic} has been {c(w['verbs'])} "
                f"{r.randint(2, 9)} times since {r.randint(1998, 2024)}, each time with a "
                f"{c(w['adj'])} {c(w['nouns'])}."
            ),
            lambda: (
                f"A {c(w['nouns'])} by {self.body} estimates that {self.number()} depend "
                f"on {self.topic}, mostly in {self.place()} and {self.place()}."
            ),
            lambda: (
                f"Asked whether the {c(w['nouns'])} would survive {c(_MONTHS)}, "
                f"{self.person()} said only that “{c(w['groups'])} deserve a straight answer”."
            ),
            lambda: (
                f"The decision on {self.topic} now passes to {self.body}, which meets "
                f"again on {c(_DAYS)} {r.randint(1, 28)} {c(_MONTHS)}."
            ),
            lambda: (
                f"Officials in {self.place()} expect {self.topic} to cost {self.number()} "
                f"over the next {r.randint(2, 12)} years."
            ),
            lambda: (
                f"Few {c(w['groups'])} were consulted, {self.person()} wrote in a letter to "
                f"{self.body} last {c(_DAYS)}."
            ),
            lambda: (
                f"Since {c(_MONTHS)} {r.randint(2015, 2025)}, {self.place()} has spent "
                f"{self.number()} on {self.topic} alone."
            ),
            lambda: (
                f"“Nobody here asked for a {c(w['adj'])} {c(w['nouns'])},” "
                f"{self.person()} told reporters outside the town hall."
            ),
            lambda: (
                f"Opposition members want an independent {c(w['nouns'])} before any money "
                f"for {self.topic} is released."
            ),
            lambda: (
                f"{self.person()} has promised to publish the full {c(w['nouns'])} by "
                f"{c(_DAYS)}, {c(w['filler'])}."
            ),
            lambda: (
                f"Neighbouring {self.place()} tried something similar in "
                f"{r.randint(2005, 2023)} and {c(('dropped it', 'doubled it', 'sold it off'))} "
                f"within {r.randint(2, 30)} months."
            ),
            lambda: (
                f"{self.body.capitalize()} declined to comment on the {c(w['adj'])} "
                f"figures, saying the {c(w['nouns'])} was still being drafted."
            ),
        )
        assert len(forms) == _FORMS
        return forms[c(self.forms)]()

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(2, 4)))

    def paragraphs(self, target_words: int) -> list[str]:
        """Paragraphs until there are at least `target_words` words."""
        out: list[str] = []
        words = 0
        while words < target_words:
            paragraph = self.paragraph()
            out.append(paragraph)
            words += len(paragraph.split())
        return out

    def headline(self) -> str:
        c = self.rng.choice
        w = self.words
        story = f"{c(w['verbs'])} {c(w['adj'])} {c(w['nouns'])} on {self.topic}"
        return f"{self.place()}: {self.body} {story}".capitalize()


def article_html(index: int, base_url: str, seed: int, variant: int = 0) -> tuple[str, str]:
    """One news page of 400-900 words of article text in realistic furniture: (html, text)."""
    rng = random.Random(f"{seed}/{index}/{variant}")
    prose = _Prose(rng)
    title = prose.headline()
    paragraphs = prose.paragraphs(rng.randint(400, 900))
    author = prose.person()
    section = rng.choice(_SECTIONS)
    day = rng.randint(1, 28)
    url = f"{base_url}/news/{index:05d}.html"
    related = "".join(
        f'<li><a href="/news/{rng.randrange(100_000):05d}.html">{html.escape(prose.headline())}'
        f"</a></li>"
        for _ in range(5)
    )
    most_read = "".join(
        f'<li><a href="/news/{rng.randrange(100_000):05d}.html">{html.escape(prose.headline())}'
        f"</a></li>"
        for _ in range(5)
    )
    comments = "".join(
        f'<div class="comment"><span class="who">{html.escape(prose.person())}</span>'
        f"<p>{html.escape(prose.sentence())}</p><a href='#reply'>Reply</a></div>"
        for _ in range(rng.randint(2, 6))
    )
    body: list[str] = []
    text: list[str] = []  # what extraction should find: the paragraphs and the read-more line
    for n, paragraph in enumerate(paragraphs):
        body.append(f"<p>{html.escape(paragraph)}</p>")
        text.append(paragraph)
        if n == 2:
            body.append(
                f'<figure><img src="/img/{index}.jpg" alt="{html.escape(title)}">'
                f"<figcaption>{html.escape(prose.sentence())} Photo: "
                f"{html.escape(prose.person())}</figcaption></figure>"
            )
        if n == 4:
            teaser = prose.headline()
            body.append(
                f'<p class="read-more">Read more: <a href="/news/{rng.randrange(100_000):05d}'
                f'.html">{html.escape(teaser)}</a></p>'
            )
            text.append(f"Read more: {teaser}")
    nav = "".join(f'<li><a href="/{s.lower()}">{s}</a></li>' for s in _SECTIONS)
    description = html.escape(paragraphs[0][:180])
    published = f"2026-11-{day:02d}T0{rng.randint(6, 9)}:{rng.randint(10, 59)}:00+00:00"
    crumbs = f'<li><a href="/">Home</a></li><li><a href="/{section.lower()}">{section}</a></li>'
    return (
        f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{html.escape(title)} | The Bench Courier</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="description" content="{description}">
<link rel="canonical" href="{url}">
<meta property="og:title" content="{html.escape(title)}">
<meta property="og:site_name" content="The Bench Courier">
<meta property="og:image" content="{base_url}/img/{index}.jpg">
<meta property="article:published_time" content="{published}">
<meta name="author" content="{html.escape(author)}">
<link rel="stylesheet" href="/static/site.css"><script src="/static/app.js" defer></script>
</head>
<body>
<div class="cookie-banner">We use cookies to improve your experience.
  <button>Accept all</button> <button>Manage preferences</button></div>
<header><a class="logo" href="/">The Bench Courier</a>
<nav><ul><li><a href="/">Home</a></li>{nav}</ul></nav>
<form class="search" action="/search"><input name="q" placeholder="Search"></form></header>
<main>
<ol class="breadcrumb">{crumbs}</ol>
<article>
<h1>{html.escape(title)}</h1>
<div class="share-bar">Share: <a href="#fb">Facebook</a> <a href="#x">X</a>
  <a href="#li">LinkedIn</a> <a href="#mail">Email</a></div>
<p class="byline">By <a href="/authors/{index % 97}">{html.escape(author)}</a>,
  {day} November 2026</p>
{"".join(body)}
<div class="share-bar">Share this article: <a href="#fb">Facebook</a> <a href="#x">X</a></div>
<div class="tags">Topics: <a href="/tags/{section.lower()}">{section}</a></div>
</article>
<section class="related"><h2>More for You</h2><ul>{related}</ul></section>
<aside class="most-read"><h3>Most Read</h3><ol>{most_read}</ol></aside>
<div class="newsletter">Sign up for our morning briefing <input type="email">
  <button>Subscribe</button></div>
<section class="comments"><h3>Comments</h3>{comments}</section>
</main>
<footer><ul><li><a href="/about">About us</a></li><li><a href="/contact">Contact</a></li>
<li><a href="/privacy">Privacy</a></li><li><a href="/terms">Terms</a></li></ul>
© 2026 The Bench Courier. All rights reserved.</footer>
</body></html>""",
        "\n\n".join(text),
    )


def distinct_pages(base_urls: Sequence[str], seed: int) -> list[str]:
    """One page per base URL (page i is served by the site at `base_urls[i]`), their texts far
    apart by SimHash (a near-duplicate is generated again)."""
    from presswatch.extractors.fingerprint import MAX_DISTANCE, distance, simhash

    far = MAX_DISTANCE + DISTINCT_MARGIN_BITS
    pages: list[str] = []
    fingerprints: list[int] = []
    for index, base_url in enumerate(base_urls):
        for variant in range(100):
            page, text = article_html(index, base_url, seed, variant)
            fingerprint = simhash(text)
            if all(distance(fingerprint, other) > far for other in fingerprints):
                break
        pages.append(page)
        fingerprints.append(fingerprint)
    return pages
