"""Issue 20: a file `validate` accepts in which every answer of a follow-up (or of one
outcome) is missing gives analyses that say, in words, what could not be computed and
why; their ledger rows carry no value, no status and a note. No KeyError, no traceback.

Library-level and fast: the analyses of pages 01-03 on the bundled file with the
columns emptied. The whole builds on such files are in ``test_inestimable_builds``
(slow).
"""
from __future__ import annotations

import math

import pandas as pd
import pytest

from ipsrep import paths
from ipsrep.analyses import (
    employment,
    employment_historical,
    employment_power,
    health,
    productivity,
    productivity_sensitivity,
)
from ipsrep.inputs import contract


@pytest.fixture(scope="module")
def bundled() -> pd.DataFrame:
    return contract.load_trial(paths.PROJECT_ROOT / paths.BUNDLED_DATA)


def emptied(trial: pd.DataFrame, suffix: str) -> pd.DataFrame:
    out = trial.copy()
    for c in out.columns:
        if c.endswith(suffix):
            out[c] = math.nan
    return out


def ledger_by_key(rows: pd.DataFrame) -> pd.DataFrame:
    return rows.set_index("key")


def test_no_12_month_answers_table2_says_why_and_ledger_has_no_value_no_status(bundled):
    trial = emptied(bundled, "_12m")
    table = employment.employment_table(trial)
    r = table.set_index("follow_up").loc["12m"]
    assert r["reason"] == "not computed: no participant has a value of employed_12m (IPS 0, TAU 0)"
    assert table.set_index("follow_up").loc["6m", "reason"] == ""
    rows = ledger_by_key(employment.table2_ledger(table, bundled=True))
    for q in ("ips_pct", "p", "or", "or_lo", "or_hi"):
        assert math.isnan(rows.at[f"t2.12m.{q}", "reproduced"])
        assert rows.at[f"t2.12m.{q}", "status"] == ""
        assert "no participant has a value of employed_12m" in rows.at[f"t2.12m.{q}", "note"]
    assert rows.at["t2.6m.p", "status"] in ("reproduced", "discrepant")
    hist = employment_historical.historical_on_data(table, employment_historical.published_historical_counts())
    shown = employment_historical.historical_display({"data": hist}).set_index("Quantity")["data"]
    assert shown["p (Pearson χ²)"] == "not computed" and shown["Historical controls n"] == "315"
    power = employment_power.power_on_data(0.5, 0.3, table)
    assert power.empty
    assert employment_power.power_sentence(power) == (
        "The power at the trial's 12-month size was not computed: no participant has a value of "
        "employed_12m (IPS 0, TAU 0).")


def test_no_hours_answers_the_t_tests_and_20h_table_say_why(bundled):
    trial = emptied(bundled, "_12m")
    t = productivity.hours_ttest(trial)
    assert t.iloc[0]["reason"] == "not computed: no participant has a value of hours_12m (IPS 0, TAU 0)"
    assert productivity.hours_tests_display(t).iloc[0, 0] == t.iloc[0]["reason"]
    sentence = productivity.hours_test_sentence(t, ["student"])
    assert sentence.endswith("the t-test was not computed: no participant has a value of hours_12m (IPS 0, TAU 0).")
    summary = productivity.hours_summary(trial)
    rows = ledger_by_key(productivity.hours_ledger(summary, t, bundled=True))
    assert math.isnan(rows.at["rq2.hours.p", "reproduced"]) and rows.at["rq2.hours.p", "status"] == ""
    assert rows.at["rq2.hours.p", "note"].startswith("hours: not computed")
    assert rows.at["rq2.hours.ips_mean", "note"] == "hours: no value of hours_12m in the IPS group"
    assert productivity.hours_display(summary, bundled=False).loc[("IPS", "recomputed"), "mean (SD)"] == "no values"
    sens = productivity_sensitivity.hours_sensitivity(trial, n_resamples=200)
    assert sens.iloc[0]["reason"].startswith("not computed")
    twenty = productivity.worked_20h_table(trial)
    assert twenty.iloc[0]["reason"].startswith("not computed: no participant has a value of worked_20h_week_12m")
    shown = productivity.twenty_hours_display(twenty, bundled=False).loc["recomputed"]
    assert shown["P"] == "not computed" and shown["IPS n (%)"] == "no answers"
    rows = ledger_by_key(productivity.twenty_hours_ledger(twenty, bundled=True))
    assert math.isnan(rows.at["rq2.20h.p", "reproduced"]) and rows.at["rq2.20h.p", "status"] == ""
    assert rows.at["rq2.20h.or", "note"].startswith("≥ 20 h: not computed")


def test_one_value_per_group_is_too_few_for_a_t_test(bundled):
    """The boundary of the t-test: 2 values per group are tested, 1 is said in words."""
    trial = bundled.copy()
    for group, keep in (("IPS", 2), ("TAU", 1)):
        idx = trial.index[(trial["group"] == group) & trial["hours_12m"].notna()]
        trial.loc[idx[keep:], "hours_12m"] = math.nan
    t = productivity.hours_ttest(trial).iloc[0]
    assert t["reason"] == "not computed: a t-test needs at least 2 values of hours_12m per group (IPS 2, TAU 1)"
    idx = bundled.index[(bundled["group"] == "TAU") & bundled["hours_12m"].notna()]
    trial.loc[idx[:2], "hours_12m"] = bundled.loc[idx[:2], "hours_12m"]
    t = productivity.hours_ttest(trial).iloc[0]
    assert t["reason"] == "" and not math.isnan(t["p_rule"])


@pytest.mark.parametrize("suffix", ["_12m", "_6m"])
def test_table3_rows_without_answers_say_why(bundled, suffix):
    trial = emptied(bundled, suffix)
    table = health.table3(trial)
    visit = suffix.lstrip("_")
    empty = table[table["visit"] == visit]
    assert (empty["reason"].str.startswith("not computed: no participant has a value of")).all()
    assert empty["p_holm"].isna().all()
    other = table[table["visit"] != visit]
    assert (other["reason"] == "").all() and other["p_holm"].notna().all()
    shown = health.table3_display(table, bundled=False)
    row = shown.loc[("odi", visit, "recomputed")]
    assert row["IPS mean (SD)"] == "no values" and row["p"].startswith("not computed")
    rows = ledger_by_key(health.table3_ledger(table, bundled=True))
    key = f"t3.odi.{visit}.p"
    assert math.isnan(rows.at[key, "reproduced"]) and rows.at[key, "status"] == ""
    assert rows.at[key, "note"] == (f"odi {visit}: not computed: no participant has a value of odi_{visit} "
                                    "(IPS 0, TAU 0)")


def test_a_single_health_measure_without_follow_ups(bundled):
    trial = bundled.copy()
    trial[["odi_6m", "odi_12m"]] = math.nan
    table = health.table3(trial)
    assert (table.loc[table["measure"] == "odi", "reason"] != "").all()
    assert (table.loc[table["measure"] != "odi", "reason"] == "").all()


def test_table4_of_a_measure_without_follow_ups_says_why(bundled):
    from ipsrep.analyses import mixed

    trial = bundled.copy()
    trial[["odi_6m", "odi_12m"]] = math.nan
    fitted = mixed.table4(trial, measures=["odi", "eqvas"])
    odi, eqvas = fitted[fitted["measure"] == "odi"], fitted[fitted["measure"] == "eqvas"]
    assert (odi["reason"] == "not computed: the mixed model of odi needs follow-up values in both groups "
                             "(IPS 0, TAU 0)").all()
    assert odi["estimate"].isna().all() and (eqvas["reason"] == "").all() and eqvas["estimate"].notna().all()
    rows = ledger_by_key(mixed.table4_ledger(fitted, bundled=True))
    key = "t4.odi.interaction.estimate"
    assert math.isnan(rows.at[key, "reproduced"]) and rows.at[key, "status"] == ""
    assert rows.at[key, "note"].startswith("not computed: the mixed model of odi")
    assert rows.at["t4.eqvas.interaction.estimate", "status"] in ("approximate", "source_inconsistent")


def test_jobs_sentence_without_employed_participants():
    assert productivity.jobs_sentence(28, 0, 0).endswith(
        "In the data in use no IPS participant is recorded as employed by 12 or 24 months, so there is no "
        "ratio to compute.")


def test_power_at_observed_rates_of_0_or_1_is_said_in_words(bundled):
    trial = bundled[bundled["employed_12m"].notna()].copy()
    trial.loc[trial["group"] == "IPS", "employed_12m"] = 1.0
    table = employment.employment_table(trial)
    power = employment_power.power_on_data(0.5, 0.3, table, n_sim=500)
    assert not math.isnan(power.loc["design difference", "power_simulated"])
    assert math.isnan(power.loc["observed difference", "power_simulated"])
    assert employment_power.power_sentence(power).endswith(
        "and not computed for the observed one (rates 100% and 39%: power needs two different rates strictly "
        "between 0 and 100%).")


def test_table3_with_no_testable_row_has_no_holm_values(bundled):
    trial = emptied(emptied(bundled, "_12m"), "_6m")
    table = health.table3(trial)
    assert table["p_holm"].isna().all() and (table["reason"] != "").all()


# --------------------------------------------------------------------------------------
# Whole builds (slow): pages 01-03 on files validate accepts
# --------------------------------------------------------------------------------------
def _build_pages(tmp_path, trial: pd.DataFrame, stems=("01_rq1_employment", "02_rq2_productivity",
                                                       "03_rq3_health")):
    import contextlib
    import io
    import shutil

    from ipsrep.report import build

    data = tmp_path / "trial.csv"
    trial.to_csv(data, index=False)
    assert contract.check_trial_file(data) == []
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    for stem in stems:
        shutil.copy(paths.PROJECT_ROOT / "notebooks" / f"{stem}.py", notebooks)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        status = build.build_command(data=str(data), out=tmp_path / "site", jobs=2, notebooks_dir=notebooks,
                                     cache_dir=tmp_path / "cache")
    assert status == 0, err.getvalue()
    assert "Traceback" not in err.getvalue()
    return tmp_path / "site"


@pytest.mark.slow
def test_a_file_with_no_12_month_answers_builds_and_says_what_was_not_computed(bundled, tmp_path):
    site = _build_pages(tmp_path, emptied(bundled, "_12m"))
    ledger = pd.read_csv(site / "ledger.csv", dtype={"status": str}, keep_default_na=False)
    rows = ledger.set_index("key")
    for key in ("t2.12m.p", "rq2.hours.p", "rq2.20h.p", "t3.odi.12m.p"):
        assert rows.at[key, "reproduced"] == "" and rows.at[key, "status"] == "", key
        assert "not computed" in rows.at[key, "note"], key
    for page, said in (("01_rq1_employment.html", "no participant has a value of employed_12m"),
                       ("02_rq2_productivity.html", "no participant has a value of hours_12m"),
                       ("03_rq3_health.html", "no participant has a value of odi_12m")):
        text = (site / page).read_text(encoding="utf-8")
        assert said in text, page
        assert "KeyError" not in text and "Traceback" not in text and "nan%" not in text, page


@pytest.mark.slow
def test_the_smallest_file_validate_accepts_builds_pages_01_to_03(bundled, tmp_path):
    """Two participants per arm (the minimum, :data:`ipsrep.inputs.contract.MIN_PER_ARM`)."""
    complete = bundled.dropna()
    trial = pd.concat([complete[complete["group"] == g].head(contract.MIN_PER_ARM) for g in ("IPS", "TAU")])
    site = _build_pages(tmp_path, trial)
    assert (site / "03_rq3_health.html").is_file()
