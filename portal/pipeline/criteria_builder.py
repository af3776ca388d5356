"""Stage criteria as a form: OR of groups, each group an AND of conditions ("event kind or
metric, comparison, number"). The text language (``criteria.py``) stays the advanced view;
what the form can say round-trips through the text exactly, and back.

Form field names: ``g-<group>-<row>-name``, ``-op`` and ``-number``; blank rows are skipped.
"""

from __future__ import annotations

from collections.abc import Mapping

from portal.journey.kinds import EVENT_KINDS
from portal.pipeline.criteria import (
    METRICS,
    OPERATORS,
    All,
    Always,
    Any_,
    Comparison,
    CriteriaError,
    Node,
    check_name,
)

Groups = list[list[Comparison]]
MAX_GROUPS = 8
MAX_ROWS = 8
OPERATOR_WORDS = {
    ">=": "at least",
    ">": "more than",
    "<=": "at most",
    "<": "fewer than",
    "=": "exactly",
    "==": "exactly (==)",
    "!=": "anything but",
}
assert set(OPERATOR_WORDS) == set(OPERATORS)


def name_choices() -> list[tuple[str, str]]:
    """(name, words) for the form's first select: the metrics, then every event kind."""
    return [(name, f"{words} (metric)") for name, words in METRICS.items()] + [
        (name, f"{kind.label} ({name})") for name, kind in EVENT_KINDS.items()
    ]


def to_groups(node: Node) -> Groups | None:
    """The form's groups for a criteria tree, or None when the text says more than the form
    can (NOT, or an OR inside an AND): then only the advanced view edits it."""
    if isinstance(node, Always):
        return []
    if isinstance(node, Comparison):
        return [[node]]
    if isinstance(node, All):
        return (
            [list(node.operands)] if all(isinstance(o, Comparison) for o in node.operands) else None
        )
    if isinstance(node, Any_):
        groups: Groups = []
        for operand in node.operands:
            inner = to_groups(operand)
            if inner is None or len(inner) != 1 or isinstance(operand, Any_):
                return None
            groups.append(inner[0])
        return groups
    return None


def from_groups(groups: Groups) -> Node:
    """The criteria tree for the form's groups (empty groups are ignored)."""
    terms: list[Node] = []
    for group in groups:
        if len(group) == 1:
            terms.append(group[0])
        elif group:
            terms.append(All(tuple(group)))
    if not terms:
        return Always()
    return terms[0] if len(terms) == 1 else Any_(tuple(terms))


def parse_form(form: Mapping[str, str]) -> Groups:
    """Read the groups from posted fields; raises CriteriaError with a plain message."""
    groups: Groups = []
    for g in range(MAX_GROUPS):
        group = []
        for r in range(MAX_ROWS):
            prefix = f"g-{g}-{r}-"
            name = (form.get(prefix + "name") or "").strip()
            if not name:
                continue
            check_name(name)
            op = form.get(prefix + "op") or ">="
            if op not in OPERATORS:
                raise CriteriaError(f"Choose a comparison for {name!r}.")
            number = (form.get(prefix + "number") or "").strip()
            if not number.isdigit() or len(number) > 9:
                raise CriteriaError(f"Give a whole number for {name!r} (0 or more).")
            group.append(Comparison(name, op, int(number)))
        if group:
            groups.append(group)
    return groups


def form_fields(groups: Groups) -> dict[str, str]:
    """The posted fields that ``parse_form`` reads back as ``groups`` (used by tests, and by
    the template through ``slots``)."""
    fields = {}
    for g, group in enumerate(groups):
        for r, c in enumerate(group):
            prefix = f"g-{g}-{r}-"
            fields.update(
                {prefix + "name": c.name, prefix + "op": c.op, prefix + "number": str(c.number)}
            )
    return fields


def slots(groups: Groups) -> list[list[Comparison | None]]:
    """What the form shows: each group with one empty row to add a condition, and one empty
    group to add an OR."""
    shown = [[*group[: MAX_ROWS - 1], None] for group in groups[: MAX_GROUPS - 1]]
    return [*shown, [None]]
