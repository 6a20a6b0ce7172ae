"""Versioned network configuration (routing parameters; any document the association adopts) in
the `network` table: pk CONFIG#{name}, sk V#{n:06d} one adopted version each, and sk CURRENT
pointing at the latest. Adopting is one transaction conditional on the version it replaces, so
two admins cannot both adopt "version 4"; old versions stay, for the audit trail and replays.
The same transaction moves the "config" stamp, so containers that cache the version in force
(catalogue_store.cached) read it again."""
from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import DoesNotExist

from chalicelib.dal import catalogue_store
from chalicelib.dal.db import Tx, TxConditionFailed, TxConflict, unavailable_guard
from chalicelib.dal.models import NetworkItem
from chalicelib.domain.config import ConfigVersion, StaleVersion

CURRENT = "CURRENT"


def _pk(name: str) -> str:
    return f"CONFIG#{name}"


def _sk(number: int) -> str:
    return f"V#{number:06d}"


def _version(record: dict) -> ConfigVersion:
    return ConfigVersion(int(record["number"]), record["document"], record["adopted_by"], record["adopted_at"])


@unavailable_guard
def current(name: str, *, cached: bool = True) -> ConfigVersion | None:
    """The adopted version in force, or None if nothing was adopted yet."""
    def read():
        try:
            pointer = NetworkItem.get(_pk(name), CURRENT, consistent_read=not cached)
        except DoesNotExist:
            return None
        return _version(pointer.data)
    if not cached:
        return read()
    return catalogue_store.cached(f"config:{name}", read, kind="config")


@unavailable_guard
def adopt(name: str, document: dict, expected: int, actor: str, now: datetime) -> int:
    """Adopt `document` as version expected+1. Raises StaleVersion when another version was
    adopted since `expected` was read (or is being adopted at this moment)."""
    number = expected + 1
    stamp = now.isoformat(timespec="seconds")
    record = {"number": number, "document": document, "adopted_by": actor, "adopted_at": stamp}
    tx = Tx()
    tx.put("version", NetworkItem(_pk(name), _sk(number), data=record, updated_at=stamp),
           condition=NetworkItem.pk.does_not_exist())
    condition = NetworkItem.pk.does_not_exist() if expected == 0 else NetworkItem.number == expected
    tx.put("current", NetworkItem(_pk(name), CURRENT, data=record, number=number, updated_at=stamp),
           condition=condition)
    try:
        # Retried when it met another transaction on the version item; another adoption of
        # this name then fails its condition.
        catalogue_store.commit_stamped(tx, "config", f"config:{name}")
    except (TxConditionFailed, TxConflict) as exc:
        raise StaleVersion(name) from exc
    return number


@unavailable_guard
def history(name: str, limit: int = 50) -> list[ConfigVersion]:
    """Adopted versions, newest first."""
    items = NetworkItem.query(_pk(name), NetworkItem.sk.startswith("V#"), scan_index_forward=False, limit=limit)
    return [_version(i.data) for i in items]
