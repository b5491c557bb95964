"""The report's computed numbers set beside the paper's printed ones: the ledger's rows,
and what kind of evidence each verdict gives.

What knows the paper lives here (the published numbers of ``data/published/``, and which
ledger keys come from a bundled reconstruction whatever the data); the comparison itself,
independent of this trial, is :mod:`ipsrep.methods.comparison`.
"""
from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ipsrep.inputs.published import load_published
from ipsrep.methods.comparison import CHECK_STATUSES, Comparison, compare_with_printed

__all__ = ["EVIDENCE", "RECONSTRUCTED_PREFIXES", "evidence", "compare"]


EVIDENCE = {
    "printed": "a check of the paper's printed numbers against each other (or recomputed from them): "
               "it tells about the paper",
    "reconstruction": "reproduced from the synthetic reconstruction, which was built to match these printed "
                      "numbers: it checks the reconstruction, not the paper",
    "unknowable": "depends on what the printed summaries do not fix, so the reconstruction cannot know it",
    "participant data": "computed from participant-level data and compared with the printed digits: "
                        "a replication of the paper",
}
"""The kinds of evidence a ledger verdict gives (:func:`evidence`), with what each means."""

RECONSTRUCTED_PREFIXES = ("pilot.",)
"""Ledger keys computed from a bundled reconstruction on any data (the pilot's participants,
``data/pilot/``), whatever trial file is in use."""


def evidence(key: str, status: str, *, synthetic: bool) -> str:
    """What kind of evidence a ledger row's verdict gives (a key of :data:`EVIDENCE`), or
    "" for a row with no verdict.

    The rule: a check of printed numbers (``consistent``/``inconsistent``) and a
    contradiction within the sources (``source_inconsistent``) tell about the paper
    (``printed``); ``approximate`` is what the reconstruction cannot know
    (``unknowable``); ``reproduced`` and ``discrepant`` check the reconstruction when the
    row was computed from one (the bundled trial file, or the pilot's participants on any
    data: ``reconstruction``), else they replicate the paper (``participant data``).

    >>> evidence("audit.t2.or", "consistent", synthetic=True), evidence("t2.12m.or", "reproduced", synthetic=True)
    ('printed', 'reconstruction')
    >>> evidence("t4.odi.time.p", "approximate", synthetic=True), evidence("t2.12m.or", "discrepant", synthetic=False)
    ('unknowable', 'participant data')
    >>> evidence("pilot.n", "reproduced", synthetic=False), evidence("x", "", synthetic=True)
    ('reconstruction', '')
    """
    if status in CHECK_STATUSES or status == "source_inconsistent":
        return "printed"
    if status == "approximate":
        return "unknowable"
    if status in ("reproduced", "discrepant"):
        return "reconstruction" if synthetic or str(key).startswith(RECONSTRUCTED_PREFIXES) else "participant data"
    return ""


def compare(
    reproduced: Mapping[str, float],
    *,
    bundled: bool | Comparison,
    status: Mapping[str, str] | None = None,
    notes: Mapping[str, str] | None = None,
    quantities: Mapping[str, str] | None = None,
    check: bool = False,
    alternatives: Mapping[str, Mapping[str, float]] | None = None,
    counts: Mapping[str, tuple[int, int]] | None = None,
) -> pd.DataFrame:
    """Ledger rows for computed values, set beside the paper's printed numbers by key.

    :func:`ipsrep.methods.comparison.compare_with_printed` with the numbers of
    ``data/published/`` (:func:`ipsrep.inputs.published.load_published`): the trial
    paper's, the pilot's and the qualitative study's. A key that is not published is our
    own quantity (say what it is in `quantities`). The arguments are those of
    :func:`~ipsrep.methods.comparison.compare_with_printed`.

    >>> compare({"t2.12m.ips_count": 19}, check=True, bundled=True)["status"].tolist()
    ['consistent']
    """
    return compare_with_printed(reproduced, load_published(), bundled=bundled, status=status, notes=notes,
                                quantities=quantities, check=check, alternatives=alternatives, counts=counts)
