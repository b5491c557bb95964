"""Methods: statistical tests, intervals and models, independent of this trial.

Two-group tests and intervals as the trial paper used them, one module per topic: 2x2
tables and proportion intervals (:mod:`.proportions`), t tests (:mod:`.ttests`), Holm's
adjustment (:mod:`.multiplicity`), rank tests (:mod:`.ranks`), the bootstrap
(:mod:`.resampling`), sample size and power (:mod:`.power`) and the checks of their
arguments (:mod:`.arguments`), with their public names gathered in :mod:`.stats`.
Bayesian and fragility analyses of a 2x2 table (:mod:`.bayes`, :mod:`.fragility`), the
random-intercept mixed model (:mod:`.lmm`), the interval a printed number stands for
(:mod:`.rounding`), the comparison of a computed value with printed numbers the caller
gives (:mod:`.comparison`), granularity checks (GRIM, GRIMMER; :mod:`.granularity`) and
how numbers are printed (:mod:`.formatting`).

Imports :mod:`ipsrep.paths` and :mod:`ipsrep.inputs`.
"""
