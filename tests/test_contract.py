"""The data contract: good files load with the right types, bad files get one precise
message per fault (file, column, line, participant), all at once, and the CLI never
shows a traceback.

Fixtures are written by hand here; the expected column list and messages are typed
out, not taken from ipsrep.inputs.contract.
"""
from __future__ import annotations

import csv
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from ipsrep.inputs import contract
from ipsrep.inputs.contract import ContractError, Violation, check_trial_file, load_trial

ROOT = Path(__file__).resolve().parents[1]

# The contract's columns, typed out independently of ipsrep.inputs.measures.
COLUMNS = [
    "participant_id", "group", "female", "age", "higher_education", "married",
    "has_children", "out_of_work_over_2y", "benefits",
    "employed_6m", "employed_12m", "employed_24m", "hours_12m", "worked_20h_week_12m",
    "odi_0m", "odi_6m", "odi_12m", "eqvas_0m", "eqvas_6m", "eqvas_12m",
    "hscl_0m", "hscl_6m", "hscl_12m", "anxiety_0m", "anxiety_6m", "anxiety_12m",
    "depression_0m", "depression_6m", "depression_12m",
    "bpi_current_0m", "bpi_current_6m", "bpi_current_12m",
    "bpi_worst_0m", "bpi_worst_6m", "bpi_worst_12m",
    "bpi_average_0m", "bpi_average_6m", "bpi_average_12m",
    "bpi_least_0m", "bpi_least_6m", "bpi_least_12m",
]
OUTCOME_DEFAULTS = {"odi": "40", "eqvas": "55", "hscl": "2.04", "anxiety": "2.1",
                    "depression": "2", "bpi_current": "5", "bpi_worst": "7",
                    "bpi_average": "5", "bpi_least": "3"}


def participant(pid: str, group: str, **cells: str) -> dict[str, str]:
    row = {"participant_id": pid, "group": group, "female": "1", "age": "45",
           "higher_education": "0", "married": "1", "has_children": "1",
           "out_of_work_over_2y": "0", "benefits": "work_assessment_allowance",
           "employed_6m": "0", "employed_12m": "1", "employed_24m": "1",
           "hours_12m": "120.5", "worked_20h_week_12m": "1"}
    for stem, value in OUTCOME_DEFAULTS.items():
        for visit in ("0m", "6m", "12m"):
            row[f"{stem}_{visit}"] = value
    row.update(cells)
    return row


def good_rows() -> list[dict[str, str]]:
    """Four participants (lines 2-5 of the file): P01, P02 in IPS, P03, P04 in TAU."""
    return [
        participant("P01", "IPS"),
        participant("P02", "IPS", female="0", age="18", benefits="disability",
                    employed_6m="1", employed_12m="1", employed_24m="", hours_12m="900",
                    odi_6m="", eqvas_12m="", hscl_6m="1.84"),
        participant("P03", "TAU", age="65", benefits="", employed_12m="0", employed_24m="0",
                    hours_12m="0", worked_20h_week_12m="0", married=""),
        participant("P04", "TAU", age="31.5", benefits="none", employed_6m="", employed_12m="",
                    employed_24m="", hours_12m="", worked_20h_week_12m="", odi_12m="37"),
    ]


def write(directory: Path, rows: list[dict[str, str]], name: str = "data.csv",
          header: list[str] | None = None, delimiter: str = ",") -> Path:
    header = COLUMNS if header is None else header
    path = directory / name
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, delimiter=delimiter, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(c, "") for c in header])
    return path


@pytest.fixture
def here(tmp_path, monkeypatch):
    """Work inside tmp_path so that messages name the file as ``data.csv``."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def lines(path: str | Path = "data.csv") -> list[str]:
    return [v.line() for v in check_trial_file(path)]


def with_changes(changes: dict[str, dict[str, str]]) -> list[dict[str, str]]:
    rows = good_rows()
    by_id = {r["participant_id"]: r for r in rows}
    for pid, cells in changes.items():
        by_id[pid].update(cells)
    return rows


# ----------------------------------------------------------------------------- good files
def test_contract_columns_are_the_documented_ones():
    assert contract.column_names() == COLUMNS


def test_valid_file_passes_and_loads_with_contract_types(here):
    write(here, good_rows())
    assert check_trial_file("data.csv") == []
    trial = load_trial("data.csv")
    assert list(trial.columns) == COLUMNS
    assert trial.shape == (4, 41)
    assert trial["participant_id"].tolist() == ["P01", "P02", "P03", "P04"]
    assert pd.api.types.is_string_dtype(trial["participant_id"])
    assert isinstance(trial["group"].dtype, pd.CategoricalDtype)
    assert list(trial["group"].cat.categories) == ["IPS", "TAU"]
    assert isinstance(trial["benefits"].dtype, pd.CategoricalDtype)
    assert set(trial["benefits"].cat.categories) == {
        "work_assessment_allowance", "disability", "other", "none"}
    for col in ["female", "married", "employed_6m", "employed_24m", "worked_20h_week_12m"]:
        assert trial[col].dtype == "Int64", col
    for col in ["age", "hours_12m", "odi_0m", "hscl_6m", "bpi_least_12m"]:
        assert trial[col].dtype == "float64", col
    assert trial["age"].tolist() == [45.0, 18.0, 65.0, 31.5]
    assert trial.loc[1, "hscl_6m"] == 1.84
    assert trial.loc[3, "odi_12m"] == 37.0  # off the ODI's even grid: accepted
    assert pd.isna(trial.loc[1, "odi_6m"]) and pd.isna(trial.loc[2, "married"])
    assert pd.isna(trial.loc[2, "benefits"])
    assert trial["employed_12m"].tolist()[:3] == [1, 1, 0]
    assert trial["employed_12m"].isna().tolist() == [False, False, False, True]
    assert trial.attrs["source"] == "data.csv"


def test_byte_order_mark_spaces_and_blank_lines_are_accepted(here):
    path = write(here, with_changes({"P01": {"group": " IPS ", "age": " 40"}}))
    text = path.read_text(encoding="utf-8").replace("\nP03", "\n\nP03")
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("participant_id,", " participant_id ,", 1)
                     .encode("utf-8"))
    assert lines() == []
    trial = load_trial("data.csv")
    assert trial.loc[0, "group"] == "IPS" and trial.loc[0, "age"] == 40.0


def test_blank_lines_do_not_shift_reported_line_numbers(here):
    path = write(here, with_changes({"P04": {"age": "70"}}))
    text = path.read_text(encoding="utf-8").replace("\nP03", "\n\nP03")
    path.write_text(text, encoding="utf-8")
    # P04 was on line 5; the blank line puts it on line 6
    assert lines() == ["data.csv: column 'age', line 6 (participant P04): 70 is outside 18-65"]


# ----------------------------------------------------------------- one fault, one message
CELL_FAULTS = {
    "age below range": (
        {"P03": {"age": "17"}},
        "data.csv: column 'age', line 4 (participant P03): 17 is outside 18-65"),
    "third group label": (
        {"P02": {"group": "Control"}},
        "data.csv: column 'group', line 3 (participant P02): 'Control' is not allowed; "
        "allowed: IPS, TAU"),
    "group in lower case": (
        {"P02": {"group": "ips"}},
        "data.csv: column 'group', line 3 (participant P02): 'ips' is not allowed "
        "(did you mean 'IPS'?); allowed: IPS, TAU"),
    "empty group": (
        {"P04": {"group": ""}},
        "data.csv: column 'group', line 5 (participant P04): empty; allowed: IPS, TAU"),
    "binary 2": (
        {"P01": {"has_children": "2"}},
        "data.csv: column 'has_children', line 2 (participant P01): 2 is not allowed; "
        "allowed: 0, 1 or empty"),
    "unknown benefit": (
        {"P01": {"benefits": "sick_leave"}},
        "data.csv: column 'benefits', line 2 (participant P01): 'sick_leave' is not allowed; "
        "allowed: work_assessment_allowance, disability, other, none or empty"),
    "text in a numeric column": (
        {"P02": {"odi_12m": "abc"}},
        "data.csv: column 'odi_12m', line 3 (participant P02): 'abc' is not a number; "
        "allowed: 0-100 or empty"),
    "NA instead of an empty cell": (
        {"P03": {"eqvas_0m": "NA"}},
        "data.csv: column 'eqvas_0m', line 4 (participant P03): 'NA' is not a number; "
        "leave the cell empty for a missing value"),
    "decimal comma": (
        {"P01": {"hscl_0m": "1,8"}},
        "data.csv: column 'hscl_0m', line 2 (participant P01): '1,8' is not a number; "
        "use a point as decimal separator"),
    "HSCL below its scale": (
        {"P01": {"hscl_12m": "0.5"}},
        "data.csv: column 'hscl_12m', line 2 (participant P01): 0.5 is outside 1-4"),
    "BPI above its scale": (
        {"P04": {"bpi_worst_6m": "11"}},
        "data.csv: column 'bpi_worst_6m', line 5 (participant P04): 11 is outside 0-10"),
    "negative hours": (
        {"P04": {"hours_12m": "-3"}},
        "data.csv: column 'hours_12m', line 5 (participant P04): -3 is outside 0-8784"),
    "hours beyond a year": (
        {"P04": {"hours_12m": "1e308"}},
        "data.csv: column 'hours_12m', line 5 (participant P04): 1e308 is outside 0-8784"),
    "id that is a word": (
        {"P02": {"participant_id": "Table"}},
        "data.csv: column 'participant_id', line 3: 'Table' has no digit; an id needs at least one "
        "letter and one digit (e.g. P017), so that it cannot be read as a word on a page"),
    "id that is a number": (
        {"P02": {"participant_id": "117"}},
        "data.csv: column 'participant_id', line 3: '117' has no letter; an id needs at least one "
        "letter and one digit (e.g. P017), so that it cannot be read as a number on a page"),
    "employment 1 then 0": (
        {"P02": {"employed_12m": "0", "hours_12m": "0", "worked_20h_week_12m": "0"}},
        "data.csv: column 'employed_12m', line 3 (participant P02): 0 after employed_6m = 1; "
        "employment counts any job since enrolment, so once 1 it stays 1"),
    "employment 1 then 0 across a missing follow-up": (
        {"P04": {"employed_6m": "1", "employed_24m": "0"}},
        "data.csv: column 'employed_24m', line 5 (participant P04): 0 after employed_6m = 1; "
        "employment counts any job since enrolment, so once 1 it stays 1"),
    "hours without a job": (
        {"P03": {"hours_12m": "12"}},
        "data.csv: column 'hours_12m', line 4 (participant P03): 12 hours with "
        "employed_12m = 0; a participant with no job in the 12 months worked no hours"),
    "20-hour week without a job": (
        {"P03": {"worked_20h_week_12m": "1", "hours_12m": ""}},
        "data.csv: column 'worked_20h_week_12m', line 4 (participant P03): 1 with "
        "employed_12m = 0; a week of 20 hours or more needs a job in the 12 months"),
    "20-hour week with fewer than 20 hours": (
        {"P01": {"hours_12m": "10"}},
        "data.csv: column 'worked_20h_week_12m', line 2 (participant P01): 1 but "
        "hours_12m = 10; a week of 20 hours or more means at least 20 hours in the 12 months"),
    "empty participant_id": (
        {"P03": {"participant_id": ""}},
        "data.csv: column 'participant_id', line 4: empty; every row needs a participant id"),
    "duplicate participant_id": (
        {"P04": {"participant_id": "P02"}},
        "data.csv: column 'participant_id', line 5 (participant P02): 'P02' is already used "
        "on line 3; one row per participant"),
}


@pytest.mark.parametrize("changes, expected", CELL_FAULTS.values(), ids=CELL_FAULTS.keys())
def test_each_fault_gets_its_own_message(here, changes, expected):
    write(here, with_changes(changes))
    assert lines() == [expected]


def test_violation_fields_name_file_column_line_and_participant(here):
    write(here, with_changes({"P03": {"age": "17"}}))
    assert check_trial_file("data.csv") == [
        Violation("data.csv", "age", 4, "P03", "17 is outside 18-65")]


def test_grid_is_not_enforced_only_the_range(here):
    write(here, with_changes({"P01": {"odi_0m": "37", "hscl_0m": "2.03", "bpi_current_6m": "4.5",
                                      "eqvas_6m": "62.5"}}))
    assert lines() == []


def test_a_wrong_value_is_not_repeated_by_a_cross_column_rule(here):
    # employed_12m = 2 is wrong once; the hours rule must not also fire on it
    write(here, with_changes({"P01": {"employed_12m": "2"}}))
    assert lines() == ["data.csv: column 'employed_12m', line 2 (participant P01): 2 is not "
                       "allowed; allowed: 0, 1 or empty"]


def test_group_with_no_participants(here):
    write(here, with_changes({"P03": {"group": "IPS"}, "P04": {"group": "IPS"}}))
    assert lines() == ["data.csv: column 'group': participants per arm IPS 4, TAU 0; the two-arm analyses need "
                       "at least 2 in each arm (a t-test needs a standard deviation per group)"]


def test_arms_of_two_pass_and_an_arm_of_one_is_one_line(here):
    """The minimum per arm (issue 20): 2 participants give a standard deviation per group;
    1 is refused in one line naming the column, the counts and the minimum."""
    assert lines(write(here, good_rows())) == []
    write(here, good_rows()[1:])
    assert lines() == ["data.csv: column 'group': participants per arm IPS 1, TAU 2; the two-arm analyses need "
                       "at least 2 in each arm (a t-test needs a standard deviation per group)"]
    write(here, [good_rows()[0], good_rows()[2]])
    assert lines() == ["data.csv: column 'group': participants per arm IPS 1, TAU 1; the two-arm analyses need "
                       "at least 2 in each arm (a t-test needs a standard deviation per group)"]


# ------------------------------------------------------------------------- header faults
def test_missing_column(here):
    write(here, good_rows(), header=[c for c in COLUMNS if c != "odi_6m"])
    assert lines() == ["data.csv: column 'odi_6m': is missing from the header; the contract "
                       "requires it (leave its cells empty where it was not measured)"]


def test_unknown_column_with_a_hint(here):
    write(here, good_rows(), header=COLUMNS + ["odi_3m"])
    assert lines() == ["data.csv: column 'odi_3m': is not a column of the contract (did you "
                       "mean 'odi_6m'?); rename or remove it (the columns are listed in "
                       "data/README.md)"]


def test_repeated_column(here):
    write(here, good_rows(), header=COLUMNS + ["age"])
    assert lines() == ["data.csv: column 'age': appears twice in the header (cells 4 and 42); "
                       "only the first is checked"]


# -------------------------------------------------------------------------- row faults
def test_row_with_too_many_cells_and_an_empty_row(here):
    path = write(here, good_rows())
    text = path.read_text(encoding="utf-8").splitlines()
    text[2] = text[2] + ",extra"           # line 3, P02
    text.insert(3, ",,,")                  # new line 4, all empty; P03 moves to line 5
    text[4] = text[4].replace("P03,TAU,", "P03,TAU,oops,")
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    assert lines() == [
        "data.csv: line 3 (participant P02): 42 cells but the header has 41 (an unquoted comma "
        "inside a value, or a decimal comma?); the line is not checked further",
        "data.csv: line 4: every cell is empty; delete the line",
        "data.csv: line 5 (participant P03): 42 cells but the header has 41 (an unquoted comma "
        "inside a value, or a decimal comma?); the line is not checked further",
    ]


# -------------------------------------------------------------------------- file faults
def test_missing_file(here):
    assert lines("nothere.csv") == ["nothere.csv: no such file"]


def test_directory(here):
    (here / "folder").mkdir()
    assert lines("folder") == ["folder: is a directory, not a CSV file"]


def test_empty_file(here):
    (here / "data.csv").write_text("")
    assert lines() == ["data.csv: the file is empty; the contract asks for a header line "
                       "naming the columns and one line per participant"]


def test_header_only(here):
    write(here, [])
    assert lines() == ["data.csv: the file has a header line but no participant rows"]


@pytest.mark.parametrize("delimiter, said", [(";", "';'"), ("\t", "tabs")])
def test_wrong_separator(here, delimiter, said):
    write(here, good_rows(), delimiter=delimiter)
    assert lines() == [f"data.csv: the file is separated by {said}; the contract asks for commas"]


def test_binary_file(here):
    (here / "data.csv").write_bytes(bytes(range(256)) * 4)
    assert lines() == ["data.csv: is a binary file (it contains NUL bytes), not CSV text"]


def test_spreadsheet(here):
    (here / "data.csv").write_bytes(b"PK\x03\x04" + b"\x14\x00" * 40)
    assert lines() == ["data.csv: is a zip archive or spreadsheet (e.g. .xlsx), not CSV text; "
                       "export it as CSV (comma-separated, UTF-8)"]


def test_not_utf8(here):
    path = write(here, good_rows())
    data = path.read_bytes().replace(b"P03", "Pø3".encode("latin-1"))
    path.write_bytes(data)
    assert lines() == ["data.csv: is not UTF-8 text: byte 0xf8 on line 4 cannot be decoded; "
                       "save the file as UTF-8 (in Excel: 'CSV UTF-8')"]


# ------------------------------------------------------------------- all faults at once
def three_faults(directory: Path) -> Path:
    return write(directory, with_changes({
        "P01": {"bpi_average_0m": "12"},
        "P02": {"group": "Control"},
        "P04": {"female": "yes"},
    }))


def test_all_violations_are_reported_at_once_in_line_order(here):
    three_faults(here)
    assert lines() == [
        "data.csv: column 'bpi_average_0m', line 2 (participant P01): 12 is outside 0-10",
        "data.csv: column 'group', line 3 (participant P02): 'Control' is not allowed; "
        "allowed: IPS, TAU",
        "data.csv: column 'female', line 5 (participant P04): 'yes' is not a number; "
        "allowed: 0, 1 or empty",
    ]


def test_header_and_cell_faults_together(here):
    write(here, with_changes({"P03": {"age": "99"}}), header=COLUMNS[:-1] + ["notes"])
    assert len(lines()) == 3  # unknown 'notes', missing 'bpi_least_12m', age on line 4


def test_load_trial_raises_with_every_violation(here):
    three_faults(here)
    with pytest.raises(ContractError) as info:
        load_trial("data.csv")
    assert len(info.value.violations) == 3
    message = str(info.value).splitlines()
    assert message[0] == "data.csv: 3 violations of the data contract (see data/README.md)"
    assert message[1:] == lines()


def test_violations_frame(here):
    three_faults(here)
    frame = contract.violations_table(check_trial_file("data.csv"))
    assert list(frame.columns) == ["file", "column", "row", "participant_id", "message"]
    assert frame["row"].tolist() == [2, 3, 5]
    assert frame["participant_id"].tolist() == ["P01", "P02", "P04"]


# ------------------------------------------------------------------------------- CLI
def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "ipsrep.cli", "validate", *args], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=120)


def test_cli_good_file_exits_0(tmp_path):
    write(tmp_path, good_rows())
    done = run_cli("data.csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "OK: data.csv: 4 participants (IPS 2, TAU 2)"
    assert done.stderr == ""


def test_cli_bad_file_exits_1_with_every_line_and_no_traceback(tmp_path):
    three_faults(tmp_path)
    done = run_cli("data.csv", cwd=tmp_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and done.stdout == ""
    err = done.stderr.strip().splitlines()
    assert len(err) == 4
    assert err[0].startswith("data.csv: column 'bpi_average_0m', line 2 (participant P01)")
    assert err[-1] == "data.csv: 3 violations of the data contract (see data/README.md)"


@pytest.mark.parametrize("name, content", [
    ("folder", None),
    ("binary.csv", bytes(range(256))),
    ("latin1.csv", "participant_id,group\nP1,Bø\n".encode("latin-1")),
    ("semicolon.csv", b"participant_id;group\nP1;IPS\n"),
    ("header.csv", ",".join(COLUMNS).encode()),
    ("missing.csv", b""),
])
def test_cli_reports_unreadable_input_without_a_traceback(here, capsys, name, content):
    # in-process (a traceback would be an exception escaping main), to keep the suite fast;
    # the subprocess tests above cover the real entry point
    from ipsrep.cli import main

    if name == "folder":
        (here / name).mkdir()
    elif name != "missing.csv":
        (here / name).write_bytes(content)
    assert main(["validate", name]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    # a file that cannot be read at all is one line: what is wrong with it
    assert err.startswith(f"{name}: ") and err.count("\n") == 1, err


# ------------------------------------------------------------------- speed, docs, data
def test_five_thousand_participants_validate_fast(tmp_path):
    base = good_rows()
    rows = [dict(base[i % 4], participant_id=f"Q{i:05d}") for i in range(5000)]
    path = write(tmp_path, rows)
    check_trial_file(path)  # warm up pandera
    start = time.perf_counter()
    assert check_trial_file(path) == []
    assert time.perf_counter() - start < 2.0


def test_readme_documents_every_column_as_the_code_defines_it():
    readme = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    documented = {}
    for line in readme.splitlines():
        if line.startswith("| `"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            documented[cells[0].strip("`")] = cells[1:]
    assert list(documented) == COLUMNS
    for row in contract.contract_table().itertuples(index=False):
        assert documented[row.column] == [row.type, row.allowed, row.missing_allowed,
                                          row.meaning], row.column
    assert documented["age"][:3] == ["number", "18-65", "yes"]
    assert documented["group"][:3] == ["text", "IPS, TAU", "no"]
    assert documented["hscl_12m"][:3] == ["number", "1-4", "yes"]
    for rule in contract.RULES:
        assert rule.text in readme


def test_bundled_reconstruction_keeps_the_contract():
    bundled = ROOT / "data" / "reconstructed" / "ips_in_pain.csv"
    if not bundled.exists():
        pytest.skip("the bundled reconstruction has not been written yet")
    assert [v.line() for v in check_trial_file(bundled)] == []
    trial = load_trial(bundled)
    assert trial["group"].value_counts().to_dict() == {"IPS": 38, "TAU": 20}


def test_several_empty_ids_are_each_reported_once_and_not_as_duplicates(here):
    write(here, with_changes({"P02": {"participant_id": ""}, "P04": {"participant_id": "  "}}))
    assert lines() == [
        "data.csv: column 'participant_id', line 3: empty; every row needs a participant id",
        "data.csv: column 'participant_id', line 5: empty; every row needs a participant id",
    ]
