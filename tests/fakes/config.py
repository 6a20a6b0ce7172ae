"""In-memory versioned configuration (ports.config.ConfigStore)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.domain.config import ConfigVersion, StaleVersion


class FakeConfigStore:
    def __init__(self) -> None:
        self.versions: dict[str, list[ConfigVersion]] = {}  # name -> versions, oldest first

    def current(self, name: str, *, cached: bool = True) -> ConfigVersion | None:
        versions = self.versions.get(name)
        return versions[-1] if versions else None

    def adopt(self, name: str, document: dict[str, Any], expected: int, actor: str, now: datetime) -> int:
        versions = self.versions.setdefault(name, [])
        if len(versions) != expected:
            raise StaleVersion(name)
        number = expected + 1
        versions.append(ConfigVersion(number, dict(document), actor, now.isoformat(timespec="seconds")))
        return number

    def history(self, name: str, limit: int = 50) -> list[ConfigVersion]:
        return self.versions.get(name, [])[::-1][:limit]
