"""Pools of realistic values from Faker, made once per kind and seed.

Calling Faker per value costs 10-200 µs (measured: name + email ≈ 5,000 rows/s), far too slow for
50,000 rows/s. So each kind gets a pool of `size` values from a Faker seeded with a stable hash of
(seed, kind), and rows draw from the pools with their own seeded `random.Random`. The pools of one
kind never depend on which other kinds a schema uses, so adding a column leaves the values of the
others unchanged. Values that hold a tab, newline or backslash are kept out of the pools: COPY
then needs no escaping for them.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable

from faker import Faker

__all__ = ["POOL_KINDS", "Pools", "stable_seed"]

_FLAT = re.compile(r"[\t\n\r\\]")


def stable_seed(*parts: object) -> int:
    """A seed from `parts` that is the same in every process (unlike `hash()`)."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def _one_line(text: str) -> str:
    return text.replace("\n", ", ")


POOL_KINDS: dict[str, Callable[[Faker], str]] = {
    "first_name": lambda f: f.first_name(),
    "last_name": lambda f: f.last_name(),
    "domain": lambda f: f.domain_name(),
    "safe_domain": lambda f: f.safe_domain_name(),
    "username": lambda f: f.user_name(),
    "phone": lambda f: f.phone_number(),
    "street_address": lambda f: f.street_address(),
    "address": lambda f: _one_line(f.address()),
    "city": lambda f: f.city(),
    "state": lambda f: f.state(),
    "country": lambda f: f.country(),
    "country_code": lambda f: f.country_code(),
    "postcode": lambda f: f.postcode(),
    "url": lambda f: f.url(),
    "company": lambda f: f.company(),
    "job": lambda f: f.job(),
    "ipv4": lambda f: f.ipv4_public(),
    "ipv6": lambda f: f.ipv6(),
    "text": lambda f: f.paragraph(nb_sentences=3),
    "sentence": lambda f: f.sentence(nb_words=8),
    "title": lambda f: f.sentence(nb_words=5).rstrip("."),
    "slug": lambda f: f.slug(),
    "color": lambda f: f.color_name(),
    "currency_code": lambda f: f.currency_code(),
    "language_code": lambda f: f.language_code(),
    "locale": lambda f: f.locale(),
    "timezone": lambda f: f.timezone(),
    "word": lambda f: f.word(),
    "user_agent": lambda f: f.user_agent(),
    "file_name": lambda f: f.file_name(),
    "mime_type": lambda f: f.mime_type(),
    "mac_address": lambda f: f.mac_address(),
    "product": lambda f: f"{f.color_name()} {f.word().capitalize()} {f.word().capitalize()}",
}


class Pools:
    """Per-kind value pools for one seed. Thread-safe; each pool is made on first use."""

    def __init__(self, seed: int, *, size: int = 500, locale: str = "en_US"):
        self.seed = seed
        self.size = size
        self.locale = locale
        self._pools: dict[str, list[str]] = {}
        self._lock = threading.Lock()
        self._faker: Faker | None = None  # one instance (~50 ms to make), reseeded per kind

    def get(self, kind: str) -> list[str]:
        with self._lock:
            pool = self._pools.get(kind)
            if pool is None:
                pool = self._pools[kind] = self._make(kind)
            return pool

    def _make(self, kind: str) -> list[str]:
        make = POOL_KINDS.get(kind)
        if make is None:
            raise KeyError(f"no pool for kind {kind!r}; known: {', '.join(sorted(POOL_KINDS))}")
        if self._faker is None:
            self._faker = Faker(self.locale)
        faker = self._faker
        faker.seed_instance(stable_seed(self.seed, "pool", kind))
        values: list[str] = []
        seen: set[str] = set()
        stale = 0  # draws since the last new value: a provider with few values stops early
        for _ in range(self.size * 3):
            value = make(faker)
            if value and value not in seen and not _FLAT.search(value):
                seen.add(value)
                values.append(value)
                stale = 0
                if len(values) == self.size:
                    break
            else:
                stale += 1
                if stale >= 50:
                    break
        return values
