"""Add a topic to the config file: appended as a `[[topics]]` table, the rest of the file (its
comments and layout) left as it was, and only once the whole file with it still loads."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from presswatch.config import Config, load_config
from presswatch.errors import ConfigError, PresswatchError
from presswatch.query import parse_query


class TopicNotSaved(PresswatchError):
    """The topic was not written; the message says why."""


def topic_toml(name: str, query: str) -> str:
    """The `[[topics]]` table for a new topic (strings in TOML's basic form, which JSON's
    escapes are valid in)."""
    return (
        f"\n[[topics]]\nname = {json.dumps(name, ensure_ascii=False)}\n"
        f"query = {json.dumps(query, ensure_ascii=False)}\n"
    )


def check_new_topic(config: Config, name: str, query: str) -> Path:
    """The config file the topic would go into; TopicNotSaved when it cannot."""
    name = name.strip()
    if not name:
        raise TopicNotSaved("the topic needs a name")
    if any(t.name == name for t in config.topics):
        raise TopicNotSaved(f"a topic named {name!r} exists already: choose another name")
    try:
        parse_query(query)
    except ConfigError as exc:
        raise TopicNotSaved(str(exc)) from None
    path = config.path
    if path is None:
        raise TopicNotSaved("this configuration was not read from a file")
    if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
        raise TopicNotSaved(f"{path} is not writable by this process: add the topic to it by hand")
    return path


def save_topic(config: Config, name: str, query: str) -> Config:
    """Append the topic to the config file and return the config read back from it;
    TopicNotSaved (the file unchanged) when the name, the query or the file does not allow it."""
    path = check_new_topic(config, name, query)
    before = path.read_text(encoding="utf-8")
    after = before.rstrip("\n") + "\n" + topic_toml(name.strip(), query)
    mode = path.stat().st_mode & 0o777
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(after)
        os.chmod(temporary, mode)
        try:
            load_config(Path(temporary))
        except ConfigError as exc:
            raise TopicNotSaved(f"the file would not load with it: {exc}") from None
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return load_config(path)
