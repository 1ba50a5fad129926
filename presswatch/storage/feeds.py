"""What a crawl remembers between runs about feeds and pages: a feed's or sitemap's validators
and entries, and the pages whose extraction stalled (skipped until they change)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, delete, insert, select, update

from presswatch.clock import now_utc
from presswatch.storage.db import conflict_insert, in_chunks, reading, writing
from presswatch.storage.models import FeedState, StalledPage


@dataclass(frozen=True, slots=True)
class StalledPageRecord:
    """What a stalled page looked like: its validators and length."""

    etag: str | None
    last_modified: str | None
    length: int

    def is_unchanged(self, etag: str | None, last_modified: str | None, length: int) -> bool:
        if self.etag or etag:
            return self.etag == etag
        if self.last_modified or last_modified:
            return self.last_modified == last_modified
        return self.length == length


@dataclass(frozen=True, slots=True)
class FeedValidators:
    etag: str | None
    last_modified: str | None


class FeedStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def remember_stalled_page(
        self,
        url_keys: Sequence[str],
        etag: str | None,
        last_modified: str | None,
        length: int,
        reason: str,
    ) -> None:
        """A page whose extraction ran past its deadline, under each of its URL keys."""
        rows = [
            {
                "url_key": key,
                "etag": etag,
                "last_modified": last_modified,
                "length": length,
                "reason": reason[:2000],
                "at": now_utc(),
            }
            for key in dict.fromkeys(url_keys)
        ]
        with writing(self.engine) as connection:
            connection.execute(delete(StalledPage).where(StalledPage.url_key.in_(list(url_keys))))
            connection.execute(insert(StalledPage), rows)

    def stalled_pages(self, url_keys: Sequence[str]) -> dict[str, StalledPageRecord]:
        """The stalled pages among `url_keys`, by key."""
        found: dict[str, StalledPageRecord] = {}
        with reading(self.engine) as connection:
            for chunk in in_chunks(list(dict.fromkeys(url_keys))):
                rows = connection.execute(
                    select(
                        StalledPage.url_key,
                        StalledPage.etag,
                        StalledPage.last_modified,
                        StalledPage.length,
                    ).where(StalledPage.url_key.in_(chunk))
                )
                for key, etag, modified, length in rows:
                    found[key] = StalledPageRecord(etag, modified, length)
        return found

    def feed_validators(self, url: str) -> FeedValidators | None:
        with reading(self.engine) as connection:
            row = connection.execute(
                select(FeedState.etag, FeedState.last_modified).where(FeedState.url == url)
            ).first()
            return FeedValidators(row.etag, row.last_modified) if row else None

    def save_feed_state(
        self, url: str, status: int, etag: str | None, last_modified: str | None
    ) -> None:
        """Keep the validators of a feed or sitemap whose every entry was dealt with."""
        self._upsert_feed(url, etag=etag, last_modified=last_modified, last_status=status)

    def set_feed_entries(self, url: str, entries: int) -> None:
        """How many entries the feed or sitemap listed when last parsed (0: it went quiet)."""
        self._upsert_feed(url, entries=entries)

    def set_sitemap_children(self, url: str, children: Sequence[str]) -> None:
        self._upsert_feed(url, children="\n".join(children))

    def _upsert_feed(self, url: str, **values: object) -> None:
        row = {"url": url, "checked_at": now_utc(), "last_status": 200, "entries": 0, **values}
        with writing(self.engine) as connection:
            stmt = conflict_insert(connection, FeedState).values(**row)
            connection.execute(
                stmt.on_conflict_do_update(
                    index_elements=["url"], set_={"checked_at": row["checked_at"], **values}
                )
            )

    def sitemap_children(self, url: str) -> list[str]:
        """The child sitemaps a sitemap index listed when it was last parsed."""
        with reading(self.engine) as connection:
            value = connection.scalar(select(FeedState.children).where(FeedState.url == url))
        return value.split("\n") if value else []

    def touch_feed_state(self, url: str, status: int) -> None:
        """A 304: the validators stay, the check time moves."""
        with writing(self.engine) as connection:
            connection.execute(
                update(FeedState)
                .where(FeedState.url == url)
                .values(checked_at=now_utc(), last_status=status)
            )
