"""The data contract: what a participant-level CSV must look like for the report to run.

One row per analysed participant, comma-separated, UTF-8, a header line naming the
columns, an empty cell for a missing value. The columns, their allowed values and the
rules between columns are listed in ``data/README.md``; here they are code: the columns in
:mod:`ipsrep.inputs.fields`, the rules in :mod:`ipsrep.inputs.rules`, the reading in
:mod:`ipsrep.inputs.parsing`, the pandera schema in :mod:`ipsrep.inputs.schema`, the
violations in :mod:`ipsrep.inputs.violations`; this module checks and loads a file. The list
of repeated-measure columns and their legal ranges come from :mod:`ipsrep.inputs.measures`,
the arms from ``measures.GROUPS``, the employment follow-ups from
``measures.FOLLOW_UPS``.

How a file is checked (:func:`check_trial_file`), in order:

1. Reading, by hand: the file must exist, be a file, be readable, be text (not a
   spreadsheet or other binary), decode as UTF-8, not be empty, be comma-separated
   (a header split by ``;`` or tabs is named as such) and hold at least one
   participant row. Each of these stops the check, since nothing after it can be read.
2. The header, by hand: columns missing from it, columns the contract does not know
   (with the nearest known name as a hint), empty or repeated header cells.
3. The rows, by hand: a row with more or fewer cells than the header (typically an
   unquoted comma inside a value) is reported and left out of the value checks; a row
   of only empty cells is reported once rather than cell by cell.
4. Numbers, by hand with Python's ``float`` (words such as ``nan``, ``inf`` and digit
   separators refused): a cell of text in a numeric column is reported and then treated
   as missing, so that one typo yields one message and does not stop the range and
   cross-column checks on the rest of the column (pandera's own dtype coercion would
   leave the whole column unconverted in lazy mode, and ``pandas.to_numeric`` on text
   cells is several times slower on a 5,000-row file).
5. Values and rules, with pandera (:func:`trial_schema`, validated ``lazy=True`` so that
   every failure is collected): allowed sets and ranges per column, non-empty and
   unique ``participant_id``, non-empty ``group``, both arms present, and the
   cross-column rules (:data:`RULES`) as pandera wide checks. Pandera's failure cases
   are translated into :class:`Violation` objects that name the file, column, line
   and participant.

Line numbers are the line numbers of the file as a text editor shows them: the header
is line 1, the first participant is line 2 (a quoted value spanning several lines is
reported at the line where its row starts).

Scores off an instrument's grid (e.g. an ODI of 37 where the questionnaire gives even
numbers) are not violations: real data can hold prorated scores from questionnaires
with a skipped item. Only the legal range of each instrument is checked.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ipsrep.inputs.fields import (
    BENEFITS,
    FIELDS,
    HOURS_IN_12_MONTHS,
    ID_PATTERN,
    Field,
    column_names,
    contract_table,
    id_problem,
)
from ipsrep.inputs.parsing import MAX_FILE_BYTES, DataFileError, parse_trial_file, read_data_bytes, sha256_hex
from ipsrep.inputs.rules import RULES, Rule
from ipsrep.inputs.schema import MIN_PER_ARM, trial_schema
from ipsrep.inputs.terminal import terminal_safe  # re-exported: callers import it from here
from ipsrep.inputs.violations import ContractError, Violation, violations_table

__all__ = [
    "BENEFITS",
    "FIELDS",
    "HOURS_IN_12_MONTHS",
    "ID_PATTERN",
    "MAX_FILE_BYTES",
    "RULES",
    "ContractError",
    "DataFileError",
    "Field",
    "Rule",
    "Violation",
    "check_trial_file",
    "column_names",
    "contract_table",
    "id_problem",
    "load_trial",
    "load_trial_checked",
    "read_data_bytes",
    "sha256_hex",
    "terminal_safe",
    "trial_schema",
    "MIN_PER_ARM",
    "violations_table",
]


def check_trial_file(path: str | Path) -> list[Violation]:
    """Every way the CSV at `path` breaks the data contract (empty list: none).

    Parameters
    ----------
    path : the participant-level CSV (see data/README.md). A relative path is looked up
        in the working directory, then in the project root (:func:`ipsrep.paths.resolve`);
        messages name it as given.

    Returns
    -------
    list of :class:`Violation`, file-level problems first, then by line and by the
    contract's column order. Never raises for a bad file.
    """
    return parse_trial_file(path).violations


def _final_dtypes(table: pd.DataFrame) -> pd.DataFrame:
    out = table.reset_index(drop=True)[column_names()]
    for f in FIELDS:
        if f.kind == "id":
            out[f.name] = out[f.name].astype("str")
        elif f.kind == "label":
            out[f.name] = pd.Categorical(out[f.name], categories=list(f.labels))
        elif f.kind == "binary":
            out[f.name] = out[f.name].astype("Int64")
        else:
            out[f.name] = out[f.name].astype("float64")
    return out


def load_trial(path: str | Path) -> pd.DataFrame:
    """Check the CSV at `path` against the data contract and load it.

    Returns
    -------
    DataFrame with one row per participant and the contract's columns in contract
    order: ``participant_id`` as ``str``; ``group`` and ``benefits`` as categoricals
    with every allowed label as a category (``group``: IPS, TAU, in that order); the
    0/1 columns as nullable ``Int64``; every other numeric column as ``float64``;
    missing values as ``<NA>``/NaN. ``attrs["source"]`` holds the path as given.

    Raises
    ------
    ContractError : listing every violation, when there is any.
    """
    return load_trial_checked(path)[0]


def load_trial_checked(path: str | Path, *, trusted_sha256: str | None = None,
                       label: str | None = None) -> tuple[pd.DataFrame, str]:
    """:func:`load_trial`, also returning the SHA-256 of the bytes that were loaded.

    Parameters
    ----------
    path : the participant-level CSV.
    trusted_sha256 : SHA-256 of a file already checked against the contract (by ``ipsrep
        build``); when the file's bytes have exactly this checksum they are loaded without
        checking them again. Any other file is checked in full.
    label : the file's name in messages (default `path` as given).

    Raises
    ------
    ContractError : listing every violation, when there is any.
    """
    parsed = parse_trial_file(path, label=label, trusted_sha256=trusted_sha256)
    if parsed.violations:
        raise ContractError(parsed.violations)
    assert parsed.table is not None and parsed.sha256 is not None  # a parse without violations has both
    out = _final_dtypes(parsed.table)
    out.attrs["source"] = str(path) if label is None else label
    return out, parsed.sha256
