"""The printed Table 4 (the trial paper's mixed models) as data: read, checked against itself, and set beside a fit.

:func:`published_table4` reads the printed coefficients, :func:`published_consistency`
checks each printed row's estimate, SE, z and p against one another, and
:func:`distance_to_published` measures fitted coefficients from the printed ones in units
of the printed SE. The models themselves are :mod:`ipsrep.analyses.mixed`; the ranking of
candidate specifications by this distance is :mod:`ipsrep.analyses.mixed_ranking`.
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy.stats import norm

from ipsrep.inputs.measures import MEASURE_BY_NAME

__all__ = ["published_table4", "published_consistency", "distance_to_published", "published_se_ratios",
           "inconsistent_rows", "inconsistency_text"]


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


def published_se_ratios(measures: Iterable[str] | None = None) -> pd.DataFrame:
    """Two ratios of the printed Table 4 SEs that tell the codings apart.

    With time a slope pooled over everyone and the interaction a difference between two
    groups' slopes, the interaction SE is about sqrt(N/n_IPS + N/n_TAU) (about 2) times
    the time SE; with group 0/1 and the intercept the reference group's level, the
    group SE is about sqrt(1 + n_TAU/n_IPS) (about 1.2) times the intercept SE. Effect
    coding makes both about 1.

    Parameters
    ----------
    measures : iterable of str, optional
        Measures in the order shown (default: the order of the printed table).

    Returns
    -------
    DataFrame
        ``measure, interaction SE / time SE, group SE / intercept SE``.
    """
    se = published_table4().pivot(index="measure", columns="term", values="se")
    if measures is not None:
        se = se.reindex(list(measures))
    return pd.DataFrame({"measure": se.index,
                         "interaction SE / time SE": (se["interaction"] / se["time"]).to_numpy(),
                         "group SE / intercept SE": (se["group"] / se["intercept"]).to_numpy()})


def inconsistent_rows(consistency: pd.DataFrame) -> pd.DataFrame:
    """The printed Table 4 rows of :func:`published_consistency` whose z or p does not
    follow from their other numbers, with the columns a reader needs."""
    bad = consistency[~consistency["consistent"].astype(bool) | ~consistency["p_consistent"].astype(bool)]
    return bad[["measure", "term", "estimate", "se", "z", "p", "z_low", "z_high", "p_consistent",
                "z_implied_estimate"]].reset_index(drop=True)


def inconsistency_text(consistency: pd.DataFrame) -> str:
    """One sentence per printed Table 4 row whose estimate and SE cannot give its printed
    z (:func:`published_consistency`), as Markdown."""
    bad = consistency[~consistency["consistent"].astype(bool)]
    return " ".join(
        f"For {MEASURE_BY_NAME[r['measure']].label if r['measure'] in MEASURE_BY_NAME else r['measure']} "
        f"({r['term']}), the printed estimate {r['estimate']:g} with SE {r['se']:g} gives a z "
        f"between {r['z_low']:.2f} and {r['z_high']:.2f}, not the printed {r['z']:.2f}; the printed z and p point "
        f"to an estimate near {r['z_implied_estimate']:.2f}, so the printed estimate looks like a misprint."
        for _, r in bad.iterrows()
    ) or "Every printed row is consistent."
