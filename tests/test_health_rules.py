"""The health rules on histories written out by hand: what is usual for a source is learned from
its own rhythm (weekends, bursts), and one bad crawl is not a problem unless it is a wall."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from presswatch.config import HealthConfig, SourceConfig
from presswatch.health import assess, measure_silence
from presswatch.source_history import FetchFacts, Finding, RunFacts, SourceHistory

SOURCE = SourceConfig(name="ledger", feeds=("https://ledger.example/rss",))
HEALTH = HealthConfig()
MONDAY = datetime(2026, 11, 2, tzinfo=UTC)  # a Monday, 00:00
HOUR, QUARTER = timedelta(hours=1), timedelta(minutes=15)


def weekday_office_hours(weeks: int) -> list[datetime]:
    """One article an hour, 08:00-18:00, Monday to Friday, for `weeks` weeks."""
    return [
        MONDAY + timedelta(days=7 * w + d, hours=h)
        for w in range(weeks)
        for d in range(5)
        for h in range(8, 18)
    ]


def run(n: int, at: datetime, **counts: int) -> RunFacts:
    values = {
        "requests": 5,
        "errors": 0,
        "fetched": 4,
        "extracted": 4,
        "stored": 0,
        "discovered": 4,
        "known": 4,
        "robots": 0,
        "failed": 0,
    } | counts
    return RunFacts(n, at, "finished", **values)


def history(
    runs: list[RunFacts],
    times: list[datetime] | None = None,
    fetches: tuple[FetchFacts, ...] = (
        FetchFacts("https://ledger.example/rss", "feed", 200, 20, None),
    ),
    open_since: dict[str, datetime] | None = None,
    error_kinds: dict[str, int] | None = None,
    refused: dict[str, int] | None = None,
) -> SourceHistory:
    times = times or []
    return SourceHistory(
        tuple(sorted(runs, key=lambda r: r.started_at, reverse=True)),
        tuple(times),
        max(times) if times else None,
        error_kinds or {},
        fetches,
        refused or {},
        frozenset(refused or ()),
        open_since or {},
    )


def quiet_runs(after: datetime, now: datetime, every: timedelta) -> list[RunFacts]:
    runs: list[RunFacts] = []
    at = after + every
    while at <= now:
        runs.append(run(len(runs) + 1, at))
        at += every
    return runs


def silent_after(times: list[datetime], since: datetime, now: datetime, every: timedelta) -> object:
    """The silent verdict at `now` for a source crawled `every` since its last clipping."""
    return assess(SOURCE, HEALTH, history(quiet_runs(since, now, every), times), now)["silent"]


def test_a_quiet_weekend_is_usual_for_a_weekday_source() -> None:
    times = weekday_office_hours(3)
    friday_last = max(times)  # week 3, Friday 17:00
    monday_early = friday_last + timedelta(days=2, hours=14)  # Monday 07:00
    silence = measure_silence(times, friday_last, monday_early)
    assert silence is not None
    assert silence.expected < 3  # 62 hours, but the weekend's expect next to nothing
    assert silence.usual_quiet < 2  # it publishes steadily when it publishes
    assert not isinstance(silent_after(times, friday_last, monday_early, HOUR), Finding)


def test_a_weekday_without_articles_is_silent() -> None:
    wednesday_9 = MONDAY + timedelta(days=23, hours=9)  # the fourth week's Wednesday
    times = [t for t in weekday_office_hours(4) if t <= wednesday_9]
    # from Wednesday 09:00 to Thursday 12:00: 13 office hours (and a night) without an article
    evening = wednesday_9 + timedelta(hours=27)
    silent = silent_after(times, wednesday_9, evening, QUARTER)
    assert isinstance(silent, Finding)
    assert silent.since == wednesday_9
    assert silent.message.startswith("ledger: no new clipping for 27 h (usually one every 2 h)")
    # five office hours of it (Wednesday 14:00) are not yet silence
    early = wednesday_9 + timedelta(hours=5)
    assert not isinstance(silent_after(times, wednesday_9, early, QUARTER), Finding)


def test_a_bursty_source_is_not_silent_between_bursts() -> None:
    # ten articles within a minute, every two hours, for a week
    start = MONDAY
    times = [start + timedelta(hours=2 * b, seconds=6 * i) for b in range(84) for i in range(10)]
    last = max(times)
    for quiet_h, expected in ((3, False), (8, False), (20, True)):
        now = last + timedelta(hours=quiet_h)
        silent = silent_after(times, last, now, timedelta(minutes=30))
        assert isinstance(silent, Finding) is expected, quiet_h


def test_one_quiet_crawl_is_never_silence() -> None:
    times = [MONDAY + timedelta(minutes=10 * i) for i in range(50)]
    now = max(times) + timedelta(hours=3)  # far past 6 gaps, but one crawl saw it
    verdicts = assess(SOURCE, HEALTH, history([run(1, now)], times), now)
    assert not isinstance(verdicts["silent"], Finding)


def test_one_failing_crawl_is_not_a_problem_two_are() -> None:
    at = MONDAY + timedelta(hours=10)
    healthy = [run(n, at - timedelta(hours=n)) for n in range(2, 10)]
    one = history([run(1, at, failed=5, errors=5), *healthy], error_kinds={"timeout": 5})
    assert not isinstance(assess(SOURCE, HEALTH, one, at)["errors"], Finding)
    two = history(
        [run(1, at, failed=5, errors=5), run(0, at - timedelta(minutes=30), failed=4), *healthy],
        error_kinds={"timeout": 5},
    )
    errors = assess(SOURCE, HEALTH, two, at)["errors"]
    assert isinstance(errors, Finding)
    assert "5 of 5 requests failed in the last crawl (timeout x5)" in errors.message
    assert "(usually 0%)" in errors.message


def test_a_wall_is_a_problem_at_once() -> None:
    at = MONDAY + timedelta(hours=10)
    healthy = [run(n, at - timedelta(hours=n)) for n in range(2, 10)]
    walled = history(
        [run(1, at, requests=1, failed=1, errors=1), *healthy],
        fetches=(FetchFacts("https://ledger.example/rss", "feed", 403, 0, None),),
        error_kinds={"http-403": 1},
    )
    assert isinstance(assess(SOURCE, HEALTH, walled, at)["errors"], Finding)


def test_yield_opens_at_half_its_usual_level_and_recovers_near_it() -> None:
    at = MONDAY + timedelta(hours=10)
    usual = [run(n, at - timedelta(hours=n), fetched=10, extracted=9) for n in range(2, 8)]

    def verdict(extracted: int, open_since: datetime | None = None) -> object:
        recent = run(1, at, fetched=10, extracted=extracted)
        found = history([recent, *usual], open_since={"yield": open_since} if open_since else {})
        return assess(SOURCE, HEALTH, found, at)["yield"]

    assert isinstance(verdict(4), Finding)  # 40% against 90%
    assert not isinstance(verdict(6), Finding)  # 60%: lower, not broken
    assert verdict(6, open_since=at) is None  # open: not yet back near 90%
    assert isinstance(verdict(8, open_since=at), str)  # 80% >= 0.8 x 90%: over


def test_robots_is_a_problem_when_it_newly_forbids_a_used_path() -> None:
    at = MONDAY + timedelta(hours=10)
    refused = {"ledger.example/news/": 4}
    always = [run(n, at - timedelta(hours=n), robots=2) for n in range(1, 6)]
    assert not isinstance(
        assess(SOURCE, HEALTH, history(always, refused=refused), at)["robots"], Finding
    )
    newly = [run(1, at, robots=4), *(run(n, at - timedelta(hours=n)) for n in range(2, 6))]
    robots = assess(SOURCE, HEALTH, history(newly, refused=refused), at)["robots"]
    assert isinstance(robots, Finding)
    assert robots.message == (
        "ledger: robots.txt now forbids ledger.example/news/, where its articles or feeds were "
        "(4 URLs refused in the last crawl)"
    )
