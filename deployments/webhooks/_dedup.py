"""Remembering delivery ids, so a redelivered webhook is answered but not emitted twice.

`DeliveryLedger` lives in one process's memory: a receiver run as several replicas (or
restarted) needs a shared store instead (e.g. a PostgreSQL table with a unique key, or Redis
SET NX EX). Prefect itself adds a second line of defence: the receiver derives each event's id
from the delivery id, and the Prefect server stores an event id once.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

__all__ = ["DeliveryLedger"]


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
