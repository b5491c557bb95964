"""What every notebook does first: load and check the data in use, and say what it is.

A notebook's first code cell after its parameters is::

    ctx = setup(data_path)
    Banner(ctx)

``setup`` validates the file against the data contract (stopping with the contract's
message on any violation) and loads it; ``Banner`` displays whether the data are the
bundled synthetic reconstruction or a user's file (named, with its SHA-256), and
records, under its own MIME type (:data:`PARAMETERS_MIMETYPE`), the parameters the
notebook ran with, so that the build reads them from the executed notebook
(:func:`recorded_parameters`) rather than from its source.

What the data in use is (bundled or not, its label, its checksum, the banner text) is
decided once, by :func:`data_in_use`, and passed on as a :class:`DataInUse`: the build
makes one for the whole report, each notebook one for itself.

``ipsrep build`` checks the data file once, before any notebook runs, and tells the
kernels the SHA-256 of the file it checked (environment variable
:data:`VALIDATED_SHA256_VARIABLE`); ``setup`` then loads a file with exactly those bytes
without checking it again. A notebook run on its own (papermill, Jupyter, nbval) has no
such variable and checks its file in full.
"""
from __future__ import annotations

import ast
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ipsrep import paths

PARAMETERS_MIMETYPE = "application/vnd.ipsrep.parameters+json"
"""MIME type of the output in which a notebook records the parameters it ran with."""

VALIDATED_SHA256_VARIABLE = "IPSREP_VALIDATED_SHA256"
"""Environment variable holding the SHA-256 of a data file the build has already checked."""

COMPARE_VARIABLE = "IPSREP_COMPARE_WITH_PAPER"
"""Environment variable set to ``1`` by ``ipsrep build --compare-with-paper``: the
notebooks set the values computed from a user's file beside the paper's numbers."""

SYNTHETIC_NOTICE = (
    "SYNTHETIC DATA: every participant-level result on this page is computed from a "
    "synthetic data set reconstructed from the published summaries of the IPS in Pain "
    "trial; it is not the trial's confidential participant data."
)
"""Banner text of a notebook computed from the bundled reconstruction."""


@dataclass(frozen=True)
class DataInUse:
    """The participant-level file a report or notebook runs on, decided once.

    Attributes
    ----------
    given : str
        The path as the user or the notebook parameter named it.
    file : Path
        The path resolved (:func:`ipsrep.paths.resolve`).
    bundled : bool
        True for the bundled synthetic reconstruction.
    sha256 : str
        SHA-256 of the file's bytes, hex.
    compare : bool or None
        Set the values beside the paper's printed numbers (``--compare-with-paper``);
        None means the default: on for the bundled reconstruction, off for other files.
    """

    given: str
    file: Path
    bundled: bool
    sha256: str
    compare: bool | None = None

    @property
    def with_paper(self) -> bool:
        """Whether the ledger sets the values beside the paper's numbers."""
        return self.bundled if self.compare is None else bool(self.compare)

    @property
    def comparison(self):
        """The `bundled` argument of :func:`ipsrep.analyses.paper.compare` for these data."""
        from ipsrep.methods.comparison import comparison_for

        return comparison_for(synthetic=self.bundled, with_paper=self.with_paper)

    @property
    def name(self) -> str:
        """The file's name as given (no folders)."""
        return Path(self.given).name

    @property
    def label(self) -> str:
        """What the report's pages and index call the data (plain text, not escaped)."""
        if self.bundled:
            return "bundled synthetic reconstruction"
        return f"{self.name} (sha256 {self.sha256})"

    @property
    def banner_text(self) -> str:
        """The notice at the top of every notebook (plain text, not escaped)."""
        if self.bundled:
            return SYNTHETIC_NOTICE
        return f"Data: {self.name}, sha256 {self.sha256}."

    @property
    def parameter(self) -> str | None:
        """``data_path`` to give the notebooks: None for the bundled reconstruction (their
        default), the path relative to the project root for a file inside the project (so
        no machine path ends up in an executed notebook), else the absolute path."""
        if self.bundled:
            return None
        try:
            return self.file.relative_to(paths.PROJECT_ROOT).as_posix()
        except ValueError:
            return str(self.file)


def data_in_use(path: str | os.PathLike = paths.BUNDLED_DATA, *, sha256: str | None = None) -> DataInUse:
    """Describe the data file `path` (see :class:`DataInUse`).

    `sha256` is the checksum when the caller has already read the file's bytes (the
    contract check does); otherwise the file is read (regular files only, at most
    :data:`ipsrep.inputs.contract.MAX_FILE_BYTES`).
    """
    from ipsrep.inputs.contract import read_data_bytes, sha256_hex

    given = os.fspath(path)
    resolved = paths.resolve(given)
    if sha256 is None:
        sha256 = sha256_hex(read_data_bytes(resolved))
    return DataInUse(given=given, file=resolved, bundled=paths.is_bundled(resolved), sha256=sha256)


@dataclass
class Context:
    """The data a notebook runs on: the participant table, what file it is, and the
    notebook's parameters."""

    trial: pd.DataFrame
    data: DataInUse
    parameters: dict = field(default_factory=dict)

    @property
    def data_path(self) -> str:
        return self.data.given

    @property
    def bundled(self) -> bool:
        return self.data.bundled

    @property
    def sha256(self) -> str:
        return self.data.sha256

    @property
    def label(self) -> str:
        return self.data.label

    @property
    def comparison(self):
        """What to pass as `bundled` to the ledger and the side-by-side tables: False when
        the values are not set beside the paper, else a
        :class:`ipsrep.methods.comparison.Comparison` (true)."""
        return self.data.comparison


def _literal_assignments(source: str) -> list[str] | None:
    """Names given a Python literal in `source` when every statement is an assignment
    (a parameters cell, or the cell papermill injects), else None."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            target, value = node.target, node.value
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            continue
        else:
            return None
        try:
            ast.literal_eval(value)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            continue
        names.append(target.id)
    return names or None


def _json_safe(value):
    """`value` as JSON can hold it (tuples as lists; anything else as its repr)."""
    try:
        return json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError):
        return repr(value)


def kernel_parameters() -> dict:
    """The parameters the running notebook was executed with (name -> value).

    Read from the IPython kernel: every cell executed so far whose statements are all
    ``name = <literal>`` is a parameters cell (the notebook's own, tagged
    ``parameters``, and the one papermill injects after it); their names are looked up
    in the notebook's namespace, so a value papermill injected wins over the default.
    Empty outside IPython.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        return {}
    shell = get_ipython()
    if shell is None:
        return {}
    namespace = shell.user_ns
    names: list[str] = []
    for source in list(namespace.get("In", []))[1:]:
        found = _literal_assignments(source) if isinstance(source, str) else None
        names += [n for n in found or () if n not in names]
    return {n: _json_safe(namespace[n]) for n in names if n in namespace}


def recorded_parameters(nb) -> dict | None:
    """The parameters an executed notebook (nbformat node) recorded, or None when it
    recorded none (the first :data:`PARAMETERS_MIMETYPE` output)."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            value = output.get("data", {}).get(PARAMETERS_MIMETYPE)
            if isinstance(value, dict):
                return dict(value.get("parameters", {}))
    return None


class Banner:
    """Notice shown at the top of every notebook about the data in use; its output also
    records the notebook's parameters (:data:`PARAMETERS_MIMETYPE`)."""

    def __init__(self, ctx: Context):
        self.ctx = ctx

    def text(self) -> str:
        return self.ctx.data.banner_text

    def _repr_html_(self) -> str:
        kind = "synthetic" if self.ctx.bundled else "user"
        from ipsrep.inputs.markup import html_text

        return html_text(self.text(), tag="div", classes=f"ipsrep-banner ipsrep-banner-{kind}").replace(
            "<div ", '<div role="note" ', 1)

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {
            "text/plain": self.text(),
            "text/html": self._repr_html_(),
            PARAMETERS_MIMETYPE: {"parameters": self.ctx.parameters},
        }

    def __repr__(self) -> str:
        return self.text()


def setup(data_path: str = paths.BUNDLED_DATA) -> Context:
    """Validate and load `data_path` (see data/README.md); return the notebook's context.

    The file is checked against the data contract unless the environment variable
    :data:`VALIDATED_SHA256_VARIABLE` holds the SHA-256 of its bytes (set by ``ipsrep
    build``, which has checked that file already). With :data:`COMPARE_VARIABLE` set to
    ``1`` (``ipsrep build --compare-with-paper``) the values of any file are set beside
    the paper's numbers.

    Raises ``ipsrep.inputs.contract.ContractError`` listing every violation when the file breaks
    the contract.
    """
    from ipsrep.inputs.contract import load_trial_checked

    resolved = paths.resolve(data_path)
    trial, sha256 = load_trial_checked(resolved, trusted_sha256=os.environ.get(VALIDATED_SHA256_VARIABLE),
                                       label=str(data_path))
    compare = True if os.environ.get(COMPARE_VARIABLE) == "1" else None
    data = DataInUse(given=str(data_path), file=resolved, bundled=paths.is_bundled(resolved), sha256=sha256,
                     compare=compare)
    return Context(trial=trial, data=data, parameters=kernel_parameters())
