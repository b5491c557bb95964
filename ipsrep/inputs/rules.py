"""The data contract's rules between columns of one row (e.g. hours worked need a job).

Each :class:`Rule` says which rows break it and why, in words; :mod:`ipsrep.inputs.schema`
turns them into pandera checks.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from ipsrep.inputs import measures

__all__ = ["RULES", "RULE_BY_NAME", "Rule"]


def _fmt(x: float) -> str:
    return f"{x:g}"


@dataclass(frozen=True)
class Rule:
    """A rule between columns of one row.

    ``broken(table)`` is True on the rows that break the rule (rows with a needed cell
    missing never do: the rules bind only where both sides were observed);
    ``explain(row)`` says what is wrong in one row; the violation is reported in
    ``column``.
    """

    name: str
    column: str
    needs: tuple[str, ...]
    text: str
    broken: Callable[[pd.DataFrame], pd.Series] = field(repr=False)
    explain: Callable[[pd.Series], str] = field(repr=False)


def _cumulative_rule(later: str, earlier: tuple[str, ...]) -> Rule:
    def broken(t: pd.DataFrame) -> pd.Series:
        return (t[later] == 0) & (t[list(earlier)] == 1).any(axis=1)

    def explain(row: pd.Series) -> str:
        first = next(c for c in earlier if row[c] == 1)
        return (f"0 after {first} = 1; employment counts any job since enrolment, "
                "so once 1 it stays 1")

    return Rule(f"cumulative_{later}", later, (later, *earlier),
                f"`{later}` cannot be 0 when an earlier employment column "
                f"({', '.join(f'`{c}`' for c in earlier)}) is 1", broken, explain)


def _rules() -> tuple[Rule, ...]:
    employed = [f"employed_{v}" for v in measures.FOLLOW_UPS]
    out = [_cumulative_rule(later, tuple(employed[:i])) for i, later in enumerate(employed) if i]
    out += [
        Rule("hours_need_job", "hours_12m", ("hours_12m", "employed_12m"),
             "`hours_12m` must be 0 when `employed_12m` is 0 (with no job in the 12 months "
             "there are no hours worked)",
             lambda t: (t["hours_12m"] > 0) & (t["employed_12m"] == 0),
             lambda r: (f"{_fmt(r['hours_12m'])} hours with employed_12m = 0; a participant "
                        "with no job in the 12 months worked no hours")),
        Rule("week_20h_needs_job", "worked_20h_week_12m", ("worked_20h_week_12m", "employed_12m"),
             "`worked_20h_week_12m` must be 0 when `employed_12m` is 0",
             lambda t: (t["worked_20h_week_12m"] == 1) & (t["employed_12m"] == 0),
             lambda r: ("1 with employed_12m = 0; a week of 20 hours or more needs a job "
                        "in the 12 months")),
        Rule("week_20h_needs_hours", "worked_20h_week_12m", ("worked_20h_week_12m", "hours_12m"),
             "`worked_20h_week_12m` = 1 needs `hours_12m` of at least 20",
             lambda t: (t["worked_20h_week_12m"] == 1) & (t["hours_12m"] < 20),
             lambda r: (f"1 but hours_12m = {_fmt(r['hours_12m'])}; a week of 20 hours or "
                        "more means at least 20 hours in the 12 months")),
    ]
    return tuple(out)


RULES: tuple[Rule, ...] = _rules()
"""The cross-column rules, each reported in its ``column``."""
RULE_BY_NAME: dict[str, Rule] = {r.name: r for r in RULES}
"""Every rule by name (the name of its pandera check)."""
