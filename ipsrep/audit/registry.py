"""The trial's registry record (ClinicalTrials.gov NCT02697656) set against the paper.

Two transcriptions feed this comparison:

- ``data/published/registry.csv``: the record's numbers as published rows (registered
  enrollment, the months of each outcome's time frame), read through
  :mod:`ipsrep.inputs.published`;
- ``data/registry/registry_outcomes.csv``: one row per design item or outcome, with
  what the record registered and what the paper reported (measure, months, where),
  how the two compare (``match``) and whether the paper says why they differ
  (``disclosed``). Registered months are not repeated there: they come from
  ``registry.<registry_key>.time_frame.<i>``.

:func:`outcome_verdict` turns those columns into a verdict by fixed rules, so the
judgement is visible and testable rather than typed in.

References
----------
ClinicalTrials.gov NCT02697656 (the registry record, as excerpted in the project's
sources). Sveinsdottir et al. Pain Med 2022 (Methods, Results). Chan AW et al. SPIRIT
2013 and Dwan K et al. (2008, PLoS One 3:e3081) on outcome-reporting discrepancies.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ipsrep.inputs.published import value, values
from ipsrep.paths import DATA_DIR

__all__ = [
    "REGISTRY_ITEMS_CSV",
    "MATCHES",
    "load_registry_items",
    "registered_months",
    "outcome_verdict",
    "enrollment_comparison",
    "registry_vs_paper",
    "registry_ledger_values",
]

REGISTRY_ITEMS_CSV = DATA_DIR / "registry" / "registry_outcomes.csv"
"""The registry-versus-paper transcription (see the module docstring)."""

MATCHES: dict[str, str] = {
    "same": "the paper reports what was registered",
    "substituted": "the paper reports a different instrument for the registered outcome",
    "redefined": "the paper measures the registered outcome in another way",
    "not_reported": "registered but not reported",
    "not_registered": "reported but not in the registry record",
    "not_stated": "the registry record is silent on it",
    "unclear": "the record is too brief to compare",
}
"""Allowed values of the ``match`` column and what each means."""

_COLUMNS = ["item_id", "kind", "registry_key", "item", "registered", "reported", "reported_months",
            "reported_where", "match", "disclosed", "comment"]
_DISCLOSED = ("yes", "partly", "no", "")
_MONTHS = re.compile(r"^\d+(;\d+)*$")


def load_registry_items(path: str | Path = REGISTRY_ITEMS_CSV) -> pd.DataFrame:
    """Read and check the registry-versus-paper transcription.

    Raises
    ------
    ValueError
        Naming the file, column, row (1-based, header excluded) and what is allowed,
        for a missing column, an unknown ``kind``, ``match`` or ``disclosed`` value,
        malformed ``reported_months`` (whole months separated by ``;``), a repeated
        ``item_id``, or an outcome row whose ``registry_key`` has no time frame in
        ``data/published/registry.csv``.
    """
    path = Path(path)
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in _COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(missing)}; required: {', '.join(_COLUMNS)}")
    checks = {
        "kind": ("design", "outcome"),
        "match": tuple(MATCHES),
        "disclosed": _DISCLOSED,
    }
    for column, allowed in checks.items():
        bad = ~table[column].isin(allowed)
        if bad.any():
            i = int(bad.idxmax())
            raise ValueError(f"{path}: column '{column}', row {i + 1}: {table.at[i, column]!r} is not allowed; "
                             f"allowed: {', '.join(repr(a) for a in allowed)}")
    bad = table["reported_months"].ne("") & ~table["reported_months"].str.match(_MONTHS)
    if bad.any():
        i = int(bad.idxmax())
        raise ValueError(f"{path}: column 'reported_months', row {i + 1}: {table.at[i, 'reported_months']!r} is not "
                         f"allowed; allowed: whole months separated by ';' (e.g. 6;12) or empty")
    dup = table["item_id"].duplicated()
    if dup.any():
        i = int(dup.idxmax())
        raise ValueError(
            f"{path}: column 'item_id', row {i + 1}: {table.at[i, 'item_id']!r} appears twice; ids must be unique"
        )
    for i, row in table.iterrows():
        if row["kind"] == "outcome" and row["registry_key"] and not registered_months(row["registry_key"]):
            raise ValueError(f"{path}: column 'registry_key', row {i + 1}: {row['registry_key']!r} has no "
                             f"registry.{row['registry_key']}.time_frame.* rows in data/published/registry.csv")
    return table


def registered_months(registry_key: str) -> list[int]:
    """Months of follow-up registered for an outcome (``registry.<key>.time_frame.*``).

    >>> registered_months("eqvas")
    [6, 12]
    """
    if not registry_key:
        return []
    return sorted(int(v) for v in values(f"registry.{registry_key}.time_frame.").values())


def _months(text: str) -> list[int]:
    return sorted(int(m) for m in text.split(";")) if text else []


def outcome_verdict(match: str, registered: list[int], reported: list[int], disclosed: str = "") -> str:
    """A registry-versus-paper verdict from the comparison columns, by fixed rules.

    Parameters
    ----------
    match : str
        One of :data:`MATCHES`.
    registered, reported : list of int
        Months of follow-up registered and reported (baseline 0 is ignored).
    disclosed : {"yes", "partly", "no", ""}
        Whether the paper says why it departs from the record.

    Returns
    -------
    str
        ``as registered``, ``as registered, time points added``, ``time points
        missing``, ``instrument changed``, ``outcome redefined``, ``registered, not
        reported``, ``reported, not registered``, ``not in the registry record`` or
        ``not comparable``, with ``(disclosed)``/``(not disclosed)`` appended to a
        departure when known.

    Examples
    --------
    >>> outcome_verdict("same", [6, 12], [6, 12])
    'as registered'
    >>> outcome_verdict("substituted", [6, 12], [6, 12], "yes")
    'instrument changed (disclosed)'
    >>> outcome_verdict("redefined", [12], [6, 12, 24], "no")
    'outcome redefined, time points added (not disclosed)'
    """
    if match not in MATCHES:
        raise ValueError(f"match must be one of {', '.join(MATCHES)}; got {match!r}")
    reg, rep = set(registered) - {0}, set(reported) - {0}
    suffix = {"yes": " (disclosed)", "partly": " (partly disclosed)", "no": " (not disclosed)"}.get(disclosed, "")
    added = ", time points added" if reg and rep > reg else ""
    if match == "not_registered":
        return "reported, not registered"
    if match == "not_reported":
        return "registered, not reported" + suffix
    if match == "not_stated":
        return "not in the registry record"
    if match == "unclear":
        return "not comparable"
    if reg and not reg <= rep:
        return "time points missing" + suffix
    if match == "same":
        return "as registered" + added
    if match == "substituted":
        return "instrument changed" + added + suffix
    return "outcome redefined" + added + suffix


def enrollment_comparison() -> pd.DataFrame:
    """Registered enrollment beside the paper's target, randomised and analysed counts.

    Returns
    -------
    pandas.DataFrame
        One row per count: ``stage``, ``n``, ``source``, ``differs_from_registered``
        (``yes``/``no``; empty for the registered figure itself and the withdrawals).
    """
    registered = int(value("registry.enrollment"))
    rows = [
        ("registered enrollment", registered, "registry"),
        ("planned total (sample size)", int(value("flow.target_total")), "paper, Methods"),
        ("randomised", int(value("flow.randomised")), "paper, Results"),
        ("withdrew after randomisation", int(value("flow.withdrew")), "paper, Results"),
        ("analysed", int(value("flow.analysed")), "paper, Results"),
    ]
    out = pd.DataFrame(rows, columns=["stage", "n", "source"])
    out["differs_from_registered"] = [
        "" if stage.startswith(("registered", "withdrew")) else ("yes" if n != registered else "no")
        for stage, n in zip(out["stage"], out["n"], strict=True)
    ]
    return out


def registry_vs_paper(path: str | Path = REGISTRY_ITEMS_CSV) -> pd.DataFrame:
    """The side-by-side table: each registered item against the paper, with a verdict.

    Returns
    -------
    pandas.DataFrame
        One row per item (enrollment first, then design items, then outcomes):
        ``item_id, kind, item, registered, registered_months, reported,
        reported_months, reported_where, verdict, comment``. Months are text
        (``"6, 12"``); the enrollment row is composed from the published counts.
    """
    items = load_registry_items(path)
    enr = enrollment_comparison().set_index("stage")["n"]
    rows = [{
        "item_id": "enrollment", "kind": "design", "item": "Enrollment",
        "registered": f"{enr['registered enrollment']} participants",
        "registered_months": "",
        "reported": (f"{enr['randomised']} randomised, {enr['withdrew after randomisation']} withdrew, "
                     f"{enr['analysed']} analysed; {enr['planned total (sample size)']} planned"),
        "reported_months": "", "reported_where": "Results (Participant Flow); Methods (Sample Size)",
        "verdict": ("as registered" if enr["registered enrollment"] in (enr["randomised"], enr["analysed"])
                    else "differs from both randomised and analysed"),
        "comment": "The paper does not mention the registered figure.",
    }]
    for _, r in items.iterrows():
        reg = registered_months(r["registry_key"])
        rep = _months(r["reported_months"])
        verdict = outcome_verdict(r["match"], reg, rep, r["disclosed"])
        if r["kind"] == "design" and r["match"] == "same":
            verdict = "as registered"
        rows.append({
            "item_id": r["item_id"], "kind": r["kind"], "item": r["item"], "registered": r["registered"],
            "registered_months": ", ".join(map(str, reg)), "reported": r["reported"],
            "reported_months": ", ".join(map(str, rep)), "reported_where": r["reported_where"],
            "verdict": verdict, "comment": r["comment"],
        })
    return pd.DataFrame(rows)


def registry_ledger_values(table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Ledger material for the registry comparison (the caller builds the rows).

    Returns
    -------
    pandas.DataFrame
        One row per registered item (enrollment and every outcome with registered
        months): ``key`` (``audit.registry.<item_id>``), ``value`` (registered
        enrollment for ``enrollment``; 1 when reported as registered, else 0),
        ``published`` (the paper's randomised count for enrollment, else empty),
        ``as_registered`` (bool), ``status`` (``consistent`` when reported as
        registered, else ``inconsistent``: a check of two records against each other,
        never ``reproduced``), ``note``.
    """
    table = registry_vs_paper() if table is None else table
    registered = table[(table["item_id"] == "enrollment") | (table["registered_months"] != "")]
    rows = []
    for _, r in registered.iterrows():
        ok = r["verdict"].startswith("as registered")
        if r["item_id"] == "enrollment":
            val, pub = float(value("registry.enrollment")), str(int(value("flow.randomised")))
            note = f"registered {r['registered']}; the paper: {r['reported']}"
        else:
            val, pub = float(ok), ""
            note = f"{r['item']}: {r['verdict']}"
        rows.append({"key": f"audit.registry.{r['item_id']}", "value": val, "published": pub,
                     "as_registered": ok, "status": "consistent" if ok else "inconsistent", "note": note})
    return pd.DataFrame(rows)


def registry_checks(table: pd.DataFrame | None = None) -> pd.DataFrame:
    """The registered items of :func:`registry_vs_paper` (enrollment and every outcome
    with registered months) with a two-word verdict for the audit's summary:
    ``consistent`` when reported as registered, else ``inconsistent`` (as in
    :func:`registry_ledger_values`)."""
    table = registry_vs_paper() if table is None else table
    registered = table[(table["item_id"] == "enrollment") | (table["registered_months"] != "")]
    as_registered = registered["verdict"].str.startswith("as registered")
    return registered.assign(verdict=np.where(as_registered, "consistent", "inconsistent"))


__all__.append("registry_checks")
