"""The ensemble of reconstructions: members on Dask, failures, resume, the check and the summary.

The Dask tests run real members (reconstruction plus analyses) on a ``LocalCluster`` of
two worker processes; the summary tests use small hand-made tables.
"""
from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ipsrep import cli
from ipsrep.synthetic import ensemble as ens
from ipsrep.synthetic import ensemble_keys, ensemble_member, ensemble_summary
from ipsrep.synthetic import ensemble_run as run

FIRST = 20220211
"""First seed tried (the committed reconstruction's). Seeds 20220213 and 20220214 miss Table
1's HSCL-25 p, so the first three members of the unsearched ensemble (which the runner
tests use: its members take seconds) are the seeds 20220211, 20220212, 20220215. In the
searched ensemble seed 20220212 misses intercept targets of the Table 4 search (the
EQ-VAS and least-pain intercepts' SEs), which are aimed at but not enforced."""
MEMBERS = [20220211, 20220212, 20220215]
MISSED = {20220213: "printed comparison", 20220214: "printed comparison"}
TABLE4_MISS = 20220212


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=40) as c:
        yield c


def _bytes(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in (ens.RESULTS_NAME, ens.KEYS_NAME)}


def test_interrupted_run_resumes_and_same_seeds_give_the_same_table(cluster, tmp_path):
    work, out = tmp_path / "work", tmp_path / "out"
    # 1. `ipsrep ensemble` on the cluster, interrupted (Ctrl-C) once the first member file exists
    cmd = [sys.executable, "-m", "ipsrep.cli", "ensemble", "--members", "3", "--first-seed", str(FIRST),
           "--linkage", "unsearched",
           "--scheduler", cluster.scheduler_address, "--work", str(work), "--out", str(out)]
    # a pytest-xdist worker ignores SIGINT and a child inherits that: restore it, as a terminal's would be
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 240
    while time.time() < deadline and not list(work.glob("seed-*.csv")) and proc.poll() is None:
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    finished = {p.name: p.stat().st_mtime_ns for p in work.glob("seed-*.csv")}
    assert 1 <= len(finished) < 3, err
    assert not (out / ens.RESULTS_NAME).exists()

    # 2. the same command resumed: finished members are read back, not recomputed
    lines: list[str] = []
    summary = run.run_ensemble(3, first_seed=FIRST, scheduler=cluster.scheduler_address, work=work, out=out,
                               say=lines.append, linkage="unsearched")
    assert summary.members == MEMBERS, lines
    assert sorted(run.member_file(work, s).name for s in summary.skipped) == sorted(finished)
    assert sorted(summary.skipped + summary.computed) == MEMBERS
    assert {p.name: p.stat().st_mtime_ns for p in work.glob("seed-*.csv") if p.name in finished} == finished
    assert set(summary.failed) == set(MISSED)
    assert "ReconstructionMissed" in summary.failed[20220213] and "hscl at 0m" in summary.failed[20220213]
    found = ens.read_ensemble(out)
    assert found.members == 3 and found.metadata["seeds"] == MEMBERS and found.linkage == "unsearched"
    assert dict(zip(*ensemble_summary.misses(found.metadata)[["seed", "miss"]].to_numpy().T, strict=True)) == MISSED
    assert list(found.results.columns) == ens.RESULT_COLUMNS
    assert found.results.groupby("member")["seed"].first().tolist() == MEMBERS
    assert len(found.timings) == 3
    check = ensemble_summary.check_printed(found.results, found.keys)
    assert len(check) > 200 and check["passes"].all(), check[~check["passes"]]

    # 3. the same seeds computed afresh (another work folder) give the same table, byte for byte
    again = tmp_path / "again"
    run.run_ensemble(seeds=MEMBERS, scheduler=cluster.scheduler_address, work=tmp_path / "work2", out=again,
                     say=None, linkage="unsearched")
    assert _bytes(again) == _bytes(out)

    # 4. a member is a pure function of its seed: computed here, it matches the worker's
    here = ensemble_member.unsearched_member_results(MEMBERS[2])
    theirs = found.results[found.results["member"] == 2]
    assert [ens.format_value(v) for v in here["value"]] == [ens.format_value(v) for v in theirs["value"]]


@pytest.mark.slow  # starts a local Dask cluster and computes a member
def test_failed_member_is_reported_and_the_others_finish(tmp_path):
    lines: list[str] = []
    summary = run.run_ensemble(seeds=[-1, FIRST], workers=2, work=tmp_path / "w", out=tmp_path / "o",
                               say=lines.append)
    assert list(summary.failed) == [-1] and "ValueError" in summary.failed[-1]
    assert summary.computed == [FIRST] and summary.members == [FIRST]
    assert any("seed -1 FAILED: ValueError" in line for line in lines), lines
    assert any("local cluster with 2 workers" in line for line in lines), lines
    found = ens.read_ensemble(tmp_path / "o")
    assert found.results["seed"].unique().tolist() == [FIRST]
    assert list(found.metadata["failed"]) == ["-1"]
    assert cli.ensemble_command(members=0, out=str(tmp_path / "o")) == 2


@pytest.mark.slow  # computes ensemble members
def test_member_leaves_out_a_seed_that_misses_a_printed_comparison():
    from ipsrep.synthetic.reconstruct import reconstruction_fits

    missing = next(s for s in range(20220212, 20220230) if not reconstruction_fits(s)["hit"].all())
    with pytest.raises(ensemble_member.ReconstructionMissed, match=f"seed {missing}"):
        ensemble_member.member_results(missing)


# ---------------------------------------------------------------------------- summaries
def _toy():
    keys = pd.DataFrame({
        "key": ["t2.12m.ips_count", "t1.age.ips_sd", "t4.odi.interaction.p", "t4.odi.interaction.estimate"],
        "quantity": ["", "", "", ""], "published": ["19", "10.12", "0.062", "4.05"], "decimals": [0, 2, 3, 2],
        "relation": ["=", "=", "=", "="], "status": ["", "", "approximate", "approximate"],
        "kind": ["printed", "printed", "free", "free"], "fixed_by": ["", "", "", ""],
        "p_value": [False, False, True, False]})
    values = {"t2.12m.ips_count": [19, 19, 19], "t1.age.ips_sd": [10.1249, 10.1151, 10.1201],
              "t4.odi.interaction.p": [0.01, 0.2, 0.03], "t4.odi.interaction.estimate": [4.0, 2.0, -1.0]}
    rows = [{"member": m, "seed": 100 + m, "key": k, "value": v[m]} for m in range(3) for k, v in values.items()]
    return pd.DataFrame(rows), keys


def test_check_printed_compares_members_at_the_printed_digits():
    results, keys = _toy()
    check = ensemble_summary.check_printed(results, keys).set_index("key")
    assert check["passes"].tolist() == [True, True]
    assert check.at["t1.age.ips_sd", "distinct"] == 1
    results.loc[(results["member"] == 1) & (results["key"] == "t2.12m.ips_count"), "value"] = 18
    check = ensemble_summary.check_printed(results, keys).set_index("key")
    assert not check.at["t2.12m.ips_count", "passes"]
    assert check.at["t2.12m.ips_count", "distinct"] == 2 and check.at["t2.12m.ips_count", "reproduces"] == 2


def test_summarise_gives_spread_and_share_below_alpha():
    results, keys = _toy()
    s = ensemble_summary.summarise(results, keys, alpha=0.05, reference_seed=101).set_index("key")
    assert list(s.index) == ["t4.odi.interaction.p", "t4.odi.interaction.estimate"]
    p = s.loc["t4.odi.interaction.p"]
    assert p["median"] == pytest.approx(0.03) and p["min"] == 0.01 and p["max"] == 0.2
    assert p["share_below_alpha"] == pytest.approx(2 / 3) and p["below_alpha"] == 2 and not p["holds"]
    assert p["kind"] == "free"
    assert p["reference"] == 0.2
    assert p["p2_5"] == pytest.approx(np.percentile([0.01, 0.2, 0.03], 2.5))
    e = s.loc["t4.odi.interaction.estimate"]
    assert np.isnan(e["share_below_alpha"]) and not e["holds"]  # the sign changes in member 2


def test_answer_robustness_compares_each_members_answer():
    from types import SimpleNamespace

    results, keys = _toy()
    found = ens.Ensemble(results=results, keys=keys, metadata={}, timings=pd.DataFrame())

    def verdict(ledger, alpha):
        p = float(ledger.loc[ledger["key"] == "t4.odi.interaction.p", "reproduced"].iloc[0])
        return SimpleNamespace(question="ODI?", answer="yes" if p < alpha else "no",
                               keys=("t4.odi.interaction.p",))

    def count(ledger, alpha):
        n = float(ledger.loc[ledger["key"] == "t2.12m.ips_count", "reproduced"].iloc[0])
        return SimpleNamespace(question="count?", answer=f"{n:.0f}", keys=("t2.12m.ips_count",))

    def pilot(ledger, alpha):
        return SimpleNamespace(question="pilot?", answer=None, keys=("pilot.n",))

    r = ensemble_summary.answer_robustness(verdict, found, reference_seed=100)
    assert (r.verdict, r.same, r.members, r.robust) == ("not robust", 2, 3, False)
    assert r.variants == (("yes", 2), ("no", 1))
    assert r.sentence() == ("Not robust: the answer reads as here in 2 of 3 reconstructions of the ensemble "
                            "(2 different answers).")
    printed = ensemble_summary.answer_robustness(count, found)
    assert printed.verdict == "printed" and printed.sentence().startswith("Decided by the printed numbers")
    assert ensemble_summary.answer_robustness(pilot, found).verdict == "not from participant data"
    # the same p-value, when the reconstruction aims at it, is held by construction: no verdict
    keys.loc[keys["key"] == "t4.odi.interaction.p", "kind"] = "targeted"
    held = ensemble_summary.answer_robustness(verdict, ens.Ensemble(results, keys, {}, pd.DataFrame()),
                                              reference_seed=100)
    assert held.verdict == "held by construction" and "2 of 3" in held.sentence()


def test_missing_ensemble_names_the_file_and_the_command(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"results\.csv: no ensemble there; run `ipsrep ensemble"):
        ens.read_ensemble(tmp_path)


# ---------------------------------------------------------------------------- kinds and misses
def test_key_kinds_of_the_committed_ensembles():
    searched = ens.read_ensemble()
    kind = searched.keys.set_index("key")["kind"]
    assert set(kind) <= set(ensemble_keys.KINDS)
    assert kind["t4.odi.interaction.estimate"] == "targeted" and kind["t4.bpi_worst.interaction.se"] == "targeted"
    assert kind["t4.odi.intercept.p"] == "free"  # aimed at, not enforced (ensemble_member.ENFORCED_TERMS)
    assert kind["t1.age.ips_mean"] == "printed" and kind["t2.12m.or"] == "printed"
    assert kind["t2.12m.p_fisher"] == "printed" and kind["t3.bpi_worst.12m.p_holm"] == "printed"
    assert kind["t3.odi.6m.levene_p"] == "targeted" and kind["rq2.hours.levene_p"] == "targeted"
    assert kind["rq2.hours.permutation_p"] == "free" and kind["rq2.hours.bootstrap_lo"] == "free"
    counts = ensemble_summary.kind_counts(searched.keys).set_index("kind")["keys"]
    assert counts["targeted"] == 9 * 12 + 18 + 1 and counts["free"] == 5 + 9 * 4 and counts.sum() == len(kind)
    # without the search, Table 4 is free; the Levene sides stay targeted
    assert ensemble_keys.key_kind("t4.odi.interaction.p", linkage="unsearched")[0] == "free"
    assert ensemble_keys.key_kind("t3.odi.6m.levene_p", linkage="unsearched")[0] == "targeted"
    with pytest.raises(ValueError, match="linkage must be one of searched, unsearched"):
        ensemble_keys.key_kind("t1.ips_n", linkage="both")


def test_printed_keys_are_the_same_in_both_ensembles_and_table4_is_not():
    searched, unsearched = ens.read_ensemble(), ens.read_ensemble(ens.UNSEARCHED_DIR)
    assert (searched.linkage, unsearched.linkage) == ("searched", "unsearched")
    kind = unsearched.keys.set_index("key")["kind"]
    assert kind["t4.odi.interaction.p"] == "free" and kind["t1.age.ips_mean"] == "printed"
    assert unsearched.metadata["within_person_r_range"] == list(ensemble_member.UNSEARCHED_R_RANGE)
    for found in (searched, unsearched):
        check = ensemble_summary.check_printed(found.results, found.keys)
        assert len(check) == 301 and check["passes"].all(), check[~check["passes"]]
    # the committed reconstruction is member 0 of both; its Table 4 differs once the search is left out
    a = searched.results[searched.results["seed"] == FIRST].set_index("key")["value"]
    b = unsearched.results[unsearched.results["seed"] == FIRST].set_index("key")["value"]
    assert abs(a["t4.bpi_average.interaction.p"] - b["t4.bpi_average.interaction.p"]) > 1e-3


def test_front_page_says_what_decides_each_answer():
    from ipsrep.report import scorecard

    searched, unsearched = ens.read_ensemble(), ens.read_ensemble(ens.UNSEARCHED_DIR)
    health = scorecard.robustness_text(scorecard.health_answer, searched, unsearched)
    assert health.startswith("Held by construction, not a finding")
    n = unsearched.members
    assert f"Linked without the Table 4 search ({n} reconstructions that keep every printed summary" in health
    assert f"has p < 0.05 in {ensemble_summary.any_interaction_below(unsearched.results)} of {n} members" in health
    assert "%" not in health
    employment = scorecard.robustness_text(scorecard.employment_answer, searched, unsearched)
    assert employment == (f"Decided by the printed numbers: it reads the same in all {searched.members} "
                          "reconstructions of the ensemble, as it must.")
    assert scorecard.robustness_text(scorecard.pilot_answer, searched, unsearched) is None


@pytest.mark.slow  # computes ensemble members
def test_a_table4_miss_names_the_coefficient_and_the_member_is_left_out(monkeypatch, trial):
    from ipsrep.analyses import mixed

    fitted = mixed.table4(trial, mixed.ADOPTED)
    assert ensemble_member.table4_misses(trial, fitted) == []  # the committed reconstruction meets every target
    forced = fitted.copy()
    row = (forced["measure"] == "bpi_worst") & (forced["term"] == "interaction")
    forced.loc[row, ["se", "p"]] = [0.364, 0.024]  # what seed 20220222 gave before the search was fixed
    missed = ensemble_member.table4_misses(trial, forced)
    assert len(missed) == 1 and missed[0].startswith("bpi_worst interaction (")
    assert "SE 0.364 against printed 0.24" in missed[0] and "p = 0.024 against printed 0.090" in missed[0]

    # a real miss of an intercept target: the search from this seed leaves intercept SEs more than 10%
    # below the printed ones; intercepts are aimed at but not enforced, so the member is kept
    from ipsrep.synthetic.reconstruct import reconstruct_trial

    searched = reconstruct_trial(seed=TABLE4_MISS)
    assert ensemble_member.table4_misses(searched) == []
    intercepts = ensemble_member.table4_misses(searched, terms=("intercept",))
    assert intercepts and all(" intercept (SE " in c for c in intercepts)
    monkeypatch.setattr(ensemble_member, "table4_misses",
                        lambda trial, table4=None, **kw: ["bpi_worst interaction (forced)"])
    with pytest.raises(ensemble_member.ReconstructionMissed, match=f"seed {FIRST}: Table 4 target missed: bpi_worst"):
        ensemble_member.member_results(FIRST)


def _fake_member(seed: int) -> pd.DataFrame:
    """A fast member for the runner: seed 101 misses a Table 4 target."""
    if seed == 101:
        raise ensemble_member.ReconstructionMissed("seed 101: Table 4 target missed: bpi_worst interaction "
                                                   "(SE 0.364 against printed 0.24); the member is left out")
    return pd.DataFrame({"key": ["t1.ips_n", "t4.odi.interaction.p"], "value": [38.0, seed / 1000],
                         "quantity": ["n", "p"], "published": ["38", "0.062"], "status": ["", "approximate"]})


def test_a_missed_member_is_reseeded_and_reported_with_its_reason(tmp_path):
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, processes=False, dashboard_address=None, silence_logs=40) as cluster:
        summary = run.run_ensemble(2, first_seed=100, scheduler=cluster.scheduler_address, work=tmp_path / "w",
                                   out=tmp_path / "o", member_fn=_fake_member, say=None)
    assert summary.members == [100, 102] and list(summary.failed) == [101]
    found = ens.read_ensemble(tmp_path / "o")
    assert found.metadata["member_function"].endswith("_fake_member") and found.metadata["linkage"] == "searched"
    left = ensemble_summary.misses(found.metadata)
    assert left.to_dict("records") == [{"seed": 101, "miss": "Table 4 target", "reason": (
        "Table 4 target missed: bpi_worst interaction (SE 0.364 against printed 0.24); the member is left out")}]
    assert found.keys.set_index("key")["kind"].to_dict() == {"t1.ips_n": "printed", "t4.odi.interaction.p": "targeted"}


# ---------------------------------------------------------------------------- the unsearched ensemble
def _table4_toy():
    """Three members, two outcomes: the interaction p below .05 in members 0 and 2 for ODI,
    in member 2 for EQ-VAS."""
    p = {"odi": [0.01, 0.20, 0.04], "eqvas": [0.30, 0.50, 0.001]}
    rows = []
    for m in range(3):
        for measure in p:
            for stat, value in (("estimate", 1.0 + m), ("se", 0.5 + m / 10), ("z", 2.0), ("p", p[measure][m])):
                rows.append({"member": m, "seed": 10 + m, "key": f"t4.{measure}.interaction.{stat}", "value": value})
    results = pd.DataFrame(rows)
    keys = pd.DataFrame({"key": results["key"].unique()})
    keys["published"] = ["4.05", "2.12", "", "0.062"] + ["", "", "", ""]
    for column, default in (("quantity", ""), ("decimals", 2), ("relation", "="), ("status", ""), ("fixed_by", "")):
        keys[column] = default
    keys["kind"], keys["p_value"] = "free", keys["key"].str.endswith(".p")
    return results, keys[ensemble_keys.KEY_COLUMNS]


def test_table4_ranges_and_interactions_below_alpha_are_counted_from_the_results():
    results, keys = _table4_toy()
    ranges = ensemble_summary.table4_ranges(results, keys).set_index("measure")
    assert ranges.at["odi", "below_alpha"] == 2 and ranges.at["eqvas", "below_alpha"] == 1
    assert (ranges.at["odi", "p_min"], ranges.at["odi", "p_max"]) == (0.01, 0.20)
    assert (ranges.at["odi", "se_min"], ranges.at["odi", "se_max"]) == pytest.approx((0.5, 0.7))
    assert ranges.at["odi", "printed_p"] == 0.062 and np.isnan(ranges.at["eqvas", "printed_p"])
    assert ensemble_summary.any_interaction_below(results) == 2
    assert ensemble_summary.any_interaction_below(results, alpha=0.005) == 1
    found = ens.Ensemble(results, keys, {"linkage": "unsearched", "within_person_r_range": [0.3, 0.9]}, pd.DataFrame())
    sentence = ensemble_summary.interaction_sentence(found)
    assert "at least one of the 2 group-by-time interactions has p < 0.05 in 2 of 3 members" in sentence
    assert "from 1 of 3 (Health-related QoL (EQ-VAS)) to 2 of 3 (Pain-related disability (ODI))" in sentence
    assert "%" not in sentence


def test_unsearched_members_draw_r_per_seed_from_the_stated_range():
    from ipsrep.synthetic.reconstruct import default_within_person_r

    low, high = ensemble_member.UNSEARCHED_R_RANGE
    assert all(low <= v <= high for v in default_within_person_r().values())  # the calibrated r lie inside
    r = ensemble_member.drawn_within_person_r(FIRST)
    assert r == ensemble_member.drawn_within_person_r(FIRST) and r != ensemble_member.drawn_within_person_r(FIRST + 1)
    assert all(0.3 <= v <= 0.9 for v in r.values())
    table = ensemble_member.within_person_r_table([FIRST, FIRST + 1])
    assert len(table) == 18 and table.loc[0, "r"] == r[table.loc[0, "measure"]]
