"""CHECK constraints, parsed into rules the generator can satisfy.

The input is what `pg_get_constraintdef()` prints (PostgreSQL normalises `IN (...)` to
`= ANY (ARRAY[...])` and `BETWEEN` to `>= AND <=`, and adds casts and parentheses), though the
source forms parse too. Understood, per conjunct of a top-level AND:

    col IN ('a', 'b') / col = ANY (ARRAY['a'::text, 'b'::text])   -> Allowed
    col NOT IN (...) / col <> 'x'                                  -> Excluded
    col > 0, 0 < col, col BETWEEN 1 AND 5, col >= '2020-01-01'::date -> Bound
    length(col) <= n, char_length(col) BETWEEN 3 AND 254           -> Bound(on="length")
    col IS NOT NULL                                                -> NotNull
    start_at < end_at                                              -> Compare

Anything else (OR, regular expressions, function calls, arithmetic) is not guessed: the check is
marked `unknown`, the understood conjuncts still shape the values, and the rows are verified
against the whole expression by the database before loading (`load.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

__all__ = ["Allowed", "Bound", "Compare", "Excluded", "NotNull", "ParsedCheck", "Rule", "parse_check"]

Literal = str | int | Decimal | bool


@dataclass(frozen=True)
class Allowed:
    column: str
    values: tuple[Literal, ...]


@dataclass(frozen=True)
class Excluded:
    column: str
    values: tuple[Literal, ...]


@dataclass(frozen=True)
class Bound:
    column: str
    op: str  # > >= < <= =
    value: Literal
    on: str = "value"  # "value" or "length"


@dataclass(frozen=True)
class NotNull:
    column: str


@dataclass(frozen=True)
class Compare:
    left: str
    op: str  # > >= < <=
    right: str


Rule = Allowed | Excluded | Bound | NotNull | Compare


@dataclass(frozen=True)
class ParsedCheck:
    name: str
    definition: str
    rules: tuple[Rule, ...] = ()
    unknown: bool = False  # some part was not understood: the database verifies the rows
    columns: tuple[str, ...] = field(default=())  # the columns the understood rules touch
    value_column: str | None = None  # a domain's CHECK: the column VALUE stands for


_TOKEN = re.compile(
    r"""\s*(?:
      (?P<string>[Ee]?'(?:[^']|'')*')
    | (?P<number>\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+)
    | (?P<qident>"(?:[^"]|"")+")
    | (?P<ident>[A-Za-z_][A-Za-z0-9_$]*)
    | (?P<op>::|>=|<=|<>|!=|!~~\*|!~~|~~\*|~~|!~\*|!~|~\*|\|\||[-+*/%<>=~(),\[\].])
    )""",
    re.VERBOSE,
)
_COMPARISONS = {">", ">=", "<", "<=", "=", "<>", "!="}
_FLIP = {">": "<", ">=": "<=", "<": ">", "<=": ">=", "=": "=", "<>": "<>", "!=": "!="}
_LENGTH_FUNCS = {"length", "char_length", "character_length"}
_TYPE_WORDS = {"varying", "with", "without", "time", "zone", "precision"}


class _Unparsable(Exception):
    pass


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str


@dataclass(frozen=True)
class _Col:
    name: str


@dataclass(frozen=True)
class _Len:
    name: str


@dataclass(frozen=True)
class _Lit:
    value: Literal | None


@dataclass(frozen=True)
class _Arr:
    values: tuple[Literal | None, ...]


_Operand = _Col | _Len | _Lit | _Arr


def _tokenize(text: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise _Unparsable(f"unexpected character at {pos}: {text[pos : pos + 10]!r}")
        kind = match.lastgroup or ""
        tokens.append(_Tok(kind, match.group(kind)))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[_Tok], value_column: str | None):
        self.toks = tokens
        self.pos = 0
        self.value_column = value_column  # domain checks say VALUE for the column

    # -- token helpers ---------------------------------------------------------------------
    def peek(self, offset: int = 0) -> _Tok | None:
        index = self.pos + offset
        return self.toks[index] if index < len(self.toks) else None

    def is_kw(self, word: str, offset: int = 0) -> bool:
        tok = self.peek(offset)
        return tok is not None and tok.kind == "ident" and tok.text.lower() == word

    def is_op(self, op: str, offset: int = 0) -> bool:
        tok = self.peek(offset)
        return tok is not None and tok.kind == "op" and tok.text == op

    def take(self) -> _Tok:
        tok = self.peek()
        if tok is None:
            raise _Unparsable("unexpected end")
        self.pos += 1
        return tok

    def expect_op(self, op: str) -> None:
        if not self.is_op(op):
            raise _Unparsable(f"expected {op!r}")
        self.pos += 1

    # -- grammar ---------------------------------------------------------------------------
    def parse_or(self) -> list[Rule | None]:
        """A list of conjuncts; None stands for one that was not understood."""
        alternatives = [self.parse_and()]
        while self.is_kw("or"):
            self.pos += 1
            alternatives.append(self.parse_and())
        if len(alternatives) > 1:
            return [None]
        return alternatives[0]

    def parse_and(self) -> list[Rule | None]:
        items = self.parse_term()
        while self.is_kw("and"):
            self.pos += 1
            items = items + self.parse_term()
        return items

    def parse_term(self) -> list[Rule | None]:
        start = self.pos
        if self.is_kw("not") and not self.is_kw("null", 1):
            self._skip_term()
            return [None]
        if self.is_op("("):
            self.pos += 1
            try:
                inner = self.parse_or()
                self.expect_op(")")
                if not self._continues_operand():
                    return inner
            except _Unparsable:
                pass
            self.pos = start
        try:
            return self.parse_comparison()
        except _Unparsable:
            self.pos = start
            self._skip_term()
            return [None]

    def _continues_operand(self) -> bool:
        tok = self.peek()
        if tok is None:
            return False
        if tok.kind == "op":
            return tok.text not in (")", ",")
        return tok.text.lower() in ("in", "between", "is", "not")

    def _skip_term(self) -> None:
        depth = 0
        while (tok := self.peek()) is not None:
            if tok.kind == "op" and tok.text in "([":
                depth += 1
            elif tok.kind == "op" and tok.text in ")]":
                if depth == 0:
                    return
                depth -= 1
            elif depth == 0 and tok.kind == "ident" and tok.text.lower() in ("and", "or"):
                return
            self.pos += 1

    def parse_comparison(self) -> list[Rule | None]:
        left = self.parse_operand()
        if self.is_kw("is"):
            self.pos += 1
            negated = self.is_kw("not")
            self.pos += 1 if negated else 0
            if not self.is_kw("null"):
                raise _Unparsable("IS without NULL")
            self.pos += 1
            if negated and isinstance(left, _Col):
                return [NotNull(left.name)]
            raise _Unparsable("IS NULL")
        negated = False
        if self.is_kw("not") and (self.is_kw("in", 1) or self.is_kw("between", 1)):
            negated = True
            self.pos += 1
        if self.is_kw("in"):
            self.pos += 1
            values = self._literal_list()
            if not isinstance(left, _Col) or any(v is None for v in values):
                raise _Unparsable("IN")
            vals = tuple(v for v in values if v is not None)
            return [Excluded(left.name, vals) if negated else Allowed(left.name, vals)]
        if self.is_kw("between"):
            self.pos += 1
            low = self.parse_operand()
            if not self.is_kw("and"):
                raise _Unparsable("BETWEEN without AND")
            self.pos += 1
            high = self.parse_operand()
            if negated:
                raise _Unparsable("NOT BETWEEN")
            return [self._interpret(left, ">=", low), self._interpret(left, "<=", high)]
        tok = self.peek()
        if tok is None or tok.kind != "op" or tok.text not in _COMPARISONS:
            raise _Unparsable("no comparison operator")
        op = self.take().text
        if self.is_kw("any") or self.is_kw("all"):
            quantifier = self.take().text.lower()
            self.expect_op("(")
            array = self.parse_operand()
            self.expect_op(")")
            if not (isinstance(left, _Col) and isinstance(array, _Arr)) or any(v is None for v in array.values):
                raise _Unparsable("ANY over something else than a literal array")
            vals = tuple(v for v in array.values if v is not None)
            if quantifier == "any" and op == "=":
                return [Allowed(left.name, vals)]
            if quantifier == "all" and op in ("<>", "!="):
                return [Excluded(left.name, vals)]
            raise _Unparsable("quantified comparison")
        right = self.parse_operand()
        return [self._interpret(left, op, right)]

    def _interpret(self, left: _Operand, op: str, right: _Operand) -> Rule:
        if isinstance(left, _Lit) and not isinstance(right, _Lit):
            left, right, op = right, left, _FLIP[op]
        if op == "!=":
            op = "<>"
        if isinstance(left, _Col) and isinstance(right, _Col):
            if op in ("<", "<=", ">", ">="):
                return Compare(left.name, op, right.name)
            raise _Unparsable("column equality")
        if isinstance(left, (_Col, _Len)) and isinstance(right, _Lit) and right.value is not None:
            on = "length" if isinstance(left, _Len) else "value"
            if op == "<>":
                if on == "value":
                    return Excluded(left.name, (right.value,))
                raise _Unparsable("length <>")
            return Bound(left.name, op, right.value, on=on)
        raise _Unparsable("comparison of unsupported operands")

    def _literal_list(self) -> list[Literal | None]:
        self.expect_op("(")
        values = [self._literal_value(self.parse_operand())]
        while self.is_op(","):
            self.pos += 1
            values.append(self._literal_value(self.parse_operand()))
        self.expect_op(")")
        return values

    @staticmethod
    def _literal_value(operand: _Operand) -> Literal | None:
        if not isinstance(operand, _Lit):
            raise _Unparsable("a literal was expected")
        return operand.value

    def parse_operand(self) -> _Operand:
        operand = self._primary()
        while self.is_op("::"):
            self.pos += 1
            self._type_name()
        return operand

    def _type_name(self) -> None:
        tok = self.take()
        if tok.kind not in ("ident", "qident"):
            raise _Unparsable("type name")
        while self.is_op(".") and (nxt := self.peek(1)) is not None and nxt.kind in ("ident", "qident"):
            self.pos += 2
        while (nxt := self.peek()) is not None and nxt.kind == "ident" and nxt.text.lower() in _TYPE_WORDS:
            self.pos += 1
        if self.is_op("(") and (nxt := self.peek(1)) is not None and nxt.kind == "number":
            while not self.is_op(")"):
                self.take()
            self.pos += 1
        while self.is_op("[") and self.is_op("]", 1):
            self.pos += 2

    def _primary(self) -> _Operand:
        tok = self.take()
        if tok.kind == "op" and tok.text == "(":
            inner = self.parse_operand()
            self.expect_op(")")
            return inner
        if tok.kind == "op" and tok.text == "-" and (nxt := self.peek()) is not None and nxt.kind == "number":
            self.pos += 1
            value = _number(nxt.text)
            return _Lit(-value)
        if tok.kind == "number":
            return _Lit(_number(tok.text))
        if tok.kind == "string":
            if tok.text[0] in "Ee":
                raise _Unparsable("escape string")
            return _Lit(tok.text[1:-1].replace("''", "'"))
        if tok.kind == "qident":
            return _Col(tok.text[1:-1].replace('""', '"'))
        if tok.kind == "ident":
            word = tok.text.lower()
            if word == "array" and self.is_op("["):
                self.pos += 1
                values: list[Literal | None] = []
                if not self.is_op("]"):
                    values.append(self._literal_value(self.parse_operand()))
                    while self.is_op(","):
                        self.pos += 1
                        values.append(self._literal_value(self.parse_operand()))
                self.expect_op("]")
                return _Arr(tuple(values))
            if word in ("true", "false"):
                return _Lit(word == "true")
            if word == "null":
                return _Lit(None)
            if self.is_op("("):
                self.pos += 1
                if word in _LENGTH_FUNCS:
                    arg = self.parse_operand()
                    self.expect_op(")")
                    if isinstance(arg, _Col):
                        return _Len(arg.name)
                raise _Unparsable(f"function {word}")
            if word in ("and", "or", "not", "in", "between", "is", "any", "all"):
                raise _Unparsable(f"keyword {word}")
            if word == "value" and self.value_column is not None:
                return _Col(self.value_column)
            return _Col(word)  # unquoted identifiers fold to lower case
        raise _Unparsable(f"unexpected {tok.text!r}")


def _number(text: str) -> int | Decimal:
    return Decimal(text) if any(c in text for c in ".eE") else int(text)


def _strip_check(definition: str) -> str:
    text = definition.strip()
    text = re.sub(r"\s+NOT VALID\s*$", "", text, flags=re.IGNORECASE)
    text = re.sub(r"\s+NO INHERIT\s*$", "", text, flags=re.IGNORECASE)
    if text[:5].upper() == "CHECK":
        text = text[5:].strip()
    return text


def parse_check(name: str, definition: str, *, value_column: str | None = None) -> ParsedCheck:
    """Parse one CHECK definition; what is not understood marks the check `unknown`."""
    try:
        parser = _Parser(_tokenize(_strip_check(definition)), value_column)
        items = parser.parse_or()
        if parser.pos != len(parser.toks):
            items = [*items, None]
    except _Unparsable:
        items = [None]
    rules = tuple(item for item in items if item is not None)
    columns: list[str] = []
    for rule in rules:
        names = (rule.left, rule.right) if isinstance(rule, Compare) else (rule.column,)
        columns.extend(n for n in names if n not in columns)
    return ParsedCheck(
        name=name,
        definition=definition,
        rules=rules,
        unknown=any(i is None for i in items) or not items,
        columns=tuple(columns),
        value_column=value_column,
    )
