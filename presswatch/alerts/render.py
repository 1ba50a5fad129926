"""Alerts as bytes on the wire: the webhook's JSON body and the email's MIME message."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from functools import cache
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from presswatch.alerts.message import (
    AlertClipping,
    HealthMessage,
    Message,
    StoryLine,
    UpdateMessage,
)
from presswatch.model import Snippet
from presswatch.word_diff import diff_segments


def webhook_body(message: Message) -> bytes:
    """The JSON body of the webhook POST (UTF-8); snippets are plain text, hits unmarked."""
    body: dict[str, object]
    if isinstance(message, HealthMessage):
        body = {
            "event": "health",
            "delivery_id": message.delivery_id,
            "source": message.source,
            "state": message.state,
            "kind": message.kind,
            "message": message.message,
            "since": message.since.isoformat(),
        }
        return json.dumps(body, ensure_ascii=False).encode("utf-8")
    if isinstance(message, UpdateMessage):
        body = {
            "event": "update",
            "delivery_id": message.delivery_id,
            "topic": message.topic,
            "query": message.query,
            "clipping": _clipping_json(message.clipping),
            "revised_at": message.revised_at.isoformat(),
            # null: that part did not change; removed: the page answered 404 or 410 (its
            # status), the article taken down
            "changes": {
                "title": list(message.title) if message.title else None,
                "text_diff": message.text_diff,
                "removed": message.removed_status,
            },
        }
        return json.dumps(body, ensure_ascii=False).encode("utf-8")
    body = {
        "event": message.event,
        "delivery_id": message.delivery_id,
        "topic": message.topic,
        "query": message.query,
        "clippings": [_clipping_json(clipping) for clipping in message.clippings],
    }
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def _clipping_json(clipping: AlertClipping) -> dict[str, object]:
    return {
        "id": clipping.id,
        # the link to follow: the canonical URL, without the feed's tracking parameters
        "url": clipping.canonical_url or clipping.url,
        "canonical_url": clipping.canonical_url,
        "title": clipping.title,
        "source": clipping.source,
        "published": clipping.published.isoformat() if clipping.published else None,
        "snippets": [snippet.text for snippet in clipping.snippets],
        "also_in": [{"source": a.source, "url": a.url} for a in clipping.also_in],
        "story_id": clipping.story_id,
        **({"story": _story_json(clipping.story)} if clipping.story else {}),
    }


def _story_json(story: StoryLine) -> dict[str, object]:
    return {
        "id": story.id,
        "outlets": story.outlets,
        "first_seen": story.first_seen.isoformat(),
        "origin_source": story.origin_source,
        "wire": story.wire,
    }


def email_subject(message: Message) -> str:
    """`[presswatch] topic: 3 new clippings`, `[presswatch] topic: 1 new clipping, 6 outlets`
    (its story carried by more than one outlet), `[presswatch] digest topic: 12 clippings`,
    `[presswatch] health: ledger silent open`, `[presswatch] updated: topic: <title>`, or
    `[presswatch] removed: topic: <title>` (its page taken down)."""
    if isinstance(message, HealthMessage):
        return f"[presswatch] health: {message.source} {message.kind} {message.state}"
    if isinstance(message, UpdateMessage):
        what = "removed" if message.removed_status else "updated"
        return f"[presswatch] {what}: {message.topic}: {_one_line(message.clipping.title)}"
    count = len(message.clippings)
    noun = "clipping" if count == 1 else "clippings"
    if any(c.story for c in message.clippings) and message.outlets > count:
        noun = f"{noun}, {message.outlets} outlets"
    if message.event == "test":
        return f"[presswatch] test message: {message.topic}"
    if message.event == "digest":
        return f"[presswatch] digest {message.topic}: {count} {noun}"
    return f"[presswatch] {message.topic}: {count} new {noun}"


def email_message(message: Message, sender: str, recipients: Sequence[str]) -> EmailMessage:
    """A multipart/alternative message (plain text and HTML) whose Message-ID is stable."""
    env = _environment()
    context = {"message": message, "subject": email_subject(message)}
    template = (
        "health"
        if isinstance(message, HealthMessage)
        else "update"
        if isinstance(message, UpdateMessage)
        else "alert"
    )
    msg = EmailMessage()
    msg["Subject"] = context["subject"]
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    msg["Date"] = format_datetime(datetime.now(UTC))
    # derived from the delivery id so that a retried alert can be recognised as a resend
    msg["Message-ID"] = f"<{message.delivery_id}@presswatch>"
    msg["X-Presswatch-Delivery"] = message.delivery_id
    msg.set_content(env.get_template(f"{template}.txt.j2").render(context))
    msg.add_alternative(env.get_template(f"{template}.html.j2").render(context), subtype="html")
    return msg


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("presswatch", "alerts/templates"),
        # scraped titles and snippets may hold markup: escape everything in the HTML part
        autoescape=select_autoescape(
            enabled_extensions=("html.j2",), disabled_extensions=("txt.j2",), default=True
        ),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["mark_html"] = _mark_html
    env.filters["mark_text"] = _mark_text
    env.filters["date"] = _date
    env.filters["href"] = _href
    env.filters["diff_html"] = _diff_html
    return env


def _mark_html(snippet: Snippet) -> Markup:
    parts: list[str] = []
    last = 0
    for start, end in snippet.hits:
        parts += [snippet.text[last:start], Markup("<mark>"), snippet.text[start:end]]
        parts.append(Markup("</mark>"))
        last = end
    parts.append(snippet.text[last:])
    # Markup.join escapes every plain str piece and keeps only our own tags
    return Markup("").join(parts)


_DIFF_TAGS = {
    "removed": (Markup('<del style="background: #fdd;">'), Markup("</del>")),
    "added": (Markup('<ins style="background: #dfd;">'), Markup("</ins>")),
}


def _diff_html(diff: str) -> Markup:
    """A word diff (presswatch.word_diff) with its removed words struck through and its added
    words marked, one change a paragraph."""
    lines: list[Markup] = []
    for line in diff.splitlines():
        parts: list[str] = []
        for kind, words in diff_segments(line):
            if kind == "same":
                parts.append(words)
            else:
                start, end = _DIFF_TAGS[kind]
                parts += [start, words, end]
        lines.append(Markup('<p style="margin: 0.4em 0;">%s</p>') % Markup("").join(parts))
    return Markup("\n").join(lines)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _mark_text(snippet: Snippet) -> str:
    return snippet.marked("**", "**")


def _date(published: datetime | None) -> str:
    if published is None:
        return "date unknown"
    return published.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _href(url: str) -> str:
    """`url` when it is http(s), else "": a scraped canonical URL can be `javascript:`."""
    return url if urlsplit(url).scheme.lower() in ("http", "https") else ""
