"""The committed synthetic data reproduce the trial paper's printed summaries.

Every check reads the committed CSV through the data contract and compares with the
transcribed published numbers (data/published/trial.csv), at the printed digits.
"""
from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ipsrep import paths
from ipsrep.inputs.measures import HSCL_CUTOFF, MEASURES
from ipsrep.inputs.published import load_published
from ipsrep.methods.rounding import rounds_to
from ipsrep.synthetic.sprite import Grid, Printed, moment_candidates, sample_with_moments

PUB = load_published()


def printed(key: str) -> str:
    return PUB.at[key, "printed"]


def groups(trial, col):
    return [trial.loc[trial["group"] == g, col].dropna().astype(float).to_numpy() for g in ("IPS", "TAU")]


def spss_p(x, y) -> float:
    """Independent SPSS-rule p: mean-centred Levene at .05 picks Welch, else Student."""
    welch = stats.levene(x, y, center="mean").pvalue < 0.05
    return stats.ttest_ind(x, y, equal_var=not welch).pvalue


def test_group_sizes(trial):
    assert (trial["group"] == "IPS").sum() == 38
    assert (trial["group"] == "TAU").sum() == 20


BINARY = ["female", "higher_education", "married", "has_children", "out_of_work_over_2y"]


TRUNCATED = {("married", "ips")}
"""Printed percentages that no valid n rounds to: 11/34 = 32.35% is printed 32.3 (truncated)."""


@pytest.mark.parametrize("var", BINARY)
def test_table1_binary_rows(trial, var):
    for g, (x) in zip(("ips", "tau"), groups(trial, var), strict=True):
        assert x.sum() == float(printed(f"t1.{var}.{g}_count"))
        if (var, g) in TRUNCATED:
            assert not rounds_to(100 * x.mean(), printed(f"t1.{var}.{g}_pct"))
            assert 0 <= 100 * x.mean() - float(printed(f"t1.{var}.{g}_pct")) < 0.1
        else:
            assert rounds_to(100 * x.mean(), printed(f"t1.{var}.{g}_pct"))


def test_table1_binary_p_values(trial):
    for var in ["female", "higher_education", "married", "has_children"]:
        x, y = groups(trial, var)
        table = [[x.sum(), len(x) - x.sum()], [y.sum(), len(y) - y.sum()]]
        p = stats.chi2_contingency(table, correction=False).pvalue
        assert rounds_to(p, printed(f"t1.{var}.p")), var


def test_table1_benefits(trial):
    for group, g in (("IPS", "ips"), ("TAU", "tau")):
        b = trial.loc[trial["group"] == group, "benefits"].astype(str)
        recipients = b[b != "none"]
        assert len(recipients) == float(printed(f"t1.benefit_recipient.{g}_count"))
        assert rounds_to(100 * len(recipients) / len(b), printed(f"t1.benefit_recipient.{g}_pct"))
        for kind, key in (("work_assessment_allowance", "waa"), ("disability", "disability"), ("other", "other")):
            count = (recipients == kind).sum()
            assert count == float(printed(f"t1.benefit_{key}.{g}_count"))
            # the paper prints 18.7 for 6/32 = 18.75: a tie, accepted either way
            assert rounds_to(100 * count / len(recipients), printed(f"t1.benefit_{key}.{g}_pct"))


def test_hscl_cutoff_row(trial):
    x, y = groups(trial, "hscl_0m")
    assert (x >= HSCL_CUTOFF).sum() == 32 and len(x) == 33
    assert (y >= HSCL_CUTOFF).sum() == 16 and len(y) == 18
    p = stats.fisher_exact([[32, 1], [16, 2]]).pvalue
    assert rounds_to(p, printed("t1.hscl_above_cutoff.p"))


CONTINUOUS = [("age", "age")] + [(m.name, f"{m.name}_0m") for m in MEASURES]


@pytest.mark.parametrize("name,col", CONTINUOUS)
def test_table1_means_sds_and_p(trial, name, col):
    x, y = groups(trial, col)
    for g, v in (("ips", x), ("tau", y)):
        assert rounds_to(v.mean(), printed(f"t1.{name}.{g}_mean"))
        assert rounds_to(v.std(ddof=1), printed(f"t1.{name}.{g}_sd"))
    assert rounds_to(spss_p(x, y), printed(f"t1.{name}.p"))


@pytest.mark.parametrize("m", [m.name for m in MEASURES])
@pytest.mark.parametrize("visit", ["6m", "12m"])
def test_table3_rows(trial, m, visit):
    x, y = groups(trial, f"{m}_{visit}")
    for g, v in (("ips", x), ("tau", y)):
        assert len(v) == int(printed(f"t3.{m}.{visit}.{g}_n"))
        assert rounds_to(v.mean(), printed(f"t3.{m}.{visit}.{g}_mean"))
        assert rounds_to(v.std(ddof=1), printed(f"t3.{m}.{visit}.{g}_sd"))
    assert rounds_to(spss_p(x, y), printed(f"t3.{m}.{visit}.p"))


def test_welch_rows_are_the_ones_levene_flags(trial):
    welch = set()
    for m in MEASURES:
        for visit in ("6m", "12m"):
            x, y = groups(trial, f"{m.name}_{visit}")
            if stats.levene(x, y, center="mean").pvalue < 0.05:
                welch.add((m.name, visit))
    assert welch == {("odi", "6m"), ("odi", "12m"), ("bpi_current", "6m"), ("bpi_current", "12m"),
                     ("bpi_least", "6m")}


@pytest.mark.parametrize("fu", ["6m", "12m", "24m"])
def test_table2_counts_and_test(trial, fu):
    x, y = groups(trial, f"employed_{fu}")
    for g, v in (("ips", x), ("tau", y)):
        assert v.sum() == float(printed(f"t2.{fu}.{g}_count"))
        assert rounds_to(100 * v.mean(), printed(f"t2.{fu}.{g}_pct"))
    a, b = x.sum(), y.sum()
    p = stats.chi2_contingency([[a, len(x) - a], [b, len(y) - b]], correction=False).pvalue
    assert rounds_to(p, printed(f"t2.{fu}.p"))


def test_response_numbers_match_the_flow(trial):
    responded = {fu: trial[f"employed_{fu}"].notna().groupby(trial["group"]).sum() for fu in ("6m", "12m", "24m")}
    assert [responded[f]["IPS"] for f in ("6m", "12m", "24m")] == [34, 36, 37]
    assert [responded[f]["TAU"] for f in ("6m", "12m", "24m")] == [19, 18, 17]


def test_employment_is_cumulative_and_hours_consistent(trial):
    e = trial[["employed_6m", "employed_12m", "employed_24m"]].astype(float)
    assert not ((e["employed_6m"] == 1) & (e["employed_12m"] == 0)).any()
    assert not ((e["employed_12m"] == 1) & (e["employed_24m"] == 0)).any()
    worked = trial["hours_12m"].astype(float) > 0
    assert (trial.loc[worked, "employed_12m"] == 1).all()
    assert (trial.loc[trial["worked_20h_week_12m"] == 1, "employed_12m"] == 1).all()


def test_hours_results(trial):
    x, y = groups(trial, "hours_12m")
    assert (len(x), len(y)) == (35, 17)
    assert rounds_to(x.mean(), "216.53") and rounds_to(x.std(ddof=1), "447.25")
    assert rounds_to(y.mean(), "122.94") and rounds_to(y.std(ddof=1), "255.20")
    assert (x.min(), x.max(), y.min(), y.max()) == (0, 1800, 0, 900)
    assert stats.levene(x, y, center="mean").pvalue >= 0.05
    assert rounds_to(stats.ttest_ind(x, y).pvalue, "0.428")
    assert np.all(np.mod(x * 2, 1) == 0)  # half hours


def test_twenty_hours_row(trial):
    x, y = groups(trial, "worked_20h_week_12m")
    assert (x.sum(), len(x), y.sum(), len(y)) == (6, 34, 2, 17)
    p = stats.fisher_exact([[6, 28], [2, 15]]).pvalue
    assert rounds_to(p, printed("rq2.20h.p"))


def test_values_on_instrument_grids(trial):
    for m in MEASURES:
        v = trial[[m.column(vis) for vis in ("0m", "6m", "12m")]].astype(float).to_numpy().ravel()
        v = v[~np.isnan(v)]
        assert v.min() >= m.low and v.max() <= m.high
        units = (v - m.low) / float(m.step)
        off = np.abs(units - np.round(units)) > 1e-6
        if m.name == "odi":  # prorated scores allowed: 100 * sum / (5 * answered), 7-9 answered
            prorated = [any(abs(x * 5 * k / 100 - round(x * 5 * k / 100)) < 1e-6 for k in (7, 8, 9)) for x in v[off]]
            assert all(prorated) and off.sum() <= 8
        else:
            assert not off.any(), m.name


def test_grim_rejects_an_impossible_mean():
    # 40.96 on n = 17: no total of whole numbers gives it (17 * 40.96 = 696.32)
    assert moment_candidates(Printed(17, "40.96", "17.27"), Grid.of(0, 100, 1)).empty
    assert not moment_candidates(Printed(16, "5.69", "3.05"), Grid.of(0, 10, 1)).empty


def test_sample_with_moments_hits_exact_moments():
    rng = np.random.default_rng(3)
    x = sample_with_moments(20, 113, 731, 10, rng)
    assert x is not None and x.sum() == 113 and (x**2).sum() == 731


def test_reconstruction_is_reproducible_and_r_changes_only_linkage():
    from ipsrep.synthetic.reconstruct import reconstruct_trial

    a = reconstruct_trial()  # with the linkage search: byte-for-byte the committed file
    b = reconstruct_trial(within_person_r={"odi": 0.2}, link=False)
    for col in ("odi_0m", "odi_6m", "odi_12m"):
        assert sorted(a[col].dropna()) == sorted(b[col].dropna())
    assert not a["odi_6m"].equals(b["odi_6m"])
    other = [c for c in a.columns if not any(c.startswith(f"{m.name}_") for m in MEASURES)]
    pd.testing.assert_frame_equal(a[other], b[other])
    committed = pd.read_csv(paths.RECONSTRUCTED_CSV)
    pd.testing.assert_frame_equal(a.reset_index(drop=True), committed, check_dtype=False)


def test_committed_file_is_written_byte_for_byte(tmp_path):
    from ipsrep.cli import reconstruct_command

    assert reconstruct_command(out=str(tmp_path / "again.csv")) == 0
    assert (tmp_path / "again.csv").read_bytes() == paths.RECONSTRUCTED_CSV.read_bytes()


def test_one_response_status_per_participant_and_visit(trial):
    """All nine health measures' respondent sets are nested at every group and visit (the
    linkage search chooses no respondents), so only the printed n make a participant
    answer some measures of a visit and not others."""
    from ipsrep.synthetic.linkage import RESPONDENTS_SEARCHED

    assert RESPONDENTS_SEARCHED == ()
    shared = [m.name for m in MEASURES]
    for visit in ("0m", "6m", "12m"):
        for g in ("IPS", "TAU"):
            rows = trial[trial["group"] == g]
            sets = sorted((frozenset(rows.index[rows[f"{m}_{visit}"].notna()]) for m in shared), key=len)
            for small, big in itertools.pairwise(sets):
                assert small <= big, (visit, g)
            partial = set().union(*sets) - set(sets[0])
            assert len(partial) == len(sets[-1]) - len(sets[0])
