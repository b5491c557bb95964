"""Synthetic data: the participant-level reconstruction and data sets derived from it.

Two-group SPRITE (:mod:`.sprite`), the reconstruction of the trial from its printed
summaries (:mod:`.reconstruct`) and resampled larger trials (:mod:`.resample`). Every
data set made here is synthetic and is labelled so wherever it appears.

Imports :mod:`ipsrep.paths`, :mod:`ipsrep.inputs`, :mod:`ipsrep.methods` and
:mod:`ipsrep.analyses` (the reconstruction is tuned against Table 4 with the same
mixed model the report fits).
"""

__all__ = ["write_resampled_trial"]


def __getattr__(name: str):
    """``from ipsrep.synthetic import write_resampled_trial`` (the README's "Larger
    trials" recipe), imported on first use."""
    if name == "write_resampled_trial":
        from ipsrep.synthetic.resample import write_resampled_trial

        return write_resampled_trial
    raise AttributeError(f"module 'ipsrep.synthetic' has no attribute {name!r}")
