"""The values a message carries to a channel: an alert (one topic, one or more clippings), a
health message (one source's health event opened or recovered), or an update (a clipping a
topic matched changed after it was clipped)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from presswatch.model import Snippet

Event = Literal["alert", "digest", "test"]  # test: `presswatch alerts test CHANNEL`


@dataclass(frozen=True, slots=True)
class AlsoIn:
    """Another source that carried the same story (a syndicated copy)."""

    source: str
    url: str


@dataclass(frozen=True, slots=True)
class StoryLine:
    """The story a clipping tells, as an alert lists it: "6 outlets, first seen at 06:10 at
    ledger (AP)"."""

    id: int
    outlets: int  # sources that carried it, this clipping's included
    first_seen: datetime
    origin_source: str
    wire: str | None


@dataclass(frozen=True, slots=True)
class AlertClipping:
    """One clipping as an alert shows it; `published` is aware UTC or None."""

    id: int
    url: str
    canonical_url: str
    title: str
    source: str
    published: datetime | None
    snippets: tuple[Snippet, ...]
    also_in: tuple[AlsoIn, ...] = ()
    story_id: int | None = None
    story: StoryLine | None = None  # with [alerts] per_story: the story, all its outlets


@dataclass(frozen=True, slots=True)
class AlertMessage:
    """One alert for one topic; `delivery_id` is the same on every retry of it."""

    delivery_id: str
    event: Event
    topic: str
    query: str
    clippings: tuple[AlertClipping, ...]

    @property
    def outlets(self) -> int:
        """The sources its clippings' stories ran in (each clipping's own when no story)."""
        return sum(c.story.outlets if c.story else 1 for c in self.clippings)


@dataclass(frozen=True, slots=True)
class HealthMessage:
    """A source's health event, as it opened or as it recovered; `delivery_id` is the same on
    every retry of it."""

    delivery_id: str
    source: str
    state: Literal["open", "recovered"]
    kind: str  # silent, yield, errors, robots, moved
    message: str  # what changed (or that it is over), since when, the usual value
    since: datetime
    event: Literal["health"] = "health"


@dataclass(frozen=True, slots=True)
class UpdateMessage:
    """A clipping that changed after it was clipped, or whose page was taken down
    (`removed_status`), told to a topic that opted in (`on_update`); `delivery_id` is the same
    on every retry of it."""

    delivery_id: str
    topic: str
    query: str
    clipping: AlertClipping  # as it is now (its title is the new one)
    revised_at: datetime
    title: tuple[str, str] | None  # (old, new); None: the headline did not change
    text_diff: str | None  # the word diff; None: the text did not change
    removed_status: int | None = None  # 404 or 410: the page is gone (seen at revised_at)
    event: Literal["update"] = "update"


Message = AlertMessage | HealthMessage | UpdateMessage
