"""Send what the outbox holds: due alerts to their channels, retries with backoff and jitter.

An alert is marked sent only after its channel accepted it, so a crash in between sends it
again on the next run, with the same delivery id (receivers drop the repeat).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from presswatch.alerts.channels.base import Channel
from presswatch.alerts.message import (
    AlertClipping,
    AlertMessage,
    AlsoIn,
    Event,
    HealthMessage,
    Message,
    StoryLine,
    UpdateMessage,
)
from presswatch.clock import now_utc
from presswatch.config import AlertsConfig, Config, channel_problem, channel_secret
from presswatch.errors import DeliveryError
from presswatch.liveness import owner_is_gone
from presswatch.model import Snippet
from presswatch.storage.records import AlertRecord, ClippingRecord, StoryOutlets
from presswatch.storage.repository import Repository

log = logging.getLogger(__name__)
# how long a sender holds an alert it is sending; if it dies meanwhile, the alert is due again
CLAIM_FOR = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Attempt n failed -> wait first_retry_s * 2**(n-1) (capped), +-jitter; give up after
    max_attempts. Defaults: 8 attempts over about 21 hours."""

    max_attempts: int = 8
    first_retry_s: float = 600.0
    max_delay_s: float = 12 * 3600.0
    jitter: float = 0.2

    @classmethod
    def from_config(cls, cfg: AlertsConfig) -> RetryPolicy:
        return cls(max_attempts=cfg.max_attempts, first_retry_s=cfg.first_retry_s)

    def next_attempt(
        self, attempts_done: int, now: datetime, rng: Callable[[], float] = random.random
    ) -> datetime | None:
        """When to try again after `attempts_done` failed attempts; None: give up."""
        if attempts_done >= self.max_attempts:
            return None
        delay = min(self.first_retry_s * 2 ** (attempts_done - 1), self.max_delay_s)
        delay *= 1 + self.jitter * (2 * rng() - 1)
        return now + timedelta(seconds=delay)


@dataclass(slots=True)
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    waiting: int = 0  # for a channel that cannot send (see channel_problem)
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        line = f"alerts: {self.sent} sent, {self.retrying} to retry, {self.failed} failed"
        return (
            f"{line}, {self.waiting} waiting for a channel that cannot send"
            if (self.waiting)
            else line
        )

    def __bool__(self) -> bool:
        """Anything happened."""
        return bool(self.sent or self.retrying or self.failed)


@dataclass(slots=True)
class UnusableChannel:
    """A channel that cannot send (the environment variable with its secret is not set). Its
    alerts are not attempted: they wait, untouched, until the channel can send; the problem is
    reported once, when a command or the service starts (channel_problem)."""

    name: str
    reason: str

    def probe(self) -> str:
        raise DeliveryError(self.reason, retryable=False)

    def send(self, message: Message) -> str:
        raise DeliveryError(self.reason)


def build_channels(config: Config) -> dict[str, Channel]:
    """A sender for every configured channel; secrets come from the environment now. A channel
    that cannot send still gets a sender, one that says why."""
    from presswatch.alerts.channels.smtp import EmailChannel
    from presswatch.alerts.channels.webhook import WebhookChannel

    channels: dict[str, Channel] = {}
    for name, cfg in config.channels.items():
        problem = channel_problem(name, cfg)
        if problem is not None:
            channels[name] = UnusableChannel(name, problem)
        elif cfg.type == "webhook":
            channels[name] = WebhookChannel(
                name, cfg.url, channel_secret(cfg.secret_env), cfg.timeout
            )
        else:
            password = channel_secret(cfg.password_env) if cfg.username else None
            channels[name] = EmailChannel(
                name,
                cfg.smtp_host,
                cfg.smtp_port,
                cfg.security,
                cfg.username,
                password,
                cfg.from_,
                cfg.to,
            )
    return channels


def settle_held_alerts(repository: Repository, now: datetime) -> None:
    """Alerts held for a crawl that will never release them (its process was killed) are due
    now: runs still marked running by a process of this host that is gone are ended first."""
    gone = [run for run, owner in repository.running_runs().items() if owner_is_gone(owner)]
    if gone:
        repository.end_runs(gone, "interrupted", "its crawl process ended without it (killed?)")
        log.warning("%d crawl run(s) of a crawl process that is gone marked interrupted", len(gone))
    repository.release_orphaned_alerts(now)


def deliver(
    repository: Repository,
    config: Config,
    channels: Mapping[str, Channel],
    *,
    now: datetime | None = None,
    include_failed: bool = False,
    event: str | None = None,
    topic: str | None = None,
    ignore_schedule: bool = False,
) -> DeliveryReport:
    """Send every due alert once; failures are counted, logged and scheduled, never raised."""
    now = now or now_utc()
    policy = RetryPolicy.from_config(config.alerts)
    queries = {t.name: t.query for t in config.topics}
    report = DeliveryReport()
    settle_held_alerts(repository, now)
    due = repository.due_alerts(
        now,
        include_failed=include_failed,
        event=event,
        topic=topic,
        ignore_schedule=ignore_schedule,
    )
    for alert in due:
        if isinstance(channels.get(alert.channel), UnusableChannel):
            report.waiting += 1
            continue
        if not repository.claim_alert(alert, now + CLAIM_FOR):
            continue  # another sender (a service, `alerts retry`) has it
        message = _message(repository, alert, queries.get(alert.topic, ""), config.alerts.per_story)
        if message is None:
            repository.mark_sent(alert.id)  # nothing left to say (clippings deleted)
            continue
        try:
            channel = channels.get(alert.channel)
            if channel is None:
                raise DeliveryError(f"channel {alert.channel!r} is not configured any more")
            channel.send(message)
        except DeliveryError as exc:
            retry_at = policy.next_attempt(alert.attempts + 1, now)
            if not exc.retryable:
                retry_at = None
            repository.mark_failed_attempt(alert.id, str(exc), retry_at)
            line = f"alert {alert.id} ({alert.topic} -> {alert.channel}): {exc}"
            report.errors.append(line)
            if retry_at is None:
                report.failed += 1
                log.error(
                    "alert failed for good: %s",
                    exc,
                    extra={"alert": alert.id, "topic": alert.topic, "channel": alert.channel},
                )
            else:
                report.retrying += 1
                log.warning(
                    "alert delivery failed, retrying at %s: %s",
                    retry_at.isoformat(timespec="seconds"),
                    exc,
                    extra={"alert": alert.id, "topic": alert.topic, "channel": alert.channel},
                )
            continue
        repository.mark_sent(alert.id)
        report.sent += 1
        log.info(
            "alert sent",
            extra={
                "alert": alert.id,
                "topic": alert.topic,
                "channel": alert.channel,
                "clippings": len(getattr(message, "clippings", ())),
            },
        )
    return report


def _message(
    repository: Repository, alert: AlertRecord, query: str, per_story: bool
) -> Message | None:
    if alert.event == "health":
        return _health_message(repository, alert)
    if alert.event == "update":
        return _update_message(repository, alert, query)
    clippings = tuple(
        _alert_clipping(item.clipping, item.snippets, item.also_in, item.story)
        for item in repository.alert_clippings(alert.id, per_story)
    )
    if not clippings:
        return None
    event: Event = "digest" if alert.event == "digest" else "alert"
    return AlertMessage(alert.delivery_id, event, alert.topic, query, clippings)


def _story_line(story: StoryOutlets | None) -> StoryLine | None:
    if story is None:
        return None
    return StoryLine(
        story.id, len(story.sources), story.first_seen, story.origin_source or "", story.wire
    )


def _alert_clipping(
    clipping: ClippingRecord,
    snippets: tuple[Snippet, ...] = (),
    also_in: tuple[tuple[str, str], ...] = (),
    story: StoryOutlets | None = None,
) -> AlertClipping:
    return AlertClipping(
        id=clipping.id,
        url=clipping.url,
        canonical_url=clipping.canonical_url,
        title=clipping.title,
        source=clipping.source,
        published=clipping.published,
        snippets=snippets,
        also_in=tuple(AlsoIn(source, url) for source, url in also_in),
        story_id=clipping.story_id,
        story=_story_line(story),
    )


def _update_message(repository: Repository, alert: AlertRecord, query: str) -> UpdateMessage | None:
    revision = (
        repository.revisions.revision(alert.revision_id) if alert.revision_id is not None else None
    )
    clipping = repository.get_clipping(revision.clipping_id) if revision is not None else None
    if revision is None or clipping is None:
        return None
    snippets = repository.topic_snippets(alert.topic, [clipping.id]).get(clipping.id, ())
    return UpdateMessage(
        alert.delivery_id,
        alert.topic,
        query,
        _alert_clipping(clipping, snippets),
        revision.at,
        (revision.old_title, revision.new_title) if revision.title_changed else None,
        revision.text_diff,
        revision.removed_status,
    )


def _health_message(repository: Repository, alert: AlertRecord) -> HealthMessage | None:
    event = (
        repository.health.health_event(alert.health_event_id)
        if alert.health_event_id is not None
        else None
    )
    if event is None:
        return None
    if alert.health_state == "recovered":
        text = event.recovery_message or f"{event.source}: {event.kind} is over"
        return HealthMessage(
            alert.delivery_id, event.source, "recovered", event.kind, text, event.since
        )
    return HealthMessage(
        alert.delivery_id, event.source, "open", event.kind, event.message, event.since
    )
