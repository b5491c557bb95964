"""Methods: statistical tests, intervals and models, independent of this trial.

Two-group tests and intervals as the trial paper used them (:mod:`.stats`), the
random-intercept mixed model (:mod:`.lmm`), the interval a printed number stands for
(:mod:`.rounding`), the comparison of a computed value with a printed one
(:mod:`.comparison`), granularity checks (GRIM, GRIMMER; :mod:`.granularity`) and how
numbers are printed (:mod:`.formatting`).

Imports :mod:`ipsrep.paths` and :mod:`ipsrep.inputs`.
"""
