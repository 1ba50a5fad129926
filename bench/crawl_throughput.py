"""End-to-end crawl throughput: N generated news pages on loopback, one real `run_crawl`.

Serves N realistic, distinct article pages (nav, cookie banner, share bars, related links,
comments, footer; 400-900 words each) from `presswatch.loopback.LoopbackSite`, listed in a few
sitemaps, writes a temporary presswatch.toml (temporary SQLite database) and runs ONE crawl
through `presswatch.crawler.run.run_crawl` (child process, extraction pool, SQLite storage).

Reported:
- crawl pages/s: N / wall time of run_crawl, process start and shutdown included;
- baseline: single-process `trafilatura.extract(html)` over the same N pages, in this process;
- ratio crawl/baseline (release criterion: >= 1.3, i.e. both cores are put to work);
- peak RSS of the crawl process tree (the crawl child process and everything it starts: the
  extraction pool workers), sampled from /proc: the sum of each process's VmHWM (an upper
  bound: the peaks need not coincide), the largest single VmHWM, and the largest sum of VmRSS
  seen at one sample (release criterion: under 400 MB at 1000 pages);
- pages stored (counted in the database afterwards) and the crawl's own counts.

Also printed: CPU seconds per process (from /proc, Linux only), CPU used by other processes
during the crawl (the machine may be shared), and the ratio ceiling that the extraction cost
alone allows. AutoThrottle is off unless --autothrottle: the loopback server is never slow.

Run: .venv/bin/python bench/crawl_throughput.py [--pages 1000]
"""

from __future__ import annotations

import argparse
import html
import http.server
import logging
import math
import os
import random
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from presswatch.crawler.run import Progress
    from presswatch.loopback import LoopbackSite

# presswatch is imported inside the functions: run_crawl starts its processes with "spawn",
# and every one of them (the crawl process, each extraction worker) imports this script as
# __mp_main__; imports up here would be paid again in each of them

HTML_HEADERS = {"Content-Type": "text/html; charset=utf-8"}
XML_HEADERS = {"Content-Type": "application/xml"}
URLS_PER_SITEMAP = 250
RATIO_TARGET = 1.3
MEMORY_TARGET_MB = 400.0
SAMPLE_INTERVAL_S = 0.1
DISTINCT_MARGIN_BITS = 4  # the extracted text differs a little from the generated one

# ---------------------------------------------------------------------------------------------
# page generator: news-like prose from word pools, so that no two pages share much text


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


def distinct_pages(n: int, base_url: str, seed: int) -> list[str]:
    """N pages whose texts are far apart by SimHash (a near-duplicate is generated again)."""
    from presswatch.extractors.fingerprint import MAX_DISTANCE, distance, simhash

    far = MAX_DISTANCE + DISTINCT_MARGIN_BITS
    pages: list[str] = []
    fingerprints: list[int] = []
    for index in range(n):
        for variant in range(100):
            page, text = article_html(index, base_url, seed, variant)
            fingerprint = simhash(text)
            if all(distance(fingerprint, other) > far for other in fingerprints):
                break
        pages.append(page)
        fingerprints.append(fingerprint)
    return pages


def sitemap_xml(links: Sequence[str]) -> str:
    urls = "".join(f"<url><loc>{html.escape(link)}</loc></url>" for link in links)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    )


# ---------------------------------------------------------------------------------------------
# memory: VmHWM / VmRSS of the crawl process tree, from /proc


@dataclass(slots=True)
class TreeMemory:
    """Per-process high-water marks (kB) of the crawl tree, and the largest concurrent sum."""

    hwm_kb: dict[int, int] = field(default_factory=dict)
    cpu_s: dict[int, float] = field(default_factory=dict)  # user + system, last seen
    roles: dict[int, str] = field(default_factory=dict)
    peak_rss_sum_kb: int = 0

    @property
    def sum_hwm_mb(self) -> float:
        return sum(self.hwm_kb.values()) / 1024

    @property
    def largest_hwm_mb(self) -> float:
        return max(self.hwm_kb.values(), default=0) / 1024

    def breakdown(self) -> str:
        parts = sorted(
            ((self.roles.get(pid, "?"), kb) for pid, kb in self.hwm_kb.items()),
            key=lambda p: -p[1],
        )
        return ", ".join(f"{role} {kb / 1024:.0f}" for role, kb in parts)

    def cpu_breakdown(self) -> str:
        parts = sorted(
            ((self.roles.get(pid, "?"), s) for pid, s in self.cpu_s.items()), key=lambda p: -p[1]
        )
        total = sum(self.cpu_s.values())
        return ", ".join(f"{role} {s:.1f}" for role, s in parts) + f"; total {total:.1f}"


_TICKS_PER_S = os.sysconf("SC_CLK_TCK")


def _processes() -> dict[int, tuple[int, float]]:
    """pid -> (parent pid, CPU seconds used) for every process."""
    found: dict[int, tuple[int, float]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", encoding="ascii", errors="replace") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        found[int(name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICKS_PER_S)
    return found


def _status_kb(pid: int) -> tuple[int, int] | None:
    """(VmHWM, VmRSS) in kB, or None when the process is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
            text = f.read()
    except OSError:
        return None
    values = {"VmHWM:": 0, "VmRSS:": 0}
    for line in text.splitlines():
        key = line.split(maxsplit=1)[0] if line else ""
        if key in values:
            values[key] = int(line.split()[1])
    return values["VmHWM:"], values["VmRSS:"]


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


class TreeSampler(threading.Thread):
    """Samples every descendant of the crawl process(es) this process starts, until stopped.

    This process's own multiprocessing resource tracker is not part of the crawl and is left
    out; everything under the crawl child (the extraction workers) is counted.
    """

    def __init__(self) -> None:
        super().__init__(name="rss-sampler", daemon=True)
        self.memory = TreeMemory()
        self._stop_event = threading.Event()
        self._root = os.getpid()
        self._crawl_roots: set[int] = set()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self._sample()
            self._stop_event.wait(SAMPLE_INTERVAL_S)
        self._sample()

    def stop(self) -> TreeMemory:
        self._stop_event.set()
        self.join()
        return self.memory

    def _sample(self) -> None:
        processes = _processes()
        parents = {pid: parent for pid, (parent, _) in processes.items()}
        for pid, parent in parents.items():
            if (
                parent == self._root
                and pid not in self._crawl_roots
                and "resource_tracker" not in _cmdline(pid)
            ):
                self._crawl_roots.add(pid)
                self.memory.roles[pid] = "crawl"
        tree = set(self._crawl_roots)
        children: dict[int, list[int]] = {}
        for pid, parent in parents.items():
            children.setdefault(parent, []).append(pid)
        pending = list(self._crawl_roots)
        while pending:
            for child in children.get(pending.pop(), []):
                if child not in tree:
                    tree.add(child)
                    pending.append(child)
                    if child not in self.memory.roles:
                        tracker = "resource_tracker" in _cmdline(child)
                        self.memory.roles[child] = "tracker" if tracker else "worker"
        rss_sum = 0
        for pid in tree:
            status = _status_kb(pid)
            if status is None:
                continue
            hwm, rss = status
            self.memory.cpu_s[pid] = processes[pid][1]
            self.memory.hwm_kb[pid] = max(hwm, self.memory.hwm_kb.get(pid, 0))
            rss_sum += rss
        self.memory.peak_rss_sum_kb = max(self.memory.peak_rss_sum_kb, rss_sum)


# ---------------------------------------------------------------------------------------------
# the benchmark


@dataclass(slots=True)
class ProgressClock:
    """When the first page was stored, as seen by the parent (progress every 0.25 s)."""

    start: float
    first_stored_s: float | None = None

    def __call__(self, progress: Progress) -> None:
        stored = sum(c.stored for c in progress.counts.values())
        if stored and self.first_stored_s is None:
            self.first_stored_s = time.perf_counter() - self.start


def baseline_pages_per_s(pages: Sequence[str]) -> float:
    """Plain `trafilatura.extract(html)` over every page, one process, one thread."""
    import trafilatura

    trafilatura.extract(pages[0])  # imports and lazy set-up are not part of the rate
    start = time.perf_counter()
    extracted = sum(1 for page in pages if trafilatura.extract(page))
    elapsed = time.perf_counter() - start
    if extracted != len(pages):
        print(f"warning: trafilatura found no text in {len(pages) - extracted} pages")
    return len(pages) / elapsed


def write_config(directory: Path, sitemaps: Sequence[str], args: argparse.Namespace) -> Path:
    path = directory / "presswatch.toml"
    sitemap_list = ", ".join(f'"{url}"' for url in sitemaps)
    path.write_text(
        f"""[database]
url = "sqlite:///{directory / "bench.db"}"

[crawl]
allow_networks = ["127.0.0.0/8"]
concurrency = {args.concurrency}
per_domain_concurrency = {args.per_domain}
timeout = 30
retries = 2
autothrottle = {"true" if args.autothrottle else "false"}
extract_workers = {args.workers}

[extract]
timeout = "{args.extract_timeout}"

[[sources]]
name = "bench"
sitemaps = [{sitemap_list}]
""",
        encoding="utf-8",
    )
    return path


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--pages", type=int, default=1000, help="article pages (default 1000)")
    parser.add_argument("--per-sitemap", type=int, default=URLS_PER_SITEMAP)
    parser.add_argument("--concurrency", type=int, default=32, help="[crawl] concurrency")
    parser.add_argument("--per-domain", type=int, default=16, help="per_domain_concurrency")
    parser.add_argument("--workers", type=int, default=0, help="extract_workers (0: per core)")
    parser.add_argument("--autothrottle", action="store_true", help="turn AutoThrottle on")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-baseline", action="store_true", help="skip the trafilatura run")
    parser.add_argument(
        "--pathological",
        action="store_true",
        help="make the last page one that stalls extraction (14,000 spans in a paragraph)",
    )
    parser.add_argument("--extract-timeout", default="20s", help="[extract] timeout")
    return parser.parse_args(argv)


def stalling_page() -> str:
    """A page under the element limit whose extraction takes seconds (trafilatura's time grows
    with the square of the spans in one paragraph): it has to be stopped at the deadline."""
    spans = "".join(f"<span>w{i}</span> " for i in range(14_000))
    return f"<html><body><article><h1>Stalls</h1><p>{spans}</p></article></body></html>"


def serve(site: LoopbackSite, pages: Sequence[str], per_sitemap: int) -> list[str]:
    """Serve the pages under /news/ and sitemaps listing them; returns the sitemap URLs."""
    from presswatch.loopback import Route

    links = [site.url(f"/news/{i:05d}.html") for i in range(len(pages))]
    for link, page in zip(links, pages, strict=True):
        site.add(link.removeprefix(site.base_url), Route(page.encode(), headers=HTML_HEADERS))
    sitemaps: list[str] = []
    for k in range(math.ceil(len(links) / per_sitemap)):
        chunk = links[k * per_sitemap : (k + 1) * per_sitemap]
        site.add(f"/sitemap-{k}.xml", Route(sitemap_xml(chunk).encode(), headers=XML_HEADERS))
        sitemaps.append(site.url(f"/sitemap-{k}.xml"))
    site.add("/robots.txt", Route(b"User-agent: *\nAllow: /\n", headers={}))
    return sitemaps


def _machine_busy_s() -> float:
    """CPU seconds the whole machine has been busy (all cores), from /proc/stat."""
    with open("/proc/stat", encoding="ascii") as f:
        ticks = [int(v) for v in f.readline().split()[1:]]
    idle = ticks[3] + ticks[4]  # idle + iowait
    return (sum(ticks[:8]) - idle) / _TICKS_PER_S


def _self_cpu_s() -> float:
    times = os.times()
    return times.user + times.system


def _load() -> str:
    with open("/proc/loadavg", encoding="ascii") as f:
        return " ".join(f.read().split()[:3])


def main(argv: Sequence[str] | None = None) -> int:
    from presswatch.config import load_config
    from presswatch.counts import CrawlCounts
    from presswatch.crawler.run import run_crawl
    from presswatch.loopback import LoopbackSite
    from presswatch.storage.db import open_database
    from presswatch.storage.repository import Repository

    args = parse_args(argv)
    n = args.pages
    # socketserver listens with a backlog of 5: the crawler opens per_domain_concurrency
    # connections at once, and the SYNs past 5 are dropped and retried a second later
    http.server.ThreadingHTTPServer.request_queue_size = 128
    with tempfile.TemporaryDirectory(prefix="presswatch-bench-") as tmp, LoopbackSite() as site:
        directory = Path(tmp)
        pages = distinct_pages(n, site.base_url, args.seed)
        if args.pathological:
            pages[-1] = stalling_page()
        sitemaps = serve(site, pages, args.per_sitemap)
        words = sum(len(p.split()) for p in pages) / n
        print(
            f"{n} pages ({sum(map(len, pages)) / n / 1024:.1f} KiB, ~{words:.0f} words of "
            f"markup+text each) in {len(sitemaps)} sitemaps; {os.cpu_count()} cores; "
            f"load average before: {_load()}"
        )

        normal = pages[:-1] if args.pathological else pages  # the baseline would never end
        baseline = float("nan") if args.no_baseline else baseline_pages_per_s(normal)
        config = load_config(write_config(directory, sitemaps, args))

        sampler = TreeSampler()
        sampler.start()
        busy_before, self_before = _machine_busy_s(), _self_cpu_s()
        clock = ProgressClock(time.perf_counter())
        summary = run_crawl(config, config.sources, on_progress=clock)
        elapsed = time.perf_counter() - clock.start
        memory = sampler.stop()
        machine_busy = _machine_busy_s() - busy_before
        bench_cpu = _self_cpu_s() - self_before
        stored = Repository(open_database(config.database.url)).count_clippings()

    counts = CrawlCounts()
    for result in summary.results:
        counts.add(result.counts)
    crawl_rate = n / elapsed
    ratio = crawl_rate / baseline
    print(
        f"settings: concurrency {args.concurrency}, per_domain_concurrency {args.per_domain}, "
        f"extract_workers {args.workers or 'auto'}, autothrottle "
        f"{'ON' if args.autothrottle else 'OFF (benchmark only; on by default)'}"
    )
    print(
        f"crawl wall time {elapsed:.2f} s; first page stored after "
        f"{clock.first_stored_s or float('nan'):.2f} s (process start, imports, pool, schema); "
        f"load average after: {_load()}"
    )
    print("counts: " + ", ".join(f"{k} {v}" for k, v in counts.as_dict().items()))
    for error in summary.errors[:5]:
        print(f"  error: {error.kind} {error.url}: {error.message}")
    others = machine_busy - bench_cpu - sum(memory.cpu_s.values())
    print(
        f"CPU s: {memory.cpu_breakdown()} (wall x cores = {elapsed * (os.cpu_count() or 1):.1f}); "
        f"this script (HTTP server, sampler) {bench_cpu:.1f}; other processes {others:.1f}"
        + ("  <- the machine was shared, the figures are low" if others > 0.1 * elapsed else "")
    )
    cores = os.cpu_count() or 1
    crawl_ms = sum(s for pid, s in memory.cpu_s.items() if memory.roles.get(pid) == "crawl")
    workers_ms = sum(s for pid, s in memory.cpu_s.items() if memory.roles.get(pid) == "worker")
    crawl_ms, workers_ms = crawl_ms * 1000 / n, workers_ms * 1000 / n
    print(
        f"CPU ms per page: crawl process {crawl_ms:.1f}, extraction workers {workers_ms:.1f} "
        f"(plain trafilatura.extract: {1000 / baseline:.1f}); ratio ceiling with this extraction "
        f"cost, every core extracting and nothing else: {cores * 1000 / baseline / workers_ms:.2f}"
    )
    print(
        f"memory (MB, VmHWM per process): {memory.breakdown()}; largest concurrent VmRSS sum "
        f"{memory.peak_rss_sum_kb / 1024:.0f} MB"
    )
    print()
    print(
        "pages  crawl pages/s  trafilatura 1-proc pages/s  ratio  peak RSS (sum / largest)  stored"
    )
    rss = f"{memory.sum_hwm_mb:.0f} MB / {memory.largest_hwm_mb:.0f} MB"
    print(f"{n:<6} {crawl_rate:<14.1f} {baseline:<27.1f} {ratio:<6.2f} {rss:<25} {stored}")
    ok_ratio = ratio >= RATIO_TARGET
    ok_memory = memory.sum_hwm_mb < MEMORY_TARGET_MB
    if args.pathological:
        timeouts = sum(1 for e in summary.errors if e.kind == "extraction-timeout")
        ok_stored = stored == n - 1 and counts.errors == 1 and timeouts == 1
        expected = f"{n - 1} stored, one extraction timeout"
    else:
        ok_stored = stored == n and counts.errors == 0
        expected = f"all {n} stored, no errors"
    print(
        f"\nratio >= {RATIO_TARGET}: {'PASS' if ok_ratio else 'FAIL'}; peak RSS sum < "
        f"{MEMORY_TARGET_MB:.0f} MB: {'PASS' if ok_memory else 'FAIL'}; {expected}: "
        f"{'PASS' if ok_stored else 'FAIL'}"
    )
    return 0 if ok_ratio and ok_memory and ok_stored else 1


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    sys.exit(main())
