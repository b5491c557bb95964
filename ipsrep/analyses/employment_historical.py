"""Research question 1, ancillary: IPS participants employed at 12 months against historical
controls from the Oslo University Hospital Pain Registry, which exist only as published counts
(Sveinsdottir et al. 2022, Results): the comparison on the printed counts
(:func:`historical_control_comparison`), the same with the IPS count of the data in use
(:func:`historical_on_data`), their display and ledger rows.

Split from :mod:`ipsrep.analyses.employment`, whose 2x2 helpers it uses.
"""
from __future__ import annotations

import math

import pandas as pd

from ipsrep.analyses.employment import inestimable_two_by_two
from ipsrep.analyses.paper import compare
from ipsrep.inputs.published import value
from ipsrep.methods import proportions

__all__ = [
    "published_historical_counts",
    "HISTORICAL_ROWS",
    "historical_on_data",
    "historical_display",
    "historical_control_comparison",
    "historical_ledger",
]


def published_historical_counts() -> dict[str, int]:
    """The counts behind the paper's ancillary analysis, from ``data/published/``.

    Returns
    -------
    dict
        ``ips_employed`` (19), ``ips_n`` (the chi-squared's n, 351, minus the 315
        registry controls: 36), ``hc_employed`` (52) and ``hc_n`` (315).

    Notes
    -----
    The paper prints the IPS count and percentage, the controls' count and
    percentage, the controls' n (Methods) and the test's total n (Results); the IPS
    denominator follows from the last two.
    """
    hc_n = int(value("hist.hc_n"))
    return {"ips_employed": int(value("hist.ips_count")), "ips_n": int(value("hist.n_total")) - hc_n,
            "hc_employed": int(value("hist.hc_count")), "hc_n": hc_n}


HISTORICAL_ROWS = {
    "a": "IPS employed", "n1": "IPS n", "pct1": "IPS employed (%)", "b": "Historical controls employed",
    "n2": "Historical controls n", "pct2": "Historical controls employed (%)", "n_total": "Total n",
    "chi2": "Pearson χ²", "p_chi2": "p (Pearson χ²)", "min_expected": "Smallest expected count",
    "test": "Test the paper's rule picks", "p": "p (the rule's test)", "odds_ratio": "Odds ratio",
    "ci_low": "OR 95% CI, lower", "ci_high": "OR 95% CI, upper",
}
"""The rows of :func:`historical_display`, in order, with their labels."""


def historical_on_data(table: pd.DataFrame, counts: dict[str, int], *, level: float = 0.95) -> pd.DataFrame:
    """The historical-control comparison with the 12-month IPS count of the data in use.

    `table` is :func:`employment_table` output, `counts` :func:`published_historical_counts`.
    When no IPS participant answered at 12 months the row keeps the counts, leaves every
    statistic empty and says why in ``reason``.
    """
    r = table.set_index("follow_up").loc["12m"]
    if not int(r["n1"]):
        return inestimable_two_by_two(int(r["a"]), 0, counts["hc_employed"], counts["hc_n"],
                                      "not computed: no IPS participant has a value of employed_12m")
    out = historical_control_comparison(int(r["a"]), int(r["n1"]), counts["hc_employed"], counts["hc_n"],
                                        level=level)
    return out.assign(reason="")



def historical_display(comparisons: dict) -> pd.DataFrame:
    """Comparisons with the historical controls for reading: one column per comparison
    (`comparisons` maps its heading to a row of :func:`historical_control_comparison`),
    one labelled row per quantity (:data:`HISTORICAL_ROWS`), counts as whole numbers,
    percentages to one decimal, p-values as the paper prints them, the rest to two."""
    from ipsrep.methods.formatting import format_p

    def cell(name, value):
        if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
            return "not computed"
        if isinstance(value, str):
            return {"pearson": "Pearson χ²", "fisher": "Fisher's exact"}.get(value, value)
        if name in ("a", "n1", "b", "n2", "n_total"):
            return f"{int(value)}"
        if name.startswith("p_"):
            return format_p(float(value))
        if name.startswith("pct"):
            return f"{float(value):.1f}"
        return f"{float(value):.2f}"

    out = {heading: [cell(k, (row.iloc[0] if isinstance(row, pd.DataFrame) else row).get(k)) for k in HISTORICAL_ROWS]
           for heading, row in comparisons.items()}
    return pd.DataFrame(out, index=pd.Index(list(HISTORICAL_ROWS.values()), name="Quantity")).reset_index()


def historical_control_comparison(ips_employed: int, ips_n: int, hc_employed: int, hc_n: int,
                                  *, level: float = 0.95) -> pd.DataFrame:
    """IPS group versus the Pain Registry's historical controls (the paper's ancillary analysis).

    Parameters
    ----------
    ips_employed, ips_n : int
        IPS participants employed during the 12-month follow-up, and respondents.
    hc_employed, hc_n : int
        Registry patients reporting current employment at 12 months, and respondents.
    level : float, default 0.95
        Confidence level of the odds-ratio interval.

    Returns
    -------
    pandas.DataFrame
        The row of :func:`ipsrep.methods.proportions.two_by_two` (IPS as group 1), plus
        ``n_total`` (``ips_n + hc_n``) and ``df`` (1).

    Notes
    -----
    Pearson chi-squared, odds ratio and Woolf interval, as the paper states; the row
    also carries ``p`` and ``test`` (Fisher's exact p if an expected count falls
    below 5, possible when a small IPS arm of other data is set against the controls),
    which a comparison on other data should report. The two
    outcomes differ: *any* job during 12 months for IPS against *current* work at 12
    months for the controls, which flatters IPS; the comparison is also not
    randomised.

    References
    ----------
    Sveinsdottir et al. 2022, Methods and Results, Ancillary Analysis. Granan LP et
    al. The Oslo University Hospital Pain Registry. Scand J Pain 2019;19:365-73.

    Examples
    --------
    >>> r = historical_control_comparison(19, 36, 52, 315)
    >>> round(float(r.loc[0, "chi2"]), 2), round(float(r.loc[0, "odds_ratio"]), 2)
    (26.34, 5.65)
    """
    row = proportions.two_by_two(ips_employed, ips_n, hc_employed, hc_n, level=level)
    row["n_total"] = int(ips_n) + int(hc_n)
    row["df"] = 1
    return row



def historical_ledger(row: pd.DataFrame, *, bundled: bool) -> pd.DataFrame:
    """Ledger rows ``hist.*`` for :func:`historical_control_comparison` on the published counts.

    The comparison uses only printed counts, so the rows check the paper's arithmetic
    and their values are the same whatever participant data are in use: their status
    is ``consistent`` or ``inconsistent`` (never ``reproduced``). The test is Pearson's,
    as the paper names it for this comparison, fixed (its smallest expected count is
    far above 5). Like every other row, they carry the printed number and a status only
    when `bundled` (pass ``ctx.bundled``); on other data those cells stay empty.
    """
    r = row.iloc[0]
    values = {"hist.ips_count": r["a"], "hist.ips_pct": r["pct1"], "hist.hc_count": r["b"],
              "hist.hc_pct": r["pct2"], "hist.hc_n": r["n2"], "hist.n_total": r["n_total"], "hist.df": r["df"],
              "hist.chi2": r["chi2"], "hist.p": r["p_chi2"], "hist.or": r["odds_ratio"],
              "hist.or_lo": r["ci_low"], "hist.or_hi": r["ci_high"]}
    return compare(values, bundled=bundled, check=True)
