"""Release: the part of a built report that may leave a secure environment.

Statistical disclosure control (SDC) of a report's outputs under the rules trusted
research environments apply to research outputs, with ACRO's rules and default
thresholds (:mod:`.rules`, thresholds in ``sdc_rules.toml``); which participants and
values each output is computed from (:mod:`.cells`); and the ``ipsrep release`` command,
which checks every output, writes what passes and an SDC log (:mod:`.release`).

Imports every layer below it: :mod:`ipsrep.paths`, :mod:`ipsrep.inputs`,
:mod:`ipsrep.methods`, :mod:`ipsrep.analyses` and :mod:`ipsrep.report` (it reads what
the build wrote).
"""
