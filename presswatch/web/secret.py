"""The review page's server secret: a random key that signs session cookies, and the session
epoch that logging out moves on. Kept in a file next to the database (mode 0600), made on the
first `serve`: a cookie says nothing about the access token, and a copied cookie dies with a
log-out or a new token."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from presswatch.errors import ConfigError

KEY_BYTES = 32


@dataclass(slots=True)
class ServerSecret:
    key: bytes
    epoch: int = 0
    path: Path | None = None  # None: kept in memory only (a new one each start)

    @classmethod
    def ephemeral(cls) -> ServerSecret:
        return cls(secrets.token_bytes(KEY_BYTES))

    @classmethod
    def load_or_create(cls, path: Path) -> ServerSecret:
        """The secret in `path`, made (readable by this user only) when there is none yet."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(bytes.fromhex(data["key"]), int(data["epoch"]), path)
        except FileNotFoundError:
            secret = cls(secrets.token_bytes(KEY_BYTES), 0, path)
            secret._write(create=True)
            return secret
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConfigError(
                f"{path}: the review page's secret cannot be read ({exc}); delete the file "
                "to make a new one (everyone then logs in again)"
            ) from exc

    def revoke_all(self) -> None:
        """Every session cookie issued so far stops working (log-out)."""
        self.epoch += 1
        if self.path is not None:
            self._write(create=False)

    def _write(self, *, create: bool) -> None:
        assert self.path is not None
        flags = os.O_WRONLY | os.O_TRUNC | (os.O_CREAT | os.O_EXCL if create else 0)
        try:
            descriptor = os.open(self.path, flags, 0o600)
        except OSError as exc:
            raise ConfigError(
                f"{self.path}: cannot write the review page's secret ({exc})"
            ) from exc
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump({"key": self.key.hex(), "epoch": self.epoch}, handle)
