"""The configuration as frozen, typed models: one per table of presswatch.toml."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from presswatch.config.fields import (
    Cron,
    CssSelector,
    Duration,
    DurationOrZero,
    HttpUrl,
    Network,
    Regex,
    is_zero_duration,
    parse_duration_s,
)
from presswatch.errors import ConfigError
from presswatch.query import Node, parse_query

_SOURCE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class DatabaseConfig(_Model):
    url: str = "sqlite:///presswatch.db"


class CrawlConfig(_Model):
    user_agent: str = "presswatch/0.1 (+https://github.com/presswatch/presswatch)"
    obey_robots: bool = True
    concurrency: int = Field(default=16, ge=1, le=512)
    per_domain_concurrency: int = Field(default=4, ge=1, le=128)
    timeout: float = Field(default=20.0, gt=0)
    retries: int = Field(default=2, ge=0, le=10)
    max_page_bytes: int = Field(default=5_000_000, ge=10_000)
    max_depth: int = Field(default=2, ge=1, le=10)
    autothrottle: bool = True
    extract_workers: int = Field(default=0, ge=0, le=64)  # 0: one per CPU core
    # internal networks a crawl may reach (all others but public addresses are refused)
    allow_networks: tuple[Network, ...] = ()
    # every source's interval follows its rhythm, between min_every and every (see
    # SourceConfig.adaptive, which overrides this per source)
    adaptive: bool = False

    @property
    def timeout_s(self) -> float:
        return self.timeout


class QueueConfig(_Model):
    """Distributed mode: with `url`, crawls go through a Redis queue to `presswatch worker`s."""

    url: str | None = None
    name: str = Field(default="presswatch", pattern=r"^[A-Za-z0-9_.-]+$")  # key prefix in Redis
    worker_timeout: Duration = "60s"  # a worker silent this long is dead; others take its work

    @property
    def worker_timeout_s(self) -> float:
        return parse_duration_s(self.worker_timeout)


class ExtractConfig(_Model):
    drop_lines: tuple[str, ...] = ()
    drop_blocks: tuple[str, ...] = ()  # related-content labels, added to the built-in list
    min_words: int = Field(default=40, ge=0)
    # a page whose extraction takes longer is given up, and skipped until it changes
    timeout: Duration = "20s"

    @property
    def timeout_s(self) -> float:
        return parse_duration_s(self.timeout)


class AlertsConfig(_Model):
    max_attempts: int = Field(default=8, ge=1, le=100)
    first_retry: Duration = "10m"  # then doubling: 10m, 20m, 40m ... (capped at 12h)
    # `presswatch run`: crawls that end within this of the first one's end share an alert
    gather: DurationOrZero = "30s"
    # an alert lists a story once, with its outlets; a story already alerted for a topic and
    # channel does not alert again when another outlet joins it (false: one entry per clipping)
    per_story: bool = True

    @property
    def first_retry_s(self) -> float:
        return parse_duration_s(self.first_retry)

    @property
    def gather_s(self) -> float:
        return 0.0 if is_zero_duration(self.gather) else parse_duration_s(self.gather)


class HealthConfig(_Model):
    """Source health: who hears of a source that departs from its usual behaviour."""

    notify: tuple[str, ...] = ()  # channels; a message when an event opens and when it is over
    # silent: no new clipping for longer than this many of the source's usual gaps
    silent_gaps: float = Field(default=6.0, ge=2.0, le=1000.0)


class ServiceConfig(_Model):
    """`presswatch run`: limits of the long-running service."""

    crawl_timeout: Duration = "30m"  # a crawl running longer is stopped and counted as failed
    stop_timeout: Duration = "30s"  # on SIGTERM, how long running crawls get to end cleanly
    parallel_crawls: int = Field(default=4, ge=1, le=64)

    @property
    def crawl_timeout_s(self) -> float:
        return parse_duration_s(self.crawl_timeout)

    @property
    def stop_timeout_s(self) -> float:
        return parse_duration_s(self.stop_timeout)


class SourceConfig(_Model):
    name: str
    feeds: tuple[HttpUrl, ...] = ()
    sitemaps: tuple[HttpUrl, ...] = ()
    start_urls: tuple[HttpUrl, ...] = ()
    follow: tuple[Regex, ...] = ()
    exclude: tuple[CssSelector, ...] = ()  # elements of this source's pages that are never text
    every: Duration | None = None
    cron: Cron | None = None
    enabled: bool = True
    # adaptive polling: the interval moves between min_every and every (None: [crawl] adaptive)
    adaptive: bool | None = None
    min_every: Duration | None = None  # default: a quarter of every
    # a feed or sitemap that answers with a permanent redirect is asked for at its new URL
    # from then on (otherwise it is reported, and the configured URL is still used)
    follow_moves: bool = False

    @model_validator(mode="after")
    def _check(self) -> SourceConfig:
        if not _SOURCE_NAME.match(self.name):
            raise ValueError(f'name "{self.name}" may use only letters, digits, "-", "_" and "."')
        if not (self.feeds or self.sitemaps or self.start_urls):
            raise ValueError("needs at least one of feeds, sitemaps or start_urls")
        if self.every and self.cron:
            raise ValueError('set either "every" or "cron", not both')
        if self.follow and not self.start_urls:
            raise ValueError('"follow" needs "start_urls" to start from')
        if self.cron and (self.adaptive or self.min_every):
            raise ValueError('adaptive polling needs "every", not "cron"')
        if self.min_every and parse_duration_s(self.min_every) >= (self.interval_s or 0):
            raise ValueError(
                f'min_every "{self.min_every}" must be shorter than every "{self.every or "1h"}"'
            )
        return self

    def is_adaptive(self, crawl: CrawlConfig) -> bool:
        """Whether the interval follows the source's rhythm (never for a cron schedule)."""
        if self.cron:
            return False
        return self.adaptive if self.adaptive is not None else crawl.adaptive

    @property
    def min_interval_s(self) -> float:
        """The shortest interval adaptive polling may reach."""
        if self.min_every:
            return parse_duration_s(self.min_every)
        return (self.interval_s or 3600.0) / 4

    @property
    def schedule(self) -> str:
        """As people read it: "every 15m" or "cron */15 * * * *"."""
        return f"cron {self.cron}" if self.cron else f"every {self.every or '1h'}"

    @property
    def interval_s(self) -> float | None:
        """Seconds between crawls, or None when the source runs on `cron`."""
        if self.cron:
            return None
        return parse_duration_s(self.every or "1h")


class TopicConfig(_Model):
    name: str
    query: str
    notify: tuple[str, ...] = ()
    mode: Literal["instant", "digest"] = "instant"
    digest_cron: Cron | None = None
    # an "update" alert, with the word diff, when a clipping it matched changes its headline
    # or text after it was clipped
    on_update: bool = False

    @model_validator(mode="after")
    def _check(self) -> TopicConfig:
        if self.mode == "digest" and not self.digest_cron:
            raise ValueError('mode "digest" needs digest_cron (e.g. "0 8 * * *")')
        return self

    def parsed_query(self) -> Node:
        """The query's syntax tree (checked when the config was loaded)."""
        return parse_query(self.query)


class EmailChannelConfig(_Model):
    type: Literal["email"]
    to: tuple[str, ...] = Field(min_length=1)
    from_: str = Field(alias="from")
    smtp_host: str = "localhost"
    smtp_port: int = Field(default=25, ge=1, le=65535)
    security: Literal["none", "starttls", "ssl"] = "none"
    username: str = ""
    password_env: str | None = None


class WebhookChannelConfig(_Model):
    type: Literal["webhook"]
    url: HttpUrl
    secret_env: str | None = None
    timeout: float = Field(default=10.0, gt=0)


ChannelConfig = Annotated[EmailChannelConfig | WebhookChannelConfig, Field(discriminator="type")]


class Config(_Model):
    """The whole configuration; code receives only the part it needs."""

    path: Path | None = None
    seeds: tuple[str, ...] = ()
    database: DatabaseConfig = DatabaseConfig()
    crawl: CrawlConfig = CrawlConfig()
    queue: QueueConfig = QueueConfig()
    extract: ExtractConfig = ExtractConfig()
    alerts: AlertsConfig = AlertsConfig()
    health: HealthConfig = HealthConfig()
    service: ServiceConfig = ServiceConfig()
    sources: tuple[SourceConfig, ...] = ()
    topics: tuple[TopicConfig, ...] = ()
    channels: Mapping[str, ChannelConfig] = Field(default_factory=dict)

    def select_sources(self, names: Sequence[str]) -> tuple[SourceConfig, ...]:
        """The named sources (all enabled ones when `names` is empty)."""
        if not names:
            return tuple(s for s in self.sources if s.enabled)
        by_name = {s.name: s for s in self.sources}
        unknown = [n for n in names if n not in by_name]
        if unknown:
            known = ", ".join(sorted(by_name)) or "none configured"
            raise ConfigError(f"unknown source {unknown[0]!r} (known: {known})")
        return tuple(by_name[n] for n in names)
