"""Column values, made a whole column at a time: `ValueFactory(...).values(n, rng)`.

A factory knows a column's type (`types.py`), the kind its name suggests (`names.py`) and the
rules its CHECKs set (`checks.py`), and makes `n` values with the caller's seeded `random.Random`.
Values are plain Python (str, int, bool, dict, list, None): temporal ones are ISO 8601 strings,
numeric ones exact decimal strings, so the same value serves COPY and the JSON fixtures.

Unique values are index-based: `values(n, rng, unique=True, start=k)` makes the values of rows
k..k+n-1, distinct from those of any other index (a base value plus a suffix, a permutation of a
range, evenly spaced instants), so regenerating some rows later never collides with the rest.
Temporal ranges are relative to a fixed ANCHOR, not to now(): the same seed gives the same data
on any day.
"""

from __future__ import annotations

import math
import random
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from tasks.test_data.pools import Pools, stable_seed
from tasks.test_data.rules import ColumnRules, fit_kind
from tasks.test_data.schema import Column

__all__ = ["ANCHOR", "Persona", "ValueFactory"]

ANCHOR = datetime(2025, 1, 1, tzinfo=UTC)
_ANCHOR_S = int(ANCHOR.timestamp())
_DAY = 86_400
_YEAR = 365 * _DAY
_EPOCH_DAY = date(1970, 1, 1).toordinal()
_BIRTH_LOW = int(datetime(1940, 1, 1, tzinfo=UTC).timestamp())
_BIRTH_HIGH = int(datetime(2006, 12, 31, tzinfo=UTC).timestamp())
_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"

# (low, high) per numeric kind; the type's range and the CHECK bounds narrow them further.
_NUMBER_RANGES: dict[str, tuple[int, int]] = {
    "age": (18, 90), "price": (1, 1000), "quantity": (1, 100), "rating": (1, 5), "year": (1950, 2030),
    "percent": (0, 100), "latitude": (-90, 90), "longitude": (-180, 180), "count": (0, 1000),
    "duration": (1, 3600),
}  # fmt: skip
_DEFAULT_INT = (1, 100_000)
_DEFAULT_NUMERIC = (0, 1000)
# (low, high) seconds since the epoch per temporal kind.
_TIME_RANGES: dict[str, tuple[int, int]] = {
    "past": (_ANCHOR_S - 3 * _YEAR, _ANCHOR_S),
    "recent": (_ANCHOR_S - 90 * _DAY, _ANCHOR_S),
    "future": (_ANCHOR_S + _DAY, _ANCHOR_S + _YEAR),
    "birth_date": (_BIRTH_LOW, _BIRTH_HIGH),
}  # fmt: skip
_PERSONA_KINDS = frozenset({"first_name", "last_name", "full_name", "email", "username"})
_TEMPORAL = frozenset({"date", "timestamp", "timestamptz", "time"})
_NON_ALNUM = re.compile(r"[^a-z0-9]")


_ASCII_MEMO: dict[str, str] = {}


def _ascii(text: str) -> str:
    found = _ASCII_MEMO.get(text)
    if found is None:
        found = _ASCII_MEMO[text] = _NON_ALNUM.sub("", text.lower())
    return found


def _ints(rng: random.Random, low: int, high: int, n: int) -> list[int]:
    """n integers in [low, high]: random() scaled, ~3x faster than randint (exact below 2^53)."""
    span = high - low + 1
    if span > 2**53:
        return [rng.randint(low, high) for _ in range(n)]
    draw = rng.random
    return [low + int(draw() * span) for _ in range(n)]


def _instants(seconds: list[int], *, zone: str) -> list[str]:
    """Epoch seconds -> ISO 8601 (`T`, and `Z` when zone = "Z"), one date string per day."""
    days: dict[int, str] = {}
    out = []
    for s in seconds:
        day, rest = divmod(s, _DAY)
        text = days.get(day)
        if text is None:
            text = days[day] = date.fromordinal(_EPOCH_DAY + day).isoformat()
        out.append(f"{text}T{rest // 3600:02d}:{rest // 60 % 60:02d}:{rest % 60:02d}{zone}")
    return out


@dataclass
class Persona:
    """One person per row, so that a row's name, email and username belong together."""

    first: list[str]
    last: list[str]
    domain: list[str]

    @classmethod
    def draw(cls, pools: Pools, n: int, rng: random.Random) -> Persona:
        firsts, lasts, domains = pools.get("first_name"), pools.get("last_name"), pools.get("safe_domain")
        return cls(rng.choices(firsts, k=n), rng.choices(lasts, k=n), rng.choices(domains, k=n))


def _fit(value: str, low: int, high: int | None) -> str:
    if high is not None and len(value) > high:
        value = value[:high].rstrip() or value[:high]
    if len(value) < low:
        value = value + "x" * (low - len(value))
    return value


def _unique_text(base: str, suffix: str, sep: str, low: int, high: int | None) -> str:
    tail = sep + suffix
    if high is not None:
        room = high - len(tail)
        if room < 0:
            tail, room = suffix, high - len(suffix)
        base = base[: max(room, 0)]
    return _fit(base + tail, low, high)


def _to_seconds(value: Any, spec_kind: str) -> int | None:
    if isinstance(value, (int, Decimal)):
        return None
    text = str(value).strip().replace(" ", "T", 1)
    if text.endswith("+00"):
        text += ":00"
    try:
        if spec_kind == "date" or len(text) == 10:
            return (date.fromisoformat(text[:10]).toordinal() - _EPOCH_DAY) * _DAY
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return int(parsed.timestamp())


class ValueFactory:
    """Makes the values of one column; see the module docstring."""

    def __init__(self, table: str, column: Column, kind: str | None, rules: ColumnRules, pools: Pools, seed: int):
        self.table = table
        self.column = column
        self.spec = column.type
        self.kind = fit_kind(kind, self.spec)
        self.rules = rules
        self.pools = pools
        self.seed = seed
        self.min_length = max(rules.min_length or 0, 1 if "" in rules.excluded else 0)
        max_lengths = [m for m in (rules.max_length, self.spec.max_length) if m is not None]
        self.max_length = min(max_lengths) if max_lengths else None
        self._choices = self._finite_choices()
        self._range = self._numeric_range() if self._choices is None else None

    # -- what it can make --------------------------------------------------------------------

    @property
    def needs_persona(self) -> bool:
        return self.kind in _PERSONA_KINDS and self._choices is None

    @property
    def choices(self) -> tuple[Any, ...] | None:
        """The finite set of values this column admits (enum, IN list, boolean), if any."""
        return self._choices

    def capacity(self) -> int | None:
        """How many distinct values it can make; None when that is practically unbounded."""
        if self._choices is not None:
            return len(self._choices)
        if self._range is not None:
            low, high, _ = self._range
            return high - low + 1
        if self.spec.kind == "text" and self.max_length is not None and self.max_length < 6:
            return 36**self.max_length
        return None

    def _finite_choices(self) -> tuple[Any, ...] | None:
        spec, rules = self.spec, self.rules
        choices: tuple[Any, ...] | None = None
        if spec.kind == "enum":
            choices = spec.labels
        elif spec.kind == "bool":
            choices = (True, False)
        if rules.allowed is not None:
            allowed = tuple(self._coerce(v) for v in rules.allowed)
            choices = allowed if choices is None else tuple(c for c in choices if c in allowed)
        if choices is None:
            return None
        return tuple(c for c in choices if c not in rules.excluded and self._within(c))

    def _coerce(self, value: Any) -> Any:
        if self.spec.kind == "int":
            return int(value)
        if self.spec.kind == "bool" and isinstance(value, str):
            return value.lower() in ("t", "true", "yes", "on", "1")
        if self.spec.kind in ("numeric", "float"):
            return value
        return str(value) if not isinstance(value, bool) else value

    def _within(self, value: Any) -> bool:
        if isinstance(value, str) and self.spec.kind in ("text", "enum"):
            return len(value) >= self.min_length and (self.max_length is None or len(value) <= self.max_length)
        return True

    def _numeric_range(self) -> tuple[int, int, int] | None:
        """(low, high, scale) as integers in units of 10^-scale (seconds for temporal types)."""
        spec, rules = self.spec, self.rules
        if spec.kind == "int":
            scale = 0
            type_low, type_high = spec.int_range or (-(2**63), 2**63 - 1)
        elif spec.kind == "numeric":
            scale = spec.scale if spec.scale is not None else 2
            bounds = spec.numeric_bounds
            factor = 10**scale
            type_low, type_high = (
                (round(bounds[0] * factor), round(bounds[1] * factor)) if bounds else (-(10**15), 10**15)
            )
        elif spec.kind == "float":
            scale = 4
            type_low, type_high = -(10**15), 10**15
        elif spec.kind in ("date", "timestamp", "timestamptz"):
            step = _DAY if spec.kind == "date" else 1
            low, high = _TIME_RANGES.get(self.kind or "past", _TIME_RANGES["past"])
            low, high = self._bounded_seconds(low, high, step)
            return (low // step, high // step, -step)
        elif spec.kind == "time":
            return (0, _DAY - 1, -1)
        else:
            return None
        factor = 10**scale
        kind_low, kind_high = _NUMBER_RANGES.get(
            self.kind or "", _DEFAULT_INT if spec.kind == "int" else _DEFAULT_NUMERIC
        )
        low, high = max(type_low, kind_low * factor), min(type_high, kind_high * factor)
        check_low, check_high = (
            self._scaled_bound(rules.low, factor, up=True),
            self._scaled_bound(rules.high, factor, up=False),
        )
        if check_low is not None:
            low = max(low, check_low) if check_low <= high else max(type_low, check_low)
        if check_high is not None:
            high = min(high, check_high) if check_high >= low else min(type_high, check_high)
        if low > high:  # the name's range and the CHECK disagree: the CHECK and the type win
            low = max(type_low, check_low if check_low is not None else type_low)
            high = min(type_high, check_high if check_high is not None else type_high)
        return (low, high, scale)

    def _scaled_bound(self, bound: tuple[Any, bool] | None, factor: int, *, up: bool) -> int | None:
        if bound is None:
            return None
        value, inclusive = bound
        try:
            scaled = Decimal(str(value)) * factor
        except ArithmeticError:
            return None
        exact = scaled == scaled.to_integral_value()
        if up:
            result = math.ceil(scaled)
            return result + 1 if (exact and not inclusive) else result
        result = math.floor(scaled)
        return result - 1 if (exact and not inclusive) else result

    def _bounded_seconds(self, low: int, high: int, step: int) -> tuple[int, int]:
        rules = self.rules
        if rules.low is not None and (s := _to_seconds(rules.low[0], self.spec.kind)) is not None:
            s = s if rules.low[1] else s + step
            low = max(low, s) if s <= high else s
            high = max(high, low + _YEAR)
        if rules.high is not None and (s := _to_seconds(rules.high[0], self.spec.kind)) is not None:
            s = s if rules.high[1] else s - step
            high = min(high, s) if s >= low else s
            low = min(low, high - _YEAR) if low > high else low
        return low, high

    # -- making values -----------------------------------------------------------------------

    def values(
        self, n: int, rng: random.Random, *, unique: bool = False, start: int = 0, persona: Persona | None = None
    ) -> list[Any]:
        if n <= 0:
            return []
        if self._choices is not None:
            choices = list(self._choices)
            if not choices:
                raise ValueError(f"{self.table}.{self.column.name}: no value satisfies its CHECK constraints")
            if unique:
                order = self._permutation(len(choices))
                return [choices[order(i)] for i in range(start, start + n)]
            return rng.choices(choices, k=n)
        if self._range is not None:
            return self._from_range(n, rng, unique, start)
        return self._other(n, rng, unique, start, persona)

    def _permutation(self, span: int) -> Any:
        """An index -> index bijection of range(span), fixed by the seed: i -> (a*i + b) mod span."""
        prng = random.Random(stable_seed(self.seed, self.table, self.column.name, "perm"))
        if span <= 1:
            return lambda i: 0
        a = prng.randrange(1, span)
        while math.gcd(a, span) != 1:
            a = prng.randrange(1, span)
        b = prng.randrange(span)
        return lambda i: (a * i + b) % span

    def _from_range(self, n: int, rng: random.Random, unique: bool, start: int) -> list[Any]:
        assert self._range is not None
        low, high, scale = self._range
        if high < low:
            raise ValueError(f"{self.table}.{self.column.name}: its CHECK bounds leave no value")
        span = high - low + 1
        if unique:
            if self.spec.kind in _TEMPORAL:
                step = max(span // max(start + n, 1), 1)
                raw = [low + i * step for i in range(start, start + n)]
            elif self.spec.kind == "int" and low <= 1 <= high and self.column.not_null and self.kind is None:
                raw = list(range(max(low, 1) + start, max(low, 1) + start + n))  # keys count up
            else:
                order = self._permutation(span)
                raw = [low + order(i) for i in range(start, start + n)]
        else:
            raw = _ints(rng, low, high, n)
        return self._format(raw, scale)

    def _format(self, raw: list[int], scale: int) -> list[Any]:
        kind = self.spec.kind
        if kind == "int":
            return raw
        if kind in ("numeric", "float"):
            if scale == 0:
                return [str(v) for v in raw]
            factor = 10**scale
            out = []
            for v in raw:
                sign, v = ("-", -v) if v < 0 else ("", v)
                out.append(f"{sign}{v // factor}.{v % factor:0{scale}d}")
            return out if kind == "numeric" else [float(v) for v in out]
        if kind == "date":
            return [date.fromordinal(_EPOCH_DAY + d).isoformat() for d in raw]
        if kind == "timestamp":
            return _instants(raw, zone="")
        if kind == "timestamptz":
            return _instants(raw, zone="Z")
        if kind == "time":
            return [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in raw]
        raise AssertionError(kind)

    def _other(self, n: int, rng: random.Random, unique: bool, start: int, persona: Persona | None) -> list[Any]:
        kind = self.spec.kind
        if kind == "uuid" or self.kind == "uuid":
            return [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(n)]
        if kind == "text":
            return self._text(n, rng, unique, start, persona)
        if kind == "json":
            words = self.pools.get("word")
            return [
                {"source": rng.choice(words), "version": rng.randint(1, 9), "enabled": rng.random() < 0.5}
                for _ in range(n)
            ]
        if kind == "bytea":
            return ["\\x" + rng.getrandbits(128).to_bytes(16, "big").hex() for _ in range(n)]
        if kind in ("inet", "cidr"):
            pool = self.pools.get("ipv6" if self.kind == "ipv6" else "ipv4")
            if unique:
                return [f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}" for i in range(start + 1, start + n + 1)]
            values = rng.choices(pool, k=n)
            return [v + ("/128" if ":" in v else "/32") for v in values] if kind == "cidr" else values
        if kind == "macaddr":
            return rng.choices(self.pools.get("mac_address"), k=n)
        if kind == "interval":
            return [f"{rng.randint(1, 720)} minutes" for _ in range(n)]
        if kind == "array" and self.spec.element is not None:
            element = ValueFactory(
                self.table,
                Column(self.column.name, self.spec.element.sql, self.spec.element, True),
                self.kind,
                ColumnRules(),
                self.pools,
                self.seed,
            )
            sizes = [rng.randint(1, 3) for _ in range(n)]
            flat = element.values(sum(sizes), rng, persona=None)
            out, at = [], 0
            for size in sizes:
                out.append(flat[at : at + size])
                at += size
            return out
        raise ValueError(f"{self.table}.{self.column.name}: no generator for type {self.spec.sql}")

    def _text(self, n: int, rng: random.Random, unique: bool, start: int, persona: Persona | None) -> list[str]:
        low, high, kind = self.min_length, self.max_length, self.kind
        if unique and high is not None and high < len(str(start + n)) + 3:
            return [self._short_unique(i, high) for i in range(start, start + n)]  # no room for a suffix
        if kind in _PERSONA_KINDS:
            if persona is None:
                persona = Persona.draw(self.pools, n, rng)
            return self._persona_text(kind, persona, n, unique, start)
        if kind in ("password", "token"):
            bits = 256 if kind == "password" else 128
            return [_fit(f"{rng.getrandbits(bits):0{bits // 4}x}", low, high) for _ in range(n)]
        if kind == "code":
            values = [f"{''.join(rng.choices(_LETTERS, k=2))}-{rng.randint(0, 999999):06d}" for _ in range(n)]
            if unique:
                return [_unique_text(v[:2], f"{i + 1:06d}", "-", low, high) for i, v in enumerate(values, start)]
            return [_fit(v, low, high) for v in values]
        pool = self.pools.get(kind) if kind else self.pools.get("word")
        fitting = [v for v in pool if len(v) >= low and (high is None or len(v) <= high)]
        if unique:
            sep = "-" if kind in ("slug", "word", None) else " "
            bases = rng.choices(pool, k=n)
            return [
                _unique_text(b, str(i + 1), sep, low, high) for i, b in zip(range(start, start + n), bases, strict=True)
            ]
        values = rng.choices(fitting, k=n) if fitting else [_fit(v, low, high) for v in rng.choices(pool, k=n)]
        if self.rules.excluded:
            values = [v if v not in self.rules.excluded else _fit(v + "x", low, high) for v in values]
        return values

    def _short_unique(self, i: int, width: int) -> str:
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"
        out = ""
        for _ in range(width):
            i, r = divmod(i, 36)
            out = digits[r] + out
        return (out.lstrip("0") or "0").zfill(self.min_length)  # zero-padding keeps them distinct

    def _persona_text(self, kind: str, p: Persona, n: int, unique: bool, start: int) -> list[str]:
        low, high = self.min_length, self.max_length
        if kind == "first_name":
            base = p.first[:n]
        elif kind == "last_name":
            base = p.last[:n]
        elif kind == "full_name":
            base = [f"{f} {s}" for f, s in zip(p.first[:n], p.last[:n], strict=True)]
        elif kind == "username":
            base = [_ascii(f)[:1] + _ascii(s) for f, s in zip(p.first[:n], p.last[:n], strict=True)]
        else:  # email
            locals_ = [f"{_ascii(f)}.{_ascii(s)}" for f, s in zip(p.first[:n], p.last[:n], strict=True)]
            if unique:
                out = []
                for i, local, domain in zip(range(start, start + n), locals_, p.domain[:n], strict=True):
                    tail = f"{i + 1}@{domain}"
                    room = (high or 254) - len(tail)
                    out.append(_fit(local[: max(room, 1)] + tail, low, high))
                return out
            return [_fit(f"{local}@{domain}", low, high) for local, domain in zip(locals_, p.domain[:n], strict=True)]
        if unique:
            sep = "" if kind == "username" else " "
            return [
                _unique_text(b, str(i + 1), sep, low, high) for i, b in zip(range(start, start + n), base, strict=True)
            ]
        return [_fit(b, low, high) for b in base]
