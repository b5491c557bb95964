"""Report: turning executed notebooks into the published report.

The notebook context (:mod:`.context`), the ledger collected from the notebooks
(:mod:`.ledger`), the scorecard and answers on the front page (:mod:`.scorecard`), page
rendering (:mod:`.html`) and the build (:mod:`.build`).

Imports every layer below it: :mod:`ipsrep.paths`, :mod:`ipsrep.inputs`,
:mod:`ipsrep.methods`, :mod:`ipsrep.analyses`, :mod:`ipsrep.synthetic.resample`,
:mod:`ipsrep.audit` and :mod:`ipsrep.plots`.
"""
