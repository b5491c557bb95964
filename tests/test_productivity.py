"""Tests of ipsrep.analyses.productivity against hand formulas, other libraries (statsmodels,
pingouin, exact enumeration) and the paper's printed numbers."""
from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats as sps
from statsmodels.stats.weightstats import ttest_ind

from ipsrep.analyses import productivity, productivity_sensitivity

IPS_HOURS = [0, 0, 0, 0, 0, 12, 40, 300, 950, 1800]
TAU_HOURS = [0, 0, 0, 0, 25, 110, 400]


@pytest.fixture
def hours_trial():
    return pd.DataFrame({
        "group": ["IPS"] * (len(IPS_HOURS) + 1) + ["TAU"] * (len(TAU_HOURS) + 1),
        "hours_12m": IPS_HOURS + [np.nan] + TAU_HOURS + [np.nan],
        "worked_20h_week_12m": [0] * 7 + [1, 1, 1, np.nan] + [0] * 6 + [1, np.nan],
    })


def test_hours_summary_by_hand(hours_trial):
    s = productivity.hours_summary(hours_trial).set_index("group")
    assert s.loc["IPS", "n"] == 10 and s.loc["TAU", "n"] == 7
    assert s.loc["IPS", "mean"] == pytest.approx(sum(IPS_HOURS) / 10)
    m = sum(TAU_HOURS) / 7
    assert s.loc["TAU", "sd"] == pytest.approx(math.sqrt(sum((v - m) ** 2 for v in TAU_HOURS) / 6))
    assert s.loc["IPS", "median"] == 6.0 and s.loc["TAU", "max"] == 400
    assert s.loc["IPS", "n_zero"] == 5 and s.loc["IPS", "pct_zero"] == 50.0
    assert s.loc["TAU", "mean_if_worked"] == pytest.approx((25 + 110 + 400) / 3)


def test_hours_ttest_against_statsmodels(hours_trial):
    r = productivity.hours_ttest(hours_trial).iloc[0]
    t, p, df = ttest_ind(IPS_HOURS, TAU_HOURS, usevar="pooled")
    assert (r["t_student"], r["p_student"], r["df_student"]) == pytest.approx((t, p, df), rel=1e-9)
    t, p, df = ttest_ind(IPS_HOURS, TAU_HOURS, usevar="unequal")
    assert (r["t_welch"], r["p_welch"], r["df_welch"]) == pytest.approx((t, p, df), rel=1e-9)
    # Levene (mean-centred) = one-way ANOVA F of absolute deviations from the group mean
    dev = [np.abs(np.array(v) - np.mean(v)) for v in (IPS_HOURS, TAU_HOURS)]
    f, fp = sps.f_oneway(*dev)
    assert (r["levene_F"], r["levene_p"]) == pytest.approx((f, fp), rel=1e-9)
    assert r["test"] == ("welch" if fp < 0.05 else "student")


def test_published_hours_ttests_identify_student():
    t = productivity.published_hours_ttests().set_index("test")
    # pooled t from the printed summaries, written out
    m1, s1, n1, m2, s2, n2 = 216.53, 447.25, 35, 122.94, 255.20, 17
    sp = math.sqrt(((n1 - 1) * s1**2 + (n2 - 1) * s2**2) / (n1 + n2 - 2))
    tt = (m1 - m2) / (sp * math.sqrt(1 / n1 + 1 / n2))
    assert t.loc["student", "t"] == pytest.approx(tt, rel=1e-9)
    assert t.loc["student", "p"] == pytest.approx(2 * sps.t.sf(tt, n1 + n2 - 2), rel=1e-9)
    assert bool(t.loc["student", "matches_printed"]) and not bool(t.loc["welch", "matches_printed"])
    assert round(t.loc["welch", "p"], 3) == 0.343


def test_sensitivity_against_independent_computations(hours_trial):
    s = productivity_sensitivity.hours_sensitivity(hours_trial, n_resamples=2000, seed=3).set_index("analysis")
    diff = np.mean(IPS_HOURS) - np.mean(TAU_HOURS)
    # Mann-Whitney: share of (IPS, TAU) pairs with more IPS hours, and pingouin's asymptotic p
    pairs = sum((x > y) + 0.5 * (x == y) for x in IPS_HOURS for y in TAU_HOURS)
    assert s.loc["Mann-Whitney U", "estimate"] == pytest.approx(pairs / 70)
    mw = pg.mwu(IPS_HOURS, TAU_HOURS, alternative="two-sided", use_continuity=False, method="asymptotic")
    assert s.loc["Mann-Whitney U", "p"] == pytest.approx(float(mw["p_val"].iloc[0]), rel=1e-9)
    # permutation test: 17 choose 7 = 19448 relabellings > 2000 resamples, so check
    # against the exact enumeration within Monte Carlo error
    pooled = np.array(IPS_HOURS + TAU_HOURS, dtype=float)
    total = pooled.sum()
    diffs = []
    for idx in itertools.combinations(range(17), 7):
        tau = pooled[list(idx)].sum()
        diffs.append((total - tau) / 10 - tau / 7)
    exact = np.mean(np.abs(diffs) >= abs(diff) - 1e-9)
    assert abs(s.loc["Permutation test", "p"] - exact) < 4 * math.sqrt(exact * (1 - exact) / 2000) + 0.002
    boot = s.loc["Bootstrap (BCa)"]
    assert boot["estimate"] == pytest.approx(diff) and boot["ci_low"] < diff < boot["ci_high"]
    # Welch interval written out
    v1, v2 = np.var(IPS_HOURS, ddof=1) / 10, np.var(TAU_HOURS, ddof=1) / 7
    df = (v1 + v2) ** 2 / (v1**2 / 9 + v2**2 / 6)
    half = sps.t.ppf(0.975, df) * math.sqrt(v1 + v2)
    welch = s.loc["Welch t (unequal variances)"]
    assert (welch["ci_low"], welch["ci_high"]) == pytest.approx((diff - half, diff + half), rel=1e-9)


def test_sensitivity_is_seeded(hours_trial):
    a = productivity_sensitivity.hours_sensitivity(hours_trial, n_resamples=500, seed=1)
    b = productivity_sensitivity.hours_sensitivity(hours_trial, n_resamples=500, seed=1)
    pd.testing.assert_frame_equal(a, b)


def test_histogram_counts(hours_trial):
    h = productivity_sensitivity.hours_histogram(hours_trial, bin_width=500)
    ips = h[h["group"] == "IPS"].set_index("bin")["count"].to_dict()
    assert ips == {"0": 5, "0-500": 3, "500-1000": 1, "1000-1500": 0, "1500-2000": 1}
    tau = h[h["group"] == "TAU"].set_index("bin")
    assert tau.loc["0", "share"] == pytest.approx(4 / 7) and tau["count"].sum() == 7


def test_bad_hours_message(hours_trial):
    bad = hours_trial.copy()
    bad.loc[3, "hours_12m"] = -5
    with pytest.raises(ValueError, match=r"column 'hours_12m', row 3: '-5\.0' is not allowed; allowed: a number >= 0"):
        productivity.hours_summary(bad)
    with pytest.raises(ValueError, match="bin_width must be a positive"):
        productivity_sensitivity.hours_histogram(hours_trial, bin_width=0)


def test_missing_hours_column_and_unknown_group_are_named(hours_trial):
    with pytest.raises(ValueError, match="column 'hours_12m' is missing"):
        productivity.hours_summary(hours_trial.drop(columns=["hours_12m"]))
    bad = hours_trial.copy()
    bad["group"] = bad["group"].astype(object)
    bad.loc[2, "group"] = "control"
    with pytest.raises(ValueError, match=r"column 'group', row 2: 'control' is not allowed; allowed: IPS or TAU"):
        productivity.hours_summary(bad)


def test_worked_20h_paper_counts_and_hand_fisher():
    table = pd.DataFrame({
        "group": ["IPS"] * 35 + ["TAU"] * 17,
        "worked_20h_week_12m": [1] * 6 + [0] * 28 + [np.nan] + [1] * 2 + [0] * 15,
    })
    r = productivity.worked_20h_table(table).iloc[0]
    assert (r["a"], r["n1"], r["b"], r["n2"]) == (6, 34, 2, 17)
    assert (round(r["pct1"], 2), round(r["pct2"], 2)) == (17.65, 11.76)
    prob = {k: math.comb(34, k) * math.comb(17, 8 - k) / math.comb(51, 8) for k in range(0, 9)}
    fisher = sum(v for v in prob.values() if v <= prob[6] * (1 + 1e-7))
    assert r["p_fisher"] == pytest.approx(fisher, rel=1e-9)
    assert r["test"] == "fisher" and r["p"] == r["p_fisher"]
    assert round(fisher, 3) == 0.703  # printed
    se = math.sqrt(1 / 6 + 1 / 28 + 1 / 2 + 1 / 15)
    assert r["odds_ratio"] == pytest.approx(6 * 15 / (28 * 2))
    assert r["ci_low"] == pytest.approx(90 / 56 * math.exp(-1.959963984540054 * se), rel=1e-9)
    assert (round(r["odds_ratio"], 2), round(r["ci_low"], 2), round(r["ci_high"], 2)) == (1.61, 0.29, 8.96)


def test_job_types_remainder():
    j = productivity.job_types().set_index("category")
    assert j["pct"].tolist() == [23, 13, 13, 10, 41]
    assert j.loc["other", "label"].startswith("Other")


def test_implied_job_totals_smallest_is_30():
    t = productivity.implied_job_totals()
    assert int(t["n_jobs"].min()) == 30
    first = t[t["n_jobs"] == 30].set_index("category")["jobs"].to_dict()
    assert first == {"health_social": 7, "childcare_school": 4, "assistant": 4, "retail": 3}
    # brute force with Python's rounding (ties to even are not hit below 30 jobs)
    for n in range(1, 30):
        fits = all(any(round(100 * k / n) == p for k in range(n + 1)) for p in (23, 13, 10))
        assert not fits, n
    consistent = sorted(set(t["n_jobs"]))
    assert consistent[:6] == [30, 31, 39, 40, 48, 52]


def test_implied_job_totals_ties_and_input():
    t = productivity.implied_job_totals({"x": "50"}, n_max=4)
    assert sorted(set(t["n_jobs"])) == [2, 4]  # 1/2 and 2/4; 1/3, 2/3 and 1/1 do not print as 50
    with pytest.raises(ValueError, match="printed must name"):
        productivity.implied_job_totals({})


def test_twenty_hours_ledger_on_printed_counts():
    table = pd.DataFrame({
        "group": ["IPS"] * 34 + ["TAU"] * 17,
        "worked_20h_week_12m": [1] * 6 + [0] * 28 + [1] * 2 + [0] * 15,
    })
    rows = productivity.twenty_hours_ledger(productivity.worked_20h_table(table), bundled=True).set_index("key")
    printed = rows[rows["source"] != "ipsrep"]
    assert len(printed) == 8 and (printed["status"] == "reproduced").all()
    assert rows.at["rq2.20h.min_expected", "reproduced"] == pytest.approx(17 * 8 / 51)


def test_hours_ledger_picks_the_requested_row(hours_trial):
    s, t = productivity.hours_summary(hours_trial), productivity.hours_ttest(hours_trial)
    for test in ("student", "welch"):
        rows = productivity.hours_ledger(s, t, bundled=False, t_test=test).set_index("key")
        assert rows.at["rq2.hours.p", "reproduced"] == pytest.approx(float(t.loc[0, f"p_{test}"]))
    rule = productivity.hours_ledger(s, t, bundled=True).set_index("key")
    assert rule.at["rq2.hours.p", "reproduced"] == pytest.approx(float(t.loc[0, "p"]))
    assert "student row of the printed summaries" in rule.at["rq2.hours.p", "note"]
    assert rule.at["rq2.hours.ips_n", "reproduced"] == 10
    with pytest.raises(ValueError, match="test must be"):
        productivity.hours_ledger(s, t, bundled=True, t_test="levene")


def test_jobs_ledger_and_hours_displays(hours_trial):
    rows = productivity.jobs_ledger(productivity.implied_job_totals(), bundled=True).set_index("key")
    assert (rows.loc[[k for k in rows.index if k.endswith("_pct")], "status"] == "consistent").all()
    assert rows.at["jobs.n_jobs_implied", "reproduced"] == 30
    assert rows.at["jobs.retail_pct", "note"] == "3 of 30 jobs"
    d = productivity.hours_display(productivity.hours_summary(hours_trial), bundled=True)
    assert d.loc[("IPS", "paper"), "n"] == "35" and d.loc[("TAU", "recomputed"), "range"] == "0-400"
    tests = productivity.hours_tests_display(productivity.hours_ttest(hours_trial), bundled=True)
    assert tests.loc["Student (equal variances assumed)", "paper printed"] == "yes"


def test_figures_carry_the_numbers(hours_trial):
    from ipsrep.plots.productivity import hours_distribution_figure, job_types_figure

    hist = productivity_sensitivity.hours_histogram(hours_trial, bin_width=500)
    ax = hours_distribution_figure(hist, productivity.hours_summary(hours_trial)).axes[0]
    assert len(ax.patches) == len(hist)  # one bar per group and band
    assert {t.get_text() for t in ax.texts} >= {"5", "4", "3"}
    implied = productivity.implied_job_totals()
    ax = job_types_figure(productivity.job_types(), implied[implied["n_jobs"] == 30]).axes[0]
    texts = {t.get_text() for t in ax.texts}
    assert "23%  (7 of 30 jobs)" in texts and "41%  (12 of 30 jobs)" in texts
