"""Clippings: the filtered list, one clipping, review actions, exports and the JSON API."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from presswatch.export import ExportFormat, clipping_record, export_text
from presswatch.model import Snippet
from presswatch.storage.records import ClippingRecord, StoryOutlets
from presswatch.storage.review import ClippingPage, ListedClipping, ReviewState
from presswatch.storage.search import HIT_END, HIT_START
from presswatch.web.context import render, web
from presswatch.web.forms import posted_form, safe_next
from presswatch.web.listing import PAGE_SIZE, View, parse_view
from presswatch.web.marks import (
    marked,
    marked_paragraphs,
    marked_search,
    marked_snippet,
    topic_hits,
)
from presswatch.word_diff import diff_segments

LEAD_CHARS = 260
_REVIEW_ACTIONS = {
    "reviewed": {"reviewed": True},
    "unreviewed": {"reviewed": False},
    "star": {"starred": True},
    "unstar": {"starred": False},
}
_MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}


@dataclass(frozen=True, slots=True)
class Row:
    """One clipping of the list, ready for the template."""

    clipping: ClippingRecord
    title: Markup
    lead: Markup
    review: ReviewState
    also_in: tuple[str, ...]
    story: StoryOutlets | None  # grouped by story, and carried by more than this clipping


def clippings_page(request: Request) -> Response:
    context = web(request)
    view = parse_view(request.query_params)
    if view.has_bad_query:  # said on the page; nothing to list
        page = ClippingPage([], has_more=False)
    else:
        page = context.repository.clipping_page(view.wanted, offset=view.offset, limit=PAGE_SIZE)
    topics = [t.name for t in context.config.topics]
    return render(
        request,
        "clippings.html",
        view=view,
        rows=[_row(item) for item in page.items],
        has_more=page.has_more,
        topics=topics,
        sources=context.repository.source_names(),
        first_number=view.offset + 1,
    )


def _row(item: ListedClipping) -> Row:
    record = item.clipping
    if item.title_marked is not None:
        title = marked_search(item.title_marked)
    else:
        title = marked(record.title)
    if record.snippet is not None:
        lead = marked_search(record.snippet)
    else:
        lead = marked(_lead(record.description or record.text))
    story = item.story if item.story is not None and item.story.size > 1 else None
    return Row(record, title, lead, item.review, item.also_in, story)


def _lead(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= LEAD_CHARS:
        return text
    return text[:LEAD_CHARS].rsplit(" ", 1)[0] + " …"


def clipping_page(request: Request) -> Response:
    context = web(request)
    record = _clipping_or_404(request)
    repository = context.repository
    matched = list(record.topics)
    hits = topic_hits(context.config.topics, matched, record.title, record.text)
    matches = repository.clipping_matches(record.id)
    configured = {t.name for t in context.config.topics}
    story = repository.outlets_of(record.story_id)
    revisions = repository.revisions.revisions(record.id)
    return render(
        request,
        "clipping.html",
        clipping=record,
        title=marked(record.title, hits.title),
        paragraphs=marked_paragraphs(record.text, hits.text),
        topics=[(colour, name, name in configured) for colour, name in enumerate(matched)],
        # a topic no longer configured (or removed query) still shows what it matched then
        stored_snippets=[
            (m.topic, [marked_snippet(s) for s in m.snippets])
            for m in matches
            if m.topic not in configured
        ],
        review=repository.review_state(record.id),
        copies=repository.copies(record),
        story=story if story is not None and story.size > 1 else None,
        alerts=repository.clipping_alerts(record.id),
        revisions=[
            (revision, [diff_segments(line) for line in (revision.text_diff or "").splitlines()])
            for revision in revisions
        ],
        # an "update" alert of no listed revision tells of the page's removal
        revision_ids={revision.id for revision in revisions},
        tracking=repository.revisions.tracking(record.id),
        back=safe_next(request.query_params.get("back", ""), "/"),
    )


def _clipping_or_404(request: Request) -> ClippingRecord:
    clipping_id = request.path_params["clipping_id"]
    record = web(request).repository.get_clipping(clipping_id)
    if record is None:
        raise HTTPException(404, f"There is no clipping {clipping_id}.")
    return record


async def review_clipping(request: Request) -> Response:
    """Mark reviewed or not, star or not, or save the note (an empty note removes it)."""
    form = await posted_form(request)
    record = await run_in_threadpool(_clipping_or_404, request)
    action = str(form.get("action", ""))
    if action == "note":
        changes: dict[str, bool | str] = {"note": str(form.get("note", ""))[:5000]}
    elif action in _REVIEW_ACTIONS:
        changes = dict(_REVIEW_ACTIONS[action])
    else:
        raise HTTPException(400, f"Unknown review action {action!r}.")
    state = await run_in_threadpool(
        lambda: web(request).repository.set_review(record.id, **changes)  # type: ignore[arg-type]
    )
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse(_review_json(state))
    target = safe_next(str(form.get("next", "")), f"/clippings/{record.id}")
    return RedirectResponse(target, status_code=303)


def export_view(request: Request) -> Response:
    """The current view (every page of it, syndicated copies included) as CSV or JSON Lines."""
    if request.path_params["fmt"] not in _MEDIA_TYPES:
        raise HTTPException(404, "Exports are .csv or .jsonl.")
    fmt: ExportFormat = "csv" if request.path_params["fmt"] == "csv" else "jsonl"
    view = parse_view(request.query_params)
    if view.has_bad_query:
        raise HTTPException(400, "; ".join(view.problems))
    records = web(request).repository.iter_filtered(view.wanted)
    day = datetime.now(UTC).date().isoformat()
    return StreamingResponse(
        export_text(records, fmt),
        media_type=_MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="clippings-{day}.{fmt}"'},
    )


def api_clippings(request: Request) -> Response:
    view = parse_view(request.query_params)
    if view.problems:
        return JSONResponse({"error": "; ".join(view.problems)}, status_code=400)
    page = web(request).repository.clipping_page(view.wanted, offset=view.offset, limit=PAGE_SIZE)
    items = []
    for item in page.items:
        record = clipping_record(item.clipping)
        record.update(_review_json(item.review))
        record["also_in"] = list(item.also_in)
        if item.story is not None:
            record["story"] = {
                "id": item.story.id,
                "clippings": item.story.size,
                "sources": list(item.story.sources),
            }
        if item.clipping.snippet is not None:
            record["snippet"] = _snippet_of(item.clipping.snippet).as_json()
        items.append(record)
    return JSONResponse(
        {
            "page": view.page,
            "clippings": items,
            "next": _page_url(request, view, view.page + 1) if page.has_more else None,
            "previous": _page_url(request, view, view.page - 1) if view.page > 1 else None,
        }
    )


def _page_url(request: Request, view: View, page: int) -> str:
    return str(request.url_for("api_clippings")) + view.query_string(
        page=page if page > 1 else None
    )


def api_clipping(request: Request) -> Response:
    repository = web(request).repository
    clipping = _clipping_or_404(request)
    record = clipping_record(clipping)
    record.update(_review_json(repository.review_state(clipping.id)))
    record["matches"] = [
        {"topic": m.topic, "snippets": [s.as_json() for s in m.snippets]}
        for m in repository.clipping_matches(clipping.id)
    ]
    record["copies"] = [
        {"id": c.id, "source": c.source, "url": c.url, "title": c.title, "original": c.is_original}
        for c in repository.copies(clipping)
    ]
    record["alerts"] = [
        {
            "id": a.id,
            "topic": a.topic,
            "channel": a.channel,
            "status": a.status,
            "sent_at": a.sent_at.isoformat() if a.sent_at else None,
        }
        for a in repository.clipping_alerts(clipping.id)
    ]
    return JSONResponse(record)


def _review_json(state: ReviewState) -> dict[str, object]:
    return {
        "reviewed": state.is_reviewed,
        "reviewed_at": state.reviewed_at.isoformat() if state.reviewed_at else None,
        "starred": state.starred,
        "note": state.note,
    }


def _snippet_of(marked_text: str) -> Snippet:
    """A search snippet with hit markers as text and hit offsets."""
    text, hits, position = [], [], 0
    parts: Iterator[str] = iter(marked_text.replace(HIT_END, HIT_START).split(HIT_START))
    for number, part in enumerate(parts):
        if number % 2:
            hits.append((position, position + len(part)))
        text.append(part)
        position += len(part)
    return Snippet("".join(text), tuple(hits))


routes = [
    Route("/", clippings_page, name="clippings"),
    Route("/clippings/{clipping_id:int}", clipping_page, name="clipping"),
    Route("/clippings/{clipping_id:int}/review", review_clipping, methods=["POST"], name="review"),
    Route("/clippings.{fmt:str}", export_view, name="export"),
    Route("/api/clippings", api_clippings, name="api_clippings"),
    Route("/api/clippings/{clipping_id:int}", api_clipping, name="api_clipping"),
]
