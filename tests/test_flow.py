"""Participant flow counts against hand-counted small tables."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ipsrep.analyses import flow
from ipsrep.inputs.measures import outcome_columns

NA = np.nan


def small_trial() -> pd.DataFrame:
    """Four IPS and two TAU participants; missing cells placed by hand.

    Employment answered: 6m IPS 3/4, TAU 2/2; 12m IPS 4/4, TAU 1/2; 24m IPS 2/4, TAU 2/2.
    Hours: IPS 3/4, TAU 2/2. ODI at 6m: IPS 2/4, TAU 1/2; every other questionnaire
    complete at baseline and empty at 6 and 12 months except EQ-VAS at 6m (IPS 3/4).
    """
    frame = pd.DataFrame(
        {
            "participant_id": [f"p{i}" for i in range(6)],
            "group": ["IPS", "IPS", "IPS", "IPS", "TAU", "TAU"],
            "employed_6m": [1, 0, NA, 0, 0, 1],
            "employed_12m": [1, 0, 1, 0, NA, 1],
            "employed_24m": [1, NA, NA, 1, 0, 1],
            "hours_12m": [10.5, 0, NA, 0, 0, 40],
            "worked_20h_week_12m": [0, 0, NA, 0, 0, 1],
        }
    )
    for col in outcome_columns():
        frame[col] = 1.0 if col.endswith("_0m") else NA
    frame["odi_6m"] = [20, NA, 30, NA, NA, 40]
    frame["eqvas_6m"] = [50, 60, 70, NA, NA, NA]
    return frame


def test_group_sizes_count_each_arm():
    sizes = flow.group_sizes(small_trial())
    assert sizes.to_dict("list") == {"group": ["IPS", "TAU"], "n": [4, 2]}


def test_group_sizes_report_an_absent_arm_as_zero():
    trial = small_trial()
    sizes = flow.group_sizes(trial[trial["group"] == "IPS"])
    assert sizes.set_index("group")["n"].to_dict() == {"IPS": 4, "TAU": 0}


def test_respondents_count_non_missing_cells():
    table = flow.respondents(small_trial()).set_index(["column", "group"])
    assert table.loc[("employed_6m", "IPS"), "respondents"] == 3
    assert table.loc[("employed_6m", "IPS"), "response_pct"] == pytest.approx(75.0)
    assert table.loc[("employed_12m", "TAU"), "response_pct"] == pytest.approx(50.0)
    assert table.loc[("employed_24m", "IPS"), "respondents"] == 2
    assert table.loc[("hours_12m", "IPS"), "respondents"] == 3
    assert table.loc[("odi_6m", "IPS"), "respondents"] == 2
    assert table.loc[("odi_6m", "TAU"), "respondents"] == 1
    assert table.loc[("hscl_12m", "TAU"), "respondents"] == 0
    assert table.loc[("bpi_least_0m", "TAU"), "response_pct"] == pytest.approx(100.0)


def test_follow_up_summary_gives_the_range_within_a_domain():
    summary = flow.follow_up_summary(small_trial()).set_index(["group", "visit", "domain"])
    q6 = summary.loc[("IPS", "6m", "questionnaires")]
    # odi 2/4, eqvas 3/4, the seven other measures 0/4
    assert (q6["n_min"], q6["n_max"]) == (0, 3)
    assert q6["pct_max"] == pytest.approx(75.0)
    hours = summary.loc[("TAU", "12m", "hours")]
    assert (hours["n_min"], hours["n_max"]) == (2, 2)
    visits = flow.follow_up_summary(small_trial()).query("group == 'IPS'")["visit"].drop_duplicates().tolist()
    assert visits == ["0m", "6m", "12m", "24m"]


def test_primary_response_rates_pool_the_groups():
    rates = flow.primary_response_rates(small_trial()).set_index(["visit", "group"])
    assert rates.loc[("6m", "both"), "respondents"] == 5
    assert rates.loc[("6m", "both"), "response_pct"] == pytest.approx(500 / 6)
    assert rates.loc[("12m", "TAU"), "response_pct"] == pytest.approx(50.0)


def test_primary_response_range_is_over_groups_and_follow_ups():
    # group-wise rates: 6m 75, 100; 12m 100, 50; 24m 50, 100
    assert flow.primary_response_range(small_trial()) == pytest.approx((50.0, 100.0))


def test_primary_response_range_on_the_papers_counts():
    """Respondents of Table 2 (34/38, 19/20; 36/38, 18/20; 37/38, 17/20) give 85% to 97%."""
    answered = {"IPS": (34, 36, 37), "TAU": (19, 18, 17)}
    sizes = {"IPS": 38, "TAU": 20}
    rows = []
    for g, counts in answered.items():
        for i in range(sizes[g]):
            rows.append(
                {
                    "group": g,
                    **{
                        f"employed_{v}": (0 if i < k else NA) for v, k in zip(("6m", "12m", "24m"), counts, strict=True)
                    },
                }
            )
    trial = pd.DataFrame(rows)
    trial["hours_12m"] = 0.0
    trial["worked_20h_week_12m"] = 0
    for col in outcome_columns():
        trial[col] = NA
    low, high = flow.primary_response_range(trial)
    assert low == pytest.approx(85.0)
    assert high == pytest.approx(3700 / 38)
    assert round(high) == 97


def test_participant_flow_checks_the_trunk():
    trial = small_trial()
    known = flow.participant_flow(trial, randomised=8, withdrew=2)
    assert (known.analysed, known.by_group, known.consistent) == (6, {"IPS": 4, "TAU": 2}, True)
    assert flow.participant_flow(trial, randomised=9, withdrew=2).consistent is False
    assert flow.participant_flow(trial).consistent is None


def test_flow_ledger_values():
    values = flow.flow_ledger_values(small_trial())
    assert values == {
        "flow.analysed": 6,
        "flow.ips_n": 4,
        "flow.tau_n": 2,
        "flow.response_rate_min": pytest.approx(50.0),
        "flow.response_rate_max": pytest.approx(100.0),
    }


def test_missing_column_is_named():
    with pytest.raises(ValueError, match="employed_24m"):
        flow.respondents(small_trial().drop(columns=["employed_24m"]))


def test_flow_box_text_lists_each_domain_with_its_range():
    from ipsrep.plots.flow import visit_box_text

    summary = flow.follow_up_summary(small_trial())
    # IPS at 12 months: employment 4/4; hours items 3/4 and 3/4; questionnaires all 0/4
    assert visit_box_text(summary, "IPS", "12m") == (
        "12 months\nEmployment: 4 (100%)\nHours worked: 3 (75%)\nQuestionnaires: 0 (0%)"
    )
    # IPS at 6 months: questionnaires 0/4 to 3/4
    assert visit_box_text(summary, "IPS", "6m").endswith("Questionnaires: 0\u20133 (0\u201375%)")
