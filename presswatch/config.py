"""Load `presswatch.toml` (and the seed files it names) once into frozen, typed objects.

This is the only module that reads configuration files or the environment.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from presswatch.alerts.query import Node, parse_query
from presswatch.errors import ConfigError, QuerySyntaxError
from presswatch.redact import redacted as redacted  # a public name of the config before

CONFIG_ENV = "PRESSWATCH_CONFIG"
DEFAULT_CONFIG_NAME = "presswatch.toml"

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)\s*$")
_DURATION_UNITS_S = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_SOURCE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def parse_duration_s(text: str) -> float:
    """`"15m"` -> 900.0; raises ValueError with the accepted forms."""
    match = _DURATION.match(text)
    if not match or float(match.group(1)) <= 0:
        raise ValueError(f'"{text}" is not a duration (use "30s", "15m", "2h" or "1d")')
    return float(match.group(1)) * _DURATION_UNITS_S[match.group(2)]


def _check_duration(text: str) -> str:
    parse_duration_s(text)
    return text


def _check_duration_or_zero(text: str) -> str:
    if _ZERO.match(text):
        return text
    try:
        parse_duration_s(text)
    except ValueError as exc:
        raise ValueError(f'{exc} or "0s"') from exc
    return text


_ZERO = re.compile(r"^\s*0+(\.0+)?\s*(s|m|h|d)?\s*$")


def _check_regex(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f'"{pattern}" is not a valid regular expression ({exc})') from exc
    return pattern


def _check_http_url(url: str) -> str:
    if not re.match(r"^https?://[^/\s]+", url):
        raise ValueError(f'"{url}" is not an http(s) URL')
    return url


def _check_selector(selector: str) -> str:
    from presswatch.extractors.blocks import css_to_xpath

    css_to_xpath(selector)  # ValueError names what is wrong
    return selector


def _check_network(network: str) -> str:
    import ipaddress

    try:
        ipaddress.ip_network(network, strict=False)
    except ValueError as exc:
        raise ValueError(f'"{network}" is not a network (use "10.0.0.0/8", "fd00::/8")') from exc
    return network


def _check_cron(expr: str) -> str:
    from presswatch.cron import cron_trigger

    try:
        cron_trigger(expr)
    except ValueError as exc:
        raise ValueError(
            f'"{expr}" is not a cron expression (five fields, e.g. "*/15 * * * *"): {exc}'
        ) from exc
    return expr


Duration = Annotated[str, AfterValidator(_check_duration)]
DurationOrZero = Annotated[str, AfterValidator(_check_duration_or_zero)]
Regex = Annotated[str, AfterValidator(_check_regex)]
HttpUrl = Annotated[str, AfterValidator(_check_http_url)]
Cron = Annotated[str, AfterValidator(_check_cron)]
CssSelector = Annotated[str, AfterValidator(_check_selector)]
Network = Annotated[str, AfterValidator(_check_network)]


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

    @property
    def first_retry_s(self) -> float:
        return parse_duration_s(self.first_retry)

    @property
    def gather_s(self) -> float:
        return 0.0 if _ZERO.match(self.gather) else parse_duration_s(self.gather)


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
        return self

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


def channel_secret(variable: str | None) -> str | None:
    """The value of the environment variable a channel names for its secret (None when it names
    none); ConfigError naming the variable, never a value, when it is not set or empty."""
    if not variable:
        return None
    value = os.environ.get(variable)
    if not value:
        state = "empty" if value == "" else "not set"
        raise ConfigError(f"environment variable {variable} is {state} (a channel names it)")
    return value


def channel_problem(name: str, channel: ChannelConfig) -> str | None:
    """Why channel `name` cannot send with this environment, in one line; None when it can.
    An email channel logs in only when it has a username: then its password must be there."""
    try:
        if channel.type == "webhook":
            channel_secret(channel.secret_env)
        elif (
            channel.username and channel.security == "none" and not _is_loopback(channel.smtp_host)
        ):
            return (
                f"channel {name}: the password would cross the network in clear to "
                f'{channel.smtp_host}: set security = "starttls" or "ssl"; its alerts wait'
            )
        elif channel.username:
            if not channel.password_env:
                return (
                    f"channel {name}: username {channel.username!r} is set but password_env is "
                    "not (name the environment variable that holds the password)"
                )
            channel_secret(channel.password_env)
    except ConfigError as exc:
        what = "its signing secret" if channel.type == "webhook" else "the SMTP password"
        return f"channel {name}: {exc.args[0].split(' (')[0]} ({what}); its alerts wait"
    return None


def secret_path(config: Config) -> Path:
    """Where the review page keeps its secret: next to the SQLite file, else next to the
    config file."""
    from sqlalchemy import make_url

    url = make_url(config.database.url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        database = Path(url.database)
        return database.with_name(database.name + ".secret")
    base = config.path.parent if config.path is not None else Path.cwd()
    return base / "presswatch.secret"


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def channel_problems(config: Config) -> list[str]:
    """channel_problem of every channel that has one."""
    found = (channel_problem(name, channel) for name, channel in config.channels.items())
    return [problem for problem in found if problem is not None]


def resolve_config_path(cli_path: str | None) -> Path:
    """--config, else $PRESSWATCH_CONFIG, else ./presswatch.toml."""
    return Path(cli_path or os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG_NAME)


def load_config(path: Path) -> Config:
    """Read, merge seed files into, and validate a config file; ConfigError names file and key."""
    raw = _read_toml(path)
    seed_sources: list[dict[str, Any]] = []
    seed_names = raw.get("seeds", [])
    if isinstance(seed_names, list):
        for index, name in enumerate(seed_names):
            if not isinstance(name, str):
                raise ConfigError(f"{path}: seeds[{index}]: expected a file path")
            seed_path = _find_seed(path, name, index)
            seed_sources.extend(_load_seed(seed_path))
    sources = raw.get("sources", [])
    if isinstance(sources, list):
        raw = {**raw, "sources": [*sources, *seed_sources]}
    raw["path"] = path.resolve()
    raw = _environment_overrides(raw)
    raw = _resolve_database_url(raw, path)
    try:
        config = Config.model_validate(_arrays_as_tuples(raw))
    except ValidationError as exc:
        raise ConfigError(f"{path}: {_describe(exc)}") from exc
    _check_cross_references(config, path)
    return config


DATABASE_URL_ENV = "PRESSWATCH_DATABASE_URL"
QUEUE_URL_ENV = "PRESSWATCH_QUEUE_URL"


def _environment_overrides(raw: dict[str, Any]) -> dict[str, Any]:
    """PRESSWATCH_DATABASE_URL and PRESSWATCH_QUEUE_URL, when set, win over the file: the
    URLs with passwords can stay out of it."""
    for variable, section in ((DATABASE_URL_ENV, "database"), (QUEUE_URL_ENV, "queue")):
        value = os.environ.get(variable)
        if value:
            table = raw.get(section)
            raw = {**raw, section: {**(table if isinstance(table, dict) else {}), "url": value}}
    return raw


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise ConfigError(
            f"{path}: no such file (create one with `presswatch init`, or pass --config)"
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from exc


def _find_seed(config_path: Path, name: str, index: int) -> Path:
    local = (config_path.parent / name).resolve()
    if local.is_file():
        return local
    bundled = resources.files("presswatch") / "seeds" / Path(name).name
    if bundled.is_file():
        return Path(str(bundled))
    raise ConfigError(f"{config_path}: seeds[{index}]: no such seed file {name!r}")


def _load_seed(path: Path) -> list[dict[str, Any]]:
    raw = _read_toml(path)
    extra = set(raw) - {"sources"}
    if extra:
        raise ConfigError(
            f"{path}: {sorted(extra)[0]}: unknown key (a seed file has only [[sources]])"
        )
    sources = raw.get("sources", [])
    if not isinstance(sources, list):
        raise ConfigError(f"{path}: sources: expected [[sources]] tables")
    validated = []
    for index, source in enumerate(sources):
        try:
            model = SourceConfig.model_validate(_arrays_as_tuples(source))
        except ValidationError as exc:
            raise ConfigError(f"{path}: {_describe(exc, ('sources', index))}") from exc
        validated.append(model.model_dump(exclude_unset=True))
    return validated


def _arrays_as_tuples(value: Any) -> Any:
    """TOML arrays become tuples, so that strict, frozen models accept them."""
    if isinstance(value, list | tuple):
        return tuple(_arrays_as_tuples(v) for v in value)
    if isinstance(value, dict):
        return {k: _arrays_as_tuples(v) for k, v in value.items()}
    return value


def _resolve_database_url(raw: dict[str, Any], path: Path) -> dict[str, Any]:
    database = raw.get("database")
    if not isinstance(database, dict) or not isinstance(database.get("url"), str):
        database = {**(database if isinstance(database, dict) else {})}
        database.setdefault("url", DatabaseConfig().url)
    url: str = database["url"]
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/"):
        relative = url.removeprefix(prefix)
        if relative and relative != ":memory:":
            url = prefix + str(path.resolve().parent / relative)
    return {**raw, "database": {**database, "url": url}}


def _check_cross_references(config: Config, path: Path) -> None:
    seen: set[str] = set()
    for index, source in enumerate(config.sources):
        if source.name in seen:
            raise ConfigError(f'{path}: sources[{index}].name: "{source.name}" is used twice')
        seen.add(source.name)
    topic_names: set[str] = set()
    for index, topic in enumerate(config.topics):
        if topic.name in topic_names:
            raise ConfigError(f'{path}: topics[{index}].name: "{topic.name}" is used twice')
        topic_names.add(topic.name)
        try:
            parse_query(topic.query)
        except QuerySyntaxError as exc:
            raise ConfigError(
                f'{path}: topics[{index}].query: topic "{topic.name}": {exc}'
            ) from exc
        for n, channel in enumerate(topic.notify):
            if channel not in config.channels:
                known = ", ".join(sorted(config.channels)) or "none configured"
                raise ConfigError(
                    f'{path}: topics[{index}].notify[{n}]: unknown channel "{channel}" '
                    f"(channels: {known})"
                )


def _describe(exc: ValidationError, prefix: tuple[str | int, ...] = ()) -> str:
    """The first validation error as `key.path: value problem`."""
    error = exc.errors(include_url=False)[0]
    # a tagged union puts the tag into the path: channels.desk.email.to -> channels.desk.to
    loc = [*prefix, *(part for part in error["loc"] if part not in {"email", "webhook"})]
    key = _format_loc(loc)
    kind = error["type"]
    value = error.get("input")
    if kind == "extra_forbidden":
        return f"{key}: unknown key"
    if kind == "missing":
        return f"{key}: missing (required)"
    if kind == "union_tag_invalid" or kind == "union_tag_not_found":
        return f'{key}: type must be "email" or "webhook"'
    message = str(error["msg"]).removeprefix("Value error, ")
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return f"{key}: {_show(value)} is the wrong type ({message.lower()})"
    if kind == "value_error" and '"' in message:
        return f"{key}: {message}"
    return f"{key}: {_show(value)}: {message}"


def _format_loc(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _show(value: object) -> str:
    if isinstance(value, dict):
        return "table"
    text = repr(value) if not isinstance(value, str) else f'"{value}"'
    return text if len(text) <= 60 else text[:57] + "..."
