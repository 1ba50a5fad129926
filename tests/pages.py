"""Realistic test pages, written for these tests: articles wrapped in real-world furniture."""

from __future__ import annotations

import html
import random
from collections.abc import Sequence

OWN_PASSAGE_TITLE = "Harbour channel to be dredged before spring tides"

# Lines that must never reach a stored clipping.
FURNITURE_LINES = (
    "Share:",
    "More for You",
    "Top Followed",
    "Top Followed181",
    "Most Read",
    "We use cookies to improve your experience.",
    "Sign up for our morning briefing",
    "All rights reserved.",
)

RELATED_HEADLINES = (
    "Lighthouse keeper retires after 40 years",
    "Gaming used to be so simple",
    "Ten recipes for a rainy weekend",
)


def article_page(
    title: str,
    paragraphs: Sequence[str],
    *,
    canonical: str | None = None,
    published: str | None = "2026-11-24T07:45:00+00:00",
    author: str = "Zoë Müller",
    lang: str = "en",
    charset_meta: str | None = "utf-8",
) -> str:
    """An article page with nav, cookie banner, share bars, related blocks, comments, footer."""
    head = [f"<title>{html.escape(title)} | The Test Gazette</title>"]
    if charset_meta:
        head.insert(0, f'<meta charset="{charset_meta}">')
    if canonical:
        head.append(f'<link rel="canonical" href="{html.escape(canonical)}">')
    if published:
        head.append(f'<meta property="article:published_time" content="{published}">')
    head.append(f'<meta name="author" content="{html.escape(author)}">')
    head.append('<meta property="og:site_name" content="The Test Gazette">')
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    related = "".join(
        f'<li><a href="/related/{i}">{h}</a></li>' for i, h in enumerate(RELATED_HEADLINES)
    )
    return f"""<!doctype html>
<html lang="{lang}"><head>{"".join(head)}</head>
<body>
<div class="cookie-banner">We use cookies to improve your experience.
  <button>Accept all</button> <button>Manage preferences</button></div>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/business">Business</a></li><li><a href="/sport">Sport</a></li></ul></nav>
<main>
<article>
<h1>{html.escape(title)}</h1>
<div class="share-bar">Share: <a href="#fb">Facebook</a> <a href="#x">X</a>
  <a href="#mail">Email</a></div>
<p class="byline">By {html.escape(author)}</p>
{body}
<div class="share-bar">Share:</div>
</article>
<section class="more"><h2>More for You</h2><ul>{related}</ul></section>
<section class="followed"><h3>Top Followed181</h3>
<ul><li>Harbour 181</li><li>Council 97</li><li>Weather 64</li></ul></section>
<aside><h3>Most Read</h3><ol><li><a href="/x">Storm closes coast road</a></li></ol></aside>
<div class="newsletter">Sign up for our morning briefing <input type="email"></div>
<section class="comments"><h3>Comments (2)</h3>
<div class="comment">Great piece, thanks!</div><div class="comment">I disagree entirely.</div>
</section>
</main>
<footer>© 2026 The Test Gazette. All rights reserved. <a href="/privacy">Privacy</a></footer>
</body></html>"""


def paragraphs_about(topic: str, n: int = 5, seed: int = 0) -> list[str]:
    """Distinct, sentence-like paragraphs (enough words to be an article): the same for the
    same topic and seed, and for another topic or seed as different as two reports of
    different events are (their sentences share no run of five words, nor their figures),
    so that neither the copy nor the same-story rule takes one for the other."""
    pick = random.Random(f"{topic}|{seed}")
    return [
        f"Paragraph {j + 1} on {topic}: {pick.choice(_WHO)} said {pick.choice(_WHEN)} "
        f"that the {pick.choice(_PLANS)} for {topic} would be {pick.choice(_DONE)} by the "
        f"{pick.choice(_BODIES)}, while {pick.choice(_PEOPLE)} of ward {pick.randrange(100, 999)} "
        f"asked for {pick.choice(_ANSWERS)} answers about {pick.choice(_WORRIES)}, "
        f"{pick.choice(_WORRIES)} and the {pick.choice(_EFFECTS)} on "
        f"{pick.choice(_SERVICES)} services."
        for j in range(n)
    ]


_WHO = ("officials", "planners", "ministers", "engineers", "auditors", "managers", "advisers")
_WHEN = ("on Monday", "on Tuesday", "late on Friday", "at noon", "this week", "on Sunday")
_PLANS = ("plan", "scheme", "proposal", "project", "programme", "bid", "strategy", "review")
_DONE = ("reviewed", "examined", "studied", "revised", "debated", "checked", "weighed")
_BODIES = ("committee", "panel", "board", "cabinet", "assembly", "trust", "inspectors")
_PEOPLE = ("residents", "traders", "parents", "tenants", "drivers", "neighbours", "pupils")
_ANSWERS = ("clearer", "quicker", "fuller", "honest", "written", "detailed", "public")
_WORRIES = ("costs", "timing", "noise", "parking", "traffic", "staffing", "funding", "access")
_EFFECTS = ("effect", "impact", "strain", "burden", "pressure", "toll", "bearing")
_SERVICES = ("local", "public", "health", "school", "bus", "postal", "social", "care")


def rss_feed(title: str, links: Sequence[str]) -> str:
    items = "".join(
        f"<item><title>Item {i}</title><link>{html.escape(link)}</link>"
        f"<guid>{html.escape(link)}</guid><pubDate>Mon, 23 Nov 2026 10:0{i % 10}:00 GMT</pubDate>"
        f"</item>"
        for i, link in enumerate(links)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>http://example.invalid/</link>{items}</channel></rss>"
    )


def atom_feed(title: str, links: Sequence[str]) -> str:
    entries = "".join(
        f'<entry><id>urn:test:{i}</id><title>Entry {i}</title><link rel="alternate" '
        f'href="{html.escape(link)}"/><updated>2026-11-2{i % 9}T08:00:00Z</updated></entry>'
        for i, link in enumerate(links)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{title}</title><id>urn:test</id><updated>2026-11-29T00:00:00Z</updated>"
        f"{entries}</feed>"
    )


def sitemap(links: Sequence[str], *, news: bool = False) -> str:
    ns = ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"' if news else ""
    urls = []
    for i, link in enumerate(links):
        extra = ""
        if news:
            extra = (
                "<news:news><news:publication><news:name>Test Gazette</news:name>"
                "<news:language>en</news:language></news:publication>"
                f"<news:publication_date>2026-11-2{i % 9}T06:00:00Z</news:publication_date>"
                f"<news:title>Story {i}</news:title></news:news>"
            )
        urls.append(f"<url><loc>{html.escape(link)}</loc>{extra}</url>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?><urlset '
        f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"{ns}>{"".join(urls)}</urlset>'
    )


def sitemap_index(links: Sequence[str]) -> str:
    maps = "".join(f"<sitemap><loc>{html.escape(link)}</loc></sitemap>" for link in links)
    return (
        '<?xml version="1.0" encoding="UTF-8"?><sitemapindex '
        f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{maps}</sitemapindex>'
    )
