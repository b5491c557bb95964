"""The reporting audit: the trial paper's numbers checked against each other.

Modules, one per responsibility:

- :mod:`~ipsrep.audit.recompute`: every printed test result recomputed from the
  other printed numbers, with rounding windows, and classified ``consistent``,
  ``consistent_other_variant`` or ``inconsistent`` (judged in :mod:`~ipsrep.audit.verdicts`,
  one test result recomputed in :mod:`~ipsrep.audit.printed_tests`);
- :mod:`~ipsrep.audit.grim`: GRIM and GRIMMER on the means and SDs of fixed-step
  scales (Tables 1 and 3, hours worked, the pilot's interviews);
- :mod:`~ipsrep.audit.denominators`: the n behind every valid percentage, the process
  measures and the job types, and the respondents Table 1's p-values admit;
- :mod:`~ipsrep.audit.registry`: the registry record (NCT02697656) against the paper;
- :mod:`~ipsrep.audit.planning`: the sample-size paragraph, the achieved power and
  the size of a trial that could settle the question;
- :mod:`~ipsrep.audit.ledger_rows`: the ``audit.*`` ledger rows built from all of them.

Nothing here reads participant data except :mod:`~ipsrep.audit.planning`, which takes
the observed 12-month employment counts of the data in use.
"""
from __future__ import annotations

import pandas as pd

from ipsrep.audit import denominators, grim, ledger_rows, planning, recompute, registry
from ipsrep.audit.recompute import VERDICTS

__all__ = ["denominators", "grim", "ledger_rows", "planning", "recompute", "registry", "VERDICTS", "verdict_counts"]


def verdict_counts(**tables: pd.DataFrame) -> pd.DataFrame:
    """How many checks of each family ended in each verdict.

    Parameters
    ----------
    **tables : DataFrame
        Check tables with a ``verdict`` column, by family name (e.g.
        ``statistics=..., granularity=..., percentages=...``).

    Returns
    -------
    pandas.DataFrame
        One row per family: ``family``, one column per verdict in :data:`VERDICTS`
        and ``checked`` (the total).

    >>> verdict_counts(x=pd.DataFrame({"verdict": ["consistent", "inconsistent", "consistent"]}))
      family  consistent  consistent_other_variant  inconsistent  checked
    0      x           2                         0             1        3
    """
    out = []
    for name, table in tables.items():
        counts = table["verdict"].value_counts()
        row = {"family": name, **{v: int(counts.get(v, 0)) for v in VERDICTS}}
        row["checked"] = len(table)
        out.append(row)
    return pd.DataFrame(out, columns=["family", *VERDICTS, "checked"])
