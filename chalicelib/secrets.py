"""Secrets Manager values read with a cache of minutes: a rotated secret is picked up by a warm
Lambda within `max_age` seconds, without a deploy, while a busy container still reads each secret
about once per `max_age` instead of once per use. Values are never logged."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable

DEFAULT_MAX_AGE_S = 300


def _secrets_manager_reader() -> Callable[[str], str]:
    import boto3  # only the stages that read a secret pay for the client
    from botocore.config import Config

    from chalicelib.settings import get_settings
    s = get_settings()
    client = boto3.client("secretsmanager", region_name=s.region, config=Config(
        connect_timeout=1, read_timeout=2, retries={"mode": "standard", "total_max_attempts": 2}))
    return lambda arn: client.get_secret_value(SecretId=arn)["SecretString"]


class SecretCache:
    """A thread-safe cache of secret values by ARN. `reader` fetches one value (Secrets Manager by
    default, built on first use); `clock` is injectable for tests."""

    def __init__(self, reader: Callable[[str], str] | None = None, max_age_s: float = DEFAULT_MAX_AGE_S,
                 clock: Callable[[], float] = time.monotonic):
        self._reader = reader
        self._max_age_s = max_age_s
        self._clock = clock
        self._values: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def get(self, arn: str) -> str:
        now = self._clock()
        with self._lock:
            cached = self._values.get(arn)
            if cached is not None and now - cached[1] < self._max_age_s:
                return cached[0]
            if self._reader is None:
                self._reader = _secrets_manager_reader()
            # Read under the lock: a burst of threads after expiry makes one call, not one each.
            value = self._reader(arn)
            self._values[arn] = (value, now)
            return value

    def forget(self, arn: str) -> None:
        """Drop a value the provider just refused (rotated under us): the next get reads it anew."""
        with self._lock:
            self._values.pop(arn, None)


_shared = SecretCache()


def get_secret(arn: str) -> str:
    return _shared.get(arn)


def forget_secret(arn: str) -> None:
    _shared.forget(arn)
