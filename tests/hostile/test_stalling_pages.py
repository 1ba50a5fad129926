"""One page cannot stall a crawl: extraction has a deadline and a size limit, a page that hit
them is skipped until it changes, feeds are read off the crawl's event loop, NEAR is linear,
and a killed crawl process takes its extraction workers with it."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from presswatch.alerts.trial import try_query
from presswatch.config import Config
from presswatch.crawler.run import CrawlHost, run_crawl
from presswatch.loopback import LoopbackSite, Route
from tests.conftest import wait_until
from tests.pages import article_page, paragraphs_about, rss_feed

RSS = {"Content-Type": "application/rss+xml"}


def _span_dense(spans: int) -> str:
    """A page whose one paragraph is `spans` tiny spans: trafilatura's time grows with the
    square of it (10,000: seconds; 300,000: it never finishes)."""
    inner = "".join(f"<span>w{i}</span> " for i in range(spans))
    return f"<html><body><article><h1>Dense</h1><p>{inner}</p></article></body></html>"


def _within(deadline_s: float, work: Callable[[], object]) -> object:
    """work(), failing the test when it runs past `deadline_s` (plus 5 s: see issue 14)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(work).result(timeout=deadline_s + 5)


def test_pathological_pages_are_reported_and_skipped_until_they_change(
    site: LoopbackSite, write_config: Callable[[str], Config]
) -> None:
    good = [f"/news/story-{n}.html" for n in range(5)]
    for n, path in enumerate(good):
        site.add_html(path, article_page(f"Story {n}", paragraphs_about(f"the ferry {n}", seed=n)))
    # 4 MB of spans: refused before trafilatura sees it
    site.add("/news/huge-dense.html", Route(_span_dense(230_000).encode(), headers=HTML))
    # under the element limit, but slow: stopped at the deadline
    site.add("/news/slow-dense.html", Route(_span_dense(12_000).encode(), headers=HTML))
    links = [site.url(p) for p in (*good, "/news/huge-dense.html", "/news/slow-dense.html")]
    site.add("/rss.xml", Route(rss_feed("Feed", links).encode(), headers=RSS))
    config = write_config(f"""
[crawl]
max_page_bytes = 6000000
[extract]
timeout = "1s"
[[sources]]
name = "dense"
feeds = ["{site.url("/rss.xml")}"]
""")
    first = _within(60 + 1, lambda: run_crawl(config, config.sources))
    (result,) = first.results  # type: ignore[attr-defined]
    assert result.counts.stored == 5
    errors = {e.url.rsplit("/", 1)[-1]: e for e in first.errors}  # type: ignore[attr-defined]
    assert errors["huge-dense.html"].kind == "extraction"
    assert "HTML elements, more than 15,000" in errors["huge-dense.html"].message
    assert errors["slow-dense.html"].kind == "extraction-timeout"
    assert "still running after 1 s" in errors["slow-dense.html"].message

    # the next crawl asks for them (they may have changed) but does not extract them again
    site.hits.clear()
    second = _within(60, lambda: run_crawl(config, config.sources))
    (again,) = second.results  # type: ignore[attr-defined]
    assert again.counts.errors == 0
    assert again.counts.extracted == 0
    assert again.counts.known == 7  # five stored, two unchanged since they stalled
    # a page that changes is tried again
    site.add_html("/news/slow-dense.html", article_page("Fixed", paragraphs_about("repairs")))
    third = _within(60, lambda: run_crawl(config, config.sources))
    assert third.results[0].counts.stored == 1  # type: ignore[attr-defined]


HTML = {"Content-Type": "text/html; charset=utf-8"}


def test_a_4_mb_feed_is_read_off_the_event_loop_and_its_entries_crawled(
    site: LoopbackSite, write_config: Callable[[str], Config]
) -> None:
    # 200 entries with 20 KB descriptions each, two of them linking to a real page; feedparser
    # spends seconds on it, in an extraction worker instead of the crawl's event loop
    site.add_html("/news/real.html", article_page("Real", paragraphs_about("the real story")))
    filler = "Harbour news in brief. " * 900
    items = "".join(
        f"<item><title>Entry {n}</title><link>{site.url('/news/real.html')}</link>"
        f"<description>{filler}</description></item>"
        for n in range(200)
    )
    feed = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>{items}'
    site.add("/rss.xml", Route(f"{feed}</channel></rss>".encode(), headers=RSS))
    site.add("/broken.xml", Route(f"{feed}<item><title>".encode(), headers=RSS))  # malformed
    assert len(feed) > 4_000_000
    config = write_config(f"""
[crawl]
max_page_bytes = 6000000
[[sources]]
name = "big"
feeds = ["{site.url("/rss.xml")}", "{site.url("/broken.xml")}"]
""")
    summary = _within(60, lambda: run_crawl(config, config.sources))
    (result,) = summary.results  # type: ignore[attr-defined]
    assert result.counts.discovered == 1  # the same link, 400 times
    assert result.counts.stored == 1
    assert result.counts.errors == 0  # the malformed one still yields its entries


def test_near_is_linear_in_the_number_of_hits() -> None:
    text = "harbour dredging " * 50_000  # 100,000 hits of each word
    trial = _within(5, lambda: try_query("harbour NEAR/3 dredging", title="", text=text))
    assert trial.matched  # type: ignore[attr-defined]
    none = _within(5, lambda: try_query("harbour NEAR/3 ferry", title="", text=text))
    assert not none.matched  # type: ignore[attr-defined]


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found.update(int(p) for p in text)
    return found


def _alive(pid: int) -> bool:
    """Running (a zombie is dead: it only waits for its parent to reap it)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_a_killed_crawl_process_leaves_no_extraction_worker(
    site: LoopbackSite, write_config: Callable[[str], Config]
) -> None:
    site.add_html("/news/a.html", article_page("A", paragraphs_about("anything")))
    site.add("/rss.xml", Route(rss_feed("F", [site.url("/news/a.html")]).encode(), headers=RSS))
    config = write_config(f'[[sources]]\nname = "s"\nfeeds = ["{site.url("/rss.xml")}"]\n')
    with CrawlHost(workers=2) as host:
        host.crawl(config, config.sources, release_after_s=0.0)  # the process and its workers
        child = host._child
        assert child is not None
        crawl_pid = child.process.pid
        assert crawl_pid is not None
        workers = _children(crawl_pid)
        assert len(workers) >= 2
        os.kill(crawl_pid, signal.SIGKILL)
        wait_until(lambda: not any(_alive(pid) for pid in workers), 10, "the workers to be gone")
