"""The data holder's own .sav / .dta file, read through a mapping file (ipsrep.inputs.foreign).

The files are written by pyreadstat from the bundled data under other variable names and
numeric codes with value labels, as an SPSS or Stata user would keep them.
"""
from __future__ import annotations

import csv
import os
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

from ipsrep import cli, paths
from ipsrep.inputs import contract, foreign

GROUP_CODES = {"IPS": 1, "TAU": 2}
BENEFIT_CODES = {"work_assessment_allowance": 1, "disability": 2, "other": 3, "none": 4}
NOT_ANSWERED = 9
RENAME = {"participant_id": "pasnr", "group": "gruppe", "female": "kvinne", "age": "alder",
          "benefits": "ytelse", "hours_12m": "timer12", "employed_6m": "jobb6", "employed_12m": "jobb12",
          "employed_24m": "jobb24"}


def their_name(column: str) -> str:
    return RENAME.get(column, column.upper().replace("_", ""))


def their_table() -> tuple[pd.DataFrame, dict]:
    """The bundled data as a holder's file: other names, groups and benefits as numeric
    codes with labels, employment with a 'not answered' code 9 for missing."""
    trial = pd.read_csv(paths.RECONSTRUCTED_CSV, dtype={"participant_id": str})
    out = pd.DataFrame({their_name(c): trial[c] for c in trial.columns})
    out["gruppe"] = trial["group"].map(GROUP_CODES).astype(float)
    out["ytelse"] = trial["benefits"].map(BENEFIT_CODES).astype(float)
    for v in ("6", "12", "24"):
        out[f"jobb{v}"] = trial[f"employed_{v}m"].fillna(NOT_ANSWERED).astype(float)
    labels = {"gruppe": {1.0: "IPS-gruppe", 2.0: "Vanlig behandling"},
              "ytelse": {1.0: "Arbeidsavklaringspenger", 2.0: "Uforetrygd", 3.0: "Annen ytelse", 4.0: "Ingen"},
              **{f"jobb{v}": {0.0: "Nei", 1.0: "Ja", 9.0: "Ikke svart"} for v in ("6", "12", "24")}}
    return out, labels


def filled_mapping(path: Path) -> Path:
    """The mapping a holder writes for :func:`their_table`."""
    rows = [foreign.MAPPING_COLUMNS]
    for f in contract.FIELDS:
        rows.append(["column", f.name, their_name(f.name), "", "", ""])
    rows += [["value", "group", "gruppe", str(code), label, ""] for label, code in GROUP_CODES.items()]
    rows += [["value", "benefits", "ytelse", str(code), label, ""] for label, code in BENEFIT_CODES.items()]
    for v in ("6", "12", "24"):
        rows += [["value", "", f"jobb{v}", "0", "0", ""], ["value", "", f"jobb{v}", "1", "1", ""],
                 ["value", "", f"jobb{v}", str(NOT_ANSWERED), foreign.MISSING, ""]]
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    return path


@pytest.fixture(scope="module", params=[".sav", ".dta"])
def holder_file(request, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("holder")
    table, labels = their_table()
    path = folder / f"studie{request.param}"
    if request.param == ".sav":
        pyreadstat.write_sav(table, path, variable_value_labels=labels,
                             column_labels={"alder": "Alder ved inklusjon", "gruppe": "Randomisert gruppe"})
    else:
        pyreadstat.write_dta(table, path, variable_value_labels=labels,
                             column_labels={"alder": "Alder ved inklusjon", "gruppe": "Randomisert gruppe"})
    return path


def test_the_mapped_file_is_the_bundled_table(holder_file, tmp_path):
    mapping = filled_mapping(tmp_path / "m.csv")
    table, sha = foreign.load_foreign_checked(holder_file, mapping)
    bundled = contract.load_trial(paths.RECONSTRUCTED_CSV)
    pd.testing.assert_frame_equal(table.reset_index(drop=True), bundled.reset_index(drop=True), check_like=False,
                                  check_exact=False, rtol=1e-12, atol=0)
    assert table["employed_24m"].isna().sum() == bundled["employed_24m"].isna().sum() > 0
    assert len(sha) == 64


def test_template_lists_every_contract_column_and_every_value_label(holder_file, tmp_path):
    import shutil

    data = tmp_path / holder_file.name
    shutil.copyfile(holder_file, data)
    assert cli.main(["validate", "--mapping-template", str(data)]) == 0
    template = pd.read_csv(foreign.default_mapping(data), dtype=str, keep_default_na=False)
    assert list(template.columns) == foreign.MAPPING_COLUMNS
    columns = template[template["kind"] == "column"]
    assert columns["contract_column"].tolist() == contract.column_names()
    # a variable of the contract's name (case aside) is pre-filled; others are left to the holder
    assert columns.set_index("contract_column").at["odi_0m", "their_variable"] == ""
    values = template[template["kind"] == "value"]
    gruppe = values[values["their_variable"] == "gruppe"]
    assert gruppe["their_code"].tolist() == ["1", "2"]
    assert gruppe["note"].tolist() == ["label: IPS-gruppe", "label: Vanlig behandling"]
    assert set(values["their_variable"]) == {"gruppe", "ytelse", "jobb6", "jobb12", "jobb24"}
    variables = template[template["kind"] == "variable"]
    assert len(variables) == len(contract.FIELDS) == 41
    assert "Alder ved inklusjon" in variables.set_index("their_variable").at["alder", "note"]
    # never written over
    assert cli.main(["validate", "--mapping-template", str(data)]) == 1


def test_validate_command_accepts_the_filled_mapping(holder_file, tmp_path, capsys):
    mapping = filled_mapping(tmp_path / "m.csv")
    assert cli.main(["validate", str(holder_file), "--mapping", str(mapping)]) == 0
    assert "58 participants (IPS 38, TAU 20)" in capsys.readouterr().out


def _rewrite(table: pd.DataFrame, labels: dict, path: Path) -> Path:
    if path.suffix == ".sav":
        pyreadstat.write_sav(table, path, variable_value_labels=labels)
    else:
        pyreadstat.write_dta(table, path, variable_value_labels=labels)
    return path


def test_problems_name_file_variable_row_code_and_allowed_values(holder_file, tmp_path, capsys):
    table, labels = their_table()
    table.loc[16, "gruppe"] = 3.0          # a code the mapping does not list
    table.loc[4, "alder"] = 17.0           # outside the contract's 18-65
    data = _rewrite(table, labels, tmp_path / f"bad{holder_file.suffix}")
    mapping = filled_mapping(tmp_path / "m.csv")
    assert cli.main(["validate", str(data), "--mapping", str(mapping)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == (f"{data}: variable 'gruppe' (group), code 3 on row(s) 17: not in {mapping}; "
                      "mapped codes: 1 (IPS), 2 (TAU)")
    # the code problem stops the check: the contract runs only on a fully mapped table
    table.loc[16, "gruppe"] = 2.0
    data = _rewrite(table, labels, tmp_path / f"bad2{holder_file.suffix}")
    assert cli.main(["validate", str(data), "--mapping", str(mapping)]) == 1
    err = capsys.readouterr().err.splitlines()
    pid = table.loc[4, "pasnr"]
    assert err[0] == f"{data}: variable 'alder' (age), row 5 (participant {pid}): 17 is outside 18-65"
    assert err[-1] == f"{data}: 1 problem (see data/README.md)"


def test_mapping_problems_are_one_line_each(holder_file, tmp_path):
    mapping = tmp_path / "m.csv"
    rows = list(csv.reader(filled_mapping(mapping).open(encoding="utf-8")))
    rows[2][2] = "grupe"                                     # line 3: group from a variable the file lacks
    rows.append(["value", "benefits", "ytelse", "5", "pension", ""])  # not a contract value
    rows.append(["colum", "age", "alder", "", "", ""])       # unknown kind
    with open(mapping, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    problems, mapped = foreign.check_foreign(holder_file, mapping)
    assert mapped is None
    n = len(rows)
    text = "\n".join(problems)
    assert "line 3: variable 'grupe' is not in the data file" in text
    assert f"line {n}: kind 'colum' is not allowed; allowed: column, value, variable" in text
    assert f"line {n - 1}: 'pension' is not a value of 'benefits'; allowed: work_assessment_allowance, " \
           "disability, other, none or (missing)" in text
    first = 2 + len(contract.FIELDS)
    assert f"lines {first}-{first + 1}: value rows of 'gruppe', which no column row maps to a contract column; " \
           "name it as their_variable of one" in text
    assert len(problems) == 4 and all(p.startswith(f"{mapping}: line") for p in problems)


def test_files_over_the_size_limit_and_other_files_are_refused_in_one_line(tmp_path, capsys):
    big = tmp_path / "big.sav"
    with open(big, "wb") as f:
        f.truncate(contract.MAX_FILE_BYTES + 1)
    assert cli.main(["validate", str(big), "--mapping", str(tmp_path / "none.csv")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0].startswith(f"{big}: is larger than 64 MiB")
    fifo = tmp_path / "pipe.dta"
    os.mkfifo(fifo)
    assert cli.main(["validate", str(fifo)]) == 1
    assert "named pipe" in capsys.readouterr().err
    plain = tmp_path / "plain.csv"
    plain.write_text("participant_id\n")
    assert cli.main(["validate", str(plain), "--mapping", str(tmp_path / "m.csv")]) == 1
    assert capsys.readouterr().err.startswith(
        f"{plain}: a mapping applies to SPSS (.sav, .zsav) and Stata (.dta) files")
    junk = tmp_path / "junk.sav"
    junk.write_bytes(b"not an spss file at all")
    assert cli.main(["validate", str(junk)]) == 1
    assert capsys.readouterr().err.startswith(f"{junk}: cannot be read as an SPSS .sav file (")


def test_build_runs_on_the_mapped_csv(holder_file, tmp_path, monkeypatch):
    """``ipsrep build --data studie.sav --mapping m.csv`` builds on the contract CSV the
    mapping gives (the build itself is tested on CSV files elsewhere)."""
    seen = {}
    monkeypatch.setattr(cli, "build_command", lambda **kw: seen.update(kw) or 0)
    mapping = filled_mapping(tmp_path / "m.csv")
    assert cli.main(["build", "--data", str(holder_file), "--mapping", str(mapping), "--out", str(tmp_path / "r")]) == 0
    mapped = Path(seen["data"])
    assert mapped.name == "studie.csv" and mapped.parent.parent.name == "ipsrep-foreign"
    assert contract.check_trial_file(mapped) == []
    pd.testing.assert_frame_equal(contract.load_trial(mapped), contract.load_trial(paths.RECONSTRUCTED_CSV))
