"""``ipsrep release``: disclosure control of a report's outputs (ipsrep.release).

The rules are checked on hand-made cells, against ACRO itself in an isolated environment,
and on two whole reports: the bundled one (printed numbers pass as printed) and a
300-participant resampled trial (issue 18, 5(iii): no cell under the threshold, no
minimum or maximum, no participant id or individual value, a complete SDC log).
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ipsrep import cli, paths
from ipsrep.inputs.contract import load_trial
from ipsrep.release import cells
from ipsrep.release.release import LOG_COLUMNS, RELEASED_COLUMNS, release
from ipsrep.release.rules import (
    RULES_FILE,
    Rules,
    frequency_checks,
    frequency_failures,
    load_rules,
    magnitude_checks,
    magnitude_failures,
    nk_share,
    p_ratio,
)

ACRO_VERSION = "1.0.2"

ACRO_SCRIPT = '''\
"""Run ACRO's table checks on the tables named in a JSON spec (stdin); print, per table and
check, the cells ACRO flags (JSON on stdout).

Run by tests/test_release.py with the Python of an isolated environment holding ``acro``
(it cannot be installed beside the project's lock). Spec: ``{"tables": [{"name", "csv",
"kind": "count" | "mean", "column"}]}``; every table is ``group`` by ``column``, over the
rows where ``column`` is not missing.
"""
import json
import logging
import sys
import warnings

warnings.simplefilter("ignore")
logging.disable(logging.CRITICAL)

import pandas as pd  # noqa: E402
from acro import ACRO  # noqa: E402

CHECKS = {"MinimumThresholdCheck": "threshold", "PresenceOfZeroCheck": "zeros", "NKCheck": "dominance",
          "PPercentCheck": "p_ratio"}

spec = json.load(sys.stdin)
acro = ACRO(suppress=False)
out = {}
for t in spec["tables"]:
    data = pd.read_csv(t["csv"])
    data = data[data[t["column"]].notna()]
    before = set(acro.results.results)
    if t["kind"] == "count":
        table = acro.crosstab(data["group"], data[t["column"]])
    else:
        table = acro.pivot_table(data, index="group", values=t["column"], aggfunc="mean")
    (name,) = set(acro.results.results) - before
    sdc = acro.results.results[name].sdc
    flagged = {}
    for check, cells in sdc["cells"].items():
        if check not in CHECKS:
            continue
        labels = []
        for row, col in cells:
            group = str(table.index[row])
            labels.append(f"{group}, {t['column']}={int(float(table.columns[col]))}" if t["kind"] == "count"
                          else f"{group}, {t['column']}")
        flagged[CHECKS[check]] = sorted(labels)
    out[t["name"]] = flagged
from importlib.metadata import version  # noqa: E402

json.dump({"acro_version": version("acro"), "tables": out}, sys.stdout)
'''
"""Run by the isolated environment's Python: ACRO's table checks on the tables named in a
JSON spec on stdin, the cells flagged per check as JSON on stdout."""


# ------------------------------------------------------------------------------ the rules
def test_default_rules_are_acros_defaults():
    assert load_rules() == Rules(safe_threshold=10, safe_dof_threshold=10, safe_nk_n=2, safe_nk_k=0.90,
                                 safe_pratio_p=0.10, zeros_are_disclosive=True, printed_numbers_are_public=True)


@pytest.mark.parametrize("edit, message", [
    ("safe_threshold = 10", "safe_threshold = 'ten' is not a int"),
    ("safe_nk_k = 0.90", "safe_nk_k = 1.5; allowed: a number above 0 and at most 1"),
    ("zeros_are_disclosive = true", "unknown setting(s) zeros_disclosive; allowed: safe_threshold, "
     "safe_dof_threshold, safe_nk_n, safe_nk_k, safe_pratio_p, zeros_are_disclosive, printed_numbers_are_public"),
])
def test_a_bad_rules_file_is_one_line(tmp_path, edit, message):
    text = RULES_FILE.read_text()
    new = {"safe_threshold = 10": "safe_threshold = 'ten'", "safe_nk_k = 0.90": "safe_nk_k = 1.5",
           "zeros_are_disclosive = true": "zeros_are_disclosive = true\nzeros_disclosive = true"}[edit]
    bad = tmp_path / "rules.toml"
    bad.write_text(text.replace(edit, new))
    with pytest.raises(ValueError) as err:
        load_rules(bad)
    assert str(err.value) == f"{bad}: {message}"


def test_frequency_rules_on_table_2_at_12_months():
    counts = {"IPS, employed_12m=1": 19, "IPS, employed_12m=0": 17, "TAU, employed_12m=1": 7,
              "TAU, employed_12m=0": 11}
    assert frequency_failures(counts, Rules()) == {"threshold": {"TAU, employed_12m=1"}, "zeros": set()}
    threshold, zeros = frequency_checks(counts, Rules(), label="t")
    assert threshold.outcome == "fail" and "TAU, employed_12m=1: 7" in threshold.detail
    assert zeros.outcome == "pass"
    assert frequency_failures({**counts, "TAU, employed_12m=1": 0}, Rules())["zeros"] == {"TAU, employed_12m=1"}
    assert frequency_failures(counts, Rules(safe_threshold=5)) == {"threshold": set(), "zeros": set()}


def test_dominance_and_p_ratio_as_acro_defines_them():
    # 15 zeros and two workers: the two largest hold everything
    tau = [0.0] * 15 + [1200.0, 40.0]
    assert nk_share(tau, 2) == 1.0 and p_ratio(tau) == 0.0
    # ten equal contributions: top two hold 20%, the rest is 8 times the largest
    even = [50.0] * 10
    assert nk_share(even, 2) == pytest.approx(0.2) and p_ratio(even) == pytest.approx(8.0)
    # one large and nine small: (n, k) 0.9 fails at 91.8%, p-ratio 9 / 100 < 0.1 fails
    skew = [100.0, 10.0] + [1.0] * 8 + [1.0]
    assert nk_share(skew, 2) == pytest.approx(110 / 119)
    assert p_ratio(skew) == pytest.approx(9 / 100)
    failures = magnitude_failures({"a": tau, "b": even, "c": skew}, Rules())
    assert failures == {"threshold": set(), "dominance": {"a", "c"}, "p_ratio": {"a", "c"}}
    outcomes = {c.check: c.outcome for c in magnitude_checks({"x": [-1.0] * 12}, Rules())}
    assert outcomes == {"threshold": "pass", "dominance": "review", "p_ratio": "review"}


def test_quantity_types_of_ledger_keys():
    types = {k: cells.quantity_type(k) for k in (
        "t2.12m.tau_count", "t2.12m.tau_pct", "t3.odi.6m.ips_mean", "t3.odi.6m.ips_sd", "rq2.hours.ips_max",
        "rq2.hours.tau_min", "t4.odi.group.estimate", "t4.odi.group.se", "t4.odi.group.z", "t2.12m.p",
        "t2.12m.or", "t2.12m.or_lo", "rq2.hours.levene_p", "rq1.rate.6m.ips.ci_low", "attrition.6m.ips.missing")}
    assert types == {
        "t2.12m.tau_count": "count", "t2.12m.tau_pct": "percentage", "t3.odi.6m.ips_mean": "mean",
        "t3.odi.6m.ips_sd": "sd", "rq2.hours.ips_max": "max", "rq2.hours.tau_min": "min",
        "t4.odi.group.estimate": "regression coefficient", "t4.odi.group.se": "standard error",
        "t4.odi.group.z": "test statistic", "t2.12m.p": "p", "t2.12m.or": "odds ratio",
        "t2.12m.or_lo": "confidence limit", "rq2.hours.levene_p": "p", "rq1.rate.6m.ips.ci_low": "confidence limit",
        "attrition.6m.ips.missing": "count"}


def test_every_data_key_of_the_ledger_has_its_cells_and_a_type(trial):
    ledger = pd.read_csv(paths.REPORT_DIR / "ledger.csv")
    data_keys = [k for k in ledger["key"] if cells.from_data(k)]
    assert len(data_keys) > 400
    assert [k for k in data_keys if cells.ledger_evidence(k, trial) is None] == []
    assert [k for k in data_keys if cells.quantity_type(k) == "other"] == []


def test_the_printed_tau_7_of_18_is_public(trial):
    checks = cells.ledger_evidence("t2.12m.or", trial).checks(Rules())
    assert [(c.check, c.outcome) for c in checks] == [("printed", "pass")]
    assert "IPS 19 of 36, TAU 7 of 18" in checks[0].detail
    # with printed numbers treated like any other, the 7 fails the threshold
    strict = cells.ledger_evidence("t2.12m.or", trial).checks(Rules(printed_numbers_are_public=False))
    assert ("threshold", "fail") in [(c.check, c.outcome) for c in strict]


# ------------------------------------------------------------------------------ agreement with ACRO
def _acro_python() -> Path:
    """Python of an isolated environment with acro (cached under .cache/ by version)."""
    venv = paths.PROJECT_ROOT / ".cache" / f"acro-venv-{ACRO_VERSION}"
    python = venv / "bin" / "python"
    if python.exists() and subprocess.run([python, "-c", "import acro"], capture_output=True).returncode == 0:
        return python
    subprocess.run([sys.executable, "-m", "venv", "--clear", venv], check=True, capture_output=True)
    done = subprocess.run([python, "-m", "pip", "install", "--quiet", f"acro=={ACRO_VERSION}"],
                          capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"acro {ACRO_VERSION} could not be installed in CI:\n{done.stderr[-2000:]}")
        pytest.skip(f"acro {ACRO_VERSION} could not be installed (PyPI unreachable?): {done.stderr[-300:]}")
    return python


def _crafted(tmp_path: Path) -> Path:
    """A trial-shaped table with a zero cell, a small cell, a dominated and a
    p-ratio-failing TAU cell, and a negative-free even IPS cell."""
    rng = np.random.default_rng(18)
    ips_n, tau_n = 30, 17
    frame = pd.DataFrame({
        "group": ["IPS"] * ips_n + ["TAU"] * tau_n,
        "employed_12m": [1] * 12 + [0] * 18 + [1] * 0 + [0] * tau_n,        # TAU has no one employed: a zero
        "female": [1] * 25 + [0] * 5 + [1] * 9 + [0] * 8,                    # small cells
        "hours_12m": list(rng.uniform(100, 900, ips_n)) + [0.0] * 15 + [1500.0, 60.0],
        "odi_6m": list(rng.uniform(10, 60, ips_n)) + [90.0, 80.0] + [1.0] * 15,
    })
    path = tmp_path / "crafted.csv"
    frame.to_csv(path, index=False)
    return path


def test_our_rules_flag_the_same_cells_as_acro(tmp_path, resampled_300):
    python = _acro_python()
    files = {"bundled": paths.RECONSTRUCTED_CSV, "resampled": resampled_300[0], "crafted": _crafted(tmp_path)}
    specs = []
    for label, path in files.items():
        frame = pd.read_csv(path)
        for column in ("employed_6m", "employed_12m", "employed_24m", "female", "married",
                       "worked_20h_week_12m"):
            if column in frame:
                specs.append({"name": f"{label}:{column}", "csv": str(path), "kind": "count", "column": column})
        for column in ("hours_12m", "odi_6m", "eqvas_12m", "age"):
            if column in frame:
                specs.append({"name": f"{label}:{column}:mean", "csv": str(path), "kind": "mean", "column": column})
    runner = tmp_path / "acro_tables.py"
    runner.write_text(ACRO_SCRIPT)
    done = subprocess.run([python, str(runner)], input=json.dumps({"tables": specs}),
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    acro = json.loads(done.stdout)
    assert acro["acro_version"] == ACRO_VERSION
    rules = Rules()
    flagged_somewhere = set()
    for spec in specs:
        frame = pd.read_csv(spec["csv"])
        frame = frame[frame[spec["column"]].notna()]
        if spec["kind"] == "count":
            ours = frequency_failures(cells.group_table(frame, frame[spec["column"]], spec["column"]), rules)
        else:
            ours = magnitude_failures(cells.group_values(frame, spec["column"]), rules)
        theirs = {check: set(found) for check, found in acro["tables"][spec["name"]].items()}
        assert {k: v for k, v in ours.items()} == theirs, spec["name"]
        flagged_somewhere |= {check for check, found in ours.items() if found}
    # the comparison exercised every rule
    assert flagged_somewhere == {"threshold", "zeros", "dominance", "p_ratio"}


# ------------------------------------------------------------------------------ whole reports
@pytest.fixture(scope="session")
def resampled_300(tmp_path_factory) -> tuple[Path, Path]:
    """A 300-participant resampled trial and its report, built once per session."""
    from ipsrep.synthetic.resample import write_resampled_trial

    folder = tmp_path_factory.mktemp("resampled300")
    data = folder / "trial300.csv"
    write_resampled_trial(data, n=300)
    out = folder / "report"
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        status = cli.build_command(data=str(data), out=out)
    assert status == 0, err.getvalue()[-3000:]
    return data, out


@pytest.fixture(scope="session")
def release_300(resampled_300, tmp_path_factory):
    data, report = resampled_300
    out = tmp_path_factory.mktemp("release300") / "release"
    counts = release(report, out, data=data)
    return data, report, out, counts


def _notebook_outputs(report: Path) -> tuple[int, int]:
    """(figures, other outputs) of the executed notebooks, as the release counts them."""
    figures = others = 0
    for f in report.glob("*.ipynb"):
        for cell in json.loads(f.read_text())["cells"]:
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                if "image/png" in data:
                    figures += 1
                elif not ({"application/vnd.ipsrep.ledger+json", "application/vnd.ipsrep.parameters+json"} & set(data)):
                    others += 1
    return figures, others


def test_release_of_300_participants_has_no_small_cell(release_300):
    data, _, out, _ = release_300
    trial = load_trial(data)
    released = pd.read_csv(out / "ledger.csv", dtype=str, keep_default_na=False)
    rules = load_rules()
    checked = 0
    for row in released.itertuples():
        if row.released == "" or not cells.from_data(row.key):
            continue
        evidence = cells.ledger_evidence(row.key, trial)
        if row.sdc == "released as printed":
            continue  # the paper's number, public
        checked += 1
        for table in evidence.tables.values():
            assert min(table.values()) >= rules.safe_threshold, row.key
        for cells_ in evidence.magnitudes.values():
            assert min(len(v) for v in cells_.values()) >= rules.safe_threshold, row.key
        for dof in evidence.dof.values():
            assert dof >= rules.safe_dof_threshold, row.key
    assert checked > 400
    # released figures drawn from the data: every cell at or above the threshold
    for png in (out / "figures").glob("*.png"):
        func = next(f for f in cells.FIGURE_RULES if png.stem.endswith(f))
        rule = cells.FIGURE_RULES[func]
        if rule.source == "data":
            evidence = rule.evidence(trial, {})
            assert all(min(t.values()) >= rules.safe_threshold for t in evidence.tables.values()), png.name


def test_release_of_300_participants_has_no_minimum_or_maximum(release_300):
    _, _, out, _ = release_300
    released = pd.read_csv(out / "ledger.csv", dtype=str, keep_default_na=False)
    extremes = released[released["quantity_type"].isin(["min", "max"]) & released["key"].map(cells.from_data)]
    assert set(extremes["key"]) >= {"rq2.hours.ips_min", "rq2.hours.ips_max", "rq2.hours.tau_min", "rq2.hours.tau_max"}
    assert (extremes["released"] == "").all() and (extremes["sdc"] == "suppressed").all()
    assert extremes["note"].str.contains("one participant's value").all()
    assert not any("hours_distribution_figure" in p.name for p in (out / "figures").glob("*.png"))


def test_release_of_300_participants_has_no_participant_id_or_individual_value(release_300):
    data, report, out, _ = release_300
    trial = load_trial(data)
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert [f for f in files if not f.startswith("figures/")] == [
        "ledger.csv", "sdc_log.csv", "sdc_rules.toml", "sdc_summary.md"]
    released = pd.read_csv(out / "ledger.csv", dtype=str, keep_default_na=False)
    ids = set(trial["participant_id"])
    for f in out.rglob("*"):
        if f.is_file() and f.suffix != ".png":
            words = set(re.findall(r"[A-Za-z0-9._-]+", f.read_text()))
            assert not words & ids, f
    # the log that leaves names the cells a rule failed on, not their counts; the review
    # copy beside the release (not part of it) has the numbers for the output checker
    log = pd.read_csv(out / "sdc_log.csv", dtype=str, keep_default_na=False)
    review = pd.read_csv(out.with_name(out.name + ".review") / "sdc_log.csv", dtype=str, keep_default_na=False)
    same = ["output", "output_type", "check", "outcome", "action"]
    pd.testing.assert_frame_equal(log[same], review[same])
    failed = (log["outcome"] == "fail") & log["check"].isin(["threshold", "dominance", "p_ratio", "dof"])
    assert failed.sum() > 10
    assert not log.loc[failed, "detail"].str.contains(r": \d| \d+ contributors|\d\.\d\d").any()
    assert review.loc[failed & (log["check"] == "threshold"), "detail"].str.contains(r": \d| \d+ contributors").all()
    assert not released.get("note", pd.Series(dtype=str)).str.contains(r"missing: \d").any()
    # one row per ledger key and nothing else: no participant rows
    assert list(released.columns) == RELEASED_COLUMNS
    assert released["key"].tolist() == pd.read_csv(report / "ledger.csv")["key"].tolist()
    # no figure of per-person points or trajectories: every released figure is drawn by a
    # function of aggregates
    for png in (out / "figures").glob("*.png"):
        assert any(png.stem.endswith(f) for f in cells.FIGURE_RULES), png.name
    # the largest hours worked (one participant's value) is not released anywhere
    released_values = {float(v) for v in released["released"] if re.fullmatch(r"-?[\d.]+(e-?\d+)?", v)}
    assert trial["hours_12m"].max() not in released_values


def test_release_of_300_participants_has_a_complete_sdc_log(release_300):
    _, report, out, counts = release_300
    log = pd.read_csv(out / "sdc_log.csv", dtype=str, keep_default_na=False)
    assert list(log.columns) == LOG_COLUMNS
    ledger = pd.read_csv(report / "ledger.csv")
    figures, others = _notebook_outputs(report)
    pages = len(list(report.rglob("*.html")))
    outputs = log.drop_duplicates("output")
    assert len(outputs) == len(ledger) + figures + others + pages == counts["checked"]
    assert set(ledger["key"]) <= set(log["output"])
    assert (outputs["output_type"] == "figure").sum() == figures
    assert log["outcome"].isin(["pass", "fail", "review"]).all() and (log["detail"] != "").all()
    for name, rows in log.groupby("output"):
        action = rows["action"].iloc[0]
        passed = (rows["outcome"] == "pass").all()
        assert passed == (action in ("released", "released as printed", "not copied")), name
        assert (action not in ("released", "released as printed")) == (rows["reason"].iloc[0] != ""), name
    released = pd.read_csv(out / "ledger.csv", dtype=str, keep_default_na=False)
    suppressed = released[released["sdc"] == "suppressed"]
    assert (suppressed["released"] == "").all() and suppressed["note"].str.startswith("suppressed: ").all()
    summary = (out / "sdc_summary.md").read_text()
    assert (f"**{counts['checked']} outputs checked: {counts['passed']} passed, {counts['suppressed']} suppressed "
            f"or withheld, {counts['not_copied']} not copied") in summary
    for key in suppressed["key"]:
        assert f"`{key}`" in summary
    assert counts["passed"] + counts["suppressed"] + counts["not_copied"] == counts["checked"]


def test_data_derived_outputs_are_those_that_change_with_the_data(resampled_300):
    """Every ledger value and figure the rules call independent of the data file is the
    same on the bundled data and on the resampled trial."""
    _, report = resampled_300
    a = pd.read_csv(paths.REPORT_DIR / "ledger.csv").set_index("key")["reproduced"]
    b = pd.read_csv(report / "ledger.csv").set_index("key")["reproduced"]
    changed = [k for k in a.index if not (a[k] == b[k] or (pd.isna(a[k]) and pd.isna(b[k])))]
    assert len(changed) > 400
    assert [k for k in changed if not cells.from_data(k)] == []
    # notes of the other rows are released as written: none of them changes with the data
    # (notes of data rows can quote unchecked numbers, such as expected counts, and are dropped)
    na = pd.read_csv(paths.REPORT_DIR / "ledger.csv").set_index("key")["note"].fillna("")
    nb = pd.read_csv(report / "ledger.csv").set_index("key")["note"].fillna("")
    assert [k for k in na.index if na[k] != nb[k] and not cells.from_data(k)] == []

    def figures(folder: Path) -> dict:
        found = {}
        for f in sorted(folder.glob("*.ipynb")):
            for cell in json.loads(f.read_text())["cells"]:
                func = cells.figure_function("".join(cell.get("source", "")))
                for out in cell.get("outputs", []):
                    if "image/png" in out.get("data", {}):
                        found.setdefault((f.stem, func), []).append(out["data"]["image/png"])
        return found

    ours, theirs = figures(paths.REPORT_DIR), figures(report)
    for (stem, func), pngs in theirs.items():
        assert func in cells.FIGURE_RULES
        if cells.FIGURE_RULES[func].source != "data":
            assert pngs == ours[(stem, func)], (stem, func)


def test_release_of_the_bundled_report_passes_printed_numbers_as_printed(tmp_path):
    out = tmp_path / "release"
    counts = release(paths.REPORT_DIR, out)
    released = pd.read_csv(out / "ledger.csv", dtype=str, keep_default_na=False).set_index("key")
    assert released.at["t2.12m.tau_count", "released"] == "7"
    assert released.at["t2.12m.tau_count", "sdc"] == "released as printed"
    assert released.at["t2.12m.or", "released"] == "1.76"
    # our own Wilson interval of TAU's 7 of 18 follows from printed numbers: released as computed
    assert released.at["rq1.rate.12m.tau.ci_low", "sdc"] == "released"
    assert released.at["rq2.hours.ips_max", "released"] == ""
    assert released.at["rq2.hours.ips_max", "published"] != ""    # the paper's number stays: it is public
    data_rows = released[released.index.map(cells.from_data)]
    assert (data_rows.loc[data_rows["sdc"] != "suppressed", "note"] == "").all()
    log = pd.read_csv(out / "sdc_log.csv", dtype=str, keep_default_na=False)
    assert counts["checked"] == log["output"].nunique()
    assert counts["suppressed"] > 0 and counts["passed"] > 700


def test_release_refuses_in_one_line(tmp_path, capsys, resampled_300):
    data, report = resampled_300
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "mine.txt").write_text("x")
    cases = [
        (["release", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o1")], "no such report folder"),
        (["release", str(report), "--out", str(tmp_path / "full"), "--data", str(data)], "is not an empty folder"),
        (["release", str(report), "--out", str(tmp_path / "o2")], "the report was not built from this file"),
        (["release", str(report), "--out", str(report / "inner"), "--data", str(data)], "inside the report folder"),
    ]
    for argv, words in cases:
        assert cli.main(argv) == 1
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and words in err[0], err
    assert not any(p.name.startswith(("o1", "o2", ".o1", ".o2")) for p in tmp_path.iterdir())
    assert [p.name for p in (tmp_path / "full").iterdir()] == ["mine.txt"]
