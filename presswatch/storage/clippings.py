"""Clippings: each article stored once under every URL it was reached by, with the lookups
that find whether a new one is known or a near-identical copy of a stored one."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, bindparam, func, insert, select
from sqlalchemy.engine import Connection

from presswatch.clock import now_utc
from presswatch.index_text import IndexText
from presswatch.model import Article
from presswatch.storage.db import conflict_insert, in_chunks, reading
from presswatch.storage.fulltext import clippings_with_index, index_values, write_index
from presswatch.storage.matches import MatchStore
from presswatch.storage.models import Clipping, FingerprintBand, PageUrl, Source
from presswatch.storage.records import (
    MAX_ID,
    ClippingRecord,
    clipping_from_row,
    select_clippings,
)

# Statements run for every crawled URL or article, built once with bound parameters: building
# and cache-keying a Core statement costs more than SQLite's own work for these small queries.
_KNOWN_URL_KEYS = select(PageUrl.url_key).where(
    PageUrl.url_key.in_(bindparam("keys", expanding=True))
)
_CANONICAL_OWNER = select(Clipping.id).where(Clipping.canonical_url == bindparam("canonical"))
# a batch of articles: the owners of all their URL keys, and the stored clippings sharing a
# fingerprint band key with any of them (then the originals of those that are near-identical)
_URL_OWNERS = select(PageUrl.url_key, PageUrl.clipping_id).where(
    PageUrl.url_key.in_(bindparam("keys", expanding=True))
)
_SAME_BAND_KEY = select(
    FingerprintBand.band_key, FingerprintBand.clipping_id, FingerprintBand.fingerprint
).where(FingerprintBand.band_key.in_(bindparam("keys", expanding=True)))
_DUPLICATE_OF = select(Clipping.id, Clipping.duplicate_of).where(
    Clipping.id.in_(bindparam("ids", expanding=True))
)


@dataclass(frozen=True, slots=True)
class NearDuplicateRule:
    """Which fingerprints are near-identical, and the band keys under which candidates are
    looked up: the extractors' fingerprint rule, handed in by the caller (storage keeps the
    bands, and never imports the code that computes them)."""

    band_keys: Callable[[int], tuple[int, ...]]
    is_near_duplicate: Callable[[int, int], bool]


class ClippingStore:
    def __init__(self, engine: Engine, matches: MatchStore) -> None:
        self.engine = engine
        self._matches = matches
        # a concurrent writer may have stored the same canonical URL a moment ago
        self._insert_clipping = (
            conflict_insert(engine, clippings_with_index(engine.dialect.name))
            .on_conflict_do_nothing(index_elements=["canonical_url"])
            .returning(Clipping.id)
        )
        self._insert_urls = conflict_insert(engine, PageUrl).on_conflict_do_nothing(
            index_elements=["url_key"]
        )

    def known_url_keys(self, url_keys: Sequence[str]) -> set[str]:
        """The `url_keys` through which a stored clipping was reached (for many
        URLs at once: a sitemap lists thousands)."""
        keys = list(dict.fromkeys(url_keys))
        known: set[str] = set()
        with reading(self.engine) as connection:
            for chunk in in_chunks(keys):
                known.update(connection.scalars(_KNOWN_URL_KEYS, {"keys": chunk}))
        return known

    def has_clippings_before(self, source_name: str, run_id: int) -> bool:
        """Whether a crawl run of the source before `run_id` stored a clipping."""
        stmt = (
            select(Clipping.id)
            .join(Source, Source.id == Clipping.source_id)
            .where(Source.name == source_name, Clipping.crawl_run_id < run_id)
            .limit(1)
        )
        with reading(self.engine) as connection:
            return connection.scalar(stmt) is not None

    def get_clipping(self, clipping_id: int) -> ClippingRecord | None:
        """The clipping, or None (also for an id no clipping can have: from a URL, say)."""
        if not 0 < clipping_id <= MAX_ID:
            return None
        with reading(self.engine) as connection:
            row = (
                connection.execute(select_clippings().where(Clipping.id == clipping_id))
                .mappings()
                .first()
            )
        return self._matches.with_topics([clipping_from_row(row)])[0] if row else None

    def count_clippings(self) -> int:
        with reading(self.engine) as connection:
            return int(connection.scalar(select(func.count()).select_from(Clipping)) or 0)

    # what storing a batch of articles asks (in the caller's transaction)

    def url_owners(self, connection: Connection, keys: Sequence[str]) -> dict[str, int]:
        """The clipping each of these URL keys was remembered for (keys of none left out)."""
        unique = list(dict.fromkeys(keys))
        owners: dict[str, int] = {}
        for chunk in in_chunks(unique):
            owners.update(
                (key, owner) for key, owner in connection.execute(_URL_OWNERS, {"keys": chunk})
            )
        return owners

    def near_duplicates(
        self, connection: Connection, fingerprints: Sequence[int], rule: NearDuplicateRule
    ) -> BandIndex:
        """The stored clippings near-identical to any of the fingerprints and sharing a band
        with it: the only ones original_of can answer with. Candidates come from the narrow
        band table and are compared here; the wide clipping rows are read only for the few
        that are near-identical (for their own original)."""
        wanted: dict[int, list[int]] = {}
        for fingerprint in fingerprints:
            for key in rule.band_keys(fingerprint):
                wanted.setdefault(key, []).append(fingerprint)
        near: dict[int, int] = {}
        for chunk in in_chunks(sorted(wanted)):
            for key, clipping_id, other in connection.execute(_SAME_BAND_KEY, {"keys": chunk}):
                if clipping_id not in near and any(
                    rule.is_near_duplicate(other, fingerprint) for fingerprint in wanted[key]
                ):
                    near[clipping_id] = other
        ids = sorted(near)
        originals: dict[int, int | None] = {}
        for chunk in in_chunks(ids):
            rows = connection.execute(_DUPLICATE_OF, {"ids": chunk})
            originals.update((clipping_id, original) for clipping_id, original in rows)
        return BandIndex(rule, ((id_, near[id_], originals[id_]) for id_ in ids))

    def insert_clipping(
        self,
        connection: Connection,
        source_id: int,
        run_id: int | None,
        article: Article,
        duplicate_of: int | None,
        index: IndexText,
        story_id: int | None = None,
    ) -> int | None:
        """The new clipping's id; None when a concurrent writer stored the same canonical URL
        a moment ago. `index` is its entry in the full-text index."""
        new_id = connection.scalar(
            self._insert_clipping,
            {
                "source_id": source_id,
                "crawl_run_id": run_id,
                "url": article.url,
                "canonical_url": article.canonical_url,
                "title": article.title,
                "author": article.author,
                "published": article.published,
                "fetched": now_utc(),
                "language": article.language,
                "site_name": article.site_name,
                "description": article.description,
                "image": article.image,
                "text": article.text,
                "word_count": article.word_count,
                "fingerprint": article.fingerprint,
                "duplicate_of": duplicate_of,
                "story_id": story_id,
                **index_values(connection.dialect.name, index),
            },
        )
        return None if new_id is None else int(new_id)

    def canonical_owner(self, connection: Connection, canonical_url: str) -> int:
        """The clipping stored under this canonical URL."""
        return int(connection.scalar(_CANONICAL_OWNER, {"canonical": canonical_url}) or 0)

    def remember(
        self,
        connection: Connection,
        url_keys: list[dict[str, object]],
        bands: list[dict[str, object]],
    ) -> None:
        """Rows of URL keys (a key already remembered keeps its clipping) and of fingerprint
        bands."""
        if url_keys:
            connection.execute(self._insert_urls, url_keys)
        if bands:
            connection.execute(insert(FingerprintBand), bands)

    def index(self, connection: Connection, rows: Sequence[tuple[int, IndexText]]) -> None:
        """Put new clippings' (id, index entry) into SQLite's search index (PostgreSQL's
        search_vector went in with each row)."""
        if connection.dialect.name == "sqlite":
            write_index(connection, rows)


class BandIndex:
    """Stored clippings near-identical to a batch's articles and sharing a band with them (in
    id order), and the batch's own new clippings as they are added: the same answers as a
    query per article for the clippings sharing one of its bands."""

    def __init__(
        self, rule: NearDuplicateRule, entries: Iterable[tuple[int, int, int | None]]
    ) -> None:
        self._rule = rule
        self._by_band: dict[int, list[tuple[int, int, int | None]]] = {}
        for clipping_id, fingerprint, duplicate_of in entries:
            self.add(clipping_id, fingerprint, duplicate_of)

    def add(self, clipping_id: int, fingerprint: int, duplicate_of: int | None) -> None:
        entry = (clipping_id, fingerprint, duplicate_of)
        for key in self._rule.band_keys(fingerprint):
            self._by_band.setdefault(key, []).append(entry)

    def original_of(self, fingerprint: int) -> int | None:
        """The first clipping (lowest id) with a near-identical text: its original if it is
        itself a duplicate."""
        candidates = sorted(
            {
                entry
                for key in self._rule.band_keys(fingerprint)
                for entry in self._by_band.get(key, ())
            }
        )
        for clipping_id, other, duplicate_of in candidates:
            if self._rule.is_near_duplicate(other, fingerprint):
                return duplicate_of or clipping_id
        return None
