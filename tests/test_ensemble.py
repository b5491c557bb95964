"""The ensemble of reconstructions: members on Dask, failures, resume, the check and the summary.

The Dask tests run real members (reconstruction plus analyses) on a ``LocalCluster`` of
two worker processes; the summary tests use small hand-made tables.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ipsrep.synthetic import ensemble as ens
from ipsrep.synthetic import ensemble_run as run

FIRST = 20220211
"""First seed tried (the committed reconstruction's); seeds 20220213 and 20220214 miss
Table 1's HSCL-25 p, so four members are the seeds 20220211, 20220212, 20220215, 20220216."""
MEMBERS = [20220211, 20220212, 20220215, 20220216]


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
    cmd = [sys.executable, "-m", "ipsrep.cli", "ensemble", "--members", "4", "--first-seed", str(FIRST),
           "--scheduler", cluster.scheduler_address, "--work", str(work), "--out", str(out)]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 240
    while time.time() < deadline and not list(work.glob("seed-*.csv")) and proc.poll() is None:
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    finished = {p.name: p.stat().st_mtime_ns for p in work.glob("seed-*.csv")}
    assert 1 <= len(finished) < 4, err
    assert not (out / ens.RESULTS_NAME).exists()

    # 2. the same command resumed: finished members are read back, not recomputed
    lines: list[str] = []
    summary = run.run_ensemble(4, first_seed=FIRST, scheduler=cluster.scheduler_address, work=work, out=out,
                               say=lines.append)
    assert summary.members == MEMBERS, lines
    assert sorted(run.member_file(work, s).name for s in summary.skipped) == sorted(finished)
    assert sorted(summary.skipped + summary.computed) == MEMBERS
    assert {p.name: p.stat().st_mtime_ns for p in work.glob("seed-*.csv") if p.name in finished} == finished
    assert set(summary.failed) == {20220213, 20220214}
    assert "ReconstructionMissed" in summary.failed[20220213] and "hscl at 0m" in summary.failed[20220213]
    found = ens.read_ensemble(out)
    assert found.members == 4 and found.metadata["seeds"] == MEMBERS
    assert sorted(found.metadata["failed"]) == ["20220213", "20220214"]
    assert list(found.results.columns) == ens.RESULT_COLUMNS
    assert found.results.groupby("member")["seed"].first().tolist() == MEMBERS
    assert len(found.timings) == 4
    check = ens.check_determined(found.results, found.keys)
    assert len(check) > 200 and check["passes"].all(), check[~check["passes"]]

    # 3. the same seeds computed afresh (another work folder) give the same table, byte for byte
    again = tmp_path / "again"
    run.run_ensemble(seeds=MEMBERS, scheduler=cluster.scheduler_address, work=tmp_path / "work2", out=again,
                     say=None)
    assert _bytes(again) == _bytes(out)

    # 4. a member is a pure function of its seed: computed here, it matches the worker's
    here = ens.member_results(MEMBERS[2])
    theirs = found.results[found.results["member"] == 2]
    assert [ens.format_value(v) for v in here["value"]] == [ens.format_value(v) for v in theirs["value"]]


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
    assert run.ensemble_command(members=0, out=str(tmp_path / "o")) == 2


def test_member_leaves_out_a_seed_that_misses_a_printed_comparison():
    from ipsrep.synthetic.reconstruct import reconstruction_fits

    missing = next(s for s in range(20220212, 20220230) if not reconstruction_fits(s)["hit"].all())
    with pytest.raises(ens.ReconstructionMissed, match=f"seed {missing}"):
        ens.member_results(missing)


# ---------------------------------------------------------------------------- summaries
def _toy():
    keys = pd.DataFrame({
        "key": ["t2.12m.ips_count", "t1.age.ips_sd", "t4.odi.interaction.p", "t4.odi.interaction.estimate"],
        "quantity": ["", "", "", ""], "published": ["19", "10.12", "0.062", "4.05"], "decimals": [0, 2, 3, 2],
        "relation": ["=", "=", "=", "="], "status": ["", "", "approximate", "approximate"],
        "determined": [True, True, False, False], "p_value": [False, False, True, False]})
    values = {"t2.12m.ips_count": [19, 19, 19], "t1.age.ips_sd": [10.1249, 10.1151, 10.1201],
              "t4.odi.interaction.p": [0.01, 0.2, 0.03], "t4.odi.interaction.estimate": [4.0, 2.0, -1.0]}
    rows = [{"member": m, "seed": 100 + m, "key": k, "value": v[m]} for m in range(3) for k, v in values.items()]
    return pd.DataFrame(rows), keys


def test_check_determined_compares_members_at_the_printed_digits():
    results, keys = _toy()
    check = ens.check_determined(results, keys).set_index("key")
    assert check["passes"].tolist() == [True, True]
    assert check.at["t1.age.ips_sd", "distinct"] == 1
    results.loc[(results["member"] == 1) & (results["key"] == "t2.12m.ips_count"), "value"] = 18
    check = ens.check_determined(results, keys).set_index("key")
    assert not check.at["t2.12m.ips_count", "passes"]
    assert check.at["t2.12m.ips_count", "distinct"] == 2 and check.at["t2.12m.ips_count", "reproduces"] == 2


def test_summarise_gives_spread_and_share_below_alpha():
    results, keys = _toy()
    s = ens.summarise(results, keys, alpha=0.05, reference_seed=101).set_index("key")
    assert list(s.index) == ["t4.odi.interaction.p", "t4.odi.interaction.estimate"]
    p = s.loc["t4.odi.interaction.p"]
    assert p["median"] == pytest.approx(0.03) and p["min"] == 0.01 and p["max"] == 0.2
    assert p["share_below_alpha"] == pytest.approx(2 / 3) and not p["holds"]
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

    r = ens.answer_robustness(verdict, found, reference_seed=100)
    assert (r.verdict, r.same, r.members, r.robust) == ("not robust", 2, 3, False)
    assert r.variants == (("yes", 2), ("no", 1))
    assert ens.answer_robustness(count, found).verdict == "robust"
    assert ens.answer_robustness(pilot, found).verdict == "not from participant data"


def test_missing_ensemble_names_the_file_and_the_command(tmp_path):
    with pytest.raises(FileNotFoundError, match="results.csv: no ensemble there; run `ipsrep ensemble"):
        ens.read_ensemble(tmp_path)
