"""presswatch.toml, read once into frozen, typed objects: `load_config(path) -> Config`.

fields.py (the checked value types), models.py (one model per table), load.py (files, seeds,
environment overrides, errors that name file and key), channels.py (whether a channel can send
with the secrets it names). This package is the only part of presswatch that reads
configuration files or the environment; everything else gets the part of the Config it needs.
"""

from __future__ import annotations

from presswatch.config.channels import channel_problem, channel_problems, channel_secret
from presswatch.config.fields import (
    Cron,
    CssSelector,
    Duration,
    DurationOrZero,
    HttpUrl,
    Network,
    Regex,
    parse_duration_s,
)
from presswatch.config.load import (
    CONFIG_ENV,
    DATABASE_URL_ENV,
    DEFAULT_CONFIG_NAME,
    QUEUE_URL_ENV,
    load_config,
    resolve_config_path,
    secret_path,
)
from presswatch.config.models import (
    AlertsConfig,
    ChannelConfig,
    Config,
    CrawlConfig,
    DatabaseConfig,
    EmailChannelConfig,
    ExtractConfig,
    HealthConfig,
    QueueConfig,
    ServiceConfig,
    SourceConfig,
    TopicConfig,
    WebhookChannelConfig,
)
from presswatch.redact import redacted

__all__ = [
    "CONFIG_ENV",
    "DATABASE_URL_ENV",
    "DEFAULT_CONFIG_NAME",
    "QUEUE_URL_ENV",
    "AlertsConfig",
    "ChannelConfig",
    "Config",
    "CrawlConfig",
    "Cron",
    "CssSelector",
    "DatabaseConfig",
    "Duration",
    "DurationOrZero",
    "EmailChannelConfig",
    "ExtractConfig",
    "HealthConfig",
    "HttpUrl",
    "Network",
    "QueueConfig",
    "Regex",
    "ServiceConfig",
    "SourceConfig",
    "TopicConfig",
    "WebhookChannelConfig",
    "channel_problem",
    "channel_problems",
    "channel_secret",
    "load_config",
    "parse_duration_s",
    "redacted",
    "resolve_config_path",
    "secret_path",
]
