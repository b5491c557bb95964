"""Analyses: one module per topic of the report, each computing tidy tables from a
participant-level data set (or, for the pilot and the qualitative study, from their
bundled files).

Participant flow (:mod:`.flow`), baseline (:mod:`.baseline`), employment
(:mod:`.employment`), productivity (:mod:`.productivity`), health outcomes
(:mod:`.health`), the mixed models of Table 4 (:mod:`.mixed`), the pilot
(:mod:`.pilot`) and the qualitative themes (:mod:`.qualitative`); the computed numbers
set beside the paper's printed ones, the ledger's rows (:mod:`.paper`).

Imports :mod:`ipsrep.paths`, :mod:`ipsrep.inputs` and :mod:`ipsrep.methods`.
"""
