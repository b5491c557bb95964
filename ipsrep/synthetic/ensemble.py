"""An ensemble of reconstructions: which results the printed numbers decide, which the
reconstruction was built to match, and which the draw.

The report's participant-level results come from one synthetic reconstruction
(:func:`ipsrep.synthetic.reconstruct.reconstruct_trial` with its committed seed). Every
constraint the paper prints holds in it, but everything the paper does not print (who
answered which visit, which scores belong to the same person, how hours spread among
the employed) is one random draw among many that satisfy the same constraints. An
*ensemble member* is another such draw: the reconstruction rebuilt from another seed and
analysed by the same library functions the notebooks call (not by executing notebooks).

Two ensembles are made, differing only in how each member links visits to participants
(:data:`LINKAGES`):

- ``searched`` (:func:`member_results`): as the committed reconstruction, the linkage is
  searched until Table 4 refits close to the printed table
  (:func:`ipsrep.synthetic.linkage.link_visits`); a member whose refit misses a target
  of that search is a miss (:class:`ReconstructionMissed`), like one whose marginal
  samples miss a printed comparison;
- ``unsearched`` (:func:`unsearched_member_results`): the same marginal samples, linked
  by rank on a latent score whose correlation across visits is drawn per member and
  measure from :data:`UNSEARCHED_R_RANGE` (:func:`drawn_within_person_r`); nothing aims at
  Table 4, so its spread is what the printed summaries alone leave open.

Every key of a member has a *kind* (:func:`key_kind`, :data:`KINDS`): ``printed`` (the
printed summaries determine it: counts, means, SDs and the tests computed from them;
:func:`check_printed` verifies that every member prints them alike), ``targeted`` (a
search or redraw of the reconstruction aims at it: Table 4 in the searched ensemble,
the side of .05 of every Levene test) or ``free`` (neither). Robustness is a question
about ``free`` keys only (:func:`summarise`, :func:`answer_robustness`); a ``targeted``
key is the same in every member by construction, which is no finding.

A member is a pure function of its seed. The Dask runner that computes many of them and
writes ``data/ensemble/`` and ``data/ensemble_unsearched/`` is
:mod:`ipsrep.synthetic.ensemble_run`; this module also reads what it wrote
(:func:`read_ensemble`).

The reading of ledger rows by kind is ours: the paper does not discuss which of its
results a reconstruction could pin down.
"""
from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ipsrep import paths
from ipsrep.synthetic.ensemble_keys import KEY_COLUMNS, key_kind

__all__ = [
    "ENSEMBLE_DIR",
    "UNSEARCHED_DIR",
    "RESULTS_NAME",
    "KEYS_NAME",
    "METADATA_NAME",
    "TIMINGS_NAME",
    "RESULT_COLUMNS",
    "VALUE_FORMAT",
    "format_value",
    "Ensemble",
    "read_ensemble",
    "check_ensemble_text",
]

ENSEMBLE_DIR = paths.DATA_DIR / "ensemble"
"""Where the committed searched ensemble lives (``results.csv``, ``keys.csv``,
``metadata.json``, ``timings.csv``)."""
UNSEARCHED_DIR = paths.DATA_DIR / "ensemble_unsearched"
"""Where the committed unsearched ensemble lives (the same four files)."""
RESULTS_NAME = "results.csv"
KEYS_NAME = "keys.csv"
METADATA_NAME = "metadata.json"
TIMINGS_NAME = "timings.csv"

RESULT_COLUMNS = ["member", "seed", "key", "value"]
"""Columns of ``results.csv``: one row per member and key."""

VALUE_FORMAT = ".12g"
"""Digits kept per value in the result files: enough for every printed number, and few
enough that the last bits of a floating-point sum (which may differ with the number of
BLAS threads) do not change the file."""


def format_value(value: float) -> str:
    """A value as the result files hold it (:data:`VALUE_FORMAT`; empty for NaN).

    >>> format_value(0.1 + 0.2), format_value(float("nan")), format_value(38.0)
    ('0.3', '', '38')
    """
    value = float(value)
    return "" if math.isnan(value) else format(value, VALUE_FORMAT)


# --------------------------------------------------------------------------------------
# Reading the ensemble
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Ensemble:
    """A computed ensemble: results, key catalogue, metadata and timings (may be empty)."""

    results: pd.DataFrame
    keys: pd.DataFrame
    metadata: dict
    timings: pd.DataFrame

    @property
    def members(self) -> int:
        return int(self.results["member"].nunique()) if len(self.results) else 0

    @property
    def linkage(self) -> str:
        """``searched`` or ``unsearched`` (:data:`LINKAGES`; an ensemble written before the
        metadata said so was searched)."""
        return str(self.metadata.get("linkage", "searched"))


def read_ensemble(directory: str | Path = ENSEMBLE_DIR) -> Ensemble:
    """Read an ensemble written by ``ipsrep ensemble`` (default ``data/ensemble/``).

    A ``keys.csv`` written before keys had a kind gets it from :func:`key_kind`.
    Raises ``FileNotFoundError`` naming the missing file and the command that writes it.
    """
    from ipsrep.inputs.datafiles import read_local_csv, read_local_json

    directory = paths.resolve(directory)
    files = {name: directory / name for name in (RESULTS_NAME, KEYS_NAME, METADATA_NAME)}
    for path in files.values():
        if not os.path.lexists(path):
            raise FileNotFoundError(f"{path}: no ensemble there; run `ipsrep ensemble --out {directory}`")
    results = read_local_csv(files[RESULTS_NAME], dtype={"member": int, "seed": int, "key": str, "value": float})
    keys = read_local_csv(files[KEYS_NAME], dtype={"key": str, "quantity": str, "published": str, "relation": str,
                                                   "status": str, "kind": str, "fixed_by": str}, keep_default_na=False)
    keys["p_value"] = keys["p_value"].astype(str).eq("True")
    keys["decimals"] = keys["decimals"].astype(int)
    metadata = read_local_json(files[METADATA_NAME])
    if not isinstance(metadata, dict):
        raise ValueError(f"{files[METADATA_NAME]}: top level: is not an object")
    if "kind" not in keys:
        kinds = [key_kind(k, published=p, linkage=metadata.get("linkage", "searched"))
                 for k, p in zip(keys["key"], keys["published"], strict=True)]
        keys["kind"], keys["fixed_by"] = [k for k, _ in kinds], [r for _, r in kinds]
        keys = keys[KEY_COLUMNS]
    timing_path = directory / TIMINGS_NAME
    timings = read_local_csv(timing_path) if os.path.lexists(timing_path) else pd.DataFrame()
    check_ensemble_text(files, results, keys, metadata)
    return Ensemble(results=results, keys=keys, metadata=metadata, timings=timings)


_KEY = re.compile(r"[A-Za-z0-9_.:-]{1,200}")
_VERSION = re.compile(r"[0-9A-Za-z.+_-]{1,64}")
_MARKUP = re.compile(r"[`$\\{}\x00-\x1f\x7f]|<[A-Za-z/!?]")
"""Characters no ensemble text needs and pages would read as markup: a backtick, ``$``,
a backslash, braces (MyST roles, TeX), control characters (a newline starts a
directive) and the start of an HTML tag (``<`` before a letter, ``/``, ``!``, ``?``;
``>=`` and ``< 5`` stay allowed)."""


def check_ensemble_text(files: dict, results: pd.DataFrame, keys: pd.DataFrame, metadata) -> None:
    """Refuse an ensemble folder whose text could act in a page (page 09 and the front page
    put its keys, quantities and version into Markdown): keys of letters, digits and
    ``_ . : -``; no markup characters (:data:`_MARKUP`) in the text of ``keys.csv``; a
    ``metadata.json`` with the shape ``ipsrep ensemble`` writes. One line naming the file,
    the column or field, and the row.

    Raises
    ------
    ValueError
    """
    from ipsrep.inputs.contract import terminal_safe

    def refuse(path, where: str, value, why: str):
        raise ValueError(terminal_safe(f"{path}: {where}: {str(value)[:80]!r} {why}"))

    for path, table in ((files[RESULTS_NAME], results), (files[KEYS_NAME], keys)):
        bad = ~table["key"].astype(str).map(lambda k: bool(_KEY.fullmatch(k)))
        if bad.any():
            i = int(bad.to_numpy().argmax())
            refuse(path, f"column 'key', line {i + 2}", table["key"].iloc[i],
                   "is not a ledger key (letters, digits, _ . : - only)")
    for column in ("quantity", "published", "relation", "status", "kind", "fixed_by"):
        if column in keys.columns:
            for i, text in enumerate(keys[column].astype(str)):
                if _MARKUP.search(text):
                    refuse(files[KEYS_NAME], f"column {column!r}, line {i + 2}", text,
                           "holds markup (a backtick, $, backslash, brace, control character or HTML tag)")
    path = files[METADATA_NAME]
    if not isinstance(metadata, dict):
        refuse(path, "top level", type(metadata).__name__, "is not an object")
    version = metadata.get("version")
    if not isinstance(version, str) or not _VERSION.fullmatch(version):
        refuse(path, "field 'version'", version, "is not a version (letters, digits, . + _ - only)")
    seeds = metadata.get("seeds")
    if not isinstance(seeds, list) or not seeds or not all(type(x) is int for x in seeds):
        refuse(path, "field 'seeds'", seeds, "is not a non-empty list of whole numbers")
    failed = metadata.get("failed", {})
    if not isinstance(failed, dict):
        refuse(path, "field 'failed'", failed, "is not an object of seed: reason")
