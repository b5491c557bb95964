"""The disclosure control rules for research outputs, as ACRO applies them.

Each function checks one kind of evidence about one output and returns :class:`Check`
results: a frequency table's cells (minimum threshold, zeros), the contributions behind
a mean or other magnitude statistic (threshold, (n, k) dominance, p-ratio), a
regression's residual degrees of freedom, and minima or maxima (never released).

The rules and their defaults are ACRO's (AI-SDC/ACRO: ``acro/sdcchecks.py``,
``check_min_threshold``, ``check_nk_dominance``, ``check_ppercent_dominance``,
``check_presence_of_zero``, ``check_model_dof``; thresholds in ``acro/default.yaml``).
ACRO itself cannot be installed beside the project's pinned stack (acro 1.0.2 pins
pandas <= 2.3.3; the lock has pandas 3), so the rules are written here on plain
arrays; ``tests/test_release.py`` runs ACRO in an isolated environment on the same
tables and checks that the two agree cell by cell.

References
----------
Green E, Ritchie F, Smith J, et al. ACRO: Automatic Checking of Research Outputs.
AI-SDC project, 2023. Griffiths E, Greci C, Kotrotsios Y, et al. Handbook on
Statistical Disclosure Control for Outputs (SDC Handbook), 2019.
"""
from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

RULES_FILE = Path(__file__).with_name("sdc_rules.toml")
"""The documented default thresholds (ACRO's defaults)."""

OUTCOMES = ("pass", "fail", "review")
"""A check passes, fails (the output is suppressed) or needs a person to review it (the
output is suppressed too: nothing leaves unchecked)."""


@dataclass(frozen=True)
class Rules:
    """Disclosure control thresholds (see ``sdc_rules.toml`` for each one's meaning)."""

    safe_threshold: int = 10
    safe_dof_threshold: int = 10
    safe_nk_n: int = 2
    safe_nk_k: float = 0.90
    safe_pratio_p: float = 0.10
    zeros_are_disclosive: bool = True
    printed_numbers_are_public: bool = True


_TYPES = {"safe_threshold": int, "safe_dof_threshold": int, "safe_nk_n": int, "safe_nk_k": float,
          "safe_pratio_p": float, "zeros_are_disclosive": bool, "printed_numbers_are_public": bool}


def load_rules(path: str | Path | None = None) -> Rules:
    """The thresholds in the TOML file at `path` (default :data:`RULES_FILE`).

    Raises
    ------
    ValueError
        One line naming the file and the setting: unknown settings, missing ones, values
        of the wrong type or outside their range (thresholds >= 1, k and p within (0, 1]).
    """
    path = Path(path) if path is not None else RULES_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: cannot be read ({getattr(exc, 'strerror', None) or exc})") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: not a TOML file ({exc})") from None
    unknown = sorted(set(raw) - set(_TYPES))
    if unknown:
        raise ValueError(f"{path}: unknown setting(s) {', '.join(unknown)}; allowed: {', '.join(_TYPES)}")
    missing = [k for k in _TYPES if k not in raw]
    if missing:
        raise ValueError(f"{path}: missing setting(s) {', '.join(missing)}")
    for name, kind in _TYPES.items():
        value = raw[name]
        ok = isinstance(value, bool) if kind is bool else (
            isinstance(value, (int, float)) and not isinstance(value, bool)
            and (kind is float or float(value).is_integer()))
        if not ok:
            raise ValueError(f"{path}: {name} = {value!r} is not a {kind.__name__}")
        if kind is int and not value >= 1:
            raise ValueError(f"{path}: {name} = {value!r}; allowed: a whole number of at least 1")
        if kind is float and not 0 < value <= 1:
            raise ValueError(f"{path}: {name} = {value!r}; allowed: a number above 0 and at most 1")
    # each value was checked against its field's type (_TYPES) above
    return Rules(**{k: (int(v) if _TYPES[k] is int else v) for k, v in raw.items()})  # type: ignore[arg-type]


@dataclass(frozen=True)
class Check:
    """The outcome of one rule on one piece of evidence: ``check`` (rule name),
    ``outcome`` (``pass``, ``fail`` or ``review``) and ``detail`` (the numbers it decided on,
    in words an output checker reads)."""

    check: str
    outcome: str
    detail: str
    released: str = ""
    """The detail as it may leave the environment: without the data's numbers (empty:
    `detail` holds none)."""

    @property
    def shown(self) -> str:
        """What the release folder's log says: :attr:`released`, else :attr:`detail`."""
        return self.released or self.detail


def frequency_failures(counts: Mapping[str, int], rules: Rules) -> dict[str, set[str]]:
    """The cells of a frequency table each of ACRO's table rules fails: ``threshold``
    (fewer than ``safe_threshold``, zero included) and ``zeros`` (a zero, when zeros are
    disclosive), as ACRO's ``MinimumThresholdCheck`` and ``PresenceOfZeroCheck``."""
    return {"threshold": {k for k, v in counts.items() if v < rules.safe_threshold},
            "zeros": {k for k, v in counts.items() if v == 0} if rules.zeros_are_disclosive else set()}


def magnitude_failures(cells: Mapping[str, Sequence[float] | np.ndarray], rules: Rules) -> dict[str, set[str]]:
    """The cells of a table of means (or sums) each of ACRO's magnitude rules fails:
    ``threshold`` (fewer contributors than ``safe_threshold``), ``dominance`` (the
    ``safe_nk_n`` largest hold ``safe_nk_k`` or more of the total; ACRO's ``NKCheck``) and
    ``p_ratio`` ((total - two largest) / largest below ``safe_pratio_p``; ACRO's
    ``PPercentCheck``). Cells with negative values are left to review (not listed)."""
    ok = {k: np.asarray(v, dtype=float) for k, v in cells.items() if not np.any(np.asarray(v, dtype=float) < 0)}
    return {"threshold": {k for k, v in cells.items() if len(v) < rules.safe_threshold},
            "dominance": {k for k, v in ok.items() if nk_share(v, rules.safe_nk_n) >= rules.safe_nk_k},
            "p_ratio": {k for k, v in ok.items() if p_ratio(v) < rules.safe_pratio_p}}


def frequency_checks(counts: Mapping[str, int], rules: Rules, *, label: str = "table") -> list[Check]:
    """ACRO's checks of a frequency table: every cell has at least ``safe_threshold``
    participants (``threshold``), and no cell is zero when zeros are disclosive (``zeros``).

    `counts` maps a cell's name (e.g. ``"IPS, employed_12m=1"``) to its count.

    >>> [c.outcome for c in frequency_checks({"IPS, yes": 19, "IPS, no": 17, "TAU, yes": 7, "TAU, no": 11}, Rules())]
    ['fail', 'pass']
    """
    small = {k: int(v) for k, v in counts.items() if v < rules.safe_threshold}
    smallest = min(counts.values()) if counts else 0
    if small:
        cells = " / ".join(f"{k}: {v}" for k, v in small.items())
        threshold = Check("threshold", "fail", f"{label}: {len(small)} of {len(counts)} cells below "
                                               f"{rules.safe_threshold} ({cells})",
                          f"{label}: cells below {rules.safe_threshold}: {' / '.join(small)}")
    else:
        threshold = Check("threshold", "pass", f"{label}: {len(counts)} cells, smallest {smallest} "
                                               f">= {rules.safe_threshold}",
                          f"{label}: every cell has at least {rules.safe_threshold}")
    zeros = [k for k, v in counts.items() if v == 0]
    if not rules.zeros_are_disclosive:
        zero = Check("zeros", "pass", f"{label}: zeros are not disclosive under these rules")
    elif zeros:
        zero = Check("zeros", "fail", f"{label}: zero cell(s) {' / '.join(zeros)} (class disclosure)")
    else:
        zero = Check("zeros", "pass", f"{label}: no zero cell")
    return [threshold, zero]


def nk_share(values: Sequence[float] | np.ndarray, n: int) -> float:
    """Share of the total held by the `n` largest contributions (NaN for a zero total),
    as ACRO's ``top_n_sum / sum``."""
    v = np.sort(np.asarray(values, dtype=float))[::-1]
    total = float(v.sum())
    return math.nan if total == 0 else float(v[:n].sum()) / total


def p_ratio(values: Sequence[float] | np.ndarray) -> float:
    """ACRO's p-ratio of a cell: (total - largest - second largest) / largest (1 when the
    largest is zero: nothing to estimate)."""
    v = np.sort(np.asarray(values, dtype=float))[::-1]
    if v.size == 0 or v[0] == 0:
        return 1.0
    return float(v.sum() - v[:2].sum()) / float(v[0])


def magnitude_checks(cells: Mapping[str, Sequence[float] | np.ndarray], rules: Rules, *,
                     label: str = "cells") -> list[Check]:
    """ACRO's checks of statistics of a magnitude variable (sums, means, SDs and tests
    built on them), per cell: contributors (``threshold``), (n, k) dominance
    (``dominance``) and the p-ratio (``p_ratio``).

    `cells` maps a cell's name (e.g. ``"IPS, hours_12m"``) to its contributions (missing
    values left out). Dominance is not defined for negative values: such a cell is sent
    to ``review``.

    >>> [c.outcome for c in magnitude_checks({"TAU": [0] * 15 + [1200, 40]}, Rules())]
    ['pass', 'fail', 'fail']
    """
    out: list[Check] = []
    counts = {k: len(v) for k, v in cells.items()}
    small = {k: n for k, n in counts.items() if n < rules.safe_threshold}
    if small:
        out.append(Check("threshold", "fail", f"{label}: " + " / ".join(
            f"{k} has {n} contributors" for k, n in small.items()) + f" (< {rules.safe_threshold})",
            f"{label}: fewer than {rules.safe_threshold} contributors in {' / '.join(small)}"))
    else:
        out.append(Check("threshold", "pass", f"{label}: " + " / ".join(
            f"{k} {n}" for k, n in counts.items()) + f" contributors (>= {rules.safe_threshold})",
            f"{label}: at least {rules.safe_threshold} contributors in every cell"))
    negative = [k for k, v in cells.items() if np.any(np.asarray(v, dtype=float) < 0)]
    if negative:
        why = f"{label}: negative values in {' / '.join(negative)}; dominance is not defined"
        return out + [Check("dominance", "review", why), Check("p_ratio", "review", why)]
    shares = {k: nk_share(v, rules.safe_nk_n) for k, v in cells.items()}
    dominated = {k: s for k, s in shares.items() if s >= rules.safe_nk_k}
    shown = " / ".join(f"{k} {s:.2f}" if not math.isnan(s) else f"{k} (total 0)" for k, s in shares.items())
    out.append(Check("dominance", "fail" if dominated else "pass",
                     f"{label}: share of the {rules.safe_nk_n} largest contributions {shown} "
                     f"({'>=' if dominated else '<'} {rules.safe_nk_k:g})",
                     f"{label}: the {rules.safe_nk_n} largest contributions hold "
                     + (f"{rules.safe_nk_k:g} or more of the total in {' / '.join(dominated)}" if dominated
                        else f"less than {rules.safe_nk_k:g} of the total in every cell")))
    ratios = {k: p_ratio(v) for k, v in cells.items()}
    low = {k: r for k, r in ratios.items() if r < rules.safe_pratio_p}
    out.append(Check("p_ratio", "fail" if low else "pass",
                     f"{label}: (total - two largest) / largest " + " / ".join(
                         f"{k} {r:.3f}" for k, r in ratios.items())
                     + f" ({'<' if low else '>='} {rules.safe_pratio_p:g})",
                     f"{label}: (total - two largest) / largest "
                     + (f"below {rules.safe_pratio_p:g} in {' / '.join(low)}" if low
                        else f"at least {rules.safe_pratio_p:g} in every cell")))
    return out


def dof_check(dof: int, rules: Rules, *, label: str = "model") -> list[Check]:
    """ACRO's check of a regression: residual degrees of freedom of at least
    ``safe_dof_threshold``."""
    ok = dof >= rules.safe_dof_threshold
    return [Check("dof", "pass" if ok else "fail",
                  f"{label}: residual degrees of freedom {dof} {'>=' if ok else '<'} {rules.safe_dof_threshold}",
                  f"{label}: {'at least' if ok else 'fewer than'} {rules.safe_dof_threshold} residual degrees "
                  "of freedom")]


def extreme_check(what: str) -> list[Check]:
    """Minima and maxima are a single participant's value: never released (the SDC
    Handbook's "endpoints" output class, statbarn ``Endpoints`` in ACRO's
    ``statbarns.json``)."""
    return [Check("min_max", "fail", f"{what} is one participant's value")]


def overall(checks: Sequence[Check]) -> str:
    """``pass`` when every check passes, else ``fail`` (a ``review`` counts as not passed)."""
    return "pass" if all(c.outcome == "pass" for c in checks) else "fail"
