"""Tests of ipsrep.methods (2x2 tables, t tests, intervals, Holm, ranks, bootstrap, power)
against published values, hand formulas and other libraries."""
from __future__ import annotations

import gc
import math

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW, ttest_ind

from ipsrep.methods import multiplicity, rounding, stats

Z975 = 1.959963984540054


# ----------------------------------------------------------------------- 2x2 tables
def hand_two_by_two(a, n1, b, n2):
    """Pearson chi2, Yates chi2, Woolf OR and CI, two-sided Fisher p, written out."""
    c, d = n1 - a, n2 - b
    n = n1 + n2
    m1, m2 = a + b, c + d
    chi2 = n * (a * d - b * c) ** 2 / (n1 * n2 * m1 * m2)
    yates = n * max(0.0, abs(a * d - b * c) - n / 2) ** 2 / (n1 * n2 * m1 * m2)
    log_or = math.log(a * d / (b * c))
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    # Fisher: sum hypergeometric probabilities no larger than the observed one
    support = range(max(0, m1 - n2), min(n1, m1) + 1)
    prob = {k: math.comb(n1, k) * math.comb(n2, m1 - k) / math.comb(n, m1) for k in support}
    fisher = sum(p for p in prob.values() if p <= prob[a] * (1 + 1e-7))
    return {
        "chi2": chi2,
        "p_chi2": math.erfc(math.sqrt(chi2 / 2)),  # chi2 with 1 df: P(|Z| > sqrt(chi2))
        "chi2_yates": yates,
        "odds_ratio": math.exp(log_or),
        "ci_low": math.exp(log_or - Z975 * se),
        "ci_high": math.exp(log_or + Z975 * se),
        "p_fisher": fisher,
        "min_expected": min(n1, n2) * min(m1, m2) / n,
    }


@pytest.mark.parametrize(
    "counts, p_printed, or_printed, ci_printed",
    [
        # Trial paper, Table 2 and Results (employment; >= 20 h/week; historical controls)
        ((19, 36, 7, 18), "0.336", "1.76", ("0.56", "5.56")),
        ((11, 34, 6, 19), "0.954", "1.04", ("0.31", "3.46")),
        ((22, 37, 7, 17), "0.211", "2.10", ("0.65", "6.74")),
        ((6, 34, 2, 17), "0.703", "1.61", ("0.29", "8.96")),
        ((19, 36, 52, 315), None, "5.65", ("2.75", "11.60")),
    ],
)
def test_two_by_two_reproduces_printed_values(counts, p_printed, or_printed, ci_printed):
    row = stats.two_by_two(*counts).iloc[0]
    assert round(row["odds_ratio"], 2) == float(or_printed)
    assert round(row["ci_low"], 2) == float(ci_printed[0])
    assert round(row["ci_high"], 2) == float(ci_printed[1])
    if p_printed is not None:
        assert round(row["p"], 3) == float(p_printed)


def test_two_by_two_historical_control_chi2():
    row = stats.two_by_two(19, 36, 52, 315).iloc[0]
    assert round(row["chi2"], 2) == 26.34
    assert row["p"] < 0.001 and row["test"] == "pearson"


def test_two_by_two_picks_fisher_when_expected_below_5():
    row = stats.two_by_two(6, 34, 2, 17).iloc[0]
    assert row["test"] == "fisher"
    assert row["min_expected"] == pytest.approx(8 * 17 / 51)  # 2.667 < 5
    assert row["p"] == row["p_fisher"] != row["p_chi2"]


@pytest.mark.parametrize("counts", [(19, 36, 7, 18), (6, 34, 2, 17), (22, 37, 7, 17), (3, 9, 8, 10)])
def test_two_by_two_matches_hand_formulas(counts):
    row = stats.two_by_two(*counts).iloc[0]
    hand = hand_two_by_two(*counts)
    for key, expected in hand.items():
        assert row[key] == pytest.approx(expected, rel=1e-9), key
    a, n1, b, n2 = counts
    assert row["pct1"] == pytest.approx(100 * a / n1)
    assert row["pct2"] == pytest.approx(100 * b / n2)
    assert not row["haldane"]


def test_two_by_two_zero_cell_uses_haldane():
    row = stats.two_by_two(0, 10, 3, 10).iloc[0]
    # 0.5 added to every cell: (0.5 * 7.5) / (10.5 * 3.5)
    assert row["haldane"]
    assert row["odds_ratio"] == pytest.approx(0.5 * 7.5 / (10.5 * 3.5))
    se = math.sqrt(1 / 0.5 + 1 / 10.5 + 1 / 3.5 + 1 / 7.5)
    assert row["ci_high"] == pytest.approx(math.exp(math.log(0.5 * 7.5 / (10.5 * 3.5)) + Z975 * se))
    # Fisher two-sided by hand: P(a=0) + P(a=3) with 3 events among 20, 10 per arm
    p0 = math.comb(10, 0) * math.comb(10, 3) / math.comb(20, 3)
    assert row["p_fisher"] == pytest.approx(2 * p0)


def test_two_by_two_empty_margin_has_no_chi2():
    row = stats.two_by_two(0, 5, 0, 6).iloc[0]
    assert math.isnan(row["chi2"]) and math.isnan(row["p_chi2"])
    assert row["p_fisher"] == 1.0 and row["p"] == 1.0 and row["test"] == "fisher"


@pytest.mark.parametrize(
    "args, word",
    [((7, 5, 1, 5), "a"), ((1, 5, -1, 5), "b"), ((0, 0, 1, 5), "n1"), ((1.5, 5, 1, 5), "a"), (("x", 5, 1, 5), "a")],
)
def test_two_by_two_rejects_bad_counts(args, word):
    with pytest.raises(ValueError, match=rf"^{word} "):
        stats.two_by_two(*args)


# --------------------------------------------------------------------------- t-tests
@pytest.fixture
def skewed_samples():
    rng = np.random.default_rng(2022)
    x = np.round(rng.exponential(200, 35) * (rng.random(35) < 0.5), 1)
    y = np.round(rng.exponential(120, 17) * (rng.random(17) < 0.4), 1)
    return x, y


def test_spss_ttest_matches_statsmodels_and_pingouin(skewed_samples):
    x, y = skewed_samples
    row = stats.spss_ttest(x, y).iloc[0]
    t, p, df = ttest_ind(x, y, usevar="pooled")
    assert (row["t_student"], row["p_student"], row["df_student"]) == pytest.approx((t, p, df))
    t, p, df = ttest_ind(x, y, usevar="unequal")
    assert (row["t_welch"], row["p_welch"], row["df_welch"]) == pytest.approx((t, p, df))
    pg_student = pg.ttest(x, y, correction=False).iloc[0]
    pg_welch = pg.ttest(x, y, correction=True).iloc[0]
    assert row["p_student"] == pytest.approx(pg_student["p_val"])
    assert row["df_welch"] == pytest.approx(pg_welch["dof"])
    assert row["n1"] == 35 and row["n2"] == 17
    assert row["sd1"] == pytest.approx(np.std(x, ddof=1))


def test_spss_ttest_levene_is_anova_on_absolute_deviations(skewed_samples):
    x, y = skewed_samples
    row = stats.spss_ttest(x, y).iloc[0]
    dx, dy = np.abs(x - x.mean()), np.abs(y - y.mean())
    grand = np.concatenate([dx, dy]).mean()
    between = len(dx) * (dx.mean() - grand) ** 2 + len(dy) * (dy.mean() - grand) ** 2
    within = ((dx - dx.mean()) ** 2).sum() + ((dy - dy.mean()) ** 2).sum()
    f = between / (within / (len(x) + len(y) - 2))
    assert row["levene_F"] == pytest.approx(f)
    assert row["levene_p"] == pytest.approx(sps.f.sf(f, 1, len(x) + len(y) - 2))


def test_spss_ttest_switches_to_welch_when_levene_rejects():
    rng = np.random.default_rng(7)
    x, y = rng.normal(0, 1, 30), rng.normal(0.5, 6, 30)
    row = stats.spss_ttest(x, y).iloc[0]
    assert row["levene_p"] < 0.05
    assert row["test"] == "welch" and row["p"] == row["p_welch"]
    low, high = CompareMeans(DescrStatsW(x), DescrStatsW(y)).tconfint_diff(usevar="unequal")
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high))
    assert row["diff"] == pytest.approx(x.mean() - y.mean())


def test_spss_ttest_keeps_student_and_drops_missing():
    x = [1, 2, 3, 4, 5, np.nan]
    y = [2, 4, 6, 8, 10, 12, None]
    row = stats.spss_ttest(x, y).iloc[0]
    # by hand: pooled variance (4 * 2.5 + 5 * 14) / 9, se sqrt(sp2 * (1/5 + 1/6))
    se = math.sqrt((4 * 2.5 + 5 * 14) / 9 * (1 / 5 + 1 / 6))
    assert row["n1"] == 5 and row["n2"] == 6
    assert row["t_student"] == pytest.approx(-4 / se)
    assert row["test"] == "student"
    half = sps.t.ppf(0.975, 9) * se
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((-4 - half, -4 + half))


def test_spss_ttest_rejects_bad_input():
    with pytest.raises(ValueError, match=r"^x needs at least 2"):
        stats.spss_ttest([1.0, np.nan], [1, 2, 3])
    with pytest.raises(ValueError, match=r"^y must hold numbers"):
        stats.spss_ttest([1, 2], ["a", "b"])
    with pytest.raises(ValueError, match=r"^center"):
        stats.spss_ttest([1, 2], [1, 2], center="mode")


def test_ttest_from_summary_reproduces_hours_worked_p():
    # Trial paper, Results: hours worked 216.53 (SD 447.25, n 35) vs 122.94 (255.20, 17), P = 0.428
    row = stats.ttest_from_summary(216.53, 447.25, 35, 122.94, 255.20, 17).iloc[0]
    assert round(row["p_student"], 3) == 0.428
    # Welch df by hand (Welch-Satterthwaite)
    vx, vy = 447.25**2 / 35, 255.20**2 / 17
    assert row["df_welch"] == pytest.approx((vx + vy) ** 2 / (vx**2 / 34 + vy**2 / 16))
    assert row["t_welch"] == pytest.approx((216.53 - 122.94) / math.sqrt(vx + vy))
    assert round(row["p_welch"], 3) != 0.428


def test_ttest_from_summary_rejects_negative_sd():
    with pytest.raises(ValueError, match=r"^s2 "):
        stats.ttest_from_summary(1, 1, 5, 1, -1, 5)


# ----------------------------------------------------------------- proportion CIs
@pytest.mark.parametrize("count, n", [(19, 36), (0, 18), (7, 18), (52, 315)])
def test_wilson_interval_formula(count, n):
    p = count / n
    z = Z975
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    assert stats.wilson_interval(count, n) == pytest.approx((centre - half, centre + half))


def test_clopper_pearson_interval():
    assert stats.clopper_pearson_interval(0, 10) == pytest.approx((0.0, 1 - 0.025 ** (1 / 10)))
    low, high = stats.clopper_pearson_interval(19, 36)
    assert low == pytest.approx(sps.beta.ppf(0.025, 19, 18))
    assert high == pytest.approx(sps.beta.ppf(0.975, 20, 17))


def test_intervals_reject_count_above_n():
    with pytest.raises(ValueError, match=r"^count must lie"):
        stats.wilson_interval(5, 4)
    with pytest.raises(ValueError, match=r"^level"):
        stats.clopper_pearson_interval(1, 4, level=95)


# ------------------------------------------------------------- Holm, Mann-Whitney
def test_holm_known_vector():
    # sorted .005,.01,.03,.04 -> x4,x3,x2,x1 = .02,.03,.06,.04 -> running max .02,.03,.06,.06
    out = stats.holm([0.01, 0.04, 0.03, 0.005])
    assert out.tolist() == pytest.approx([0.03, 0.06, 0.06, 0.02])
    labelled = stats.holm({"odi": 0.2, "eqvas": 0.6})
    assert labelled.to_dict() == pytest.approx({"odi": 0.4, "eqvas": 0.6})


def test_holm_rejects_out_of_range():
    with pytest.raises(ValueError, match="pvalues must lie in"):
        stats.holm([0.2, 1.2])


@pytest.fixture
def without_gc_collect(monkeypatch):
    """multipletests(method="holm") runs gc.collect() on every call: about a second each in a
    test session's large heap (90 calls took 90 s); collecting changes no result."""
    monkeypatch.setattr(gc, "collect", lambda *args: 0)


def test_holm_agrees_with_statsmodels(without_gc_collect):
    # adjusted p-values and the number rejected, as multipletests gives them, on random families
    rng = np.random.default_rng(3)
    for _ in range(30):
        p = rng.uniform(0, 0.1, size=rng.integers(1, 20)) ** rng.uniform(0.5, 3)
        np.testing.assert_allclose(multiplicity.holm(p), multipletests(p, method="holm")[1], rtol=1e-12)
        for alpha in (0.05, 0.01):
            assert multiplicity.holm_rejections(p, alpha) == multipletests(p, alpha=alpha, method="holm")[0].sum()


def test_holm_rejections_decides_a_boundary_p_as_statsmodels(without_gc_collect):
    # 0.025 * 2 == 0.05 exactly on the raw scale: rejected at 0.05 by the step-down rule
    p = [0.025, 0.04]
    assert multiplicity.holm_rejections(p, 0.05) == 2 == multipletests(p, alpha=0.05, method="holm")[0].sum()


def test_mann_whitney_by_hand():
    x = np.array([0, 0, 3, 5, 8, 12, np.nan])
    y = np.array([0, 1, 2, 2, 4])
    clean = x[~np.isnan(x)]
    u = sum((xi > yj) + 0.5 * (xi == yj) for xi in clean for yj in y)
    n1, n2 = len(clean), len(y)
    allv = np.concatenate([clean, y])
    n = n1 + n2
    ties = sum(t**3 - t for t in np.unique(allv, return_counts=True)[1])
    sigma = math.sqrt(n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1))))
    z = (u - n1 * n2 / 2) / sigma
    row = stats.mann_whitney(x, y).iloc[0]
    assert row["U"] == pytest.approx(u)
    assert row["U_min"] == pytest.approx(min(u, n1 * n2 - u))
    assert row["p"] == pytest.approx(math.erfc(abs(z) / math.sqrt(2)))


# ---------------------------------------------------------------------- bootstrap
def test_bootstrap_is_deterministic_and_close_to_welch():
    rng = np.random.default_rng(11)
    x, y = rng.normal(10, 2, 200), rng.normal(9, 2, 200)
    first = stats.bootstrap_mean_difference(x, y, seed=5)
    again = stats.bootstrap_mean_difference(x, y, seed=5)
    pd.testing.assert_frame_equal(first, again)
    other = stats.bootstrap_mean_difference(x, y, seed=6)
    assert other.loc[0, "ci_low"] != first.loc[0, "ci_low"]
    row = first.iloc[0]
    assert row["diff"] == pytest.approx(x.mean() - y.mean())
    assert row["method"] == "BCa"
    low, high = CompareMeans(DescrStatsW(x), DescrStatsW(y)).tconfint_diff(usevar="unequal")
    # bootstrap SEs use n rather than n - 1: with n = 200 the bounds agree closely
    assert row["ci_low"] == pytest.approx(low, abs=0.05)
    assert row["ci_high"] == pytest.approx(high, abs=0.05)


# ---------------------------------------------------------- sample size and power
def test_sample_size_unpooled_gives_trials_31():
    # Trial paper, Methods, Sample Size: 61% vs 23%, alpha .05, power .90 -> n = 31 per group
    row = stats.n_per_group_two_proportions(0.61, 0.23, alpha=0.05, power=0.9).iloc[0]
    z = Z975 + 1.2815515655446004
    hand = z**2 * (0.61 * 0.39 + 0.23 * 0.77) / 0.38**2
    assert row["method"] == "unpooled"
    assert row["n_exact"] == pytest.approx(hand)
    assert row["n_per_group"] == 31 == math.ceil(hand)


def test_sample_size_other_methods_do_not_give_31():
    table = stats.n_per_group_two_proportions(0.61, 0.23, method=stats.SAMPLE_SIZE_METHODS)
    by = table.set_index("method")
    za, zb = Z975, 1.2815515655446004
    d = 0.38
    pooled = (za * math.sqrt(2 * 0.42 * 0.58) + zb * math.sqrt(0.61 * 0.39 + 0.23 * 0.77)) ** 2 / d**2
    cc = pooled / 4 * (1 + math.sqrt(1 + 4 / (pooled * d))) ** 2
    h = 2 * math.asin(math.sqrt(0.61)) - 2 * math.asin(math.sqrt(0.23))
    assert by.loc["pooled", "n_exact"] == pytest.approx(pooled)
    assert by.loc["pooled_cc", "n_exact"] == pytest.approx(cc)
    assert by.loc["arcsine", "n_exact"] == pytest.approx(2 * ((za + zb) / h) ** 2, rel=1e-4)
    assert by["n_per_group"].to_dict() == {"unpooled": 31, "pooled": 34, "pooled_cc": 39, "arcsine": 34}


def test_sample_size_rejects_bad_arguments():
    with pytest.raises(ValueError, match=r"^p1 and p2 must differ"):
        stats.n_per_group_two_proportions(0.3, 0.3)
    with pytest.raises(ValueError, match=r"^method"):
        stats.n_per_group_two_proportions(0.6, 0.3, method="exact")
    with pytest.raises(ValueError, match=r"^p2 "):
        stats.n_per_group_two_proportions(0.6, 1.3)


def test_power_inverts_sample_size():
    n = stats.n_per_group_two_proportions(0.61, 0.23).loc[0, "n_exact"]
    # the sample-size formula ignores the far tail, which is ~1e-9 here
    sigma = math.sqrt((0.61 * 0.39 + 0.23 * 0.77) / n)
    assert sps.norm.cdf(0.38 / sigma - Z975) == pytest.approx(0.9)
    assert stats.power_two_proportions(0.61, 0.23, 31, 31, method="unpooled") > 0.9


def test_power_unequal_groups_pooled_by_hand():
    p1, p2, n1, n2 = 0.5, 0.35, 38, 20
    pbar = (n1 * p1 + n2 * p2) / (n1 + n2)
    s0 = math.sqrt(pbar * (1 - pbar) * (1 / n1 + 1 / n2))
    s1 = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    hand = sps.norm.cdf((0.15 - Z975 * s0) / s1) + sps.norm.cdf((-0.15 - Z975 * s0) / s1)
    assert stats.power_two_proportions(p1, p2, n1, n2, 0.05) == pytest.approx(hand)


def exact_power(p1, p2, n1, n2, alpha, paper_rule):
    """Power by enumerating every possible table, with scipy's tests on each."""
    total = 0.0
    for a in range(n1 + 1):
        for b in range(n2 + 1):
            if a + b in (0, n1 + n2):
                continue
            table = [[a, n1 - a], [b, n2 - b]]
            chi2_res = sps.chi2_contingency(table, correction=False)
            p = sps.fisher_exact(table).pvalue if paper_rule and chi2_res.expected_freq.min() < 5 else chi2_res.pvalue
            if p < alpha:
                total += sps.binom.pmf(a, n1, p1) * sps.binom.pmf(b, n2, p2)
    return total


@pytest.mark.parametrize("rule", ["pearson", "rule"])
def test_simulated_power_agrees_with_enumeration(rule):
    row = stats.simulated_power_chi2(0.6, 0.2, 12, 9, alpha=0.05, n_sim=200_000, seed=3, binary_test=rule).iloc[0]
    exact = exact_power(0.6, 0.2, 12, 9, 0.05, rule == "rule")
    assert abs(row["power"] - exact) < 4 * row["mc_se"]
    assert row["mc_se"] == pytest.approx(math.sqrt(row["power"] * (1 - row["power"]) / 200_000))


def test_simulated_power_is_reproducible():
    one = stats.simulated_power_chi2(0.61, 0.23, 31, 31, n_sim=5000, seed=9)
    two = stats.simulated_power_chi2(0.61, 0.23, 31, 31, n_sim=5000, seed=9)
    pd.testing.assert_frame_equal(one, two)


# ----------------------------------------------------------------------- rounding
@pytest.mark.parametrize(
    "printed, window",
    [("0.336", (0.3355, 0.3365)), ("1.76", (1.755, 1.765)), ("31", (30.5, 31.5)),
     ("-2.10", (-2.105, -2.095)), ("11.60", (11.595, 11.605))],
)
def test_rounding_window(printed, window):
    assert rounding.rounding_window(printed) == pytest.approx(window, abs=1e-15)


def test_rounding_window_rejects_text():
    with pytest.raises(ValueError, match=r"^printed must be a plain decimal"):
        rounding.rounding_window("P < .05")
    with pytest.raises(ValueError, match=r"^printed must be the number as printed text"):
        rounding.rounding_window(0.336)


@pytest.mark.parametrize("n1, n2", [(35, 17), (200, 90), (5, 4)])
def test_bootstrap_bca_equals_scipys_bca(n1, n2):
    """The closed-form jackknife gives scipy's own BCa interval (same resamples)."""
    rng = np.random.default_rng(n1)
    x, y = np.round(rng.exponential(200, n1)), np.round(rng.exponential(120, n2))
    ours = stats.bootstrap_mean_difference(x, y, n_resamples=4000, seed=3).iloc[0]
    ref = sps.bootstrap((x, y), lambda u, v, axis=-1: np.mean(u, axis=axis) - np.mean(v, axis=axis),
                        n_resamples=4000, vectorized=True, paired=False, method="BCa",
                        rng=np.random.default_rng(3)).confidence_interval
    assert ours["ci_low"] == pytest.approx(ref.low, rel=1e-12)
    assert ours["ci_high"] == pytest.approx(ref.high, rel=1e-12)


def test_resample_batch_bounds_memory_and_leaves_small_trials_unbatched():
    assert stats.resample_batch(52, 10_000) is None
    assert stats.resample_batch(100_000, 10_000) * 100_000 <= 4_000_000
    assert stats.resample_batch(10_000_000, 10_000) == 1
