"""Load `presswatch.toml` (and the seed files it names) once into a Config: files read, the
environment's overrides applied, every value checked, and an error that names file and key."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from presswatch.config.models import Config, DatabaseConfig, SourceConfig
from presswatch.errors import ConfigError, QuerySyntaxError
from presswatch.query import parse_query

CONFIG_ENV = "PRESSWATCH_CONFIG"
DEFAULT_CONFIG_NAME = "presswatch.toml"


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
        _check_notify(config, path, f"topics[{index}].notify", topic.notify)
    _check_notify(config, path, "health.notify", config.health.notify)


def _check_notify(config: Config, path: Path, key: str, notify: Sequence[str]) -> None:
    for n, channel in enumerate(notify):
        if channel not in config.channels:
            known = ", ".join(sorted(config.channels)) or "none configured"
            raise ConfigError(
                f'{path}: {key}[{n}]: unknown channel "{channel}" (channels: {known})'
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
