"""The query preview on the topics page: type a query, see what it would have caught (hits per
day and per source, the newest with their hits), and save it as a topic.

The panel works as plain HTML forms (GET to preview, POST to save, a confirmation step before
the file is written); the page's script only asks /topics/preview for the panel as you type.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from presswatch.clock import now_utc
from presswatch.errors import QuerySyntaxError
from presswatch.storage.preview import Preview, preview_query
from presswatch.topic_file import TopicNotSaved, check_new_topic, save_topic, topic_toml
from presswatch.web.context import render, web
from presswatch.web.forms import posted_form

PERIODS = {"7d": 7, "30d": 30, "90d": 90, "365d": 365}
DEFAULT_PERIOD = "30d"
_CHART_W, PREVIEW_CHART_H = 300, 48


@dataclass(frozen=True, slots=True)
class PreviewBar:
    x: float
    y: float
    width: float
    height: float
    label: str


@dataclass(frozen=True, slots=True)
class PreviewPanel:
    query: str
    period: str
    preview: Preview | None
    problem: str | None
    bars: list[PreviewBar]


def preview_panel(request: Request, query: str, period: str) -> PreviewPanel:
    """The panel for `query` (empty: nothing to show yet)."""
    period = period if period in PERIODS else DEFAULT_PERIOD
    if not query.strip():
        return PreviewPanel(query, period, None, None, [])
    since = now_utc().date() - timedelta(days=PERIODS[period] - 1)
    try:
        found = preview_query(web(request).repository.review, query, since)
    except QuerySyntaxError as exc:
        return PreviewPanel(query, period, None, str(exc), [])
    return PreviewPanel(query, period, found, None, _bars(found, PERIODS[period]))


def _bars(found: Preview, days: int) -> list[PreviewBar]:
    highest = max(found.per_day.values(), default=0) or 1
    width = _CHART_W / days
    out = []
    for n in range(days):
        day = found.since + timedelta(days=n)
        count = found.per_day.get(day, 0)
        height = round(PREVIEW_CHART_H * count / highest, 1)
        label = f"{day}: {count}"
        out.append(
            PreviewBar(round(n * width, 2), PREVIEW_CHART_H - height, width * 0.8, height, label)
        )
    return out


async def preview_fragment(request: Request) -> Response:
    """The panel alone (for the page's script)."""
    params = request.query_params
    panel = await run_in_threadpool(
        preview_panel, request, params.get("q", "")[:500], params.get("since", DEFAULT_PERIOD)
    )
    response = render(request, "_preview.html", panel=panel, preview_chart_height=PREVIEW_CHART_H)
    return response


async def save_as_topic(request: Request) -> Response:
    """Save the previewed query as a topic: first a confirmation (what will be added to which
    file), then the write; refused with the reason when the name, query or file won't do."""
    form = await posted_form(request)
    context = web(request)
    name, query = str(form.get("name", "")).strip(), str(form.get("query", ""))
    try:
        path = check_new_topic(context.config, name, query)
        if form.get("confirm") != "yes":
            return render(
                request,
                "save_topic.html",
                name=name,
                query=query,
                path=path,
                toml=topic_toml(name, query).strip(),
            )
        config = save_topic(context.config, name, query)
    except TopicNotSaved as exc:
        return render(request, "save_topic.html", 409, name=name, query=query, problem=str(exc))
    request.app.state.web = replace(context, config=config)
    return RedirectResponse(f"/topics?{urlencode({'saved': name})}", status_code=303)


routes = [
    Route("/topics/preview", preview_fragment, name="topic_preview"),
    Route("/topics/save", save_as_topic, methods=["POST"], name="save_topic"),
]
