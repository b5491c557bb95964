"""The printed Table 4 (the trial paper's mixed models) as data: read, checked against itself, and set beside a fit.

:func:`published_table4` reads the printed coefficients, :func:`published_consistency`
checks each printed row's estimate, SE, z and p against one another, and
:func:`distance_to_published` measures fitted coefficients from the printed ones in units
of the printed SE. The models themselves are :mod:`ipsrep.analyses.mixed`; the ranking of
candidate specifications by this distance is :mod:`ipsrep.analyses.mixed_ranking`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

__all__ = ["published_table4", "published_consistency", "distance_to_published"]


def published_table4() -> pd.DataFrame:
    """The printed Table 4 as a tidy frame: ``measure, term, estimate, se, z, p``.

    Read from ``data/published/trial.csv`` (keys ``t4.<measure>.<term>.<stat>``).
    """
    from ipsrep.inputs.published import load_published

    pub = load_published()
    pub = pub[pub["key"].str.startswith("t4.")]
    parts = pub["key"].str.split(".", expand=True)
    tidy = pd.DataFrame({"measure": parts[1].to_numpy(), "term": parts[2].to_numpy(),
                         "stat": parts[3].to_numpy(), "value": pub["value"].to_numpy()})
    wide = tidy.pivot_table(index=["measure", "term"], columns="stat", values="value", sort=False).reset_index()
    wide.columns.name = None
    return wide[["measure", "term", "estimate", "se", "z", "p"]]


def published_consistency() -> pd.DataFrame:
    """Check each printed Table 4 row against itself: estimate / SE versus z versus p.

    For every printed row, the z that the printed estimate and SE allow (over all
    values that round to them, :func:`ipsrep.methods.rounding.rounding_window`) is compared with
    the printed z, and the two-sided normal p that the printed z allows with the
    printed p. A row whose estimate and SE cannot give its printed z is flagged as
    inconsistent: its estimate cannot be trusted as a target. (A p that misses the
    printed z by a hair, as Stata's unrounded z can make it, is reported in
    ``p_consistent`` but not flagged.)

    Returns
    -------
    DataFrame
        ``measure, term, estimate, se, z, p`` (printed), ``z_low, z_high`` (z allowed
        by estimate and SE), ``z_consistent``, ``p_consistent``, ``consistent`` (=
        ``z_consistent``) and ``z_implied_estimate`` (printed z times printed SE).
    """
    from ipsrep.inputs.published import load_published
    from ipsrep.methods.rounding import rounding_window

    pub = load_published()
    rows = []
    for _, r in published_table4().iterrows():
        stem = f"t4.{r['measure']}.{r['term']}."
        text = {k: str(pub.at[stem + k, "printed"]) for k in ("estimate", "se", "z", "p")}
        est, se, z, p = (rounding_window(text[k]) for k in ("estimate", "se", "z", "p"))
        corners = [e / s_ for e in est for s_ in se if s_ > 0]
        z_low, z_high = min(corners), max(corners)
        z_ok = z_low <= z[1] and z_high >= z[0]
        p_from_z = sorted(2 * norm.sf(abs(v)) for v in z)
        p_ok = p_from_z[0] <= p[1] and p_from_z[1] >= p[0]
        rows.append({**r.to_dict(), "z_low": z_low, "z_high": z_high, "z_consistent": z_ok,
                     "p_consistent": p_ok, "consistent": z_ok,
                     "z_implied_estimate": r["z"] * r["se"]})
    return pd.DataFrame(rows)


def distance_to_published(fitted: pd.DataFrame, published: pd.DataFrame | None = None) -> pd.DataFrame:
    """Set fitted coefficients beside the printed ones, in units of the printed SE.

    Parameters
    ----------
    fitted : DataFrame
        Output of :func:`table4` (``measure, term, estimate, se, ...``).
    published : DataFrame, optional
        Output of :func:`published_table4` (default: read it).

    Returns
    -------
    DataFrame
        ``measure, term, estimate, printed, printed_se, se, distance`` ((estimate -
        printed) / printed SE), ``within_1se`` (|distance| <= 1), ``same_sign`` and
        ``se_ratio`` (fitted SE over printed SE).
    """
    published = published_table4() if published is None else published
    both = fitted[["measure", "term", "estimate", "se"]].merge(
        published[["measure", "term", "estimate", "se"]].rename(columns={"estimate": "printed", "se": "printed_se"}),
        on=["measure", "term"], how="inner",
    )
    both["distance"] = (both["estimate"] - both["printed"]) / both["printed_se"]
    both["within_1se"] = both["distance"].abs() <= 1.0
    both["same_sign"] = np.sign(both["estimate"]) == np.sign(both["printed"])
    both["se_ratio"] = both["se"] / both["printed_se"]
    return both[["measure", "term", "estimate", "printed", "printed_se", "se", "distance",
                 "within_1se", "same_sign", "se_ratio"]]
