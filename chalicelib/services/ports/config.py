"""Versioned network configuration: adopt a version only over the one the caller read."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from chalicelib.domain.config import ConfigVersion


class ConfigStore(Protocol):
    def current(self, name: str, *, cached: bool = True) -> ConfigVersion | None:
        """The adopted version in force (None: never adopted); `cached=False` reads it now."""

    def adopt(self, name: str, document: dict[str, Any], expected: int, actor: str, now: datetime) -> int:
        """Adopt `document` as version expected + 1 and return that number; raises
        `StaleVersion` when `expected` is no longer the current number."""

    def history(self, name: str, limit: int = 50) -> list[ConfigVersion]:
        """Adopted versions, newest first."""
