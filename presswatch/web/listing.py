"""The clippings view as URL query parameters: parse them into a filter, and build the links
(pages, exports, one filter removed) that keep the rest of the view."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from presswatch.errors import QuerySyntaxError
from presswatch.query import parse_query
from presswatch.storage.review import ClippingFilter

PAGE_SIZE = 50
MAX_PAGE = 10_000
_STATUSES = {"unreviewed": False, "reviewed": True}
_STATUS_NAMES = {False: "unreviewed", True: "reviewed"}


@dataclass(frozen=True, slots=True)
class View:
    """A filter, a page number, and what could not be understood in the parameters."""

    wanted: ClippingFilter
    page: int
    problems: tuple[str, ...] = ()

    @property
    def has_bad_query(self) -> bool:
        """The search is not a query (its problem is among `problems`)."""
        return any(problem.startswith("search: ") for problem in self.problems)

    @property
    def offset(self) -> int:
        return (self.page - 1) * PAGE_SIZE

    def params(self, **changes: str | int | None) -> dict[str, str]:
        """The view's query parameters, with `changes` (None removes one)."""
        wanted = self.wanted
        status = None if wanted.reviewed is None else _STATUS_NAMES[wanted.reviewed]
        values: dict[str, str | int | None] = {
            "q": wanted.query or None,
            "topic": wanted.topic,
            "source": wanted.source,
            "from": wanted.date_from.isoformat() if wanted.date_from else None,
            "to": wanted.date_to.isoformat() if wanted.date_to else None,
            "status": status,
            "starred": "1" if wanted.starred else None,
            "group": "story" if wanted.by_story else None,
            "page": self.page if self.page > 1 else None,
        }
        values.update(changes)
        return {key: str(value) for key, value in values.items() if value not in (None, "")}

    def query_string(self, **changes: str | int | None) -> str:
        params = self.params(**changes)
        return f"?{urlencode(params)}" if params else ""

    @property
    def is_filtered(self) -> bool:
        """Something is asked of the clippings (grouping them by story is not a filter)."""
        return replace(self.wanted, by_story=False) != ClippingFilter()


def parse_view(params: QueryParams) -> View:
    """The view the parameters ask for; a bad value is left out and reported."""
    problems: list[str] = []

    def text(name: str) -> str | None:
        value = params.get(name, "").strip()
        return value[:500] or None

    def day(name: str, label: str) -> date | None:
        value = text(name)
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            problems.append(f"{label} {value!r} is not a date (use YYYY-MM-DD)")
            return None

    status = text("status")
    if status not in (None, "all", *_STATUSES):
        problems.append(f"status {status!r} is unknown (use unreviewed or reviewed)")
    group = text("group")
    if group not in (None, "story"):
        problems.append(f"group {group!r} is unknown (use story)")
    page_text = text("page") or "1"
    page = int(page_text) if page_text.isdigit() and 0 < int(page_text) <= MAX_PAGE else 1
    if page_text != str(page):
        problems.append(f"page {page_text!r} is not a page number")
    date_from, date_to = day("from", "from"), day("to", "to")
    if date_from and date_to and date_from > date_to:
        problems.append("the date range ends before it starts")
    query = text("q") or ""
    if query:
        try:
            parse_query(query)
        except QuerySyntaxError as exc:
            problems.append(f"search: {exc}")
    wanted = ClippingFilter(
        query=query,
        topic=text("topic"),
        source=text("source"),
        date_from=date_from,
        date_to=date_to,
        reviewed=_STATUSES.get(status or ""),
        starred=params.get("starred") in ("1", "on", "true"),
        by_story=group == "story",
    )
    return View(wanted, page, tuple(problems))
