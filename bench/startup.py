"""Crawl startup: from running `presswatch crawl` to the crawl's first HTTP request.

Serves a one-article site on loopback, writes a presswatch.toml (a SQLite database, created by
a first crawl that is not timed) and runs `presswatch crawl` N times as a new process each,
noting when the site sees its first request (robots.txt). Printed per run and as the median:
command start to first request, and the whole command. Baseline measured in the same run:
starting the interpreter alone (`python -c pass`), and `python -c "import scrapy"`, what the
crawl process cannot do without.

Run: .venv/bin/python bench/startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

TARGET_S = 1.5


def _timed(command: Sequence[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> int:
    from crawl_throughput import sitemap_xml  # bench/ is on sys.path when run as a script
    from synthetic_pages import article_html

    from presswatch.loopback import ALLOW_LOOPBACK, LoopbackSite, Route

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    presswatch = str(Path(sys.executable).with_name("presswatch"))
    first: list[float] = []
    with tempfile.TemporaryDirectory() as tmp, LoopbackSite() as site:

        def robots(path: str) -> Route:
            first.append(time.perf_counter())
            return Route(b"User-agent: *\nAllow: /\n")

        site.add("/robots.txt", robots)
        site.add_html("/news/a.html", article_html(0, site.base_url, seed=1)[0])
        site.add(
            "/sitemap.xml",
            Route(
                sitemap_xml([site.url("/news/a.html")]).encode(),
                headers={"Content-Type": "application/xml"},
            ),
        )
        config = Path(tmp) / "presswatch.toml"
        config.write_text(
            f'[database]\nurl = "sqlite:///{tmp}/bench.db"\n[crawl]\n{ALLOW_LOOPBACK}\n'
            f'[[sources]]\nname = "tide"\nsitemaps = ["{site.url("/sitemap.xml")}"]\n',
            encoding="utf-8",
        )
        crawl = [presswatch, "--config", str(config), "crawl"]
        subprocess.run(crawl, check=True, capture_output=True)  # creates the database
        to_request, whole = [], []
        for _ in range(args.runs):
            first.clear()
            started = time.perf_counter()
            subprocess.run(crawl, check=True, capture_output=True)
            whole.append(time.perf_counter() - started)
            to_request.append(min(first) - started)
        bare = [_timed([sys.executable, "-c", "pass"]) for _ in range(args.runs)]
        scrapy = [_timed([sys.executable, "-c", "import scrapy"]) for _ in range(args.runs)]

    for n, (request, command) in enumerate(zip(to_request, whole, strict=True), 1):
        print(f"run {n}: first request {request:.2f} s after the command; whole {command:.2f} s")
    median = statistics.median(to_request)
    print(
        f"median: first request {median:.2f} s, whole command {statistics.median(whole):.2f} s; "
        f"baseline: python -c pass {statistics.median(bare):.2f} s, "
        f"python -c 'import scrapy' {statistics.median(scrapy):.2f} s"
    )
    ok = median < TARGET_S
    print(f"first request < {TARGET_S} s: {'PASS' if ok else 'FAIL'} ({median:.2f} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
