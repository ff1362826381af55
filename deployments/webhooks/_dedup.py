"""Remembering delivery ids, so a redelivered webhook is answered but not emitted twice.

`DeliveryLedger` lives in one process's memory; `FileDeliveryLedger` keeps the same in a SQLite
file, so a restart forgets nothing (what `qeflow server` uses). Several replicas would need a
shared store (a PostgreSQL table with a unique key, or Redis SET NX EX). Prefect adds a second
line of defence: each event's id derives from the delivery id, and Prefect's trigger service
skips an event id it has seen in the last 30 minutes.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

__all__ = ["DeliveryLedger", "FileDeliveryLedger"]


class DeliveryLedger:
    """A bounded LRU set of keys with a time to live. Thread-safe and safe from async code
    (every method is short, synchronous and holds one lock; nothing awaits inside it).

    `claim(key)` is the only way in: True for the first caller, False while the key is remembered.
    `release(key)` forgets a claim whose work failed, so the host's retry is accepted.
    """

    def __init__(self, ttl_s: float, max_entries: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl_s, self._max, self._clock = ttl_s, max_entries, clock
        self._seen: OrderedDict[str, float] = OrderedDict()  # key -> expiry, oldest first
        self._lock = threading.Lock()

    def claim(self, key: str) -> bool:
        now = self._clock()
        with self._lock:
            while self._seen:  # drop expired entries from the old end
                oldest, expiry = next(iter(self._seen.items()))
                if expiry > now:
                    break
                del self._seen[oldest]
            if key in self._seen:
                return False
            self._seen[key] = now + self._ttl_s
            while len(self._seen) > self._max:
                self._seen.popitem(last=False)
            return True

    def release(self, key: str) -> None:
        with self._lock:
            self._seen.pop(key, None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._seen)


class FileDeliveryLedger:
    """The same contract as `DeliveryLedger`, kept in a SQLite file so it survives a restart.

    `qeflow server` uses it: a host that redelivers while the receiver restarts (GitHub retries
    for hours) must not start the run twice. Prefect's own seen-event cache covers 30 minutes;
    this covers the whole TTL. One receiver process per file; wall-clock expiry (it outlives
    the process, so a monotonic clock would not do).
    """

    def __init__(self, path: Path, ttl_s: float, clock: Callable[[], float] = time.time) -> None:
        self._ttl_s, self._clock = ttl_s, clock
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS deliveries (key TEXT PRIMARY KEY, expiry REAL NOT NULL)")
        self._lock = threading.Lock()

    def claim(self, key: str) -> bool:
        now = self._clock()
        with self._lock:
            self._db.execute("DELETE FROM deliveries WHERE expiry <= ?", (now,))
            inserted = self._db.execute(
                "INSERT OR IGNORE INTO deliveries (key, expiry) VALUES (?, ?)", (key, now + self._ttl_s)
            )
            return inserted.rowcount == 1

    def release(self, key: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM deliveries WHERE key = ?", (key,))

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM deliveries").fetchone()[0])
