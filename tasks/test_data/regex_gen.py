"""Strings that match a regular expression, for `pattern` in API schemas: `from_regex(p, rng)`.

Walks the pattern as Python's own parser reads it (`re._parser`): literals, classes, ranges,
categories (\\d \\w \\s), `.`, groups, alternation, repeats (capped at `max_repeat` beyond the
minimum) and back-references. Anchors and lookarounds add nothing; the caller validates the
result against the schema anyway, so a lookahead the walk ignores shows as an invalid payload
rather than passing unseen.
"""

from __future__ import annotations

import random
import string
from typing import Any

try:  # Python 3.11+
    from re import _constants as sre_c  # type: ignore[attr-defined]
    from re import _parser as sre_p  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_constants as sre_c  # type: ignore[no-redef]
    import sre_parse as sre_p  # type: ignore[no-redef]

__all__ = ["from_regex"]

_PRINTABLE = [chr(c) for c in range(0x20, 0x7F)]
_CATEGORY = {
    sre_c.CATEGORY_DIGIT: string.digits,
    sre_c.CATEGORY_NOT_DIGIT: string.ascii_letters + "_-",
    sre_c.CATEGORY_WORD: string.ascii_letters + string.digits + "_",
    sre_c.CATEGORY_NOT_WORD: " -.,",
    sre_c.CATEGORY_SPACE: " ",
    sre_c.CATEGORY_NOT_SPACE: string.ascii_letters + string.digits,
}


def _class_chars(items: list[tuple[Any, Any]]) -> list[str]:
    negate = any(op is sre_c.NEGATE for op, _ in items)
    chars: set[str] = set()
    for op, arg in items:
        if op is sre_c.LITERAL:
            chars.add(chr(arg))
        elif op is sre_c.RANGE:
            low, high = arg
            chars.update(chr(c) for c in range(low, min(high, low + 400) + 1))
        elif op is sre_c.CATEGORY:
            chars.update(_CATEGORY.get(arg, string.ascii_letters))
    if negate:
        return [c for c in _PRINTABLE if c not in chars] or ["x"]
    return sorted(chars) or ["x"]


class _Walker:
    def __init__(self, rng: random.Random, max_repeat: int):
        self.rng = rng
        self.max_repeat = max_repeat
        self.groups: dict[int, str] = {}

    def walk(self, parsed: Any) -> str:
        return "".join(self.node(op, arg) for op, arg in parsed)

    def node(self, op: Any, arg: Any) -> str:
        rng = self.rng
        if op is sre_c.LITERAL:
            return chr(arg)
        if op is sre_c.NOT_LITERAL:
            return rng.choice([c for c in _PRINTABLE if ord(c) != arg])
        if op is sre_c.ANY:
            return rng.choice(string.ascii_letters + string.digits)
        if op is sre_c.IN:
            return rng.choice(_class_chars(arg))
        if op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, getattr(sre_c, "POSSESSIVE_REPEAT", None)):
            low, high, sub = arg
            top = low + self.max_repeat if high is sre_c.MAXREPEAT or high > low + self.max_repeat else high
            return "".join(self.walk(sub) for _ in range(rng.randint(low, top)))
        if op is sre_c.SUBPATTERN:
            group, _, _, sub = arg
            text = self.walk(sub)
            if group is not None:
                self.groups[group] = text
            return text
        if op is getattr(sre_c, "ATOMIC_GROUP", None):
            return self.walk(arg)
        if op is sre_c.BRANCH:
            _, branches = arg
            return self.walk(rng.choice(branches))
        if op is sre_c.GROUPREF:
            return self.groups.get(arg, "")
        if op is sre_c.CATEGORY:
            return rng.choice(_CATEGORY.get(arg, string.ascii_letters))
        if op is sre_c.GROUPREF_EXISTS:
            group, yes, no = arg
            return self.walk(yes if group in self.groups else (no or []))
        return ""  # AT (anchors), ASSERT, ASSERT_NOT: nothing to emit


def from_regex(pattern: str, rng: random.Random, *, max_repeat: int = 8) -> str:
    """A string matching `pattern` (search semantics: anchors are honoured by construction)."""
    return _Walker(rng, max_repeat).walk(sre_p.parse(pattern))
