"""Report: turning executed notebooks into the published report.

One module per job of the build, in the order :mod:`.build` runs them: reading and
checking notebook parameters (:mod:`.params`), executing notebooks (:mod:`.execute`),
the execution cache (:mod:`.cache`), failure messages (:mod:`.failures`), scrubbing
outputs (:mod:`.normalise`), rendering the site (:mod:`.render` with the Sphinx site in
:mod:`.site` and publication tables in :mod:`.tables`), checking it for network loads and
participant ids (:mod:`.check`) and publishing it atomically (:mod:`.publish`). Around
them: the notebook context and the data in use (:mod:`.context`), the ledger collected
from the notebooks (:mod:`.ledger`), the front page's answers and scorecard
(:mod:`.scorecard`) and page metadata (:mod:`.html`).

Imports every layer below it: :mod:`ipsrep.paths`, :mod:`ipsrep.inputs`,
:mod:`ipsrep.methods`, :mod:`ipsrep.analyses`, :mod:`ipsrep.synthetic`,
:mod:`ipsrep.audit` and :mod:`ipsrep.plots`.
"""
