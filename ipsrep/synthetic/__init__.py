"""Synthetic data: the participant-level reconstruction and data sets derived from it.

Two-group SPRITE (:mod:`.sprite`), the reconstruction of the trial from its printed
summaries (:mod:`.reconstruct`) and resampled larger trials (:mod:`.resample`). Every
data set made here is synthetic and is labelled so wherever it appears.

Imports :mod:`ipsrep.paths`, :mod:`ipsrep.inputs`, :mod:`ipsrep.methods` and
:mod:`ipsrep.analyses` (the reconstruction is tuned against Table 4 with the same
mixed model the report fits).
"""
