"""The paper's 2x2 rule applied to other data: Table 2 and the 20-hour row print Fisher's
exact p where a smallest expected count is below 5 and Pearson's otherwise, whatever the
paper printed for its own trial (issue 15)."""
from __future__ import annotations

import pandas as pd
import pytest
from scipy import stats as sps

from ipsrep.analyses import employment, productivity


def small_trial() -> pd.DataFrame:
    """12 IPS and 6 TAU participants: at every follow-up 3 of 12 vs 1 of 6 employed, so the
    employed column's expected counts are 4 * 12/18 = 2.67 and 4 * 6/18 = 1.33 (< 5)."""
    ips = [1] * 3 + [0] * 9
    tau = [1] + [0] * 5
    col = ips + tau
    return pd.DataFrame({"group": ["IPS"] * 12 + ["TAU"] * 6, "employed_6m": col, "employed_12m": col,
                         "employed_24m": col, "worked_20h_week_12m": col})


def large_trial() -> pd.DataFrame:
    """100 IPS (40 employed) and 100 TAU (25 employed): smallest expected count 32.5."""
    col = [1] * 40 + [0] * 60 + [1] * 25 + [0] * 75
    return pd.DataFrame({"group": ["IPS"] * 100 + ["TAU"] * 100, "employed_6m": col, "employed_12m": col,
                         "employed_24m": col, "worked_20h_week_12m": col})


def test_table2_prints_fisher_when_an_expected_count_is_below_5():
    table = employment.employment_table(small_trial())
    fisher = sps.fisher_exact([[3, 9], [1, 5]]).pvalue  # by hand: the 2x2 table above
    assert table["min_expected"].tolist() == pytest.approx([4 * 6 / 18] * 3)
    display = employment.table2_display(table, bundled=False)
    assert display["P"].tolist() == [f"{fisher:.3f}"] * 3
    assert display["test"].str.startswith("Fisher's exact (rule: smallest expected count 1.33 < 5)").all()
    rows = employment.table2_ledger(table, bundled=False).set_index("key")
    assert rows.at["t2.12m.p", "reproduced"] == pytest.approx(fisher)
    assert "Fisher's exact" in rows.at["t2.12m.p", "note"]


def test_twenty_hours_row_prints_fisher_on_a_sparse_trial_and_pearson_on_a_large_one():
    sparse = productivity.worked_20h_table(small_trial())
    rows = productivity.twenty_hours_ledger(sparse, bundled=False).set_index("key")
    assert rows.at["rq2.20h.p", "reproduced"] == pytest.approx(sps.fisher_exact([[3, 9], [1, 5]]).pvalue)
    large = productivity.worked_20h_table(large_trial())
    rows = productivity.twenty_hours_ledger(large, bundled=False).set_index("key")
    pearson = sps.chi2_contingency([[40, 60], [25, 75]], correction=False)[1]
    assert rows.at["rq2.20h.p", "reproduced"] == pytest.approx(pearson)
    assert rows.at["rq2.20h.p", "reproduced"] != pytest.approx(rows.at["rq2.20h.p_fisher", "reproduced"])
    display = productivity.twenty_hours_display(large, bundled=False)
    assert display.at["recomputed", "P"] == f"{pearson:.3f}"
    assert display.at["recomputed", "test"].startswith("Pearson (rule: smallest expected count 32.50 ≥ 5)")


def test_table2_on_a_large_trial_prints_pearson_and_an_override_is_named():
    table = employment.employment_table(large_trial())
    rows = employment.table2_ledger(table, bundled=False).set_index("key")
    pearson = sps.chi2_contingency([[40, 60], [25, 75]], correction=False)[1]
    assert rows.at["t2.24m.p", "reproduced"] == pytest.approx(pearson)
    forced = employment.table2_ledger(table, bundled=False, binary_test="fisher").set_index("key")
    assert forced.at["t2.24m.p", "reproduced"] == pytest.approx(sps.fisher_exact([[40, 60], [25, 75]]).pvalue)
    assert "override" in forced.at["t2.24m.p", "note"]
    with pytest.raises(ValueError, match="binary_test must be one of"):
        employment.table2_ledger(table, bundled=False, binary_test="exact")


def test_on_the_bundled_data_the_rule_gives_what_the_paper_printed(trial):
    table = employment.employment_table(trial)
    assert (table["test"] == "pearson").all()  # the paper printed Pearson's p in Table 2
    rows = employment.table2_ledger(table, bundled=True).set_index("key")
    assert (rows.loc[["t2.6m.p", "t2.12m.p", "t2.24m.p"], "status"] == "reproduced").all()
    twenty = productivity.worked_20h_table(trial)
    assert twenty.at[0, "test"] == "fisher"  # and Fisher's for the 20-hour row
    assert productivity.twenty_hours_ledger(twenty, bundled=True).set_index("key").at["rq2.20h.p", "status"] \
        == "reproduced"
