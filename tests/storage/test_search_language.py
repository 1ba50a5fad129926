"""Search means what a topic means: the README's query table and its table of words, case by
case, and random queries over a random archive, compared with the topic matcher, on the
database under test (the suite runs on SQLite and on PostgreSQL)."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from presswatch.extractors.article import Article
from presswatch.ingest import add_clipping
from presswatch.query import parse_query, render_query
from presswatch.query.evaluate import Document, matches
from presswatch.query.nodes import Node
from presswatch.storage import search
from presswatch.storage.db import open_database
from presswatch.storage.repository import Repository
from presswatch.storage.review import ClippingFilter
from tests.alerts.test_properties import VOCABULARY, queries
from tests.conftest import TestDatabases

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")

# slug: source, URL path, title, text
ARCHIVE = {
    "a1": ("ledger", "/world/a1", "Ukraine talks",
           "Putin said the talks on security guarantees for Kyiv would go on."),
    "a2": ("courier", "/opinion/a2", "War warning",
           "A warning of war in the north, the wars of the past."),
    "a3": ("ledger", "/world/a3", "Kyiv security",
           "The security guarantee was signed. Talks ended."),
    "a4": ("courier", "/sport/a4", "Football", "Ukraine beat Wales; no war talk here."),
    "a5": ("wire", "/world/a5", "Zelenskyy's O'Brien co-operation",
           "Growth of 2.5% in the Straße, a résumé."),
    "a6": ("wire", "/world/a6", "Putin and the talks",
           "Putin met them. After a long day the talks began."),
}  # fmt: skip

# each row of the README's query table: queries in its syntax and what they find here
QUERY_TABLE = {
    "`word`": {"war": {"a2", "a4"}, "warning": {"a2"}},
    '`"exact phrase"`': {'"security guarantees"': {"a1"}, '"guarantees security"': set()},
    "`prefix*`": {"guarantee*": {"a1", "a3"}, '"security guarantee*"': {"a1", "a3"}},
    "`a AND b`, `a b`": {"ukraine kyiv": {"a1"}, "ukraine AND kyiv": {"a1"}},
    "`a OR b`": {"kyiv OR football": {"a1", "a3", "a4"}},
    "`NOT a`, `a AND NOT b`, `a NOT b`": {
        "NOT war": {"a1", "a3", "a5", "a6"},
        "talks AND NOT war": {"a1", "a3", "a6"},
        "talks NOT putin": {"a3"},
    },
    "`( … )`": {"(ukraine OR kyiv) AND talks": {"a1", "a3"}},
    "`a NEAR/5 b`": {
        "putin NEAR/3 talks": {"a1", "a6"},
        "putin NEAR/2 talks": set(),
        "talks NEAR/1 began": {"a6"},
    },
    "`title:`, `text:`, `source:`, `url:`": {
        "title:talks": {"a1", "a6"},
        "text:talks": {"a1", "a3", "a6"},
        "source:ledger": {"a1", "a3"},
        "url:opinion": {"a2"},
        "source:ledger AND NOT text:putin": {"a3"},
        "title:(putin OR football) OR url:opinion": {"a2", "a4", "a6"},
    },
}
# each row of the README's table of words
WORD_TABLE = {
    "`Zelenskyy's`": {"zelenskyy": {"a5"}, "Zelenskyy's": {"a5"}},
    "`O'Brien`, `don't`": {"obrien": {"a5"}, "O'Brien": {"a5"}},
    "`co-operation`": {"co-operation": {"a5"}, '"co operation"': {"a5"}, "cooperation": set()},
    "`2.5%`": {"2.5": {"a5"}, "2.5%": {"a5"}},
    "`Résumé`, `STRASSE`, `Straße`": {"resume": {"a5"}, "STRASSE": {"a5"}, "Straße": {"a5"}},
}


def _article(url: str, title: str, text: str, number: int) -> Article:
    # fingerprints far apart: no clipping here is a copy of another
    fingerprint = random.Random(number).getrandbits(63)
    return Article(url, url, title, None, None, "en", None, None, None, text, 10, fingerprint)


class Archive:
    def __init__(self, url: str, documents: dict[str, tuple[str, str, str, str]]) -> None:
        self.engine = open_database(url)
        self.review = Repository(self.engine)
        self.ids: dict[str, int] = {}
        self.documents: dict[int, Document] = {}
        for number, (slug, (source, path, title, text)) in enumerate(documents.items()):
            url = f"https://{source}.example{path}"
            article = _article(url, title, text, number)
            added = add_clipping(self.review, self.review.source_id(source), None, article, [])
            self.ids[slug] = added.clipping_id
            self.documents[added.clipping_id] = Document.build(
                title=title, text=text, source=source, url=url
            )
        if self.engine.dialect.name == "postgresql":
            # with statistics, the planner tells common words (walked newest first) from rare
            # ones (asked of the GIN index): both ways are taken here
            with self.engine.begin() as connection:
                connection.exec_driver_sql("ANALYZE clippings")

    def search(self, query: str) -> set[int]:
        """Every clipping the search finds, through the listing and through the export."""
        listed = {record.id for record in self.review.search(query, limit=1000)}
        exported = {r.id for r in self.review.iter_filtered(ClippingFilter(query=query))}
        assert listed == exported, query
        return listed

    def matched(self, node: Node) -> set[int]:
        """Every clipping the topic matcher matches."""
        return {id_ for id_, document in self.documents.items() if matches(node, document)}


@pytest.fixture(scope="module")
def archive(module_databases: TestDatabases) -> Iterator[Archive]:
    made = Archive(module_databases.url("table"), ARCHIVE)
    yield made
    made.engine.dispose()


def _table_rows(heading: str) -> list[str]:
    """The first cells of the README table whose header row is `heading`."""
    table = README.split(heading, 1)[1].split("\n\n", 1)[0]
    return [row.split(" | ")[0].removeprefix("| ") for row in table.splitlines()[2:]]


def test_every_row_of_the_readme_tables_has_its_search_cases() -> None:
    assert _table_rows("| syntax | meaning |") == list(QUERY_TABLE)
    assert _table_rows("| text | words |") == list(WORD_TABLE)


@pytest.mark.parametrize(
    ("query", "expected"),
    [(q, e) for cases in (*QUERY_TABLE.values(), *WORD_TABLE.values()) for q, e in cases.items()],
)
def test_search_finds_what_the_readme_says_and_what_a_topic_matches(
    archive: Archive, query: str, expected: set[str]
) -> None:
    found = archive.search(query)
    assert found == {archive.ids[slug] for slug in expected}
    assert found == archive.matched(parse_query(query))


def test_the_search_page_lists_newest_first_with_the_hits_marked_in_the_title(
    archive: Archive,
) -> None:
    """(Copies folded on the page and listed by `clippings search`: tests/web/test_pages.py
    and tests/storage/test_repository.py, whose archives hold a syndicated copy.)"""
    page = archive.review.clipping_page(ClippingFilter(query="kyiv"), offset=0, limit=10)
    assert [item.clipping.id for item in page.items] == [archive.ids["a3"], archive.ids["a1"]]
    assert re.search("\x02[Kk]yiv\x03", page.items[0].title_marked or "")


# a random archive for random queries: words of the matcher's property tests, with the
# forms that normalise to them
_FORMS = [*VOCABULARY, "Ukraine's", "WAR", "war,", "Kyïv", "co-operation", "2.5", "the"]


def _random_archive(size: int = 80) -> dict[str, tuple[str, str, str, str]]:
    rng = random.Random(15)
    out = {}
    for n in range(size):
        title = " ".join(rng.choices(_FORMS, k=rng.randint(1, 6)))
        text = " ".join(rng.choices(_FORMS, k=rng.randint(1, 40)))
        source = rng.choice(["guardian-world", "bbc-peace-talks"])
        out[f"r{n}"] = (source, f"/{rng.choice(['war', 'peace'])}/{n}", title, text)
    return out


@pytest.fixture(scope="module")
def random_archive(module_databases: TestDatabases) -> Iterator[Archive]:
    made = Archive(module_databases.url("random"), _random_archive())
    yield made
    made.engine.dispose()


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(queries)
def test_search_finds_exactly_what_the_matcher_matches(
    random_archive: Archive, query: Node
) -> None:
    text = render_query(query)
    assert random_archive.search(text) == random_archive.matched(parse_query(text))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(queries, st.integers(1, 3))
def test_search_in_small_windows_and_pages_finds_the_same(
    random_archive: Archive, monkeypatch: pytest.MonkeyPatch, query: Node, growth: int
) -> None:
    """PostgreSQL walks the newest clippings in windows of ids (here: a few rows each; for
    words it expects rare, a probe of 5 rows), then asks the GIN index for the rest; a page
    after a page gives what one long page does, on any backend."""
    monkeypatch.setattr(search, "_MIN_WINDOW", 3)
    monkeypatch.setattr(search, "_WINDOW_GROWTH", growth + 1)
    monkeypatch.setattr(search, "_MAX_WALK", 20)
    monkeypatch.setattr(search, "_PROBE_ROWS", 5)
    text = render_query(query)
    expected = sorted(random_archive.matched(parse_query(text)), reverse=True)
    wanted = ClippingFilter(query=text, source="guardian-world")
    paged = []
    for offset in range(0, 90, 7):
        page = random_archive.review.clipping_page(wanted, offset=offset, limit=7)
        paged += [item.clipping.id for item in page.items]
        if not page.has_more:
            break
    guardian = {
        i
        for i, d in random_archive.documents.items()
        if d.fields["source"].text == "guardian-world"
    }
    assert paged == [i for i in expected if i in guardian]
