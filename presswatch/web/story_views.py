"""One story across outlets: its timeline (who ran it when, the origin, copies and rewrites)
and how each version differs from the origin, word by word."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from presswatch.storage.story_views import StoryClipping
from presswatch.web.context import render, web
from presswatch.word_diff import MAX_WORDS, WordDiff, version_diff

MAX_DIFFS = 50  # versions compared with the origin on one page (the earliest)
# a version made mostly of the origin's words (in order) is a rewrite of it; one that is not
# is the outlet's own report (the story set: rewrites keep 0.84 and more, own reports 0.32 at most)
REWRITE_SHARE = 0.5

VersionKind = Literal["origin", "copy", "rewrite", "own", "other"]
LABELS: dict[VersionKind, str] = {
    "origin": "origin",
    "copy": "verbatim copy",
    "rewrite": "rewrite",
    "own": "own report",
    "other": "same story",  # not compared (past MAX_DIFFS)
}


@dataclass(frozen=True, slots=True)
class Version:
    """One clipping of the story, with how it differs from the origin."""

    clipping: StoryClipping
    kind: VersionKind
    diff: WordDiff | None  # None for the origin, and past MAX_DIFFS
    old_title: str | None  # the origin's title, when this version has another

    @property
    def label(self) -> str:
        return LABELS[self.kind]


def story_page(request: Request) -> Response:
    story_id = request.path_params["story_id"]
    timeline = web(request).repository.story_timeline(story_id)
    if timeline is None:
        raise HTTPException(404, f"There is no story {story_id}.")
    origin = timeline.origin
    versions = [
        _version(clipping, origin, compare=number < MAX_DIFFS)
        for number, clipping in enumerate(timeline.clippings)
    ]
    return render(
        request,
        "story.html",
        story=timeline,
        origin=origin,
        versions=versions,
        changed=[v for v in versions if v.diff is not None],
        uncompared=max(len(versions) - 1 - MAX_DIFFS, 0),
        unread=timeline.size - len(timeline.clippings),
        max_words=MAX_WORDS,
    )


def _version(clipping: StoryClipping, origin: StoryClipping | None, *, compare: bool) -> Version:
    if origin is None or clipping.id == origin.id:
        return Version(clipping, "origin", None, None)
    old_title = origin.title if clipping.title != origin.title else None
    diff = version_diff(origin.text, clipping.text) if compare else None
    kind: VersionKind
    if clipping.duplicate_of is not None or (diff is not None and diff.is_same):
        kind = "copy"
    elif diff is None:
        kind = "other"
    elif diff.kept_share >= REWRITE_SHARE:
        kind = "rewrite"
    else:
        kind = "own"
    return Version(clipping, kind, diff, old_title)


routes = [Route("/stories/{story_id:int}", story_page, name="story")]
