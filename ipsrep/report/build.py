"""``ipsrep build``: execute the report's notebooks and publish the report folder.

The pipeline, in order, each step in its own module:

1. refuse an out folder the build may not write into and clean up after interrupted
   builds (:mod:`.publish`);
2. check the participant-level CSV against the data contract once
   (:mod:`ipsrep.inputs.contract`), and decide once what the data in use is
   (:class:`.context.DataInUse`); any violation is printed and the build stops before a
   notebook runs;
3. read every ``notebooks/*.py`` (jupytext percent format) in name order, their
   parameters' defaults, and check the ``-p`` values (:mod:`.params`);
4. execute each notebook with papermill in a fresh kernel (:mod:`.execute`), several at
   once, unless the cache holds it (:mod:`.cache`); the kernels trust the data file the
   build checked; a failed cell is reported as notebook, cell and line
   (:mod:`.failures`); executed notebooks are normalised (:mod:`.normalise`) so they can
   be committed;
5. render the site (:func:`.render.render_site`, or the cached site when nothing it
   depends on changed), add the executed notebooks and ``ledger.csv``, and check every
   file for network loads and participant ids (:mod:`.check`);
6. publish the whole report at once (:mod:`.publish`): a failed or interrupted build
   leaves the previous report as it was.
"""
from __future__ import annotations

import dataclasses
import math
import os
import shutil
import time
from pathlib import Path

import pandas as pd

from ipsrep import paths
from ipsrep.report import cache as cache_mod
from ipsrep.report import check, params, prose, publish
from ipsrep.report.context import COMPARE_VARIABLE, VALIDATED_SHA256_VARIABLE, DataInUse
from ipsrep.report.execute import KERNEL_ENV, Notebook, run_notebooks
from ipsrep.report.failures import BuildError, UsageError, say, shown
from ipsrep.report.ledger import LEDGER_COLUMNS, rows_from_notebook
from ipsrep.report.normalise import notebook_text
from ipsrep.report.pages import Page, notebook_title
from ipsrep.report.render import render_site, renderer_digest

__all__ = ["BuildError", "BuiltReport", "KERNEL_ENV", "Notebook", "build_report", "discover_notebooks", "ledger_csv",
           "ledger_table", "without_comparison"]


@dataclasses.dataclass(frozen=True)
class BuiltReport:
    """What :func:`build_report` published: the report folder, whether it was
    ``"unchanged"`` or ``"written"``, the pages, how many were executed (the others came
    from the cache), the ledger rows and the seconds it took."""

    out: Path
    outcome: str
    pages: int
    executed: int
    ledger_rows: int
    seconds: float


def build_report(
    data: str | os.PathLike | None = None,
    out: str | os.PathLike | None = None,
    jobs: int | None = None,
    show_code: bool = False,
    notebooks_dir: str | os.PathLike | None = None,
    *,
    parameters: dict | None = None,
    cache: bool = True,
    cache_dir: str | os.PathLike | None = None,
    compare_with_paper: bool | None = None,
) -> BuiltReport:
    """Build the report (the steps of the module docstring) and publish it; return what
    was published (:class:`BuiltReport`).

    Parameters
    ----------
    data : participant-level CSV (see data/README.md); default the bundled synthetic
        reconstruction ``data/reconstructed/ips_in_pain.csv``. Injected into the notebooks
        as ``data_path`` only when it is not the file they read by default.
    out : report folder, default ``reports/`` in the project. It must be new, empty or a
        report of an earlier build (see :mod:`ipsrep.report.publish`).
    jobs : notebooks executed at once, default the number of processors.
    show_code : render the HTML pages with code cells unfolded.
    notebooks_dir : folder of jupytext ``*.py`` notebooks, default ``notebooks/``.
    parameters : further notebook parameters (name -> value); each is injected only into
        notebooks that declare it, and only when it differs from their default.
    cache : take unchanged notebooks and an unchanged site from the cache (see
        :mod:`ipsrep.report.cache`); False executes and renders everything.
    cache_dir : where the cache is kept (default ``$IPSREP_CACHE_DIR``, else
        ``.cache/ipsrep-build``).
    compare_with_paper : set every value beside the paper's printed number with a
        verdict (``--compare-with-paper``); None: on for the bundled reconstruction only.

    Raises :class:`BuildError` (:class:`UsageError` for impossible arguments,
    :class:`Interrupted` on Ctrl-C in a kernel) with the whole story in its message; the
    previous report folder is then unchanged. Progress (one line per notebook as it starts
    and ends, the contract's violations) goes to stderr as the build runs
    (:func:`ipsrep.report.failures.say`).
    """
    started = time.monotonic()
    staging: Path | None = None
    try:
        notebooks_dir = Path(notebooks_dir) if notebooks_dir is not None else paths.NOTEBOOK_DIR
        out_dir = Path(out).expanduser().resolve() if out is not None else paths.REPORT_DIR.resolve()
        jobs = jobs if jobs is not None else (os.cpu_count() or 1)
        most = max(4, 2 * (os.cpu_count() or 1))  # each job is a kernel process of a few hundred MB
        if not 1 <= jobs <= most:
            raise UsageError(f"--jobs {jobs}: give a whole number from 1 to {most} (each job is a kernel process)")
        publish.check_out_folder(out_dir)
        publish.clean_leftovers(out_dir)
        notebooks = discover_notebooks(notebooks_dir)
        store = cache_mod.Store(Path(cache_dir) if cache_dir else cache_mod.default_cache_dir()) if cache else None
        data_in_use, ids = check_data(data, store)
        data_in_use = dataclasses.replace(data_in_use, compare=compare_with_paper)
        for book in notebooks:
            book.source = prose.for_data(book.source, bundled=data_in_use.bundled)
        defaults = {}
        for book in notebooks:
            book.defaults = params.source_defaults(book.source)
            defaults[book.stem] = book.defaults
        parameters = params.renamed_parameters(parameters or {})
        params.check_parameters(defaults, parameters)
        for book in notebooks:
            book.parameters = params.injected_parameters(book.defaults, data_in_use.parameter, parameters or {})
        if store is not None:
            tree = cache_mod.tree_digest(paths.DATA_DIR)
            for book in notebooks:
                digest = inputs_digest(book.source, data_sha256=_data_digest(data_in_use),
                                       parameters=book.parameters, data_tree=tree)
                book.cache_key = cache_mod.cache_key(book.source, book.parameters, digest)
        say(f"ipsrep build: {len(notebooks)} notebook{'s' if len(notebooks) != 1 else ''} "
            f"from {shown(notebooks_dir)}, data {shown(data_in_use.file)}, up to {jobs} at once")
        env = {VALIDATED_SHA256_VARIABLE: data_in_use.sha256, COMPARE_VARIABLE: "1" if data_in_use.with_paper else "0"}
        run_notebooks(notebooks, jobs=jobs, store=store, env=env)
        staging = publish.new_staging(out_dir)
        rows = write_site(notebooks, staging, data=data_in_use, show_code=show_code, store=store)
        problems = checked_site(staging, ids, store)
        if problems:
            raise BuildError("\n  ".join([problems[0], *problems[1:5]]) + "\n  No report was written; "
                             "the previous report folder is unchanged.")
        outcome = publish.publish(staging, out_dir)
        staging = None
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    executed = sum(not b.cached for b in notebooks)
    return BuiltReport(out=out_dir, outcome=outcome, pages=len(notebooks), executed=executed, ledger_rows=rows,
                       seconds=time.monotonic() - started)


def _data_digest(data: DataInUse) -> str:
    """What the cache keys hold of the data in use: its SHA-256, and whether the values are
    set beside the paper's when that is not the default for these data."""
    return data.sha256 if data.with_paper == data.bundled else f"{data.sha256}:compare={int(data.with_paper)}"


def inputs_digest(source: bytes, **kwargs) -> str:
    """:func:`ipsrep.report.cache.inputs_digest` (looked up here so tests can fix it)."""
    return cache_mod.inputs_digest(source, **kwargs)


# --------------------------------------------------------------------------------------
# Inputs: data file, notebooks
# --------------------------------------------------------------------------------------
def check_data(data: str | os.PathLike | None, store: cache_mod.Store | None = None) -> tuple[DataInUse, set[str]]:
    """Check the data file against the contract, once; return what it is and its
    participant ids.

    With a cache (`store`), a file whose bytes passed before with the same contract
    code is loaded without checking it again. Raises BuildError (exit 1) listing every
    violation, or saying in one line why the file cannot be read.
    """
    from ipsrep.inputs.contract import ContractError, DataFileError, load_trial_checked, read_data_bytes, sha256_hex

    given = paths.BUNDLED_DATA if data is None else os.fspath(data)
    resolved = paths.resolve(given)
    try:
        sha = sha256_hex(read_data_bytes(resolved))
    except DataFileError as exc:
        raise BuildError(f"--data {given}: {exc}; no notebook was run and the report folder is unchanged") from None
    key = cache_mod.contract_key(sha) if store is not None else None
    trusted = sha if store is not None and key is not None and store.has_mark("contract", key) else None
    try:
        trial, loaded_sha = load_trial_checked(resolved, trusted_sha256=trusted, label=given)
    except ContractError as err:
        for violation in err.violations:
            say(violation.line())
        n = len(err.violations)
        raise BuildError(f"{given}: {n} violation{'s' if n != 1 else ''} of the data contract "
                         "(see data/README.md); no notebook was run and the report folder is unchanged") from None
    if store is not None and key is not None and trusted is None and loaded_sha == sha:
        store.set_mark("contract", key)
    data_in_use = DataInUse(given=given, file=resolved, bundled=paths.is_bundled(resolved), sha256=loaded_sha)
    ids = set(trial["participant_id"].astype(str))
    from ipsrep.report.check import id_collisions

    clashes = id_collisions(ids)
    if clashes:
        listed = ", ".join(repr(i) for i in clashes[:5]) + (f" and {len(clashes) - 5} more" if len(clashes) > 5 else "")
        raise BuildError(f"{given}: column 'participant_id': {listed} "
                         f"{'is a word' if len(clashes) == 1 else 'are words'} the report's own pages or assets "
                         "carry (its banner, theme, fonts, statements), so the check that no page shows a "
                         "participant could not tell them apart; give those participants other ids. No notebook "
                         "was run and the report folder is unchanged")
    return data_in_use, ids


def discover_notebooks(directory: Path) -> list[Notebook]:
    """The jupytext notebooks ``*.py`` in `directory`, in name order."""
    if not directory.is_dir():
        raise UsageError(f"notebook folder {shown(directory)} does not exist")
    found = sorted(p for p in directory.glob("*.py") if p.is_file() and not p.name.startswith((".", "_")))
    if not found:
        raise BuildError(f"no notebooks (*.py, jupytext percent format) in {shown(directory)}")
    return [Notebook(path=p, source=p.read_bytes()) for p in found]


def checked_site(folder: Path, ids: set[str], store: cache_mod.Store | None) -> list[str]:
    """:func:`ipsrep.report.check.check_site` on `folder`; a verdict "fit to publish" is
    remembered in the cache under :func:`ipsrep.report.check.site_digest` (the bytes of
    every file, the ids and the checks' code), so the same bytes are not checked twice.
    A file that differs by one byte (a truncated or edited cached page) is checked anew."""
    key = check.site_digest(folder, ids) if store is not None else None
    if store is not None and key is not None and store.has_mark("checked", key):
        return []
    problems = check.check_site(folder, ids=ids)
    if not problems and store is not None and key is not None:
        store.set_mark("checked", key)
    return problems


# --------------------------------------------------------------------------------------
# The ledger
# --------------------------------------------------------------------------------------
def ledger_table(notebooks: list[Notebook]) -> pd.DataFrame:
    """Every ledger row the executed notebooks displayed, in notebook and cell order."""
    frames = [rows_from_notebook(book.executed) for book in notebooks]
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=LEDGER_COLUMNS)
    return pd.concat(frames, ignore_index=True)[LEDGER_COLUMNS]


def without_comparison(table: pd.DataFrame, *, bundled: bool) -> pd.DataFrame:
    """`table` with ``published`` and ``status`` emptied unless the values are set beside
    the paper's (`bundled`: the bundled reconstruction, or ``--compare-with-paper``).

    The ledger's rule (issue 3, ``ipsrep.report.ledger``): on other data the same keys carry
    that data's values and nothing is set beside the paper's numbers. Most notebooks
    already leave those cells empty there; rows computed from the paper's printed
    numbers alone (historical controls, the sample size, job types, the audit) are
    emptied here too, so that a new trial's ledger reads the same throughout.
    """
    if bundled or not len(table):
        return table
    out = table.copy()
    out["published"] = ""
    out["status"] = ""
    return out


def ledger_csv(table: pd.DataFrame) -> str:
    """`table` as CSV text, ``reproduced`` in full precision (``repr``, empty when NaN)."""
    out = table.copy()
    out["reproduced"] = [
        "" if v is None or (isinstance(v, float) and math.isnan(v)) else repr(float(v))
        for v in out["reproduced"]
    ]
    out = out.astype(object).where(out.notna(), "")
    return out.to_csv(index=False, lineterminator="\n")


# --------------------------------------------------------------------------------------
# The site
# --------------------------------------------------------------------------------------
def write_site(notebooks: list[Notebook], dest: Path, *, data: DataInUse, show_code: bool,
               store: cache_mod.Store | None = None) -> int:
    """Write the whole report into the empty folder `dest`: the rendered site (from the
    cache when every page's notebook key, the renderer, the data, the parameters and
    ``show_code`` are unchanged), the executed notebooks and ``ledger.csv``; return the
    number of ledger rows."""
    run_with = params.run_parameters({book.stem: book.executed for book in notebooks})
    pages = [Page(book.stem, notebook_title(book.executed, book.stem),
                  without_comparison(rows_from_notebook(book.executed), bundled=data.with_paper),
                  notebook=book.executed)
             for book in notebooks]
    key = None
    if store is not None and all(book.cache_key for book in notebooks):
        key = cache_mod.site_key([(b.stem, b.cache_key) for b in notebooks], renderer=renderer_digest(),
                                 data_label=data.label, bundled=data.bundled, parameters=run_with,
                                 show_code=show_code)
    cached = store.get("site", key) if store is not None and key is not None else None
    if cached:
        for name, content in cached.items():
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
    else:
        render_site(pages, data=data, parameters=run_with, show_code=show_code, dest=dest)
        if store is not None and key is not None:
            store.put("site", key, {p.relative_to(dest).as_posix(): p.read_bytes()
                                    for p in sorted(dest.rglob("*")) if p.is_file()})
    for book in notebooks:
        name = f"{book.stem}.ipynb"
        if (dest / name).exists():
            raise BuildError(f"the renderer wrote {name}, the name of an executed notebook")
        (dest / name).write_text(book.text or notebook_text(book.executed), encoding="utf-8")
    ledger = without_comparison(ledger_table(notebooks), bundled=data.with_paper)
    duplicated = sorted(set(ledger.loc[ledger["key"].duplicated(), "key"]))
    if duplicated:
        say(f"ipsrep build: warning: ledger keys shown by more than one cell: {', '.join(duplicated)}")
    (dest / "ledger.csv").write_text(ledger_csv(ledger), encoding="utf-8")
    return len(ledger)
