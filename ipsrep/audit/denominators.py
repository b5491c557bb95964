"""Implied denominators: how many people stand behind each printed percentage.

The trial paper prints valid percentages (Tables 1 and 2: "based on the total number of
respondents") without their denominators, the Norwegian summary prints process
measures as bare percentages, and the Results give job types the same way. A count k
and a percentage P printed with d decimals admit exactly the denominators n for which
``100 k / n`` rounds to P; a set of percentages that share one denominator admits the n
for which every one of them is some whole count over n. Comparing those n with the
participant flow (38 IPS, 20 TAU analysed) shows how many answered each item.

When no denominator rounds to a printed percentage, the *truncated* reading (digits cut
off, not rounded) is tried: a percentage that fits only that way is
``consistent_other_variant``, one that fits neither ``inconsistent``.

References
----------
Brown NJL, Heathers JAJ. The GRIM test. Soc Psychol Personal Sci 2017;8:363-9 (the same
arithmetic, applied to percentages). Sveinsdottir et al. Pain Med 2022 (Tables 1-2,
Results, Discussion); Reme, Tidsskr Nor Psykologforen 2022;59:896-8 (process measures).
"""
from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from ipsrep.analyses.productivity import implied_job_totals
from ipsrep.audit.common import (
    CONTINUOUS_ROWS,
    implied_denominators,
    percentage_denominator_table,
    table1_valid_n_range,
    whole_number_span,
)
from ipsrep.audit.grim import GRIDS, admitted_on_grid
from ipsrep.audit.recompute import admitted_sample_sizes, check_t_test
from ipsrep.inputs.published import load_published, value
from ipsrep.methods.granularity import consistent_sample_sizes
from ipsrep.methods.rounding import decimals_of, rounding_window

__all__ = [
    "implied_denominators",
    "percentage_denominator_table",
    "table1_valid_n_range",
    "common_denominators",
    "process_denominators",
    "jobs_denominators",
    "response_rates",
    "response_range_check",
    "table1_admitted_n",
    "hscl_cutoff_cross_check",
]


def common_denominators(printed: Iterable[str], n_values: Iterable[int]) -> pd.DataFrame:
    """Denominators under which several printed percentages are all whole counts over n.

    Parameters
    ----------
    printed : iterable of str
        Percentages as printed (decimals from the text).
    n_values : iterable of int
        Candidate denominators.

    Returns
    -------
    pandas.DataFrame
        One row per admitted n: ``n`` and ``counts`` (the count behind each
        percentage, in order), from :func:`ipsrep.methods.granularity.consistent_sample_sizes`
        with a step of 100 (a person counts 100% / n).

    >>> common_denominators(["50", "33"], range(1, 13))["n"].tolist()
    [6, 12]
    """
    printed = [str(p) for p in printed]
    found = consistent_sample_sizes([float(p) for p in printed], [decimals_of(p) for p in printed],
                                    n_values, step=100)
    return found.rename(columns={"totals": "counts"})


def process_denominators(n_max: int | None = None) -> pd.DataFrame:
    """Respondents behind the Norwegian summary's process percentages (IPS group, 6 months).

    Reads every ``process.*_pct`` number of ``data/published/`` (satisfaction,
    usefulness, hindrances, helpful factors) and tries every n up to `n_max` (default:
    the IPS group size).

    Returns
    -------
    pandas.DataFrame
        One row per admitted n: ``n``, ``counts`` (tuple, one per item) and one column
        per item with its count.
    """
    pub = load_published()
    keys = [k for k in pub.index if k.startswith("process.") and k.endswith("_pct")]
    if not keys:
        raise ValueError("data/published/ holds no process.*_pct numbers (the process measures)")
    n_max = int(value("flow.ips_n")) if n_max is None else int(n_max)
    found = common_denominators([str(pub.at[k, "printed"]) for k in keys], range(1, n_max + 1))
    for i, k in enumerate(keys):
        found[k.removeprefix("process.").removesuffix("_pct")] = [c[i] for c in found["counts"]]
    return found


def jobs_denominators(*, n_max: int = 60, other_sectors: int | None = None) -> pd.DataFrame:
    """Numbers of jobs for which the four printed job-type shares are whole counts.

    Parameters
    ----------
    n_max : int, default 60
        Largest number of jobs tried.
    other_sectors : int, optional
        Sectors beyond the four named ones that each had at least one job (default:
        the sectors listed in the Norwegian summary's figure minus the four named,
        ``background.job_sectors_listed`` in ``data/published/``).

    Returns
    -------
    pandas.DataFrame
        One row per admitted number of jobs: ``n_jobs``, ``named_jobs`` (jobs in the
        four named sectors), ``other_jobs`` (the rest), ``counts`` (text, per sector)
        and ``fits_sectors`` (the rest can give each other sector at least one job).

    Notes
    -----
    Built on :func:`ipsrep.analyses.productivity.implied_job_totals` (exact fractions, ties
    either way).
    """

    if other_sectors is None:
        other_sectors = int(value("background.job_sectors_listed")) - 4
    t = implied_job_totals(n_max=n_max)
    rows = []
    for n, g in t.groupby("n_jobs", sort=True):
        named = int(g["named_jobs"].iloc[0])
        rows.append({"n_jobs": int(n), "named_jobs": named, "other_jobs": int(n) - named,
                     "counts": ", ".join(f"{c} {j}" for c, j in zip(g["category"], g["jobs"], strict=True)),
                     "fits_sectors": int(n) - named >= other_sectors})
    return pd.DataFrame(rows, columns=["n_jobs", "named_jobs", "other_jobs", "counts", "fits_sectors"])


def response_rates(table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Primary-outcome response rates implied by Table 2's denominators.

    Returns
    -------
    pandas.DataFrame
        One row per follow-up and group (IPS, TAU, then both): ``follow_up, group,
        respondents`` (implied by the printed percentage), ``analysed`` (flow),
        ``response_pct``.
    """
    table = percentage_denominator_table() if table is None else table
    t2 = table[table["key"].str.startswith("t2.")].copy()
    t2["follow_up"] = t2["key"].str.split(".").str[1]
    rows = []
    for visit, g in t2.groupby("follow_up", sort=False):
        for _, r in g.iterrows():
            rows.append(
                {"follow_up": visit, "group": r["group"], "respondents": int(r["n"]), "analysed": int(r["base"])}
            )
        rows.append(
            {"follow_up": visit, "group": "both", "respondents": int(g["n"].sum()), "analysed": int(g["base"].sum())}
        )
    out = pd.DataFrame(rows)
    out["response_pct"] = 100.0 * out["respondents"] / out["analysed"]
    return out


def response_range_check(rates: pd.DataFrame | None = None) -> pd.DataFrame:
    """Does "85% to 97%" (Discussion) match the implied response rates?

    Returns
    -------
    pandas.DataFrame
        Two rows (``by group`` and ``pooled``): ``basis, low, high`` (percent),
        ``printed_low, printed_high`` and ``consistent`` (both ends round to the
        printed ones).
    """
    rates = response_rates() if rates is None else rates
    lo_p, hi_p = (str(load_published().at[k, "printed"]) for k in ("flow.response_rate_min", "flow.response_rate_max"))
    out = []
    for basis, sel in (("by group", rates["group"] != "both"), ("pooled", rates["group"] == "both")):
        low, high = float(rates.loc[sel, "response_pct"].min()), float(rates.loc[sel, "response_pct"].max())
        wl, wh = rounding_window(lo_p), rounding_window(hi_p)
        out.append({"basis": basis, "low": low, "high": high, "printed_low": lo_p, "printed_high": hi_p,
                    "consistent": bool(wl[0] <= low <= wl[1] and wh[0] <= high <= wh[1])})
    return pd.DataFrame(out)


def table1_admitted_n(ips_n: Iterable[int] | None = None, tau_n: Iterable[int] | None = None) -> pd.DataFrame:
    """Respondents behind Table 1's continuous rows, from their p-values and granularity.

    For each continuous row, the group sizes (within the range Table 1's percentages
    imply, by default) under which (i) the printed p is reproduced by the matching
    t-test and (ii) each group's mean and SD pass GRIMMER on the scale's grid (the
    scale's finer fallback grids in turn where the strict one leaves no pair, see
    :mod:`ipsrep.audit.grim`).

    Returns
    -------
    pandas.DataFrame
        One row per characteristic: ``row, test`` (Student or Welch), ``grid`` (the
        grid used), ``n_ips_by_p,
        n_tau_by_p`` (sizes in an admitted pair), ``n_ips_by_grid, n_tau_by_grid``,
        ``n_ips, n_tau`` (both conditions, pairwise), ``n_ips_max, n_tau_max`` (the
        largest of those), ``full_n`` (whether 38 and 20 pass both).
    """

    span = table1_valid_n_range()
    ips_n = list(range(span["IPS"][0], span["IPS"][1] + 1)) if ips_n is None else list(ips_n)
    tau_n = list(range(span["TAU"][0], span["TAU"][1] + 1)) if tau_n is None else list(tau_n)
    full = (int(value("flow.ips_n")), int(value("flow.tau_n")))
    pub = load_published()
    rows = []
    for name in CONTINUOUS_ROWS:
        k = f"t1.{name}."
        args = [str(pub.at[k + s, "printed"]) for s in ("ips_mean", "ips_sd", "tau_mean", "tau_sd")]
        m1, s1, m2, s2 = args
        scan = admitted_sample_sizes(str(pub.at[k + "p", "printed"]), m1, s1, m2, s2, ips_n, tau_n)
        test = "student" if scan["student"].any() else "welch"
        by_p = scan[scan[test]]
        grid = GRIDS[name]
        for step, label in [(grid.step, grid.label), *grid.alternatives]:  # noqa: B007  the grid the loop stops at is reported below
            grid_ips = admitted_on_grid(args[0], args[1], ips_n, step)
            grid_tau = admitted_on_grid(args[2], args[3], tau_n, step)
            both = by_p[by_p["n1"].isin(grid_ips) & by_p["n2"].isin(grid_tau)]
            if not both.empty:
                break
        rows.append(
            {
                "row": name,
                "test": test.capitalize(),
                "grid": label,
                "n_ips_by_p": whole_number_span(sorted(set(by_p["n1"]))),
                "n_tau_by_p": whole_number_span(sorted(set(by_p["n2"]))),
                "n_ips_by_grid": whole_number_span(grid_ips),
                "n_tau_by_grid": whole_number_span(grid_tau),
                "n_ips": whole_number_span(sorted(set(both["n1"]))),
                "n_tau": whole_number_span(sorted(set(both["n2"]))),
                "n_ips_max": int(both["n1"].max()) if not both.empty else None,
                "n_tau_max": int(both["n2"].max()) if not both.empty else None,
                "full_n": bool(((both["n1"] == full[0]) & (both["n2"] == full[1])).any()),
            }
        )
    return pd.DataFrame(rows)


def hscl_cutoff_cross_check() -> pd.DataFrame:
    """Table 1's HSCL mean row, checked at the respondents its cutoff row implies.

    The "above cutoff" row is computed from HSCL scores, so its denominators (from its
    printed counts and percentages) should also be the n behind the HSCL mean, SD and
    p. Both the t-test p and GRIMMER are checked at those n.

    Returns
    -------
    pandas.DataFrame
        One row: ``n_ips, n_tau`` (from the cutoff row), ``p_printed``, ``p_low,
        p_high`` (Student's test at those n), ``verdict`` (of the p, see
        :func:`ipsrep.audit.recompute.check_t_test`), ``grimmer_ips, grimmer_tau``.
    """

    pub = load_published()
    table = percentage_denominator_table().set_index("key")
    n1, n2 = int(table.at["t1.hscl_above_cutoff.ips_pct", "n"]), int(table.at["t1.hscl_above_cutoff.tau_pct", "n"])
    pr = {s: str(pub.at[f"t1.hscl.{s}", "printed"]) for s in ("ips_mean", "ips_sd", "tau_mean", "tau_sd", "p")}
    row = check_t_test("t1.hscl.p", pr["p"], pr["ips_mean"], pr["ips_sd"], n1, pr["tau_mean"], pr["tau_sd"], n2)
    step = GRIDS["hscl"].step
    return pd.DataFrame([{
        "n_ips": n1, "n_tau": n2, "p_printed": pr["p"], "p_low": row["low"], "p_high": row["high"],
        "verdict": row["verdict"],
        "grimmer_ips": bool(admitted_on_grid(pr["ips_mean"], pr["ips_sd"], [n1], step)),
        "grimmer_tau": bool(admitted_on_grid(pr["tau_mean"], pr["tau_sd"], [n2], step)),
    }])
