"""The README's re-execution recipes, run as written, on a data file that is not the bundled one.

README.md marks two shell blocks with an HTML comment: ``<!-- test: reexecute-build -->``
(validate the file, then ``ipsrep build --data ... --out ...``) and ``<!-- test:
reexecute-papermill -->`` (jupytext, then plain papermill on one notebook). This module
reads those blocks and runs each line, from the project root, with two substitutions
only: every file name starting ``my_`` is placed in the test's temporary folder (so the
checkout is not written to), and ``.venv/bin/`` means the folder of the running Python.

The data are 150 participants resampled from the bundled reconstruction with new ids
(``ipsrep.synthetic.resample``): contract-valid, not the bundled file. Expected values are
computed here from the CSV with the standard library (counts, percentages, means, and
Pearson's chi-squared p for 1 degree of freedom as erfc(sqrt(chi2 / 2))), not with
ipsrep's functions.
"""
from __future__ import annotations

import csv
import json
import math
import re
import shlex
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

from ipsrep import paths
from ipsrep.report.ledger import rows_from_notebook
from ipsrep.synthetic import resample as synthetic

README = paths.PROJECT_ROOT / "README.md"
BLOCK = re.compile(r"<!--\s*test:\s*([\w-]+)\s*-->\s*```(?:sh|bash|shell)\n(.*?)```", re.DOTALL)
MY_FILE = re.compile(r"(?<![\w/.-])(my_[\w.-]*/?)")
PARTICIPANTS = 150


def readme_blocks() -> dict[str, list[str]]:
    """Marked shell blocks of README.md: name -> command lines (comments and blanks dropped)."""
    blocks = {}
    for name, body in BLOCK.findall(README.read_text(encoding="utf-8")):
        lines = []
        for line in body.splitlines():
            line = line.split(" #", 1)[0].strip() if not line.lstrip().startswith("#") else ""
            if line:
                lines.append(line)
        blocks[name] = lines
    return blocks


def localise(line: str, folder: Path) -> list[str]:
    """`line` as an argument list: ``my_*`` names inside `folder`, ``.venv/bin/`` here.

    >>> localise(".venv/bin/ipsrep build --data my_trial.csv --out my_report/", Path("/t"))[2:]
    ['--data', '/t/my_trial.csv', '--out', '/t/my_report/']
    """
    line = MY_FILE.sub(lambda m: str(folder / m.group(1)) + ("/" if m.group(1).endswith("/") else ""), line)
    args = shlex.split(line)
    if args and args[0].startswith(".venv/bin/"):
        args[0] = str(Path(sys.executable).parent / args[0][len(".venv/bin/"):])
    return args


def run_block(name: str, folder: Path) -> list[subprocess.CompletedProcess]:
    blocks = readme_blocks()
    assert name in blocks, f"README.md has no shell block marked <!-- test: {name} -->"
    done = []
    for line in blocks[name]:
        result = subprocess.run(localise(line, folder), cwd=paths.PROJECT_ROOT, capture_output=True,
                                text=True, timeout=1800)
        assert result.returncode == 0, f"{line}\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
        done.append(result)
    return done


# --------------------------------------------------------------------------------------
# Expected values, from the CSV by hand
# --------------------------------------------------------------------------------------
def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def employment_12m(rows) -> dict[str, float]:
    """Table 2 at 12 months: count, percent of respondents per arm, Pearson chi-squared p."""
    cells = {}
    for group in ("IPS", "TAU"):
        answered = [r for r in rows if r["group"] == group and r["employed_12m"] != ""]
        yes = sum(float(r["employed_12m"]) == 1 for r in answered)
        cells[group] = (yes, len(answered) - yes)
    (a, b), (c, d) = cells["IPS"], cells["TAU"]
    n = a + b + c + d
    chi2 = n * (a * d - b * c) ** 2 / ((a + b) * (c + d) * (a + c) * (b + d))
    return {"t2.12m.ips_count": a, "t2.12m.ips_pct": 100 * a / (a + b),
            "t2.12m.tau_count": c, "t2.12m.tau_pct": 100 * c / (c + d),
            "t2.12m.p": math.erfc(math.sqrt(chi2 / 2))}


def mean_hours(rows, group: str) -> float:
    return statistics.fmean(float(r["hours_12m"]) for r in rows if r["group"] == group and r["hours_12m"] != "")


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("reexecute")
    synthetic.write_resampled_trial(folder / "my_trial.csv", n=PARTICIPANTS, seed=7)
    return folder


def test_readme_holds_both_recipes():
    blocks = readme_blocks()
    build_lines = blocks.get("reexecute-build", [])
    assert any(re.search(r"ipsrep build --data my_\S+ --out my_\S+", line) for line in build_lines), build_lines
    paper_lines = blocks.get("reexecute-papermill", [])
    assert any(line.startswith(".venv/bin/jupytext --to ipynb") for line in paper_lines), paper_lines
    assert any(line.startswith(".venv/bin/papermill ") and "-p data_path my_" in line for line in paper_lines)


def test_ipsrep_build_on_new_data_as_the_readme_says(work, bundled_report):
    run_block("reexecute-build", work)
    report = work / "my_report"
    pages = {p.stem for p in report.glob("*.html") if p.name != "index.html"}
    notebooks = {p.stem for p in paths.NOTEBOOK_DIR.glob("*.py") if not p.name.startswith(("_", "."))}
    site_pages = {"genindex", "glossary", "references", "search"}  # Sphinx's own pages beside the notebooks'
    assert notebooks <= pages and pages - notebooks <= site_pages, sorted(pages ^ notebooks)
    # the ledger: the same keys as on the bundled data, this file's values, no comparison
    ours = read_rows(report / "ledger.csv")
    bundled = read_rows(bundled_report / "ledger.csv")
    assert [r["key"] for r in ours] == [r["key"] for r in bundled]
    assert all(r["published"] == "" and r["status"] == "" for r in ours)
    values = {r["key"]: float(r["reproduced"]) for r in ours if r["reproduced"] != ""}
    rows = read_rows(work / "my_trial.csv")
    for key, expected in employment_12m(rows).items():
        assert values[key] == pytest.approx(expected, rel=1e-9, abs=1e-12), key
    assert values["rq2.hours.ips_mean"] == pytest.approx(mean_hours(rows, "IPS"), rel=1e-12)
    assert values["rq2.hours.tau_mean"] == pytest.approx(mean_hours(rows, "TAU"), rel=1e-12)
    assert values["flow.analysed"] == PARTICIPANTS
    # every page says which file it ran on, and none claims synthetic data
    import hashlib

    digest = hashlib.sha256((work / "my_trial.csv").read_bytes()).hexdigest()
    for page in sorted(report.glob("*.html")):
        text = page.read_text(encoding="utf-8")
        assert "Synthetic data:" not in text, page.name
        if page.stem in site_pages:  # Sphinx's own pages show no data, so no data banner
            assert "my_trial.csv" not in text, page.name
            continue
        assert "my_trial.csv" in text and digest in text, page.name
    index = (report / "index.html").read_text(encoding="utf-8")
    assert "Numbers not reproduced" not in index  # the scorecard compares only the bundled data
    assert f"IPS {employment_12m(rows)['t2.12m.ips_pct']:.1f}%" in index  # RQ1 answered from this file


def test_plain_papermill_on_one_notebook_as_the_readme_says(work):
    import nbformat

    run_block("reexecute-papermill", work)
    executed = sorted(work.glob("my_*.out.ipynb")) or sorted(
        p for p in work.glob("my_*.ipynb") if "papermill" in json.loads(p.read_text()).get("metadata", {}))
    assert len(executed) == 1, sorted(p.name for p in work.iterdir())
    nb = nbformat.read(executed[0], as_version=4)
    injected = nb.metadata["papermill"]["parameters"]
    assert Path(injected["data_path"]) == work / "my_trial.csv"
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, errors[0].get("evalue") if errors else ""
    ledger = rows_from_notebook(nb)
    values = dict(zip(ledger["key"], ledger["reproduced"], strict=True))
    rows = read_rows(work / "my_trial.csv")
    for key, expected in employment_12m(rows).items():
        assert values[key] == pytest.approx(expected, rel=1e-9, abs=1e-12), key
    # rows computed from the data are not set beside the paper's numbers (rows computed
    # from the paper's printed numbers alone, e.g. the historical controls, still are;
    # `ipsrep build` empties those too, see build.without_comparison)
    from_data = ledger[ledger["key"].str.startswith("t2.")]
    assert len(from_data) and (from_data["published"] == "").all() and (from_data["status"] == "").all()
