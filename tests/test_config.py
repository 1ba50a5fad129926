from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from presswatch.config import Config, load_config, parse_duration_s
from presswatch.errors import ConfigError
from presswatch.starter import STARTER_CONFIG, write_starter

SOURCE = '[[sources]]\nname = "gazette"\nfeeds = ["https://gazette.example/rss"]\n'


def _load(tmp_path: Path, text: str) -> Config:
    path = tmp_path / "presswatch.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def test_full_example_from_the_spec_loads(tmp_path: Path) -> None:
    config = _load(
        tmp_path,
        """
[database]
url = "sqlite:///presswatch.db"
[crawl]
user_agent = "presswatch (+https://example.org/contact)"
obey_robots = true
concurrency = 16
per_domain_concurrency = 4
timeout = 20
max_page_bytes = 5000000
[queue]
url = "redis://127.0.0.1:6379/0"
[extract]
drop_lines = ["Share:", "More for You", "Top Followed"]
min_words = 40
[[sources]]
name = "guardian-world"
feeds = ["https://www.theguardian.com/world/rss"]
sitemaps = []
start_urls = []
follow = []
every = "15m"
[[topics]]
name = "ukraine-security"
query = '"security guarantee*" AND (Ukraine OR Kyiv) NOT title:football'
notify = ["desk", "ops"]
mode = "instant"
[channels.desk]
type = "email"
to = ["desk@example.org"]
from = "presswatch@example.org"
smtp_host = "localhost"
smtp_port = 25
security = "none"
username = ""
password_env = "PRESSWATCH_SMTP_PASSWORD"
[channels.ops]
type = "webhook"
url = "https://hooks.example.org/presswatch"
secret_env = "PRESSWATCH_WEBHOOK_SECRET"
""",
    )
    assert config.database.url == f"sqlite:///{tmp_path / 'presswatch.db'}"  # relative to file
    assert config.crawl.timeout_s == 20
    assert config.sources[0].interval_s == 900
    assert config.extract.drop_lines == ("Share:", "More for You", "Top Followed")
    assert config.extract.drop_blocks == ()
    assert config.sources[0].exclude == ()
    assert config.channels["desk"].type == "email"
    assert config.topics[0].notify == ("desk", "ops")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[crawl]\nconcurency = 4\n" + SOURCE, "crawl.concurency: unknown key"),
        ('[crawl]\nconcurrency = "8"\n' + SOURCE, 'crawl.concurrency: "8" is the wrong type'),
        ("[crawl]\ntimeout = -1\n" + SOURCE, "crawl.timeout"),
        (
            SOURCE + 'every = "15 minutes"\n',
            'sources[0].every: "15 minutes" is not a duration (use "30s", "15m", "2h" or "1d")',
        ),
        (
            SOURCE + 'follow = ["(unclosed"]\nstart_urls = ["https://g.example/"]\n',
            'sources[0].follow[0]: "(unclosed" is not a valid regular expression',
        ),
        (SOURCE + 'colour = "red"\n', "sources[0].colour: unknown key"),
        (
            SOURCE + 'exclude = ["div.promo", "div["]\n',
            'sources[0].exclude[1]: "div[" is not a CSS selector',
        ),
        ('[extract]\ndrop_blocks = "Picks"\n' + SOURCE, "extract.drop_blocks"),
        ('[[sources]]\nname = "empty"\n', "sources[0]: "),
        (
            '[[sources]]\nname = "x"\nfeeds = ["ftp://x.example/feed"]\n',
            'sources[0].feeds[0]: "ftp://x.example/feed" is not an http(s) URL',
        ),
        (SOURCE + SOURCE, 'sources[1].name: "gazette" is used twice'),
        (
            SOURCE + '[[topics]]\nname = "t"\nquery = "x"\nnotify = ["nobody"]\n',
            'topics[0].notify[0]: unknown channel "nobody"',
        ),
        (
            SOURCE + '[channels.desk]\ntype = "pager"\n',
            'channels.desk: type must be "email" or "webhook"',
        ),
        (
            SOURCE + '[channels.desk]\ntype = "email"\nto = ["a@b.example"]\n',
            "channels.desk.from: missing",
        ),
        (SOURCE + '[[topics]]\nname = "t"\nquery = "x"\nmode = "digest"\n', "topics[0]: "),
        (
            SOURCE + '[[topics]]\nname = "kyiv"\nquery = "(ukraine OR kyiv"\n',
            "topics[0].query: topic \"kyiv\": query error at column 17: expected ')'",
        ),
        ("[crawl\n", "Expected ']'"),  # TOML syntax: tomllib's own line and column
        ('seeds = ["nowhere.toml"]\n', "seeds[0]: no such seed file 'nowhere.toml'"),
    ],
)
def test_bad_config_is_one_line_naming_file_and_key(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, text)
    error = str(info.value)
    assert error.startswith(f"{tmp_path / 'presswatch.toml'}: ")
    assert message in error
    assert "\n" not in error
    assert info.value.exit_code == 2


def test_furniture_keys_load(tmp_path: Path) -> None:
    config = _load(
        tmp_path,
        '[extract]\ndrop_blocks = ["Picks of the week"]\n'
        + SOURCE
        + 'exclude = ["div.promo-box", "#outbrain > ul", "aside[aria-label=Newsletter]"]\n',
    )
    assert config.extract.drop_blocks == ("Picks of the week",)
    assert config.sources[0].exclude[1] == "#outbrain > ul"


def test_toml_syntax_error_keeps_line_and_column(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"line 2, column \d+"):
        _load(tmp_path, "[crawl]\ntimeout = = 3\n")


def test_missing_file_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="presswatch init"):
        load_config(tmp_path / "absent.toml")


def test_sources_from_seed_files_local_and_bundled(tmp_path: Path) -> None:
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "mine.toml").write_text(
        '[[sources]]\nname = "local-paper"\nfeeds = ["https://local.example/rss"]\n'
    )
    config = _load(tmp_path, 'seeds = ["seeds/mine.toml", "seeds/world.toml"]\n' + SOURCE)
    names = [s.name for s in config.sources]
    assert names[:2] == ["gazette", "local-paper"]
    assert "bbc-world" in names  # from the bundled world list
    assert len(names) == len(set(names))


def test_bad_seed_file_names_the_seed_file(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text(
        '[[sources]]\nname = "x"\nfeeds = ["https://x.example"]\nevery = "soon"\n'
    )
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, 'seeds = ["bad.toml"]\n')
    assert str(info.value).startswith(f"{tmp_path / 'bad.toml'}: sources[0].every")


@pytest.mark.parametrize("name", ["world.toml", "business.toml", "tech.toml"])
def test_bundled_seed_lists_are_valid(tmp_path: Path, name: str) -> None:
    config = _load(tmp_path, f'seeds = ["seeds/{name}"]\n')
    assert len(config.sources) >= 5
    assert all(s.feeds and s.feeds[0].startswith("https://") for s in config.sources)


@pytest.mark.parametrize(
    ("text", "seconds"), [("30s", 30), ("15m", 900), ("2h", 7200), ("1d", 86400), ("1.5h", 5400)]
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration_s(text) == seconds


def test_select_sources_rejects_unknown_names(tmp_path: Path) -> None:
    config = _load(tmp_path, SOURCE)
    assert [s.name for s in config.select_sources([])] == ["gazette"]
    with pytest.raises(ConfigError, match="unknown source 'nope' \\(known: gazette\\)"):
        config.select_sources(["nope"])


def test_starter_config_is_valid_and_documents_every_key(tmp_path: Path) -> None:
    config = load_config(write_starter(tmp_path))
    assert config.sources[0].name == "example-news"
    with pytest.raises(ConfigError, match="already exists"):
        write_starter(tmp_path)
    # every key of every section appears in the starter file (commented or not)
    uncommented = "\n".join(
        line.lstrip("# ")
        for line in STARTER_CONFIG.splitlines()
        if not line.startswith("#") or re.match(r"#\s*(\[|[a-z_]+ = )", line)
    )
    documented = tomllib.loads(uncommented)
    sections = {
        "database": Config.model_fields["database"].annotation,
        "crawl": Config.model_fields["crawl"].annotation,
        "extract": Config.model_fields["extract"].annotation,
        "queue": Config.model_fields["queue"].annotation,
        "alerts": Config.model_fields["alerts"].annotation,
        "health": Config.model_fields["health"].annotation,
    }
    for section, model in sections.items():
        assert set(model.model_fields) <= set(documented[section]), section  # type: ignore[union-attr]
    from presswatch.config import (
        EmailChannelConfig,
        SourceConfig,
        TopicConfig,
        WebhookChannelConfig,
    )

    assert set(SourceConfig.model_fields) <= set(documented["sources"][0]) | {"cron"}
    assert "cron =" in STARTER_CONFIG
    assert set(TopicConfig.model_fields) <= set(documented["topics"][0]) | {"digest_cron"}
    email_keys = {f.alias or n for n, f in EmailChannelConfig.model_fields.items()}
    assert email_keys <= set(documented["channels"]["desk"])
    assert set(WebhookChannelConfig.model_fields) <= set(documented["channels"]["ops"])
