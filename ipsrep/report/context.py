"""What every notebook does first: load and check the data in use, and say what it is.

A notebook's first code cell after its parameters is::

    ctx = setup(data_path)

which validates the file against the data contract (stopping with the contract's
message on any violation), and displays a banner saying whether the data are the
bundled synthetic reconstruction or a user's file (named, with its SHA-256).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ipsrep import paths
from ipsrep.inputs.datafiles import file_sha256


@dataclass
class Context:
    """The data a notebook runs on: the participant table and where it came from."""

    trial: pd.DataFrame
    data_path: str
    bundled: bool
    sha256: str

    @property
    def label(self) -> str:
        if self.bundled:
            return "synthetic reconstruction (not the trial's participant data)"
        return f"{Path(self.data_path).name} (sha256 {self.sha256[:12]})"


class Banner:
    """Notice shown at the top of every notebook about the data in use."""

    def __init__(self, ctx: Context):
        self.ctx = ctx

    def text(self) -> str:
        if self.ctx.bundled:
            return (
                "SYNTHETIC DATA: every participant-level result on this page is computed from a "
                "synthetic data set reconstructed from the published summaries of the IPS in Pain "
                "trial; it is not the trial's confidential participant data."
            )
        return f"Data: {Path(self.ctx.data_path).name}, sha256 {self.ctx.sha256}."

    def _repr_html_(self) -> str:
        kind = "synthetic" if self.ctx.bundled else "user"
        return f'<div class="ipsrep-banner ipsrep-banner-{kind}" role="note">{self.text()}</div>'

    def __repr__(self) -> str:
        return self.text()


def setup(data_path: str = paths.BUNDLED_DATA) -> Context:
    """Validate and load `data_path` (see data/README.md); return the notebook's context.

    Raises ``ipsrep.inputs.contract.ContractError`` listing every violation when the file breaks
    the contract.
    """
    from ipsrep.inputs.contract import load_trial

    resolved = paths.resolve(data_path)
    trial = load_trial(resolved)
    return Context(trial=trial, data_path=str(data_path), bundled=paths.is_bundled(resolved),
                   sha256=file_sha256(resolved))
