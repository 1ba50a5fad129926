"""The commented starter `presswatch.toml` written by `presswatch init`."""

from __future__ import annotations

import os
from pathlib import Path

from presswatch.errors import ConfigError

STARTER_CONFIG = """\
# presswatch configuration. Every key is shown; the commented-out ones are optional.
# Reference: README.md, "Configuration".

# More [[sources]] from files: the lists shipped with presswatch ("seeds/world.toml",
# "seeds/business.toml", "seeds/tech.toml") or your own, relative to this file.
seeds = []

[database]
# Relative paths are relative to this file. PostgreSQL: "postgresql+psycopg://user@host/db"
url = "sqlite:///presswatch.db"

[crawl]
user_agent = "presswatch/0.1 (+https://example.org/contact)"   # say who you are
obey_robots = true
concurrency = 16              # requests in flight, all hosts together
per_domain_concurrency = 4    # requests in flight per host
timeout = 20                  # seconds per request
retries = 2                   # extra tries after a 5xx answer or a timeout
max_page_bytes = 5000000      # larger pages are abandoned and counted as errors
max_depth = 2                 # how far links are followed from start_urls
autothrottle = true           # adapt the request rate to each host's speed
extract_workers = 0           # processes extracting articles; 0 = one per CPU core
allow_networks = []           # internal networks a crawl may reach, e.g. ["10.0.0.0/8"]
adaptive = false              # every source's interval follows its rhythm (see [[sources]])

[queue]                       # distributed mode only: presswatch worker on each node
# url = "redis://127.0.0.1:6379/0"   # the shared queue; without it everything runs here
# name = "presswatch"         # prefix of the Redis keys
# worker_timeout = "60s"      # a worker silent this long is dead; others take its crawls

[extract]
drop_lines = ["Share:", "More for You", "Top Followed"]   # added to the built-in list
drop_blocks = []              # labels of related-content blocks, added to the built-in list
min_words = 40                # shorter pages are not articles
timeout = "20s"               # a page whose extraction takes longer is skipped until it changes

[alerts]
max_attempts = 8              # a failing alert is retried this often, then marked failed
first_retry = "10m"           # then 20m, 40m, ... (at most 12h apart): 8 attempts ~ a day
gather = "30s"                # run: crawls ending within 30 s share one alert per topic
per_story = true              # a story alerts once, listing its outlets; false: per clipping

[health]                      # a source that goes silent, stops yielding articles, fails
notify = []                   # channels told when it starts and when it is over, e.g. ["ops"]
silent_gaps = 6               # silent: no new clipping for 6 times its usual gap

[service]                     # presswatch run
crawl_timeout = "30m"         # a crawl running longer is stopped and counted as failed
stop_timeout = "30s"          # on SIGTERM, how long running crawls get to end cleanly
parallel_crawls = 4           # sources crawled at the same time, at most

[[sources]]
name = "example-news"
feeds = ["https://www.example.org/rss.xml"]   # RSS or Atom
sitemaps = []                 # sitemap, sitemap index or Google News sitemap
start_urls = []               # pages whose links are followed ...
follow = []                   # ... when the link matches one of these regexes
exclude = []                  # CSS selectors of this site's junk, e.g. ["div.promo", "#outbrain"]
every = "15m"                 # 30s, 15m, 2h, 1d; or instead: cron = "*/15 * * * *"
enabled = true
# adaptive = true             # poll busy feeds more often, quiet ones less (default: [crawl])
# min_every = "5m"            # ... never more often than this (default: a quarter of every)
# follow_moves = true         # a feed that moved (301) is fetched at its new URL from then on

# Topics and alert channels (see README):
# [[topics]]
# name = "ukraine-security"
# query = '"security guarantee*" AND (Ukraine OR Kyiv) NOT title:football'
# notify = ["desk"]
# mode = "instant"            # or "digest", with digest_cron = "0 8 * * *"
# on_update = true            # an "updated" alert with the diff when a clipping is corrected
#
# [channels.desk]
# type = "email"
# to = ["desk@example.org"]
# from = "presswatch@example.org"
# smtp_host = "localhost"
# smtp_port = 25
# security = "none"           # "starttls" or "ssl"
# username = ""              # empty: no login, and no password is needed
# password_env = "PRESSWATCH_SMTP_PASSWORD"   # with a username: the variable with its password
#
# [channels.ops]
# type = "webhook"
# url = "https://hooks.example.org/presswatch"
# secret_env = "PRESSWATCH_WEBHOOK_SECRET"
# timeout = 10
"""


def write_starter(directory: Path, *, overwrite: bool = False) -> Path:
    """Write `presswatch.toml` into `directory`; ConfigError if one exists (unless overwrite)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "presswatch.toml"
    if path.exists() and not overwrite:
        raise ConfigError(f"{path}: already exists (use --force to overwrite)")
    # readable by this user only: it may name SMTP hosts, users and database URLs
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(STARTER_CONFIG)
    os.chmod(path, 0o600)  # an existing file, overwritten with --force
    return path
