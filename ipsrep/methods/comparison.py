"""Comparing a computed value with the number a source prints: the ledger's rows.

:func:`compare_with_printed` sets computed values beside a table of printed numbers
(one row per key: ``source``, ``quantity``, ``printed`` and its ``relation``) under the
key, with a status; :func:`explain_discrepancy` says why a value does not print as the
printed number. Nothing here knows which paper: the trial's printed numbers are read,
and set beside the report's values, by :func:`ipsrep.analyses.paper.compare`.
Columns of a ledger row: ``key, source, quantity, published, reproduced, status, note``.

Status vocabulary:

- ``reproduced``: a value computed from participant-level data rounds to the printed
  digits (a printed bound such as "< 0.001" is reproduced when the value satisfies it;
  :func:`ipsrep.methods.rounding.rounds_to`);
- ``discrepant``: it does not;
- ``approximate``: the value depends on what a reconstruction cannot know (set by the
  caller, e.g. mixed-model coefficients that depend on within-person correlation);
- ``source_inconsistent``: the source's own numbers disagree with each other, so a
  reproduction cannot match every one of them (set by the caller, with the reason in
  ``note``);
- ``consistent``: a check of printed numbers against each other (no participant data):
  the value recomputed from other printed numbers falls within what their rounding
  admits (``check=True``; the admissible range or the matching variant is in ``note``);
- ``inconsistent``: such a check fails; the printed numbers disagree.

``reproduced`` is kept for reproductions from participant-level data: a value computed
from printed numbers alone is ``consistent`` or ``inconsistent``, never ``reproduced``.

Whether rows are set beside the printed numbers is the caller's `bundled` argument: True
on the bundled reconstruction, False on other data (the ``published`` and ``status``
cells stay empty and the same keys carry the new trial's values), or a
:class:`Comparison` for other data compared with the printed numbers (``ipsrep build
--compare-with-paper``). On data that are not the reconstruction nothing is
``approximate``: every row is ``reproduced`` or ``discrepant`` by its printed digits, and
a discrepant row's note says by how much and which other computation, if any, gives the
printed value (:func:`explain_discrepancy`).
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from ipsrep.methods.rounding import decimals_of, rounds_to

__all__ = ["LEDGER_COLUMNS", "STATUSES", "CHECK_STATUSES", "Comparison", "comparison_for", "is_synthetic",
           "explain_discrepancy", "compare_with_printed"]

LEDGER_COLUMNS = ["key", "source", "quantity", "published", "reproduced", "status", "note"]
STATUSES = ("reproduced", "discrepant", "approximate", "source_inconsistent", "consistent", "inconsistent")
"""Every ledger status, in the order the report lists them."""
CHECK_STATUSES = ("consistent", "inconsistent")
"""The statuses of checks of printed numbers against printed numbers."""


@dataclass(frozen=True)
class Comparison:
    """Set ledger rows beside the paper's numbers (pass as `bundled` to :func:`compare`).

    ``synthetic`` is True for the bundled reconstruction (``approximate`` overrides hold
    there) and False for other participant data, where every row gets ``reproduced`` or
    ``discrepant`` by its digits. Truthy, so code that asks ``if bundled:`` to show the
    printed numbers shows them.
    """

    synthetic: bool

    def __bool__(self) -> bool:
        return True


def comparison_for(*, synthetic: bool, with_paper: bool) -> Comparison | bool:
    """The `bundled` argument of :func:`compare` for the data in use: False when the rows
    are not set beside the paper, else a :class:`Comparison`.

    >>> comparison_for(synthetic=False, with_paper=False), comparison_for(synthetic=False, with_paper=True)
    (False, Comparison(synthetic=False))
    """
    return Comparison(synthetic=synthetic) if with_paper else False


def is_synthetic(bundled) -> bool:
    """Whether a `bundled` argument of :func:`compare` stands for the bundled reconstruction
    (a plain True, as the library's defaults, or ``Comparison(synthetic=True)``)."""
    return bool(bundled) and bool(getattr(bundled, "synthetic", True))


def _printed_text(value: float, decimals: int) -> str:
    text = f"{value:.{decimals}f}"
    return "0" + text[2:] if text.startswith("-0") and float(text) == 0 else text


def explain_discrepancy(value: float, printed: str, relation: str = "=", *,
                        alternatives: Mapping[str, float] | None = None,
                        count: tuple[int, int] | None = None) -> str:
    """Why a value does not print as the paper's number: by how much, in the printed
    digits, and which other computation gives the printed number, if one does.

    Tried in this order, each only where the caller supplies it or the row's digits allow:

    - `alternatives` (label -> value): the other variants of the same quantity, e.g. the
      other t test (Student or Welch), Fisher's exact p beside Pearson's, another
      estimator; the first whose value prints as printed is named;
    - `count` = (k, n) for a percentage k/n: the whole denominator nearest to n that
      makes k of it print as printed (another n, e.g. one that leaves out missing
      answers);
    - a rounding: the value cut off (truncated) at the printed digits instead of rounded.

    Parameters
    ----------
    value : the value computed from the data.
    printed, relation : the printed number and ``=``, ``<`` or ``>`` (``data/published``).

    Returns
    -------
    str
        E.g. ``"1.79 where 1.76 is printed (0.03 higher); Welch's t test gives 1.76"``.

    >>> explain_discrepancy(1.7923, "1.76")
    '1.79 where 1.76 is printed (0.03 higher)'
    >>> explain_discrepancy(0.0612, "0.04", alternatives={"Student's t test": 0.061, "Welch's t test": 0.0413})
    "0.06 where 0.04 is printed (0.02 higher); Welch's t test gives 0.041, which prints as 0.04"
    >>> explain_discrepancy(100 * 19 / 38, "52.8", count=(19, 38))
    '50.0 where 52.8 is printed (2.8 lower); 19 of 36 = 52.78% prints as 52.8 (n = 36, not 38)'
    >>> explain_discrepancy(0.2379, "0.23")
    '0.24 where 0.23 is printed (0.01 higher); the value cut off at 2 digits (not rounded) prints as 0.23'
    >>> explain_discrepancy(0.0031, "0.001", "<")
    '0.003 where < 0.001 is printed'
    """
    value = float(value)
    if relation in ("<", ">"):
        return f"{_printed_text(value, max(decimals_of(printed), 3))} where {relation} {printed} is printed"
    digits = decimals_of(printed)
    ours = _printed_text(value, digits)
    gap = round(value - float(printed), digits)
    if float(ours) == float(printed):  # within the float slack of a tie
        return f"{value!r} rounds either way to {printed}"
    head = f"{ours} where {printed} is printed ({_printed_text(abs(gap), digits)} {'higher' if gap > 0 else 'lower'})"
    for label, other in (alternatives or {}).items():
        if other is not None and not math.isnan(float(other)) and rounds_to(float(other), printed, relation):
            return f"{head}; {label} gives {float(other):.{digits + 1}f}, which prints as {printed}"
    if count is not None:
        k, n = (int(c) for c in count)
        fits = [m for m in range(max(k, 1), 2 * n + 2) if m != n and rounds_to(100 * k / m, printed)]
        if fits:
            m = min(fits, key=lambda m: (abs(m - n), m))
            return f"{head}; {k} of {m} = {100 * k / m:.2f}% prints as {printed} (n = {m}, not {n})"
    scale = 10 ** digits
    if math.trunc(value * scale) / scale == float(printed) and rounds_to(math.trunc(value * scale) / scale, printed):
        return f"{head}; the value cut off at {_digits(digits)} (not rounded) prints as {printed}"
    return head


def _digits(n: int) -> str:
    return f"{n} digit{'s' if n != 1 else ''}"


def compare_with_printed(
    reproduced: Mapping[str, float],
    printed_numbers: pd.DataFrame,
    *,
    bundled: bool | Comparison,
    status: Mapping[str, str] | None = None,
    notes: Mapping[str, str] | None = None,
    quantities: Mapping[str, str] | None = None,
    check: bool = False,
    alternatives: Mapping[str, Mapping[str, float]] | None = None,
    counts: Mapping[str, tuple[int, int]] | None = None,
) -> pd.DataFrame:
    """Ledger rows for computed values, set beside printed numbers by key.

    `reproduced` maps ledger keys to the values computed from the data in use.
    `printed_numbers` holds the printed numbers, indexed by key, with columns ``source``,
    ``quantity``, ``printed`` (the number as printed) and ``relation`` (``=``, ``<`` or
    ``>``), as :func:`ipsrep.inputs.published.load_published` returns them. A key that is
    not in `printed_numbers` is our own quantity: say what it is in `quantities` (or, as
    before, in `notes`); its source is ``ipsrep`` and its status empty.
    `status` overrides the computed status for chosen keys (``approximate``,
    ``source_inconsistent``, ...); `notes` adds an explanation per key. With
    ``bundled=False`` the published and status columns are left empty. With
    ``bundled=Comparison(synthetic=False)`` (participant data other than the
    reconstruction, compared with the printed numbers) an ``approximate`` override does
    not hold: the row is ``reproduced`` or ``discrepant`` by its digits.

    A ``discrepant`` row's note starts with :func:`explain_discrepancy`, given the key's
    `alternatives` (label -> value of another variant of the same quantity) and
    `counts` ((k, n) of a percentage), where the caller supplies them.

    With ``check=True`` the values were computed from printed numbers only (a check of
    the sources against each other, not a reproduction from participant data): the
    status is then ``consistent`` or ``inconsistent`` instead of ``reproduced`` or
    ``discrepant``.

    >>> printed = pd.DataFrame({"source": ["Table 2"], "quantity": ["odds ratio"], "printed": ["1.76"],
    ...                         "relation": ["="]}, index=["or"])
    >>> compare_with_printed({"or": 1.7623, "n": 54}, printed, bundled=True,
    ...                      quantities={"n": "participants"})["status"].tolist()
    ['reproduced', '']
    """
    published = printed_numbers
    synthetic = is_synthetic(bundled)
    alternatives = dict(alternatives or {})
    counts = dict(counts or {})
    status = dict(status or {})
    notes = dict(notes or {})
    quantities = dict(quantities or {})
    unknown = set(status.values()) - set(STATUSES)
    if unknown:
        raise ValueError(f"unknown ledger status {sorted(unknown)}; allowed: {', '.join(STATUSES)}")
    rows = []
    for key, val in reproduced.items():
        val = float(val) if val is not None else math.nan
        if key in published.index:
            pub = published.loc[key]
            source, quantity = pub["source"], pub["quantity"]
            printed = pub["printed"] if pub["relation"] == "=" else f"{pub['relation']}{pub['printed']}"
            ok = rounds_to(val, pub["printed"], pub["relation"])
        else:
            source, printed, ok = "ipsrep", "", None
            quantity = quantities.get(key, notes.get(key, ""))
        good, bad = CHECK_STATUSES if check else ("reproduced", "discrepant")
        override = status.get(key)
        if override == "approximate" and not synthetic:
            override = None
        row_status = override or ("" if ok is None else good if ok else bad)
        if math.isnan(val):  # not computed on these data: no status, the note says why
            row_status = ""
        note = notes.get(key, "") if (key in published.index or key in quantities) else ""
        if row_status == "discrepant" and bundled and not math.isnan(val):
            why = explain_discrepancy(val, pub["printed"], pub["relation"], alternatives=alternatives.get(key),
                                      count=counts.get(key))
            note = f"{why}; {note}" if note else why
        rows.append(
            {
                "key": key,
                "source": source,
                "quantity": quantity,
                "published": printed if bundled else "",
                "reproduced": val,
                "status": row_status if bundled else "",
                "note": note,
            }
        )
    return pd.DataFrame(rows, columns=LEDGER_COLUMNS)
