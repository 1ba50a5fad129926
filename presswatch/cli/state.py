"""What every command gets (click's context object): the config path, loaded once on first
use, and a Repository over the database it names."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from presswatch.config import Config, load_config

if TYPE_CHECKING:
    from presswatch.storage.repository import Repository


@dataclass(slots=True)
class AppState:
    config_path: Path
    debug: bool
    _config: Config | None = None
    _repository: Repository | None = None

    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_path)
        return self._config

    def repository(self) -> Repository:
        """The repository over the configured database, opened (and migrated) once."""
        if self._repository is None:
            from presswatch.storage.db import open_database
            from presswatch.storage.repository import Repository

            self._repository = Repository(open_database(self.config().database.url))
        return self._repository
