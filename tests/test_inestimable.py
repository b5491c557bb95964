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
    assert productivity.hours_tests_display(t, bundled=True).iloc[0, 0] == t.iloc[0]["reason"]
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
    assert t["reason"] == "" and not math.isnan(t["p"])


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
# Whole builds (slow): all ten pages on files validate accepts
# --------------------------------------------------------------------------------------
ALL_PAGES = tuple(sorted(p.stem for p in (paths.PROJECT_ROOT / "notebooks").glob("[0-9][0-9]_*.py")))


def _build_pages(tmp_path, trial: pd.DataFrame, stems=ALL_PAGES):
    import contextlib
    import io
    import shutil

    from ipsrep import cli

    data = tmp_path / "trial.csv"
    trial.to_csv(data, index=False)
    assert contract.check_trial_file(data) == []
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    for stem in stems:
        shutil.copy(paths.PROJECT_ROOT / "notebooks" / f"{stem}.py", notebooks)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        status = cli.build_command(data=str(data), out=tmp_path / "site", jobs=2, notebooks_dir=notebooks,
                                     cache_dir=tmp_path / "cache")
    assert status == 0, err.getvalue()
    assert "Traceback" not in err.getvalue()
    site = tmp_path / "site"
    for stem in stems:
        text = (site / f"{stem}.html").read_text(encoding="utf-8")
        assert "KeyError" not in text and "Traceback" not in text and "nan%" not in text, stem
    return site


@pytest.mark.slow
def test_a_file_with_no_12_month_answers_builds_and_says_what_was_not_computed(bundled, tmp_path):
    site = _build_pages(tmp_path, emptied(bundled, "_12m"))
    ledger = pd.read_csv(site / "ledger.csv", dtype={"status": str}, keep_default_na=False)
    rows = ledger.set_index("key")
    assert len(ALL_PAGES) == 10
    for key in ("t2.12m.p", "rq2.hours.p", "rq2.20h.p", "t3.odi.12m.p", "evidence.12m.neutral.p_or_above_1",
                "evidence.12m.fragility.either_arm", "audit.power.achieved_12m"):
        assert rows.at[key, "reproduced"] == "" and rows.at[key, "status"] == "", key
        assert "not computed" in rows.at[key, "note"], key
    for page, said in (("01_rq1_employment.html", "no participant has a value of employed_12m"),
                       ("02_rq2_productivity.html", "no participant has a value of hours_12m"),
                       ("03_rq3_health.html", "no participant has a value of odi_12m"),
                       ("04_evidence.html", "The fragility index at 12m was not computed: no participant has"),
                       ("07_audit.html", "Figure 4 is not drawn: planning from the observed 12m rates was not "
                                         "computed: no participant has a value of employed_12m")):
        assert said in (site / page).read_text(encoding="utf-8"), page


@pytest.mark.slow
def test_the_smallest_file_validate_accepts_builds_all_ten_pages(bundled, tmp_path):
    """Two participants per arm (the minimum, :data:`ipsrep.inputs.contract.MIN_PER_ARM`); the
    first two complete cases of each arm have 12-month employment rates of 100% and 0%."""
    complete = bundled.dropna()
    trial = pd.concat([complete[complete["group"] == g].head(contract.MIN_PER_ARM) for g in ("IPS", "TAU")])
    site = _build_pages(tmp_path, trial)
    said = "not computed: the observed rates are 100% and 0%"
    assert said in (site / "04_evidence.html").read_text(encoding="utf-8")
    assert said in (site / "07_audit.html").read_text(encoding="utf-8")


def test_page04_sample_size_at_rates_of_0_or_1_is_said_in_words_and_the_ledger_has_no_value():
    """Two per arm (the smallest accepted file) can give rates of 100% and 0%: no sample size."""
    from ipsrep.analyses import evidence

    row = pd.Series({"follow_up": "12m", "a": 2, "n1": 2, "b": 0, "n2": 2, "ci_low": 0.5, "ci_high": 400.0,
                     "reason": ""})
    sizes = evidence.needed_sample_size(row, powers=(0.8, 0.9))
    assert sizes["n_per_group"].isna().all() and sizes["power"].tolist() == [0.8, 0.9]
    assert evidence.sample_size_sentence(sizes, row, "12m") == (
        "The sample size at the observed 12m rates was not computed: the observed rates are 100% and 0%; "
        "a sample size needs two different rates strictly between 0 and 100%.")
    reading = evidence.interval_reading(row, planned=evidence.planned_effect())
    rows = ledger_by_key(evidence.interval_ledger(reading, sizes, evidence.credibility(row), "12m", bundled=False))
    key = "evidence.12m.n_per_group_power80"
    assert math.isnan(rows.at[key, "reproduced"]) and rows.at[key, "status"] == ""
    assert rows.at[key, "note"].startswith("not computed: the observed rates are 100% and 0%")


def test_page04_sample_size_where_the_rates_allow_it():
    from ipsrep.analyses import evidence

    row = pd.Series({"a": 19, "n1": 36, "b": 7, "n2": 18, "reason": ""})
    sizes = evidence.needed_sample_size(row, powers=(0.8,))
    assert (sizes["reason"] == "").all() and int(sizes.at[0, "n_per_group"]) > 36
    assert evidence.sample_size_sentence(sizes, row, "12m").startswith(
        f"At the observed rates a trial would need **{int(sizes.at[0, 'n_per_group'])} per group** for 80% power")


@pytest.mark.parametrize(("employed", "reason"), [
    ((1.0, 0.0), "not computed: the observed rates are 100% and 0%; power and sample size need two different "
                 "rates strictly between 0 and 100%"),
    ((math.nan, math.nan), "not computed: no participant has a value of employed_12m (IPS 0, TAU 0)"),
])
def test_page07_planning_without_usable_rates_says_why_and_the_ledger_has_no_value(bundled, employed, reason):
    from ipsrep.audit import ledger_rows, planning

    trial = bundled.copy()
    for group, value in zip(("IPS", "TAU"), employed, strict=True):
        trial.loc[trial["group"] == group, "employed_12m"] = value
    observed = planning.observed_rates(trial, "12m")
    assert planning.planning_reason(observed) == reason
    o = observed.set_index("group")
    p_ips, p_tau, ips_n, tau_n = o.at["IPS", "rate"], o.at["TAU", "rate"], int(o.at["IPS", "n"]), int(o.at["TAU", "n"])
    achieved = planning.achieved_power(p_ips, p_tau, ips_n, tau_n, n_sim=200)
    assert achieved["power"].isna().all() and achieved["reason"].str.startswith("not computed").all()
    analytic = planning.n_per_group_analytic(p_ips, p_tau)
    assert analytic["n_per_group"].isna().all() and (analytic["reason"] != "").all()
    plan = planning.scenario_table({"trial's estimate (12m)": (p_ips, p_tau), **planning.benchmark_rates()},
                                   ips_n, tau_n).assign(key=["observed_12m", "meta", "design"])
    assert plan.loc[0, ["power_achieved", "n_per_group_80"]].isna().all()
    assert plan.at[0, "reason"].startswith("not computed") and "nan" not in plan.at[0, "reason"]
    assert "nan" not in analytic.at[0, "reason"]
    assert plan.loc[1:, "n_per_group_80"].notna().all()  # the review's and the design's rates still plan
    rows = ledger_by_key(ledger_rows.planning_ledger(planning.sample_size_reproduction(), achieved, plan, {},
                                                   bundled=True))
    for key in ("audit.power.achieved_12m", "audit.power.achieved_12m_sim", "audit.n_per_group_80.observed_12m",
                "audit.n_per_group_90_sim.observed_12m"):
        assert math.isnan(rows.at[key, "reproduced"]) and rows.at[key, "status"] == "", key
        assert rows.at[key, "note"].startswith("not computed"), key
    assert rows.at["audit.n_per_group_80.meta", "reproduced"] == plan.at[1, "n_per_group_80"]


def test_page07_planning_on_usable_rates_is_unchanged(bundled):
    from ipsrep.audit import planning

    observed = planning.observed_rates(bundled, "12m")
    assert planning.planning_reason(observed) == ""
    o = observed.set_index("group")
    achieved = planning.achieved_power(o.at["IPS", "rate"], o.at["TAU", "rate"], 36, 18, n_sim=200)
    assert achieved["power"].notna().all() and (achieved["reason"] == "").all()


def test_page04_at_a_follow_up_without_answers_every_analysis_says_why(bundled):
    from ipsrep.analyses import evidence

    trial = emptied(bundled, "_12m")
    table2 = employment.employment_table(trial)
    row = table2.set_index("follow_up").loc["12m"]
    why = "not computed: no participant has a value of employed_12m (IPS 0, TAU 0)"
    assert evidence.not_computed(row, "The fragility index") == f"The fragility index at 12m was {why}."
    planned = evidence.planned_effect()
    post = evidence.bayesian_reanalysis(table2, planned=planned)
    at12 = post[post["follow_up"] == "12m"]
    assert len(at12) == 6 and (at12["reason"] == why).all() and at12["p_or_above_1"].isna().all()
    assert (post.loc[post["follow_up"] == "6m", "reason"] == "").all()
    assert (evidence.bayes_display(post).loc[("12m", "neutral")] == "not computed").all()
    frag = evidence.fragility_table(table2)
    assert frag.loc[frag["follow_up"] == "12m", "index"].isna().all()
    assert frag.loc[frag["follow_up"] == "6m", "index"].notna().all()
    grid = evidence.tipping_point(trial, "12m")
    assert grid.empty and grid.attrs["reason"] == why
    tip = evidence.tipping_summary(grid)
    reading = evidence.interval_reading(row, planned=planned)
    assert (reading["verdict"] == "not computed").all()
    cred = evidence.credibility(row)
    assert math.isnan(cred["limit"]) and cred["reason"] == why
    sizes = evidence.needed_sample_size(row)
    ledger_rows = pd.concat([evidence.bayes_ledger(post, bundled=True), evidence.fragility_ledger(frag, bundled=True),
                             evidence.tipping_ledger(grid, tip, "12m", bundled=True),
                             evidence.interval_ledger(reading, sizes, cred, "12m", bundled=True)])
    at12 = ledger_rows[ledger_rows["key"].str.startswith("evidence.12m.")]
    assert len(at12) > 40
    assert at12["reproduced"].isna().all() and (at12["status"] == "").all() and (at12["note"] == why).all()
    for key in ("evidence.12m.neutral.p_or_above_1", "evidence.12m.fragility.either_arm",
                "evidence.12m.tipping.best_p", "evidence.12m.credibility_limit", "evidence.12m.n_per_group_power80"):
        assert key in set(at12["key"]), key
    assert ledger_rows.set_index("key").loc["evidence.6m.neutral.p_or_above_1", "reproduced"] > 0
