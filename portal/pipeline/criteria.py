"""Stage entry criteria: a tiny expression language over event counts, parsed without eval.

    criteria   := or_expr
    or_expr    := and_expr ("OR" and_expr)*
    and_expr   := not_expr ("AND" not_expr)*
    not_expr   := "NOT" not_expr | "(" or_expr ")" | comparison
    comparison := name op integer          op: >= > <= < = == !=

A name is an event kind from ``portal/journey/kinds.py`` (its count for the deal), or one of
the deal metrics ``people`` (people involved) and ``products`` (products touched), or one of
the buying committee's room metrics (``ROOM_METRICS``: plan steps done and in total, members,
distinct roles, results shared). Keywords
are case-insensitive. An empty text means "always holds" (the first stage's usual criteria).
"""

from __future__ import annotations

import difflib
import operator
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from portal.journey.kinds import EVENT_KINDS

MAX_LENGTH = 500
ROOM_METRICS = {
    "plan_steps_done": "evaluation plan steps done",
    "plan_steps_total": "evaluation plan steps",
    "committee_members": "committee members",
    "committee_roles": "distinct committee roles",
    "shares": "trial results shared",
}
METRICS = {"people": "people involved", "products": "products touched", **ROOM_METRICS}
OPERATORS = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "=": operator.eq,
    "==": operator.eq,
    "!=": operator.ne,
}
_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>>=|<=|==|!=|>|<|=)"
    r"|(?P<paren>[()]))"
)


class CriteriaError(ValueError):
    """Criteria that cannot be parsed; the message says what and where, for the admin."""


@dataclass(frozen=True)
class Comparison:
    name: str
    op: str
    number: int

    def holds(self, counts: Mapping[str, int]) -> bool:
        return OPERATORS[self.op](counts.get(self.name, 0), self.number)


@dataclass(frozen=True)
class Not:
    operand: Node

    def holds(self, counts: Mapping[str, int]) -> bool:
        return not self.operand.holds(counts)


@dataclass(frozen=True)
class All:
    operands: tuple[Node, ...]

    def holds(self, counts: Mapping[str, int]) -> bool:
        return all(o.holds(counts) for o in self.operands)


@dataclass(frozen=True)
class Any_:
    operands: tuple[Node, ...]

    def holds(self, counts: Mapping[str, int]) -> bool:
        return any(o.holds(counts) for o in self.operands)


@dataclass(frozen=True)
class Always:
    def holds(self, counts: Mapping[str, int]) -> bool:
        return True


Node = Comparison | Not | All | Any_ | Always


@dataclass(frozen=True)
class _Token:
    type: str  # number, name, op, paren, keyword, end
    text: str
    position: int  # 1-based column for messages


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if not match:
            column = pos + len(text[pos:]) - len(text[pos:].lstrip()) + 1
            raise CriteriaError(f"Unexpected character {text[column - 1]!r} at position {column}.")
        kind = match.lastgroup or ""
        value = match.group(kind)
        column = match.start(kind) + 1
        if kind == "name" and value.upper() in ("AND", "OR", "NOT"):
            tokens.append(_Token("keyword", value.upper(), column))
        else:
            tokens.append(_Token(kind, value, column))
        pos = match.end()
    tokens.append(_Token("end", "", len(text) + 1))
    return tokens


def _describe(token: _Token) -> str:
    return "the end" if token.type == "end" else f"{token.text!r} at position {token.position}"


class _Parser:
    def __init__(self, tokens: list[_Token]):
        self.tokens = tokens
        self.index = 0

    @property
    def current(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.current
        self.index += 1
        return token

    def parse(self) -> Node:
        node = self.or_expr()
        if self.current.type != "end":
            raise CriteriaError(f"Expected AND, OR or the end but found {_describe(self.current)}.")
        return node

    def or_expr(self) -> Node:
        operands = [self.and_expr()]
        while self.current.type == "keyword" and self.current.text == "OR":
            self.take()
            operands.append(self.and_expr())
        return operands[0] if len(operands) == 1 else Any_(tuple(operands))

    def and_expr(self) -> Node:
        operands = [self.not_expr()]
        while self.current.type == "keyword" and self.current.text == "AND":
            self.take()
            operands.append(self.not_expr())
        return operands[0] if len(operands) == 1 else All(tuple(operands))

    def not_expr(self) -> Node:
        token = self.current
        if token.type == "keyword" and token.text == "NOT":
            self.take()
            return Not(self.not_expr())
        if token.type == "paren" and token.text == "(":
            self.take()
            node = self.or_expr()
            if not (self.current.type == "paren" and self.current.text == ")"):
                raise CriteriaError(
                    f"Missing ')' for the '(' at position {token.position}; "
                    f"found {_describe(self.current)}."
                )
            self.take()
            return node
        return self.comparison()

    def comparison(self) -> Node:
        name = self.take()
        if name.type != "name":
            raise CriteriaError(f"Expected an event name but found {_describe(name)}.")
        check_name(name.text, name.position)
        op = self.take()
        if op.type != "op":
            raise CriteriaError(
                f"Expected a comparison such as '>= 1' after {name.text!r} "
                f"but found {_describe(op)}."
            )
        number = self.take()
        if number.type != "number":
            raise CriteriaError(
                f"Expected a whole number after {op.text!r} but found {_describe(number)}."
            )
        if len(number.text) > 9:
            raise CriteriaError(f"The number at position {number.position} is too large.")
        return Comparison(name.text, op.text, int(number.text))


def check_name(name: str, position: int = 0) -> None:
    if name in EVENT_KINDS or name in METRICS:
        return
    known = [*EVENT_KINDS, *METRICS]
    where = f" at position {position}" if position else ""
    close = difflib.get_close_matches(name, known, n=1)
    hint = (
        f" Did you mean {close[0]!r}?" if close else " Use an event kind such as 'demo_completed'."
    )
    raise CriteriaError(f"Unknown event {name!r}{where}.{hint}")


@lru_cache(maxsize=256)
def parse(text: str) -> Node:
    """Parse criteria text into a tree with ``holds(counts)``; raises CriteriaError."""
    text = (text or "").strip()
    if not text:
        return Always()
    if len(text) > MAX_LENGTH:
        raise CriteriaError(f"Keep criteria under {MAX_LENGTH} characters.")
    return _Parser(_tokenize(text)).parse()


def validate(text: str) -> str:
    """The criteria in a normal form (keywords upper-case, single spaces), or CriteriaError."""
    node = parse(text)
    return render(node)


def render(node: Node, top: bool = True) -> str:
    if isinstance(node, Always):
        return ""
    if isinstance(node, Comparison):
        return f"{node.name} {node.op} {node.number}"
    if isinstance(node, Not):
        return f"NOT {render(node.operand, False)}"
    joiner = " AND " if isinstance(node, All) else " OR "
    text = joiner.join(render(o, False) for o in node.operands)
    return text if top else f"({text})"


def referenced_names(node: Node) -> set[str]:
    if isinstance(node, Comparison):
        return {node.name}
    if isinstance(node, Not):
        return referenced_names(node.operand)
    if isinstance(node, All | Any_):
        return set().union(*(referenced_names(o) for o in node.operands))
    return set()
