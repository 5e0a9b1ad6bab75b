"""What screening keeps outside the database, for minutes or a day, and never with a response.

- Per open-link *source* (a keyed hash of a client's address, made by the web) and unit: the ids
  of the responses it sent lately, so that a burst is counted per source and only that source's
  answers are flagged. Each entry goes after ``keep``; the whole key expires with its last entry.
- Per unit and day: the number a rule derives from the unit's history (its usual open-link
  volume), computed once a day instead of on every answer.

Production keeps it in the limiter's Redis (``RATELIMIT_STORAGE_URI``), shared by every worker and
server; with ``memory://``, or while Redis cannot be reached, in the process. Losing it only
forgets recent sources (a burst under way is counted afresh) and recomputes a number: it holds
nothing that counts.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

import redis


class ScreeningMemory(Protocol):
    def recent(self, key: str, since: datetime) -> list[int]:
        """The ids noted under ``key`` at or after ``since``."""
        ...

    def note(self, key: str, response_id: int, at: datetime, keep: timedelta) -> None:
        """Note ``response_id`` under ``key`` at ``at``, kept until ``at + keep``."""
        ...

    def number(self, key: str, keep: timedelta, compute: Callable[[], int]) -> int:
        """The number kept under ``key``, else ``compute()``, kept for ``keep``."""
        ...


class ProcessMemory:
    """In this process only (``memory://``, tests, and while Redis is away)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, list[tuple[float, int]]] = {}
        self._numbers: dict[str, tuple[float, int]] = {}

    def recent(self, key: str, since: datetime) -> list[int]:
        since_ts = since.timestamp()
        with self._lock:
            return [response_id for at, response_id in self._entries.get(key, ()) if at >= since_ts]

    def note(self, key: str, response_id: int, at: datetime, keep: timedelta) -> None:
        at_ts = at.timestamp()
        oldest = at_ts - keep.total_seconds()
        with self._lock:
            if len(self._entries) > 100_000:
                # Forget sources that went quiet: a flood of distinct sources must not fill memory.
                self._entries = {k: v for k, v in self._entries.items() if v and v[-1][0] >= oldest}
            entries = [entry for entry in self._entries.get(key, ()) if entry[0] >= oldest]
            entries.append((at_ts, response_id))
            self._entries[key] = entries

    def number(self, key: str, keep: timedelta, compute: Callable[[], int]) -> int:
        with self._lock:
            kept = self._numbers.get(key)
        if kept is not None and kept[0] > time.time():
            return kept[1]
        value = compute()
        with self._lock:
            if len(self._numbers) > 100_000:
                self._numbers.clear()
            self._numbers[key] = (time.time() + keep.total_seconds(), value)
        return value


class RedisMemory:
    """In Redis (sorted sets of ids scored by time; numbers as plain keys with a TTL), falling
    back to the process's memory while Redis does not answer."""

    def __init__(self, url: str, prefix: str, fallback: ProcessMemory | None = None, **options) -> None:
        self._redis = redis.Redis.from_url(url, **options)
        self._prefix = f"{prefix}:screening:"
        self._fallback = fallback or ProcessMemory()

    def recent(self, key: str, since: datetime) -> list[int]:
        try:
            members: list[bytes] = self._redis.zrangebyscore(  # type: ignore[assignment]  # redis-py's sync/async union
                self._prefix + key, since.timestamp(), "+inf")
            return [int(member) for member in members]
        except redis.RedisError:
            return self._fallback.recent(key, since)

    def note(self, key: str, response_id: int, at: datetime, keep: timedelta) -> None:
        name = self._prefix + key
        try:
            pipeline = self._redis.pipeline(transaction=False)
            pipeline.zremrangebyscore(name, "-inf", f"({(at - keep).timestamp()}")
            pipeline.zadd(name, {str(response_id): at.timestamp()})
            pipeline.expire(name, max(1, int(keep.total_seconds()) + 1))
            pipeline.execute()
        except redis.RedisError:
            self._fallback.note(key, response_id, at, keep)

    def number(self, key: str, keep: timedelta, compute: Callable[[], int]) -> int:
        name = self._prefix + key
        try:
            kept = self._redis.get(name)
        except redis.RedisError:
            return self._fallback.number(key, keep, compute)
        if kept is not None:
            return int(kept)
        value = compute()
        try:
            self._redis.set(name, value, ex=max(1, int(keep.total_seconds())))
        except redis.RedisError:
            pass
        return value


def screening_memory(storage_uri: str, prefix: str, **options) -> ScreeningMemory:
    """Where the limiter counts (``RATELIMIT_STORAGE_URI``), screening remembers."""
    if storage_uri.startswith(("redis://", "rediss://", "unix://")):
        return RedisMemory(storage_uri, prefix, **options)
    return ProcessMemory()
