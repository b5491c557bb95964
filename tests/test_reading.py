"""What a reader sees: ledger displays, table captions, one computation per number."""
from __future__ import annotations

import pandas as pd

from ipsrep.audit import registry
from ipsrep.report.ledger import LedgerDisplay


def _registry_rows() -> pd.DataFrame:
    values = registry.registry_ledger_values()
    return pd.DataFrame({"key": values["key"], "source": "registry vs paper", "quantity": "registered item",
                         "published": values["published"], "reproduced": values["value"],
                         "status": values["status"], "note": values["note"]})


def test_registry_rows_put_nothing_under_ours():
    """The registered enrollment is the registry's number, not ours: the "Ours" cell of a
    registry row is empty and its note names the registered value."""
    rows = _registry_rows()
    enrollment = rows[rows["key"] == "audit.registry.enrollment"].iloc[0]
    shown = LedgerDisplay(rows)._shown()
    assert (shown["Ours"] == "").all()
    assert f"registered {int(enrollment['reproduced'])}" in enrollment["note"]
    other = LedgerDisplay(pd.DataFrame({"key": ["t1.n"], "source": ["s"], "quantity": ["q"], "published": ["58"],
                                        "reproduced": [58.0], "status": ["reproduced"], "note": [""]}))._shown()
    assert other["Ours"].tolist() == ["58"]
