"""SQLAlchemy 2 models: sources, clippings, the URLs that lead to them, crawl runs, feed cache,
matches and the alert outbox, re-checked pages and their revisions."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on every backend (SQLite has no zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use an aware UTC time")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Source(Base):
    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # adaptive polling: the interval the source is crawled at now (None: its `every`)
    poll_interval_s: Mapped[float | None] = mapped_column(Float)


class Clipping(Base):
    """One article, stored once per canonical URL."""

    __tablename__ = "clippings"
    __table_args__ = (
        UniqueConstraint("canonical_url"),
        Index("ix_clippings_fetched", "fetched"),
        Index("ix_clippings_published", "published"),
        Index("ix_clippings_source_fetched", "source_id", "fetched"),
        # the review page's date filter (published, else fetched) over folded lists
        Index("ix_clippings_duplicate_of_published", "duplicate_of", "published", "fetched"),
        Index("ix_clippings_source_published", "source_id", "published", "fetched"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    crawl_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    url: Mapped[str] = mapped_column(Text)
    canonical_url: Mapped[str] = mapped_column(String(2000))
    title: Mapped[str] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(Text)
    published: Mapped[datetime | None] = mapped_column(UtcDateTime)
    fetched: Mapped[datetime] = mapped_column(UtcDateTime)
    language: Mapped[str | None] = mapped_column(String(16))
    site_name: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    image: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    word_count: Mapped[int] = mapped_column(Integer)
    fingerprint: Mapped[int] = mapped_column(BigInteger)
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("clippings.id"), index=True)
    # the story it tells (copies, rewrites and other outlets' reports of one event share it);
    # None for clippings stored before stories were kept
    story_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id"), index=True)


class Story(Base):
    """One news story across outlets: its first clipping (by publication time), the news
    agency it credits when one is named, its time span and size."""

    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    origin_id: Mapped[int | None] = mapped_column(Integer)  # its first clipping
    wire: Mapped[str | None] = mapped_column(String(20))
    first_seen: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    clippings: Mapped[int] = mapped_column(Integer, default=0)


class StoryKey(Base):
    """The index a new clipping's same-story candidates are looked up in: each clipping once
    per key (a sampled 5-gram of its text, a key term), with its time (published, else
    fetched), so that a lookup reads only the keys' clippings of the 72 hours around it."""

    __tablename__ = "story_keys"
    __table_args__ = ({"sqlite_with_rowid": False},)

    key: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, primary_key=True)
    clipping_id: Mapped[int] = mapped_column(ForeignKey("clippings.id"), primary_key=True)


class StoryMember(Base):
    """What the same-story rule compares of a clipping (presswatch.stories.StoryFeatures, as
    text), kept for the clippings that are not verbatim copies."""

    __tablename__ = "story_members"

    clipping_id: Mapped[int] = mapped_column(ForeignKey("clippings.id"), primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    sample: Mapped[str] = mapped_column(Text)  # sampled 5-gram hashes, space-separated
    terms: Mapped[str] = mapped_column(Text)  # key terms, space-separated
    title: Mapped[str] = mapped_column(Text)  # headline words, space-separated
    wire: Mapped[str | None] = mapped_column(String(20))
    weight: Mapped[float] = mapped_column(Float, default=0.0)  # its key terms' weight in all


class StoryTerm(Base):
    """How many clippings carry each key term (the rule weighs rare terms more); the row with
    the empty term counts all clippings."""

    __tablename__ = "story_terms"

    term: Mapped[str] = mapped_column(String(200), primary_key=True)
    df: Mapped[int] = mapped_column(Integer, default=0)


class FingerprintBand(Base):
    """A clipping's fingerprint once per band key (fingerprint.band_keys): the near-duplicate
    candidates of a new article are the rows sharing one of its keys, read in key order from
    this narrow table rather than from the wide clipping rows."""

    __tablename__ = "fingerprint_bands"
    __table_args__ = ({"sqlite_with_rowid": False},)

    band_key: Mapped[int] = mapped_column(Integer, primary_key=True)
    clipping_id: Mapped[int] = mapped_column(ForeignKey("clippings.id"), primary_key=True)
    fingerprint: Mapped[int] = mapped_column(BigInteger)


class PageUrl(Base):
    """Every URL form (as fetched, after redirects, canonical) that leads to a stored clipping,
    so that a later crawl recognises the page before downloading it."""

    __tablename__ = "page_urls"

    url_key: Mapped[str] = mapped_column(String(2000), primary_key=True)
    clipping_id: Mapped[int] = mapped_column(ForeignKey("clippings.id"), index=True)


class StalledPage(Base):
    """A page whose extraction ran past `[extract] timeout`: skipped by later crawls while it
    is unchanged (same validators, or the same length when it has none)."""

    __tablename__ = "stalled_pages"

    url_key: Mapped[str] = mapped_column(String(2000), primary_key=True)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    length: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class CrawlRun(Base):
    """One crawl of one source, with its counts."""

    __tablename__ = "crawl_runs"
    __table_args__ = (Index("ix_crawl_runs_source_started", "source_id", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(20))  # running, finished, failed, interrupted
    owner: Mapped[str | None] = mapped_column(String(200))  # the crawl process, "host:pid"
    discovered: Mapped[int] = mapped_column(Integer, default=0)
    known: Mapped[int] = mapped_column(Integer, default=0)
    fetched: Mapped[int] = mapped_column(Integer, default=0)
    not_modified: Mapped[int] = mapped_column(Integer, default=0)
    extracted: Mapped[int] = mapped_column(Integer, default=0)
    not_articles: Mapped[int] = mapped_column(Integer, default=0)
    stored: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    matched: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    blocked: Mapped[int] = mapped_column(Integer, default=0)
    requests: Mapped[int] = mapped_column(Integer, default=0)
    robots: Mapped[int] = mapped_column(Integer, default=0)  # URLs robots.txt refused
    # of the new clippings: how many have a date, an author; their median length in words
    dated: Mapped[int] = mapped_column(Integer, default=0)
    authored: Mapped[int] = mapped_column(Integer, default=0)
    median_words: Mapped[int | None] = mapped_column(Integer)


class FeedFetch(Base):
    """One feed or sitemap as one crawl run fetched it: its answer, its entries, the new
    links it gave, and where it moved to when it answered with a permanent redirect."""

    __tablename__ = "feed_fetches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    crawl_run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    url: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(10))  # feed, sitemap
    status: Mapped[int] = mapped_column(Integer)  # HTTP status; 0: no answer
    entries: Mapped[int] = mapped_column(Integer, default=0)
    new_links: Mapped[int] = mapped_column(Integer, default=0)
    moved_to: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)


class SourceDay(Base):
    """A source's crawl runs summed per UTC day (kept as runs finish), so that a month of
    yield per source is read from 30 rows, not from thousands of runs."""

    __tablename__ = "source_days"

    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # YYYY-MM-DD
    runs: Mapped[int] = mapped_column(Integer, default=0)
    requests: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    fetched: Mapped[int] = mapped_column(Integer, default=0)
    extracted: Mapped[int] = mapped_column(Integer, default=0)
    stored: Mapped[int] = mapped_column(Integer, default=0)


class HealthEvent(Base):
    """A way a source departed from its usual behaviour (silent, yield, errors, robots,
    moved): open while it lasts, recovered once it is over. One open event per source and
    kind at a time."""

    __tablename__ = "health_events"
    __table_args__ = (Index("ix_health_events_source_kind", "source_id", "kind", "recovered_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    kind: Mapped[str] = mapped_column(String(10))
    since: Mapped[datetime] = mapped_column(UtcDateTime)  # when the change began, as seen
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    message: Mapped[str] = mapped_column(Text)
    recovered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    recovery_message: Mapped[str | None] = mapped_column(Text)


class CrawlError(Base):
    """One failed URL of a crawl run, as shown to the user."""

    __tablename__ = "crawl_errors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    crawl_run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    url: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class FeedState(Base):
    """Conditional-GET validators of a feed or sitemap URL."""

    __tablename__ = "feed_states"

    url: Mapped[str] = mapped_column(String(2000), primary_key=True)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    checked_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_status: Mapped[int] = mapped_column(Integer)
    entries: Mapped[int] = mapped_column(Integer, default=0)
    # a sitemap index's child sitemaps, one URL a line: a 304 on the index must not hide
    # changes in its children, which are then asked for (conditionally) all the same
    children: Mapped[str | None] = mapped_column(Text)


class Match(Base):
    """A topic that matched a clipping, with up to three snippets (JSON: text and hit offsets).

    Topics live in presswatch.toml, so a match names its topic; `backfilled` marks matches made
    by `topics rematch`, which never alert.
    """

    __tablename__ = "matches"
    __table_args__ = (
        UniqueConstraint("topic", "clipping_id"),
        Index("ix_matches_topic_matched_at", "topic", "matched_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    topic: Mapped[str] = mapped_column(String(200))
    clipping_id: Mapped[int] = mapped_column(ForeignKey("clippings.id"), index=True)
    snippets: Mapped[str] = mapped_column(Text)
    matched_at: Mapped[datetime] = mapped_column(UtcDateTime)
    backfilled: Mapped[bool] = mapped_column(Boolean, default=False)


class Alert(Base):
    """One message to one channel for one topic (the outbox): it carries the clippings in
    alert_items and is retried with backoff until sent or out of attempts."""

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_status_next_attempt", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_id: Mapped[str] = mapped_column(String(64), unique=True)
    topic: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(200))
    event: Mapped[str] = mapped_column(String(10))  # alert, digest, health, update
    status: Mapped[str] = mapped_column(String(10))  # pending, sent, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    crawl_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    # event "health": the health event it tells of, and which of its states (open, recovered)
    health_event_id: Mapped[int | None] = mapped_column(ForeignKey("health_events.id"))
    health_state: Mapped[str | None] = mapped_column(String(10))
    # event "update": the revision of a clipping it tells of
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("clipping_revisions.id"))


class AlertItem(Base):
    """A clipping carried by an alert; unique per (topic, channel, clipping), so a clipping
    reaches each channel of each topic at most once, ever."""

    __tablename__ = "alert_items"
    __table_args__ = (UniqueConstraint("topic", "channel", "clipping_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    topic: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(200))
    clipping_id: Mapped[int] = mapped_column(ForeignKey("clippings.id"), index=True)


class ClippingReview(Base):
    """What a reader did with a clipping on the review page: reviewed, starred, a note."""

    __tablename__ = "clipping_reviews"

    clipping_id: Mapped[int] = mapped_column(ForeignKey("clippings.id"), primary_key=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    starred: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class TrackedPage(Base):
    """A clipping that matched a topic, re-fetched on a decaying schedule (after 1 h, 6 h,
    24 h and 72 h) to see whether it was corrected or taken down."""

    __tablename__ = "tracked_pages"
    __table_args__ = (Index("ix_tracked_pages_status_next_check", "status", "next_check_at"),)

    clipping_id: Mapped[int] = mapped_column(ForeignKey("clippings.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(10))  # live, removed
    next_check_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # None: schedule over
    checks: Mapped[int] = mapped_column(Integer, default=0)  # fetches tried, errors included
    errors: Mapped[int] = mapped_column(Integer, default=0)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    checked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_status: Mapped[int | None] = mapped_column(Integer)  # HTTP status; 0: no answer
    last_error: Mapped[str | None] = mapped_column(Text)
    removed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ClippingRevision(Base):
    """A change to a clipping's headline or text seen on a re-check: what it was before, and
    a word diff of the text (the clipping itself holds the text as it is now); or, with
    `removed_status`, its page's removal (for the "update" alerts that tell of it)."""

    __tablename__ = "clipping_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clipping_id: Mapped[int] = mapped_column(ForeignKey("clippings.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    old_title: Mapped[str] = mapped_column(Text)
    new_title: Mapped[str] = mapped_column(Text)
    old_text: Mapped[str] = mapped_column(Text)
    text_diff: Mapped[str | None] = mapped_column(Text)  # None: the text did not change
    # 404 or 410: the page was gone at this re-check (headline and text as they were)
    removed_status: Mapped[int | None] = mapped_column(Integer)
