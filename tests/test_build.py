"""The report pipeline (`ipsrep build`) on tiny fixture notebooks.

``tests/fixtures/notebooks/ok`` holds two notebooks that read the data file, draw a
figure and display ledger rows; ``tests/fixtures/notebooks/broken`` one that divides by
zero in its fourth cell. The data file is written here: five participants whose ids,
group sizes and ages the expected values below are computed from with the csv module.
"""
from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ipsrep import cli, paths
from ipsrep.inputs import contract, schema
from ipsrep.report import build, check, params
from ipsrep.report import cache as cache_mod
from ipsrep.report import execute as execute_mod
from tests.fixture_build import BROKEN, FIXTURES, OK, PARTICIPANTS, run_build, write_trial


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under `folder` (hidden ones included): bytes and modification time."""
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def site(fixture_report, tmp_path_factory):
    """One successful build of the ok notebooks (a copy of the session's fixture report, for
    this module to rebuild into); the data, cache and report folders."""
    return fixture_report.copy_to(tmp_path_factory.mktemp("build"))


# --------------------------------------------------------------------------------------
# A successful build
# --------------------------------------------------------------------------------------
def test_build_writes_pages_notebooks_index_and_ledger(site):
    assert site["status"] == 0, site["err"]
    names = sorted(p.name for p in site["out"].iterdir())
    assert {".ipsrep-manifest.json", "00_counts.html", "00_counts.ipynb", "01_mean_age.html",
            "01_mean_age.ipynb", "index.html", "ledger.csv"} <= set(names)
    manifest = json.loads((site["out"] / ".ipsrep-manifest.json").read_text())
    written = sorted(p.relative_to(site["out"]).as_posix() for p in site["out"].rglob("*") if p.is_file())
    assert manifest["files"] == [f for f in written if f != ".ipsrep-manifest.json"]
    index = (site["out"] / "index.html").read_text()
    assert index.index('href="00_counts.html"') < index.index('href="01_mean_age.html"')
    assert "Group sizes (build fixture)" in index and "Mean age (build fixture)" in index
    assert 'href="ledger.csv"' in index


def test_progress_is_one_line_per_notebook_start_and_end(site):
    lines = site["err"].splitlines()
    for stem in ("00_counts", "01_mean_age"):
        assert sum(re.fullmatch(rf"\s*start\s+{stem}", line) is not None for line in lines) == 1
        assert sum(re.fullmatch(rf"\s*done\s+{stem}\s+\d+\.\d s", line) is not None for line in lines) == 1
    assert "Traceback" not in site["err"]


def test_ledger_rows_in_notebook_order_and_full_precision(site):
    with (site["out"] / "ledger.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["key", "source", "quantity", "published", "reproduced", "status", "note"]
    assert [r["key"] for r in rows] == ["flow.ips_n", "fixture.mean_age"]
    ips_n = sum(group == "IPS" for _, group, _ in PARTICIPANTS)
    mean_age = sum(age for *_, age in PARTICIPANTS) / len(PARTICIPANTS)
    assert float(rows[0]["reproduced"]) == ips_n == 3
    assert rows[1]["reproduced"] == "13.333333333333334" == repr(mean_age / 3)
    # not the bundled data: nothing is set beside the published numbers
    assert rows[0]["published"] == "" and rows[0]["status"] == ""
    assert rows[0]["source"].startswith("Sveinsdottir et al. 2022")


def test_executed_notebooks_carry_no_timings_ids_or_project_paths(site):
    for name in ("00_counts.ipynb", "01_mean_age.ipynb"):
        text = (site["out"] / name).read_text()
        nb = json.loads(text)
        for word in ("start_time", "end_time", "duration", "iopub.status", "input_path", "output_path"):
            assert word not in text, (name, word)
        assert str(paths.PROJECT_ROOT) not in text
        assert all("papermill" not in cell["metadata"] for cell in nb["cells"])
        assert nb["metadata"]["papermill"] == {"parameters": {"data_path": str(site["data"])}}
        injected = [c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
        assert len(injected) == 1 and str(site["data"]) in "".join(injected[0]["source"])
        assert "version" not in nb["metadata"]["language_info"]
        # papermill gives the injected cell a random id; the build replaces every id
        assert all(re.fullmatch(r"[0-9a-f]{8}(-\d+)?", cell["id"]) for cell in nb["cells"])


def test_second_build_without_cache_is_byte_identical(site, tmp_path):
    out2 = tmp_path / "again"
    status, err = run_build(data=str(site["data"]), out=out2, notebooks_dir=OK, jobs=2, cache=False)
    assert status == 0, err
    assert "cached" not in err
    first = {k: v[0] for k, v in snapshot(site["out"]).items()}
    second = {k: v[0] for k, v in snapshot(out2).items()}
    assert first.keys() == second.keys()
    for name in first:
        assert first[name] == second[name], name


def test_unchanged_notebooks_come_from_cache_and_files_stay_untouched(site):
    before = snapshot(site["out"])
    status, err = run_build(data=str(site["data"]), out=site["out"], notebooks_dir=OK, jobs=2,
                            cache_dir=site["cache"])
    assert status == 0, err
    assert re.search(r"cached\s+00_counts", err) and re.search(r"cached\s+01_mean_age", err)
    assert "start" not in err
    assert snapshot(site["out"]) == before  # same bytes, and not even rewritten


def test_cache_key_follows_source_parameters_and_inputs(tmp_path):
    base = cache_mod.cache_key(b"x = 1\n", {"alpha": 0.05}, "d" * 64)
    assert cache_mod.cache_key(b"x = 2\n", {"alpha": 0.05}, "d" * 64) != base
    assert cache_mod.cache_key(b"x = 1\n", {"alpha": 0.01}, "d" * 64) != base
    assert cache_mod.cache_key(b"x = 1\n", {"alpha": 0.05}, "e" * 64) != base
    assert cache_mod.cache_key(b"x = 1\n", {"alpha": 0.05}, "d" * 64) == base
    source = b"from ipsrep.analyses import flow\n"
    assert (cache_mod.inputs_digest(source, data_sha256="a" * 64)
            != cache_mod.inputs_digest(source, data_sha256="b" * 64))
    # a file named by a parameter outside data/ is part of the key
    named = tmp_path / "codebook.csv"
    named.write_text("a\n1\n")
    before = cache_mod.inputs_digest(source, data_sha256="a" * 64, parameters={"codebook_csv": str(named)})
    named.write_text("a\n2\n")
    assert cache_mod.inputs_digest(source, data_sha256="a" * 64, parameters={"codebook_csv": str(named)}) != before


def test_cache_key_is_made_of_the_modules_a_notebook_imports():
    """The package part of a notebook's key is the closure of its ipsrep imports (and the
    build's execution modules), read from import statements: the renderer is not in it."""
    pkg = paths.PACKAGE_DIR
    flow = {p.relative_to(pkg).as_posix() for p in cache_mod.module_closure(
        cache_mod.imported_names("from ipsrep.analyses import flow\nfrom ipsrep.report import ledger\n"))}
    assert {"__init__.py", "analyses/__init__.py", "analyses/flow.py", "report/ledger.py",
            "methods/comparison.py"} <= flow
    assert "report/html.py" not in flow and "report/build.py" not in flow and "analyses/health.py" not in flow
    real = (paths.NOTEBOOK_DIR / "03_rq3_health.py").read_text()
    closure = {p.relative_to(pkg).as_posix() for p in cache_mod.module_closure(cache_mod.imported_names(real))}
    assert "analyses/health.py" in closure and "report/html.py" not in closure


# --------------------------------------------------------------------------------------
# The HTML pages
# --------------------------------------------------------------------------------------
def test_pages_load_nothing_from_the_network(site):
    """Every file of the published site passes the offline check the build runs, and the
    paper is a link a reader follows, not a load."""
    assert check.check_site(site["out"], ids=set()) == []
    counts = (site["out"] / "00_counts.html").read_text()
    assert re.search(r'<a [^>]*href="https://doi.org/10.1093/pm/pnac032"', counts)


def test_external_loads_finds_a_cdn_script_and_a_remote_stylesheet():
    from ipsrep.report.check import external_loads

    page = ('<html><head><link rel="stylesheet" href="https://fonts.example.com/a.css">'
            '<script src="//cdn.example.com/require.js"></script>'
            "<style>/* see https://example.com */ p { color: red }</style></head>"
            '<body><a href="https://doi.org/10.1093/pm/pnac032">paper</a></body></html>')
    found = external_loads(page)
    assert len(found) == 2
    assert "fonts.example.com" in found[0] and "cdn.example.com" in found[1]


def test_show_code_renders_another_site_from_the_same_notebooks(site, tmp_path):
    nb = json.loads((site["out"] / "00_counts.ipynb").read_text())
    assert sum(cell["cell_type"] == "code" for cell in nb["cells"]) == 5  # parameters, injected, counts, figure, ledger
    out = tmp_path / "with-code"
    status, err = run_build(data=str(site["data"]), out=out, notebooks_dir=OK, show_code=True,
                            cache_dir=site["cache"])
    assert status == 0, err
    assert "start" not in err  # the notebooks come from the cache; only the rendering differs
    assert (out / "00_counts.ipynb").read_bytes() == (site["out"] / "00_counts.ipynb").read_bytes()
    assert (out / "00_counts.html").read_bytes() != (site["out"] / "00_counts.html").read_bytes()


def test_no_participant_rows_in_any_output(site):
    for path in sorted(
        p for p in site["out"].rglob("*") if p.is_file() and p.suffix in (".html", ".ipynb", ".csv", ".js")
    ):
        text = path.read_text()
        for pid, *_ in PARTICIPANTS:
            assert pid not in text, (path.name, pid)


def test_committed_report_shows_no_bundled_participant_ids():
    """The real report: no id of the bundled reconstruction in any committed notebook."""
    notebooks = sorted(paths.REPORT_DIR.glob("*.ipynb"))
    if not notebooks or not paths.RECONSTRUCTED_CSV.is_file():
        pytest.skip("no built report or no bundled data yet")
    with paths.RECONSTRUCTED_CSV.open(newline="") as f:
        ids = [row["participant_id"] for row in csv.DictReader(f)]
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, ids)) + r")(?![\w-])")
    for nb in notebooks:
        hit = pattern.search(nb.read_text())
        assert hit is None, f"{nb.name} shows participant {hit.group(0)}"


# --------------------------------------------------------------------------------------
# Failures leave the previous report as it was
# --------------------------------------------------------------------------------------
def test_failing_notebook_leaves_previous_report_untouched(site, tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    for source in [*OK.glob("*.py"), *BROKEN.glob("*.py")]:
        shutil.copy(source, notebooks / source.name)
    before = snapshot(site["out"])
    status, err = run_build(data=str(site["data"]), out=site["out"], notebooks_dir=notebooks, jobs=2,
                            cache_dir=site["cache"])
    assert status == 1
    assert snapshot(site["out"]) == before
    message = err[err.index("ipsrep build: ", 1):]  # after the progress lines
    assert "02_broken.py" in message
    assert "cell 4" in message and "participants = 0" in message  # 4th cell of the .py file
    assert "line 20 of the .py file" in message  # share = 1 / participants
    assert "ZeroDivisionError: division by zero" in message
    assert "Traceback" not in err and "unchanged" in message


def test_failed_first_build_creates_no_report_folder(site, tmp_path, monkeypatch):
    def fail(book, **kwargs):
        raise build.BuildError(f"{book.stem} failed at cell 2 (x = 1 / 0)")

    monkeypatch.setattr(execute_mod, "execute", fail)
    out = tmp_path / "never"
    status, err = run_build(data=str(site["data"]), out=out, notebooks_dir=OK, cache=False)
    assert status == 1 and "failed at cell 2" in err
    assert not out.exists()


def test_contract_error_stops_before_any_notebook_runs(site, tmp_path, monkeypatch):
    bad = write_trial(tmp_path / "bad.csv", age_override={"FX-002": 17})
    monkeypatch.setattr(execute_mod, "execute", lambda book, **kw: pytest.fail("a notebook was executed"))
    before = snapshot(site["out"])
    status, err = run_build(data=str(bad), out=site["out"], notebooks_dir=OK, cache=False)
    assert status == 1
    assert snapshot(site["out"]) == before
    assert "'age'" in err and "line 3" in err and "17" in err  # FX-002 is on line 3 (header is 1)
    assert "start" not in err and "Traceback" not in err


def test_missing_notebook_folder_is_a_usage_error(tmp_path):
    status, err = run_build(out=tmp_path / "r", notebooks_dir=tmp_path / "nowhere")
    assert status == 2 and "does not exist" in err


# --------------------------------------------------------------------------------------
# Parameters
# --------------------------------------------------------------------------------------
def _nb(parameters_source: str):
    import jupytext

    return jupytext.reads(f'# %% tags=["parameters"]\n{parameters_source}\n\n# %%\nx = 1\n', fmt="py:percent")


def test_only_declared_non_default_parameters_are_injected():
    nb = _nb('data_path = "data/reconstructed/ips_in_pain.csv"\nalpha = 0.05\nn_boot = 2000')
    assert params.injected_parameters(nb, None, {"alpha": 0.05}) == {}
    assert params.injected_parameters(nb, None, {"alpha": 0.01, "unknown": 3}) == {"alpha": 0.01}
    assert params.injected_parameters(nb, "my/trial.csv", {}) == {"data_path": "my/trial.csv"}
    # the default file named another way is still the default
    assert params.injected_parameters(nb, str(paths.RECONSTRUCTED_CSV), {}) == {}
    assert params.injected_parameters(_nb("alpha = 0.05"), "my/trial.csv", {}) == {}


def test_data_inside_the_project_is_passed_relative_to_its_root(tmp_path):
    from ipsrep.report.context import data_in_use

    inside = paths.PUBLISHED_DIR / "trial.csv"
    assert data_in_use(str(inside)).parameter == "data/published/trial.csv"
    outside = write_trial(tmp_path / "mine.csv")
    assert data_in_use(str(outside)).parameter == str(outside.resolve())
    assert data_in_use().parameter is None and data_in_use().bundled
    assert data_in_use(str(paths.RECONSTRUCTED_CSV)).parameter is None


def test_ledger_csv_writes_reproduced_values_in_full_precision():
    import pandas as pd

    table = pd.DataFrame({"key": ["a", "b"], "source": ["s", "s"], "quantity": ["q", "q"],
                          "published": ["0.30", ""], "reproduced": [0.1 + 0.2, float("nan")],
                          "status": ["reproduced", ""], "note": ["", ""]})
    lines = build.ledger_csv(table).splitlines()
    assert lines[1] == "a,s,q,0.30,0.30000000000000004,reproduced,"
    assert lines[2] == "b,s,q,,,,"


def test_outputs_showing_participant_ids_are_found(tmp_path):
    import nbformat

    data = write_trial(tmp_path / "trial.csv", rows=[*PARTICIPANTS, ("17", "TAU", 33)])
    assert any("'17' has 2 characters" in v.line() for v in contract.check_trial_file(data))  # refused up front
    ids = {pid for pid, *_ in PARTICIPANTS}
    leaky = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Rows"),
        nbformat.v4.new_code_cell("trial.head()", outputs=[nbformat.v4.new_output(
            "execute_result", data={"text/plain": "  participant_id group\n0  FX-002  IPS"}, execution_count=1)]),
    ])
    site = tmp_path / "site"
    site.mkdir()
    (site / "09_rows.ipynb").write_text(nbformat.writes(leaky))
    assert check.check_site(site, ids=ids) == [
        "09_rows.ipynb shows participant 'FX-002'; the report shows aggregates only, never participant-level rows"]
    leaky.cells[1].outputs[0]["data"]["text/plain"] = "FX-0021 and XFX-002 are other tokens; 17 rows"
    (site / "09_rows.ipynb").write_text(nbformat.writes(leaky))
    assert check.check_site(site, ids=ids) == []


def test_nbval_accepts_a_rebuilt_notebook_and_rejects_a_changed_result(site, tmp_path):
    """The `make nbval` stage on the fixture report: re-executed outputs match the stored
    ones (sanitize patterns and plugin included), and a stored value edited by hand does not."""
    folder = tmp_path / "nbval"
    folder.mkdir()
    for name in ("00_counts.ipynb", "01_mean_age.ipynb"):
        shutil.copy(site["out"] / name, folder / name)
    nb = json.loads((folder / "01_mean_age.ipynb").read_text())
    result = next(
        o
        for c in nb["cells"]
        for o in c.get("outputs", [])
        if "application/vnd.ipsrep.ledger+json" in o.get("data", {})
    )
    result["data"]["application/vnd.ipsrep.ledger+json"]["rows"][0]["reproduced"] = "13.3"
    (folder / "02_tampered.ipynb").write_text(json.dumps(nb))
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "tests.nbval_plugin",
            "--nbval",
            "--nbval-current-env",
            "--nbval-sanitize-with",
            "tests/nbval_sanitize.cfg",
            "-q",
            "--color=no",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(folder),
            *sorted(str(p) for p in folder.glob("*.ipynb")),
        ],
        cwd=paths.PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    summary = run.stdout.strip().splitlines()[-1]
    assert run.returncode == 1, run.stdout[-3000:]
    assert re.search(r"\b1 failed\b", summary) and re.search(r"\b(\d+) passed\b", summary), summary
    failed = [line for line in run.stdout.splitlines() if line.startswith("FAILED")]
    assert len(failed) == 1 and "02_tampered" in failed[0], failed


# --------------------------------------------------------------------------------------
# Issue 6: new-data pages, parameters from the command line, cache of the contract check
# --------------------------------------------------------------------------------------
def test_pages_on_other_data_name_the_file_and_its_checksum(site):
    import hashlib

    digest = hashlib.sha256(site["data"].read_bytes()).hexdigest()
    for name in ("index.html", "00_counts.html", "01_mean_age.html"):
        text = (site["out"] / name).read_text()
        assert site["data"].name in text and digest in text, name
        assert "Synthetic data" not in text and "SYNTHETIC DATA" not in text, name
    nb = json.loads((site["out"] / "00_counts.ipynb").read_text())
    banner = [o for c in nb["cells"] for o in c.get("outputs", []) if "text/html" in o.get("data", {})
              and "ipsrep-banner" in "".join(o["data"]["text/html"])]
    assert banner and digest in "".join(banner[0]["data"]["text/plain"])


def test_jupytext_free_parameter_reading_matches_jupytext():
    import jupytext

    sources = [*sorted(paths.NOTEBOOK_DIR.glob("*.py")), *sorted(FIXTURES.rglob("*.py"))]
    assert sources
    for source in sources:
        expected = params.notebook_defaults(jupytext.read(source))
        assert params.source_defaults(source.read_bytes()) == expected, source.name


def test_unknown_or_data_path_parameters_are_usage_errors(tmp_path):
    status, err = run_build(out=tmp_path / "r", notebooks_dir=OK, parameters={"alhpa": 0.01}, cache=False)
    assert status == 2 and "alhpa" in err and "alpha" in err and "data_path" not in err.split("are:")[1]
    status, err = run_build(out=tmp_path / "r", notebooks_dir=OK, parameters={"data_path": "x.csv"}, cache=False)
    assert status == 2 and "--data" in err
    assert not (tmp_path / "r").exists()


def test_cli_passes_parameters_and_no_cache(monkeypatch):
    seen = {}
    monkeypatch.setattr(cli, "build_command", lambda **kw: seen.update(kw) or 0)
    assert cli.main(["build", "--no-cache", "-p", "alpha", "0.01", "-p", "binary_test", "fisher",
                     "-p", "power_targets", "[0.8, 0.95]"]) == 0
    assert seen["cache"] is False
    assert seen["parameters"] == {"alpha": 0.01, "binary_test": "fisher", "power_targets": [0.8, 0.95]}
    assert cli.main(["build"]) == 0 and seen["cache"] is True and seen["parameters"] == {}
    assert cli.main(["build", "-p", "not-a-name", "1"]) == 2


def test_an_unchanged_data_file_is_checked_once_per_cache(site, tmp_path, monkeypatch):
    calls = []
    real = schema.trial_schema
    monkeypatch.setattr(schema, "trial_schema", lambda *a: calls.append(a) or real(*a))
    cache = tmp_path / "cache"
    for _ in range(2):
        status, err = run_build(data=str(site["data"]), out=tmp_path / "r", notebooks_dir=OK, cache_dir=cache)
        assert status == 0, err
    assert len(calls) == 1
    status, err = run_build(data=str(site["data"]), out=tmp_path / "r", notebooks_dir=OK, cache=False)
    assert status == 0 and len(calls) == 2  # without the cache the file is always checked
    edited = write_trial(tmp_path / "edited.csv", age_override={"FX-001": 31})
    status, err = run_build(data=str(edited), out=tmp_path / "r2", notebooks_dir=OK, cache_dir=cache)
    assert status == 0 and len(calls) == 3  # new bytes, new check


def test_other_data_leaves_published_and_status_empty():
    import pandas as pd

    table = pd.DataFrame({"key": ["hist.p"], "source": ["s"], "quantity": ["q"], "published": ["<0.001"],
                          "reproduced": [2.9e-7], "status": ["reproduced"], "note": [""]})
    assert build.without_comparison(table, bundled=True).equals(table)
    plain = build.without_comparison(table, bundled=False)
    assert plain.loc[0, "published"] == "" and plain.loc[0, "status"] == ""
    assert plain.loc[0, "reproduced"] == 2.9e-7 and table.loc[0, "status"] == "reproduced"


def test_resampled_trial_is_contract_valid_and_made_of_bundled_rows(tmp_path):
    from ipsrep.synthetic import resample as synthetic

    path = synthetic.write_resampled_trial(tmp_path / "big.csv", n=500, seed=1)
    assert contract.check_trial_file(path) == []
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f))
    with paths.RECONSTRUCTED_CSV.open(newline="") as f:
        bundled = list(csv.DictReader(f))
    assert len(rows) == 500 and len({r["participant_id"] for r in rows}) == 500
    n_ips_bundled = sum(r["group"] == "IPS" for r in bundled)
    assert sum(r["group"] == "IPS" for r in rows) == round(500 * n_ips_bundled / len(bundled))
    pool = {tuple((k, v) for k, v in r.items() if k != "participant_id") for r in bundled}
    assert all(tuple((k, v) for k, v in r.items() if k != "participant_id") in pool for r in rows)
    again = synthetic.write_resampled_trial(tmp_path / "again.csv", n=500, seed=1)
    assert again.read_bytes() == path.read_bytes()
