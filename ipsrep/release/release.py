"""``ipsrep release REPORT_DIR --out DIR``: what of a report may leave a secure environment.

Every output of a built report is listed and checked under the disclosure control rules
of :mod:`ipsrep.release.rules` (thresholds in ``sdc_rules.toml``):

- **ledger rows** (``ledger.csv``), each with its quantity type. A value computed from
  printed numbers or bundled files only passes. A value from the participant data that
  rounds to the number the paper printed is public and is released as printed. Any
  other value from the data is checked on its cells (:mod:`ipsrep.release.cells`):
  frequency tables (threshold, zeros), magnitude cells (threshold, dominance, p-ratio),
  models (residual degrees of freedom); minima and maxima are never released.
- **figures** (every PNG in the executed notebooks), by the plotting function that drew
  it: a figure of printed or bundled material passes; a figure from the data passes only
  when every cell it is built from passes.
- **tables and text** of the notebooks that read the participant data, and the rendered
  pages: their cell counts are not recorded as machine-readable metadata, so they are
  withheld; their numbers leave through the ledger rows that pass.

The release folder gets ``ledger.csv`` (released values; suppressed ones empty with the
reason), ``figures/`` (the figures that pass), ``sdc_log.csv`` (one row per output and
check: outcome, action, reason), ``sdc_summary.md`` (the counts and every suppression, for
an output checker) and ``sdc_rules.toml`` (the thresholds applied). The logs there name
the rule and the cells of each failure but not the data's numbers; a review folder beside
it (``<out>.review``, not part of the release) holds the same logs with the numbers. It never holds a
participant id: every file written is searched for the data's ids before the folder is
published.
"""
from __future__ import annotations

import json
import math
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ipsrep import paths
from ipsrep.inputs.published import load_published
from ipsrep.methods.rounding import rounds_to
from ipsrep.release import cells as sdc_cells
from ipsrep.release.rules import RULES_FILE, Check, Rules, load_rules, overall

LOG_COLUMNS = ["output", "output_type", "notebook", "quantity_type", "check", "outcome", "detail", "action", "reason"]
"""Columns of ``sdc_log.csv``: one row per output and check."""

RELEASED_COLUMNS = ["key", "source", "quantity", "quantity_type", "published", "released", "status", "sdc", "note"]
"""Columns of the released ``ledger.csv``."""

ACTIONS = ("released", "released as printed", "suppressed", "withheld", "not copied")
"""What happens to an output: released (value or figure as computed), released as
printed (the printed number, which is public), suppressed (a ledger value removed),
withheld (a figure, table or page not copied), not copied (material that does not come
from the data file and is not part of a release)."""

PARAMETERS_MIMETYPE = "application/vnd.ipsrep.parameters+json"
LEDGER_MIMETYPE = "application/vnd.ipsrep.ledger+json"


class ReleaseError(ValueError):
    """A release cannot be made; the message is one line."""


@dataclass
class Output:
    """One output and the checks it went through; `reason` says why an output that is not
    released is not (for a failed check, :meth:`why` builds it from the checks)."""

    name: str
    output_type: str
    notebook: str
    quantity_type: str
    checks: list[Check]
    action: str
    reason: str = ""

    def why(self, full: bool) -> str:
        """Why the output is not released ("" when it is): the failed checks with their
        numbers (`full`, for the output checker's review) or without them (the release)."""
        if self.action in ("released", "released as printed"):
            return ""
        failed = [c for c in self.checks if c.outcome != "pass"]
        if self.reason or not failed:
            return self.reason
        return "; ".join(f"{c.check}: {c.detail if full else c.shown}" for c in failed)


# ------------------------------------------------------------------------------ inputs
def _notebooks(report_dir: Path) -> dict[str, dict]:
    found = {}
    for f in sorted(report_dir.glob("*.ipynb")):
        try:
            found[f.stem] = json.loads(f.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ReleaseError(f"{f}: not a readable notebook ({exc})") from None
    if not found:
        raise ReleaseError(f"{report_dir}: no executed notebooks (*.ipynb); give the folder `ipsrep build --out` wrote")
    return found


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _parameters(nb: dict) -> dict:
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if PARAMETERS_MIMETYPE in data:
                return dict(data[PARAMETERS_MIMETYPE].get("parameters", {}))
    return {}


def reads_data(nb: dict) -> bool:
    """True when a notebook's code uses the participant table (``ctx.trial``)."""
    return any("ctx.trial" in _source(c) for c in nb.get("cells", []) if c.get("cell_type") == "code")


def check_report_data(notebooks: dict[str, dict], data_file: Path, sha256: str) -> None:
    """Refuse a data file other than the one the report was built from: the report's
    banner names the SHA-256 of its data, or (bundled data) its parameters name the
    bundled file."""
    text = json.dumps(notebooks)
    if sha256 in text:
        return
    if paths.is_bundled(data_file) and all(
            paths.is_bundled(_parameters(nb).get("data_path", paths.BUNDLED_DATA)) for nb in notebooks.values()):
        return
    raise ReleaseError(f"{data_file}: the report was not built from this file (its pages do not name "
                       f"sha256 {sha256[:12]}...); give the data file the report was built from")


# ------------------------------------------------------------------------------ ledger
def _value_text(value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return repr(float(value))


def check_ledger(ledger: pd.DataFrame, trial: pd.DataFrame, rules: Rules) -> tuple[list[Output], pd.DataFrame]:
    """Check every ledger row; return the outputs and the released ledger."""
    published = load_published()
    outputs, rows = [], []
    for r in ledger.itertuples(index=False):
        key = str(r.key)
        qtype = sdc_cells.quantity_type(key)
        value = pd.to_numeric(pd.Series([r.reproduced]), errors="coerce").iloc[0]
        printed = published.loc[key] if key in published.index else None
        printed_text = "" if printed is None else (
            printed["printed"] if printed["relation"] == "=" else f"{printed['relation']}{printed['printed']}")
        released, action = "", "suppressed"
        if not sdc_cells.from_data(key):
            checks = [Check("source", "pass", "computed from printed numbers or bundled files, not from the data file")]
            released, action = _value_text(value), "released"
        elif pd.isna(value):
            checks = [Check("value", "pass", "no value computed")]
            action = "released"
        elif (printed is not None and rules.printed_numbers_are_public and qtype not in ("min", "max")
              and rounds_to(float(value), str(printed["printed"]), str(printed["relation"]))):
            checks = [Check("printed", "pass", f"rounds to the printed {printed_text}, which is public")]
            released, action = printed_text, "released as printed"
        else:
            evidence = sdc_cells.ledger_evidence(key, trial)
            if evidence is None:
                checks = [Check("cells", "fail", "no rule says which participants this value is computed from")]
            else:
                checks = evidence.checks(rules)
                if qtype in ("min", "max") and not evidence.extreme:
                    checks.insert(0, Check("min_max", "fail", f"a {qtype} is one participant's value"))
            if overall(checks) == "pass":
                released, action = _value_text(value), "released"
        output = Output(key, "ledger row", "", qtype, checks, action)
        outputs.append(output)
        data_row = sdc_cells.from_data(key)
        rows.append({
            "key": key, "source": r.source, "quantity": r.quantity, "quantity_type": qtype,
            "published": printed_text if printed is not None else ("" if pd.isna(r.published) else r.published),
            "released": released,
            "status": "" if action == "suppressed" or pd.isna(r.status) else r.status,
            "sdc": action,
            "note": (f"suppressed: {output.why(full=False)}" if action == "suppressed"
                     else "" if data_row or pd.isna(r.note) else r.note),
        })
    return outputs, pd.DataFrame(rows, columns=RELEASED_COLUMNS)


# ------------------------------------------------------------------------------ notebook outputs
def check_notebook_outputs(notebooks: dict[str, dict], trial: pd.DataFrame, rules: Rules,
                           figures_dir: Path) -> list[Output]:
    """Check every figure, table and text output of the executed notebooks; copy the
    figures that pass into `figures_dir`."""
    import base64

    outputs: list[Output] = []
    for stem, nb in notebooks.items():
        data_notebook = reads_data(nb)
        params = _parameters(nb)
        figure_no = table_no = 0
        for cell in nb.get("cells", []):
            if cell.get("cell_type") != "code":
                continue
            source = _source(cell)
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                if "image/png" in data:
                    figure_no += 1
                    func = sdc_cells.figure_function(source)
                    name = f"{stem}_figure_{figure_no}" + (f"_{func}" if func else "")
                    rule = sdc_cells.FIGURE_RULES.get(func) if func else None
                    if rule is None:
                        checks = [Check("figure", "fail",
                                        "drawn by no known figure function; cannot say what it shows")]
                    elif rule.source != "data":
                        checks = [Check("source", "pass", f"{rule.shows}, drawn from {rule.source}")]
                    else:
                        assert rule.evidence is not None  # every rule drawn from the data names its evidence
                        checks = rule.evidence(trial, params).checks(rules)
                    if overall(checks) == "pass":
                        png = data["image/png"]
                        png = "".join(png) if isinstance(png, list) else png
                        (figures_dir / f"{name}.png").write_bytes(base64.b64decode(png))
                        action = "released"
                    else:
                        action = "withheld"
                    outputs.append(Output(name, "figure", stem, "figure", checks, action))
                    continue
                if LEDGER_MIMETYPE in data or PARAMETERS_MIMETYPE in data:
                    continue  # the ledger rows are checked one by one; parameters are settings
                kind = "text" if out.get("output_type") == "stream" else (
                    "table" if "text/html" in data else "text")
                table_no += 1
                name = f"{stem}_{kind}_{table_no}"
                if data_notebook:
                    checks = [Check("cells", "fail", f"a {kind} output of a notebook that reads the participant data; "
                                                     "its cell counts are not recorded, so it cannot be checked")]
                    outputs.append(Output(name, kind, stem, kind, checks, "withheld",
                                          "cells unknown; its numbers leave through the ledger rows that pass"))
                else:
                    checks = [Check("source", "pass", "the notebook does not read the participant data")]
                    outputs.append(Output(name, kind, stem, kind, checks, "not copied",
                                          "not from the data file; not part of a release"))
    return outputs


def check_pages(report_dir: Path) -> list[Output]:
    """The rendered pages: withheld (they show every table and figure of the notebooks)."""
    out = []
    for page in sorted(report_dir.rglob("*.html")):
        rel = page.relative_to(report_dir).as_posix()
        checks = [Check("cells", "fail", "a rendered page shows the notebooks' tables, text and figures together")]
        out.append(Output(rel, "page", "", "page", checks, "withheld",
                          "its tables and figures leave only through the ledger rows and figures that pass"))
    return out


# ------------------------------------------------------------------------------ writing
def log_frame(outputs: list[Output], *, full: bool = False) -> pd.DataFrame:
    """The SDC log: one row per output and check; with the data's numbers behind each
    decision when `full` (the review copy), without them otherwise (the released copy)."""
    rows = [{"output": o.name, "output_type": o.output_type, "notebook": o.notebook, "quantity_type": o.quantity_type,
             "check": c.check, "outcome": c.outcome, "detail": c.detail if full else c.shown, "action": o.action,
             "reason": o.why(full)}
            for o in outputs for c in o.checks]
    return pd.DataFrame(rows, columns=LOG_COLUMNS)


def counts(outputs: list[Output]) -> dict[str, int]:
    """Outputs checked, passed (released, as computed or as printed) and suppressed
    (suppressed or withheld); outputs not copied are counted apart."""
    passed = sum(o.action in ("released", "released as printed") for o in outputs)
    suppressed = sum(o.action in ("suppressed", "withheld") for o in outputs)
    return {"checked": len(outputs), "passed": passed, "suppressed": suppressed,
            "not_copied": sum(o.action == "not copied" for o in outputs)}


def summary_markdown(outputs: list[Output], rules: Rules, report_dir: str, data_label: str, *,
                     full: bool = False) -> str:
    """The SDC log in words, for an output checker: thresholds, counts by output type and
    action, then every suppressed or withheld output with its reason (with the data's
    numbers when `full`)."""
    c = counts(outputs)
    lines = ["# Disclosure control log", "",
             f"Report: `{report_dir}`; data: `{data_label}`.", "",
             "Rules (ACRO's, thresholds in `sdc_rules.toml`): at least "
             f"{rules.safe_threshold} participants per cell; dominance n = {rules.safe_nk_n}, k = {rules.safe_nk_k:g}; "
             f"p-ratio {rules.safe_pratio_p:g}; regressions with at least {rules.safe_dof_threshold} residual "
             f"degrees of freedom; zeros {'are' if rules.zeros_are_disclosive else 'are not'} disclosive; no minima or "
             "maxima; no participant-level rows, points or trajectories. Numbers the papers printed are public "
             f"{'and pass as printed' if rules.printed_numbers_are_public else 'but are checked like any other'}.",
             "",
             f"**{c['checked']} outputs checked: {c['passed']} passed, {c['suppressed']} suppressed or withheld, "
             f"{c['not_copied']} not copied (not from the data file).**", "",
             "| output type | " + " | ".join(ACTIONS) + " |", "| --- |" + " ---: |" * len(ACTIONS)]
    for kind in dict.fromkeys(o.output_type for o in outputs):
        mine = [o for o in outputs if o.output_type == kind]
        lines.append(f"| {kind} | " + " | ".join(str(sum(o.action == a for o in mine)) for a in ACTIONS) + " |")
    lines += ["", "## Suppressed and withheld", ""]
    for o in outputs:
        if o.action in ("suppressed", "withheld") and o.output_type in ("ledger row", "figure"):
            what = f"{o.output_type} `{o.name}`" + (f" ({o.quantity_type})" if o.output_type == "ledger row" else "")
            lines.append(f"- {what}: {o.why(full)}")
    others = [o for o in outputs if o.action == "withheld" and o.output_type not in ("ledger row", "figure")]
    if others:
        lines += ["", f"{len(others)} tables, text outputs and pages are withheld: their cell counts are not "
                      "recorded, so they cannot be checked; their numbers leave through the ledger rows that pass "
                      "(each is listed in `sdc_log.csv`)."]
    return "\n".join(lines) + "\n"


def _participant_ids_in(folder: Path, ids: set[str]) -> list[str]:
    """Files of `folder` whose text holds one of `ids` as a whole token."""
    if not ids:
        return []
    token = re.compile(r"[A-Za-z0-9._-]+")
    hits = []
    for f in sorted(folder.rglob("*")):
        if f.is_file() and f.suffix != ".png":
            words = set(token.findall(f.read_text(encoding="utf-8", errors="replace")))
            if words & ids:
                hits.append(f.relative_to(folder).as_posix())
    return hits


def release(report_dir: str | Path, out: str | Path, *, data: str | Path | None = None,
            rules_file: str | Path | None = None, trial: pd.DataFrame | None = None,
            data_label: str | None = None, review: str | Path | None = None) -> dict[str, int]:
    """Check every output of the report in `report_dir` and write what passes, with the
    SDC log, to `out` (a new or empty folder). Returns :func:`counts`.

    The log in `out` says which rule each output failed and for which cells, without the
    data's numbers (a suppressed count must not leave in the log). The same log with the
    numbers behind every decision (cell counts, dominance shares, p-ratios, degrees of
    freedom), for the output checker inside the environment, is written to `review`
    (default: ``<out>.review`` beside `out`), which is not part of the release.

    `data` is the participant file the report was built from (default the bundled
    reconstruction); `trial` can give its loaded table instead (with `data_label`).

    Raises
    ------
    ReleaseError
        One line: a missing report, ledger or data file, a data file the report was not
        built from, an out folder that is not empty or lies inside the report, thresholds
        that cannot be read.
    """
    from ipsrep.inputs.contract import ContractError, load_trial_checked

    report_dir, out = Path(report_dir), Path(out)
    if not report_dir.is_dir():
        raise ReleaseError(f"{report_dir}: no such report folder")
    ledger_csv = report_dir / "ledger.csv"
    if not ledger_csv.is_file():
        raise ReleaseError(f"{report_dir}: no ledger.csv; give the folder `ipsrep build --out` wrote")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ReleaseError(f"{out}: exists and is not an empty folder; give a new folder for the release")
    if out.resolve().is_relative_to(report_dir.resolve()):
        raise ReleaseError(f"{out}: inside the report folder; give a folder outside it")
    review = Path(review) if review is not None else out.with_name(out.name + ".review")
    if review.exists() and (not review.is_dir() or any(review.iterdir())):
        raise ReleaseError(f"{review}: exists and is not an empty folder; the review log needs a new folder")
    if review.resolve().is_relative_to(out.resolve()) or review.resolve().is_relative_to(report_dir.resolve()):
        raise ReleaseError(f"{review}: the review log must lie outside the release and the report")
    try:
        rules = load_rules(rules_file)
    except ValueError as exc:
        raise ReleaseError(str(exc)) from None
    notebooks = _notebooks(report_dir)
    if trial is None:
        data = Path(data) if data is not None else paths.RECONSTRUCTED_CSV
        try:
            trial, sha256 = load_trial_checked(paths.resolve(data), label=str(data))
        except ContractError as exc:
            raise ReleaseError(str(exc).splitlines()[0]) from None
        check_report_data(notebooks, paths.resolve(data), sha256)
        data_label = str(data)
    ledger = pd.read_csv(ledger_csv, dtype={"published": str, "status": str, "note": str})

    out.parent.mkdir(parents=True, exist_ok=True)
    review.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    work_review = Path(tempfile.mkdtemp(prefix=f".{review.name}.", dir=review.parent))
    try:
        (work / "figures").mkdir()
        ledger_outputs, released = check_ledger(ledger, trial, rules)
        outputs = ledger_outputs + check_notebook_outputs(notebooks, trial, rules, work / "figures")
        outputs += check_pages(report_dir)
        released.to_csv(work / "ledger.csv", index=False, lineterminator="\n")
        for folder, full in ((work, False), (work_review, True)):
            log_frame(outputs, full=full).to_csv(folder / "sdc_log.csv", index=False, lineterminator="\n")
            (folder / "sdc_summary.md").write_text(
                summary_markdown(outputs, rules, str(report_dir), data_label or "", full=full), encoding="utf-8")
        shutil.copyfile(rules_file or RULES_FILE, work / "sdc_rules.toml")
        leaked = _participant_ids_in(work, set(trial["participant_id"].astype(str)))
        if leaked:
            raise ReleaseError(f"participant ids found in {', '.join(leaked)}; nothing was released")
        for folder, final in ((work_review, review), (work, out)):
            if final.exists():
                final.rmdir()
            os.replace(folder, final)
    finally:
        for folder in (work, work_review):
            if folder.exists():
                shutil.rmtree(folder, ignore_errors=True)
    return counts(outputs)


def release_report(report_dir: str, out: str, *, data: str | None = None, rules: str | None = None,
                   mapping: str | None = None, review: str | None = None) -> dict[str, int]:
    """:func:`release` for ``ipsrep release``: a ``.sav``/``.dta`` data file (or one with a
    `mapping`) is read through its mapping and must be the file the report was built from.
    Returns the counts of :func:`release`; raises :class:`ReleaseError` or ValueError
    (one line) when nothing was released."""
    trial = label = None
    if (data is not None and mapping is not None) or (data and Path(data).suffix.lower() in (".sav", ".dta")):
        from ipsrep.inputs.foreign import load_foreign_checked

        trial, sha256 = load_foreign_checked(data, mapping)
        check_report_data(_notebooks(Path(report_dir)), Path(data), sha256)
        label = data
    return release(report_dir, out, data=data, rules_file=rules, trial=trial, data_label=label, review=review)
