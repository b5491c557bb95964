"""methods.comparison sets values beside any table of printed numbers (it knows no paper);
analyses.paper.compare is the same with the trial paper's numbers."""
from __future__ import annotations

import pandas as pd

from ipsrep.analyses.paper import compare
from ipsrep.inputs.published import load_published
from ipsrep.methods.comparison import LEDGER_COLUMNS, Comparison, compare_with_printed

OTHER_TRIAL = pd.DataFrame(
    {"source": ["Other 2020, Table 2", "Other 2020, Table 2"], "quantity": ["odds ratio", "p"],
     "printed": ["2.10", "0.001"], "relation": ["=", "<"]},
    index=["x.or", "x.p"],
)


def test_rows_beside_another_trials_printed_numbers():
    rows = compare_with_printed({"x.or": 2.1049, "x.p": 0.02, "x.n": 80}, OTHER_TRIAL,
                                bundled=Comparison(synthetic=False), quantities={"x.n": "participants"})
    assert rows.columns.tolist() == LEDGER_COLUMNS
    by_key = rows.set_index("key")
    assert by_key["status"].tolist() == ["reproduced", "discrepant", ""]
    assert by_key.at["x.p", "published"] == "<0.001" and by_key.at["x.n", "source"] == "ipsrep"
    assert by_key.at["x.p", "note"] == "0.020 where < 0.001 is printed"


def test_paper_compare_is_the_generic_comparison_with_the_published_numbers():
    values = {"t2.12m.or": 1.7623, "t2.12m.ips_count": 20}
    ours = compare(values, bundled=True)
    generic = compare_with_printed(values, load_published(), bundled=True)
    pd.testing.assert_frame_equal(ours, generic)
    assert ours["status"].tolist() == ["reproduced", "discrepant"]
