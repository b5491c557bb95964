"""Inputs: what the analyses read, and the rules it must obey.

The data contract for a participant-level file (:mod:`.contract`, which checks and loads
it; its columns in :mod:`.fields`, the rules between columns in :mod:`.rules`, reading
the CSV in :mod:`.parsing`, the pandera schema in :mod:`.schema`, the breaches in
:mod:`.violations`), the measures and
their scales (:mod:`.measures`), the numbers the sources print (:mod:`.published`) and
reading the project's checked CSV files (:mod:`.datafiles`).

Imports only :mod:`ipsrep.paths` (the bottom of the package).
"""
