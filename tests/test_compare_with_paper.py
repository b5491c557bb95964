"""``ipsrep build --data FILE --compare-with-paper``: a verdict for every printed number on
any participant file, tested without real data (issue 18, items 1, 2 and 5(i)-(ii)).

Scenarios, each built once per session (whole reports: minutes each without a cache):

- the bundled reconstruction as built by default (``bundled_report`` of conftest);
- the same bytes under another name, compared with the paper (``renamed``): every row
  ``reproduced`` on the bundled data is ``reproduced``, and the ``approximate`` rows get
  ``reproduced`` or ``discrepant`` by their digits;
- one IPS participant's 6-month ODI score raised by 10 points (``odi_changed``): exactly
  the printed numbers computed from that column become ``discrepant``, and the front
  page lists them.

The fast tests at the top check the pieces (the discrepancy explanation, the evidence
rule, the comparison on non-synthetic data, the tagged prose) without a build.
"""
from __future__ import annotations

import contextlib
import io
import json
import math
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from ipsrep import cli, paths
from ipsrep.analyses.paper import compare, evidence
from ipsrep.inputs.published import load_published
from ipsrep.methods.comparison import Comparison, explain_discrepancy
from ipsrep.methods.rounding import rounds_to
from ipsrep.report import prose, scorecard

PROSE_WORDS = re.compile(r"synthetic|by construction", re.IGNORECASE)
"""Words that are false of participant data and must not reach a page built on them."""


# --------------------------------------------------------------------------------------
# Explaining a discrepancy
# --------------------------------------------------------------------------------------
def test_discrepancy_names_the_other_t_test_that_gives_the_printed_p():
    ips = [12.0, 15.0, 9.0, 30.0, 41.0, 8.0, 22.0, 35.0]
    tau = [10.0, 11.0, 12.0, 9.0, 13.0, 10.0]
    from scipy import stats as sps

    student = sps.ttest_ind(ips, tau, equal_var=True).pvalue
    welch = sps.ttest_ind(ips, tau, equal_var=False).pvalue
    printed = f"{welch:.3f}"
    assert not rounds_to(student, printed)  # the two variants differ at three decimals here
    note = explain_discrepancy(student, printed, alternatives={"Student's t test": student, "Welch's t test": welch})
    assert note.startswith(f"{student:.3f} where {printed} is printed")
    assert f"Welch's t test gives {welch:.4f}, which prints as {printed}" in note


def test_discrepancy_names_fisher_when_the_paper_printed_fishers_p():
    # 19/36 vs 7/18: the paper's primary outcome
    from scipy import stats as sps

    table = [[19, 17], [7, 11]]
    pearson = sps.chi2_contingency(table, correction=False)[1]
    fisher = sps.fisher_exact(table)[1]
    printed = f"{fisher:.3f}"
    note = explain_discrepancy(pearson, printed, alternatives={"Pearson's chi-squared test": pearson,
                                                              "Fisher's exact test": fisher})
    assert "Fisher's exact test gives" in note and note.startswith(f"{pearson:.3f} where {printed}")


def test_discrepancy_finds_another_n_and_a_truncation_and_says_how_far():
    assert explain_discrepancy(100 * 14 / 38, "38.9", count=(14, 38)) == (
        "36.8 where 38.9 is printed (2.1 lower); 14 of 36 = 38.89% prints as 38.9 (n = 36, not 38)")
    assert explain_discrepancy(1.7967, "1.79") == (
        "1.80 where 1.79 is printed (0.01 higher); the value cut off at 2 digits (not rounded) prints as 1.79")
    assert explain_discrepancy(1.7923, "1.76") == "1.79 where 1.76 is printed (0.03 higher)"


def test_compare_off_the_reconstruction_has_no_approximate_and_explains_discrepant_rows():
    published = load_published()
    key = "t2.12m.or"
    printed = float(published.at[key, "value"])
    values = {key: printed + 0.3, "t2.12m.tau_pct": float(published.at["t2.12m.tau_pct", "value"])}
    on_data = compare(values, bundled=Comparison(synthetic=False), status={key: "approximate"})
    assert on_data.set_index("key").at[key, "status"] == "discrepant"
    assert on_data.set_index("key").at[key, "note"].startswith(f"{printed + 0.3:.2f} where {printed:.2f} is printed")
    assert on_data.set_index("key").at["t2.12m.tau_pct", "status"] == "reproduced"
    synthetic = compare(values, bundled=Comparison(synthetic=True), status={key: "approximate"})
    assert synthetic.set_index("key").at[key, "status"] == "approximate"
    assert compare(values, bundled=True, status={key: "approximate"}).equals(synthetic)
    off = compare(values, bundled=False)
    assert (off["status"] == "").all() and (off["published"] == "").all()


def test_every_row_is_classified_by_the_kind_of_evidence_its_verdict_gives():
    rows = pd.DataFrame({"key": ["audit.t2.or", "t1.female.p", "t4.odi.group.p", "pilot.n", "t2.12m.or", "x.ours"],
                         "status": ["inconsistent", "source_inconsistent", "approximate", "reproduced", "reproduced",
                                    ""]})
    on_bundled = scorecard.with_evidence(rows, synthetic=True)["evidence"].tolist()
    assert on_bundled == ["printed", "printed", "unknowable", "reconstruction", "reconstruction", ""]
    on_data = scorecard.with_evidence(rows, synthetic=False)["evidence"].tolist()
    assert on_data[3:5] == ["reconstruction", "participant data"]
    assert evidence("t3.odi.6m.p", "discrepant", synthetic=False) == "participant data"


def test_every_markdown_cell_that_speaks_of_synthetic_data_is_for_the_bundled_file_only():
    """The notebooks' prose about the reconstruction sits in cells tagged bundled-data."""
    for path in sorted(paths.NOTEBOOK_DIR.glob("*.py")):
        kept = prose.for_data(path.read_bytes(), bundled=False).decode("utf-8")
        for cell in re.split(r"^# %%", kept, flags=re.MULTILINE):
            if not cell.startswith(" [markdown]"):
                continue
            hit = PROSE_WORDS.search(cell)
            assert hit is None, f"{path.name}: untagged prose {cell[max(0, hit.start() - 80):hit.end() + 40]!r}"


# --------------------------------------------------------------------------------------
# Whole builds
# --------------------------------------------------------------------------------------
def _build(tmp_path_factory, name: str, trial: pd.DataFrame | None) -> Path:
    """Build a report with --compare-with-paper on `trial` written as ``<name>.csv``
    (None: the bundled file's bytes copied under that name)."""

    root = tmp_path_factory.mktemp(name)
    data = root / f"{name}.csv"
    if trial is None:
        shutil.copyfile(paths.PROJECT_ROOT / paths.BUNDLED_DATA, data)
    else:
        trial.to_csv(data, index=False, lineterminator="\n")
    out = root / "report"
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        status = cli.build_command(data=data, out=out, compare_with_paper=True, jobs=2)
    assert status == 0, err.getvalue()[-3000:]
    return out


def _bundled_trial() -> pd.DataFrame:
    return pd.read_csv(paths.PROJECT_ROOT / paths.BUNDLED_DATA, dtype={"participant_id": str})


def _ledger(report: Path) -> pd.DataFrame:
    table = pd.read_csv(report / "ledger.csv", dtype=str, keep_default_na=False)
    table["value"] = pd.to_numeric(table["reproduced"], errors="coerce")
    return table.drop_duplicates("key").set_index("key")


ODI_BUMP = 10.0


def _odi_participant(trial: pd.DataFrame) -> int:
    """Row of the first IPS participant with a 6-month ODI score that can rise by ODI_BUMP."""
    ok = (trial["group"] == "IPS") & trial["odi_6m"].notna() & (trial["odi_6m"] <= 100 - ODI_BUMP)
    return int(trial.index[ok][0])


@pytest.fixture(scope="session")
def renamed(tmp_path_factory) -> Path:
    """The bundled file's bytes under another name, built with --compare-with-paper."""
    return _build(tmp_path_factory, "trial_records", None)


@pytest.fixture(scope="session")
def odi_changed(tmp_path_factory) -> tuple[Path, pd.DataFrame]:
    """The renamed file with one IPS participant's 6-month ODI raised by ODI_BUMP points."""
    trial = _bundled_trial()
    trial.loc[_odi_participant(trial), "odi_6m"] += ODI_BUMP
    return _build(tmp_path_factory, "trial_odi", trial), trial


def test_renamed_file_keeps_every_reproduced_row_and_judges_the_approximate_ones_by_their_digits(
        renamed, bundled_report):
    bundled, ours = _ledger(bundled_report), _ledger(renamed)
    assert list(bundled.index) == list(ours.index)
    reproduced = bundled.index[bundled["status"] == "reproduced"]
    assert len(reproduced) > 200
    assert (ours.loc[reproduced, "status"] == "reproduced").all()
    approximate = bundled.index[bundled["status"] == "approximate"]
    assert len(approximate) > 100 and "approximate" not in set(ours["status"])
    published = load_published()
    for key in approximate:
        fits = rounds_to(ours.at[key, "value"], published.at[key, "printed"], published.at[key, "relation"])
        assert ours.at[key, "status"] == ("reproduced" if fits else "discrepant"), key
    for status in ("consistent", "inconsistent", "source_inconsistent"):
        assert set(ours.index[ours["status"] == status]) == set(bundled.index[bundled["status"] == status])
    discrepant = ours[ours["status"] == "discrepant"]
    assert discrepant["note"].str.contains(" where .* is printed", regex=True).all()


def _prose_hits(report: Path) -> list[str]:
    """Passages of the executed notebooks' markdown cells and text outputs, and of the
    front page's text, that use :data:`PROSE_WORDS`."""
    hits = []
    for path in sorted(report.glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            texts = ["".join(cell["source"])] if cell["cell_type"] == "markdown" else []
            for out in cell.get("outputs", []):
                texts += ["".join(out.get("data", {}).get(m, "")) for m in ("text/markdown", "text/plain")]
            hits += [f"{path.name}: {t[max(0, m.start() - 60):m.end() + 30]!r}"
                     for t in texts for m in PROSE_WORDS.finditer(t)]
    index = re.sub(r"<(script|style)\b.*?</\1>|<[^>]+>", " ", (report / "index.html").read_text(encoding="utf-8"),
                   flags=re.DOTALL)
    hits += [f"index.html: {index[max(0, m.start() - 60):m.end() + 30]!r}" for m in PROSE_WORDS.finditer(index)]
    return hits


def test_pages_built_on_participant_data_say_nothing_synthetic(renamed):
    assert _prose_hits(renamed) == []


def test_pages_built_on_the_bundled_file_say_it_is_synthetic_and_what_the_verdicts_mean(bundled_report):
    hits = _prose_hits(bundled_report)
    assert any(h.startswith("00_trial.ipynb") for h in hits) and any(h.startswith("index.html") for h in hits)
    index = (bundled_report / "index.html").read_text(encoding="utf-8")
    for heading in ("Checks of the paper from its printed numbers alone",
                    "Values reproduced because the reconstruction was made to match them",
                    "Values the reconstruction cannot know"):
        assert heading in index
    assert "Does the paper reproduce from these data?" not in index


def test_front_page_answers_whether_the_paper_reproduces_with_counts_and_the_discrepant_rows(renamed):
    ours = _ledger(renamed)
    index = (renamed / "index.html").read_text(encoding="utf-8")
    assert "Does the paper reproduce from these data?" in index
    kind = scorecard.with_evidence(ours.reset_index(), synthetic=False)
    data_rows = kind[kind["evidence"] == "participant data"]
    bad = data_rows[data_rows["status"] == "discrepant"]
    assert (
        f"Not all: of {len(data_rows)} printed numbers these data determine, "
        f"{len(data_rows) - len(bad)} are reproduced "
        f"to the printed digits and {len(bad)} are discrepant."
    ) in index
    for key in bad["key"]:
        assert f'#ledger-{key}"' in index, key


def test_one_changed_odi_score_makes_exactly_the_numbers_computed_from_it_discrepant(renamed, odi_changed):
    changed_report, trial = odi_changed
    before, after = _ledger(renamed), _ledger(changed_report)
    assert list(before.index) == list(after.index)
    moved = [k for k in before.index if not (
        (math.isnan(before.at[k, "value"]) and math.isnan(after.at[k, "value"]))
        or math.isclose(before.at[k, "value"], after.at[k, "value"], rel_tol=1e-9, abs_tol=1e-12))]
    assert moved and all(k.startswith(("t3.odi.6m.", "t4.odi.")) for k in moved), moved
    ips_6m = trial.loc[trial["group"] == "IPS", "odi_6m"].dropna()
    assert after.at["t3.odi.6m.ips_mean", "value"] == pytest.approx(ips_6m.mean(), rel=1e-12)
    changed = {k for k in before.index if before.at[k, "status"] != after.at[k, "status"]}
    assert changed <= set(moved)
    published = load_published()
    for key in moved:  # every moved printed number is judged by its digits again
        if key in published.index and after.at[key, "status"] != "source_inconsistent":
            fits = rounds_to(after.at[key, "value"], published.at[key, "printed"], published.at[key, "relation"])
            assert after.at[key, "status"] == ("reproduced" if fits else "discrepant"), key
    flipped = sorted(k for k in changed if after.at[k, "status"] == "discrepant")
    expected = sorted(
        k for k in moved if before.at[k, "status"] == "reproduced" and after.at[k, "status"] != "reproduced"
    )
    assert flipped == expected
    assert {"t3.odi.6m.ips_mean", "t3.odi.6m.ips_sd"} <= set(flipped)
    mean_note = after.at["t3.odi.6m.ips_mean", "note"]
    assert mean_note.startswith(f"{ips_6m.mean():.2f} where {published.at['t3.odi.6m.ips_mean', 'printed']} is printed")
    index = (changed_report / "index.html").read_text(encoding="utf-8")
    for key in flipped:
        assert f'#ledger-{key}"' in index, key


def test_the_option_defaults_to_on_for_the_bundled_file_only_and_keys_the_cache():
    from ipsrep.cli import _parser
    from ipsrep.report.build import _data_digest
    from ipsrep.report.context import DataInUse

    assert _parser().parse_args(["build"]).compare_with_paper is None
    assert _parser().parse_args(["build", "--compare-with-paper"]).compare_with_paper is True
    bundled = DataInUse(given="b.csv", file=Path("b.csv"), bundled=True, sha256="ab")
    other = DataInUse(given="t.csv", file=Path("t.csv"), bundled=False, sha256="ab")
    compared = DataInUse(given="t.csv", file=Path("t.csv"), bundled=False, sha256="ab", compare=True)
    assert (bundled.with_paper, other.with_paper, compared.with_paper) == (True, False, True)
    assert other.comparison is False and compared.comparison == Comparison(synthetic=False)
    assert bundled.comparison == Comparison(synthetic=True)
    assert _data_digest(other) == "ab" and _data_digest(bundled) == "ab" and _data_digest(compared) != "ab"
