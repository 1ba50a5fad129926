"""End-to-end crawl throughput on real news pages: N pages on 4 loopback hosts, one `run_crawl`.

By default the pages are real: the 181 news pages of the shared corpus
(`shared/corpus/scrapinghub/html/*.html.gz`, read in place, next to the repository, or from
--corpus DIR), repeated to N (default 1000). Each copy gets made-up sentences of its own in
its text runs, so that no two copies fold as near-duplicates (its article text is about 30%
longer than the original's; the baseline reads the same copies); every copy is extracted once in
this process by presswatch's own `extract_page`, at the URL it is served at, to make sure of
that (a copy near an earlier one is made again) and to know how many the crawl should store
(bench/corpus_pages.py says how and why). Copies are served gzip-compressed, as news sites
serve them. `--synthetic` serves generated pages instead (bench/synthetic_pages.py: ~9.4 KiB,
400-900 words in nav, share bars, related links, comments), as this benchmark did before.

The pages are spread round-robin over 4 `presswatch.loopback.LoopbackSite`s on 127.0.0.1 to
127.0.0.4 (all of 127/8 is loopback on Linux, and Scrapy keeps a download slot per host), each
with its own sitemaps and robots.txt, one `[[sources]]` each. The temporary presswatch.toml
(temporary SQLite database) has 8 `[[topics]]` in the query language, notifying a webhook
channel: matches, snippets and outbox rows are written as in a deployment; nothing is sent
(`run_crawl` does not deliver). Then ONE crawl runs through `presswatch.crawler.run.run_crawl`
(the crawl process, its extraction workers, storage, matching).

Reported:
- pages/s end to end: N / wall time of run_crawl, process start and shutdown included; the
  baseline, single-process plain `trafilatura.extract(html)` over the same pages in this
  process before the crawl; and their ratio;
- CPU ms per stored page of the whole crawl process tree (the rusage of the crawl process and
  its workers once reaped: exact), split per process as sampled from /proc every 0.1 s: the
  crawl process and the extraction workers, each split again by the stages the crawl reports
  (`summary.stage_cpu_s`, when this presswatch has it: "crawl:storage", "worker:extraction",
  ...; the rest of the crawl process is "Scrapy and the rest"), and how much of it was spent
  before the first request (a fixed cost: processes starting, imports); beside plain
  trafilatura's ms per page, and the ratio of the two;
- startup: from the call to run_crawl to the first HTTP request any loopback host answers
  (every route is wrapped to note the time), to the first article page asked for, and to the
  first page stored (the parent hears of it every 0.25 s);
- peak RSS of the crawl process tree: the largest sum of VmRSS over its processes at one
  sample (sampled: a peak between two samples is missed), and each process's VmHWM;
- pages stored (counted in the database afterwards) against those expected, the crawl's own
  counts, errors; CPU used by this script and by other processes (the machine may be shared).

Targets, printed PASS/FAIL (exit status 1 when one fails): real pages: ratio >= 1.6;
--synthetic: ratio >= 1.0 and tree CPU per page <= 1.5 x trafilatura's; both: peak RSS sum
< 350 MB, startup (first request) < 1.5 s, and every page expected stored, none folded as a
duplicate, no errors (with --pathological: the last page is one that stalls extraction, and it
must end as the one extraction timeout instead). AutoThrottle is off unless --autothrottle:
the loopback hosts are never slow.

Run: ./dev bench crawl_throughput [--pages 1000] [--synthetic] [--no-baseline] ...
"""

from __future__ import annotations

import argparse
import html
import logging
import math
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from presswatch.counts import CrawlSummary
    from presswatch.crawler.run import Progress
    from presswatch.loopback import Handler, LoopbackSite, Route

# presswatch is imported inside the functions: run_crawl starts its processes with "spawn",
# and every one of them (the crawl process, each extraction worker) imports this script as
# __mp_main__; imports up here would be paid again in each of them (so are corpus_pages and
# synthetic_pages, imported where they are used)

HOSTS = ("127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4")
DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
HTML_HEADERS = {"Content-Type": "text/html; charset=utf-8"}
XML_HEADERS = {"Content-Type": "application/xml"}
URLS_PER_SITEMAP = 250
REAL_RATIO_TARGET = 1.6
SYNTHETIC_RATIO_TARGET = 1.0
SYNTHETIC_CPU_TARGET = 1.5  # tree CPU per page, in plain trafilatura's ms per page
MEMORY_TARGET_MB = 350.0
STARTUP_TARGET_S = 1.5
SAMPLE_INTERVAL_S = 0.1
CHANNEL = "bench-webhook"  # never sent to: run_crawl queues alerts, it does not deliver them
# topics a newsroom might follow: AND, OR, NOT, phrases, prefixes, NEAR/n and title:
TOPICS = (
    ("energy", '"wind farm" OR solar OR (energy AND price*)'),
    ("elections", "election* OR title:vote* OR (poll* NEAR/5 voter*) OR candidate*"),
    ("climate", '(climate NEAR/5 change) OR emission* OR "carbon dioxide" OR "global warming"'),
    ("big-tech", "(Apple OR Google OR Amazon OR Microsoft OR Facebook) NOT title:review"),
    ("markets", "(stock* OR shares OR bond*) AND (market* OR investor*)"),
    ("health", 'vaccin* OR hospital* OR "public health" OR (cancer NEAR/10 study)'),
    ("football", 'football OR soccer OR "premier league" OR title:(goal* OR striker)'),
    ("security", '("security guarantee*" AND (Ukraine OR Kyiv)) OR cyberattack* OR "data breach"'),
)


# ---------------------------------------------------------------------------------------------
# the pages and the hosts that serve them


@dataclass(slots=True)
class PageSet:
    """The pages to serve (one route per URL) and what the crawl should make of them."""

    routes: list[Route]
    html: Callable[[], Iterable[str]]  # the pages' HTML as the baseline reads it
    expected_stored: int  # pages presswatch's extractor calls articles
    expected_folded: int = 0  # of those, near-duplicates of another (stored, marked)
    notes: list[str] = field(default_factory=list)  # how they were made, for the output


def page_urls(sites: Sequence[LoopbackSite], n: int) -> list[str]:
    """Page k's URL: /news/k on host k % 4, so that each host serves every fourth page."""
    return [sites[k % len(sites)].url(f"/news/{k:05d}.html") for k in range(n)]


def synthetic_page_set(sites: Sequence[LoopbackSite], n: int, seed: int) -> PageSet:
    """Generated pages, as this benchmark served them before real pages (all articles)."""
    from synthetic_pages import distinct_pages

    from presswatch.loopback import Route

    pages = distinct_pages([sites[k % len(sites)].base_url for k in range(n)], seed)
    kib = sum(map(len, pages)) / max(n, 1) / 1024
    words = sum(len(p.split()) for p in pages) / max(n, 1)
    return PageSet(
        [Route(page.encode(), headers=HTML_HEADERS) for page in pages],
        lambda: pages,
        expected_stored=n,
        notes=[f"synthetic pages ({kib:.1f} KiB, ~{words:.0f} words of markup+text each)"],
    )


def real_page_set(sites: Sequence[LoopbackSite], n: int, args: argparse.Namespace) -> PageSet:
    """Copies of the corpus's real pages, distinct by SimHash, served gzip-compressed."""
    from corpus_pages import CONTENT_TYPE, distinct_copies, read_corpus

    from presswatch.loopback import Route

    corpus = read_corpus(args.corpus)
    started = time.perf_counter()
    copies, report = distinct_copies(corpus, page_urls(sites, n), args.seed)
    headers = {"Content-Type": CONTENT_TYPE, "Content-Encoding": "gzip"}
    sizes = [len(c.html().encode()) for c in copies[: len(corpus)]]
    served_kib = sum(len(c.body_gz) for c in copies) / max(n, 1) / 1024
    not_articles = "; ".join(f"{k} x{v}" for k, v in report.not_articles.items()) or "none"
    growth = (report.growth() - 1) * 100
    return PageSet(
        [Route(c.body_gz, headers=headers) for c in copies],
        lambda: (c.html() for c in copies),
        expected_stored=sum(c.is_article for c in copies),
        expected_folded=report.still_near,
        notes=[
            f"real pages: {report.corpus_pages} of the {len(corpus)} corpus pages in {args.corpus}"
            f" repeated to {n} copies ({statistics.mean(sizes) / 1024:.0f} KiB of HTML each, "
            f"median {statistics.median(sizes) / 1024:.0f} KiB; served gzip-compressed: "
            f"{served_kib:.0f} KiB)",
            f"made distinct in {time.perf_counter() - started:.1f} s: made-up sentences in each "
            f"copy's text runs, its article text {growth:+.0f}% words (median); "
            f"{report.extractions} extractions by presswatch's extract_page in one process "
            f"({report.extract_s * 1000 / max(report.extractions, 1):.1f} ms each), "
            f"{report.remade} copies made again (near an earlier one), {report.still_near} "
            f"still near after every try",
            f"not articles by presswatch's extractor: {not_articles}",
        ],
    )


def stalling_page() -> str:
    """A page under the element limit whose extraction takes seconds (trafilatura's time grows
    with the square of the spans in one paragraph): it has to be stopped at the deadline."""
    spans = "".join(f"<span>w{i}</span> " for i in range(14_000))
    return f"<html><body><article><h1>Stalls</h1><p>{spans}</p></article></body></html>"


@dataclass(slots=True)
class RequestClock:
    """When the loopback hosts were first asked for anything, and for an article page."""

    first_request: float | None = None  # time.perf_counter()
    first_page: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def timed(self, route: Route, *, is_page: bool) -> Handler:
        """`route`, as a handler that notes the time it is asked for."""

        def answer(path: str) -> Route:
            now = time.perf_counter()
            with self.lock:
                self.first_request = self.first_request or now
                if is_page:
                    self.first_page = self.first_page or now
            return route

        return answer


def serve(
    sites: Sequence[LoopbackSite],
    urls: Sequence[str],
    routes: Sequence[Route],
    per_sitemap: int,
    clock: RequestClock,
) -> list[list[str]]:
    """Serve page k at `urls[k]` on host k % 4 (see page_urls), with each host's sitemaps and
    robots.txt, every route timed by `clock`; returns each host's sitemap URLs."""
    from presswatch.loopback import Route

    for k, (url, route) in enumerate(zip(urls, routes, strict=True)):
        site = sites[k % len(sites)]
        site.add(url.removeprefix(site.base_url), clock.timed(route, is_page=True))
    sitemaps: list[list[str]] = []
    for h, site in enumerate(sites):
        links = urls[h :: len(sites)]
        own: list[str] = []
        for k in range(math.ceil(len(links) / per_sitemap)):
            chunk = links[k * per_sitemap : (k + 1) * per_sitemap]
            sitemap = Route(sitemap_xml(chunk).encode(), headers=XML_HEADERS)
            site.add(f"/sitemap-{k}.xml", clock.timed(sitemap, is_page=False))
            own.append(site.url(f"/sitemap-{k}.xml"))
        robots = Route(b"User-agent: *\nAllow: /\n", headers={})
        site.add("/robots.txt", clock.timed(robots, is_page=False))
        sitemaps.append(own)
    return sitemaps


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
    # (time.perf_counter(), CPU seconds of the tree so far) at each sample
    cpu_series: list[tuple[float, float]] = field(default_factory=list)

    def cpu_s_at(self, moment: float) -> float:
        """The tree's CPU seconds as of the last sample before `moment`."""
        return max((cpu for at, cpu in self.cpu_series if at <= moment), default=0.0)

    @property
    def sum_hwm_mb(self) -> float:
        return sum(self.hwm_kb.values()) / 1024

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
                    if self.memory.roles.get(child, "worker") == "worker":
                        # asked again until it says: a process seen between its fork and its
                        # exec still shows its parent's command line
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
        self.memory.cpu_series.append((time.perf_counter(), sum(self.memory.cpu_s.values())))


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


@dataclass(slots=True)
class CrawlRun:
    """What one measured run_crawl did and cost."""

    summary: CrawlSummary
    started: float  # time.perf_counter() at the call to run_crawl
    elapsed_s: float
    first_stored_s: float | None
    memory: TreeMemory
    tree_cpu_s: float  # the crawl process and its workers, reaped: exact
    bench_cpu_s: float  # this script meanwhile (HTTP servers, sampler)
    machine_busy_s: float  # every process on the machine meanwhile
    stored: int  # clippings in the database afterwards

    def sampled_cpu_s(self, role: str) -> float:
        return sum(s for pid, s in self.memory.cpu_s.items() if self.memory.roles.get(pid) == role)

    def processes(self, role: str) -> int:
        return sum(1 for r in self.memory.roles.values() if r == role)

    def since_start_s(self, moment: float | None) -> float | None:
        """Seconds from the call to run_crawl to `moment` (a time.perf_counter())."""
        return None if moment is None else moment - self.started

    def stage_cpu_s(self) -> dict[str, float]:
        """CPU seconds per stage ("crawl:storage", ...), if this presswatch reports them."""
        stages: dict[str, float] | None = getattr(self.summary, "stage_cpu_s", None)
        return dict(stages or {})


def baseline_ms_per_page(pages: Iterable[str]) -> float:
    """Plain `trafilatura.extract(html)` over every page, one process, one thread: ms per page
    (each call timed; reading the page is not)."""
    import trafilatura

    elapsed_s = 0.0
    count = empty = 0
    for page in pages:
        if not count:
            trafilatura.extract(page)  # imports and lazy set-up are not part of the rate
        started = time.perf_counter()
        text = trafilatura.extract(page)
        elapsed_s += time.perf_counter() - started
        count += 1
        empty += not text
    if empty:
        print(f"warning: trafilatura found no text in {empty} pages")
    return elapsed_s * 1000 / count


def measure_crawl(config_path: Path) -> CrawlRun:
    """One run_crawl of the config's sources, with the process tree sampled meanwhile."""
    from presswatch.config import load_config
    from presswatch.crawler.run import run_crawl
    from presswatch.storage.db import open_database
    from presswatch.storage.repository import Repository

    config = load_config(config_path)
    sampler = TreeSampler()
    sampler.start()
    busy_before, self_before, tree_before = _machine_busy_s(), _self_cpu_s(), _children_cpu_s()
    clock = ProgressClock(time.perf_counter())
    summary = run_crawl(config, config.sources, on_progress=clock)
    elapsed = time.perf_counter() - clock.start
    memory = sampler.stop()
    return CrawlRun(
        summary=summary,
        started=clock.start,
        elapsed_s=elapsed,
        first_stored_s=clock.first_stored_s,
        memory=memory,
        tree_cpu_s=_children_cpu_s() - tree_before,
        bench_cpu_s=_self_cpu_s() - self_before,
        machine_busy_s=_machine_busy_s() - busy_before,
        stored=Repository(open_database(config.database.url)).count_clippings(),
    )


def write_config(
    directory: Path, sitemaps: Sequence[Sequence[str]], args: argparse.Namespace
) -> Path:
    """presswatch.toml: the crawl settings of the command line, one source per host, the
    topics, and the webhook channel they notify."""
    path = directory / "presswatch.toml"
    sources = "".join(
        f'\n[[sources]]\nname = "loopback-{h + 1}"\nsitemaps = [{", ".join(map(_quoted, urls))}]\n'
        for h, urls in enumerate(sitemaps)
    )
    topics = "".join(
        f'\n[[topics]]\nname = "{name}"\nquery = \'{query}\'\nnotify = ["{CHANNEL}"]\n'
        for name, query in TOPICS
    )
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

[channels.{CHANNEL}]
type = "webhook"
url = "http://127.0.0.1:9/never-sent"
{sources}{topics}""",
        encoding="utf-8",
    )
    return path


def _quoted(text: str) -> str:
    return f'"{text}"'


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--pages", type=int, default=1000, help="article pages (default 1000)")
    parser.add_argument(
        "--synthetic", action="store_true", help="generated pages instead of the real ones"
    )
    parser.add_argument(
        "--corpus",
        type=Path,
        default=DEFAULT_CORPUS,
        help=f"the shared corpus directory, holding scrapinghub/html/ (default {DEFAULT_CORPUS})",
    )
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
    args = parser.parse_args(argv)
    pages = args.corpus / "scrapinghub" / "html"
    if not args.synthetic and not any(pages.glob("*.html.gz")):
        parser.error(f"no pages in {pages}: give the corpus with --corpus DIR, or use --synthetic")
    return args


def _children_cpu_s() -> float:
    """CPU seconds of this process's children that have ended and been waited for, and of
    their own waited-for children: the whole crawl tree once run_crawl has returned."""
    times = os.times()
    return times.children_user + times.children_system


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


# ---------------------------------------------------------------------------------------------
# the report


def print_run(run: CrawlRun, clock: RequestClock, args: argparse.Namespace) -> None:
    """Settings, timings, counts, errors and where the CPU went, machine-wide."""
    print(
        f"settings: concurrency {args.concurrency}, per_domain_concurrency {args.per_domain} "
        f"({len(HOSTS)} hosts), extract_workers {args.workers or 'auto'}, autothrottle "
        f"{'ON' if args.autothrottle else 'OFF (benchmark only; on by default)'}, "
        f"{len(TOPICS)} topics"
    )
    print(
        f"crawl wall time {run.elapsed_s:.2f} s; after the call to run_crawl: first HTTP request "
        f"{_s(run.since_start_s(clock.first_request))}, first article page asked for "
        f"{_s(run.since_start_s(clock.first_page))}, first page stored {_s(run.first_stored_s)} "
        f"(process start, imports, pool, schema); load average after: {_load()}"
    )
    counts = run.summary.totals
    print("counts: " + ", ".join(f"{k} {v}" for k, v in counts.as_dict().items()))
    for error in run.summary.errors[:5]:
        print(f"  error: {error.kind} {error.url}: {error.message}")
    cores = os.cpu_count() or 1
    others = run.machine_busy_s - run.bench_cpu_s - run.tree_cpu_s
    print(
        f"CPU s: crawl tree {run.tree_cpu_s:.1f} ({run.memory.cpu_breakdown()} as sampled), "
        f"this script (HTTP servers, sampler) {run.bench_cpu_s:.1f}, other processes "
        f"{others:.1f}; wall x cores = {run.elapsed_s * cores:.1f}"
        + (
            "  <- the machine was shared, the figures are low"
            if others > 0.1 * run.elapsed_s
            else ""
        )
    )


def print_cpu_per_page(run: CrawlRun, clock: RequestClock, baseline_ms: float) -> None:
    """The tree's CPU per stored page, per process and per stage, beside trafilatura's."""
    per_page = 1000 / max(run.stored, 1)
    crawl_s, workers_s = run.sampled_cpu_s("crawl"), run.sampled_cpu_s("worker")
    stages = run.stage_cpu_s()
    print(f"CPU ms per stored page ({run.stored} stored):")
    startup_ms = run.memory.cpu_s_at(clock.first_request or run.started) * per_page
    print(
        f"  {'process tree (exact)':<30} {run.tree_cpu_s * per_page:7.1f}  ({startup_ms:.1f} of "
        "it before the first request: starting the processes, imports)"
    )
    rows = [("crawl process", "crawl", crawl_s, "Scrapy and the rest")]
    rows.append((f"extraction workers ({run.processes('worker')})", "worker", workers_s, "other"))
    for label, prefix, total_s, rest in rows:
        print(f"    {label:<28} {total_s * per_page:7.1f}")
        own = {k: v for k, v in stages.items() if k.startswith(prefix + ":")}
        for key, stage_s in sorted(own.items()):
            print(f"      {key:<26} {stage_s * per_page:7.1f}")
        if own:
            print(f"      {rest:<26} {(total_s - sum(own.values())) * per_page:7.1f}")
    for key, stage_s in sorted(stages.items()):
        if not key.startswith(("crawl:", "worker:")):
            print(f"    {key:<28} {stage_s * per_page:7.1f}")
    unseen_s = run.tree_cpu_s - sum(run.memory.cpu_s.values())
    note = "(each process's last < 0.1 s)"
    print(f"    {'not seen by the sampler':<28} {unseen_s * per_page:7.1f}  {note}")
    if not stages:
        print("    (no stages: this presswatch's CrawlSummary has no stage_cpu_s)")
    if math.isnan(baseline_ms):
        print(f"  {'plain trafilatura.extract':<30} not measured (--no-baseline)")
        return
    ratio = run.tree_cpu_s * per_page / baseline_ms
    ceiling = (os.cpu_count() or 1) * baseline_ms / (run.tree_cpu_s * per_page)
    print(
        f"  {'plain trafilatura.extract':<30} {baseline_ms:7.1f}  (one process, the same pages); "
        f"tree / trafilatura {ratio:.2f}; ratio ceiling with this CPU per page, every core busy "
        f"and nothing else: {ceiling:.2f}"
    )


def _s(seconds: float | None) -> str:
    return "never" if seconds is None else f"{seconds:.2f} s"


def print_memory(memory: TreeMemory) -> None:
    """Each process's peak, and the tree's largest total at one sample (the headline)."""
    print(
        f"memory (MB, VmHWM per process): {memory.breakdown()} (sum {memory.sum_hwm_mb:.0f}: an "
        f"upper bound, the peaks need not coincide); largest concurrent VmRSS sum "
        f"{memory.peak_rss_sum_kb / 1024:.0f} MB (sampled every {SAMPLE_INTERVAL_S} s)"
    )


@dataclass(frozen=True, slots=True)
class Figures:
    """The headline figures of a run (NaN where the baseline was not measured)."""

    pages: int
    rate: float  # pages/s end to end
    baseline_ms: float  # plain trafilatura.extract, ms per page
    tree_ms: float  # CPU of the crawl process tree per stored page
    peak_rss_mb: float
    startup_s: float | None

    @classmethod
    def of(cls, run: CrawlRun, clock: RequestClock, n: int, baseline_ms: float) -> Figures:
        peak_mb = run.memory.peak_rss_sum_kb / 1024
        tree_ms = run.tree_cpu_s * 1000 / max(run.stored, 1)
        startup_s = run.since_start_s(clock.first_request)
        return cls(n, n / run.elapsed_s, baseline_ms, tree_ms, peak_mb, startup_s)

    @property
    def ratio(self) -> float:
        return self.rate * self.baseline_ms / 1000

    @property
    def cpu_ratio(self) -> float:
        return self.tree_ms / self.baseline_ms

    def print_table(self, stored: int, expected: int) -> None:
        """The one line to compare runs by."""
        print(
            "pages  crawl pages/s  trafilatura pages/s  ratio  tree CPU ms/page  x trafilatura  "
            "peak RSS MB  startup s  stored/expected"
        )
        startup = "never" if self.startup_s is None else f"{self.startup_s:.2f}"
        print(
            f"{self.pages:<6} {self.rate:<14.1f} {1000 / self.baseline_ms:<20.1f} "
            f"{self.ratio:<6.2f} {self.tree_ms:<17.1f} {self.cpu_ratio:<14.2f} "
            f"{self.peak_rss_mb:<12.0f} {startup:<10} {stored}/{expected}"
        )


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    is_met: bool | None  # None: not measured
    value: str

    @classmethod
    def check(cls, name: str, value: float, is_met: bool, shown: str) -> Target:
        return cls(name, None if math.isnan(value) else is_met, shown)


def targets(
    figures: Figures, run: CrawlRun, pages: PageSet, args: argparse.Namespace
) -> list[Target]:
    """The release criteria of this mode, each met or not."""
    f = figures
    found = []
    if args.synthetic:
        found.append(
            Target.check(
                f"ratio >= {SYNTHETIC_RATIO_TARGET}",
                f.ratio,
                f.ratio >= SYNTHETIC_RATIO_TARGET,
                f"{f.ratio:.2f}",
            )
        )
        found.append(
            Target.check(
                f"tree CPU per page <= {SYNTHETIC_CPU_TARGET} x trafilatura's",
                f.cpu_ratio,
                f.cpu_ratio <= SYNTHETIC_CPU_TARGET,
                f"{f.cpu_ratio:.2f} x",
            )
        )
    else:
        found.append(
            Target.check(
                f"ratio >= {REAL_RATIO_TARGET}",
                f.ratio,
                f.ratio >= REAL_RATIO_TARGET,
                f"{f.ratio:.2f}",
            )
        )
    found.append(
        Target(
            f"peak RSS sum < {MEMORY_TARGET_MB:.0f} MB",
            f.peak_rss_mb < MEMORY_TARGET_MB,
            f"{f.peak_rss_mb:.0f} MB",
        )
    )
    is_quick = f.startup_s is not None and f.startup_s < STARTUP_TARGET_S
    startup = "never" if f.startup_s is None else f"{f.startup_s:.3f} s"
    found.append(Target(f"startup < {STARTUP_TARGET_S} s", is_quick, startup))
    counts = run.summary.totals
    timeouts = sum(1 for e in run.summary.errors if e.kind == "extraction-timeout")
    errors = (1, 1) if args.pathological else (0, 0)  # errors, of them extraction timeouts
    is_complete = (
        run.stored == pages.expected_stored
        and counts.duplicates == pages.expected_folded
        and (counts.errors, timeouts) == errors
    )
    name = "every article page stored, none folded, " + (
        "the stalling page the one error (a timeout)" if args.pathological else "no errors"
    )
    value = (
        f"{run.stored} stored of {pages.expected_stored} expected, {counts.duplicates} folded "
        f"({pages.expected_folded} expected), {counts.errors} errors"
    )
    found.append(Target(name, is_complete, value))
    return found


def main(argv: Sequence[str] | None = None) -> int:
    from presswatch.loopback import LoopbackSite, Route

    args = parse_args(argv)
    n = args.pages
    with tempfile.TemporaryDirectory(prefix="presswatch-bench-") as tmp, ExitStack() as stack:
        sites = [stack.enter_context(LoopbackSite(host=host)) for host in HOSTS]
        normal = n - 1 if args.pathological else n
        pages = (
            synthetic_page_set(sites, normal, args.seed)
            if args.synthetic
            else real_page_set(sites, normal, args)
        )
        routes = list(pages.routes)
        if args.pathological:
            routes.append(Route(stalling_page().encode(), headers=HTML_HEADERS))
        clock = RequestClock()
        sitemaps = serve(sites, page_urls(sites, n), routes, args.per_sitemap, clock)
        for note in pages.notes:
            print(note)
        print(
            f"{n} pages on {len(HOSTS)} hosts ({HOSTS[0]} to {HOSTS[-1]}), "
            f"{sum(map(len, sitemaps))} sitemaps; expected stored: {pages.expected_stored}; "
            f"{os.cpu_count()} cores; load average before: {_load()}"
        )
        baseline_ms = float("nan") if args.no_baseline else baseline_ms_per_page(pages.html())
        run = measure_crawl(write_config(Path(tmp), sitemaps, args))

    print_run(run, clock, args)
    print_cpu_per_page(run, clock, baseline_ms)
    print_memory(run.memory)
    figures = Figures.of(run, clock, n, baseline_ms)
    print()
    figures.print_table(run.stored, pages.expected_stored)
    print()
    found = targets(figures, run, pages, args)
    for target in found:
        verdict = {True: "PASS", False: "FAIL", None: "not measured (--no-baseline)"}
        value = "" if target.is_met is None else f" ({target.value})"
        print(f"{target.name}: {verdict[target.is_met]}{value}")
    return 1 if any(t.is_met is False for t in found) else 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    sys.exit(main())
