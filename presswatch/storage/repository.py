"""All database access: sources, clippings (stored once, duplicates folded), runs, feed state."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Literal, TypeVar

from sqlalchemy import (
    Engine,
    Select,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, RowMapping
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql.elements import ColumnElement

from presswatch.clock import now_utc
from presswatch.counts import CrawlCounts, ErrorLine
from presswatch.errors import StorageError
from presswatch.extractors.fingerprint import band_keys, is_near_duplicate
from presswatch.model import Article, NewMatch, Snippet
from presswatch.storage.models import (
    Alert,
    AlertItem,
    Clipping,
    CrawlError,
    CrawlRun,
    FeedState,
    FingerprintBand,
    Match,
    PageUrl,
    Source,
    StalledPage,
)
from presswatch.storage.search import (
    fts5_match,
    fts5_query,
    fts5_rank,
    fts5_snippet,
    fts5_table,
    pg_match,
    pg_rank,
    pg_snippet,
    tsquery_text,
)

_clippings = Clipping.__table__
_page_urls = PageUrl.__table__
_matches = Match.__table__
_alerts = Alert.__table__

# Statements run for every crawled URL or article, built once with bound parameters: building
# and cache-keying a Core statement costs more than SQLite's own work for these small queries.
_URL_OWNER = select(PageUrl.clipping_id).where(PageUrl.url_key == bindparam("key"))
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
_IN_CHUNK = 500  # bound parameters per IN (...) lookup
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class AddResult:
    status: Literal["new", "known"]
    clipping_id: int
    duplicate_of: int | None = None
    matches: int = 0  # topic matches stored with a new clipping


@dataclass(frozen=True, slots=True)
class AlertRecord:
    id: int
    delivery_id: str
    topic: str
    channel: str
    event: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


@dataclass(frozen=True, slots=True)
class RunRecord:
    """A source's latest crawl run, for `presswatch status`."""

    source: str
    started_at: datetime
    finished_at: datetime | None
    status: str
    stored: int
    duplicates: int
    errors: int
    last_clipping_at: datetime | None

    @property
    def duration_s(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


@dataclass(frozen=True, slots=True)
class AlertContent:
    """One clipping of an alert: the clipping, its snippets for the topic, and its copies."""

    clipping: ClippingRecord
    snippets: tuple[Snippet, ...]
    also_in: tuple[tuple[str, str], ...]  # (source, url) of syndicated copies


@dataclass(frozen=True, slots=True)
class TopicStats:
    matches: int
    last_match: datetime | None


@dataclass(frozen=True, slots=True)
class StoredMatch:
    topic: str
    snippets: tuple[Snippet, ...]
    matched_at: datetime
    backfilled: bool


@dataclass(frozen=True, slots=True)
class StalledPageRecord:
    """What a stalled page looked like: its validators and length."""

    etag: str | None
    last_modified: str | None
    length: int

    def is_unchanged(self, etag: str | None, last_modified: str | None, length: int) -> bool:
        if self.etag or etag:
            return self.etag == etag
        if self.last_modified or last_modified:
            return self.last_modified == last_modified
        return self.length == length


@dataclass(frozen=True, slots=True)
class FeedValidators:
    etag: str | None
    last_modified: str | None


@dataclass(frozen=True, slots=True)
class ClippingRecord:
    id: int
    url: str
    canonical_url: str
    source: str
    title: str
    author: str | None
    published: datetime | None
    fetched: datetime
    language: str | None
    site_name: str | None
    description: str | None
    image: str | None
    text: str
    word_count: int
    duplicate_of: int | None
    snippet: str | None = None  # search hit context, hits between HIT_START and HIT_END
    topics: tuple[str, ...] = ()  # names of the topics it matched


# a digest's alert row waits until the sender sets its time from the topic's digest_cron
_DIGEST_NOT_SCHEDULED = timedelta(days=36500)


# the largest id a row can have (ids are INTEGER: 32 bits on PostgreSQL)
MAX_ID = 2**31 - 1


def _as_utc(value: datetime | None) -> datetime | None:
    """Aggregates (max of a column) skip the column type's UTC conversion on SQLite."""
    if value is None or (isinstance(value, datetime) and value.tzinfo):
        return value
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC)


class Repository:
    """Every query presswatch runs; callers get dataclasses, never ORM rows."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
        # a concurrent writer may have stored the same canonical URL a moment ago
        self._insert_clipping = (
            dialect.insert(_clippings)
            .on_conflict_do_nothing(index_elements=["canonical_url"])
            .returning(Clipping.id)
        )
        self._insert_urls = dialect.insert(_page_urls).on_conflict_do_nothing(
            index_elements=["url_key"]
        )
        # RETURNING counts the rows stored: a driver's rowcount of an executemany is not
        # portable (psycopg reports -1)
        self._insert_matches = (
            dialect.insert(_matches)
            .on_conflict_do_nothing(index_elements=["topic", "clipping_id"])
            .returning(_matches.c.id)
        )
        self._insert_alert_item = dialect.insert(AlertItem).on_conflict_do_nothing(
            index_elements=["topic", "channel", "clipping_id"]
        )

    @contextlib.contextmanager
    def _write(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as connection:
                connection = connection.execution_options(presswatch_write=True)
                with connection.begin():
                    yield connection
        except SQLAlchemyError as exc:
            raise StorageError(f"database write failed: {exc}") from exc

    @contextlib.contextmanager
    def _read(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as connection, connection.begin():
                yield connection
        except SQLAlchemyError as exc:
            raise StorageError(f"database read failed: {exc}") from exc

    def _insert(
        self, connection: Connection, model: type[Source] | type[FeedState]
    ) -> sqlite.Insert | postgresql.Insert:
        if connection.dialect.name == "postgresql":
            return postgresql.insert(model)
        return sqlite.insert(model)

    # sources and runs

    def source_id(self, name: str) -> int:
        """The id of the source called `name`, created on first use."""
        with self._write() as connection:
            found = connection.scalar(select(Source.id).where(Source.name == name))
            if found is not None:
                return found
            stmt = self._insert(connection, Source).values(name=name, created_at=now_utc())
            connection.execute(stmt.on_conflict_do_nothing())
            return int(connection.scalar(select(Source.id).where(Source.name == name)) or 0)

    def start_run(self, source_name: str, owner: str | None = None) -> int:
        """A new crawl run of the source, run by process `owner` ("host:pid")."""
        source_id = self.source_id(source_name)
        with self._write() as connection:
            result = connection.execute(
                insert(CrawlRun).values(
                    source_id=source_id,
                    started_at=now_utc(),
                    status="running",
                    owner=owner,
                    **CrawlCounts().as_dict(),
                )
            )
            return int(result.inserted_primary_key[0])  # type: ignore[index]

    def finish_run(self, run_id: int, counts: CrawlCounts, status: str) -> None:
        with self._write() as connection:
            connection.execute(
                update(CrawlRun)
                .where(CrawlRun.id == run_id)
                .values(finished_at=now_utc(), status=status, **counts.as_dict())
            )

    def end_runs(self, run_ids: Sequence[int], status: str, message: str) -> None:
        """Runs whose crawl process ended before them (died, or was killed): `status` (failed,
        interrupted), with the reason as an error."""
        now = now_utc()
        with self._write() as connection:
            ended = connection.scalars(
                update(CrawlRun)
                .where(CrawlRun.id.in_(list(run_ids)), CrawlRun.status == "running")
                .values(status=status, finished_at=now, errors=CrawlRun.errors + 1)
                .returning(CrawlRun.id)
            ).all()
            if ended:  # a run that finished just before its process ended keeps its record
                connection.execute(
                    insert(CrawlError),
                    [
                        {"crawl_run_id": r, "url": "", "kind": "crawl", "message": message}
                        | {"at": now}
                        for r in ended
                    ],
                )

    def last_runs(self) -> dict[str, RunRecord]:
        """Each source's latest crawl run (by start time), with the time its newest clipping
        was fetched; both looked up per source on their indexes, never by aggregating a table."""
        latest_run = (
            select(CrawlRun.id)
            .where(CrawlRun.source_id == Source.id)
            .order_by(CrawlRun.started_at.desc(), CrawlRun.id.desc())
            .limit(1)
            .correlate(Source)
            .scalar_subquery()
        )
        newest = (
            select(func.max(Clipping.fetched))
            .where(Clipping.source_id == Source.id)
            .correlate(Source)
            .scalar_subquery()
        )
        stmt = select(
            Source.name,
            CrawlRun.started_at,
            CrawlRun.finished_at,
            CrawlRun.status,
            CrawlRun.stored,
            CrawlRun.duplicates,
            CrawlRun.errors,
            newest.label("last_clipping_at"),
        ).join(CrawlRun, CrawlRun.id == latest_run)
        with self._read() as connection:
            return {
                row.name: RunRecord(
                    row.name,
                    _as_utc(row.started_at) or now_utc(),
                    _as_utc(row.finished_at),
                    row.status,
                    row.stored,
                    row.duplicates,
                    row.errors,
                    _as_utc(row.last_clipping_at),
                )
                for row in connection.execute(stmt)
            }

    def interrupt_stale_runs(self, started_before: datetime) -> int:
        """Runs still marked running that started before `started_before` (their process
        died without finishing them) are marked interrupted; returns how many."""
        with self._write() as connection:
            result = connection.execute(
                update(CrawlRun)
                .where(CrawlRun.status == "running", CrawlRun.started_at < started_before)
                .values(status="interrupted", finished_at=now_utc())
            )
            return int(result.rowcount or 0)

    def record_error(self, run_id: int, url: str, kind: str, message: str) -> None:
        with self._write() as connection:
            connection.execute(
                insert(CrawlError).values(
                    crawl_run_id=run_id, url=url, kind=kind, message=message[:2000], at=now_utc()
                )
            )

    def run_errors(self, run_ids: Sequence[int]) -> list[ErrorLine]:
        with self._read() as connection:
            rows = connection.execute(
                select(Source.name, CrawlError.url, CrawlError.kind, CrawlError.message)
                .join(CrawlRun, CrawlRun.id == CrawlError.crawl_run_id)
                .join(Source, Source.id == CrawlRun.source_id)
                .where(CrawlError.crawl_run_id.in_(run_ids))
                .order_by(CrawlError.id)
            )
            return [ErrorLine(*row) for row in rows]

    # URLs and feeds

    def known_url_keys(self, url_keys: Sequence[str]) -> set[str]:
        """The `url_keys` through which a stored clipping was reached (for many
        URLs at once: a sitemap lists thousands)."""
        keys = list(dict.fromkeys(url_keys))
        known: set[str] = set()
        with self._read() as connection:
            for chunk in _chunks(keys):
                known.update(connection.scalars(_KNOWN_URL_KEYS, {"keys": chunk}))
        return known

    def remember_stalled_page(
        self,
        url_keys: Sequence[str],
        etag: str | None,
        last_modified: str | None,
        length: int,
        reason: str,
    ) -> None:
        """A page whose extraction ran past its deadline, under each of its URL keys."""
        rows = [
            {
                "url_key": key,
                "etag": etag,
                "last_modified": last_modified,
                "length": length,
                "reason": reason[:2000],
                "at": now_utc(),
            }
            for key in dict.fromkeys(url_keys)
        ]
        with self._write() as connection:
            connection.execute(delete(StalledPage).where(StalledPage.url_key.in_(list(url_keys))))
            connection.execute(insert(StalledPage), rows)

    def stalled_pages(self, url_keys: Sequence[str]) -> dict[str, StalledPageRecord]:
        """The stalled pages among `url_keys`, by key."""
        found: dict[str, StalledPageRecord] = {}
        with self._read() as connection:
            for chunk in _chunks(list(dict.fromkeys(url_keys))):
                rows = connection.execute(
                    select(
                        StalledPage.url_key,
                        StalledPage.etag,
                        StalledPage.last_modified,
                        StalledPage.length,
                    ).where(StalledPage.url_key.in_(chunk))
                )
                for key, etag, modified, length in rows:
                    found[key] = StalledPageRecord(etag, modified, length)
        return found

    def feed_validators(self, url: str) -> FeedValidators | None:
        with self._read() as connection:
            row = connection.execute(
                select(FeedState.etag, FeedState.last_modified).where(FeedState.url == url)
            ).first()
            return FeedValidators(row.etag, row.last_modified) if row else None

    def save_feed_state(
        self, url: str, status: int, etag: str | None, last_modified: str | None
    ) -> None:
        """Keep the validators of a feed or sitemap whose every entry was dealt with."""
        self._upsert_feed(url, etag=etag, last_modified=last_modified, last_status=status)

    def set_feed_entries(self, url: str, entries: int) -> None:
        """How many entries the feed or sitemap listed when last parsed (0: it went quiet)."""
        self._upsert_feed(url, entries=entries)

    def set_sitemap_children(self, url: str, children: Sequence[str]) -> None:
        self._upsert_feed(url, children="\n".join(children))

    def _upsert_feed(self, url: str, **values: object) -> None:
        row = {"url": url, "checked_at": now_utc(), "last_status": 200, "entries": 0, **values}
        with self._write() as connection:
            stmt = self._insert(connection, FeedState).values(**row)
            connection.execute(
                stmt.on_conflict_do_update(
                    index_elements=["url"], set_={"checked_at": row["checked_at"], **values}
                )
            )

    def sitemap_children(self, url: str) -> list[str]:
        """The child sitemaps a sitemap index listed when it was last parsed."""
        with self._read() as connection:
            value = connection.scalar(select(FeedState.children).where(FeedState.url == url))
        return value.split("\n") if value else []

    def touch_feed_state(self, url: str, status: int) -> None:
        """A 304: the validators stay, the check time moves."""
        with self._write() as connection:
            connection.execute(
                update(FeedState)
                .where(FeedState.url == url)
                .values(checked_at=now_utc(), last_status=status)
            )

    # clippings

    def add_clipping(
        self,
        source_id: int,
        run_id: int | None,
        article: Article,
        url_keys: Sequence[str],
        matches: Sequence[NewMatch] = (),
        hold_s: float = 0.0,
    ) -> AddResult:
        """Store `article` once: a clipping already reached by any of `url_keys` or with the
        same canonical URL is `known`; a near-identical text elsewhere makes it a duplicate.
        A new clipping's topic `matches` are stored in the same transaction, and it joins the
        topic's gathering alert on each channel; an alert it opens is held for `hold_s`
        (until release_alerts, at the latest that long)."""
        with self._write() as connection:
            batch = [(article, url_keys, matches)]
            return self._add_batch(connection, source_id, run_id, batch, hold_s)[0]

    def add_clippings(
        self,
        source_id: int,
        run_id: int | None,
        articles: Sequence[tuple[Article, Sequence[str], Sequence[NewMatch]]],
        hold_s: float = 0.0,
    ) -> list[AddResult | StorageError]:
        """add_clipping for each (article, url_keys, matches), in order, in one transaction: a
        crawl stores hundreds of articles a minute, and a transaction each is most of the cost.

        When the transaction fails, each article is stored on its own, so that one bad article
        costs only its own result: a StorageError in its place.
        """
        if not articles:
            return []
        try:
            with self._write() as connection:
                return list(self._add_batch(connection, source_id, run_id, articles, hold_s))
        except StorageError as exc:
            if len(articles) == 1:
                return [exc]
        results: list[AddResult | StorageError] = []
        for article, keys, matches in articles:
            try:
                results.append(self.add_clipping(source_id, run_id, article, keys, matches, hold_s))
            except StorageError as exc:
                results.append(exc)
        return results

    def _add_batch(
        self,
        connection: Connection,
        source_id: int,
        run_id: int | None,
        articles: Sequence[tuple[Article, Sequence[str], Sequence[NewMatch]]],
        hold_s: float,
    ) -> list[AddResult]:
        """The articles in order, as if each were added alone after the ones before it, with
        a statement per new clipping and a few for the batch (not four per article): the
        batch's URL keys and fingerprint-band neighbours are read at once, and what the batch
        itself adds is tracked here."""
        # every stored clipping's canonical URL is among its remembered URL keys, so one
        # lookup answers both "reached by this URL before?" and "same canonical URL?"
        url_keys = [
            list(dict.fromkeys([article.canonical_url, *keys])) for article, keys, _ in articles
        ]
        owners = self._url_owners(connection, [key for keys in url_keys for key in keys])
        fresh = [
            (article, keys)
            for (article, _, _), keys in zip(articles, url_keys, strict=True)
            if not any(key in owners for key in keys)
        ]
        neighbours = self._near_duplicates(
            connection, [article.fingerprint for article, _ in fresh]
        )
        outbox = _BatchOutbox(held_until=now_utc() + timedelta(seconds=hold_s))
        if connection.dialect.name == "postgresql":
            _lock_alerts(connection, [match for _, _, matches in articles for match in matches])
        results: list[AddResult] = []
        remembered: list[dict[str, object]] = []
        banded: list[dict[str, object]] = []
        for (article, _, matches), keys in zip(articles, url_keys, strict=True):
            result, remember = self._add_one(
                connection, source_id, run_id, article, keys, matches, owners, neighbours, outbox
            )
            if remember:
                for key in keys:
                    if key not in owners:  # a key already remembered keeps its clipping
                        owners[key] = result.clipping_id
                        remembered.append({"url_key": key, "clipping_id": result.clipping_id})
            if result.status == "new":
                fingerprint = article.fingerprint
                banded.extend(
                    {"band_key": key, "clipping_id": result.clipping_id, "fingerprint": fingerprint}
                    for key in band_keys(fingerprint)
                )
            results.append(result)
        if remembered:
            connection.execute(self._insert_urls, remembered)
        if banded:
            connection.execute(insert(FingerprintBand), banded)
        if outbox.matches:
            connection.execute(self._insert_matches, outbox.matches)
        if outbox.items:
            connection.execute(self._insert_alert_item, outbox.items)
        return results

    def _near_duplicates(self, connection: Connection, fingerprints: Sequence[int]) -> _BandIndex:
        """The stored clippings near-identical to any of the fingerprints and sharing a band
        with it: the only ones original_of can answer with. Candidates come from the narrow
        band table and are compared here; the wide clipping rows are read only for the few
        that are near-identical (for their own original)."""
        wanted: dict[int, list[int]] = {}
        for fingerprint in fingerprints:
            for key in band_keys(fingerprint):
                wanted.setdefault(key, []).append(fingerprint)
        near: dict[int, int] = {}
        for chunk in _chunks(sorted(wanted)):
            for key, clipping_id, other in connection.execute(_SAME_BAND_KEY, {"keys": chunk}):
                if clipping_id not in near and any(
                    is_near_duplicate(other, fingerprint) for fingerprint in wanted[key]
                ):
                    near[clipping_id] = other
        ids = sorted(near)
        originals: dict[int, int | None] = {}
        for chunk in _chunks(ids):
            rows = connection.execute(_DUPLICATE_OF, {"ids": chunk})
            originals.update((clipping_id, original) for clipping_id, original in rows)
        return _BandIndex((id_, near[id_], originals[id_]) for id_ in ids)

    def _url_owners(self, connection: Connection, keys: Sequence[str]) -> dict[str, int]:
        unique = list(dict.fromkeys(keys))
        owners: dict[str, int] = {}
        for chunk in _chunks(unique):
            owners.update(
                (key, owner) for key, owner in connection.execute(_URL_OWNERS, {"keys": chunk})
            )
        return owners

    def _add_one(
        self,
        connection: Connection,
        source_id: int,
        run_id: int | None,
        article: Article,
        keys: Sequence[str],
        matches: Sequence[NewMatch],
        owners: dict[str, int],
        neighbours: _BandIndex,
        outbox: _BatchOutbox,
    ) -> tuple[AddResult, bool]:
        """The article's result, and whether its URL keys are to be remembered for it."""
        existing = next((owners[key] for key in keys if key in owners), None)
        if existing is not None:
            return AddResult("known", existing), True
        duplicate_of = neighbours.original_of(article.fingerprint)
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
            },
        )
        if new_id is None:
            # a concurrent writer stored the same canonical URL a moment ago: its clipping
            # (its URL keys are its writer's to remember)
            winner = connection.scalar(_CANONICAL_OWNER, {"canonical": article.canonical_url})
            return AddResult("known", int(winner or 0)), False
        neighbours.add(new_id, article.fingerprint, duplicate_of)
        outbox.matches.extend(_match_rows(new_id, matches, backfilled=False))
        if duplicate_of is None:  # a syndicated copy is listed in its original's alert
            for match in matches:
                self._enqueue(connection, new_id, run_id, match, outbox)
        return AddResult("new", new_id, duplicate_of, len(matches)), True

    # the outbox

    def _enqueue(
        self,
        connection: Connection,
        clipping_id: int,
        run_id: int | None,
        match: NewMatch,
        outbox: _BatchOutbox,
    ) -> None:
        """Put the clipping into this crawl's alert for each channel of the topic (a digest
        collects into the topic's open digest instead); at most once per channel, ever."""
        for channel in match.notify:
            key = _alert_key(match, channel)
            if key not in outbox.alerts:  # it stays open (and locked) until the batch commits
                outbox.alerts[key] = self._open_alert(connection, *key, run_id, outbox.held_until)
            outbox.items.append(
                {
                    "alert_id": outbox.alerts[key],
                    "topic": match.topic,
                    "channel": channel,
                    "clipping_id": clipping_id,
                }
            )

    def _open_alert(
        self,
        connection: Connection,
        topic: str,
        channel: str,
        event: str,
        run_id: int | None,
        held_until: datetime,
    ) -> int:
        """The alert the clippings of this topic go into on this channel: the one gathering
        (not yet taken for sending), whichever crawl opened it, or a new one held until
        `held_until`. On PostgreSQL the caller holds the topic's advisory lock."""
        stmt = select(Alert.id).where(
            Alert.topic == topic,
            Alert.channel == channel,
            Alert.event == event,
            Alert.status == "pending",
            Alert.attempts == 0,
        )
        # FOR UPDATE (PostgreSQL): a sender claiming this alert waits until the clipping is in
        found = connection.scalar(stmt.order_by(Alert.id.desc()).limit(1).with_for_update())
        if found is not None:
            return int(found)
        now = now_utc()
        # an alert waits for its crawl to release it; a digest for its schedule (the sender
        # sets the time it is due)
        due = max(now, held_until) if event == "alert" else now + _DIGEST_NOT_SCHEDULED
        return int(
            connection.scalar(
                insert(Alert)
                .values(
                    delivery_id=uuid.uuid4().hex,
                    topic=topic,
                    channel=channel,
                    event=event,
                    status="pending",
                    attempts=0,
                    next_attempt_at=due,
                    created_at=now,
                    crawl_run_id=run_id,
                )
                .returning(Alert.id)
            )
            or 0
        )

    def release_alerts(self, run_ids: Sequence[int], due: datetime) -> int:
        """The gathering alerts that clippings of these crawl runs went into are due at `due`
        at the latest (one already due earlier keeps its time); returns how many moved."""
        if not run_ids:
            return 0
        fed = (
            select(AlertItem.id)
            .join(Clipping, Clipping.id == AlertItem.clipping_id)
            .where(AlertItem.alert_id == Alert.id, Clipping.crawl_run_id.in_(list(run_ids)))
            .exists()
        )
        return self._release(fed, due)

    def release_orphaned_alerts(self, now: datetime) -> int:
        """Gathering alerts held for crawl runs that ended without releasing them (their
        process was killed: end_runs marked them interrupted or failed), and that no running
        crawl feeds any more, are due now; returns how many. An alert released by its crawl
        (due at its end plus `gather`) keeps its time."""

        def fed_by(*statuses: str) -> ColumnElement[bool]:
            return (
                select(AlertItem.id)
                .join(Clipping, Clipping.id == AlertItem.clipping_id)
                .join(CrawlRun, CrawlRun.id == Clipping.crawl_run_id)
                .where(AlertItem.alert_id == Alert.id, CrawlRun.status.in_(statuses))
                .exists()
            )

        return self._release(~fed_by("running") & fed_by("interrupted", "failed"), now)

    def _release(self, condition: ColumnElement[bool], due: datetime) -> int:
        with self._write() as connection:
            result = connection.execute(
                update(Alert)
                .where(
                    Alert.status == "pending",
                    Alert.attempts == 0,
                    Alert.event == "alert",
                    Alert.next_attempt_at > due,
                    condition,
                )
                .values(next_attempt_at=due)
            )
            return int(result.rowcount or 0)

    def running_runs(self) -> dict[int, str | None]:
        """The crawl runs marked running, with the process that runs them ("host:pid")."""
        with self._read() as connection:
            rows = connection.execute(
                select(CrawlRun.id, CrawlRun.owner).where(CrawlRun.status == "running")
            )
            return {run_id: owner for run_id, owner in rows}

    def due_alerts(
        self,
        now: datetime,
        *,
        include_failed: bool = False,
        event: str | None = None,
        topic: str | None = None,
        ignore_schedule: bool = False,
    ) -> list[AlertRecord]:
        """Pending alerts whose next attempt is due (and failed ones when asked), oldest first.
        An alert another sender claimed is due again only when its claim has run out."""
        statuses = ["pending", "sending", "failed"] if include_failed else ["pending", "sending"]
        stmt = select(*_alerts.c).where(
            Alert.status.in_(statuses), or_(Alert.status != "sending", Alert.next_attempt_at <= now)
        )
        if not ignore_schedule:
            stmt = stmt.where(or_(Alert.next_attempt_at <= now, Alert.status == "failed"))
        elif event != "digest":
            # a digest still collecting waits for its schedule or `alerts digest`, an alert
            # still gathering for its crawl
            stmt = stmt.where(
                or_(Alert.attempts > 0, (Alert.event == "alert") & (Alert.next_attempt_at <= now))
            )
        if event:
            stmt = stmt.where(Alert.event == event)
        if topic:
            stmt = stmt.where(Alert.topic == topic)
        with self._read() as connection:
            rows = connection.execute(stmt.order_by(Alert.id)).mappings().all()
            return [_alert_record(row) for row in rows]

    def list_alerts(self, status: str | None = None, limit: int = 200) -> list[AlertRecord]:
        stmt = select(*_alerts.c).order_by(Alert.id.desc()).limit(limit)
        if status:
            stmt = stmt.where(Alert.status == status)
        with self._read() as connection:
            return [_alert_record(row) for row in connection.execute(stmt).mappings().all()]

    def alert_clippings(self, alert_id: int) -> list[AlertContent]:
        """The clippings an alert carries, with the topic's snippets and the other sources
        that carried the same story."""
        with self._read() as connection:
            rows = (
                connection.execute(
                    self._records()
                    .add_columns(Match.snippets.label("match_snippets"))
                    .join(AlertItem, AlertItem.clipping_id == Clipping.id)
                    .outerjoin(
                        Match, (Match.clipping_id == Clipping.id) & (Match.topic == AlertItem.topic)
                    )
                    .where(AlertItem.alert_id == alert_id)
                    .order_by(Clipping.id)
                )
                .mappings()
                .all()
            )
            records = [_record(row) for row in rows]
            copies: dict[int, list[tuple[str, str]]] = {r.id: [] for r in records}
            if records:
                copy_rows = connection.execute(
                    select(Clipping.duplicate_of, Source.name, Clipping.canonical_url)
                    .join(Source, Source.id == Clipping.source_id)
                    .where(Clipping.duplicate_of.in_(list(copies)))
                    .order_by(Clipping.id)
                )
                for original, source, url in copy_rows:
                    if original is not None:
                        copies[original].append((source, url))
            return [
                AlertContent(
                    record,
                    tuple(Snippet.from_json(x) for x in json.loads(row["match_snippets"] or "[]")),
                    tuple(copies[record.id]),
                )
                for record, row in zip(records, rows, strict=True)
            ]

    def claim_alert(self, alert: AlertRecord, until: datetime) -> bool:
        """Take `alert` (as read by due_alerts) for sending until `until`; False when another
        sender took it first. A claimed alert collects no more clippings, and is due again
        after `until` if its sender died before marking it sent or failed."""
        with self._write() as connection:
            result = connection.execute(
                update(Alert)
                .where(
                    Alert.id == alert.id,
                    Alert.status == alert.status,
                    Alert.attempts == alert.attempts,
                    Alert.next_attempt_at == alert.next_attempt_at,
                )
                .values(status="sending", next_attempt_at=until)
            )
            return result.rowcount == 1

    def collecting_digest_since(self, topic: str) -> datetime | None:
        """When the digest `topic` is collecting into was opened (None: no open digest)."""
        with self._read() as connection:
            found = connection.scalar(
                select(func.min(Alert.created_at)).where(
                    Alert.topic == topic,
                    Alert.event == "digest",
                    Alert.status == "pending",
                    Alert.attempts == 0,
                )
            )
            return _as_utc(found)

    def mark_sent(self, alert_id: int) -> None:
        with self._write() as connection:
            connection.execute(
                update(Alert)
                .where(Alert.id == alert_id)
                .values(
                    status="sent", sent_at=now_utc(), attempts=Alert.attempts + 1, last_error=None
                )
            )

    def mark_failed_attempt(self, alert_id: int, error: str, retry_at: datetime | None) -> None:
        """Count a failed attempt; `retry_at` None means no attempts are left."""
        values: dict[str, object] = {"attempts": Alert.attempts + 1, "last_error": error[:2000]}
        if retry_at is None:
            values["status"] = "failed"
        else:
            values.update(status="pending", next_attempt_at=retry_at)
        with self._write() as connection:
            connection.execute(update(Alert).where(Alert.id == alert_id).values(**values))

    def outbox_counts(self) -> dict[str, int]:
        with self._read() as connection:
            rows = connection.execute(select(Alert.status, func.count()).group_by(Alert.status))
            return {status: count for status, count in rows}

    def _store_matches(
        self,
        connection: Connection,
        clipping_id: int,
        matches: Sequence[NewMatch],
        *,
        backfilled: bool,
    ) -> int:
        """Insert the matches that are not stored yet; returns how many were new."""
        if not matches:
            return 0
        rows = _match_rows(clipping_id, matches, backfilled=backfilled)
        return len(connection.execute(self._insert_matches, rows).all())

    # matches

    def add_backfilled_matches(self, found: Sequence[tuple[int, Sequence[NewMatch]]]) -> int:
        """`topics rematch`: store matches for existing clippings (marked backfilled, so they
        never alert); a match already stored stays as it was. Returns how many were new."""
        with self._write() as connection:
            return sum(
                self._store_matches(connection, clipping_id, matches, backfilled=True)
                for clipping_id, matches in found
            )

    def topic_stats(self) -> dict[str, TopicStats]:
        """Per topic name: number of matches and the time of the last one."""
        with self._read() as connection:
            rows = connection.execute(
                select(Match.topic, func.count(), func.max(Match.matched_at)).group_by(Match.topic)
            )
            return {topic: TopicStats(count, _as_utc(last)) for topic, count, last in rows}

    def clipping_topics(self, clipping_ids: Sequence[int]) -> dict[int, list[str]]:
        """The topics each clipping matched."""
        out: dict[int, list[str]] = {i: [] for i in clipping_ids}
        if not clipping_ids:
            return out
        with self._read() as connection:
            rows = connection.execute(
                select(Match.clipping_id, Match.topic)
                .where(Match.clipping_id.in_(clipping_ids))
                .order_by(Match.topic)
            )
            for clipping_id, topic in rows:
                out[clipping_id].append(topic)
        return out

    def clipping_matches(self, clipping_id: int) -> list[StoredMatch]:
        """A clipping's matches with their snippets."""
        with self._read() as connection:
            rows = connection.execute(
                select(Match.topic, Match.snippets, Match.matched_at, Match.backfilled)
                .where(Match.clipping_id == clipping_id)
                .order_by(Match.topic)
            )
            return [
                StoredMatch(
                    topic,
                    tuple(Snippet.from_json(s) for s in json.loads(snippets)),
                    matched_at,
                    backfilled,
                )
                for topic, snippets, matched_at, backfilled in rows
            ]

    def _records(self) -> Select[tuple[object, ...]]:
        return select(
            *(c for c in _clippings.c if not c.name.startswith("fp_") and c.name != "fingerprint"),
            Source.name.label("source"),
        ).join(Source, Source.id == Clipping.source_id)

    def list_clippings(
        self,
        *,
        source: str | None = None,
        since: datetime | None = None,
        topic: str | None = None,
        limit: int | None = 50,
        offset: int = 0,
        oldest_first: bool = False,
    ) -> list[ClippingRecord]:
        """Newest first (by fetch time), optionally one source, one topic, fetched since a
        time; each with the topics it matched."""
        stmt = _filtered(self._records(), source=source, since=since, topic=topic)
        order = Clipping.id.asc() if oldest_first else Clipping.id.desc()
        stmt = stmt.order_by(order).offset(offset)
        if limit is not None:
            stmt = stmt.limit(limit)
        with self._read() as connection:
            rows = [_record(row) for row in connection.execute(stmt).mappings()]
        return self._with_topics(rows)

    def iter_clippings(
        self, *, since: datetime | None = None, topic: str | None = None, batch: int = 500
    ) -> Iterator[ClippingRecord]:
        """Every clipping (or those of one topic), oldest first, read in batches (for export)."""
        last_id = 0
        while True:
            stmt = _filtered(self._records(), since=since, topic=topic)
            stmt = stmt.where(Clipping.id > last_id).order_by(Clipping.id).limit(batch)
            with self._read() as connection:
                rows = [_record(row) for row in connection.execute(stmt).mappings()]
            if not rows:
                return
            yield from self._with_topics(rows)
            last_id = rows[-1].id

    def _with_topics(self, records: list[ClippingRecord]) -> list[ClippingRecord]:
        topics = self.clipping_topics([r.id for r in records])
        return [replace(r, topics=tuple(topics[r.id])) for r in records]

    def get_clipping(self, clipping_id: int) -> ClippingRecord | None:
        """The clipping, or None (also for an id no clipping can have: from a URL, say)."""
        if not 0 < clipping_id <= MAX_ID:
            return None
        with self._read() as connection:
            row = (
                connection.execute(self._records().where(Clipping.id == clipping_id))
                .mappings()
                .first()
            )
        return self._with_topics([_record(row)])[0] if row else None

    def search_clippings(self, query: str, limit: int = 20) -> list[ClippingRecord]:
        """Full-text search over title and text, best match first, with a snippet."""
        if self.engine.dialect.name == "postgresql":
            q = tsquery_text(query)
            stmt = (
                self._records()
                .add_columns(pg_snippet(24).label("snippet"))
                .where(pg_match)
                .order_by(pg_rank.desc(), Clipping.id.desc())
            )
        else:
            q = fts5_query(query)
            stmt = (
                self._records()
                .add_columns(fts5_snippet(24).label("snippet"))
                .join(fts5_table, fts5_table.c.rowid == Clipping.id)
                .where(fts5_match)
                .order_by(fts5_rank, Clipping.id.desc())
            )
        if not q:
            return []
        with self._read() as connection:
            rows = connection.execute(stmt.limit(limit), {"q": q}).mappings()
            return [_record(row) for row in rows]

    def count_clippings(self) -> int:
        with self._read() as connection:
            return int(connection.scalar(select(func.count()).select_from(Clipping)) or 0)


def _filtered(
    stmt: Select[tuple[object, ...]],
    *,
    source: str | None = None,
    since: datetime | None = None,
    topic: str | None = None,
) -> Select[tuple[object, ...]]:
    if source:
        stmt = stmt.where(Source.name == source)
    if since:
        stmt = stmt.where(Clipping.fetched >= since)
    if topic:
        stmt = stmt.where(Clipping.id.in_(select(Match.clipping_id).where(Match.topic == topic)))
    return stmt


def _alert_record(row: RowMapping) -> AlertRecord:
    return AlertRecord(**{name: row[name] for name in AlertRecord.__dataclass_fields__})


def _record(row: RowMapping) -> ClippingRecord:
    return ClippingRecord(
        id=row["id"],
        url=row["url"],
        canonical_url=row["canonical_url"],
        source=row["source"],
        title=row["title"],
        author=row["author"],
        published=row["published"],
        fetched=row["fetched"],
        language=row["language"],
        site_name=row["site_name"],
        description=row["description"],
        image=row["image"],
        text=row["text"],
        word_count=row["word_count"],
        duplicate_of=row["duplicate_of"],
        snippet=row.get("snippet"),
    )


def _chunks(values: list[_T]) -> Iterator[list[_T]]:
    """`values` in pieces small enough for one IN (...) list each."""
    for start in range(0, len(values), _IN_CHUNK):
        yield values[start : start + _IN_CHUNK]


def _alert_key(match: NewMatch, channel: str) -> tuple[str, str, str]:
    """(topic, channel, event): one open alert each."""
    return (match.topic, channel, "digest" if match.mode == "digest" else "alert")


def _lock_alerts(connection: Connection, matches: Iterable[NewMatch]) -> None:
    """PostgreSQL: one open alert per topic, channel and event, so concurrent crawls wait for
    each other's here rather than each opening its own (SQLite's BEGIN IMMEDIATE serialises
    them anyway). Every lock a batch may need, taken at once in one order: two batches never
    hold one each while waiting for the other's."""
    wanted = {_alert_key(match, channel) for match in matches for channel in match.notify}
    for key in sorted(wanted):
        connection.execute(select(func.pg_advisory_xact_lock(func.hashtext("\x1f".join(key)))))


def _match_rows(
    clipping_id: int, matches: Sequence[NewMatch], *, backfilled: bool
) -> list[dict[str, object]]:
    now = now_utc()
    return [
        {
            "topic": m.topic,
            "clipping_id": clipping_id,
            "matched_at": now,
            "backfilled": backfilled,
            "snippets": json.dumps([s.as_json() for s in m.snippets], ensure_ascii=False),
        }
        for m in matches
    ]


@dataclass
class _BatchOutbox:
    """What a batch of new clippings writes besides the clippings, in one statement each at
    the end: their matches and alert items, and each alert they go into, looked up once."""

    held_until: datetime  # when an alert the batch opens is due, unless released before
    matches: list[dict[str, object]] = field(default_factory=list)
    items: list[dict[str, object]] = field(default_factory=list)
    alerts: dict[tuple[str, str, str], int] = field(default_factory=dict)


class _BandIndex:
    """Stored clippings near-identical to a batch's articles and sharing a band with them (in
    id order), and the batch's own new clippings as they are added: the same answers as a
    query per article for the clippings sharing one of its bands."""

    def __init__(self, entries: Iterable[tuple[int, int, int | None]]) -> None:
        self._by_band: dict[int, list[tuple[int, int, int | None]]] = {}
        for clipping_id, fingerprint, duplicate_of in entries:
            self.add(clipping_id, fingerprint, duplicate_of)

    def add(self, clipping_id: int, fingerprint: int, duplicate_of: int | None) -> None:
        entry = (clipping_id, fingerprint, duplicate_of)
        for key in band_keys(fingerprint):
            self._by_band.setdefault(key, []).append(entry)

    def original_of(self, fingerprint: int) -> int | None:
        """The first clipping (lowest id) with a near-identical text: its original if it is
        itself a duplicate."""
        candidates = sorted(
            {entry for key in band_keys(fingerprint) for entry in self._by_band.get(key, ())}
        )
        for clipping_id, other, duplicate_of in candidates:
            if is_near_duplicate(other, fingerprint):
                return duplicate_of or clipping_id
        return None
