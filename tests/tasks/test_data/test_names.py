"""Column and property names choose the kind of value."""

from __future__ import annotations

import pytest

from tasks.test_data.names import kind_for, words


@pytest.mark.parametrize(
    ("name", "table", "kind"),
    [
        ("email", "users", "email"),
        ("billingEmail", None, "email"),
        ("email_address", None, "email"),
        ("first_name", None, "first_name"),
        ("lastName", None, "last_name"),
        ("name", "users", "full_name"),
        ("name", "companies", "company"),
        ("name", "products", "product"),
        ("name", "tags", "word"),
        ("display_name", None, "full_name"),
        ("username", None, "username"),
        ("phone_number", None, "phone"),
        ("postal_code", None, "postcode"),
        ("country_code", None, "country_code"),
        ("city", None, "city"),
        ("website", None, "url"),
        ("avatar_url", None, "url"),
        ("ip_address", None, "ipv4"),
        ("description", None, "text"),
        ("created_at", None, "past"),
        ("updatedAt", None, "recent"),
        ("expires_at", None, "future"),
        ("birth_date", None, "birth_date"),
        ("dob", None, "birth_date"),
        ("uuid", None, "uuid"),
        ("company", None, "company"),
        ("price", None, "price"),
        ("age", None, "age"),
        ("role", None, None),
        ("user_id", None, None),
    ],
)
def test_names_choose_kinds(name: str, table: str | None, kind: str | None) -> None:
    assert kind_for(name, table=table) == kind


def test_words_split_every_naming_style() -> None:
    assert words("billingEmail") == ["billing", "email"]
    assert words("billing_email") == ["billing", "email"]
    assert words("billing-email") == ["billing", "email"]
