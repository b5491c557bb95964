"""Release: the part of a built report that may leave a secure environment.

Statistical disclosure control (SDC) of a report's outputs under the rules trusted
research environments apply to research outputs, with ACRO's rules and default
thresholds (:mod:`.rules`, thresholds in ``sdc_rules.toml``); which participants and
values each output is computed from (:mod:`.cells`); and the ``ipsrep release`` command,
which checks every output, writes what passes and an SDC log (:mod:`.release`).

The top layer beside :mod:`ipsrep.report`: it may import every layer below it and uses
:mod:`ipsrep.paths`, :mod:`ipsrep.inputs`, :mod:`ipsrep.methods` and :mod:`ipsrep.analyses`
(the cells of an output are computed as the analyses compute them); it reads the files
the build wrote, not the build's code.
"""
