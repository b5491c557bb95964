"""Tests of ipsrep.analyses.employment against hand-computed 2x2 results, the paper's numbers and
formulas written out with the standard library."""
from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest

from ipsrep.analyses import employment, employment_historical, employment_power

Z = NormalDist()


def make_trial(counts: dict[str, dict[str, tuple[int, int, int]]]) -> pd.DataFrame:
    """A participant table from (employed, not employed, missing) per group and follow-up.

    Each group has as many rows as the largest total given; unused rows are missing.
    """
    frames = []
    for group, per_fu in counts.items():
        size = max(sum(v) for v in per_fu.values())
        frame = pd.DataFrame({"group": [group] * size})
        for fu, (yes, no, _missing) in per_fu.items():
            col = [1.0] * yes + [0.0] * no + [np.nan] * (size - yes - no)
            frame[f"employed_{fu}"] = col
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


# The paper's Table 2 counts (IPS n respondents 34/36/37 of 38, TAU 19/18/17 of 20)
TABLE2 = {
    "IPS": {"6m": (11, 23, 4), "12m": (19, 17, 2), "24m": (22, 15, 1)},
    "TAU": {"6m": (6, 13, 1), "12m": (7, 11, 2), "24m": (7, 10, 3)},
}


def hand_pearson(a, n1, b, n2):
    c, d = n1 - a, n2 - b
    n = n1 + n2
    chi2 = n * (a * d - b * c) ** 2 / (n1 * n2 * (a + b) * (c + d))
    p = math.erfc(math.sqrt(chi2 / 2))  # 1 df: P(chi2_1 > x) = P(|Z| > sqrt(x))
    log_or = math.log(a * d / (b * c))
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    z = Z.inv_cdf(0.975)
    return chi2, p, math.exp(log_or), math.exp(log_or - z * se), math.exp(log_or + z * se)


@pytest.fixture
def table2_trial():
    return make_trial(TABLE2)


def test_counts_are_valid_percentages(table2_trial):
    c = employment.employment_counts(table2_trial, "12m").set_index("group")
    assert c.loc["IPS", "employed"] == 19 and c.loc["IPS", "n"] == 36
    assert c.loc["TAU", "employed"] == 7 and c.loc["TAU", "n"] == 18
    assert c.loc["IPS", "pct"] == pytest.approx(100 * 19 / 36)


def test_table2_matches_hand_formulas_and_paper(table2_trial):
    table = employment.employment_table(table2_trial).set_index("follow_up")
    printed = {  # Table 2 of the paper: p, OR, CI
        "6m": (0.954, 1.04, 0.31, 3.46),
        "12m": (0.336, 1.76, 0.56, 5.56),
        "24m": (0.211, 2.10, 0.65, 6.74),
    }
    for fu, (p, odds, lo, hi) in printed.items():
        r = table.loc[fu]
        chi2, hp, hor, hlo, hhi = hand_pearson(r["a"], r["n1"], r["b"], r["n2"])
        assert r["chi2"] == pytest.approx(chi2, rel=1e-10)
        assert r["p_chi2"] == pytest.approx(hp, rel=1e-8)
        assert r["odds_ratio"] == pytest.approx(hor, rel=1e-10)
        assert (r["ci_low"], r["ci_high"]) == pytest.approx((hlo, hhi), rel=1e-8)
        assert round(r["p_chi2"], 3) == p
        assert (round(r["odds_ratio"], 2), round(r["ci_low"], 2), round(r["ci_high"], 2)) == (odds, lo, hi)
        assert r["test"] == "pearson"  # every expected count >= 5 in Table 2
    assert table["months"].tolist() == [6, 12, 24]


def test_table2_12m_fisher_and_yates_by_hand(table2_trial):
    r = employment.employment_table(table2_trial).set_index("follow_up").loc["12m"]
    # Yates: N(|ad - bc| - N/2)^2 / (r1 r2 c1 c2) on [[19, 17], [7, 11]]
    yates = 54 * (abs(19 * 11 - 17 * 7) - 27) ** 2 / (36 * 18 * 26 * 28)
    assert r["chi2_yates"] == pytest.approx(yates, rel=1e-10)
    # Fisher two-sided: hypergeometric tables with the same margins, no more probable
    prob = {k: math.comb(36, k) * math.comb(18, 26 - k) / math.comb(54, 26) for k in range(8, 27)}
    fisher = sum(v for v in prob.values() if v <= prob[19] * (1 + 1e-7))
    assert r["p_fisher"] == pytest.approx(fisher, rel=1e-9)
    assert r["p_fisher"] > r["p_chi2"] and r["p_yates"] > r["p_chi2"]


def test_level_widens_interval(table2_trial):
    t90 = employment.employment_table(table2_trial, level=0.90).set_index("follow_up").loc["12m"]
    t99 = employment.employment_table(table2_trial, level=0.99).set_index("follow_up").loc["12m"]
    se = math.sqrt(1 / 19 + 1 / 17 + 1 / 7 + 1 / 11)
    assert t99["ci_high"] == pytest.approx(209 / 119 * math.exp(Z.inv_cdf(0.995) * se), rel=1e-8)
    assert t90["ci_low"] == pytest.approx(209 / 119 * math.exp(-Z.inv_cdf(0.95) * se), rel=1e-8)


def test_rates_wilson_by_hand(table2_trial):
    rates = employment.employment_rates(table2_trial)
    r = rates[(rates["group"] == "TAU") & (rates["follow_up"] == "24m")].iloc[0]
    n, p, z = 17, 7 / 17, Z.inv_cdf(0.975)
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((centre - half, centre + half), rel=1e-9)
    assert len(rates) == 6 and set(rates["method"]) == {"wilson"}


def test_rates_wald_by_hand(table2_trial):
    rates = employment.employment_rates(table2_trial, method="wald", level=0.9)
    r = rates[(rates["group"] == "IPS") & (rates["follow_up"] == "6m")].iloc[0]
    p = 11 / 34
    half = Z.inv_cdf(0.95) * math.sqrt(p * (1 - p) / 34)
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((p - half, p + half), rel=1e-9)


def test_rates_unknown_method(table2_trial):
    with pytest.raises(ValueError, match="method must be one of wilson"):
        employment.employment_rates(table2_trial, method="exact")


def test_bad_value_names_column_and_row(table2_trial):
    bad = table2_trial.copy()
    bad.loc[5, "employed_6m"] = 2
    with pytest.raises(ValueError, match=r"column 'employed_6m', row 5: '2\.0' is not allowed; allowed: 0, 1"):
        employment.employment_table(bad)


def test_bad_group_and_missing_column(table2_trial):
    bad = table2_trial.copy()
    bad.loc[0, "group"] = "control"
    with pytest.raises(ValueError, match=r"column 'group', row 0: 'control'"):
        employment.employment_counts(bad, "6m")
    with pytest.raises(ValueError, match="column 'employed_24m' is missing"):
        employment.employment_counts(table2_trial.drop(columns="employed_24m"), "24m")
    with pytest.raises(ValueError, match="follow_up must be one of"):
        employment.employment_counts(table2_trial, "3m")


def test_group_without_answers(table2_trial):
    empty = table2_trial.copy()
    empty.loc[empty["group"] == "TAU", "employed_6m"] = np.nan
    table = employment.employment_table(empty).set_index("follow_up")
    row = table.loc["6m"]
    assert row["reason"] == "not computed: a group has no value of employed_6m (IPS 34, TAU 0)"
    assert row["n2"] == 0 and math.isnan(row["p"]) and math.isnan(row["odds_ratio"])
    assert row["pct1"] == pytest.approx(100 * row["a"] / 34)
    assert table.loc["12m", "reason"] == "" and not math.isnan(table.loc["12m", "p"])
    shown = employment.table2_display(table.reset_index(), bundled=False)
    assert shown.loc[("6m", "recomputed"), "TAU n (%)"] == "no answers"
    assert shown.loc[("6m", "recomputed"), "P"] == "not computed"
    assert shown.loc[("6m", "recomputed"), "test"] == row["reason"]
    rows = employment.table2_ledger(table.reset_index(), bundled=True).set_index("key")
    assert math.isnan(rows.at["t2.6m.p", "reproduced"])
    assert rows.at["t2.6m.p", "status"] == "" and rows.at["t2.6m.or", "status"] == ""
    assert rows.at["t2.6m.p", "note"] == f"6m: {row['reason']}"
    assert rows.at["t2.12m.p", "status"] in ("reproduced", "discrepant")


def test_historical_control_counts_and_test():
    counts = employment_historical.published_historical_counts()
    assert counts == {"ips_employed": 19, "ips_n": 36, "hc_employed": 52, "hc_n": 315}
    r = employment_historical.historical_control_comparison(**counts).iloc[0]
    chi2, _p, odds, lo, hi = hand_pearson(19, 36, 52, 315)
    assert r["chi2"] == pytest.approx(chi2, rel=1e-10)
    assert round(r["chi2"], 2) == 26.34  # printed
    assert (round(odds, 2), round(lo, 2), round(hi, 2)) == (5.65, 2.75, 11.60)
    assert r["odds_ratio"] == pytest.approx(odds) and r["ci_high"] == pytest.approx(hi)
    assert r["p_chi2"] < 0.001 and r["n_total"] == 351 and r["df"] == 1


def hand_n(p1, p2, alpha, power):
    za, zb = Z.inv_cdf(1 - alpha / 2), Z.inv_cdf(power)
    d, pbar = abs(p1 - p2), (p1 + p2) / 2
    unpooled = (za + zb) ** 2 * (p1 * (1 - p1) + p2 * (1 - p2)) / d**2
    pooled = (za * math.sqrt(2 * pbar * (1 - pbar)) + zb * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2 / d**2
    cc = pooled / 4 * (1 + math.sqrt(1 + 4 / (pooled * d))) ** 2
    h = 2 * math.asin(math.sqrt(p1)) - 2 * math.asin(math.sqrt(p2))
    arcsine = 2 * ((za + zb) / h) ** 2  # var(2 asin sqrt(p_hat)) = 1/n per group
    return {"unpooled": unpooled, "pooled": pooled, "pooled_cc": cc, "arcsine": arcsine}


def test_sample_size_formulas():
    table = employment_power.sample_size_table(0.61, 0.23, alpha=0.05, power=0.9).set_index("method")
    hand = hand_n(0.61, 0.23, 0.05, 0.9)
    for method in ("unpooled", "pooled", "pooled_cc"):
        assert table.loc[method, "n_exact"] == pytest.approx(hand[method], rel=1e-9)
    # statsmodels' arcsine solution also counts the far tail: equal to about 1e-6 here
    assert table.loc["arcsine", "n_exact"] == pytest.approx(hand["arcsine"], rel=1e-4)
    assert table.loc["unpooled", "n_per_group"] == 31  # the paper's n
    assert table["n_per_group"].tolist() == [math.ceil(v) for v in hand.values()]
    assert (table["n_total"] == 2 * table["n_per_group"]).all()


def test_power_at_trial_size_normal_by_hand():
    r = employment_power.power_at_trial_size(0.61, 0.23, 36, 18, n_sim=2000).iloc[0]
    p1, p2, n1, n2 = 0.61, 0.23, 36, 18
    pbar = (n1 * p1 + n2 * p2) / (n1 + n2)
    s0 = math.sqrt(pbar * (1 - pbar) * (1 / n1 + 1 / n2))
    s1 = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    z = Z.inv_cdf(0.975)
    power = Z.cdf((p1 - p2 - z * s0) / s1) + Z.cdf((p2 - p1 - z * s0) / s1)
    assert r["power_normal"] == pytest.approx(power, rel=1e-9)
    assert abs(r["power_simulated"] - power) < 0.06


def test_table2_ledger_reproduces_the_printed_table(table2_trial):
    rows = employment.table2_ledger(employment.employment_table(table2_trial), bundled=True).set_index("key")
    printed = rows[rows["source"] != "ipsrep"]
    assert len(printed) == 24 and (printed["status"] == "reproduced").all()
    own = rows[rows["source"] == "ipsrep"]
    assert sorted(own.index) == sorted(f"t2.{fu}.{q}" for fu in ("6m", "12m", "24m") for q in ("p_fisher", "p_yates"))
    # the Yates p in the P column is not the printed one at 12 months
    yates = employment.table2_ledger(employment.employment_table(table2_trial), bundled=True, binary_test="yates")
    assert yates.set_index("key").at["t2.12m.p", "status"] == "discrepant"


def test_table2_ledger_on_other_data_has_no_comparison(table2_trial):
    rows = employment.table2_ledger(employment.employment_table(table2_trial), bundled=False)
    assert (rows["published"] == "").all() and (rows["status"] == "").all()


def test_table2_display_layout(table2_trial):
    d = employment.table2_display(employment.employment_table(table2_trial), bundled=True)
    assert d.loc[("12m", "recomputed"), "OR (95% CI)"] == "1.76 (0.56-5.56)"
    assert d.loc[("12m", "paper"), "IPS n (%)"] == "19 (52.8)"
    assert len(employment.table2_display(employment.employment_table(table2_trial), bundled=False)) == 3


def test_interval_comparison_clopper_pearson_by_beta_quantiles(table2_trial):
    from scipy.stats import beta

    c = employment.interval_comparison(table2_trial).loc[("12m", "TAU")]
    lo, hi = beta.ppf(0.025, 7, 12), beta.ppf(0.975, 8, 11)
    assert c["clopper_pearson"] == f"{100 * lo:.1f}-{100 * hi:.1f}"
    assert c["employed/n"] == "7/18"


def test_historical_and_sample_size_ledgers():
    hist = employment_historical.historical_control_comparison(**employment_historical.published_historical_counts())
    rows = employment_historical.historical_ledger(hist, bundled=True)
    assert (rows["status"] == "consistent").all() and len(rows) == 12
    design = employment_power.published_design()
    assert design == pytest.approx({"p_ips": 0.61, "p_tau": 0.23, "alpha": 0.05, "power": 0.9})
    table = employment_power.sample_size_table(design["p_ips"], design["p_tau"], alpha=design["alpha"],
                                               power=design["power"])
    ss = employment_power.sample_size_ledger(table, bundled=True).set_index("key")
    assert ss.at["ss.n_per_group", "status"] == "consistent"
    assert (
        employment_power.sample_size_ledger(table, method="pooled", bundled=True)
        .set_index("key").at["ss.n_per_group", "status"]
        == "inconsistent"
    )
    with pytest.raises(ValueError, match="method must be one of"):
        employment_power.sample_size_ledger(table, method="exact", bundled=True)


def test_figures_carry_the_numbers(table2_trial):
    from ipsrep.plots.employment import employment_rates_figure, odds_ratio_forest

    table = employment.employment_table(table2_trial)
    ax = odds_ratio_forest(table).axes[0]
    labels = {t.get_text(): t.get_position()[1] for t in ax.get_yticklabels()}
    assert labels["6m"] > labels["12m"] > labels["24m"]  # table order, top to bottom
    texts = {t.get_text() for t in ax.texts}
    assert "1.76 (0.56\u20135.56)" in texts
    fig = employment_rates_figure(employment.employment_rates(table2_trial, method="wald", level=0.9))
    ax = fig.axes[0]
    assert "90% Wald" in ax.get_title()
    assert {"19/36", "7/18", "22/37"} <= {t.get_text() for t in ax.texts}


def test_rates_ledger_carries_the_interval_method():
    """-p interval_method reaches the ledger: Wilson and Wald bounds of 19/36 differ."""
    from statsmodels.stats.proportion import proportion_confint

    rates = pd.DataFrame([{"follow_up": "12m", "months": 12, "group": "IPS", "employed": 19, "n": 36,
                           "rate": 19 / 36, "ci_low": lo, "ci_high": hi, "method": m, "level": 0.95}
                          for m in ("wilson",) for lo, hi in [proportion_confint(19, 36, method=m)]])
    rows = employment.rates_ledger(rates, bundled=True).set_index("key")
    assert rows.loc["rq1.rate.12m.ips.ci_low", "reproduced"] == pytest.approx(37.0059, abs=1e-4)
    assert rows.loc["rq1.rate.12m.ips.ci_high", "reproduced"] == pytest.approx(68.0140, abs=1e-4)
    assert "wilson" in rows.loc["rq1.rate.12m.ips.ci_low", "quantity"]
    assert rows["status"].eq("").all()
    wald = proportion_confint(19, 36, method="normal")
    assert 100 * wald[0] == pytest.approx(36.47, abs=0.01)  # the Wald bound a wald build would show
