"""What a column or property holds, guessed from its name: `kind_for("billing_email")` -> "email".

Names are split into lower-case words (snake_case, camelCase, kebab-case). The first rule that
matches wins; rules are tried from the most specific (a whole name) to the most general (a last
word such as `*_at`). A kind only applies to values of a type it fits (`TEXT_KINDS` for strings,
`NUMBER_KINDS` for numbers, `TIME_KINDS` for dates and timestamps); otherwise the type's plain
generator is used.

Where to put a new kind: a rule below, and its values in `pools.py` (a Faker provider) or in
`values.py` (a composed or numeric value).
"""

from __future__ import annotations

import re

__all__ = ["NUMBER_KINDS", "PERSON_TABLES", "TEXT_KINDS", "TIME_KINDS", "kind_for", "words"]

TEXT_KINDS = frozenset(
    {
        "email", "first_name", "last_name", "full_name", "username", "phone", "street_address",
        "address", "city", "state", "country", "country_code", "postcode", "url", "company", "job",
        "ipv4", "ipv6", "text", "sentence", "title", "slug", "password", "token", "color", "currency_code",
        "language_code", "locale", "timezone", "word", "code", "user_agent", "file_name", "mime_type",
        "domain", "mac_address", "product", "uuid",
    }
)  # fmt: skip
NUMBER_KINDS = frozenset(
    {"age", "price", "quantity", "rating", "year", "percent", "latitude", "longitude", "count", "duration"}
)
TIME_KINDS = frozenset({"birth_date", "past", "future", "recent"})

PERSON_TABLES = frozenset(
    {
        "user", "users", "person", "people", "persons", "customer", "customers", "employee", "employees",
        "author", "authors", "member", "members", "account", "accounts", "contact", "contacts", "student",
        "students", "patient", "patients", "profile", "profiles", "owner", "owners", "staff", "client", "clients",
    }
)  # fmt: skip
_COMPANY_TABLES = frozenset(
    {
        "company",
        "companies",
        "organization",
        "organizations",
        "org",
        "orgs",
        "vendor",
        "vendors",
        "supplier",
        "suppliers",
        "team",
        "teams",
        "tenant",
        "tenants",
    }
)
_PRODUCT_TABLES = frozenset({"product", "products", "item", "items", "article", "articles", "sku", "skus"})

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")

# Whole-name rules (joined words), then rules on the last word, then on any word.
_EXACT: dict[str, str] = {
    "email": "email", "emailaddress": "email", "mail": "email",
    "firstname": "first_name", "givenname": "first_name", "forename": "first_name",
    "lastname": "last_name", "surname": "last_name", "familyname": "last_name",
    "fullname": "full_name", "displayname": "full_name", "contactname": "full_name",
    "username": "username", "login": "username", "handle": "username", "nickname": "username",
    "screenname": "username",
    "phone": "phone", "phonenumber": "phone", "mobile": "phone", "telephone": "phone", "cell": "phone",
    "fax": "phone",
    "address": "address", "streetaddress": "street_address", "street": "street_address",
    "address1": "street_address", "addressline1": "street_address", "line1": "street_address",
    "city": "city", "town": "city", "state": "state", "province": "state", "region": "state",
    "country": "country", "countryname": "country", "countrycode": "country_code",
    "zip": "postcode", "zipcode": "postcode", "postcode": "postcode", "postalcode": "postcode",
    "url": "url", "uri": "url", "website": "url", "homepage": "url", "link": "url", "href": "url",
    "company": "company", "companyname": "company", "organization": "company", "organisation": "company",
    "employer": "company",
    "job": "job", "jobtitle": "job", "occupation": "job", "position": "job", "profession": "job",
    "ip": "ipv4", "ipaddress": "ipv4", "ipv4": "ipv4", "ipv6": "ipv6", "remoteaddr": "ipv4",
    "description": "text", "bio": "text", "biography": "text", "about": "text", "body": "text",
    "content": "text", "notes": "text", "note": "text", "comment": "text", "comments": "text",
    "message": "text", "summary": "sentence", "text": "text", "details": "text", "remarks": "text",
    "title": "title", "subject": "title", "headline": "title", "caption": "sentence",
    "slug": "slug", "password": "password", "passwordhash": "password", "passwd": "password",
    "token": "token", "secret": "token", "apikey": "token", "hash": "token", "checksum": "token",
    "color": "color", "colour": "color", "currency": "currency_code", "currencycode": "currency_code",
    "language": "language_code", "lang": "language_code", "languagecode": "language_code",
    "locale": "locale", "timezone": "timezone", "tz": "timezone",
    "useragent": "user_agent", "filename": "file_name", "file": "file_name", "mimetype": "mime_type",
    "contenttype": "mime_type", "domain": "domain", "hostname": "domain", "host": "domain",
    "macaddress": "mac_address", "mac": "mac_address",
    "sku": "code", "code": "code", "reference": "code", "ref": "code",
    "uuid": "uuid", "guid": "uuid",
    "age": "age", "price": "price", "amount": "price", "cost": "price", "total": "price",
    "subtotal": "price", "balance": "price", "salary": "price", "fee": "price",
    "quantity": "quantity", "qty": "quantity", "stock": "quantity", "rating": "rating",
    "stars": "rating", "score": "percent", "year": "year", "percent": "percent", "percentage": "percent",
    "discount": "percent", "lat": "latitude", "latitude": "latitude", "lng": "longitude",
    "lon": "longitude", "long": "longitude", "longitude": "longitude",
    "birthdate": "birth_date", "dateofbirth": "birth_date", "dob": "birth_date", "birthday": "birth_date",
    "duration": "duration", "durationms": "duration", "seconds": "duration",
}  # fmt: skip
_LAST: dict[str, str] = {
    "email": "email", "mail": "email", "phone": "phone", "url": "url", "uri": "url", "link": "url",
    "city": "city", "country": "country", "zip": "postcode", "ip": "ipv4", "address": "street_address",
    "description": "text", "notes": "text", "comment": "text", "body": "text", "title": "title",
    "slug": "slug", "hash": "token", "token": "token", "code": "code", "color": "color",
    "count": "count", "total": "price", "price": "price", "amount": "price", "cost": "price",
    "quantity": "quantity", "qty": "quantity", "year": "year", "percent": "percent", "pct": "percent",
    "rating": "rating", "at": "past", "on": "past", "date": "past", "time": "past", "timestamp": "past",
    "uuid": "uuid", "guid": "uuid", "name": "word", "label": "word", "tag": "word", "type": "word",
    "kind": "word", "category": "word", "status": "word", "key": "code", "ms": "duration",
    "seconds": "duration", "secs": "duration",
}  # fmt: skip
_FUTURE = frozenset(
    {
        "expires",
        "expiry",
        "expiration",
        "due",
        "deadline",
        "until",
        "ends",
        "end",
        "scheduled",
        "valid",
        "renews",
        "next",
    }
)
_RECENT = frozenset({"updated", "modified", "changed", "last", "seen", "login", "accessed", "visited"})


def words(name: str) -> list[str]:
    """`billingEmail` / `billing_email` / `billing-email` -> ["billing", "email"]."""
    spaced = _CAMEL.sub("_", name)
    return [w for w in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if w]


def kind_for(name: str, *, table: str | None = None) -> str | None:
    """The kind of value a column/property called `name` holds (in `table`), or None."""
    parts = words(name)
    if not parts:
        return None
    joined = "".join(parts)
    if joined == "name" or joined == "names":
        table_name = (table or "").lower()
        if table_name in PERSON_TABLES:
            return "full_name"
        if table_name in _COMPANY_TABLES:
            return "company"
        if table_name in _PRODUCT_TABLES:
            return "product"
        return "full_name" if table is None else "word"
    if joined in _EXACT:
        return _EXACT[joined]
    last = parts[-1]
    if last in ("at", "on", "date", "time", "timestamp") or (len(parts) > 1 and parts[-1] == "ts"):
        head = set(parts[:-1])
        if head & {"birth", "born"}:
            return "birth_date"
        if head & _FUTURE:
            return "future"
        if head & _RECENT:
            return "recent"
        return "past"
    if last in _LAST:
        kind = _LAST[last]
        if kind == "word" and last == "name":
            prefix = "".join(parts[:-1])
            if prefix in ("first", "given"):
                return "first_name"
            if prefix in ("last", "family", "sur"):
                return "last_name"
            if prefix in ("full", "display", "contact", "author", "customer", "user", "owner"):
                return "full_name"
            if prefix in ("company", "org", "organization", "organisation", "business", "vendor"):
                return "company"
            if prefix in ("product", "item"):
                return "product"
            if prefix in ("user", "login", "account", "screen"):
                return "username"
            if prefix in ("file",):
                return "file_name"
            if prefix in ("host", "domain"):
                return "domain"
            if prefix in ("city", "town"):
                return "city"
            if prefix in ("country",):
                return "country"
        return kind
    for part in reversed(parts):
        if part in _EXACT and _EXACT[part] in TEXT_KINDS | NUMBER_KINDS:
            return _EXACT[part]
    return None
