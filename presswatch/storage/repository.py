"""One object over the database for callers that use several stores: `Repository(engine)`.

Each store keeps one responsibility (sources, runs, feeds, clippings, matches, outbox, review,
health, revisions); the repository holds them as attributes, and their queries under their own
names (`repository.claim_alert` is `repository.outbox.claim_alert`). Storing a batch of extracted
articles, which writes to several stores in one transaction, is `presswatch.ingest`'s.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from presswatch.storage.clippings import ClippingStore
from presswatch.storage.coverage import SourceFigures, source_figures
from presswatch.storage.feeds import FeedStore
from presswatch.storage.health import HealthStore
from presswatch.storage.matches import MatchStore
from presswatch.storage.outbox import OutboxStore
from presswatch.storage.review import ReviewStore
from presswatch.storage.revisions import RevisionStore
from presswatch.storage.runs import RunStore
from presswatch.storage.sources import SourceStore
from presswatch.storage.stories import StoryStore
from presswatch.storage.story_views import StoryViews


class Repository:
    """Every query presswatch runs; callers get records, never ORM rows."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sources = SourceStore(engine)
        self.runs = RunStore(engine, self.sources)
        self.feeds = FeedStore(engine)
        self.matches = MatchStore(engine)
        self.clippings = ClippingStore(engine, self.matches)
        self.outbox = OutboxStore(engine)
        self.story_views = StoryViews(engine)
        self.review = ReviewStore(engine, self.matches, self.story_views)
        self.health = HealthStore(engine)
        self.stories = StoryStore(engine)
        self.revisions = RevisionStore(engine)

        self.source_id = self.sources.source_id
        self.source_names = self.sources.source_names
        self.poll_interval = self.sources.poll_interval
        self.poll_intervals = self.sources.poll_intervals
        self.set_poll_interval = self.sources.set_poll_interval

        self.start_run = self.runs.start_run
        self.finish_run = self.runs.finish_run
        self.end_runs = self.runs.end_runs
        self.last_runs = self.runs.last_runs
        self.interrupt_stale_runs = self.runs.interrupt_stale_runs
        self.record_error = self.runs.record_error
        self.run_errors = self.runs.run_errors
        self.running_runs = self.runs.running_runs
        self.source_health = self.runs.source_health

        self.remember_stalled_page = self.feeds.remember_stalled_page
        self.stalled_pages = self.feeds.stalled_pages
        self.feed_validators = self.feeds.feed_validators
        self.save_feed_state = self.feeds.save_feed_state
        self.set_feed_entries = self.feeds.set_feed_entries
        self.set_sitemap_children = self.feeds.set_sitemap_children
        self.sitemap_children = self.feeds.sitemap_children
        self.touch_feed_state = self.feeds.touch_feed_state

        self.known_url_keys = self.clippings.known_url_keys
        self.has_clippings_before = self.clippings.has_clippings_before
        self.get_clipping = self.clippings.get_clipping
        self.count_clippings = self.clippings.count_clippings
        self.search = self.review.search

        self.add_backfilled_matches = self.matches.add_backfilled_matches
        self.topic_stats = self.matches.topic_stats
        self.clipping_matches = self.matches.clipping_matches
        self.topic_snippets = self.matches.topic_snippets
        self.matches_per_day = self.matches.matches_per_day

        self.release_alerts = self.outbox.release_alerts
        self.release_orphaned_alerts = self.outbox.release_orphaned_alerts
        self.due_alerts = self.outbox.due_alerts
        self.list_alerts = self.outbox.list_alerts
        self.alert_clippings = self.outbox.alert_clippings
        self.claim_alert = self.outbox.claim_alert
        self.collecting_digest_since = self.outbox.collecting_digest_since
        self.mark_sent = self.outbox.mark_sent
        self.mark_failed_attempt = self.outbox.mark_failed_attempt
        self.outbox_counts = self.outbox.outbox_counts
        self.clipping_alerts = self.outbox.clipping_alerts
        self.alert_sizes = self.outbox.alert_sizes

        self.clipping_page = self.review.clipping_page
        self.iter_filtered = self.review.iter_filtered
        self.list_clippings = self.review.list_clippings
        self.iter_clippings = self.review.iter_clippings
        self.copies = self.review.copies
        self.review_states = self.review.review_states
        self.review_state = self.review.review_state
        self.set_review = self.review.set_review

        self.story_timeline = self.story_views.story_timeline
        self.story_outlets = self.story_views.story_outlets
        self.outlets_of = self.story_views.outlets_of

    def source_figures(self, now: datetime | None = None) -> dict[str, SourceFigures]:
        """Every source's coverage figures (storage.coverage), by name."""
        return source_figures(self.engine, now)
