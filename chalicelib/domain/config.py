"""Versioned network configuration (routing parameters, the ranking policy): each adoption is a
numbered version kept for the audit trail. Plain values, no I/O."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


class StaleVersion(Exception):
    """Another version was adopted since the one the caller read: nothing was adopted."""


@dataclass(frozen=True)
class ConfigVersion:
    """One adopted version of a named configuration document."""
    number: int
    document: Mapping[str, Any]
    adopted_by: str
    adopted_at: str  # ISO instant, as adopted

    def record(self) -> dict[str, Any]:
        """The version as the audit trail shows it."""
        return {"number": self.number, "document": dict(self.document), "adopted_by": self.adopted_by,
                "adopted_at": self.adopted_at}
