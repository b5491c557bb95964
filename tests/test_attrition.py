"""Attrition per arm and visit (ipsrep.analyses.attrition), on a small hand-made trial."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from ipsrep.analyses import attrition
from ipsrep.analyses.flow import participant_flow


def hand_made_trial() -> pd.DataFrame:
    """4 IPS, 2 TAU. Employment answered: IPS all at 6 m, 3 at 12 m (id 4 missing), 2 at
    24 m; TAU 1 at 6 m, 2 at 12 m, 2 at 24 m. Hours and questionnaires follow below."""
    t = pd.DataFrame({
        "participant_id": ["a", "b", "c", "d", "e", "f"],
        "group": ["IPS", "IPS", "IPS", "IPS", "TAU", "TAU"],
        "age": [30, 40, 50, 60, 35, 45],
        "female": [1, 0, 1, 1, 0, 1],
        "employed_6m": [0, 1, 0, 0, None, 0],
        "employed_12m": [0, 1, 1, None, 0, 1],
        "employed_24m": [1, 1, None, None, 0, 1],
        "hours_12m": [0, 100, 50, None, 0, 20],
        "worked_20h_week_12m": [0, 1, 1, None, 0, 0],
    })
    for m in ("odi", "eqvas", "hscl", "anxiety", "depression", "bpi_current", "bpi_worst", "bpi_average",
              "bpi_least"):
        t[f"{m}_0m"] = 1.0
        t[f"{m}_6m"] = [1.0, 1.0, None, None, 1.0, 1.0]
        t[f"{m}_12m"] = [1.0, None, None, None, 1.0, None]
    t.loc[0, "odi_12m"] = None  # one instrument answered by fewer: IPS 12 m questionnaires 0-1
    return t


def test_missing_by_visit_counts_by_hand():
    table = attrition.missing_by_visit(hand_made_trial()).set_index(["group", "visit", "domain"])
    assert table.loc[("IPS", "12m", "employment"), ["analysed", "answered", "missing"]].tolist() == [4, 3, 1]
    assert table.loc[("IPS", "12m", "employment"), "response_pct"] == pytest.approx(75.0)
    assert table.loc[("IPS", "24m", "employment"), "missing"] == 2
    assert table.loc[("TAU", "6m", "employment"), "response_pct"] == pytest.approx(50.0)
    assert table.loc[("IPS", "12m", "questionnaires"), "answered_range"] == "0-1"
    assert table.loc[("IPS", "12m", "questionnaires"), "missing"] == 4
    assert table.loc[("TAU", "12m", "hours"), "answered"] == 2


def test_missing_patterns_by_hand():
    p = attrition.missing_patterns(hand_made_trial()).set_index("pattern")
    # IPS: a, b all three; c 6m+12m; d 6m only. TAU: e 12m+24m; f all three
    assert p.loc["6m, 12m, 24m"].tolist() == [2, 1]
    assert p.loc["6m, 12m"].tolist() == [1, 0]
    assert p.loc["6m"].tolist() == [1, 0]
    assert p.loc["12m, 24m"].tolist() == [0, 1]


def test_answered_vs_missing_by_hand():
    t = attrition.answered_vs_missing(hand_made_trial(), "employed_12m").set_index(["group", "trait"])
    age = t.loc[("IPS", "age (years), mean")]
    assert (age["answered_n"], age["answered"], age["missing_n"], age["missing"]) == (3, 40.0, 1, 60.0)
    assert t.loc[("IPS", "female, %"), "answered"] == pytest.approx(200 / 3)
    assert math.isnan(t.loc[("TAU", "age (years), mean"), "missing"])
    with pytest.raises(ValueError, match="column 'employed_36m' is missing"):
        attrition.answered_vs_missing(hand_made_trial(), "employed_36m")


def test_withdrawal_splits_of_the_paper_and_unknown_trunk():
    splits = attrition.withdrawal_table(participant_flow(pd.DataFrame({"group": ["IPS"] * 38 + ["TAU"] * 20}),
                                                         randomised=67, withdrew=9))
    assert len(splits) == 10
    # all 9 from TAU: 38 of 67 randomised to IPS; all 9 from IPS: 47 of 67
    assert splits["ips_share"].iloc[0] == pytest.approx(100 * 38 / 67)
    assert splits["ips_share"].iloc[-1] == pytest.approx(100 * 47 / 67)
    assert (splits["ips_share"] > 50).all()
    unknown = attrition.withdrawal_table(participant_flow(pd.DataFrame({"group": ["IPS", "TAU"]})))
    assert unknown.empty
    with pytest.raises(ValueError, match="do not make 67 randomised"):
        attrition.withdrawal_splits(67, 8, 38, 20)


def test_attrition_ledger_values():
    values, quantities = attrition.attrition_ledger_values(hand_made_trial())
    assert values["attrition.12m.ips.missing"] == 1
    assert values["attrition.6m.tau.response_pct"] == pytest.approx(50.0)
    assert len(values) == 12 and set(values) == set(quantities)
