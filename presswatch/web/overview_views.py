"""Topics (with a chart and an Atom feed each), sources' health, and the alert outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from presswatch.clock import now_utc
from presswatch.config import SourceConfig, TopicConfig
from presswatch.next_run import next_run
from presswatch.polling import current_interval_s, schedule_text
from presswatch.storage.coverage import SourceFigures
from presswatch.storage.records import AlertRecord
from presswatch.storage.review import ClippingFilter
from presswatch.storage.runs import SourceHealth
from presswatch.web.context import render, web
from presswatch.web.forms import posted_form
from presswatch.web.marks import marked_snippet
from presswatch.web.preview_views import DEFAULT_PERIOD, PERIODS, PREVIEW_CHART_H, preview_panel

CHART_DAYS = 30
FEED_ENTRIES = 50
ALERTS_SHOWN = 200
_BAR_W, _BAR_GAP, _CHART_H = 8, 2, 40
_ALERT_STATUSES = ("pending", "sending", "sent", "failed")


@dataclass(frozen=True, slots=True)
class Bar:
    x: int
    y: int
    height: int
    label: str


@dataclass(frozen=True, slots=True)
class TopicRow:
    topic: TopicConfig
    matches: int
    last_match: datetime | None
    last_30_days: int
    bars: list[Bar]


def topics_page(request: Request) -> Response:
    context = web(request)
    stats = context.repository.topic_stats()
    per_day = context.repository.matches_per_day(CHART_DAYS)
    today = now_utc().date()
    days = [today - timedelta(days=n) for n in range(CHART_DAYS - 1, -1, -1)]
    rows = []
    for topic in context.config.topics:
        counts = per_day.get(topic.name, {})
        found = stats.get(topic.name)
        rows.append(
            TopicRow(
                topic,
                found.matches if found else 0,
                found.last_match if found else None,
                sum(counts.values()),
                _bars(days, counts),
            )
        )
    params = request.query_params
    panel = preview_panel(request, params.get("q", "")[:500], params.get("since", DEFAULT_PERIOD))
    return render(
        request,
        "topics.html",
        panel=panel,
        periods=list(PERIODS),
        saved=params.get("saved"),
        config_path=context.config.path,
        preview_chart_height=PREVIEW_CHART_H,
        rows=rows,
        chart_width=CHART_DAYS * (_BAR_W + _BAR_GAP),
        chart_height=_CHART_H,
        first_day=days[0],
    )


def _bars(days: list[date], counts: dict[date, int]) -> list[Bar]:
    highest = max(counts.values(), default=0) or 1
    bars = []
    for n, day in enumerate(days):
        count = counts.get(day, 0)
        height = max(1, round(count / highest * (_CHART_H - 2))) if count else 0
        label = f"{day.isoformat()}: {count} match{'es' if count != 1 else ''}"
        bars.append(Bar(n * (_BAR_W + _BAR_GAP), _CHART_H - height, height, label))
    return bars


def topic_feed(request: Request) -> Response:
    """The newest clippings of one topic as an Atom feed."""
    context = web(request)
    name = request.path_params["name"]
    topic = next((t for t in context.config.topics if t.name == name), None)
    if topic is None:
        raise HTTPException(404, f"There is no topic {name!r} in the configuration.")
    repository = context.repository
    page = repository.clipping_page(ClippingFilter(topic=name), offset=0, limit=FEED_ENTRIES)
    ids = [item.clipping.id for item in page.items]
    snippets = repository.topic_snippets(name, ids)
    entries = [
        (item.clipping, [marked_snippet(s) for s in snippets.get(item.clipping.id, ())])
        for item in page.items
    ]
    updated = max((c.fetched for c, _ in entries), default=now_utc())
    response = render(
        request,
        "feed.xml",
        topic=topic,
        entries=entries,
        updated=updated,
        feed_url=str(request.url_for("topic_feed", name=name)),
        list_url=str(request.url_for("clippings")) + "?" + urlencode({"topic": name}),
    )
    response.headers["content-type"] = "application/atom+xml; charset=utf-8"
    return response


@dataclass(frozen=True, slots=True)
class SourceRow:
    name: str
    config: SourceConfig | None
    health: SourceHealth | None
    next_run: datetime | None
    is_due: bool
    figures: SourceFigures | None
    interval_s: float | None = None  # adaptive polling: the interval it is polled at now

    @property
    def schedule(self) -> str:
        if self.config is None:
            return "not configured"
        if not self.config.enabled:
            return "disabled"
        return schedule_text(self.config, self.interval_s)


def sources_page(request: Request) -> Response:
    context = web(request)
    health = context.repository.source_health()
    figures = context.repository.source_figures()
    configured = {s.name: s for s in context.config.sources}
    stored = context.repository.poll_intervals()  # adaptive polling's intervals
    now = now_utc()
    rows = []
    for name in sorted(set(configured) | set(health)):
        found = health.get(name)
        last_started = found.last_run.started_at if found and found.last_run else None
        source = configured.get(name)
        crawl = context.config.crawl
        interval = current_interval_s(source, crawl, stored.get(name)) if source else None
        upcoming = next_run(source, last_started, now, interval)
        rows.append(
            SourceRow(
                name,
                configured.get(name),
                found,
                upcoming,
                upcoming is not None and upcoming <= now,
                figures.get(name),
                interval,
            )
        )
    problems = [(row.name, e) for row in rows if row.figures for e in row.figures.events]
    return render(request, "sources.html", rows=rows, problems=problems)


def alerts_page(request: Request) -> Response:
    repository = web(request).repository
    status = request.query_params.get("status")
    if status not in _ALERT_STATUSES:
        status = None
    alerts: list[AlertRecord] = repository.list_alerts(status=status, limit=ALERTS_SHOWN)
    counts = repository.outbox_counts()
    return render(
        request,
        "alerts.html",
        alerts=alerts,
        sizes=repository.alert_sizes([a.id for a in alerts]),
        status=status,
        statuses=_ALERT_STATUSES,
        counts=counts,
        has_channels=bool(web(request).config.channels),
        report=_report_of(request),
    )


def _report_of(request: Request) -> tuple[int, int, int] | None:
    """The figures of a retry, carried in the redirect's query."""
    values = [request.query_params.get(k, "") for k in ("sent", "retrying", "failed")]
    if all(v.isdigit() for v in values):
        sent, retrying, failed = (int(v) for v in values)
        return sent, retrying, failed
    return None


async def retry_alerts(request: Request) -> Response:
    """Send now what is due, and again what failed (as `presswatch alerts retry` does)."""
    from presswatch.alerts.deliver import build_channels, deliver

    await posted_form(request)
    context = web(request)
    report = await run_in_threadpool(
        lambda: deliver(
            context.repository,
            context.config,
            build_channels(context.config),
            include_failed=True,
            ignore_schedule=True,
        )
    )
    query = urlencode({"sent": report.sent, "retrying": report.retrying, "failed": report.failed})
    return RedirectResponse(f"/alerts?{query}", status_code=303)


routes = [
    Route("/topics", topics_page, name="topics"),
    Route("/topics/{name:str}/feed.xml", topic_feed, name="topic_feed"),
    Route("/sources", sources_page, name="sources"),
    Route("/alerts", alerts_page, name="alerts"),
    Route("/alerts/retry", retry_alerts, methods=["POST"], name="retry_alerts"),
]
