"""Tests of ipsrep.analyses.health (Table 3, trajectories) against scipy, pingouin and statsmodels."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.weightstats import DescrStatsW

from ipsrep.analyses import health
from ipsrep.inputs.measures import MEASURES, VISITS


def simulated_trial(seed: int = 7, ips_n: int = 30, tau_n: int = 18) -> pd.DataFrame:
    """Participant table with the nine measures at three visits, ~20% missing at follow-up.

    TAU scores are given a three times larger spread than IPS scores so that Levene's
    test rejects for some measures and not for others.
    """
    rng = np.random.default_rng(seed)
    n = ips_n + tau_n
    table = pd.DataFrame({"participant_id": [f"p{i:02d}" for i in range(n)],
                          "group": ["IPS"] * ips_n + ["TAU"] * tau_n})
    for k, m in enumerate(MEASURES):
        person = rng.normal(0, 1, n)
        spread = np.where(table["group"] == "TAU", 1.0 + 2.0 * (k % 2), 1.0)
        for j, visit in enumerate(VISITS):
            x = (m.low + m.high) / 2 + (m.high - m.low) / 10 * (person + spread * rng.normal(0, 1, n) + 0.2 * j)
            x = np.clip(x, m.low, m.high)
            if j > 0:
                x[rng.random(n) < 0.2] = np.nan
            table[m.column(visit)] = x
    return table


@pytest.fixture(scope="module")
def simulated():
    return simulated_trial()


@pytest.fixture(scope="module")
def table(simulated):
    return health.table3(simulated)


def test_long_format_keeps_observed_scores_only(simulated):
    long = health.long_format(simulated, ["odi", "bpi_worst"])
    for name in ("odi", "bpi_worst"):
        expected = int(simulated[[f"{name}_{v}" for v in VISITS]].notna().sum().sum())
        assert (long["measure"] == name).sum() == expected
    row = long[(long["measure"] == "odi") & (long["participant_id"] == "p03") & (long["visit"] == "0m")]
    assert row["value"].item() == pytest.approx(simulated.loc[3, "odi_0m"])
    assert set(long["months"]) == {0, 6, 12}
    assert set(long["visit_index"]) == {0, 1, 2}


def test_long_format_rejects_unknown_measure(simulated):
    with pytest.raises(KeyError, match="unknown measure 'pain'"):
        health.long_format(simulated, ["pain"])


def test_table3_summaries_and_tests_match_scipy_and_pingouin(simulated, table):
    assert len(table) == 18
    for _, r in table.iterrows():
        col = f"{r['measure']}_{r['visit']}"
        ips = simulated.loc[simulated["group"] == "IPS", col].dropna().to_numpy()
        tau = simulated.loc[simulated["group"] == "TAU", col].dropna().to_numpy()
        assert r["ips_n"] == len(ips) and r["tau_n"] == len(tau)
        assert r["ips_mean"] == pytest.approx(np.mean(ips))
        assert r["tau_sd"] == pytest.approx(np.std(tau, ddof=1))
        assert r["p_student"] == pytest.approx(sps.ttest_ind(ips, tau, equal_var=True).pvalue, rel=1e-9)
        welch = pg.ttest(ips, tau, correction=True).iloc[0]
        assert r["p_welch"] == pytest.approx(welch["p_val"] if "p_val" in welch else welch["p-val"], rel=1e-9)
        assert r["df_welch"] == pytest.approx(welch["dof"], rel=1e-9)
        assert r["levene_p"] == pytest.approx(sps.levene(ips, tau, center="mean").pvalue, rel=1e-9)


def test_table3_rule_picks_welch_exactly_when_levene_rejects(table):
    assert {"student", "welch"} == set(table["test"])  # the simulation has both kinds of row
    welch = table["levene_p"] < 0.05
    assert (table.loc[welch, "p"] == table.loc[welch, "p_welch"]).all()
    assert (table.loc[~welch, "p"] == table.loc[~welch, "p_student"]).all()


def test_table3_levene_alpha_moves_the_rule_and_alpha_only_the_flags(simulated, table):
    loose = health.table3(simulated, levene_alpha=0.999)
    assert (loose["test"] == "welch").all()
    strict = health.table3(simulated, alpha=0.999)
    assert (strict["test"] == table["test"]).all()  # alpha is the significance level, nothing else
    assert (strict["significant"] == (strict["p"] < 0.999)).all()


def test_table3_holm_matches_statsmodels(table):
    expected = multipletests(table["p"], method="holm")[1]
    np.testing.assert_allclose(table["p_holm"], expected, rtol=1e-12)
    assert (table["p_holm"] >= table["p"]).all()


def test_printed_variant_from_the_papers_summaries():
    pv = health.printed_variant().set_index(["measure", "visit"])
    # ODI at 6 months: 36.09 (9.71), n 28 vs 40.96 (17.27), n 17, printed p 0.298.
    welch = sps.ttest_ind_from_stats(36.09, 9.71, 28, 40.96, 17.27, 17, equal_var=False).pvalue
    student = sps.ttest_ind_from_stats(36.09, 9.71, 28, 40.96, 17.27, 17, equal_var=True).pvalue
    assert round(welch, 3) == 0.298 and round(student, 3) == 0.231
    assert pv.loc[("odi", "6m"), "printed"] == "welch"
    # Worst pain at 12 months: Student gives the printed 0.012, Welch about 0.028.
    assert pv.loc[("bpi_worst", "12m"), "printed"] == "student"
    assert len(pv) == 18 and set(pv["printed"]) <= {"student", "welch", "both", "neither"}


def test_rule_versus_printed_flags_agreement(table):
    rv = health.rule_versus_printed(table)
    assert len(rv) == 18
    assert (rv["agrees"] == (rv["printed"] == rv["test"])).all()
    assert set(rv["printed"]) <= {"student", "welch"}


def test_trajectories_interval_matches_statsmodels(simulated):
    traj = health.trajectories(simulated, level=0.9)
    assert len(traj) == 9 * 2 * 3
    r = traj[(traj["measure"] == "eqvas") & (traj["group"] == "TAU") & (traj["visit"] == "12m")].iloc[0]
    x = simulated.loc[simulated["group"] == "TAU", "eqvas_12m"].dropna().to_numpy()
    low, high = DescrStatsW(x).tconfint_mean(alpha=0.1)
    assert (r["n"], r["ci_low"], r["ci_high"]) == (len(x), pytest.approx(low), pytest.approx(high))
    assert list(traj["measure"].unique()) == [m.name for m in MEASURES]


def test_trajectories_rejects_bad_level(simulated):
    with pytest.raises(ValueError, match="level"):
        health.trajectories(simulated, level=95)


def test_table3_ledger_values_keys(table):
    values = health.table3_ledger_values(table)
    assert len(values) == 18 * 7
    assert values["t3.odi.6m.ips_n"] == table.query("measure == 'odi' and visit == '6m'")["ips_n"].item()
    assert values["t3.bpi_least.12m.p"] == table.query("measure == 'bpi_least' and visit == '12m'")["p"].item()


def test_table3_ledger_uses_the_chosen_variant(table):
    rows = health.table3_ledger(table, bundled=False, t_test="welch").set_index("key")
    odi = table.query("measure == 'odi' and visit == '6m'").iloc[0]
    assert rows.at["t3.odi.6m.p", "reproduced"] == pytest.approx(odi["p_welch"])
    assert rows.at["t3.odi.6m.p", "note"].startswith("welch t-test")
    with pytest.raises(ValueError, match="test must be"):
        health.table3_ledger(table, t_test="mann-whitney", bundled=True)


def test_figures_draw_one_panel_per_measure(simulated):
    from ipsrep.plots.health import trajectories_figure

    fig = trajectories_figure(health.trajectories(simulated))
    assert sum(ax.get_visible() for ax in fig.axes) == 9
    fig = trajectories_figure(health.trajectories(simulated, measures=["odi", "eqvas"]))
    assert sum(ax.get_visible() for ax in fig.axes) == 2


def test_table4_fit_is_one_measure_in_table_figure_and_text():
    """The Table 4 column, Figure 2's title and band, and the count in the text all read
    the same gaps (linkage_report's distance to target, tolerance 0.5 printed SE)."""
    from ipsrep.analyses import mixed
    from ipsrep.plots.health import table4_distance_figure

    fit = pd.DataFrame({"measure": ["odi", "odi", "bpi_worst"], "term": ["group", "time", "interaction"],
                        "distance": [0.2, -0.7, 0.1], "estimate_ok": [True, False, True],
                        "source_inconsistent": [False, False, True]})
    fig = table4_distance_figure(fit, tolerance=0.5)
    ax = fig.axes[0]
    assert ax.get_title() == "The paper's Table 4: 2 of 3 estimates within 0.5 printed SE of their target"
    band = ax.patches[0].get_window_extent()  # the shaded band, in display units
    left, right = ax.transData.inverted().transform([(band.x0, 0), (band.x1, 0)])[:, 0]
    assert left == pytest.approx(-0.5) and right == pytest.approx(0.5)
    fitted = pd.DataFrame({"measure": ["odi", "odi"], "term": ["group", "time"], "estimate": [1.0, 2.0],
                           "se": [0.5, 0.4], "z": [2.0, 5.0], "p": [0.04, 0.001]})
    shown = mixed.table4_display(fitted, fit=fit, bundled=True)
    assert shown["Gap to target (SE)"].tolist() == [0.2, -0.7]
    assert "distance (SE)" not in shown.columns
