"""Strings generated from a `pattern` match it."""

from __future__ import annotations

import random
import re

import pytest

from tasks.test_data.regex_gen import from_regex

PATTERNS = [
    r"^[A-Z]{2}-\d{4}$",
    r"^[a-z0-9._-]+@[a-z]+\.(com|org|net)$",
    r"^[^\u0000-\u001f\u007f]*[^\s\u0000-\u001f\u007f][^\u0000-\u001f\u007f]*$",
    r"^(ab|cd)+\1$",
    r"^\w+\s\w+$",
    r"^[^aeiou]{3,5}$",
    r"^v\d+(\.\d+){2}(-[a-z]+)?$",
    r"^#[0-9a-fA-F]{6}$",
]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_generated_strings_match_their_pattern(pattern: str) -> None:
    rng = random.Random(5)
    for _ in range(50):
        value = from_regex(pattern, rng)
        assert re.search(pattern, value), (pattern, value)


def test_same_seed_same_string() -> None:
    assert from_regex(r"^[a-z]{5,9}\d$", random.Random(1)) == from_regex(r"^[a-z]{5,9}\d$", random.Random(1))
