"""The installed command, run as a user runs it (a real process, real files, a real site)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from presswatch.loopback import LoopbackSite, allow_loopback
from tests.conftest import OWN_PASSAGE, TestDatabases, database_toml
from tests.pages import OWN_PASSAGE_TITLE, article_page, paragraphs_about, rss_feed


def presswatch(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "presswatch", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def crawled(
    tmp_path_factory: pytest.TempPathFactory, module_databases: TestDatabases
) -> Iterator[tuple[Path, LoopbackSite]]:
    """A config with two sources, crawled once through `presswatch crawl`."""
    workdir = tmp_path_factory.mktemp("cli")
    with LoopbackSite() as site:
        site.add_html("/news/harbour.html", article_page(OWN_PASSAGE_TITLE, OWN_PASSAGE))
        site.add_html(
            "/news/trams.html",
            article_page("Tram line to reach Eastgate", paragraphs_about("the tram extension")),
        )
        site.add(
            "/rss.xml",
            _xml(
                rss_feed(
                    "Gazette",
                    [
                        site.url("/news/harbour.html"),
                        site.url("/news/trams.html"),
                        site.url("/news/gone.html"),
                    ],
                )
            ),
        )
        (workdir / "presswatch.toml").write_text(
            allow_loopback(
                database_toml(module_databases.url("cli")) + "[crawl]\nautothrottle = false\n"
                f'[[sources]]\nname = "gazette"\nfeeds = ["{site.url("/rss.xml")}"]\n'
                f'[[sources]]\nname = "dead"\nfeeds = ["http://127.0.0.1:9/rss.xml"]\n'
            )
        )
        result = presswatch("crawl", cwd=workdir)
        assert result.returncode == 0, result.stderr
        (workdir / "crawl-output.txt").write_text(result.stdout + result.stderr)
        yield workdir, site


def _xml(text: str):  # type: ignore[no-untyped-def]
    from presswatch.loopback import Route

    return Route(text.encode(), headers={"Content-Type": "application/rss+xml"})


def test_crawl_prints_summary_and_errors_and_exits_0(crawled: tuple[Path, LoopbackSite]) -> None:
    output = (crawled[0] / "crawl-output.txt").read_text()
    assert "crawl summary" in output
    assert "gazette" in output
    assert "dead" in output
    assert "total" in output
    assert "2 error(s):" in output
    assert "http-404" in output
    assert "/news/gone.html" in output
    assert "connection" in output
    assert "127.0.0.1:9" in output
    assert "Traceback" not in output


def test_clippings_list_search_show(crawled: tuple[Path, LoopbackSite]) -> None:
    workdir = crawled[0]
    listing = presswatch("clippings", "list", cwd=workdir)
    assert listing.returncode == 0
    assert "2 clipping(s)" in listing.stdout
    assert OWN_PASSAGE_TITLE in listing.stdout
    assert "Tram line to reach Eastgate" in listing.stdout

    lines = presswatch(
        "clippings", "list", "--format", "jsonl", "--source", "gazette", cwd=workdir
    ).stdout.splitlines()
    records = [json.loads(line) for line in lines]
    assert {r["title"] for r in records} == {OWN_PASSAGE_TITLE, "Tram line to reach Eastgate"}

    search = presswatch("clippings", "search", "shellfish", cwd=workdir)
    assert "1 match(es)" in search.stdout
    assert OWN_PASSAGE_TITLE in search.stdout
    assert "0 match(es)" in presswatch("clippings", "search", "zeppelin", cwd=workdir).stdout

    # the topic language: NOT means not, fields, and a syntax error names its column
    either = presswatch("clippings", "search", "shellfish OR title:tram*", cwd=workdir)
    assert "2 match(es)" in either.stdout
    assert (
        "0 match(es)"
        in presswatch("clippings", "search", "shellfish NOT dredge", cwd=workdir).stdout
    )
    broken = presswatch("clippings", "search", "shellfish AND", cwd=workdir)
    assert broken.returncode == 2
    assert broken.stderr.strip() == (
        "presswatch: error: query error at column 14: expected a word, phrase or '('"
    )

    harbour = next(r for r in records if r["title"] == OWN_PASSAGE_TITLE)
    shown = presswatch("clippings", "show", str(harbour["id"]), cwd=workdir)
    assert OWN_PASSAGE[2] in shown.stdout
    assert "Zoë Müller" in shown.stdout
    missing = presswatch("clippings", "show", "999", cwd=workdir)
    assert missing.returncode == 1
    assert missing.stderr.strip() == "presswatch: error: no clipping with id 999"


def test_topics_preview_shows_what_a_topic_would_catch(crawled: tuple[Path, LoopbackSite]) -> None:
    workdir = crawled[0]
    shown = presswatch("topics", "preview", "dredg* OR tram*", "--since", "2020-01-01", cwd=workdir)
    assert shown.returncode == 0, shown.stderr
    assert "2 clipping(s) since" in shown.stdout
    assert "per source: gazette 2" in shown.stdout
    assert OWN_PASSAGE_TITLE in shown.stdout
    found = json.loads(
        presswatch(
            "topics", "preview", "dredge", "--since", "2020-01-01", "--format", "json", cwd=workdir
        ).stdout
    )
    assert found["total"] == 1
    assert found["complete"] is True
    assert list(found["per_source"]) == ["gazette"]
    assert sum(found["per_day"].values()) == 1
    assert "**dredge**" in found["newest"][0]["snippet"]
    bad = presswatch("topics", "preview", '"dredge', cwd=workdir)
    assert bad.returncode == 2
    assert "query error at column 8" in bad.stderr


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv"])
def test_export_has_the_spec_fields(crawled: tuple[Path, LoopbackSite], fmt: str) -> None:
    workdir = crawled[0]
    output = workdir / f"export.{fmt}"
    result = presswatch(
        "clippings", "export", "--format", fmt, "--output", str(output), cwd=workdir
    )
    assert result.returncode == 0, result.stderr
    text = output.read_text(encoding="utf-8")
    if fmt == "jsonl":
        rows = [json.loads(line) for line in text.splitlines()]
    elif fmt == "json":
        rows = json.loads(text)
    else:
        rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 2
    spec_fields = {
        "id",
        "url",
        "canonical_url",
        "source",
        "title",
        "author",
        "published",
        "fetched",
        "language",
        "text",
        "topics",
        "duplicate_of",
    }
    assert spec_fields <= set(rows[0])
    harbour = next(r for r in rows if r["title"] == OWN_PASSAGE_TITLE)
    assert harbour["text"].split("\n\n") == OWN_PASSAGE  # paragraphs separated by a blank line
    assert harbour["author"] == "Zoë Müller"
    assert harbour["published"].startswith("2026-11-24T07:45:00")
    assert harbour["language"] == "en"


def test_export_to_stdout_and_since(crawled: tuple[Path, LoopbackSite]) -> None:
    """--since is by the article's date: both pages say they were published on 2026-11-24,
    whenever they were fetched."""
    workdir = crawled[0]

    def exported(*args: str) -> int:
        return len(presswatch("clippings", "export", *args, cwd=workdir).stdout.splitlines())

    assert exported() == 2
    assert exported("--since", "2026-11-24") == 2
    assert exported("--since", "2026-11-25") == 0
    assert exported("--since", "1h") == 0  # fetched a moment ago, published before that
    assert exported("--since", "2999-01-01") == 0
    bad = presswatch("clippings", "export", "--since", "yesterday", cwd=workdir)
    assert bad.returncode == 2
    assert "--since" in bad.stderr


def test_second_crawl_finds_nothing_new(crawled: tuple[Path, LoopbackSite]) -> None:
    workdir, site = crawled
    site.hits.clear()
    result = presswatch("crawl", "gazette", cwd=workdir)
    assert result.returncode == 0
    # the first crawl had a failed URL, so the feed is read again and that URL retried; the
    # stored articles are not downloaded again
    assert site.paths_fetched() == ["/robots.txt", "/rss.xml", "/news/gone.html"]
    assert [h.status for h in site.hits_for("/rss.xml")] == [200]
    # once a crawl ends without failures, the unchanged feed costs one 304
    site.add_html("/news/gone.html", article_page("Back again", paragraphs_about("ferries")))
    assert presswatch("crawl", "gazette", cwd=workdir).returncode == 0
    site.hits.clear()
    assert presswatch("crawl", "gazette", cwd=workdir).returncode == 0
    assert site.paths_fetched() == ["/robots.txt", "/rss.xml"]
    assert [h.status for h in site.hits_for("/rss.xml")] == [304]


def test_extract_file_and_url(crawled: tuple[Path, LoopbackSite], tmp_path: Path) -> None:
    workdir, site = crawled
    page = tmp_path / "saved.html"
    page.write_text(article_page("Saved page", paragraphs_about("school meals")), encoding="utf-8")
    url = site.url("/news/harbour.html")
    # without a config, the crawl's rules hold: a loopback address is refused
    refused = presswatch("extract", url, "--format", "jsonl", cwd=tmp_path)
    assert refused.returncode == 1
    assert "refused: 127.0.0.1 is a loopback address" in refused.stderr
    assert "allow_networks" in refused.stderr
    # the crawled config allows 127.0.0.0/8
    result = presswatch("extract", str(page), url, "--format", "jsonl", cwd=workdir)
    assert result.returncode == 0, result.stderr
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert set(first) >= {"url", "title", "author", "published", "language", "text"}
    assert first["title"] == "Saved page"
    assert first["url"] == str(page)
    assert second["text"].split("\n\n") == OWN_PASSAGE
    assert "Share:" not in second["text"]


def test_extract_goes_on_after_a_bad_page(tmp_path: Path) -> None:
    page = tmp_path / "ok.html"
    page.write_text(article_page("Fine", OWN_PASSAGE), encoding="utf-8")
    result = presswatch("extract", str(tmp_path / "missing.html"), str(page), "--format", "json")
    assert result.returncode == 1
    assert "missing.html: cannot read" in result.stderr
    assert [o["title"] for o in json.loads(result.stdout)] == ["Fine"]


def test_extract_explain_lists_each_removal_with_its_rule(tmp_path: Path) -> None:
    teaser = "READ MORE: Lighthouse keeper retires after forty years"
    body = [*paragraphs_about("the harbour", n=2), "PROMO", *paragraphs_about("tides", n=2)]
    html = article_page("Harbour news", body).replace(
        "<p>PROMO</p>",
        '<p>READ MORE: <a href="/news/2026/lighthouse-keeper">Lighthouse keeper retires after '
        'forty years</a></p><div class="promo-box"><p>The Gazette Quiz is back on Friday.</p>'
        "</div>",
    )
    (tmp_path / "page.html").write_text(html, encoding="utf-8")
    (tmp_path / "presswatch.toml").write_text(
        '[[sources]]\nname = "gazette"\nfeeds = ["https://gazette.example/rss"]\n'
        'exclude = ["div.promo-box"]\n'
    )
    explain = presswatch("extract", "--explain", "page.html", "--source", "gazette", cwd=tmp_path)
    assert explain.returncode == 0, explain.stderr
    text, removed = explain.stdout.split("removed (", 1)
    assert "Paragraph 2 on the harbour" in text
    assert "Lighthouse" not in text
    assert "Gazette Quiz" not in text
    lines = [" ".join(line.split()) for line in removed.splitlines()[1:]]
    assert f"inline-teaser {teaser}" in lines
    assert "exclude div.promo-box The Gazette Quiz is back on Friday." in lines
    (related,) = [line for line in lines if line.startswith("related-block More for You")]
    assert len(related.removeprefix("related-block ")) == 80  # its first 80 characters
    assert related.endswith("…")

    plain = presswatch("extract", "page.html", "--format", "json", cwd=tmp_path)
    (page,) = json.loads(plain.stdout)
    assert "Gazette Quiz" in page["text"]  # no source given: its selectors do not apply
    assert "removed" not in page
    as_json = presswatch("extract", "page.html", "--explain", "--format", "jsonl", cwd=tmp_path)
    rules = {r["rule"] for r in json.loads(as_json.stdout)["removed"]}
    assert {"inline-teaser", "related-block", "prompt"} <= rules


def test_init_then_config_errors_exit_2_with_one_line(tmp_path: Path) -> None:
    assert presswatch("init", str(tmp_path)).returncode == 0
    again = presswatch("init", str(tmp_path))
    assert again.returncode == 2
    assert "already exists" in again.stderr
    config = tmp_path / "presswatch.toml"
    config.write_text(config.read_text().replace("concurrency = 16", "concurency = 16"))
    result = presswatch("--config", str(config), "crawl")
    assert result.returncode == 2
    assert result.stderr.strip() == f"presswatch: error: {config}: crawl.concurency: unknown key"
    debug = presswatch("--debug", "--config", str(config), "crawl")
    assert "Traceback" in debug.stderr


def test_config_from_environment_and_unknown_source(tmp_path: Path) -> None:
    config = tmp_path / "elsewhere.toml"
    config.write_text('[[sources]]\nname = "a"\nfeeds = ["https://a.example/rss"]\n')
    result = subprocess.run(
        [sys.executable, "-m", "presswatch", "crawl", "nope"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**__import__("os").environ, "PRESSWATCH_CONFIG": str(config)},
    )
    assert result.returncode == 2
    assert "unknown source 'nope' (known: a)" in result.stderr
