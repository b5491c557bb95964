"""``ipsrep build``: execute the report's notebooks and write the report folder.

The pipeline, in order:

1. check the participant-level CSV against the data contract (``ipsrep.inputs.contract``);
   any violation is printed and the build stops before a notebook runs;
2. read every ``notebooks/*.py`` (jupytext percent format) in name order and execute it
   with papermill in a fresh kernel of the running interpreter, working directory the
   project root, several notebooks at once (``--jobs``); a notebook whose inputs have
   not changed since a previous build is taken from the cache instead;
3. strip what would differ between two runs (papermill's timings and paths, random cell
   ids, memory addresses, machine paths in outputs) so that the executed notebooks can
   be committed and a rebuild leaves ``git status`` clean;
4. render each notebook to a self-contained HTML page (``ipsrep.report.html``), collect the
   ledger rows the notebooks displayed (``ipsrep.report.ledger.rows_from_notebook``) into
   ``ledger.csv`` and write ``index.html``;
5. write everything into a staging folder inside the report folder and move it into
   place only when every step succeeded: a failed build leaves the previous report as it
   was and prints one message naming the notebook, the cell and the exception.
"""
from __future__ import annotations

import ast
import hashlib
import json
import logging
import math
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from importlib import metadata as importlib_metadata
from pathlib import Path

import pandas as pd

from ipsrep import paths
from ipsrep.report.ledger import LEDGER_COLUMNS, rows_from_notebook

PACKAGE_DIR = paths.PACKAGE_DIR
PROJECT_ROOT = paths.PROJECT_ROOT
DEFAULT_CACHE_DIR = PROJECT_ROOT / ".cache" / "ipsrep-build"
CACHE_DIR_VARIABLE = "IPSREP_CACHE_DIR"
"""Environment variable naming another cache folder (the benchmark's cold builds use it)."""
CACHE_FORMAT = "ipsrep-build-cache-2"
"""Bump when the cached notebooks' content changes meaning (part of every cache key)."""

KERNEL_ENV = {
    "PYTHONHASHSEED": "0",  # set and dict-of-str ordering identical in every run
    "SOURCE_DATE_EPOCH": "0",  # matplotlib writes no build date into SVG/PDF
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",  # no debugger warning on the kernel's stderr
}
"""Environment added to every kernel the build starts."""

CELL_TIMEOUT = 1800
"""Seconds one cell may run before the build gives up on the notebook."""

VERSIONED = ("numpy", "pandas", "scipy", "statsmodels", "pingouin", "matplotlib", "seaborn",
             "pandera", "ipykernel", "papermill", "nbformat")
"""Libraries whose versions are part of the cache key (a changed one re-executes)."""

_HEX_ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{6,16}\b")
_ERROR_TAG = "papermill-error-cell-tag"


class BuildError(Exception):
    """A build step failed; the message is the whole story (no traceback is shown)."""


@dataclass
class Notebook:
    """One notebook of the report: its source and, once run, its executed form."""

    path: Path
    source: bytes
    parameters: dict = field(default_factory=dict)
    nb: object = None
    defaults: dict = field(default_factory=dict)
    executed: object = None
    cache_key: str = ""
    cached: bool = False
    seconds: float = 0.0

    @property
    def stem(self) -> str:
        return self.path.stem


# --------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------
def build_command(
    data: str | os.PathLike | None = None,
    out: str | os.PathLike | None = None,
    jobs: int | None = None,
    show_code: bool = False,
    notebooks_dir: str | os.PathLike | None = None,
    *,
    parameters: dict | None = None,
    cache: bool = True,
    cache_dir: str | os.PathLike | None = None,
) -> int:
    """Run ``ipsrep build``; return the exit status (0 built, 1 failed, 2 bad arguments).

    Parameters
    ----------
    data : participant-level CSV (see data/README.md); default the bundled synthetic
        reconstruction ``data/reconstructed/ips_in_pain.csv``. Injected into the notebooks
        as ``data_path`` only when it is not the file they read by default.
    out : report folder, default ``reports/`` in the project.
    jobs : notebooks executed at once, default the number of processors.
    show_code : render the HTML pages with code cells unfolded.
    notebooks_dir : folder of jupytext ``*.py`` notebooks, default ``notebooks/``.
    parameters : further notebook parameters (name -> value); each is injected only into
        notebooks that declare it, and only when it differs from their default.
    cache : take unchanged notebooks from the cache (notebook source, data bytes,
        parameters, the ipsrep package, the files under ``data/`` and library versions
        make the key); False executes everything.
    cache_dir : where cached executed notebooks are kept (default ``$IPSREP_CACHE_DIR``, else
        ``.cache/ipsrep-build``).

    Messages go to stderr: one line per notebook as it starts and ends, then either a
    summary of what was written or one message saying what failed.
    """
    started = time.monotonic()
    try:
        notebooks_dir = Path(notebooks_dir) if notebooks_dir is not None else paths.NOTEBOOK_DIR
        out_dir = Path(out).resolve() if out is not None else paths.REPORT_DIR
        jobs = jobs if jobs is not None else (os.cpu_count() or 1)
        if jobs < 1:
            raise _UsageError(f"--jobs must be at least 1 (got {jobs})")
        notebooks = discover_notebooks(notebooks_dir)
        data_arg, data_file, data_param = resolve_data(data)
        store = _Cache(Path(cache_dir) if cache_dir else default_cache_dir()) if cache else None
        _check_contract(data_arg, data_file, store)
        for book in notebooks:
            book.defaults = source_defaults(book)
        check_parameters(notebooks, parameters or {})
        for book in notebooks:
            book.parameters = injected_parameters(book.defaults, data_param, parameters or {})
        if store is not None:
            digest = inputs_digest(data_file)
            for book in notebooks:
                book.cache_key = cache_key(book.source, book.parameters, digest)
        _say(f"ipsrep build: {len(notebooks)} notebook{'s' if len(notebooks) != 1 else ''} "
             f"from {_shown(notebooks_dir)}, data {_shown(data_file)}, up to {jobs} at once")
        run_notebooks(notebooks, jobs=jobs, store=store)
        alpha = float((parameters or {}).get("alpha", _common_default(notebooks, "alpha", 0.05)))
        summary = write_report(notebooks, out_dir, data_file=data_file, show_code=show_code, store=store,
                               alpha=alpha)
    except BuildError as err:
        _say(f"ipsrep build: {err}")
        return 2 if isinstance(err, _UsageError) else 1
    except Exception as exc:  # a failure of the pipeline itself: still one message, no traceback
        _say(f"ipsrep build: internal error ({type(exc).__name__}: {_one_line(str(exc))}); "
             "the report folder is unchanged. This is a bug in ipsrep; please report it.")
        return 1
    _say(f"ipsrep build: wrote {_shown(out_dir)} ({summary}) in {time.monotonic() - started:.1f} s")
    return 0


class _UsageError(BuildError):
    """The command line asks for something impossible (exit status 2)."""


_print_lock = threading.Lock()


def _say(message: str) -> None:
    with _print_lock:
        print(message, file=sys.stderr, flush=True)


def _shown(path: Path) -> str:
    """`path` relative to the project root when inside it, else as an absolute path."""
    path = Path(path).resolve()
    try:
        return path.relative_to(PROJECT_ROOT).as_posix() or "."
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------------------
# Inputs: data file, contract, notebooks, parameters
# --------------------------------------------------------------------------------------
def resolve_data(data: str | os.PathLike | None) -> tuple[str, Path, str | None]:
    """The data file three ways: as the user named it, resolved, and as a notebook parameter.

    The parameter is None for the bundled reconstruction (the notebooks' default), a path
    relative to the project root for a file inside the project (so no machine path ends
    up in an executed notebook), and the absolute path for a file elsewhere.
    """
    if data is None:
        return paths.BUNDLED_DATA, paths.RECONSTRUCTED_CSV.resolve(), None
    given = os.fspath(data)
    resolved = paths.resolve(given)
    if resolved.is_dir():
        raise _UsageError(f"--data {given}: is a folder; give the participant-level CSV file")
    if resolved == paths.RECONSTRUCTED_CSV.resolve():
        return given, resolved, None
    try:
        param = resolved.relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        param = str(resolved)
    return given, resolved, param


def _contract_key(data_file: Path) -> str:
    """Key of one contract check: the data file's bytes and the code that checks them."""
    h = hashlib.sha256(CACHE_FORMAT.encode())
    h.update(Path(data_file).read_bytes())
    for name in ("contract.py", "measures.py", "paths.py"):
        if (PACKAGE_DIR / name).is_file():
            h.update((PACKAGE_DIR / name).read_bytes())
    for name in ("pandera", "pandas", "numpy"):
        try:
            h.update(f"{name}={importlib_metadata.version(name)}".encode())
        except importlib_metadata.PackageNotFoundError:
            pass
    return h.hexdigest()


def _check_contract(data_arg: str, data_file: Path | None = None, store: _Cache | None = None) -> None:
    """Stop the build, listing every violation, when the data file breaks the contract.

    With a cache (`store`), a file that passed before with the same contract code is
    not checked again (the check imports pandera and reads the whole file; a rebuild
    with nothing changed should not pay for that).
    """
    key = _contract_key(data_file) if store is not None and data_file is not None else None
    if key is not None and store.has_mark("contract", key):
        return
    from ipsrep.inputs.contract import check_trial_file

    violations = check_trial_file(data_arg)
    if violations:
        for violation in violations:
            _say(violation.line())
        n = len(violations)
        raise BuildError(
            f"{data_arg}: {n} violation{'s' if n != 1 else ''} of the data contract "
            "(see data/README.md); no notebook was run and the report folder is unchanged"
        )
    if key is not None:
        store.set_mark("contract", key)


def discover_notebooks(directory: Path) -> list[Notebook]:
    """The jupytext notebooks ``*.py`` in `directory`, in name order."""
    if not directory.is_dir():
        raise _UsageError(f"notebook folder {_shown(directory)} does not exist")
    found = sorted(p for p in directory.glob("*.py") if p.is_file() and not p.name.startswith((".", "_")))
    if not found:
        raise BuildError(f"no notebooks (*.py, jupytext percent format) in {_shown(directory)}")
    return [Notebook(path=p, source=p.read_bytes()) for p in found]


def _read_notebook(book: Notebook):
    import jupytext

    try:
        return jupytext.reads(book.source.decode("utf-8"), fmt="py:percent")
    except Exception as exc:  # a notebook that is not jupytext text: say which one
        raise BuildError(f"{_shown(book.path)}: cannot be read as a jupytext notebook "
                         f"({type(exc).__name__}: {exc})") from None


def _defaults_from_code(source: str) -> dict[str, object]:
    """Names assigned in a parameters cell's code and their values (Python literals, else
    the value's source text); empty when the code does not parse."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    defaults: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and node.value is not None:
                    try:
                        defaults[target.id] = ast.literal_eval(node.value)
                    except ValueError:
                        defaults[target.id] = ast.get_source_segment(source, node.value)
    return defaults


def notebook_defaults(nb) -> dict[str, object]:
    """Default values of the parameters cell (tagged ``parameters``) of `nb` (nbformat node).

    Values that are not Python literals are kept as their source text.
    """
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", []):
            return _defaults_from_code(cell.source)
    return {}


_PERCENT_CELL = re.compile(r"^# %%(.*)$", re.MULTILINE)
_PARAMETERS_TAG = re.compile(r"""\btags\s*=\s*\[[^\]]*["']parameters["']""")


def source_defaults(book: Notebook) -> dict[str, object]:
    """Default values of the parameters cell of a jupytext percent-format source, read
    from the text itself (the cell after the ``# %% tags=["parameters"]`` marker).

    The same as :func:`notebook_defaults` on the notebook jupytext makes of it, without
    importing jupytext: a rebuild whose notebooks all come from the cache never needs
    to parse them.
    """
    text = book.source.decode("utf-8", errors="replace")
    marks = list(_PERCENT_CELL.finditer(text))
    for i, mark in enumerate(marks):
        if _PARAMETERS_TAG.search(mark.group(1)):
            end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
            return _defaults_from_code(text[mark.end():end])
    return {}


def _common_default(notebooks: list[Notebook], name: str, fallback):
    """The default of parameter `name` when every notebook declaring it agrees, else `fallback`."""
    found = {repr(b.defaults[name]) for b in notebooks if name in b.defaults}
    if len(found) == 1:
        value = next(b.defaults[name] for b in notebooks if name in b.defaults)
        return value if isinstance(value, (int, float)) else fallback
    return fallback


def check_parameters(notebooks: list[Notebook], parameters: dict) -> None:
    """Refuse parameters that no notebook declares, and ``data_path`` (which ``--data`` sets).

    A misspelt name would otherwise be ignored without a word and the report built with
    the default; the message lists the names the notebooks do declare.
    """
    if "data_path" in parameters:
        raise _UsageError("-p data_path: give the data file with --data FILE, which checks it "
                          "against the data contract before any notebook runs")
    declared: dict[str, list[str]] = {}
    for book in notebooks:
        for name in book.defaults:
            declared.setdefault(name, []).append(book.stem)
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        known = ", ".join(sorted(n for n in declared if n != "data_path")) or "(none)"
        raise _UsageError(f"no notebook has a parameter named {', '.join(unknown)}; "
                          f"the notebooks' parameters are: {known}")


def injected_parameters(defaults, data_param: str | None, extra: dict) -> dict:
    """Parameters to inject into a notebook: only those it declares, only when not its default.

    `defaults` is the notebook's parameters (name -> default, :func:`source_defaults`)
    or the notebook itself (nbformat node). ``data_path`` counts as default when it
    names the same file as the notebook's own default (both resolved as
    :func:`ipsrep.paths.resolve` does).
    """
    if hasattr(defaults, "cells"):  # a notebook (nbformat nodes are dicts too)
        defaults = notebook_defaults(defaults)
    wanted = dict(extra)
    if data_param is not None:
        wanted["data_path"] = data_param
    injected = {}
    for name, value in wanted.items():
        if name not in defaults:
            continue
        default = defaults[name]
        if name == "data_path" and isinstance(default, str):
            if paths.resolve(default) == paths.resolve(value):
                continue
        elif default == value:
            continue
        injected[name] = value
    return injected


# --------------------------------------------------------------------------------------
# Cache
# --------------------------------------------------------------------------------------
def default_cache_dir() -> Path:
    """``$IPSREP_CACHE_DIR`` when set, else ``.cache/ipsrep-build`` in the project."""
    env = os.environ.get(CACHE_DIR_VARIABLE)
    return Path(env) if env else DEFAULT_CACHE_DIR


RENDERING_ONLY = ("html.py", "scorecard.py", "templates")
"""Parts of the package that shape the HTML pages but not the executed notebooks: left
out of the cache key, so that restyling the pages does not re-run every notebook."""


def _tree_digest(root: Path, skip: tuple[str, ...] = ()) -> hashlib._Hash:
    """SHA-256 over the relative paths and bytes of the files under `root`, leaving out
    any file with a path component named in `skip`."""
    h = hashlib.sha256()
    if root.is_dir():
        for p in sorted(root.rglob("*")):
            rel = p.relative_to(root)
            if p.is_file() and not any(part in skip for part in rel.parts):
                h.update(rel.as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    return h


def inputs_digest(data_file: Path) -> str:
    """SHA-256 of what every notebook depends on besides its own source and parameters.

    The ipsrep package source (except :data:`RENDERING_ONLY`), every file under
    ``data/`` (published numbers, pilot and qualitative tables, the bundled
    reconstruction), the data file in use, the Python version and the versions of the
    numerical libraries.
    """
    h = hashlib.sha256(CACHE_FORMAT.encode())
    h.update(_tree_digest(PACKAGE_DIR, skip=("__pycache__", *RENDERING_ONLY)).digest())
    h.update(_tree_digest(paths.DATA_DIR).digest())
    h.update(Path(data_file).read_bytes())
    h.update(sys.version.encode())
    for name in VERSIONED:
        try:
            h.update(f"{name}={importlib_metadata.version(name)}".encode())
        except importlib_metadata.PackageNotFoundError:
            h.update(f"{name}=absent".encode())
    return h.hexdigest()


def cache_key(source: bytes, parameters: dict, digest: str) -> str:
    """Key of one notebook run: its source, its injected parameters and the inputs digest."""
    h = hashlib.sha256(digest.encode())
    h.update(source)
    h.update(json.dumps(parameters, sort_keys=True, default=str).encode())
    return h.hexdigest()


class _Cache:
    """Executed, normalised notebooks (``.ipynb``) and their pages (``.html``) by key.

    Entries are named ``<notebook stem>-<key>``; the few most recently used per notebook
    and kind are kept. A damaged or unreadable entry counts as a miss, and a cache
    folder that cannot be written only means no caching.
    """

    keep = 3

    def __init__(self, directory: Path):
        self.directory = directory

    def _path(self, book: Notebook, key: str, suffix: str) -> Path:
        return self.directory / f"{book.stem}-{key[:24]}{suffix}"

    def read(self, book: Notebook, key: str, suffix: str) -> bytes | None:
        path = self._path(book, key, suffix)
        try:
            content = path.read_bytes()
            os.utime(path)
            return content
        except OSError:
            return None

    def write(self, book: Notebook, key: str, suffix: str, content: bytes) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            _write_atomic(self._path(book, key, suffix), content)
            entries = sorted(self.directory.glob(f"{glob_escape(book.stem)}-*{suffix}"),
                             key=lambda p: p.stat().st_mtime, reverse=True)
            for old in entries[self.keep:]:
                old.unlink(missing_ok=True)
        except OSError:  # a read-only checkout still builds, only without a cache
            pass

    def has_mark(self, kind: str, key: str) -> bool:
        """True when :meth:`set_mark` recorded (`kind`, `key`) before."""
        return (self.directory / f"{kind}-{key[:32]}.ok").is_file()

    def set_mark(self, kind: str, key: str) -> None:
        """Record that the check `kind` passed for `key` (nothing when unwritable)."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            _write_atomic(self.directory / f"{kind}-{key[:32]}.ok", b"")
        except OSError:
            pass

    def get(self, book: Notebook):
        """The cached executed notebook of `book`, or None."""
        import nbformat

        content = self.read(book, book.cache_key, ".ipynb")
        if content is None:
            return None
        try:
            return nbformat.reads(content.decode("utf-8"), as_version=4)
        except Exception:  # a damaged entry is a miss
            return None

    def put(self, book: Notebook, nb) -> None:
        self.write(book, book.cache_key, ".ipynb", _notebook_text(nb).encode())


def render_digest(show_code: bool) -> str:
    """Key part for rendered pages: the renderer's source, template and nbconvert version."""
    h = hashlib.sha256(f"{CACHE_FORMAT}|show_code={show_code}".encode())
    for name in RENDERING_ONLY:
        if (PACKAGE_DIR / name).is_file():
            h.update((PACKAGE_DIR / name).read_bytes())
    h.update(_tree_digest(PACKAGE_DIR / "templates").digest())
    for name in ("nbconvert", "beautifulsoup4", "jinja2", "pygments", "mistune", "bleach"):
        try:
            h.update(f"{name}={importlib_metadata.version(name)}".encode())
        except importlib_metadata.PackageNotFoundError:
            pass
    return h.hexdigest()


def glob_escape(text: str) -> str:
    return re.sub(r"([\[\]*?])", r"[\1]", text)


# --------------------------------------------------------------------------------------
# Execution
# --------------------------------------------------------------------------------------
def _kernel_manager_class():
    """A kernel manager whose kernel is the running interpreter, whatever "python3" means
    in the user's Jupyter configuration, with :data:`KERNEL_ENV` added."""
    from ipykernel.kernelspec import RESOURCES, get_kernel_dict
    from jupyter_client import AsyncKernelManager
    from jupyter_client.kernelspec import KernelSpec

    class ThisInterpreterKernelManager(AsyncKernelManager):
        @property
        def kernel_spec(self):
            if self._kernel_spec is None:
                self._kernel_spec = KernelSpec(resource_dir=RESOURCES, env=dict(KERNEL_ENV), **get_kernel_dict())
            return self._kernel_spec

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            # the kernel's own log lines (transport warnings, shutdown notices) are not
            # the reader's business; cell errors reach the build through the notebook
            kw.setdefault("stdout", subprocess.DEVNULL)
            kw.setdefault("stderr", subprocess.DEVNULL)
            return await super()._async_launch_kernel(kernel_cmd, **kw)

    return ThisInterpreterKernelManager


def execute(book: Notebook):
    """Execute `book` with papermill; return the executed notebook (not yet normalised).

    Raises BuildError with a one-paragraph message when a cell fails.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    logging.getLogger("papermill").setLevel(logging.ERROR)
    try:
        return papermill.execute_notebook(
            book.nb,
            None,
            parameters=book.parameters or None,
            kernel_name="python3",
            language="python",
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=False,
            execution_timeout=CELL_TIMEOUT,
            kernel_manager_class=_kernel_manager_class(),
            record_timing=False,
            resources={"metadata": {"path": str(PROJECT_ROOT)}},
        )
    except PapermillExecutionError as err:
        raise BuildError(failure_message(book, err)) from None
    except Exception as exc:  # kernel died, timed out, could not start ...
        raise BuildError(f"{_shown(book.path)} could not be executed: {type(exc).__name__}: "
                         f"{_one_line(str(exc))}") from None


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(_strip_ansi(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text)


def failure_message(book: Notebook, err) -> str:
    """Which notebook, which cell (number in the notebook and first line) and what error.

    `err` is papermill's ``PapermillExecutionError``; its cell index counts the injected
    parameters cell, which the source notebook does not have. The line of the ``.py``
    file that was running, and the innermost frame inside the project (say a module of
    ``ipsrep``), are read from the kernel's traceback when it has them.
    """
    index = err.cell_index
    if book.parameters:
        tagged = [i for i, c in enumerate(book.nb.cells) if "parameters" in c.metadata.get("tags", [])]
        injected_at = tagged[0] + 1 if tagged else 0
        if index >= injected_at:
            index -= 1
    source_lines = (err.source or "").splitlines()
    first_at = next((i for i, line in enumerate(source_lines) if line.strip()), None)
    first = source_lines[first_at].strip() if first_at is not None else "(empty cell)"
    where = f"cell {index + 1} ({first})"
    start = _source_line(book, first, index + 1)
    traceback = [_strip_ansi(line) for line in (err.traceback or [])]
    in_cell = next((int(m.group(1)) for line in traceback
                    for m in [re.search(r"Cell In\[\d+\], line (\d+)", line)] if m), None)
    if start is not None:
        offset = (in_cell - 1 - first_at) if in_cell and first_at is not None and in_cell - 1 >= first_at else 0
        where += f", line {start + offset} of the .py file"
    raised = _innermost_project_frame(traceback)
    detail = f"  {err.ename}: {_one_line(scrub_text(err.evalue or ''))}"
    if raised:
        detail += f"\n  raised in {raised}"
    return (f"{_shown(book.path)} failed at {where}\n{detail}\n"
            "  No report was written; the previous report folder is unchanged.")


def _innermost_project_frame(traceback: list[str]) -> str | None:
    """``path:line`` of the last traceback frame in a project file (not the installed
    libraries), relative to the project root."""
    found = None
    libraries = tuple({sys.prefix, sys.base_prefix, sys.exec_prefix})
    for line in traceback:
        for m in re.finditer(r"File (\S+?):(\d+)", line):
            path = m.group(1)
            if path.startswith(str(PROJECT_ROOT)) and not path.startswith(libraries):
                found = f"{Path(path).relative_to(PROJECT_ROOT).as_posix()}:{m.group(2)}"
    return found


def _source_line(book: Notebook, first_line: str, cell_number: int) -> int | None:
    """Line of the jupytext file where cell `cell_number` shows `first_line`, if found."""
    lines = book.source.decode("utf-8", errors="replace").splitlines()
    markers = 0
    hits = []
    for i, line in enumerate(lines, start=1):
        if line.startswith("# %%"):
            markers += 1
        elif line.strip() == first_line:
            hits.append((markers, i))
    if not hits:
        return None
    exact = [i for m, i in hits if m == cell_number]
    return exact[0] if exact else hits[0][1]


def run_notebooks(notebooks: list[Notebook], *, jobs: int, store: _Cache | None) -> None:
    """Execute every notebook (or take it from the cache), `jobs` at a time.

    On the first failure the notebooks not yet started are cancelled; the failure of the
    earliest notebook (in name order) is raised.
    """
    todo = []
    for book in notebooks:
        hit = store.get(book) if store is not None else None
        if hit is not None:
            book.executed, book.cached = hit, True
            _say(f"  cached   {book.stem}")
        else:
            todo.append(book)
    if not todo:
        return

    stop = threading.Event()

    def one(book: Notebook) -> None:
        if stop.is_set():  # another notebook failed: the build is lost, do not start more
            return
        _say(f"  start    {book.stem}")
        t0 = time.monotonic()
        try:
            if book.nb is None:
                book.nb = _read_notebook(book)
            executed = normalise(execute(book))
        except BaseException:
            stop.set()
            book.seconds = time.monotonic() - t0
            _say(f"  FAILED   {book.stem}  {book.seconds:.1f} s")
            raise
        book.seconds = time.monotonic() - t0
        book.executed = executed
        if store is not None:
            store.put(book, executed)
        _say(f"  done     {book.stem}  {book.seconds:.1f} s")

    with ThreadPoolExecutor(max_workers=min(jobs, len(todo)), thread_name_prefix="ipsrep-nb") as pool:
        futures = {pool.submit(one, book): book for book in todo}
        done, pending = wait(futures, return_when=FIRST_EXCEPTION)
        failed = [futures[f] for f in done if f.exception() is not None]
        if failed:
            for f in pending:
                f.cancel()
            wait([f for f in pending if not f.cancelled()])
    errors = [(book, f.exception()) for f, book in futures.items() if not f.cancelled() and f.exception()]
    if errors:
        errors.sort(key=lambda pair: pair[0].stem)
        book, exc = errors[0]
        if not isinstance(exc, BuildError):
            exc = BuildError(f"{_shown(book.path)}: {type(exc).__name__}: {_one_line(str(exc))}")
        others = len(errors) - 1
        if others:
            exc = BuildError(f"{exc}\n  ({others} other notebook{'s' if others > 1 else ''} failed too)")
        raise exc


# --------------------------------------------------------------------------------------
# Determinism
# --------------------------------------------------------------------------------------
def _machine_prefixes() -> list[tuple[str, str]]:
    pairs = [(str(PROJECT_ROOT), "<project>")]
    for prefix in {sys.prefix, sys.base_prefix, sys.exec_prefix}:
        pairs.append((prefix, "<python>"))
    home = os.path.expanduser("~")
    if home not in ("", "/", "~"):
        pairs.append((home, "~"))
    return sorted(pairs, key=lambda p: -len(p[0]))


def scrub_text(text: str) -> str:
    """`text` without machine paths and memory addresses.

    The project root becomes ``<project>``, the Python installation ``<python>``, the
    home folder ``~`` (longest first, so a virtual environment inside the project is
    ``<python>``), and hexadecimal object addresses such as ``0x7f3a2c1b9d60`` become
    ``0x...`` (so ``<Axes at 0x...>`` reads the same every run). The nbval sanitize
    patterns in ``tests/nbval_sanitize.cfg`` map fresh output onto the same text.

    >>> scrub_text("<matplotlib.axes._axes.Axes at 0x7f3a2c1b9d60>")
    '<matplotlib.axes._axes.Axes at 0x...>'
    >>> scrub_text(str(PROJECT_ROOT / "ipsrep" / "stats.py") + ":12: FutureWarning")
    '<project>/ipsrep/stats.py:12: FutureWarning'
    """
    for prefix, replacement in _machine_prefixes():
        text = text.replace(prefix, replacement)
    return _HEX_ADDRESS.sub("0x...", text)


def _scrub_output(output) -> None:
    if "text" in output and isinstance(output["text"], str):
        output["text"] = scrub_text(output["text"])
    if "traceback" in output:
        output["traceback"] = [scrub_text(line) for line in output["traceback"]]
    if "evalue" in output:
        output["evalue"] = scrub_text(output["evalue"])
    for mime, value in output.get("data", {}).items():
        if mime.startswith("image/") and mime != "image/svg+xml":
            continue
        if isinstance(value, str):
            output["data"][mime] = scrub_text(value)
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            output["data"][mime] = [scrub_text(v) for v in value]


def _cell_ids(cells) -> list[str]:
    """Stable cell ids: a hash of the cell's type and source (numbered when repeated)."""
    seen: dict[str, int] = {}
    ids = []
    for cell in cells:
        base = hashlib.sha1(f"{cell.cell_type}\0{cell.source}".encode()).hexdigest()[:8]
        seen[base] = seen.get(base, 0) + 1
        ids.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return ids


def normalise(nb):
    """Make an executed notebook identical from run to run (modifies and returns `nb`).

    Removes papermill's timings, paths and version from the notebook and cell metadata
    (the injected parameters are kept), nbclient's execution timestamps, empty tag lists,
    the kernel's exact Python version, and papermill's error-marker cells; gives cells
    stable ids; merges consecutive stream outputs and applies their carriage returns as a
    notebook front end would (nbconvert's ``CoalesceStreamsPreprocessor``: a progress bar
    leaves its last state, not every redraw); and scrubs machine paths and memory
    addresses from the outputs (:func:`scrub_text`). Execution counts and images stay as
    they are.
    """
    from nbconvert.preprocessors import CoalesceStreamsPreprocessor

    CoalesceStreamsPreprocessor().preprocess(nb, {})
    meta = nb.metadata
    pm = meta.get("papermill", {})
    meta["papermill"] = {k: pm[k] for k in ("parameters",) if pm.get(k)}
    if not meta["papermill"]:
        del meta["papermill"]
    if "language_info" in meta:
        meta["language_info"].pop("version", None)
    meta.pop("widgets", None)
    nb.cells = [c for c in nb.cells if _ERROR_TAG not in c.metadata.get("tags", [])]
    for cell, cell_id in zip(nb.cells, _cell_ids(nb.cells)):
        cell["id"] = cell_id
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if not cell.metadata.get("tags", True):
            del cell.metadata["tags"]
        for output in cell.get("outputs", []):
            _scrub_output(output)
    return nb


def _notebook_text(nb) -> str:
    import nbformat

    text = nbformat.writes(nb, version=4)
    return text if text.endswith("\n") else text + "\n"


# --------------------------------------------------------------------------------------
# Writing the report
# --------------------------------------------------------------------------------------
def ledger_table(notebooks: list[Notebook]) -> pd.DataFrame:
    """Every ledger row the executed notebooks displayed, in notebook and cell order."""
    frames = [rows_from_notebook(book.executed) for book in notebooks]
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=LEDGER_COLUMNS)
    return pd.concat(frames, ignore_index=True)[LEDGER_COLUMNS]


def without_comparison(table: pd.DataFrame, bundled: bool) -> pd.DataFrame:
    """`table` with ``published`` and ``status`` emptied unless the data are the bundled
    reconstruction.

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


def participant_ids(data_file: Path) -> list[str]:
    """Participant ids of `data_file` distinctive enough to search outputs for.

    Ids that are plain numbers or shorter than three characters are left out: they
    would match counts and table cells that are not participant rows.
    """
    import csv

    with Path(data_file).open(newline="", encoding="utf-8-sig") as f:
        ids = {(row.get("participant_id") or "").strip() for row in csv.DictReader(f)}
    return sorted(i for i in ids if len(i) >= 3 and not re.fullmatch(r"[\d.\s]+", i))


def find_participant_rows(book: Notebook, ids: list[str]) -> str | None:
    """Where `book`'s outputs show a participant id of the data (cell number and id), if anywhere."""
    if not ids:
        return None
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, ids)) + r")(?![\w-])")
    for number, cell in enumerate(book.executed.cells, start=1):
        for output in cell.get("outputs", []):
            texts = [output.get("text", "")]
            texts += [v for k, v in output.get("data", {}).items()
                      if isinstance(v, str) and not k.startswith("image/")]
            texts += [json.dumps(v) for v in output.get("data", {}).values() if isinstance(v, dict)]
            for text in texts:
                hit = pattern.search(text if isinstance(text, str) else "".join(text))
                if hit:
                    return f"cell {number} shows participant {hit.group(0)!r}"
    return None


def _data_label(data_file: Path) -> tuple[str, bool]:
    from ipsrep.inputs.datafiles import file_sha256

    bundled = paths.is_bundled(data_file)
    if bundled:
        return "bundled synthetic reconstruction", True
    return f"{data_file.name} (sha256 {file_sha256(data_file)})", False


def render_pages(notebooks: list[Notebook], *, show_code: bool, data_file: Path,
                 store: _Cache | None = None, alpha: float = 0.05) -> tuple[dict[str, bytes], int]:
    """File name -> bytes of every report file (executed notebooks, pages, index, ledger),
    and the number of ledger rows.

    Every page links to every other (its navigation bar), so a page's cache key holds
    the list of pages as well as the notebook's own key and the renderer. Pages of
    notebooks that came with a cache key are taken from `store` when the same notebook
    was rendered the same way, among the same pages, before. `alpha` is the level the
    index reads the research-question answers at.
    """
    from ipsrep.report.html import NotebookRenderer, Page, banner_html, external_loads, notebook_title, render_index

    ids = participant_ids(data_file)
    for book in notebooks:
        shown = find_participant_rows(book, ids)
        if shown:
            raise BuildError(f"{_shown(book.path)}: {shown}; the report shows aggregates only, "
                             "never participant-level rows. No report was written.")
    label, bundled = _data_label(data_file)
    pages = [Page(book.stem, notebook_title(book.executed, book.stem),
                  without_comparison(rows_from_notebook(book.executed), bundled))
             for book in notebooks]
    banner = banner_html(label, bundled, compact=True)
    site = json.dumps([[p.stem, p.title] for p in pages]) + banner
    page_part = render_digest(show_code) + hashlib.sha256(site.encode()).hexdigest() if store is not None else ""
    renderer = None
    files: dict[str, bytes] = {}
    for number, (book, page_info) in enumerate(zip(notebooks, pages)):
        page_key = hashlib.sha256(f"{book.cache_key}|{page_part}".encode()).hexdigest()
        page = store.read(book, page_key, ".html") if store is not None and book.cache_key else None
        if page is None:
            renderer = renderer or NotebookRenderer(show_code=show_code)
            text = renderer.render(book.executed, page_info.title, pages=pages, current=number, banner=banner)
            remote = external_loads(text)
            if remote:
                raise BuildError(f"{_shown(book.path)}: its page would load from the network "
                                 f"({'; '.join(remote[:3])}); the report must work offline. "
                                 "No report was written.")
            page = text.encode()
            if store is not None and book.cache_key:
                store.write(book, page_key, ".html", page)
        files[f"{book.stem}.ipynb"] = _notebook_text(book.executed).encode()
        files[f"{book.stem}.html"] = page
    ledger = without_comparison(ledger_table(notebooks), bundled)
    duplicated = sorted(set(ledger.loc[ledger["key"].duplicated(), "key"]))
    if duplicated:
        _say(f"ipsrep build: warning: ledger keys shown by more than one cell: {', '.join(duplicated)}")
    files["ledger.csv"] = ledger_csv(ledger).encode()
    files["index.html"] = render_index(pages, data_label=label, bundled=bundled, alpha=alpha).encode()
    return files, len(ledger)


def _write_atomic(path: Path, content: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_bytes(content)
    os.replace(tmp, path)


def write_report(notebooks: list[Notebook], out_dir: Path, *, data_file: Path, show_code: bool,
                 store: _Cache | None = None, alpha: float = 0.05) -> str:
    """Render and write the report into `out_dir`; return a one-line summary.

    Everything is rendered in memory and written to a staging folder
    (``out_dir/.build-*``) first; files then move into `out_dir` one by one
    (``os.replace``), files whose bytes are unchanged are left untouched, and pages or
    notebooks of an earlier build that this build did not produce are removed (only when
    `out_dir` already held a report, recognised by its ``ledger.csv``). Other files in
    `out_dir` are never touched.
    """
    files, ledger_rows = render_pages(notebooks, show_code=show_code, data_file=data_file, store=store,
                                      alpha=alpha)
    created = not out_dir.exists()
    had_report = (out_dir / "ledger.csv").is_file()
    staging = out_dir / f".build-{uuid.uuid4().hex[:12]}"
    try:
        staging.mkdir(parents=True)
        for name, content in files.items():
            (staging / name).write_bytes(content)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if created:
            shutil.rmtree(out_dir, ignore_errors=True)
        raise BuildError(f"cannot write the report to {_shown(out_dir)}: {exc.strerror or exc}") from None
    try:
        for name, content in files.items():
            target = out_dir / name
            if target.is_file() and target.read_bytes() == content:
                continue
            os.replace(staging / name, target)
        if had_report:
            for old in sorted(out_dir.iterdir()):
                if old.suffix in (".ipynb", ".html") and old.is_file() and old.name not in files:
                    old.unlink()
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    executed = sum(not b.cached for b in notebooks)
    return (f"{len(notebooks)} pages, {executed} executed, {len(notebooks) - executed} from cache, "
            f"ledger.csv with {ledger_rows} rows")
