"""Table 1 computations against hand-computed values on small, hand-built tables."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from ipsrep.analyses import baseline
from ipsrep.inputs.measures import outcome_columns

NA = np.nan
BINARY = ["female", "higher_education", "married", "has_children", "out_of_work_over_2y"]


def ones_zeros(k: int, n: int, size: int) -> list[float]:
    """k ones, n - k zeros, then missing up to `size`."""
    return [1.0] * k + [0.0] * (n - k) + [NA] * (size - n)


def paper_like_trial() -> pd.DataFrame:
    """38 IPS and 20 TAU participants whose yes/no items have Table 1's counts and denominators.

    Valid denominators read off the printed percents, e.g. higher education 14 of 35
    (40%) and 12 of 20 (60%); married 11/34 and 9/19; children 19/34 and 12/19;
    out of work > 2 years 21/29 and 13/16; HSCL >= 1.75 in 32/33 and 16/18.
    Continuous columns hold simple made-up values.
    """
    spec = {
        "female": ((29, 38), (14, 20)),
        "higher_education": ((14, 35), (12, 20)),
        "married": ((11, 34), (9, 19)),
        "has_children": ((19, 34), (12, 19)),
        "out_of_work_over_2y": ((21, 29), (13, 16)),
    }
    frame = pd.DataFrame({"participant_id": [f"p{i}" for i in range(58)], "group": ["IPS"] * 38 + ["TAU"] * 20})
    for col, ((a, n1), (b, n2)) in spec.items():
        frame[col] = ones_zeros(a, n1, 38) + ones_zeros(b, n2, 20)
    frame["benefits"] = (
        ["work_assessment_allowance"] * 21 + ["disability"] * 5 + ["other"] * 6 + ["none"] * 6
        + ["work_assessment_allowance"] * 10 + ["disability"] * 3 + ["other"] * 3 + ["none"] * 4
    )
    frame["age"] = [30.0 + (i % 10) for i in range(38)] + [35.0 + (i % 7) for i in range(20)]
    for col in outcome_columns():
        frame[col] = NA
    frame["hscl_0m"] = [2.0] * 32 + [1.6] + [NA] * 5 + [1.76] * 16 + [1.72] * 2 + [NA] * 2
    for col in ("odi_0m", "eqvas_0m", "anxiety_0m", "depression_0m",
                "bpi_current_0m", "bpi_worst_0m", "bpi_average_0m", "bpi_least_0m"):
        frame[col] = [float(i % 5) for i in range(38)] + [float(i % 3) for i in range(20)]
    return frame


def pearson_p(a: int, n1: int, b: int, n2: int) -> float:
    """Closed-form 2x2 Pearson chi-squared, no correction: N(ad - bc)^2 / (r1 r2 c1 c2), 1 df."""
    c, d = n1 - a, n2 - b
    n = n1 + n2
    chi2 = n * (a * d - c * b) ** 2 / (n1 * n2 * (a + b) * (c + d))
    return math.erfc(math.sqrt(chi2 / 2))  # chi-squared(1) survival function


def fisher_p(a: int, n1: int, b: int, n2: int) -> float:
    """Two-sided Fisher p by enumerating hypergeometric tables with math.comb."""
    k = a + b
    n = n1 + n2

    def prob(x: int) -> float:
        return math.comb(n1, x) * math.comb(n2, k - x) / math.comb(n, k)

    observed = prob(a)
    return sum(prob(x) for x in range(max(0, k - n2), min(k, n1) + 1) if prob(x) <= observed * (1 + 1e-7))


# --------------------------------------------------------------------------- indicators


def test_benefit_types_are_shares_of_recipients():
    trial = pd.DataFrame(
        {
            "group": ["IPS"] * 5,
            "benefits": ["none", "disability", "work_assessment_allowance", NA, "other"],
        }
    )
    recipient = baseline.indicator(trial, "benefit_recipient")
    waa = baseline.indicator(trial, "benefit_waa")
    assert recipient.tolist()[:3] == [0.0, 1.0, 1.0] and math.isnan(recipient[3]) and recipient[4] == 1.0
    assert math.isnan(waa[0]) and math.isnan(waa[3])
    assert waa[[1, 2, 4]].tolist() == [0.0, 1.0, 0.0]


def test_hscl_cutoff_is_at_or_above_175():
    trial = pd.DataFrame({"group": ["IPS"] * 4, "hscl_0m": [1.72, 1.75, 1.76, NA]})
    above = baseline.indicator(trial, "hscl_above_cutoff")
    assert above[:3].tolist() == [0.0, 1.0, 1.0] and math.isnan(above[3])


def test_unknown_row_and_missing_column_are_named():
    with pytest.raises(KeyError, match="unknown Table 1 row 'smoker'"):
        baseline.indicator(pd.DataFrame({"group": ["IPS"]}), "smoker")
    with pytest.raises(ValueError, match="benefits"):
        baseline.indicator(pd.DataFrame({"group": ["IPS"]}), "benefit_recipient")


def test_cells_below_counts_small_expected_counts():
    # HSCL cutoff row: margins 48/3 and 33/18 -> expected 3*33/51 = 1.94 and 3*18/51 = 1.06
    assert baseline.cells_below(32, 33, 16, 18) == 2
    # Female row: smallest expected 15*20/58 = 5.17
    assert baseline.cells_below(29, 38, 14, 20) == 0


# --------------------------------------------------------------------------- binary rows


@pytest.mark.parametrize(
    "key, a, n1, b, n2, printed_p",
    [
        ("female", 29, 38, 14, 20, 0.602),
        ("higher_education", 14, 35, 12, 20, 0.153),
        ("married", 11, 34, 9, 19, 0.279),
        ("has_children", 19, 34, 12, 19, 0.606),
    ],
)
def test_binary_rows_use_pearson_without_correction(key, a, n1, b, n2, printed_p):
    row = baseline.binary_row(paper_like_trial(), key)
    assert (row["ips_count"], row["ips_n"], row["tau_count"], row["tau_n"]) == (a, n1, b, n2)
    assert row["ips_pct"] == pytest.approx(100 * a / n1)
    assert row["test"] == "Pearson chi-squared"
    assert row["p"] == pytest.approx(pearson_p(a, n1, b, n2), rel=1e-9)
    assert round(row["p"], 3) == printed_p


def test_hscl_cutoff_row_uses_fisher_as_the_footnote_says():
    row = baseline.binary_row(paper_like_trial(), "hscl_above_cutoff")
    assert (row["ips_count"], row["ips_n"], row["tau_count"], row["tau_n"]) == (32, 33, 16, 18)
    assert row["test"] == "Fisher's exact"
    assert row["cells_below_min"] == 2
    assert row["p"] == pytest.approx(fisher_p(32, 33, 16, 18), rel=1e-9)
    assert round(row["p"], 3) == 0.282
    assert row["p_chi2"] == pytest.approx(pearson_p(32, 33, 16, 18), rel=1e-9)
    assert "2 of 4 expected counts below 5" in row["why"]


def test_benefit_rows_have_the_papers_percents_of_recipients():
    table = baseline.table1(paper_like_trial()).set_index("key")
    assert table.loc["benefit_recipient", ["ips_count", "ips_n"]].tolist() == [32, 38]
    assert table.loc["benefit_waa", "ips_pct"] == pytest.approx(100 * 21 / 32)  # 65.6
    assert table.loc["benefit_disability", "tau_pct"] == pytest.approx(100 * 3 / 16)  # 18.75
    assert table.loc["benefit_other", ["ips_count", "ips_n"]].tolist() == [6, 32]
    # 10 non-recipients among 58: expected 10*20/58 = 3.45 in the TAU cell -> exact p
    assert table.loc["benefit_recipient", "test"] == "Fisher's exact"
    assert table.loc["benefit_recipient", "p"] == pytest.approx(fisher_p(32, 38, 16, 20), rel=1e-9)


def test_constant_item_is_not_tested():
    trial = pd.DataFrame({"group": ["IPS", "IPS", "TAU"], "female": [1, 1, 1]})
    row = baseline.binary_row(trial, "female")
    assert row["test"] == "none" and math.isnan(row["p"])
    assert row["ips_pct"] == pytest.approx(100.0)


# --------------------------------------------------------------------------- continuous rows


def levene_mean(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Levene's F: one-way ANOVA on absolute deviations from each group's mean."""
    zx, zy = np.abs(x - x.mean()), np.abs(y - y.mean())
    z = np.concatenate([zx, zy])
    between = x.size * (zx.mean() - z.mean()) ** 2 + y.size * (zy.mean() - z.mean()) ** 2
    within = ((zx - zx.mean()) ** 2).sum() + ((zy - zy.mean()) ** 2).sum()
    df2 = x.size + y.size - 2
    f = between / (within / df2)
    return f, float(sps.f.sf(f, 1, df2))


def two_group_frame(x, y, column="age") -> pd.DataFrame:
    return pd.DataFrame({"group": ["IPS"] * len(x) + ["TAU"] * len(y), column: list(x) + list(y)})


def test_continuous_row_student_when_levene_not_significant():
    x, y = np.array([1.0, 2, 3, 4]), np.array([2.0, 4, 6, 8, 10])
    row = baseline.continuous_row(two_group_frame(list(x) + [NA], y), "age")
    # by hand: means 2.5 and 6, variances 5/3 and 10, pooled (5 + 40)/7
    assert (row["ips_n"], row["tau_n"]) == (4, 5)
    assert row["ips_mean"] == pytest.approx(2.5) and row["tau_mean"] == pytest.approx(6.0)
    assert row["ips_sd"] == pytest.approx(math.sqrt(5 / 3)) and row["tau_sd"] == pytest.approx(math.sqrt(10))
    t = -3.5 / math.sqrt(45 / 7 * (1 / 4 + 1 / 5))
    assert row["t_student"] == pytest.approx(t)
    assert row["p"] == pytest.approx(2 * sps.t.sf(abs(t), 7))
    f, p_lev = levene_mean(x, y)
    assert row["levene_F"] == pytest.approx(f)
    assert row["levene_p"] == pytest.approx(p_lev) and p_lev > 0.05
    assert row["test"] == "Student t"


def test_continuous_row_welch_when_levene_significant():
    x = np.array([10.0, 10.1, 9.9, 10.0, 10.05, 9.95])
    y = np.array([0.0, 20, 5, 15, 8, 12, 3, 17])
    row = baseline.continuous_row(two_group_frame(x, y, "odi_0m"), "odi")
    _f, p_lev = levene_mean(x, y)
    assert p_lev < 0.05 and row["levene_p"] == pytest.approx(p_lev)
    vx, vy = x.var(ddof=1) / x.size, y.var(ddof=1) / y.size
    t = (x.mean() - y.mean()) / math.sqrt(vx + vy)
    df = (vx + vy) ** 2 / (vx**2 / (x.size - 1) + vy**2 / (y.size - 1))
    assert row["test"] == "Welch t"
    assert row["p"] == pytest.approx(2 * sps.t.sf(abs(t), df))
    assert row["p"] == pytest.approx(row["p_welch"])
    assert "< 0.05" in row["why"]
    # a stricter Levene threshold keeps the Student line
    strict = baseline.continuous_row(two_group_frame(x, y, "odi_0m"), "odi", levene_alpha=p_lev / 2)
    assert strict["test"] == "Student t"


def test_continuous_row_with_one_value_is_not_tested():
    row = baseline.continuous_row(two_group_frame([5.0], [1.0, 2.0]), "age")
    assert row["test"] == "none" and math.isnan(row["p"]) and row["ips_mean"] == 5.0


# --------------------------------------------------------------------------- table, ledger, display


def test_table1_has_the_papers_rows_in_order():
    table = baseline.table1(paper_like_trial())
    assert table["key"].tolist()[:6] == ["female", "age", "higher_education", "married", "has_children",
                                         "benefit_recipient"]
    assert len(table) == 20
    assert table.loc[table["kind"] == "continuous", "key"].tolist() == [
        "age", "odi", "eqvas", "hscl", "anxiety", "depression",
        "bpi_current", "bpi_worst", "bpi_average", "bpi_least"]


def test_printed_values_cover_the_printed_keys_only():
    trial = paper_like_trial()
    values = baseline.printed_table1_values(baseline.table1(trial), trial)
    assert values["t1.ips_n"] == 38 and values["t1.tau_n"] == 20
    assert values["t1.married.tau_pct"] == pytest.approx(100 * 9 / 19)
    assert "t1.out_of_work_over_2y.p" not in values  # not printed
    assert "t1.out_of_work_over_2y.p" in baseline.table1_values(baseline.table1(trial), trial)
    assert values["t1.age.ips_mean"] == pytest.approx(np.mean([30.0 + (i % 10) for i in range(38)]))
    assert len([k for k in values if k.endswith(".p")]) == 15


def test_side_by_side_formats_cells():
    table = baseline.table1(paper_like_trial())
    shown = baseline.side_by_side(table, bundled=True).set_index("Characteristic")
    assert shown.loc["Female", "IPS paper"] == "29 (76.3)"
    assert shown.loc["Female", "IPS data"] == "29 (76.3)"
    assert shown.loc["Female", "P data"] == "0.602"
    assert shown.loc["Female", "P paper"] == "0.602"
    plain = baseline.side_by_side(table, bundled=False)
    assert not any("paper" in c for c in plain.columns)


def test_reader_can_force_one_test():
    trial = paper_like_trial()
    forced = baseline.binary_row(trial, "hscl_above_cutoff", binary_test="pearson")
    assert forced["test"] == "Pearson chi-squared"
    assert forced["p"] == pytest.approx(pearson_p(32, 33, 16, 18), rel=1e-9)
    exact = baseline.binary_row(trial, "female", binary_test="fisher")
    assert exact["p"] == pytest.approx(fisher_p(29, 38, 14, 20), rel=1e-9)
    yates = baseline.binary_row(trial, "female", binary_test="yates")
    table = np.array([[29, 38 - 29], [14, 20 - 14]])
    assert yates["test"] == "chi-squared, Yates"
    assert yates["p"] == pytest.approx(sps.chi2_contingency(table, correction=True)[1], rel=1e-9)
    x, y = np.array([1.0, 2, 3, 4]), np.array([2.0, 4, 6, 8, 10])
    welch = baseline.continuous_row(two_group_frame(x, y), "age", t_test="welch")
    vx, vy = x.var(ddof=1) / 4, y.var(ddof=1) / 5
    df = (vx + vy) ** 2 / (vx**2 / 3 + vy**2 / 4)
    assert welch["p"] == pytest.approx(2 * sps.t.sf(3.5 / math.sqrt(vx + vy), df))
    with pytest.raises(ValueError, match="t_test must be one of 'rule', 'student', 'welch'; got 'wilcoxon'"):
        baseline.table1(trial, t_test="wilcoxon")


def test_alternatives_keep_both_p_values_per_kind():
    table = baseline.table1(paper_like_trial())
    binary = baseline.alternatives(table, "binary").set_index("key")
    assert "hscl_above_cutoff" in binary.index and "age" not in binary.index
    row = binary.loc["hscl_above_cutoff"]
    assert row["p_fisher"] == pytest.approx(fisher_p(32, 33, 16, 18), rel=1e-9)
    assert row["p_chi2"] == pytest.approx(pearson_p(32, 33, 16, 18), rel=1e-9)
    assert row["min_expected"] == pytest.approx(3 * 18 / 51)
    continuous = baseline.alternatives(table, "continuous")
    assert continuous.columns.tolist() == ["key", "test", "p", "levene_F", "levene_p", "p_student", "p_welch"]
    assert len(continuous) == 10


def test_only_the_married_ips_percent_is_impossible():
    """11 of 34 is 32.35% and 11 of 35 is 31.43%: no denominator prints 32.3; the other
    printed pairs fit (e.g. 6/32 = 18.75 may print as 18.7, 32/33 = 96.97 as 97)."""
    bad = baseline.percent_inconsistencies()
    assert bad["key"].tolist() == ["t1.married.ips_pct"]
    row = bad.iloc[0]
    assert (row["count"], row["nearest_n"]) == (11, 34)
    assert row["nearest_pct"] == pytest.approx(1100 / 34)
    status, notes = baseline.ledger_annotations()
    assert status == {"t1.married.ips_pct": "source_inconsistent"}
    assert "11/34 = 32.35%, prints as 32.4 (the printed figure is this value truncated)" in notes["t1.married.ips_pct"]


def test_inconsistency_check_reads_the_table_it_is_given():
    pub = pd.DataFrame(
        {"value": [10.0, 33.3, 30.0, 2.0, 50.0, 4.0], "printed": ["10", "33.3", "30", "2", "50", "4"]},
        index=["t1.x.ips_count", "t1.x.ips_pct", "t1.ips_n", "t1.y.tau_count", "t1.y.tau_pct", "t1.tau_n"],
    )
    # 10/30 = 33.33 fits; 2/4 = 50 fits
    assert baseline.percent_inconsistencies(pub).empty
    pub.loc["t1.x.ips_pct", "printed"] = "33.0"  # 10/n for n <= 30: 33.33 or 34.48, never 33.0
    assert baseline.percent_inconsistencies(pub)["nearest_n"].tolist() == [30]
