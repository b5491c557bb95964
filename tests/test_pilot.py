"""The pilot reconstruction against the statements of Rødevand et al. (2017), typed here
from the paper; intervals against scipy; interview samples against a plain-Python
enumeration."""
from __future__ import annotations

import statistics
from itertools import combinations_with_replacement

import pandas as pd
import pytest
from scipy.stats import binomtest

from ipsrep.analyses import pilot
from ipsrep.inputs import published

# The conditions the paper lists (Results, clinical characteristics), in our own order.
PAPER_CONDITIONS = {
    "post-traumatic headache", "chronic widespread pain", "elbow and neck pain", "post-stroke pain",
    "chronic abdominal pain", "chronic knee pain", "chronic neck/back pain", "chronic low back pain",
}


@pytest.fixture(scope="module")
def people() -> pd.DataFrame:
    return pilot.load_participants()


@pytest.fixture(scope="module")
def basis(people) -> pd.DataFrame:
    return pilot.cell_basis(people)


# ---- the table honours the paper's sentences ------------------------------------------

def test_size_and_sex(people):
    # eight people, equal numbers of men and women
    assert people["participant"].tolist() == [f"P{i}" for i in range(1, 9)]
    assert people["sex"].value_counts().to_dict() == {"female": 4, "male": 4}


def test_pronouns_the_paper_uses(people):
    sex = people.set_index("participant")["sex"]
    # P1 (the drop-out) and P8 are "she"; P4 and P7 are "he"
    assert (sex["P1"], sex["P8"], sex["P4"], sex["P7"]) == ("female", "female", "male", "male")


def test_ages(people):
    # youngest 22, oldest 51, most aged 30-39; P2 says they are in their late thirties
    assert people["age"].min() == 22 and people["age"].max() == 51
    assert people["age"].between(30, 39).sum() >= 5
    assert 37 <= people.set_index("participant").at["P2", "age"] <= 39


def test_conditions_and_durations(people):
    assert set(people["pain_condition"]) == PAPER_CONDITIONS == set(pilot.pain_conditions())
    for col in ("pain_years", "out_of_work_years"):  # "2-16 years" for both
        assert people[col].min() == 2 and people[col].max() == 16
    # P2 speaks of a 16-year gap in the CV
    assert people.set_index("participant").at["P2", "out_of_work_years"] == 16


def test_drop_out_and_arms(people):
    p = people.set_index("participant")
    assert p.index[p["dropped_out"] == 1].tolist() == ["P1"]
    # Methods: four given nine more months, four followed by clinicians only
    assert (p["follow_up"] == "extended").sum() == 4
    assert p.at["P1", "follow_up"] == "3 months"  # left a few weeks in
    assert p.at["P2", "follow_up"] == "3 months" and pd.isna(p.at["P2", "employed_from_month"])
    assert (p.loc[p["follow_up"] == "extended", "ips_months"] == 12).all()


def test_employment(people):
    start = people["employed_from_month"]
    # none at 3 months, one by 6, "another two" by 12
    assert [(start <= m).sum() for m in (3, 6, 12)] == [0, 1, 3]
    # Discussion: two in the extended arm were employed, after 6 and 12 months
    ext = people.loc[people["follow_up"] == "extended", "employed_from_month"].dropna()
    assert sorted(ext.tolist()) == [6, 12]


def test_limited_support(people):
    # Limitations: two abroad on holiday, one waiting for surgery
    assert people["limited_support"].value_counts().to_dict() == {"holiday abroad": 2, "postponed for surgery": 1}


def test_provenance(basis):
    b = basis.set_index(["participant", "column"])["basis"]
    assert b[("P2", "sex")] == "conflicting"
    assert b[("P1", "dropped_out")] == "stated"
    assert b[("P5", "pain_condition")] == "reconstructed"
    # every participant's drop-out status is stated; no pain condition is
    assert (basis.query("column == 'dropped_out'")["basis"] == "stated").all()
    assert (basis.query("column == 'pain_condition'")["basis"] == "reconstructed").all()
    assert len(basis) == 8 * 10


def test_summary_values_match_the_published_file_except_the_discussion(people):
    ours = pilot.summary_values(people)
    pub = published.values("pilot.")
    for key, val in ours.items():
        short = key.removeprefix("pilot.")
        if short == "employed_12m_pct":
            assert val == 37.5  # 3/8, printed as 38
        elif short == "extended_followup_discussion":
            assert (val, pub[short]) == (4, 3)  # the paper's self-disagreement
        else:
            assert val == pub[short], key


def test_extended_statements(people):
    t = pilot.extended_followup_statements(people)
    assert t["printed"].tolist() == [4, 3, 2]
    assert t["in_table"].tolist() == [4, 4, 2]


# ---- rates -------------------------------------------------------------------------------

def test_rate_comparison_against_scipy(people):
    t = pilot.rate_comparison(people, alpha=0.05).set_index("label")
    pilot_row = t.loc["Pilot, IPS (12 months)"]
    ci = binomtest(3, 8).proportion_ci(confidence_level=0.95, method="exact")
    assert (pilot_row["count"], pilot_row["n"]) == (3, 8)
    assert pilot_row["ci_low"] == pytest.approx(ci.low, abs=1e-12)  # the 0-1 scale, as scipy returns it
    assert pilot_row["ci_high"] == pytest.approx(ci.high, abs=1e-12)
    ips = t.loc["Trial, IPS arm (12 months)"]
    # 19/36 = 52.78 % prints as 52.8; 7/18 = 38.89 % as 38.9
    assert (ips["count"], ips["n"]) == (19, 36)
    assert t.loc["Trial, TAU arm (12 months)", "n"] == 18
    ci = binomtest(19, 36).proportion_ci(confidence_level=0.95, method="exact")
    assert ips["ci_low"] == pytest.approx(ci.low, abs=1e-12)
    ranges = t[t["kind"] == "range"]
    assert ranges[["ci_low", "ci_high"]].to_numpy().ravel().tolist() == pytest.approx([0.07, 0.40, 0.22, 0.78])


def test_employment_by_month(people):
    e = pilot.employment_by_month(people)
    assert e["employed"].tolist() == [0, 0, 1, 3]
    assert e["pct"].tolist() == [0, 0, 12.5, 37.5]


# ---- interview lengths ------------------------------------------------------------------

def _reference_samples(n=8, lo=13, hi=33):
    """Plain-Python enumeration: both extremes present, mean in [21.5, 22.5], SD in [8.5, 9.5]."""
    out = []
    for rest in combinations_with_replacement(range(lo, hi + 1), n - 2):
        xs = (lo, *rest, hi)
        if 21.5 <= sum(xs) / n <= 22.5 and 8.5 <= statistics.stdev(xs) <= 9.5:
            out.append(tuple(sorted(xs)))
    return sorted(out)


def test_interview_lengths_are_possible():
    checks, samples = pilot.interview_length_check()
    assert checks["consistent"].all()
    ours = sorted(tuple(r) for r in samples[[f"x{i}" for i in range(1, 9)]].values.tolist())
    assert ours == _reference_samples()
    values = pilot.interview_ledger_values(samples)
    assert round(values["pilot.interview_minutes_mean"]) == 22
    assert 8.5 <= values["pilot.interview_minutes_sd"] <= 9.5


def test_interview_summary_ranks():
    _, samples = pilot.interview_length_check()
    s = pilot.interview_sample_summary(samples)
    assert s["rank"].tolist() == list(range(1, 9))
    assert (s.iloc[0]["min"], s.iloc[0]["max"]) == (13, 13)
    assert (s.iloc[-1]["min"], s.iloc[-1]["max"]) == (33, 33)


# ---- bad input ---------------------------------------------------------------------------

def test_bad_participant_file_gets_a_clear_message(tmp_path, people):
    bad = people.astype(object).copy()
    bad.loc[2, "sex"] = "F"
    bad.loc[4, "follow_up"] = "long"
    path = tmp_path / "participants.csv"
    bad.to_csv(path, index=False)
    with pytest.raises(ValueError) as err:
        pilot.load_participants(path)
    msg = str(err.value)
    assert "column 'sex', line 4 (P3)" in msg and "'F'" in msg
    assert "column 'follow_up', line 6 (P5)" in msg
    assert "Traceback" not in msg


def test_missing_column_is_named(tmp_path, people):
    path = tmp_path / "participants.csv"
    people.drop(columns="age").to_csv(path, index=False)
    with pytest.raises(ValueError, match="missing column\\(s\\) age"):
        pilot.load_participants(path)


# ---- figures (ipsrep.plots.pilot) -----------------------------------------------------------

def test_follow_up_figure_draws_the_papers_employment_steps(people, basis):
    from ipsrep.plots.pilot import follow_up_figure

    fig = follow_up_figure(people, basis)
    lanes, steps = fig.axes
    # eight lanes, P1 at the top; none at 3 months, one by 6, three by 12 (Results)
    assert [t.get_text().rstrip(" *") for t in lanes.get_yticklabels()] == [f"P{i}" for i in range(8, 0, -1)]
    assert steps.lines[0].get_ydata().tolist() == [0, 0, 1, 3]


def test_rate_comparison_figure_has_a_row_per_rate(people):
    from ipsrep.plots.pilot import rate_comparison_figure

    fig = rate_comparison_figure(pilot.rate_comparison(people))
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert len(labels) == 5 and labels[-1] == "Pilot, IPS (12 months)"
    assert "95% Clopper-Pearson" in fig.axes[0].get_title()
